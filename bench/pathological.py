"""Time the cleaning of pathological documents under the per-document budget.

    python bench/pathological.py [--budget SECONDS] [--profile] [CASE ...]

    python bench/pathological.py --scaling [--size CHARS]

Cases: line50mb (one 50 MB line of Vietnamese prose), rep1mb-a / rep1mb-nl / rep1mb-space / rep1mb-dot
(1 MB of one repeated character), pattern (a short pattern repeated to 10 MB). Prints, per case, the
outcome (kept / rejected / quarantined by the budget) and the wall time; `--profile` adds the ten
most expensive functions, to see which stage the time goes to.

`--scaling` cleans adversarial shapes (runs of one character, repeated short patterns, punctuation
runs inside a line, mojibake, entities, unspaced scripts) at SIZE and 4 x SIZE characters, without a
budget, and prints the ratio of the times: about 4 is linear, 16 quadratic.
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


SHAPES = {
    "a-run": lambda n: "a" * n,
    "newlines": lambda n: "\n" * n,
    "spaces": lambda n: "x" + " " * n + "x",
    "punct-in-line": lambda n: "Tin nóng " + "!" * n + " nhất",
    "punct-space": lambda n: "a " + "! " * (n // 2) + "a",
    "ab-lines": lambda n: "ab\n" * (n // 3),
    "entities": lambda n: "&amp;" * (n // 5),
    "mojibake": lambda n: "cafÃ© " * (n // 6),
    "han": lambda n: "中" * n,
    "mixed-script": lambda n: "aб中ا" * (n // 4),
    "digits": lambda n: "1" * n,
    "cr": lambda n: "\r" * n,
    "controls": lambda n: "\x00\x07" * (n // 2),
    "prose-line": lambda n: (_PROSE * (n // len(_PROSE) + 1))[:n],
    "short-lines": lambda n: "Trang chủ\n" * (n // 10),
}


def scaling(size: int) -> None:
    cfg = load_config()
    cfg["run"]["max_doc_seconds"] = None
    cleaner = Cleaner(cfg)
    cleaner.process([Document("warm", _PROSE)])
    print(f"{'shape':14s} {'t(n)':>8s} {'t(4n)':>8s}  ratio   (n = {size} characters)")
    for name, make in SHAPES.items():
        times = []
        for n in (size, 4 * size):
            text = make(n)
            t0 = time.perf_counter()
            cleaner.process([Document(name, text)])
            times.append(time.perf_counter() - t0)
        print(f"{name:14s} {times[0]:8.3f} {times[1]:8.3f}  {times[1] / max(times[0], 1e-6):5.1f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scaling", action="store_true", help="time shapes at SIZE and 4 x SIZE characters")
    ap.add_argument("--size", type=int, default=50_000)
    ap.add_argument("cases", nargs="*", default=["rep1mb-a", "rep1mb-nl", "rep1mb-space", "rep1mb-dot", "line50mb"])
    ap.add_argument("--budget", type=float, default=None, help="run.max_doc_seconds (default: the config's)")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    if args.scaling:
        scaling(args.size)
        return
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
