"""Language-ID accuracy and speed of tamis.signals.langid and of other bundled detectors.

Data (evaluation only, never copied into the repo): ../shared/data/lid-sentences.jsonl.zst
(lingua test set: 75 languages x sentence / word-pair / single-word) and lid-udhr.jsonl.zst (UDHR
paragraphs), plus news-ar.jsonl.zst and pages-multi-dev.jsonl.zst for the paragraph-level checks.

    python bench/lid_accuracy.py --quick --md /tmp/lid.md --json /tmp/lid.json   # < 2 min, lid.176
    /tmp/lidvenv/bin/python bench/lid_accuracy.py --models all   # + py3langid, lingua (if installed)
    python bench/lid_accuracy.py --speed-only --models all

Models whose package is not importable are skipped with a note. Scoring: a prediction is correct
when its normalised code equals the gold code; `no` (lid.176's Norwegian) counts for gold `nb`.
Macro averages are over all test languages ("all": a language the model cannot output scores 0)
and over the languages the model can output ("supported").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Iterator


REPO = Path(__file__).resolve().parents[1]
try:
    import tamis  # noqa: F401
except ImportError:  # run from a checkout without installing: use ./src
    sys.path.insert(0, str(REPO / "src"))

from tamis.io import read_records  # noqa: E402
from tamis.signals.langid import (
    MIN_OTHER_LANG_PROB,
    LanguageIdentifier,
    letter_count,
    normalize_label,
    same_language,
)

GRANULARITIES = ("sentence", "word-pair", "single-word", "paragraph")
EQUIVALENT = {"nb": {"no"}}  # gold -> predictions that also count as correct


def default_data_dir() -> Path:
    env = os.environ.get("TAMIS_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def read_jsonl_zst(path: Path) -> Iterator[dict]:
    yield from read_records(str(path))


def load_items(data_dir: Path, quick: bool, seed: int = 0) -> list[dict]:
    """lid-sentences + lid-udhr records; --quick keeps 60 items per language x granularity
    (20 UDHR paragraphs per language), sampled with a fixed seed."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for name in ("lid-sentences.jsonl.zst", "lid-udhr.jsonl.zst"):
        for rec in read_jsonl_zst(data_dir / name):
            groups[(rec["lang"], rec["granularity"])].append({"text": rec["text"], "lang": rec["lang"], "gran": rec["granularity"]})
    rng = random.Random(seed)
    items: list[dict] = []
    for key in sorted(groups):
        g = groups[key]
        if quick:
            n = 20 if key[1] == "paragraph" else 60
            g = rng.sample(g, min(n, len(g)))
        items.extend(g)
    return items


# ----------------------------------------------------------------------------------------------
# Models: each is (name, predict(text) -> code, supported codes)


def make_models(names: list[str]) -> tuple[list[tuple[str, Callable[[str], str], set[str]]], list[str]]:
    models, notes = [], []
    for name in names:
        if name not in _MODEL_FACTORIES:
            notes.append(f"{name}: unknown model (known: {', '.join(_MODEL_FACTORIES)})")
            continue
        try:
            models.append(_MODEL_FACTORIES[name]())
        except ImportError as exc:
            notes.append(f"{name}: skipped ({exc})")
    return models, notes


def _tamis_lid176(script_check: bool = True):
    li = LanguageIdentifier(script_check=script_check)
    labels: set[str] = set()
    for probe in ("hello world", "привет", "مرحبا", "你好", "नमस्ते", "xin chào"):
        labels.update(label for _, label in li._model.f.predict(probe + "\n", -1, 0.0, "replace"))
    supported = {normalize_label(label, "lid176")[0] for label in labels}
    name = "lid176 (tamis default)" if script_check else "lid176 without script check"
    return (name, lambda t: li.identify(t)[0], supported)


