"""The report's charts: matplotlib figures rendered to inline SVG (text stays text, so it is small,
searchable and uses the page's font). Each function returns an `<svg>` string, or "" when there is
nothing to draw.

matplotlib is a dependency of tamis; in an environment without it, importing this module raises
ImportError, which `tamis report` turns into an install hint.
"""

from __future__ import annotations

import io
import math
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: render to files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from tamis.report.stats import RunStats  # noqa: E402

KEPT, REJECTED, DUPLICATE, REMOVED = "#2e7d32", "#c62828", "#ef6c00", "#9e9e9e"
THRESHOLD = "#6a1b9a"
LANG_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
               "#bcbd22", "#17becf"]
MAX_LANGS = 8  # languages drawn one by one; the rest are summed as "other"

plt.rcParams.update({
    "svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
    "axes.titlesize": 10, "axes.titleweight": "bold", "legend.frameon": False, "svg.hashsalt": "tamis",
    "axes.axisbelow": True, "axes.grid": True, "grid.color": "#e6e6e6", "grid.linewidth": 0.6,
})


def to_svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})  # layout="constrained": one draw
    plt.close(fig)
    svg = buf.getvalue()
    # Drop the XML prolog and doctype: the SVG is inlined in HTML. Its natural size (pt) is kept, so
    # every chart has the same text size; CSS shrinks it on narrow windows.
    return svg[svg.index("<svg"):]


def lang_colors(langs: list[str]) -> dict[str, str]:
    return {lang: LANG_COLORS[i % len(LANG_COLORS)] for i, lang in enumerate(langs)}


def _top_langs(st: RunStats) -> list[str]:
    return st.lang_order()[:MAX_LANGS]


def documents_and_bytes(st: RunStats) -> str:
    """Per language: where the documents went, and where the bytes went."""
    langs = st.lang_order()
    if not langs:
        return ""
    shown = langs[:MAX_LANGS]
    rest = langs[MAX_LANGS:]
    rows = shown + (["other"] if rest else [])

    def get(lang: str, attr: str) -> int:
        pool = rest if lang == "other" else [lang]
        return sum(getattr(st.langs[x], attr) for x in pool)

    kept = np.array([get(x, "kept") for x in rows])
    dup = np.array([get(x, "duplicates") for x in rows])
    rej = np.array([get(x, "rejected") for x in rows]) - dup
    b_in = np.array([get(x, "bytes_in") for x in rows], dtype=float)
    scale, unit = (1e6, "MB") if b_in.max() >= 1e6 else (1e3, "kB")
    b_kept = np.array([get(x, "bytes_kept") for x in rows]) / scale
    b_rej = np.array([get(x, "bytes_rejected") for x in rows]) / scale
    b_removed = b_in / scale - b_kept - b_rej

    height = 0.9 + 0.38 * len(rows)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, height), layout="constrained")
    y = np.arange(len(rows))[::-1]
    for ax, parts, title, unit in (
        (ax1, [(kept, KEPT, "kept"), (rej, REJECTED, "rejected by rules"), (dup, DUPLICATE, "rejected as copies")],
         "Documents", "documents"),
        (ax2, [(b_kept, KEPT, "kept text"), (b_removed, REMOVED, "removed by line cleaning"),
               (b_rej, REJECTED, "text of rejected documents")], f"Bytes ({unit})", unit),
    ):
        left = np.zeros(len(rows))
        for values, color, label in parts:
            ax.barh(y, values, left=left, color=color, label=label, height=0.7)
            left = left + values
        total = left
        for yi, t, v0 in zip(y, total, parts[0][0]):
            share = 100 * v0 / t if t else 0
            ax.text(t, yi, f"  {_num(t, unit)} ({share:.0f}% kept)", va="center", fontsize=8)
        ax.set_yticks(y, rows)
        ax.set_title(title, loc="left")
        ax.set_xlim(0, max(total.max(), 1e-9) * 1.35)
        ax.grid(axis="y", visible=False)
    handles = [h for ax in (ax1, ax2) for h in ax.get_legend_handles_labels()[0]]
    labels = [lb for ax in (ax1, ax2) for lb in ax.get_legend_handles_labels()[1]]
    fig.legend(handles, labels, loc="outside lower center", ncol=6, fontsize=8)
    return to_svg(fig)


