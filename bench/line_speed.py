#!/usr/bin/env python
"""Time line cleaning per document: line features + model scoring + decide_lines, as one pass of
`Cleaner._line_signals` does it (paragraph language ID excluded), one document at a time and, as
`Cleaner.process` does the first pass, for batches of 64 documents at once.

    python bench/line_speed.py [--docs 2000] [--corpus news-vi|news-ar]

Reads the first N records of ../shared/data/<corpus>.jsonl.zst (evaluation data; nothing is
written). CPU time of one process, best of 5 repetitions, so that neighbours on a shared machine
disturb it less.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tamis.config import load_config  # noqa: E402
from tamis.io import read_records  # noqa: E402
from tamis.policy.lines import LineSignals, decide_lines  # noqa: E402
from tamis.segment.lines import split_lines  # noqa: E402
from tamis.segment.words import count_words  # noqa: E402
from tamis.signals.line_features import line_features, line_features_many  # noqa: E402
from tamis.signals.line_model import LineModel  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--corpus", default="news-vi")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    records = read_records(str(args.shared / "data" / f"{args.corpus}.jsonl.zst"))
    texts = [r["text"] for r in itertools.islice(records, args.docs)]
    lang = args.corpus.rsplit("-", 1)[-1]
    cfg = load_config()["policy"]["lines"]
    model = LineModel.load()
    docs = []
    for t in texts:
        lines = split_lines(t)[0]
        docs.append((lines, [count_words(x) for x in lines]))

    def features() -> None:
        for lines, _ in docs:
            line_features(lines, lang)

    matrices = [line_features(lines, lang) for lines, _ in docs]

    def scoring() -> None:
        for X in matrices:
            model.score(X)

    def everything() -> None:
        for lines, words in docs:
            scores = model.score(line_features(lines, lang)).tolist()
            n = len(lines)
            sig = LineSignals([round(s, 4) for s in scores], [""] * n, [0.0] * n, words)
            decide_lines(lines, sig, lang, cfg, model.threshold)

    def batched() -> None:
        for i in range(0, len(docs), 64):
            group = [lines for lines, _ in docs[i : i + 64]]
            model.score(line_features_many(group, lang), [len(g) for g in group])

    def best(fn) -> float:
        runs = []
        for _ in range(5):
            t0 = time.process_time()
            fn()
            runs.append(time.process_time() - t0)
        return min(runs) / len(docs) * 1e3

    n_lines = sum(len(d[0]) for d in docs) / len(docs)
    chars = sum(map(len, texts)) / len(texts)
    print(f"{args.corpus}: {len(docs)} documents, {n_lines:.1f} lines and {chars:,.0f} characters each")
    print(f"features + scoring + decide_lines {best(everything):.3f} ms/doc "
          f"(features {best(features):.3f}, scoring {best(scoring):.3f}); "
          f"features + scoring in batches of 64 documents {best(batched):.3f}")


if __name__ == "__main__":
    main()