def _py3langid():
    from py3langid.langid import MODEL_FILE
    from py3langid.langid import LanguageIdentifier as PyLangid

    ident = PyLangid.from_model_file(MODEL_FILE, norm_probs=True)
    return ("py3langid", lambda t: normalize_label(ident.classify(t)[0], "iso639-3")[0], set(ident.labels))


def _lingua(low: bool = False):
    from lingua import Language, LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
    if low:
        builder = builder.with_low_accuracy_mode()
    det = builder.build()

    def predict(t: str) -> str:
        lang = det.detect_language_of(t)
        return lang.iso_code_639_1.name.lower() if lang is not None else "und"

    supported = {lang.iso_code_639_1.name.lower() for lang in Language.all()}
    return ("lingua-low" if low else "lingua", predict, supported)


_MODEL_FACTORIES = {
    "lid176": _tamis_lid176,
    "lid176-noscript": lambda: _tamis_lid176(script_check=False),
    "py3langid": _py3langid,
    "lingua": _lingua,
    "lingua-low": lambda: _lingua(low=True),
}


def correct(pred: str, gold: str) -> bool:
    return pred == gold or pred in EQUIVALENT.get(gold, ())


def evaluate(items: list[dict], predict: Callable[[str], str]) -> tuple[dict, float]:
    """{lang: {gran: [n, correct, Counter(wrong predictions)]}}, seconds."""
    res: dict = defaultdict(lambda: defaultdict(lambda: [0, 0, Counter()]))
    t0 = time.perf_counter()
    for it in items:
        p = predict(it["text"])
        cell = res[it["lang"]][it["gran"]]
        cell[0] += 1
        if correct(p, it["lang"]):
            cell[1] += 1
        else:
            cell[2][p] += 1
    return res, time.perf_counter() - t0


def summarise(res: dict, supported: set[str]) -> dict:
    per_lang = {
        lang: {g: {"n": c[0], "acc": c[1] / c[0], "top_error": (c[2].most_common(1)[0] if c[2] else None)} for g, c in grans.items()}
        for lang, grans in sorted(res.items())
    }
    macro, macro_sup = {}, {}
    for g in GRANULARITIES:
        accs = [(lang, v[g]["acc"]) for lang, v in per_lang.items() if g in v]
        if accs:
            macro[g] = statistics.mean(a for _, a in accs)
            sup = [a for lang, a in accs if lang in supported or EQUIVALENT.get(lang, set()) & supported]
            macro_sup[g] = statistics.mean(sup) if sup else float("nan")
    unsupported = sorted(lang for lang in per_lang if lang not in supported and not EQUIVALENT.get(lang, set()) & supported)
    return {"per_lang": per_lang, "macro": macro, "macro_supported": macro_sup, "unsupported": unsupported}


# ----------------------------------------------------------------------------------------------
# Paragraph level (tamis only)


THRESHOLDS = (0.5, 0.7, 0.8, 0.9)


