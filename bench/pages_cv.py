#!/usr/bin/env python
"""Content-line F1 of the whole tamis pipeline on the line-labelled pages, cross-validated.

The packaged line model was trained on every labelled page of pages-dev and pages-multi-dev, so
`tamis clean` on those pages is scored in-sample. This script retrains the line model per fold
exactly as tools/train_line_model.py does (same data, settings and site-grouped folds), then runs
`tamis clean` on each fold's pages with the model that never saw them or any page of their sites,
every other setting at its default (document rules, repeats, other-language paragraphs, the corpus
stage), and scores the outputs the way the scoreboard does (bench/scoreboard/metrics.py).

    python bench/pages_cv.py                  # all pages, about 10 minutes on 2 cores
    python bench/pages_cv.py --quick          # a quarter of the pages (fewer training lines too)
    python bench/pages_cv.py --json cv.json   # also write the per-group numbers

Needs lightgbm (the trainer's dependency) and ../shared/data. One caveat is the trainer's own: a
fold's second stage trains on the other pages' out-of-fold first-stage scores, whose models saw
the held-out pages (a second-order leak the held-out pages' own scores do not have).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]

import train_line_model as T  # noqa: E402

from bench.scoreboard.data import data_dir, load_pages, write_jsonl_zst  # noqa: E402
from bench.scoreboard.pages import score_pages  # noqa: E402
from bench.scoreboard.tamis_out import read_outputs, tamis_clean  # noqa: E402

PAGE_SETS = ("pages-dev", "pages-multi-dev")


def fold_models(shared: Path, fraction: float, work: Path) -> tuple[dict[str, int], list[Path]]:
    """Train the two-stage model once per fold; (fold of every page id, model file per fold)."""
    pages = T.load_pages(shared, fraction) + T.load_synth(shared, round(T.SYNTH_PAGES * fraction))
    m = T.featurise(pages)
    print(f"{len(pages)} pages, {len(m.y)} lines featurised", file=sys.stderr, flush=True)
    cv = T.cross_validate(m, pages)
    scored = (m.y >= 0) & (np.array([p.source for p in pages])[m.page] != "synth")
    threshold = T.best_threshold(m.y[scored], cv.p2[scored])  # the trainer's choice, from the same folds
    paths = []
    for k, (stage1, stage2) in enumerate(cv.models):
        path = work / f"line-model-fold{k}.json"
        path.write_text(json.dumps(T.model_spec(stage1, stage2, threshold)), encoding="utf-8")
        paths.append(path)
    return {p.id: int(cv.fold[i]) for i, p in enumerate(pages) if p.source != "synth"}, paths


def clean_fold(pages: list[dict], model: Path, work: Path, name: str, workers: int) -> dict[str, str | None]:
    """`tamis clean` with this fold's line model; the kept text of each page (None: rejected)."""
    src, out, cfg = work / f"{name}.jsonl.zst", work / f"{name}-out", work / f"{name}.yaml"
    write_jsonl_zst(src, ({"id": p["id"], "text": p["text"]} for p in pages))
    cfg.write_text(f"lines:\n  model: {json.dumps(str(model))}\n", encoding="utf-8")
    run = tamis_clean([src], out, workers, work / "logs", name, ["--config", str(cfg)])
    if run.rc != 0:
        raise RuntimeError(f"tamis clean exited with {run.rc}: {run.stderr_tail[-800:]}")
    kept = read_outputs(out)["kept"]
    shutil.rmtree(out, ignore_errors=True)
    return {p["id"]: kept[p["id"]]["text"] if p["id"] in kept else None for p in pages}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=data_dir().parent,
                    help="the folder holding data/ (default: $TAMIS_SHARED_DATA/.., else ../shared)")
    ap.add_argument("--quick", action="store_true", help="a quarter of the pages")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", type=Path, help="write the per-group numbers here")
    args = ap.parse_args(argv)
    t0 = time.time()
    fraction = 0.25 if args.quick else 1.0
    with tempfile.TemporaryDirectory(prefix="tamis-pages-cv-") as tmp:
        work = Path(tmp)
        fold_of, models = fold_models(args.shared, fraction, work)
        train_s = time.time() - t0
        result = {"mode": "quick" if args.quick else "full", "folds": len(models), "sets": {}}
        for set_name in PAGE_SETS:
            if not (args.shared / "data" / f"{set_name}.jsonl.zst").exists():
                continue
            pages = [p for p in load_pages(set_name, None, data=args.shared / "data") if p["id"] in fold_of]
            text: dict[str, str | None] = {}
            for k, model in enumerate(models):
                part = [p for p in pages if fold_of[p["id"]] == k]
                if part:
                    text.update(clean_fold(part, model, work, f"{set_name}-fold{k}", args.workers))
            scores = score_pages(pages, [text[p["id"]] for p in pages]).to_json()
            result["sets"][set_name] = {"pages": len(pages), "groups": scores,
                                        "pages_rejected": sum(1 for p in pages if text[p["id"]] is None)}
            g = scores["all"]
            print(f"{set_name}: {len(pages)} pages, content-line F1 {g['f1']:.3f} "
                  f"(P {g['precision']:.3f}, R {g['recall']:.3f}), out of fold", flush=True)
            for key in sorted(k for k in scores if k.count("/") == 1):  # source/x, lang/x
                s = scores[key]
                if s["tp"] + s["fn"] >= 100 and s["f1"] is not None:
                    print(f"  {key:24s} F1 {s['f1']:.3f} (P {s['precision'] or 0:.3f}, R {s['recall']:.3f})")
    result["seconds"] = {"training": round(train_s), "total": round(time.time() - t0)}
    print(f"done in {time.time() - t0:.0f} s (training {train_s:.0f} s)", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