def _num(v: float, unit: str) -> str:
    if unit in ("MB", "kB"):
        return f"{v:,.1f} {unit}"
    return f"{int(v):,}"


def removals_by_reason(st: RunStats) -> str:
    """Characters and lines removed from the documents, per reason, stacked by language."""
    reasons = sorted(st.removed, key=lambda r: -sum(v[1] for v in st.removed[r].values()))
    if not reasons:
        return ""
    langs = _top_langs(st)
    colors = lang_colors(st.lang_order())
    height = 1.0 + 0.36 * len(reasons)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, height), sharey=True, layout="constrained")
    y = np.arange(len(reasons))[::-1]
    for ax, col, title in ((ax1, 1, "Characters removed"), (ax2, 0, "Lines removed")):
        left = np.zeros(len(reasons))
        for lang in langs:
            vals = np.array([st.removed[r].get(lang, [0, 0, 0])[col] for r in reasons], dtype=float)
            ax.barh(y, vals, left=left, color=colors[lang], label=lang, height=0.7)
            left += vals
        other = np.array([sum(v[col] for lg, v in st.removed[r].items() if lg not in langs) for r in reasons], dtype=float)
        if other.any():
            ax.barh(y, other, left=left, color="#cccccc", label="other", height=0.7)
            left += other
        for yi, t in zip(y, left):
            ax.text(t, yi, f"  {int(t):,}", va="center", fontsize=8)
        ax.set_xlim(0, max(left.max(), 1) * 1.25)
        ax.set_title(title, loc="left")
        ax.grid(axis="y", visible=False)
    ax1.set_yticks(y, reasons)
    ax2.legend(loc="lower right", fontsize=8, title="language", title_fontsize=8)
    return to_svg(fig)


def rejections_by_rule(st: RunStats) -> str:
    """Rejected documents per failing rule, stacked by language (a document failing two rules counts twice)."""
    rules = sorted(st.rejected_by_rule, key=lambda r: -sum(st.rejected_by_rule[r].values()))
    if not rules:
        return ""
    langs = _top_langs(st)
    colors = lang_colors(st.lang_order())
    fig, ax = plt.subplots(figsize=(10, 1.0 + 0.3 * len(rules)), layout="constrained")
    y = np.arange(len(rules))[::-1]
    left = np.zeros(len(rules))
    for lang in langs:
        vals = np.array([st.rejected_by_rule[r].get(lang, 0) for r in rules], dtype=float)
        if vals.any():
            ax.barh(y, vals, left=left, color=colors[lang], label=lang, height=0.7)
            left += vals
    other = np.array([sum(n for lg, n in st.rejected_by_rule[r].items() if lg not in langs) for r in rules], dtype=float)
    if other.any():
        ax.barh(y, other, left=left, color="#cccccc", label="other", height=0.7)
        left += other
    for yi, t in zip(y, left):
        ax.text(t, yi, f"  {int(t):,}", va="center", fontsize=8)
    ax.set_yticks(y, rules)
    ax.set_xlim(0, max(left.max(), 1) * 1.15)
    ax.set_title("Rejected documents by failing rule", loc="left")
    ax.set_xlabel("documents")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize=8, title="language", title_fontsize=8)
    return to_svg(fig)


# Signals whose values span orders of magnitude are drawn on a log axis.
LOG_SIGNALS = frozenset({"words", "words_per_sentence"})


