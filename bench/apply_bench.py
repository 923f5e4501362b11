"""How much faster `tamis apply` re-decides a run than `tamis clean` makes it, and what the
document signals cost.

    python bench/apply_bench.py [--docs 2000] [CORPUS.jsonl.zst ...]

Default corpora: the first N documents of ../shared/data/news-vi.jsonl.zst and news-ar (skipped
with a message when absent). For each corpus: `tamis clean` (one process), then `tamis apply` of
the packaged policy on its output (one process), both timed end to end in this process (model
loading included); apply must reproduce clean's kept/ and rejected/ shards byte for byte. Then
`document_signals` alone, timed per document of about 3 KB (best of 5 passes, CPU time).
Prints docs/s of clean and apply and their ratio, and µs per document for the signals.
"""

from __future__ import annotations

import argparse
import filecmp
import itertools
import json
import os
import sys
import tempfile
import time

import zstandard

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")
DEFAULT_CORPORA = [os.path.join(SHARED, "news-vi.jsonl.zst"), os.path.join(SHARED, "news-ar.jsonl.zst")]


def first_docs(path: str, n: int) -> list[dict]:
    from tamis.io import read_records

    return list(itertools.islice(read_records(path), n))


def write_jsonl_zst(path: str, docs: list[dict]) -> None:
    data = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode("utf-8")
    with open(path, "wb") as fh:
        fh.write(zstandard.ZstdCompressor(level=3).compress(data))


def same_shards(a: str, b: str) -> bool:
    for part in ("kept", "rejected"):
        names_a = sorted(os.listdir(os.path.join(a, part)))
        names_b = sorted(os.listdir(os.path.join(b, part)))
        if names_a != names_b:
            return False
        match, mismatch, errors = filecmp.cmpfiles(os.path.join(a, part), os.path.join(b, part), names_a, shallow=False)
        if mismatch or errors:
            return False
    return True


def signals_us_per_doc(docs: list[dict], lang: str) -> tuple[float, int]:
    from tamis.signals.document import document_signals

    texts = [d["text"] for d in docs if 2500 <= len(d.get("text") or "") <= 3500][:200]
    if not texts:
        return float("nan"), 0
    for t in texts[:5]:
        document_signals(t, len(t), 2, 2, 0.99, lang)  # tables and language data load once
    best = float("inf")
    for _ in range(5):
        t0 = time.process_time()
        for t in texts:
            document_signals(t, len(t), 2, 2, 0.99, lang)
        best = min(best, (time.process_time() - t0) / len(texts))
    return best * 1e6, len(texts)


def reference_us() -> float:
    """CPU time of a fixed pure-Python loop, to compare timings across machines."""
    best = float("inf")
    for _ in range(5):
        t0 = time.process_time()
        sum(range(100_000))
        best = min(best, time.process_time() - t0)
    return best * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpora", nargs="*", default=DEFAULT_CORPORA, help="JSONL.zst corpora with id/text fields")
    ap.add_argument("--docs", type=int, default=2000, help="first N documents of each corpus (default 2000)")
    ap.add_argument("--keep", metavar="DIR", help="keep the runs in DIR instead of a temporary folder")
    args = ap.parse_args()

    from tamis.commands.apply import run_apply
    from tamis.config import load_config
    from tamis.run.local import RunOptions, run_clean

    present = [c for c in args.corpora if os.path.exists(c)]
    for c in args.corpora:
        if c not in present:
            print(f"skipped {c}: not found")
    if not present:
        print("no corpus available: nothing measured")
        return 0
    cfg = load_config()
    work = args.keep or tempfile.mkdtemp(prefix="tamis-apply-bench-")
    os.makedirs(work, exist_ok=True)
    print(f"reference loop sum(range(100000)): {reference_us():.0f} µs CPU on this machine")
    print(f"{'corpus':14s} {'docs':>6s} {'clean docs/s':>13s} {'apply docs/s':>13s} {'speed-up':>9s} "
          f"{'identical':>9s} {'signals µs/doc':>15s}")
    ok = True
    for corpus in present:
        name = os.path.basename(corpus).split(".")[0]
        docs = first_docs(corpus, args.docs)
        src = os.path.join(work, f"{name}.jsonl.zst")
        write_jsonl_zst(src, docs)
        out, out2 = os.path.join(work, f"{name}-clean"), os.path.join(work, f"{name}-apply")
        t0 = time.perf_counter()
        run_clean([src], out, cfg, RunOptions(workers=1, progress=False))
        clean_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_apply(out, out2, cfg)
        apply_s = time.perf_counter() - t0
        same = same_shards(out, out2)
        ok &= same
        lang = docs[0].get("lang") or "und"
        us, n = signals_us_per_doc(docs, lang)
        print(f"{name:14s} {len(docs):6d} {len(docs) / clean_s:13.0f} {len(docs) / apply_s:13.0f} "
              f"{clean_s / apply_s:8.1f}x {'yes' if same else 'NO':>9s} {us:11.0f} ({n})")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
