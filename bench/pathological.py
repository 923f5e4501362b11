"""Time the cleaning of pathological documents under the per-document budget.

    python bench/pathological.py [--budget SECONDS] [--profile] [CASE ...]

Cases: line50mb (one 50 MB line of Vietnamese prose), rep1mb-a / rep1mb-nl / rep1mb-space / rep1mb-dot
(1 MB of one repeated character), pattern (a short pattern repeated to 10 MB). Prints, per case, the
outcome (kept / rejected / quarantined by the budget) and the wall time; `--profile` adds the ten
most expensive functions, to see which stage the time goes to.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from tamis.config import load_config
from tamis.document import Document
from tamis.pipeline import Cleaner

_PROSE = "Đà Nẵng mở ba tuyến xe buýt mới phục vụ người dân và du khách trong dịp lễ, theo sở giao thông. "


def _text(case: str) -> str:
    if case == "line50mb":
        n = 50_000_000
        return (_PROSE * (n // len(_PROSE.encode()) + 1))[: n // 1]
    if case.startswith("rep1mb-"):
        ch = {"a": "a", "nl": "\n", "space": " ", "dot": ".", "han": "中"}[case[7:]]
        return ch * 1_000_000
    if case == "pattern":
        return "ab\n" * 3_500_000
    raise SystemExit(f"unknown case {case}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="*", default=["rep1mb-a", "rep1mb-nl", "rep1mb-space", "rep1mb-dot", "line50mb"])
    ap.add_argument("--budget", type=float, default=None, help="run.max_doc_seconds (default: the config's)")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    cfg = load_config()
    if args.budget is not None:
        cfg["run"]["max_doc_seconds"] = args.budget
    cleaner = Cleaner(cfg)
    for case in args.cases:
        text = _text(case)
        prof = cProfile.Profile() if args.profile else None
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        (r,) = cleaner.process([Document(case, text)])
        if prof:
            prof.disable()
        wall = time.perf_counter() - t0
        what = r.kind if r.kind != "quarantined" else f"quarantined ({r.record['error'][:60]})"
        print(f"{case:14s} {len(text.encode()) / 1e6:6.1f} MB  {wall:7.2f} s  budget {cfg['run']['max_doc_seconds']} s  "
              f"{what}", flush=True)
        if prof:
            pstats.Stats(prof).sort_stats("tottime").print_stats(10)


if __name__ == "__main__":
    main()