def signal_distribution(st: RunStats, signal: str, thresholds: dict[str, list[tuple[str, str, float]]],
                        langs: list[str]) -> str:
    """Histograms of one signal, one panel per language, kept and rejected documents stacked, with the
    language's policy thresholds as vertical lines. `thresholds`: lang -> [(rule, "min"|"max", value)]."""
    data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for lang in langs:
        kept = [v[signal] for k, v in st.signal_sample.get(lang, []) if k == "kept" and v.get(signal) is not None]
        rej = [v[signal] for k, v in st.signal_sample.get(lang, []) if k != "kept" and v.get(signal) is not None]
        if kept or rej:
            data[lang] = (np.array(kept, dtype=float), np.array(rej, dtype=float))
    if not data:
        return ""
    log = signal in LOG_SIGNALS
    all_vals = np.concatenate([np.concatenate(v) for v in data.values()])
    lines = [t for lang in data for t in thresholds.get(lang, []) if t[0]]
    lo, hi = np.percentile(all_vals, [0.5, 99.5]) if all_vals.size else (0.0, 1.0)
    for _, _, t in lines:
        lo, hi = min(lo, t), max(hi, t)
    if log:
        lo = max(min(lo, all_vals[all_vals > 0].min() if (all_vals > 0).any() else 1), 0.5)
        hi = max(hi, lo * 10)
        bins = np.logspace(math.log10(lo), math.log10(hi * 1.05), 40)
    else:
        pad = (hi - lo) * 0.05 or 0.05
        bins = np.linspace(lo - pad, hi + pad, 40)
    n = len(data)
    fig, axes = plt.subplots(1, n, figsize=(min(2.6 * n + 0.6, 10.5), 1.9), squeeze=False, sharex=True,
                             layout="constrained")
    for ax, (lang, (kept, rej)) in zip(axes[0], data.items()):
        clip = lambda a: np.clip(a, bins[0], bins[-1])  # noqa: E731 - outliers land in the end bins
        ax.hist([clip(kept), clip(rej)], bins=bins, stacked=True, color=[KEPT, REJECTED],
                label=["kept", "rejected"], histtype="stepfilled", linewidth=0)
        both = np.concatenate([kept, rej])
        for rule, bound, value in thresholds.get(lang, []):
            beyond = int((both < value).sum() if bound == "min" else (both > value).sum())
            ax.axvline(value, color=THRESHOLD, linestyle="--", linewidth=1.2)
            ax.annotate(f"{bound} {value:g}\n{beyond:,} {'below' if bound == 'min' else 'above'}", xy=(value, 1),
                        xycoords=("data", "axes fraction"),
                        xytext=(2 if bound == "min" else -2, -2), textcoords="offset points",
                        ha="left" if bound == "min" else "right", va="top", fontsize=7, color=THRESHOLD)
        if log:
            ax.set_xscale("log")
        total = kept.size + rej.size
        sampled = st.signal_seen.get(lang, 0) > len(st.signal_sample.get(lang, []))
        ax.set_title(f"{lang}  ({total:,}{' sampled' if sampled else ''} docs)", loc="left", fontsize=9,
                     fontweight="normal")
        ax.tick_params(labelsize=7)
        ax.grid(axis="x", visible=False)
    axes[0][0].set_ylabel("documents", fontsize=8)
    return to_svg(fig)


def cluster_sizes(st: RunStats) -> str:
    """How many duplicate clusters have 2, 3, ... documents."""
    sizes = [s for s in st.cluster_sizes.values() if s >= 2]
    if not sizes:
        return ""
    counts: dict[int, int] = {}
    for s in sizes:
        counts[s] = counts.get(s, 0) + 1
    xs = sorted(counts)
    fig, ax = plt.subplots(figsize=(min(1.5 + 0.45 * len(xs), 10), 2.4), layout="constrained")
    ax.bar(range(len(xs)), [counts[x] for x in xs], color=DUPLICATE)
    ax.set_xticks(range(len(xs)), [str(x) for x in xs])
    for i, x in enumerate(xs):
        ax.text(i, counts[x], f"{counts[x]:,}", ha="center", va="bottom", fontsize=8)
    ax.set_xlabel("documents in the cluster (the kept copy included)")
    ax.set_ylabel("clusters")
    ax.set_title("Duplicate cluster sizes", loc="left")
    ax.grid(axis="x", visible=False)
    return to_svg(fig)