def paragraph_eval(items: list[dict], li: LanguageIdentifier) -> dict:
    """False flags: an item of language L inside a document of language L, reported as another
    language with prob >= t, by plain identify() and by identify_paragraphs().
    Detection: items of other languages inside `ar` and `vi` documents reported as another
    language (prob >= t); English sentences and UDHR paragraphs inside ar / vi / zh / ru
    documents reported as `en`."""

    def wrong(pred: str, gold: str) -> bool:
        return pred != "und" and not same_language(pred, gold) and not correct(pred, gold)

    plain: dict = defaultdict(lambda: defaultdict(list))  # gran -> lang -> [(wrong, prob)]
    para: dict = defaultdict(lambda: defaultdict(list))
    for it in items:
        lang, g, t = it["lang"], it["gran"], it["text"]
        p_lang, p = li.identify(t)
        plain[g][lang].append((wrong(p_lang, lang), p))
        (q_lang, q), = li.identify_paragraphs([t], lang)
        para[g][lang].append((wrong(q_lang, lang), q, q_lang == "und"))

    def rate(tab: dict, thr: float) -> dict:
        return {g: statistics.mean(sum(r[0] and r[1] >= thr for r in v) / len(v) for v in tab[g].values()) for g in GRANULARITIES if g in tab}

    detect: dict = {}
    for doc in ("ar", "vi"):
        hits: dict = defaultdict(lambda: defaultdict(list))
        for it in items:
            if not same_language(it["lang"], doc) and it["gran"] in ("sentence", "paragraph"):
                (q_lang, q), = li.identify_paragraphs([it["text"]], doc)
                hits[it["gran"]][it["lang"]].append(q if q_lang not in ("und", doc) else 0.0)
        detect[doc] = {str(t): {g: statistics.mean(sum(q >= t for q in v) / len(v) for v in hits[g].values()) for g in hits} for t in THRESHOLDS}
    en_in = {}
    for g in ("sentence", "paragraph"):
        en = [it["text"] for it in items if it["lang"] == "en" and it["gran"] == g]
        for doc in ("ar", "vi", "zh", "ru"):
            res = li.identify_paragraphs(en, doc)
            en_in[f"{g} {doc}"] = {str(t): sum(l == "en" and p >= t for l, p in res) / len(res) for t in THRESHOLDS}
    return {
        "thresholds": THRESHOLDS,
        "false_flag_identify": {str(t): rate(plain, t) for t in THRESHOLDS},
        "false_flag_paragraphs": {str(t): rate(para, t) for t in THRESHOLDS},
        "und_share_paragraphs": {g: statistics.mean(sum(r[2] for r in v) / len(v) for v in para[g].values()) for g in para},
        "detect_other_lang": detect,
        "english_sentence_flagged_en": en_in,
    }


def real_paragraph_flags(data_dir: Path, li: LanguageIdentifier, quick: bool, show: int) -> dict:
    """How many lines of real documents identify_paragraphs flags as confidently another
    language: news-ar paragraphs (doc_lang ar) and pages-multi-dev lines (doc_lang = page lang)."""
    thr = MIN_OTHER_LANG_PROB
    raw = LanguageIdentifier(li.model_path, li.labels, li.max_chars, script_check=False)
    out: dict = {}
    shown = 0
    sources = [("news-ar", "news-ar.jsonl.zst"), ("pages-multi-dev", "pages-multi-dev.jsonl.zst")]
    for name, fname in sources:
        path = data_dir / fname
        if not path.exists():
            continue
        stats: dict = defaultdict(lambda: {"lines": 0, "und": 0, "flagged": 0, "flagged_by": Counter(), "flagged_without_script_check": 0})
        for i, rec in enumerate(read_jsonl_zst(path)):
            if quick and i >= (1000 if name == "news-ar" else 100):
                break
            lines = [l.strip() for l in rec["text"].split("\n") if l.strip()]
            s = stats[rec["lang"]]
            for lang, p in raw.identify_paragraphs(lines, rec["lang"]):
                s["flagged_without_script_check"] += lang != "und" and not same_language(lang, rec["lang"]) and p >= thr
            for line, (lang, p) in zip(lines, li.identify_paragraphs(lines, rec["lang"])):
                s["lines"] += 1
                s["und"] += lang == "und"
                if lang != "und" and not same_language(lang, rec["lang"]) and p >= thr:
                    s["flagged"] += 1
                    s["flagged_by"][lang] += 1
                    if shown < show:  # for the developer's eyes only, never written to a file
                        shown += 1
                        print(f"  [{name} {rec['lang']}] -> {lang} {p:.2f} ({letter_count(line)} letters): {line[:120]}", file=sys.stderr)
        out[name] = {lang: {**v, "flagged_by": dict(v["flagged_by"].most_common(5))} for lang, v in sorted(stats.items())}
    return out


# ----------------------------------------------------------------------------------------------
# Speed


