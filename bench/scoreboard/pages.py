"""Line-cleaning quality on the line-labelled pages (pages-dev, pages-multi-dev)."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

from bench.scoreboard.cleaners import PEERS, run_peer
from bench.scoreboard.data import load_pages, write_jsonl_zst
from bench.scoreboard.metrics import LineScores, score_page
from bench.scoreboard.tamis_out import read_outputs, read_summary, tamis_clean


def score_pages(pages: list[dict], outputs: list[str | None]) -> LineScores:
    scores = LineScores()
    for page, out in zip(pages, outputs):
        counts, unmatched = score_page(page["text"].split("\n"), page["labels"], out)
        scores.add(page["source"], page["lang"], counts, unmatched)
    return scores


def run_peers(pages: list[dict], tools: list[str], jobs: int) -> dict[str, dict]:
    results = {}
    for tool in tools:
        t0, c0 = time.perf_counter(), time.process_time()
        work = [(tool, p["text"], p["lang"]) for p in pages]
        if jobs > 1 and tool != "keep everything":
            with Pool(jobs) as pool:
                res = pool.map(run_peer, work, chunksize=4)
        else:
            res = [run_peer(w) for w in work]
        errors = Counter(err.split(":")[0] for _, err in res if err)
        results[tool] = {"scores": score_pages(pages, [out for out, _ in res]), "errors": dict(errors),
                         "wall_s": time.perf_counter() - t0,
                         "note": "" if jobs > 1 and tool != "keep everything" else "single process"}
        if jobs <= 1:
            results[tool]["cpu_s"] = time.process_time() - c0
    return results


def run_tamis(pages: list[dict], work_dir: Path, name: str, workers: int, extra_args: list[str]) -> dict:
    in_path = work_dir / f"{name}-input.jsonl.zst"
    out_dir = work_dir / f"{name}-tamis"
    shutil.rmtree(out_dir, ignore_errors=True)
    write_jsonl_zst(in_path, ({"id": p["id"], "text": p["text"]} for p in pages))
    m = tamis_clean([in_path], out_dir, workers, work_dir / "logs", f"{name}-tamis", extra_args)
    if m.rc != 0:
        raise RuntimeError(f"tamis clean exited with {m.rc}: {m.stderr_tail[-800:]}")
    outs = read_outputs(out_dir)
    outputs = [outs["kept"][p["id"]]["text"] if p["id"] in outs["kept"] else None for p in pages]
    missing = sum(1 for p in pages if not any(p["id"] in outs[k] for k in outs))
    duplicates = sum(1 for r in outs["rejected"].values()
                     if {x.get("rule") if isinstance(x, dict) else x for x in r.get("reasons") or []} == {"duplicate"})
    summary_docs = read_summary(out_dir).get("documents")
    shutil.rmtree(out_dir, ignore_errors=True)
    return {"scores": score_pages(pages, outputs), "wall_s": m.wall_s, "cpu_s": m.cpu_s,
            "pages_rejected": len(outs["rejected"]), "pages_duplicate": duplicates,
            "pages_quarantined": len(outs["quarantine"]),
            "pages_missing": missing, "summary_documents": summary_docs,
            "note": f"tamis clean --workers {workers} {' '.join(extra_args)}; rejected pages count as all lines removed"}


def run_page_set(name: str, sample: float | None, tools: list[str], jobs: int, work_dir: Path,
                 with_tamis: bool, tamis_args: list[str]) -> dict:
    pages = load_pages(name, sample)
    res = {"pages": len(pages), "sample": sample, "tools": {}}
    res["tools"].update(run_peers(pages, [t for t in tools if t in PEERS], jobs))
    if with_tamis:
        try:
            res["tools"]["tamis"] = run_tamis(pages, work_dir, name, jobs, tamis_args)
        except Exception as exc:  # noqa: BLE001 - report it in the table
            res["tools"]["tamis"] = {"error": f"{type(exc).__name__}: {exc}"}
    return res
