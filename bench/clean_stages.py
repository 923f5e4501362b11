"""Where `tamis clean` spends its CPU time, stage by stage, without a profiler's overhead.

    python bench/clean_stages.py INPUT.jsonl [--docs N] [--lang-field-free]

Runs Cleaner.process over the documents in-process and reports CPU seconds (time.process_time) per
stage, inclusive (a stage nested in another is counted in both), and docs per CPU-second. Wraps the
functions the pipeline calls, so it measures the code as it is, whatever it is.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict

_t0 = time.process_time()

import tamis.pipeline as P  # noqa: E402
from tamis.config import load_config  # noqa: E402
from tamis.document import Document  # noqa: E402

_import_s = time.process_time() - _t0
TOTALS: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def _wrap(owner, name: str, label: str) -> None:
    fn = getattr(owner, name, None)
    if fn is None:
        return
    clock = time.process_time

    def timed(*a, **k):
        t = clock()
        try:
            return fn(*a, **k)
        finally:
            TOTALS[label] += clock() - t
            CALLS[label] += 1

    setattr(owner, name, timed)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("--docs", type=int, default=2000)
    args = ap.parse_args()
    docs = []
    with open(args.input, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= args.docs:
                break
            d = json.loads(line)
            docs.append(Document(id=str(d.get("id", i)), text=d["text"]))
    t = time.process_time()
    cleaner = P.Cleaner(load_config())
    load_s = time.process_time() - t
    lid = cleaner.langid
    for name in ("identify", "identify_paragraphs", "_predictions"):
        _wrap(lid, name, f"langid.{name}")
    _wrap(lid, "_predict", "fasttext predict (C++)")
    _wrap(cleaner.line_model, "score", "line_model.score")
    for name, label in (("normalize_text", "normalize"), ("split_lines", "split_lines"),
                        ("count_words", "count_words"), ("line_features", "line_features"),
                        ("decide_lines", "decide_lines"), ("document_signals", "document_signals"),
                        ("rules_for", "rules_for"), ("check_document", "check_document"),
                        ("compose_edits", "compose_edits"), ("removal_spans", "removal_spans"),
                        ("decide", "decide")):
        _wrap(P, name, label)
    _wrap(P.Cleaner, "compute_signals", "compute_signals")
    _wrap(P.Cleaner, "_line_signals", "Cleaner._line_signals")
    t = time.process_time()
    for k in range(0, len(docs), 64):
        cleaner.process(docs[k : k + 64])
    total = time.process_time() - t
    n = len(docs)
    print(f"{n} docs, {sum(len(d.text) for d in docs) / n:.0f} chars/doc; imports {_import_s:.2f} s, "
          f"models {load_s:.2f} s, process {total:.2f} s CPU = {n / total:.0f} docs/s "
          f"({1000 * total / n:.2f} ms/doc)")
    for label, s in sorted(TOTALS.items(), key=lambda kv: -kv[1]):
        print(f"  {label:28s} {s:7.2f} s  {100 * s / total:5.1f}%  {CALLS[label] / n:6.2f} calls/doc")


if __name__ == "__main__":
    sys.exit(main())