def speed(items: list[dict], models, li: LanguageIdentifier, seconds: float = 3.0) -> dict:
    """docs/s on ~3 KB documents (sentences of one language concatenated) and lines/s on
    ~100-character lines, single thread, per CPU-second, best of 3 runs."""
    by_lang: dict[str, list[str]] = defaultdict(list)
    for it in items:
        if it["gran"] == "sentence":
            by_lang[it["lang"]].append(it["text"])
    docs, lines = [], []
    for lang, sents in sorted(by_lang.items()):
        doc = ""
        for s in sents:
            if len(doc.encode()) >= 3000:
                docs.append(doc)
                doc = ""
            doc += s + " "
            if len(s) >= 100:
                cut = s.rfind(" ", 0, 100)
                lines.append(s[: cut if cut > 60 else 100])
    rng = random.Random(1)
    rng.shuffle(docs)
    rng.shuffle(lines)

    def rate(fn: Callable[[list[str]], object], xs: list[str], batch: int) -> float:
        # Items per CPU-second of this process (time.process_time), best of 3 runs: the machine
        # may be shared, and wall-clock rates then measure the neighbours as much as the code.
        best = 0.0
        for _ in range(3):
            n, t0 = 0, time.process_time()
            while time.process_time() - t0 < seconds / 3:
                for c in (li._cache, li._para_cache):  # the identifier remembers texts: time fresh ones
                    c.clear()
                chunk = xs[(n % len(xs)) : (n % len(xs)) + batch] or xs[:batch]
                fn(chunk)
                n += len(chunk)
            best = max(best, n / (time.process_time() - t0))
        return best

    out = {"doc_bytes_median": statistics.median(len(d.encode()) for d in docs), "line_chars_median": statistics.median(len(l) for l in lines)}
    for name, predict, _ in models:
        out[name] = {
            "docs_per_s": rate(lambda xs: [predict(x) for x in xs], docs, 50),
            "lines_per_s": rate(lambda xs: [predict(x) for x in xs], lines, 500),
        }
    # tamis-specific entry points
    wrapper, raw = li._model, li._model.f.predict  # fasttext-predict's Python wrapper; its C++ call
    docs2k = [d[:2000] for d in docs]  # what identify() feeds the model (head + samples ~ 2,000 chars)
    out["lid176 fasttext predict(), 2,000 chars"] = {
        "docs_per_s": rate(lambda xs: [wrapper.predict(x.replace("\n", " ")) for x in xs], docs2k, 50),
        "lines_per_s": rate(lambda xs: [wrapper.predict(x) for x in xs], lines, 500),
    }
    out["lid176 f.predict(text + '\\n', 1, 0.0, 'replace'), 2,000 chars"] = {
        "docs_per_s": rate(lambda xs: [raw(x.replace("\n", " ") + "\n", 1, 0.0, "replace") for x in xs], docs2k, 50),
        "lines_per_s": rate(lambda xs: [raw(x + "\n", 1, 0.0, "replace") for x in xs], lines, 500),
    }
    out["lid176 identify_paragraphs"] = {"lines_per_s": rate(lambda xs: li.identify_paragraphs(xs, "en"), lines, 500)}
    return out


# ----------------------------------------------------------------------------------------------
# Reporting


def pct(x: float) -> str:
    return f"{100 * x:.1f}"


def markdown(report: dict) -> str:
    models = report["models"]
    names = list(models)
    L = []
    L.append(f"Command: `{report['command']}`  ")
    L.append(f"Machine: {report['machine']}; items: {report['n_items']} ({'quick subsample' if report['quick'] else 'full sets'}).\n")
    if names:
        _accuracy_tables(L, models, names)
    _other_tables(L, report)
    return "\n".join(L) + "\n"


