#!/usr/bin/env python
"""Train the line content/boilerplate scorer and report grouped cross-validation.

Reads the line-labelled development pages (../shared/data/pages-dev.jsonl.zst and
pages-multi-dev.jsonl.zst, relative to the repository), computes `line_features` for every page,
cross-validates with folds grouped by site (no page, nor any other page of its site, contributes lines
to both sides), reports F1
with content as the positive class per source and per language, runs leave-one-language-out and
leave-one-source-out checks for the non-English material, then trains on every labelled line and
writes src/tamis/data/line_model.json (weights, feature names and settings; no text from the pages).

    python tools/train_line_model.py                 # full report + model
    python tools/train_line_model.py --quick         # 1/4 of the pages, no model written
    python tools/train_line_model.py --no-loo        # skip the leave-one-group-out runs

Deterministic: fixed seeds, fold = hash of the page's site, LightGBM in deterministic mode.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tamis.signals.line_features import FEATURE_NAMES, line_features  # noqa: E402
from tamis.signals.line_model import STACK_NAMES, stack_features  # noqa: E402

SHARED = ROOT.parent / "shared"
PAGE_FILES = ("data/pages-dev.jsonl.zst", "data/pages-multi-dev.jsonl.zst")
OUT = ROOT / "src/tamis/data/line_model.json"
LABELS = {"content": 1, "boilerplate": 0}  # "title" and "unknown" lines are not scored
# A line equal to the page title is neither content nor boilerplate in the labels (WCXB leaves the
# title out of its main text) and is not scored, but an article's title belongs to the cleaned text:
# it is trained as content, with this weight.
TITLE_WEIGHT = 0.5
# Synthetic Vietnamese/Arabic news and encyclopedia pages (tools/synth_pages.py): real article
# bodies from news-vi / news-ar in generated page noise. Per language; training weight per line.
SYNTH_PAGES = 400
SYNTH_WEIGHT = 1.0
SEED = 20241123
N_FOLDS = 5
LANG_DROPOUT = 0.2  # share of training pages featurised as if the language were unknown
# Training weight of WCXB page types whose "main content" is a list of teasers or products. Their
# annotation keeps exactly the lines that are boilerplate on an article page (teaser lists), which
# teaches the model to keep related-article blocks whenever a page has little prose.
PAGE_TYPE_WEIGHT = {"listing": 0.0, "collection": 0.0}
# Tree ensembles: depth-limited so that numpy inference is a fixed number of lock-step levels.
_COMMON = {
    "objective": "binary",
    "max_depth": 6,
    "num_leaves": 40,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.5,
    "bagging_fraction": 0.5,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_bin": 63,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
    "seed": SEED,
    "verbosity": -1,
}
STAGE1 = {**_COMMON, "learning_rate": 0.1}
STAGE1_TREES = 150
STAGE2 = {**_COMMON, "learning_rate": 0.08}
STAGE2_TREES = 200


@dataclass
class Page:
    id: str
    site: str  # host name of the page's URL (the page id when unknown): folds never split a site
    source: str
    lang: str
    page_type: str  # WCXB's page type ("article", "listing", ...); "" when not given
    lines: list[str]
    labels: np.ndarray  # int8: 1 content, 0 boilerplate, -1 not scored
    title: np.ndarray | None = None  # bool: the line is the page title (not scored, trained as content)


def load_pages(shared: Path, fraction: float = 1.0) -> list[Page]:
    from tamis.io import read_records

    pages = []
    for name in PAGE_FILES:
        for rec in read_records(str(shared / name)):
            if fraction < 1.0 and _unit_hash(rec["id"], "subsample") >= fraction:
                continue
            labels = np.array([LABELS.get(l["label"], -1) for l in rec["lines"]], dtype=np.int8)
            title = np.array([l["label"] == "title" for l in rec["lines"]])
            site = urlsplit(rec.get("url") or "").netloc.lower().removeprefix("www.") or rec["id"]
            pages.append(Page(rec["id"], site, rec["source"], rec["lang"], rec.get("page_type") or "",
                              [l["text"] for l in rec["lines"]], labels, title))
    return pages


def load_synth(shared: Path, per_lang: int) -> list[Page]:
    """Synthetic vi/ar pages (training only: never reported with the real pages)."""
    from synth_pages import synth_pages

    return [Page(p.id, p.id, "synth", p.lang, "synth", p.lines, np.array(p.labels, dtype=np.int8))
            for p in synth_pages(shared, per_lang=per_lang)]


def _unit_hash(key: str, salt: str) -> float:
    """A stable number in [0, 1) per key (fold assignment, subsampling, language dropout)."""
    digest = hashlib.blake2b(f"{salt}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass
class Matrix:
    """Every line of every page that has a scored line (context needs the unscored lines too)."""

    X: np.ndarray  # features computed with the page language
    X_nolang: np.ndarray  # the same lines featurised with lang=None
    y: np.ndarray  # 1 content, 0 boilerplate, -1 not scored (title, unknown)
    y_train: np.ndarray  # y, with title lines as content
    page: np.ndarray  # index into pages, per row
    bounds: list[tuple[int, int, int]]  # (page index, first row, end row)


def featurise(pages: list[Page]) -> Matrix:
    xs, xn, ys, yt, pg, bounds = [], [], [], [], [], []
    at = 0
    for i, p in enumerate(pages):
        if not (p.labels >= 0).any():
            continue
        xs.append(line_features(p.lines, p.lang))
        xn.append(line_features(p.lines, None))
        ys.append(p.labels)
        yt.append(np.where(p.title, 1, p.labels) if p.title is not None else p.labels)
        pg.append(np.full(len(p.lines), i, dtype=np.int32))
        bounds.append((i, at, at + len(p.lines)))
        at += len(p.lines)
    return Matrix(np.concatenate(xs), np.concatenate(xn), np.concatenate(ys).astype(np.float32),
                  np.concatenate(yt).astype(np.float32), np.concatenate(pg), bounds)


def page_flags(pages: list[Page], salt: str, share: float) -> np.ndarray:
    return np.array([_unit_hash(p.id, salt) < share for p in pages])


def fold_of(pages: list[Page]) -> np.ndarray:
    """Fold of each page, by site: pages of one site share templates, so they never straddle folds."""
    return np.array([int(_unit_hash(p.site, "fold") * N_FOLDS) for p in pages])


def with_dropout(m: Matrix, pages: list[Page], A: np.ndarray, A_nolang: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Training features: a fixed share of pages as if their language were unknown (robustness)."""
    swap = page_flags(pages, "nolang", LANG_DROPOUT)[m.page[rows]]
    out = A[rows].copy()
    out[swap] = A_nolang[rows][swap]
    return out


def fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, params: dict, n_trees: int, names: list[str]):
    import lightgbm as lgb

    data = lgb.Dataset(X, label=y, weight=w, feature_name=names, free_raw_data=True)
    return lgb.train(params, data, num_boost_round=n_trees)


def training_subset(m: Matrix, pages: list[Page], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labelled rows with a positive training weight, and their weights."""
    page_weight = [SYNTH_WEIGHT if p.source == "synth" else PAGE_TYPE_WEIGHT.get(p.page_type, 1.0) for p in pages]
    weight = np.array(page_weight, dtype=np.float32)[m.page[rows]]
    weight = np.where(m.y[rows] < 0, TITLE_WEIGHT, 1.0) * weight
    keep = (m.y_train[rows] >= 0) & (weight > 0)
    return rows[keep], weight[keep]


def fit_stage1(m: Matrix, pages: list[Page], rows: np.ndarray):
    rows, w = training_subset(m, pages, rows)
    X = with_dropout(m, pages, m.X, m.X_nolang, rows)
    return fit(X, m.y_train[rows], w, STAGE1, STAGE1_TREES, list(FEATURE_NAMES))


def fit_stage2(m: Matrix, pages: list[Page], S: np.ndarray, S_nolang: np.ndarray, rows: np.ndarray):
    rows, w = training_subset(m, pages, rows)
    A = with_dropout(m, pages, m.X, m.X_nolang, rows)
    B = with_dropout(m, pages, S, S_nolang, rows)
    return fit(np.hstack((A, B)), m.y_train[rows], w, STAGE2, STAGE2_TREES, list(FEATURE_NAMES) + list(STACK_NAMES))


def stacked(m: Matrix, X: np.ndarray, p1: np.ndarray, page_rows: list[tuple[int, int, int]]) -> np.ndarray:
    S = np.zeros((len(X), len(STACK_NAMES)), dtype=np.float32)
    for _, a, b in page_rows:
        S[a:b] = stack_features(X[a:b], p1[a:b])
    return S


def stage1_out_of_fold(m: Matrix, pages: list[Page], fold: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """First-stage probabilities for every row from the model of the fold that held its page out,
    and those models (one per fold)."""
    p, pn, boosters = np.zeros(len(m.y)), np.zeros(len(m.y)), []
    for k in range(N_FOLDS):
        held = fold[m.page] == k
        t0 = time.time()
        booster = fit_stage1(m, pages, np.flatnonzero(~held))
        p[held] = booster.predict(m.X[held])
        pn[held] = booster.predict(m.X_nolang[held])
        boosters.append(booster)
        print(f"  stage 1, fold {k}: {time.time() - t0:.0f}s", flush=True)
    return p, pn, boosters


def predict2(booster, X: np.ndarray, S: np.ndarray) -> np.ndarray:
    return booster.predict(np.hstack((X, S)))


# --- evaluation -----------------------------------------------------------------------------------
def f1(y: np.ndarray, keep: np.ndarray) -> tuple[float, float, float, int]:
    tp = float(np.sum(keep & (y == 1)))
    fp = float(np.sum(keep & (y == 0)))
    fn = float(np.sum(~keep & (y == 1)))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r, len(y)


def best_threshold(y: np.ndarray, prob: np.ndarray) -> float:
    grid = np.round(np.arange(0.2, 0.81, 0.02), 2)
    scores = [f1(y, prob >= t)[0] for t in grid]
    return float(grid[int(np.argmax(scores))])


def group_report(title: str, y: np.ndarray, prob: np.ndarray, keys: dict[str, np.ndarray], threshold: float) -> dict:
    keep = prob >= threshold
    out = {}
    print(f"\n{title} (threshold {threshold:.2f})")
    print(f"  {'group':28s} {'F1':>6s} {'P':>6s} {'R':>6s} {'lines':>8s} {'keep-all F1':>11s}")
    for name, mask in keys.items():
        if not mask.any():
            continue
        score, p, r, n = f1(y[mask], keep[mask])
        base = f1(y[mask], np.ones(int(mask.sum()), dtype=bool))[0]
        out[name] = {"f1": round(score, 4), "precision": round(p, 4), "recall": round(r, 4), "lines": n}
        print(f"  {name:28s} {score:6.3f} {p:6.3f} {r:6.3f} {n:8d} {base:11.3f}")
    return out


def report_keys(m: Matrix, pages: list[Page]) -> dict[str, np.ndarray]:
    """Row masks of the report's groups (over scored rows only)."""
    src = np.array([p.source for p in pages])[m.page]
    synth = src == "synth"
    scored = (m.y >= 0) & ~synth
    lang = np.array([p.lang for p in pages])[m.page]
    keys = {"ALL": scored}
    for s in sorted(set(src[scored])):
        keys[f"source={s}"] = scored & (src == s)
    for code in sorted(set(lang[scored]), key=lambda c: -int(np.sum(scored & (lang == c)))):
        if np.sum(scored & (lang == code)) >= 20:
            keys[f"lang={code}"] = scored & (lang == code)
    keys["non-English"] = scored & (lang != "en")
    keys["multi-dev (zh ru ar vi fa hi ur)"] = scored & np.isin(lang, ["zh", "ru", "ar", "vi", "fa", "hi", "ur"])
    for code in ("vi", "ar"):
        keys[f"synthetic {code}"] = synth & (m.y >= 0) & (lang == code)
    return keys


@dataclass
class CrossValidation:
    p1: np.ndarray  # out-of-fold probabilities of stage 1 and of both stages, per row
    p2: np.ndarray
    S: np.ndarray  # stacking features from out-of-fold stage-1 scores (what the final stage 2 trains on)
    S_nolang: np.ndarray
    fold: np.ndarray  # fold of each page
    models: list[tuple]  # (stage 1, stage 2) boosters of each fold, trained without its pages


def cross_validate(m: Matrix, pages: list[Page]) -> CrossValidation:
    """Out-of-fold probabilities of both stages, folds grouped by site."""
    fold = fold_of(pages)
    p1, p1n, first = stage1_out_of_fold(m, pages, fold)
    S = stacked(m, m.X, p1, m.bounds)
    S_nolang = stacked(m, m.X_nolang, p1n, m.bounds)
    p2 = np.zeros(len(m.y))
    models = []
    for k in range(N_FOLDS):
        held = fold[m.page] == k
        t0 = time.time()
        booster = fit_stage2(m, pages, S, S_nolang, np.flatnonzero(~held))
        p2[held] = predict2(booster, m.X[held], S[held])
        models.append((first[k], booster))
        print(f"  stage 2, fold {k}: {time.time() - t0:.0f}s", flush=True)
    return CrossValidation(p1, p2, S, S_nolang, fold, models)


def held_out_group(m: Matrix, pages: list[Page], mask: np.ndarray, S: np.ndarray, S_nolang: np.ndarray) -> np.ndarray:
    """Train both stages without the pages in `mask`, predict them (leave-one-language/source-out).

    The second stage trains on the other pages' out-of-fold stacking features; their first-stage
    models saw the held-out pages, a second-order leak that the first-stage score of the held-out
    pages themselves does not have."""
    train = np.flatnonzero(~mask)
    b1 = fit_stage1(m, pages, train)
    held_bounds = [(i, a, b) for i, a, b in m.bounds if mask[a]]
    p1 = np.zeros(len(m.y))
    p1[mask] = b1.predict(m.X[mask])
    S_held = stacked(m, m.X, p1, held_bounds)
    b2 = fit_stage2(m, pages, S, S_nolang, train)
    return predict2(b2, m.X[mask], S_held[mask])


# --- export ---------------------------------------------------------------------------------------
def _float32_floor(v: float) -> float:
    """Largest float32 <= v: `x > t32` on float32 features decides exactly like `x > v` in float64."""
    f = np.float32(v)
    if float(f) > v:
        f = np.nextafter(f, np.float32(-np.inf))
    return float(f)


def export_trees(booster) -> dict:
    """LightGBM trees as complete binary trees of one depth (heap order), for lock-step evaluation."""
    dump = booster.dump_model()
    trees = [t["tree_structure"] for t in dump["tree_info"]]
    depth = max(_depth(t) for t in trees)
    inner, leaves = (1 << depth) - 1, 1 << depth
    feat = np.zeros((len(trees), inner), dtype=np.int64)
    thr = np.full((len(trees), inner), 3.0e38, dtype=np.float64)  # padding: always go left
    val = np.zeros((len(trees), leaves), dtype=np.float64)
    for t, root in enumerate(trees):
        _fill(root, 0, 0, depth, feat[t], thr[t], val[t])
    return {
        "depth": depth,
        "count": len(trees),
        "base_score": 0.0,
        "feature": feat.ravel().tolist(),
        "threshold": [_float32_floor(v) if v < 1e38 else 3.0e38 for v in thr.ravel().tolist()],
        "leaf_value": [float(np.float32(v)) for v in val.ravel().tolist()],
    }


def model_spec(stage1, stage2, threshold: float) -> dict:
    """What tamis.signals.line_model.LineModel loads, from the two stages' boosters."""
    return {"format": "tamis-line-model", "version": 1, "feature_names": list(FEATURE_NAMES),
            "stack_feature_names": list(STACK_NAMES), "threshold": threshold,
            "stages": [export_trees(stage1), export_trees(stage2)]}


def _depth(node: dict) -> int:
    if "leaf_value" in node:
        return 0
    return 1 + max(_depth(node["left_child"]), _depth(node["right_child"]))


def _fill(node: dict, idx: int, level: int, depth: int, feat: np.ndarray, thr: np.ndarray, val: np.ndarray) -> None:
    if level == depth:
        val[idx - ((1 << depth) - 1)] = node["leaf_value"]
        return
    if "leaf_value" in node:  # an early leaf: both children carry its value
        _fill(node, 2 * idx + 1, level + 1, depth, feat, thr, val)
        _fill(node, 2 * idx + 2, level + 1, depth, feat, thr, val)
        return
    if node.get("decision_type", "<=") != "<=" or node.get("missing_type", "None") not in ("None", None):
        raise ValueError(f"unsupported split {node.get('decision_type')} / {node.get('missing_type')}")
    feat[idx] = node["split_feature"]
    thr[idx] = node["threshold"]
    _fill(node["left_child"], 2 * idx + 1, level + 1, depth, feat, thr, val)
    _fill(node["right_child"], 2 * idx + 2, level + 1, depth, feat, thr, val)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--quick", action="store_true", help="a quarter of the pages; report only")
    ap.add_argument("--no-loo", action="store_true", help="skip leave-one-language/source-out")
    args = ap.parse_args()

    t0 = time.time()
    pages = load_pages(args.shared, 0.25 if args.quick else 1.0)
    pages += load_synth(args.shared, SYNTH_PAGES // (4 if args.quick else 1))
    m = featurise(pages)
    scored = (m.y >= 0) & (np.array([p.source for p in pages])[m.page] != "synth")
    print(f"{len(pages)} pages, {len(m.y)} lines, {int(scored.sum())} labelled ({int((m.y == 1).sum())} content), "
          f"{len(FEATURE_NAMES)}+{len(STACK_NAMES)} features, featurised in {time.time() - t0:.0f}s", flush=True)
    keys = report_keys(m, pages)

    print(f"\n{N_FOLDS}-fold cross-validation grouped by site (no site on both sides)")
    cv = cross_validate(m, pages)
    p1, p2, S, S_nolang = cv.p1, cv.p2, cv.S, cv.S_nolang
    threshold = best_threshold(m.y[scored], p2[scored])
    summary = {
        "stage1_cv": group_report("Stage 1 alone, cross-validated F1 (content = positive)", m.y, p1, keys,
                                  best_threshold(m.y[scored], p1[scored])),
        "cv": group_report("Cross-validated F1 (content = positive)", m.y, p2, keys, threshold),
    }
    summary["cv_at_0.5"] = group_report("Cross-validated F1 at threshold 0.5", m.y, p2,
                                        {k: keys[k] for k in ("ALL", "source=wcxb", "source=trafilatura", "non-English")}, 0.5)
    if not args.no_loo:
        summary["held_out"] = leave_out_reports(m, pages, threshold, S, S_nolang)
    if args.quick:
        return
    all_rows = np.arange(len(m.y))
    b1 = fit_stage1(m, pages, all_rows)
    b2 = fit_stage2(m, pages, S, S_nolang, all_rows)
    spec = {
        **model_spec(b1, b2, threshold),
        "training": {
            "algorithm": "two stacked LightGBM gbdt ensembles (binary log-loss), exported as complete trees; "
                         "stage 2 trains on out-of-fold stage-1 scores",
            "stage1_params": STAGE1,
            "stage1_trees": STAGE1_TREES,
            "stage2_params": STAGE2,
            "stage2_trees": STAGE2_TREES,
            "folds": N_FOLDS,
            "lang_dropout": LANG_DROPOUT,
            "page_type_weight": PAGE_TYPE_WEIGHT,
            "data": list(PAGE_FILES),
            "pages": len(pages),
            "labelled_lines": int(scored.sum()),
            "threshold_choice": "max cross-validated F1 over all labelled lines",
        },
        "report": summary,
    }
    args.out.write_text(json.dumps(spec, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.time() - t0:.0f}s")
    benchmark(pages, args.out)


def benchmark(pages: list[Page], model_path: Path, chunk_chars: int = 3400, max_docs: int = 500) -> None:
    """Features + scoring speed on ~3.4 KB documents cut from the pages (CPU time, best of 3)."""
    from tamis.signals.line_model import LineModel

    model = LineModel.load(model_path)
    docs: list[tuple[list[str], str]] = []
    for p in pages[:: max(1, len(pages) // max_docs)]:
        cur, size = [], 0
        for line in p.lines:
            cur.append(line)
            size += len(line) + 1
            if size >= chunk_chars:
                docs.append((cur, p.lang))
                cur, size = [], 0
    docs = docs[:max_docs]
    n_lines = sum(len(d) for d, _ in docs)

    def best(fn) -> float:
        times = []
        for _ in range(3):
            t = time.process_time()
            for lines, lang in docs:
                fn(lines, lang)
            times.append(time.process_time() - t)
        return min(times)

    t_feat = best(line_features)
    t_all = best(lambda lines, lang: model.score(line_features(lines, lang)))
    print(f"\nspeed on {len(docs)} documents of ~{chunk_chars} chars ({n_lines / len(docs):.0f} lines each): "
          f"features {t_feat / len(docs) * 1e6:.0f} us/doc, features+scoring {t_all / len(docs) * 1e6:.0f} us/doc "
          f"= {n_lines / t_all:,.0f} lines/s, {len(docs) / t_all:,.0f} docs/s (one core, CPU time)")


def leave_out_reports(m: Matrix, pages: list[Page], threshold: float, S: np.ndarray, S_nolang: np.ndarray) -> dict:
    """Held-out languages and sources of the non-English material: nothing of it in training."""
    scored = m.y >= 0
    lang = np.array([p.lang for p in pages])[m.page]
    src = np.array([p.source for p in pages])[m.page]
    groups = {}
    for code in ("zh", "ru", "ar", "vi", "fa", "hi", "de"):
        groups[f"lang={code}"] = lang == code
    for s in ("trafilatura", "daniel", "cwced", "htmldate"):
        groups[f"source={s}"] = src == s
    out = {}
    print("\nLeave-one-group-out (the group's pages absent from training of both stages)", flush=True)
    for name, mask in groups.items():
        if np.sum(mask & scored) < 20:
            continue
        prob = np.zeros(len(m.y))
        prob[mask] = held_out_group(m, pages, mask, S, S_nolang)
        out.update(group_report(f"held out: {name}", m.y, prob, {name: mask & scored}, threshold))
    return out


if __name__ == "__main__":
    main()
