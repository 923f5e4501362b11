"""Documents kept on the real news corpora, throughput and peak memory: tamis against datatrove's
FineWeb-2 filter chain and the floor (decompress + JSON-parse), on the same first N documents."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from bench.scoreboard.data import data_dir, load_news, write_jsonl_zst
from bench.scoreboard.metrics import kept_shares
from bench.scoreboard.procs import Measured, run_measured
from bench.scoreboard.tamis_out import read_outputs, read_summary, tamis_clean

FW2_CONFIG = {"vi": "vie_Latn", "ar": "arb_Arab"}
DUPLICATE = "duplicate"  # reasons[].rule of a copy dropped by tamis's corpus stage


def _rates(m: Measured, docs: int, mbytes: float, loop_cpu_s: float | None = None,
           loop_wall_s: float | None = None) -> dict:
    """Per-core rates divide by the CPU seconds (user + system) of the whole child command: start-up,
    imports, model loading, reading, every stage. Only the floor passes its own loop's timers."""
    cpu = loop_cpu_s if loop_cpu_s else m.cpu_s
    wall = loop_wall_s if loop_wall_s else m.wall_s
    return {**m.to_json(), "docs": docs, "mb": round(mbytes, 3),
            "docs_per_s": round(docs / wall, 1), "mb_per_s": round(mbytes / wall, 3),
            "docs_per_cpu_s": round(docs / cpu, 1) if cpu else None,
            "mb_per_cpu_s": round(mbytes / cpu, 3) if cpu else None}


def prepare(lang: str, n: int, work_dir: Path) -> tuple[Path, list[dict], float]:
    docs = load_news(lang, n)
    path = work_dir / f"news-{lang}-{len(docs)}.jsonl.zst"
    if not path.exists():
        write_jsonl_zst(path, docs)
    mbytes = sum(len(d["text"].encode("utf-8")) for d in docs) / 1e6
    return path, docs, mbytes


def run_floor(path: Path, docs: int, mbytes: float, log_dir: Path) -> dict:
    m = run_measured([sys.executable, "-m", "bench.scoreboard.floor", str(path)], log_dir, f"floor-{path.stem}")
    if m.rc != 0:
        return {"error": m.stderr_tail[-500:]}
    info = json.loads(m.stdout)
    return _rates(m, docs, mbytes, info["cpu_s_run"], info["seconds_run"])


def run_tamis_news(path: Path, docs: list[dict], mbytes: float, work_dir: Path, name: str,
                   extra_args: list[str]) -> dict:
    out_dir = work_dir / name
    shutil.rmtree(out_dir, ignore_errors=True)
    m = tamis_clean([path], out_dir, 1, work_dir / "logs", name, extra_args)
    if m.rc != 0:
        return {"error": f"tamis clean exited with {m.rc}: {m.stderr_tail[-800:]}"}
    outs = read_outputs(out_dir)
    kept = set(outs["kept"])
    reasons: dict[str, int] = {}
    duplicates = set()
    for doc_id, rec in outs["rejected"].items():
        codes = {str(r.get("rule", "?") if isinstance(r, dict) else r) for r in rec.get("reasons") or []}
        for code in codes:
            reasons[code] = reasons.get(code, 0) + 1
        if codes == {DUPLICATE}:
            duplicates.add(doc_id)
    summary = read_summary(out_dir)
    texts = [(d["id"], d["text"]) for d in docs]
    res = {**_rates(m, len(docs), mbytes), "internal_throughput": summary.get("throughput"),
           "rejected": len(outs["rejected"]), "dropped_as_duplicate": len(duplicates),
           "quarantined": len(outs["quarantine"]),
           "reject_reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
           "kept": {k: v.to_json() for k, v in kept_shares(texts, kept).items()},
           # the share that passes tamis's document rules: kept, or dropped only as a duplicate copy
           "passed_rules": {k: v.to_json() for k, v in kept_shares(texts, kept | duplicates).items()}}
    shutil.rmtree(out_dir, ignore_errors=True)  # the cleaned news is not kept around
    return res


def run_datatrove_news(lang: str, path: Path, docs: list[dict], mbytes: float, work_dir: Path) -> dict:
    fw2 = FW2_CONFIG[lang]
    run_dir = work_dir / f"datatrove-{path.stem}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    kept_path = run_dir / "kept-ids.txt"
    cmd = [sys.executable, "-m", "bench.scoreboard.peer_datatrove", str(path),
           "--config", str(data_dir() / "fineweb2-configs" / f"{fw2}.yml"), "--lang", fw2,
           "--kept-ids", str(kept_path), "--work-dir", str(run_dir)]
    m = run_measured(cmd, work_dir / "logs", f"datatrove-{path.stem}")
    if m.rc != 0:
        return {"error": f"datatrove exited with {m.rc}: {m.stderr_tail[-800:]}"}
    kept = set(kept_path.read_text(encoding="utf-8").split())
    info = json.loads(m.stdout) if m.stdout.strip() else {}
    dropped = {}
    for step, st in (info.get("stats") or {}).items():
        if isinstance(st, dict) and "dropped" in st:
            dropped[step] = {k: v for k, v in st.items() if k.startswith("dropped")}
    run_cpu = info.get("cpu_s_run")
    return {**_rates(m, len(docs), mbytes), "seconds_run": info.get("seconds_run"), "cpu_s_run": run_cpu,
            "docs_per_cpu_s_in_run": round(len(docs) / run_cpu, 1) if run_cpu else None,
            "dropped": dropped, "config": f"{fw2}.yml (language_score not applied)",
            "strip_lines": info.get("strip_lines"),
            "kept": {k: v.to_json() for k, v in kept_shares(((d["id"], d["text"]) for d in docs), kept).items()}}


def run_news(langs: list[str], n: int, mem_sizes: list[int], work_dir: Path, with_tamis: bool,
             with_datatrove: bool, tamis_args: list[str]) -> dict:
    res: dict = {"n": n, "langs": {}, "memory": {}}
    for lang in langs:
        path, docs, mbytes = prepare(lang, n, work_dir)
        r: dict = {"docs": len(docs), "mb": round(mbytes, 3)}
        print(f"[news] {lang}: {len(docs)} docs, {mbytes:.1f} MB", file=sys.stderr, flush=True)
        r["floor"] = run_floor(path, len(docs), mbytes, work_dir / "logs")
        if with_tamis:
            r["tamis"] = run_tamis_news(path, docs, mbytes, work_dir, f"tamis-news-{lang}-{len(docs)}", tamis_args)
            print(f"[news] {lang}: tamis done", file=sys.stderr, flush=True)
        if with_datatrove:
            r["datatrove"] = run_datatrove_news(lang, path, docs, mbytes, work_dir)
            print(f"[news] {lang}: datatrove done", file=sys.stderr, flush=True)
        res["langs"][lang] = r
    if with_tamis and mem_sizes:
        lang = langs[0]
        for size in mem_sizes:
            if size == n and "tamis" in res["langs"][lang]:
                t = res["langs"][lang]["tamis"]
            else:
                path, docs, mbytes = prepare(lang, size, work_dir)
                t = run_tamis_news(path, docs, mbytes, work_dir, f"tamis-news-{lang}-{len(docs)}", tamis_args)
                print(f"[memory] tamis {lang} {size} docs done", file=sys.stderr, flush=True)
            res["memory"][f"{lang}-{size}"] = {k: t.get(k) for k in ("docs", "mb", "max_rss_mb", "docs_per_cpu_s",
                                                                     "docs_per_s", "error")}
    return res
