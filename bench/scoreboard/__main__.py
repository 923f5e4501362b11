"""python -m bench.scoreboard [--quick] — see bench/README.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from bench.scoreboard import env

REPO = env.REPO
QUICK = {"pages_sample": 0.25, "multi_sample": None, "news_docs": 2000, "mem_sizes": "500,2000"}
FULL = {"pages_sample": None, "multi_sample": None, "news_docs": 10000, "mem_sizes": "5000,20000"}
SECTIONS = ("pages", "news", "lid", "dedup")


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.scoreboard",
                                 description="tamis against peers on the shared evaluation data (one table).")
    ap.add_argument("--quick", action="store_true", help="a few minutes on 2 cores: page sample, 2,000 news docs")
    ap.add_argument("--sections", default=",".join(SECTIONS), help=f"comma list of {', '.join(SECTIONS)}")
    ap.add_argument("--jobs", type=int, default=2, help="processes for the page cleaners and tamis on pages (default 2); "
                    "news throughput always runs one process")
    ap.add_argument("--pages-sample", type=float, help="share of pages-dev pages per (source, lang) (quick 0.25, full 1)")
    ap.add_argument("--news-docs", type=int, help="first N documents of news-vi / news-ar (quick 2000, full 10000)")
    ap.add_argument("--mem-sizes", help="tamis runs on news-vi at these sizes for peak RSS (quick 500,2000; full 5000,20000)")
    ap.add_argument("--tamis-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for every `tamis clean` (repeatable), e.g. --tamis-arg=--no-dedup")
    ap.add_argument("--docs", type=Path, help="also write the markdown table here (e.g. docs/scoreboard.md)")
    ap.add_argument("--results-dir", type=Path, default=REPO / "bench" / "results")
    ap.add_argument("--keep-work", action="store_true", help="keep the temporary inputs/outputs under RESULTS/work-*")
    ap.add_argument("--render", type=Path, metavar="JSON",
                    help="only re-render a saved bench/results/*.json (with this code's peer notes) to stdout / --docs")
    ap.add_argument("--no-venv", action="store_true", help="run in this interpreter (tools must be importable)")
    ap.add_argument("--reinstall", action="store_true", help="redo the venv installs")
    return ap.parse_args(argv)


def machine() -> dict:
    model, ram = "unknown CPU", None
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                ram = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {"cpu_model": model, "cores": os.cpu_count(), "cores_usable": usable, "ram_gb": ram,
            "python": platform.python_version(), "platform": platform.platform(terse=True),
            "loadavg": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, cwd=REPO).stdout.strip()
        return f"{head}{' + uncommitted changes' if dirty else ''}"
    except OSError:
        return "unknown"


def versions() -> dict:
    out = {}
    for dist in ("tamis", "datatrove", "jusText", "trafilatura", "spacy", "pyvi"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def line_model_info() -> dict:
    """What the packaged tamis line model says about its training data and cross-validation."""
    try:
        from importlib import resources

        spec = json.loads(resources.files("tamis").joinpath("data/line_model.json").read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - informative only
        return {"error": f"{type(exc).__name__}: {exc}"}
    training, report = spec.get("training") or {}, spec.get("report") or {}
    return {"data": training.get("data") or [], "pages": training.get("pages"),
            "labelled_lines": training.get("labelled_lines"), "folds": training.get("folds"),
            "threshold": spec.get("threshold"), "cv": report.get("cv") or {}, "held_out": report.get("held_out") or {}}


def tamis_problem(work_dir: Path, extra_args: list[str]) -> str:
    """'' when `tamis clean` runs here, else why not: a smoke run on two made-up documents."""
    p = subprocess.run([sys.executable, "-c", "import tamis.cli, tamis.pipeline, tamis.run.local"],
                       capture_output=True, text=True, cwd=REPO)
    if p.returncode != 0:
        lines = [x for x in p.stderr.strip().splitlines() if x.strip()]
        return "does not import yet: " + (lines[-1] if lines else f"exit {p.returncode}")
    smoke = work_dir / "smoke"
    smoke.mkdir(parents=True, exist_ok=True)
    docs = [{"id": "smoke-1", "text": "Home | News | Sport\nThe council met on Monday to discuss the new bridge. "
             "Members agreed that the work should start in the spring.\nShare this article"},
            {"id": "smoke-2", "text": "Một đoạn văn ngắn về thời tiết hôm nay. Trời nắng và có gió nhẹ."}]
    (smoke / "in.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "tamis", "clean", str(smoke / "in.jsonl"), "-o", str(smoke / "out"),
                        "--workers", "1", "--no-progress", *extra_args], capture_output=True, text=True, cwd=REPO)
    if p.returncode != 0:
        lines = [x for x in p.stderr.strip().splitlines() if x.strip()]
        return f"`tamis clean` fails (exit {p.returncode}): " + (lines[-1] if lines else "")
    return ""


PEER_NOTES_LINES = (
    "keep everything = the input text unchanged. jusText 3.0.2: each line becomes one `<p>` of a minimal HTML "
    "document (HTML-escaped), default parameters, stop list of the page's language (ISO code mapped to jusText's "
    "name); pages in a language without a jusText stop list (zh, ja here) use its language-independent mode (empty "
    "stop list, stopwords_low = stopwords_high = 0). trafilatura 2.3.1 works on HTML: the same `<p>` document is "
    "given to `trafilatura.extract` (defaults: fallback extractors on, txt output) and to `trafilatura.baseline` "
    "(which on this input returns nearly every paragraph, de-duplicated). tamis = `tamis clean --workers N` on the "
    "pages as JSONL (`id`, `text`), with its default config.")

CAVEATS = [
    "datatrove 0.10.1 FineWeb-2 chain = GopherRepetitionFilter → FineWebQualityFilter → GopherQualityFilter with "
    "the published vie_Latn / arb_Arab thresholds, mapped as in huggingface/fineweb-2 `fineweb-2-pipeline.py` "
    "(step 5): dup_line_frac, top_n_grams, dup_n_grams → GopherRepetitionFilter (dup_para_frac, dup_line_char_frac, "
    "dup_para_char_frac = 0); line_punct_thr, new_line_ratio → FineWebQualityFilter (short_line_thr = 999, "
    "char_duplicates_ratio = 0.1); min/max_avg_word_length, max_non_alpha_words_ratio, stopwords → "
    "GopherQualityFilter (min_stop_words = 2, other arguments default, e.g. min_doc_words = 50). Word tokenizers: "
    "spaCy blank `vi` (pyvi) and `ar`, as datatrove assigns them.",
    "Skipped: FineWeb-2's `language_score` threshold (0.802 vi, 0.711 ar) — it filters on GlotLID scores from "
    "LanguageFilter(backend='glotlid'), whose model is a download at run time, and nothing may download models. "
    "The chain's kept share is therefore an upper bound of FineWeb-2's own.",
    "datatrove's input lines are stripped of outer whitespace by its reader (FineWeb-2 runs these filters on "
    "trafilatura output, whose lines carry none); tamis gets the raw text. On the raw news-ar text, where about half "
    "the lines end in a space, FineWebQualityFilter's line_punct_ratio alone would reject 5,093 of the first 10,000 "
    "articles (518 with stripped lines). With stripping the chain drops 27% (vi) and 12% (ar) of the first 10k "
    "(reference 26% and 16%; how the reference fed the text is not known).",
    "Not run: FineWeb-2's MinHash dedup and its URL/Trafilatura/C4 steps (different stages; dedup is section 5, "
    "where bench/dedup_bench.py runs datatrove's MinHash in the full mode only: the quick mode passes "
    "--skip-datatrove).",
    "jusText has no Chinese or Japanese stop list: those pages (pages-dev zh/ja, pages-multi-dev zh) use its "
    "language-independent mode; every other language of the data has a stop list (vi, ar, fa, hi, ur, ru included).",
    "trafilatura is an HTML extractor; on already-extracted plain text its structure cues (tags, link density, "
    "classes) are gone, so its numbers here measure the text heuristics only.",
    "Labels are silver (WCXB, pages-multi-dev) or sparse gold (trafilatura pages); see ../shared/README.md. "
    "No text of the evaluation data is copied here: aggregate numbers only.",
]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.render:
        from bench.scoreboard.report import render

        rep = json.loads(args.render.read_text(encoding="utf-8"))
        rep["peer_notes"] = {"lines": PEER_NOTES_LINES, "caveats": CAVEATS}
        md = render(rep)
        if args.docs:
            args.docs.write_text(md, encoding="utf-8")
        print(md)
        return 0
    if not args.no_venv and not env.in_venv():
        env.ensure_venv(force=args.reinstall)
        env.reexec_in_venv(argv)  # does not return
    t_start = time.perf_counter()
    mode = "quick" if args.quick else "full"
    preset = QUICK if args.quick else FULL
    pages_sample = args.pages_sample if args.pages_sample is not None else preset["pages_sample"]
    news_docs = args.news_docs or preset["news_docs"]
    mem_sizes = [int(x) for x in (args.mem_sizes or preset["mem_sizes"]).split(",") if x]
    sections = [s for s in args.sections.split(",") if s]
    command = os.environ.get("TAMIS_SCOREBOARD_OUTER_COMMAND") or " ".join(["python", "-m", "bench.scoreboard", *argv])

    from bench.scoreboard.hooks import run_dedup, run_lid, run_pages_cv
    from bench.scoreboard.news import run_news
    from bench.scoreboard.pages import run_page_set

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    results_dir = args.results_dir
    work_dir = results_dir / f"work-{mode}-{stamp}"
    work_dir.mkdir(parents=True, exist_ok=True)
    # pip byte-compiles a package it installs (the peers); an editable install is compiled on first
    # import, and not at all where PYTHONDONTWRITEBYTECODE is set: compile tamis once here so that no
    # timed run pays for it.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "src" / "tamis")], check=False)
    problem = tamis_problem(work_dir, args.tamis_arg)
    state = json.loads(env.MARKER.read_text()) if env.MARKER.exists() else {}
    if state and not state.get("tamis_ok", True):
        problem = "did not install in the venv: " + state.get("tamis_error", "")[-300:]
    with_tamis = not problem
    print(f"[scoreboard] {mode} mode; tamis {'ok' if with_tamis else problem}", file=sys.stderr, flush=True)

    rep: dict = {"mode": mode, "command": command, "machine": machine(), "date": dt.datetime.now().isoformat(timespec="seconds"),
                 "git": git_state(), "versions": versions(), "tamis_status": problem, "timings": {},
                 "settings": {"tamis_args": args.tamis_arg, "pages_sample": pages_sample, "news_docs": news_docs, "mem_sizes": mem_sizes, "jobs": args.jobs},
                 "pages": {}, "peer_notes": {"lines": PEER_NOTES_LINES, "caveats": CAVEATS}}

    def timed(name: str, fn):
        t0 = time.perf_counter()
        print(f"[scoreboard] {name} ...", file=sys.stderr, flush=True)
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - a failed section is reported, the others still run
            import traceback

            traceback.print_exc()
            return {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            rep["timings"][name] = round(time.perf_counter() - t0, 1)
            print(f"[scoreboard] {name} done in {rep['timings'][name]:.0f} s", file=sys.stderr, flush=True)

    if with_tamis and not any(a.startswith("--config") or a == "-c" for a in args.tamis_arg):
        rep["tamis_line_model"] = line_model_info()
    tools = ["keep everything", "jusText", "trafilatura extract", "trafilatura baseline"]
    if "pages" in sections:
        for name, sample in (("pages-dev", pages_sample), ("pages-multi-dev", preset["multi_sample"])):
            res = timed(name, lambda: run_page_set(name, sample, tools, args.jobs, work_dir, with_tamis,
                                                          args.tamis_arg))
            if "tools" in res:
                for r in res["tools"].values():
                    if "scores" in r:
                        r["groups"] = r.pop("scores").to_json()
            rep["pages"][name] = res
        # Out-of-fold whole-pipeline F1 needs the line model retrained per fold: full mode only.
        if with_tamis and not args.quick and "tamis_line_model" in rep:
            rep["pages_cv"] = timed("pages-cv", lambda: run_pages_cv(work_dir, args.jobs))
    if "news" in sections:
        rep["news"] = timed("news", lambda: run_news(["vi", "ar"], news_docs, mem_sizes, work_dir, with_tamis, True,
                                                    args.tamis_arg))
        if "error" in rep["news"]:
            rep["news_error"] = rep.pop("news")["error"]
    if "lid" in sections:
        rep["lid"] = timed("lid", lambda: run_lid(args.quick, work_dir))
    if "dedup" in sections:
        rep["dedup"] = timed("dedup", lambda: run_dedup(args.quick, work_dir))
    rep["timings"]["total_s"] = round(time.perf_counter() - t_start, 1)

    from bench.scoreboard.report import render

    md = render(rep)
    results_dir.mkdir(parents=True, exist_ok=True)
    for suffix, text in (("md", md), ("json", json.dumps(rep, indent=1, ensure_ascii=False, default=str))):
        (results_dir / f"scoreboard-{mode}-{stamp}.{suffix}").write_text(text, encoding="utf-8")
        (results_dir / f"latest-{mode}.{suffix}").write_text(text, encoding="utf-8")
    if args.docs:
        args.docs.write_text(md, encoding="utf-8")
    if not args.keep_work:
        shutil.rmtree(work_dir, ignore_errors=True)
    print(md)
    print(f"[scoreboard] written {results_dir / f'scoreboard-{mode}-{stamp}.md'} and .json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
