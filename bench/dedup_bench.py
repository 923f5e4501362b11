#!/usr/bin/env python3
"""Near-duplicate detection: tamis against datatrove's MinHash pipeline on real news corpora.

    python bench/dedup_bench.py            # full run (about 15 minutes on a busy 2-core machine, mostly datatrove)
    python bench/dedup_bench.py --quick    # under ~3 minutes: datatrove on 1k articles per language

Reads ../shared/data beside the repository (or --data): news-vi, news-ar, neardup-silver (evaluation-only data; nothing
of it is written into the repository: work files go to bench/results/, which git ignores).

What it measures, each tool in its own single-process child (so one core):
- throughput: documents and MB of text per CPU second of the dedup work (reading the JSONL input
  included for both, interpreter start-up and imports excluded), wall time beside it;
- peak memory: each worker's peak RSS (VmHWM), for tamis at 10k and at all ~66k documents;
- duplicates found (documents dropped) on the same input;
- recall on the silver pairs (Jaccard >= 0.8): a pair is found when both end in one cluster;
- precision: the pairs drawn from tamis's clusters that are not silver pairs, judged by hand in
  bench/neardup_precision.md;
- determinism: the same input twice and in a shuffled order must give the same decisions;
- repeated lines: the top 20 cross-document repeated lines/segments of news-vi and news-ar.

datatrove is installed by this script into bench/.venv-datatrove (git-ignored) on first use:
`datatrove[processing]` plus orjson (its JSONL reader), spaCy and pyvi (its Vietnamese and Arabic
word tokenizers).
It runs its four MinHash stages (signatures, buckets, cluster, filter) with its defaults
(5-grams, 14 buckets x 8 hashes) through a LocalPipelineExecutor with one worker.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DT_VENV = BENCH / ".venv-datatrove"
DT_PACKAGES = ["datatrove[processing]", "orjson", "spacy", "pyvi"]
PRECISION_MD = BENCH / "neardup_precision.md"
DT_LANG = {"vi": "vie_Latn", "ar": "arb_Arab"}  # with the script: "arb" alone picks a Latin-script tokenizer


def read_zst_jsonl(path: Path):
    from tamis.io import read_records

    yield from read_records(str(path))


def read_jsonl(path: Path):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def write_jsonl(path: Path, records) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    return n


def peak_rss_mib() -> float:
    """Peak resident memory of this process (VmHWM; unlike ru_maxrss it starts afresh at exec)."""
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


# --- workers (run in child processes) ------------------------------------------------------------


def worker_tamis(args: argparse.Namespace) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from tamis.dedup import NearDupIndex
    from tamis.dedup.normalize import char_classes, fold_table

    char_classes(), fold_table()  # one-off tables (~0.5 s), like datatrove's imports: not timed
    records = list(read_jsonl(Path(args.input))) if args.shuffle_seed is not None else None
    if records is not None:
        random.Random(args.shuffle_seed).shuffle(records)
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    index_dir = Path(args.work) / "tamis-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    index = NearDupIndex(index_dir)
    docs = nbytes = 0
    ids: list[str] = []
    texts: list[str] = []
    for r in records if records is not None else read_jsonl(Path(args.input)):
        ids.append(r["id"])
        texts.append(r["text"])
        nbytes += len(r["text"].encode("utf-8"))
        if len(ids) == args.batch:
            index.add_batch(ids, texts)
            docs += len(ids)
            ids, texts = [], []
    if ids:
        index.add_batch(ids, texts)
        docs += len(ids)
    cpu_sig = cpu_seconds() - cpu0
    clusters = index.finalize()
    clusters.write_jsonl(Path(args.output))
    index.save()
    cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    index_bytes = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file())
    return {"tool": "tamis", "docs": docs, "bytes": nbytes, "cpu_s": cpu, "wall_s": wall, "cpu_signatures_s": cpu_sig,
            "dropped": clusters.num_dropped, "clusters": clusters.num_clusters, "peak_rss_mib": peak_rss_mib(),
            "index_bytes": index_bytes}


def worker_datatrove(args: argparse.Namespace) -> dict:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
                                                  MinhashDedupFilter, MinhashDedupSignature)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig
    from datatrove.utils.word_tokenizers import load_word_tokenizer

    load_word_tokenizer(DT_LANG[args.lang]).word_tokenize("warm up")  # spaCy import: not timed
    work = Path(args.work) / "datatrove"
    shutil.rmtree(work, ignore_errors=True)
    inp = Path(args.input)
    cfg = MinhashConfig(hash_config=HashConfig(precision=64))  # its defaults: 5-grams, 14 x 8
    reader = lambda: JsonlReader(str(inp.parent), glob_pattern=inp.name, text_key="text", id_key="id")  # noqa: E731
    logs = str(work / "logs")
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    LocalPipelineExecutor([reader(), MinhashDedupSignature(str(work / "sigs"), config=cfg, language=DT_LANG[args.lang])],
                          tasks=1, workers=1, logging_dir=logs + "/1").run()
    LocalPipelineExecutor([MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=cfg)],
                          tasks=cfg.num_buckets, workers=1, logging_dir=logs + "/2").run()
    LocalPipelineExecutor([MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=cfg, save_cluster_id=True)],
                          tasks=1, workers=1, logging_dir=logs + "/3").run()
    LocalPipelineExecutor([reader(), MinhashDedupFilter(str(work / "remove"), load_cluster_ids=True,
                                                        exclusion_writer=JsonlWriter(str(work / "removed"), compression=None)),
                           JsonlWriter(str(work / "kept"), compression=None)],
                          tasks=1, workers=1, logging_dir=logs + "/4").run()
    cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    clusters = {}
    dropped = 0
    for part, is_removed in (("removed", True), ("kept", False)):
        for f in sorted((work / part).glob("*.jsonl")):
            for r in read_jsonl(f):
                dropped += is_removed
                cid = r.get("metadata", {}).get("minhash_cluster_id", -1)
                if cid != -1:
                    clusters[r["id"]] = cid
    with open(args.output, "w", encoding="utf-8") as fh:
        for doc_id, cid in sorted(clusters.items()):
            fh.write(json.dumps({"id": doc_id, "cluster_id": cid}) + "\n")
    docs = nbytes = 0
    for r in read_jsonl(inp):
        docs += 1
        nbytes += len(r["text"].encode("utf-8"))
    return {"tool": "datatrove", "docs": docs, "bytes": nbytes, "cpu_s": cpu, "wall_s": wall, "dropped": dropped,
            "clusters": len(set(clusters.values())), "peak_rss_mib": peak_rss_mib()}


# --- driver --------------------------------------------------------------------------------------


def run_measured(python: str, argv: list[str]) -> dict:
    """Run this script as a worker in `python` (a fresh process: one core, its own peak memory)."""
    proc = subprocess.run([python, str(Path(__file__).resolve()), *argv], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"worker {' '.join(argv[:4])} failed ({proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ensure_datatrove() -> str:
    python = DT_VENV / "bin" / "python"
    probe = "import datatrove, orjson, spacy, pyvi"
    if python.exists() and subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0:
        return str(python)
    print(f"installing datatrove into {DT_VENV.relative_to(ROOT)} (first run only) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(DT_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *DT_PACKAGES], check=True)
    return str(python)


def prepare_inputs(data: Path, work: Path, dt_docs: int) -> dict:
    """Plain JSONL inputs: per-language subsets for the comparison, 10k mixed and everything for tamis."""
    vi = list(read_zst_jsonl(data / "news-vi.jsonl.zst"))
    ar = list(read_zst_jsonl(data / "news-ar.jsonl.zst"))
    slim = lambda r: {"id": r["id"], "text": r["text"]}  # noqa: E731
    paths = {}
    for name, recs in (("vi", vi[:dt_docs]), ("ar", ar[:dt_docs]), ("mixed10k", vi[:5000] + ar[:5000]), ("all", vi + ar)):
        paths[name] = work / f"{name}.jsonl"
        write_jsonl(paths[name], map(slim, recs))
    return {"paths": paths, "vi": vi, "ar": ar}


def silver_pairs(data: Path) -> list[dict]:
    return list(read_zst_jsonl(data / "neardup-silver.jsonl.zst"))


def recall(pairs: list[dict], cluster_of: dict[str, object], universe: set[str] | None = None) -> tuple[float, int, int]:
    if universe is not None:
        pairs = [p for p in pairs if p["a_id"] in universe and p["b_id"] in universe]
    found = sum(1 for p in pairs if p["a_id"] in cluster_of and cluster_of.get(p["a_id"]) == cluster_of.get(p["b_id"]))
    return (found / len(pairs) if pairs else float("nan")), found, len(pairs)


def word5(text: str) -> set:
    import unicodedata

    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).casefold())
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def precision_sample(decisions: list[dict], pairs: list[dict], docs: dict[str, dict], n: int, seed: int = 2026) -> tuple[list[dict], int]:
    """Pairs (dropped copy, kept copy) from tamis's clusters that are not silver pairs.

    A quarter of the sample is Vietnamese (few of its pairs fall outside the silver list, and its
    templated articles - lottery results, match statistics - are where false merges would hide).
    """
    silver = {frozenset((p["a_id"], p["b_id"])) for p in pairs}
    cand = sorted((d["id"], d["duplicate_of"], d["similarity"]) for d in decisions if not d["keep"]
                  and frozenset((d["id"], d["duplicate_of"])) not in silver)
    rng = random.Random(seed)
    vi = [c for c in cand if c[0].startswith("vn_news")]
    ar = [c for c in cand if not c[0].startswith("vn_news")]
    n_vi = min(n // 4, len(vi))
    picked = rng.sample(vi, n_vi) + rng.sample(ar, min(n - n_vi, len(ar)))
    out = []
    for a, b, sim in sorted(picked):
        ta, tb = docs[a]["text"], docs[b]["text"]
        sa, sb = word5(ta), word5(tb)
        jac = len(sa & sb) / max(len(sa | sb), 1)
        out.append({"a_id": a, "b_id": b, "est_similarity": sim, "jaccard_w5": round(jac, 3), "len_a": len(ta),
                    "len_b": len(tb), "title_a": docs[a].get("title"), "title_b": docs[b].get("title"),
                    "site_a": docs[a].get("site"), "site_b": docs[b].get("site"), "text_a": ta, "text_b": tb})
    return out, len(cand)


def read_verdicts(path: Path) -> dict[frozenset, bool]:
    """Rows `| a_id | b_id | ... | dup or not-dup | reason |` of the hand-checked sample."""
    verdicts = {}
    if not path.exists():
        return verdicts
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0][:3] in ("vn_", "sau"):
            verdict = next((c for c in cells if c in ("dup", "not-dup")), None)
            if verdict:
                verdicts[frozenset(cells[:2])] = verdict == "dup"
    return verdicts


def top_lines(records: list[dict], site_field: str | None, top: int) -> tuple[list, float, int]:
    sys.path.insert(0, str(ROOT / "src"))
    from tamis.dedup import LineCounter

    counter = LineCounter()
    cpu0 = cpu_seconds()
    for r in records:
        counter.add(r["text"], r.get(site_field) if site_field else None)
    flagged = 0
    for r in records:
        flagged += bool(counter.annotate(r["text"], r.get(site_field) if site_field else None))
    return counter.frequent(top=top), cpu_seconds() - cpu0, flagged


def fmt_rate(r: dict) -> str:
    return f"{r['docs'] / r['cpu_s']:,.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="datatrove on 1k articles per language; lines on 10k")
    ap.add_argument("--docs", type=int, default=None, help="articles per language for the tamis/datatrove comparison")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=BENCH / "results" / "dedup")
    ap.add_argument("--skip-datatrove", action="store_true")
    ap.add_argument("--sample", type=int, default=40, help="pairs drawn for the precision check")
    # worker mode (internal)
    ap.add_argument("--worker", choices=["tamis", "datatrove"])
    ap.add_argument("--input")
    ap.add_argument("--output")
    ap.add_argument("--lang")
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--shuffle-seed", type=int, default=None)
    args = ap.parse_args()

    if args.worker:
        result = worker_tamis(args) if args.worker == "tamis" else worker_datatrove(args)
        print(json.dumps(result))
        return

    if not (args.data / "news-vi.jsonl.zst").exists():
        raise SystemExit(f"no data in {args.data} (pass --data)")
    t_start = time.perf_counter()
    dt_docs = args.docs or (1000 if args.quick else 10000)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    dt_python = None if args.skip_datatrove else ensure_datatrove()
    print(f"preparing inputs in {work} ...", flush=True)
    inputs = prepare_inputs(args.data, work, dt_docs)
    paths = inputs["paths"]
    docs = {r["id"]: r for r in inputs["vi"] + inputs["ar"]}
    pairs = silver_pairs(args.data)
    results = {}

    def tamis(name: str, tag: str, shuffle: int | None = None) -> dict:
        out = work / f"tamis-{tag}.jsonl"
        argv = ["--worker", "tamis", "--input", str(paths[name]), "--output", str(out), "--work", str(work / f"t-{tag}")]
        if shuffle is not None:
            argv += ["--shuffle-seed", str(shuffle)]
        r = run_measured(sys.executable, argv)
        r["out"] = str(out)
        held = " (the shuffled input is held in memory)" if shuffle is not None else ""
        print(f"  tamis {tag}: {r['docs']} docs, {fmt_rate(r)} docs/s per core, peak {r['peak_rss_mib']:.0f} MiB{held}", flush=True)
        return r

    print("tamis ...", flush=True)
    for lang in ("vi", "ar"):
        results[f"tamis-{lang}"] = tamis(lang, lang)
    results["tamis-10k"] = tamis("mixed10k", "10k")
    results["tamis-all"] = tamis("all", "all")
    if dt_python:
        print("datatrove ...", flush=True)
        for lang in ("vi", "ar"):
            out = work / f"datatrove-{lang}.jsonl"
            r = run_measured(dt_python, ["--worker", "datatrove", "--input", str(paths[lang]), "--output", str(out),
                                         "--work", str(work / f"d-{lang}"), "--lang", lang])
            r["out"] = str(out)
            results[f"datatrove-{lang}"] = r
            print(f"  datatrove {lang}: {r['docs']} docs, {fmt_rate(r)} docs/s per core, peak {r['peak_rss_mib']:.0f} MiB", flush=True)

    # determinism: same input again, and shuffled
    print("determinism ...", flush=True)
    det_name = "mixed10k" if args.quick else "all"
    base = results["tamis-10k" if args.quick else "tamis-all"]
    again = tamis(det_name, "again")
    shuffled = tamis(det_name, "shuffled", shuffle=7)
    digest = lambda p: hashlib.sha256(Path(p).read_bytes()).hexdigest()  # noqa: E731
    decisions = lambda p: sorted((d["id"], d["keep"], d.get("duplicate_of"), d["cluster_id"], d["cluster_size"], d.get("similarity"))  # noqa: E731
                                 for d in read_jsonl(Path(p)))
    same_bytes = digest(base["out"]) == digest(again["out"])
    same_shuffled = decisions(base["out"]) == decisions(shuffled["out"])

    # recall on silver pairs
    all_dec = list(read_jsonl(Path(results["tamis-all"]["out"])))
    cluster_of = {d["id"]: d["cluster_id"] for d in all_dec}
    rec_all = recall(pairs, cluster_of)
    rec_lang = {lang: recall([p for p in pairs if p["lang"] == lang], cluster_of) for lang in ("vi", "ar")}
    subset_recall = {}
    for lang in ("vi", "ar"):
        universe = {json.loads(line)["id"] for line in open(paths[lang], encoding="utf-8")}
        for tool in ("tamis", "datatrove"):
            key = f"{tool}-{lang}"
            if key in results:
                cl = {d["id"]: d["cluster_id"] for d in read_jsonl(Path(results[key]["out"]))}
                subset_recall[key] = recall(pairs, cl, universe)

    # precision: sample of non-silver pairs, verdicts from the hand-checked file
    sample, n_nonsilver = precision_sample(all_dec, pairs, docs, args.sample)
    write_jsonl(work / "precision_sample.jsonl", sample)
    verdicts = read_verdicts(PRECISION_MD)
    judged = [verdicts[frozenset((s["a_id"], s["b_id"]))] for s in sample if frozenset((s["a_id"], s["b_id"])) in verdicts]
    dropped_pairs = sum(1 for d in all_dec if not d["keep"])

    # repeated lines
    lines_n = 10000 if args.quick else None
    print("repeated lines ...", flush=True)
    vi_top, vi_cpu, vi_flag = top_lines(inputs["vi"][:lines_n], None, 20)
    ar_top, ar_cpu, ar_flag = top_lines(inputs["ar"][:lines_n], "site", 20)

    # --- report ---
    print()
    print(f"# Near-duplicate benchmark ({'quick' if args.quick else 'full'}; one process = one core; rates per CPU second)")
    print()
    print("| run | tool | docs | MB | docs/s per core | MB/s per core | wall s | peak RSS MiB | dropped | clusters |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key, r in results.items():
        mb = r["bytes"] / 1e6
        print(f"| {key.split('-', 1)[1]} | {r['tool']} | {r['docs']:,} | {mb:.1f} | {fmt_rate(r)} | {mb / r['cpu_s']:.2f} | "
              f"{r['wall_s']:.1f} | {r['peak_rss_mib']:.0f} | {r['dropped']:,} | {r['clusters']:,} |")
    if dt_python:
        print()
        for lang in ("vi", "ar"):
            t, d = results[f"tamis-{lang}"], results[f"datatrove-{lang}"]
            ratio = (t["docs"] / t["cpu_s"]) / (d["docs"] / d["cpu_s"])
            print(f"- {lang}: tamis / datatrove throughput per core = {ratio:.1f}x; memory {t['peak_rss_mib']:.0f} vs "
                  f"{d['peak_rss_mib']:.0f} MiB; dropped {t['dropped']} vs {d['dropped']}")
    print()
    t10, tall = results["tamis-10k"], results["tamis-all"]
    print(f"- peak memory, tamis: {t10['peak_rss_mib']:.0f} MiB at {t10['docs']:,} docs, {tall['peak_rss_mib']:.0f} MiB at "
          f"{tall['docs']:,} docs; its state on disk: {tall['index_bytes'] / 1e6:.1f} MB ({tall['index_bytes'] / tall['docs']:.0f} bytes/doc)")
    print(f"- recall on silver pairs (J >= 0.8), all {rec_all[2]:,}: {rec_all[0]:.4f} ({rec_all[1]:,} found); "
          + "; ".join(f"{lang} {r[0]:.4f} ({r[1]}/{r[2]})" for lang, r in rec_lang.items()))
    for key, r in subset_recall.items():
        print(f"- recall on silver pairs inside the {key.split('-')[1]} subset, {key.split('-')[0]}: {r[0]:.4f} ({r[1]}/{r[2]})")
    print(f"- identical output on a second run: {same_bytes}; identical decisions with shuffled input: {same_shuffled}")
    print(f"- precision: {dropped_pairs:,} dropped documents, {n_nonsilver:,} of them paired with their kept copy outside "
          f"the silver list; sample of {len(sample)} in {work / 'precision_sample.jsonl'}")
    if judged:
        p = sum(judged) / len(judged)
        est = (dropped_pairs - n_nonsilver + n_nonsilver * p) / max(dropped_pairs, 1)
        print(f"  hand-checked ({PRECISION_MD.name}): {sum(judged)}/{len(judged)} near-duplicates = {p:.3f}; "
              f"over all dropped pairs (silver pairs counted as correct): ~{est:.3f}")
    else:
        print(f"  no verdicts for this sample in {PRECISION_MD.name} yet")
    for name, top, cpu, flagged, n in (("news-vi (corpus-wide)", vi_top, vi_cpu, vi_flag, len(inputs["vi"][:lines_n])),
                                        ("news-ar (per site)", ar_top, ar_cpu, ar_flag, len(inputs["ar"][:lines_n]))):
        print()
        print(f"## Top repeated lines, {name}: {n:,} docs, 2 passes in {cpu:.1f} CPU s, {flagged:,} docs with a repeated span")
        print()
        for r in top:
            print(f"- {r.count:>5}  {r.site + ': ' if r.site else ''}{r.text}")
    print()
    print(f"total {time.perf_counter() - t_start:.0f} s")
    (work / "results.json").write_text(json.dumps({"runs": results, "recall": rec_all, "recall_by_lang": rec_lang,
                                                   "subset_recall": subset_recall, "deterministic": [same_bytes, same_shuffled]},
                                                  indent=1, default=str))


if __name__ == "__main__":
    main()