def _accuracy_tables(L: list[str], models: dict, names: list[str]) -> None:
    L.append("### Macro-averaged accuracy (%)\n")
    L.append("| model | sentence | word pair | single word | UDHR paragraph | languages it cannot output |")
    L.append("|---|---|---|---|---|---|")
    for n in names:
        m = models[n]
        cells = [f"{pct(m['macro'].get(g, float('nan')))} ({pct(m['macro_supported'].get(g, float('nan')))})" for g in GRANULARITIES]
        L.append(f"| {n} | " + " | ".join(cells) + f" | {', '.join(m['unsupported']) or '–'} |")
    L.append("\nFirst number: mean over all test languages; in brackets: over the languages the model can output.\n")
    L.append("### Per language (%): sentence / word pair / single word / UDHR\n")
    L.append("| lang | " + " | ".join(names) + " | lid176 commonest error (sentence / single word) |")
    L.append("|---|" + "---|" * (len(names) + 1))
    langs = sorted(next(iter(models.values()))["per_lang"])
    first = names[0]
    for lang in langs:
        cells = []
        for n in names:
            pl = models[n]["per_lang"].get(lang, {})
            cells.append(" / ".join(pct(pl[g]["acc"]) if g in pl else "–" for g in GRANULARITIES))
        pl = models[first]["per_lang"].get(lang, {})
        errs = []
        for g in ("sentence", "single-word"):
            e = pl.get(g, {}).get("top_error")
            errs.append(f"{e[0]}" if e else "–")
        L.append(f"| {lang} | " + " | ".join(cells) + f" | {' / '.join(errs)} |")


def _other_tables(L: list[str], report: dict) -> None:
    if "speed" in report:
        sp = report["speed"]
        L.append(f"\n### Speed (single thread, items per CPU-second; documents ≈{sp['doc_bytes_median']:.0f} bytes, lines ≈{sp['line_chars_median']:.0f} characters)\n")
        L.append("| entry point | docs/s | lines/s |")
        L.append("|---|---|---|")
        for k, v in sp.items():
            if isinstance(v, dict):
                d = f"{v['docs_per_s']:,.0f}" if "docs_per_s" in v else "–"
                L.append(f"| {k} | {d} | {v['lines_per_s']:,.0f} |")
    if "paragraph" in report:
        pe = report["paragraph"]
        ts = [str(t) for t in pe["thresholds"]]
        L.append("\n### Paragraph level (lid176)\n")
        L.append("False other-language flags: share of items reported as another language with probability ≥ t while placed in a document of their own language (macro over languages, %), plain identify() → identify_paragraphs().\n")
        L.append("| granularity | " + " | ".join(f"t = {t}" for t in ts) + " | identify_paragraphs 'und' share |")
        L.append("|---|" + "---|" * (len(ts) + 1))
        for g in GRANULARITIES:
            if g in pe["false_flag_identify"][ts[0]]:
                cells = [f"{pct(pe['false_flag_identify'][t][g])} → {pct(pe['false_flag_paragraphs'][t][g])}" for t in ts]
                L.append(f"| {g} | " + " | ".join(cells) + f" | {pct(pe['und_share_paragraphs'][g])} |")
        L.append("\nDetection by identify_paragraphs: share of items reported as another language with probability ≥ t (%).\n")
        L.append("| items | document | " + " | ".join(f"t = {t}" for t in ts) + " |")
        L.append("|---|---|" + "---|" * len(ts))
        for d, v in pe["detect_other_lang"].items():
            for g, label in (("sentence", "sentences of the other 74 languages (macro)"), ("paragraph", "UDHR paragraphs of the other languages (macro)")):
                L.append(f"| {label} | {d} | " + " | ".join(pct(v[t].get(g, float('nan'))) for t in ts) + " |")
        for key, v in pe["english_sentence_flagged_en"].items():
            g, d = key.split()
            what = "English sentences" if g == "sentence" else "English UDHR paragraphs (headings included)"
            L.append(f"| {what}, reported as `en` | {d} | " + " | ".join(pct(v[t]) for t in ts) + " |")
    if report.get("real"):
        L.append(f"\nReal documents: lines reported by identify_paragraphs as another language with probability ≥ {MIN_OTHER_LANG_PROB} (all lines, boilerplate included).\n")
        L.append("| source | doc lang | lines | 'und' | flagged | flagged as | flagged without the script check |")
        L.append("|---|---|---|---|---|---|---|")
        for src, langs_ in report["real"].items():
            for lang, v in langs_.items():
                by = ", ".join(f"{k} {c}" for k, c in v["flagged_by"].items()) or "–"
                L.append(f"| {src} | {lang} | {v['lines']:,} | {pct(v['und'] / v['lines'])}% | {v['flagged']} ({100 * v['flagged'] / v['lines']:.2f}%) | {by} | {v['flagged_without_script_check']} |")
    for note in report.get("notes", []):
        L.append(f"\nNote: {note}")


