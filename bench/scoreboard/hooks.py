"""Hooks to the sibling benchmarks: bench/lid_accuracy.py (language ID), bench/dedup_bench.py
(near-duplicates) and bench/pages_cv.py (line F1 of the whole pipeline, cross-validated). Each runs
as a child process writing JSON; only numbers are taken from it.
A missing script is reported as such, never as a failure of the scoreboard."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.scoreboard.procs import run_measured

REPO = Path(__file__).resolve().parents[2]
LID_SCRIPT = REPO / "bench" / "lid_accuracy.py"
DEDUP_SCRIPT = REPO / "bench" / "dedup_bench.py"
PAGES_CV_SCRIPT = REPO / "bench" / "pages_cv.py"


def _help(script: Path) -> str:
    p = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, cwd=REPO)
    return p.stdout + p.stderr


def run_lid(quick: bool, work_dir: Path) -> dict:
    if not LID_SCRIPT.exists():
        return {"status": "missing", "note": "bench/lid_accuracy.py is not there yet"}
    out = work_dir / "lid.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(LID_SCRIPT), "--json", str(out)] + (["--quick"] if quick else [])
    m = run_measured(cmd, work_dir / "logs", "lid_accuracy")
    if m.rc != 0 or not out.exists():
        return {"status": "failed", "rc": m.rc, "note": m.stderr_tail[-600:], "cmd": " ".join(cmd)}
    rep = json.loads(out.read_text(encoding="utf-8"))
    models = {name: {"macro": m_.get("macro", {}), "macro_supported": m_.get("macro_supported", {}),
                     "unsupported": m_.get("unsupported", []), "seconds": m_.get("seconds")}
              for name, m_ in (rep.get("models") or {}).items()}
    return {"status": "ok", "cmd": "python bench/lid_accuracy.py" + (" --quick" if quick else ""),
            "n_items": rep.get("n_items"), "models": models, "wall_s": round(m.wall_s, 1)}


def _dedup_summary(rep: dict) -> dict:
    """The numbers of dedup_bench.py's results.json: per run rates, memory, drops; silver recall."""
    runs = {}
    for key, r in (rep.get("runs") or {}).items():
        if not isinstance(r, dict):
            continue
        cpu = r.get("cpu_s") or 0
        runs[key] = {"tool": r.get("tool"), "docs": r.get("docs"), "mb": round((r.get("bytes") or 0) / 1e6, 2),
                     "docs_per_cpu_s": round(r["docs"] / cpu, 1) if cpu and r.get("docs") else None,
                     "wall_s": r.get("wall_s"), "peak_rss_mib": r.get("peak_rss_mib"),
                     "dropped": r.get("dropped"), "clusters": r.get("clusters")}
    return {"runs": runs, "recall": rep.get("recall"), "recall_by_lang": rep.get("recall_by_lang"),
            "subset_recall": rep.get("subset_recall"), "deterministic": rep.get("deterministic")}


def run_dedup(quick: bool, work_dir: Path) -> dict:
    if not DEDUP_SCRIPT.exists():
        return {"status": "missing", "note": "bench/dedup_bench.py (tamis.dedup) is not there yet"}
    helptext = _help(DEDUP_SCRIPT)
    dedup_work = work_dir / "dedup"
    cmd = [sys.executable, str(DEDUP_SCRIPT)]
    if "--quick" in helptext and quick:
        cmd.append("--quick")
        if "--skip-datatrove" in helptext:  # keeps the quick mode quick; the full mode compares
            cmd.append("--skip-datatrove")
    if "--work" in helptext:
        cmd += ["--work", str(dedup_work)]
    shown = " ".join(["python bench/dedup_bench.py", *(a for a in cmd[2:] if a.startswith("--") and a != "--work")])
    m = run_measured(cmd, work_dir / "logs", "dedup_bench")
    if m.rc != 0:
        return {"status": "failed", "rc": m.rc, "note": m.stderr_tail[-600:], "cmd": shown}
    results = dedup_work / "results.json"
    if not results.exists():
        return {"status": "ran", "note": "dedup_bench.py wrote no results.json; its report is in its log only",
                "cmd": shown, "wall_s": round(m.wall_s, 1)}
    rep = json.loads(results.read_text(encoding="utf-8"))
    # Only numbers are taken: its stdout also lists repeated lines of the (evaluation-only) news text.
    return {"status": "ok", "cmd": shown, "wall_s": round(m.wall_s, 1), **_dedup_summary(rep)}


def run_pages_cv(work_dir: Path, jobs: int) -> dict:
    """Whole-pipeline content-line F1 per page set and group, each page cleaned with a line model
    trained without its fold (same group keys as the scoreboard's own page tables)."""
    if not PAGES_CV_SCRIPT.exists():
        return {"status": "missing", "note": "bench/pages_cv.py is not there"}
    out = work_dir / "pages_cv.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(PAGES_CV_SCRIPT), "--json", str(out), "--workers", str(jobs)]
    m = run_measured(cmd, work_dir / "logs", "pages_cv")
    if m.rc != 0 or not out.exists():
        return {"status": "failed", "rc": m.rc, "note": m.stderr_tail[-600:], "cmd": "python bench/pages_cv.py"}
    rep = json.loads(out.read_text(encoding="utf-8"))
    return {"status": "ok", "cmd": "python bench/pages_cv.py", "wall_s": round(m.wall_s, 1), "folds": rep.get("folds"),
            "sets": rep.get("sets") or {}}