def print_table(report: dict) -> None:
    print(f"{'model':28s} " + " ".join(f"{g:>18s}" for g in GRANULARITIES) + "   seconds")
    for n, m in report["models"].items():
        cells = [f"{pct(m['macro'].get(g, float('nan'))):>8s} ({pct(m['macro_supported'].get(g, float('nan'))):>5s})" for g in GRANULARITIES]
        print(f"{n:28s} " + " ".join(f"{c:>18s}" for c in cells) + f"   {m['seconds']:.1f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=default_data_dir())
    ap.add_argument("--quick", action="store_true", help="subsample: 60 items per language x granularity")
    ap.add_argument("--models", default="lid176", help="comma list of lid176,lid176-noscript,py3langid,lingua,lingua-low, or 'all'")
    ap.add_argument("--md", type=Path, help="write a markdown report here")
    ap.add_argument("--json", type=Path, help="write the full results here")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-paragraph", action="store_true")
    ap.add_argument("--speed-only", action="store_true", help="measure speed only (no accuracy, no paragraph checks)")
    ap.add_argument("--show-flags", type=int, default=0, help="print N flagged real lines to stderr (not saved)")
    args = ap.parse_args(argv)

    if not (args.data_dir / "lid-sentences.jsonl.zst").exists():
        print(f"no data in {args.data_dir}", file=sys.stderr)
        return 2
    names = list(_MODEL_FACTORIES) if args.models == "all" else args.models.split(",")
    items = load_items(args.data_dir, args.quick)
    models, notes = make_models(names)
    report: dict = {
        "command": "python bench/lid_accuracy.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "quick": args.quick,
        "n_items": len(items),
        "models": {},
        "notes": notes,
    }
    for name, predict, supported in [] if args.speed_only else models:
        res, secs = evaluate(items, predict)
        report["models"][name] = {**summarise(res, supported), "seconds": secs}
        print(f"{name}: {secs:.1f} s", file=sys.stderr)
    li = LanguageIdentifier()
    if not (args.no_paragraph or args.speed_only):
        t0 = time.perf_counter()
        report["paragraph"] = paragraph_eval(items, li)
        report["real"] = real_paragraph_flags(args.data_dir, li, args.quick, args.show_flags)
        print(f"paragraph checks: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if not args.no_speed:
        report["speed"] = speed(items, models, li, seconds=1.5 if args.quick else 6.0)
    print_table(report)
    if "speed" in report:
        for k, v in report["speed"].items():
            if isinstance(v, dict):
                print(f"speed {k:34s} " + "  ".join(f"{kk} {vv:,.0f}" for kk, vv in v.items()))
    if "paragraph" in report:
        pe = report["paragraph"]
        print("false flags identify() -> identify_paragraphs() at t=0.8:", {g: f"{pct(v)} -> {pct(pe['false_flag_paragraphs']['0.8'][g])}" for g, v in pe["false_flag_identify"]["0.8"].items()})
        print("English items reported as en at t=0.8:", {d: pct(v["0.8"]) for d, v in pe["english_sentence_flagged_en"].items()})
        for src, langs_ in report.get("real", {}).items():
            for lang, v in langs_.items():
                print(f"real {src} {lang}: lines {v['lines']} und {v['und']} flagged {v['flagged']} {v['flagged_by']}")
    if args.md:
        args.md.write_text(markdown(report), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
