"""`tamis calibrate OUT [-o policy.yaml] [--percentile P]`: document thresholds from your own data.

Method (docs/policy.md has the reasoning):
1. Reference documents: per language, the documents the run kept whose line cleaning removed at
   most `--max-removed` of their characters: pages that were mostly content to begin with (pages
   that were mostly navigation lose most of their text to line cleaning and stay out).
   `--include-rejected` adds the rejected ones, to loosen a run whose policy was too strict.
2. For every rule of the base policy (the packaged one, or `--policy`) that applies to the
   language, the threshold is the P-th percentile of the rule's signal over the reference for a
   `min_` rule, the (100−P)-th for a `max_` rule: by construction each rule alone rejects about P%
   of the reference. Documents where the signal is None do not count.
3. The threshold is then capped by `LIMITS`: never stricter than what some real text falls under
   (a poem has no sentence punctuation; a `max_mojibake_char_frac` of 0 because no reference
   document had mojibake would reject a single stray byte).
4. Rules on what cleaning removed (`removed_char_frac`, `removed_line_frac`) keep the base
   policy's threshold: the reference is chosen by that signal.
5. Languages with fewer than `--min-docs` reference documents get no section of their own: they
   use the `default` section, which is copied from the base policy.
The policy file is YAML with a comment per rule (percentile value, clamp, how many documents of
the run it rejects); edit it and pass it to `tamis apply --policy` or `tamis clean --config`.

Exit codes: 0 done; 2 the command cannot run (bad arguments or run folder: nothing was written);
1 an unexpected internal error.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tamis.commands import RunFolderError, check_run_folder, iter_records, load_policy

# The strictest threshold calibration may produce, per signal: (highest `min` bound, lowest `max`
# bound). They come from real texts that look odd on one signal: a poem or a recipe's ingredient list
# (short lines without sentence punctuation, few words per line), a three-sentence brief (40 words),
# a news lead repeated as the body's first sentence (a third of the text in repeated n-grams), a
# song's refrain (repeated lines), an Arabic article whose paragraphs all start with "-". Without
# them a signal that is 0 in every reference document (mojibake) would become `max: 0`.
NO_BOUND = (math.inf, -math.inf)
LIMITS: dict[str, tuple[float, float]] = {
    "chars": (1, -math.inf),  # min_chars only drops empty documents
    "words": (20, -math.inf),  # a two-sentence brief
    "lines": (3, -math.inf),
    "sentences": (3, -math.inf),
    "lang_score": (0.8, math.inf),
    "words_per_sentence": (5, 150),
    "mean_word_chars": (3.0, 6.0),
    "alpha_word_frac": (0.8, math.inf),
    "stop_words": (3, -math.inf),
    "stop_word_frac": (0.3, math.inf),
    "symbol_word_ratio": (math.inf, 0.05),
    "symbol_char_frac": (math.inf, 0.02),
    "digit_char_frac": (math.inf, 0.15),
    "upper_char_frac": (math.inf, 0.25),
    "script_share": (0.8, math.inf),
    "mojibake_char_frac": (math.inf, 0.005),
    "newline_word_ratio": (0.0, 0.25),
    "sentence_end_line_frac": (0.3, math.inf),
    "short_line_frac": (0.0, 1.0),  # poems: every line is short
    "bullet_line_frac": (0.0, 1.0),  # lists and dashed paragraphs: every line is a bullet
    "ellipsis_line_frac": (0.0, 0.3),
    "dup_line_frac": (0.0, 0.3),
    "dup_line_char_frac": (0.0, 0.2),
    **{f"top_{n}gram_char_frac": (0.0, 0.15) for n in (2, 3, 4)},
    **{f"dup_{n}gram_char_frac": (0.0, 0.35) for n in range(5, 11)},
}
# The reference is chosen by how much cleaning removed: rules on that are kept from the base policy.
NOT_CALIBRATED = frozenset({"removed_char_frac", "removed_line_frac"})
INTEGER_SIGNALS = frozenset({"chars", "words", "lines", "sentences", "stop_words"})


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="derive per-language document thresholds from a finished run, and report what each rejects",
        description=(
            "Derive document-rule thresholds for each language from the signals of a finished `tamis clean` "
            "run (OUT/kept/ and OUT/rejected/). For a min_ rule the threshold is the P-th percentile of the "
            "signal over the language's reference documents (kept ones whose line cleaning removed at most "
            "--max-removed of their characters), for a max_ rule the (100-P)-th, never stricter than a "
            "limit real texts need (poems, briefs, recipe lists). "
            "Prints per language and rule how many documents of the run the rule would reject, and writes "
            "the thresholds as a commented YAML policy file (-o) for `tamis apply --policy`."
        ),
    )
    p.add_argument("run", metavar="OUT", help="output folder of `tamis clean`")
    p.add_argument("-o", "--output", metavar="FILE", help="write the policy here (YAML); default: print only the report")
    p.add_argument("--percentile", type=float, default=0.5, metavar="P",
                   help="share (%%) of reference documents each rule may reject on its own (default 0.5)")
    p.add_argument("--max-removed", type=float, default=0.2, metavar="FRAC",
                   help="reference documents lost at most this share of characters to line cleaning (default 0.2)")
    p.add_argument("--include-rejected", action="store_true",
                   help="reference documents may be rejected ones too (to loosen a run's too strict policy)")
    p.add_argument("--min-docs", type=int, default=200, metavar="N",
                   help="languages with fewer reference documents use the default section (default 200)")
    p.add_argument("--policy", metavar="FILE", help="base policy whose rules are calibrated (default: the packaged one)")
    p.set_defaults(func=_cmd_calibrate)


@dataclass
class RuleCalibration:
    name: str
    signal: str
    bound: str  # "min" | "max"
    threshold: float
    percentile_value: float | None  # None: no reference value (signal absent): threshold kept from the base
    clamped: str = ""  # "" | "raised to the limit" | "lowered to the limit" (the strictest allowed)
    rejects: int = 0  # documents of the language (all of the run) the rule rejects
    rejects_alone: int = 0  # ... that no other rule rejects


@dataclass
class LanguageCalibration:
    lang: str
    docs: int
    reference: int
    rules: list[RuleCalibration] = field(default_factory=list)
    rejected: int = 0  # documents failing at least one rule
    rejected_before: int = 0  # documents the run rejected


def calibrate(run_dir: str, base_policy: dict[str, Any], *, percentile: float = 0.5, max_removed: float = 0.2,
              min_docs: int = 200, include_rejected: bool = False) -> list[LanguageCalibration]:
    """Per-language thresholds from the run's stored signals (see the module docstring)."""
    from tamis.policy.rules import rules_for

    check_run_folder(run_dir)
    if not 0 <= percentile <= 50:
        raise RunFolderError("--percentile must be between 0 and 50")
    by_lang: dict[str, list[tuple[dict[str, Any], bool, bool]]] = defaultdict(list)  # (signals, reference, was rejected)
    for part in ("kept", "rejected"):
        for rec in iter_records(run_dir, part):
            s = rec.get("signals") or {}
            removed = s.get("removed_char_frac")
            ref = (removed is not None and removed <= max_removed and bool(s.get("chars"))
                   and (include_rejected or part == "kept"))
            by_lang[rec.get("lang") or "und"].append((s, ref, part == "rejected"))
    out = []
    for lang, docs in sorted(by_lang.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        ref_docs = [s for s, ref, _ in docs if ref]
        cal = LanguageCalibration(lang, len(docs), len(ref_docs), rejected_before=sum(r for _, _, r in docs))
        if len(ref_docs) >= min_docs:
            for rule in rules_for(base_policy, lang):
                cal.rules.append(_calibrate_rule(rule.name, rule.signal, rule.bound, rule.threshold, ref_docs, percentile))
            _count_rejections(cal, [s for s, _, _ in docs])
        out.append(cal)
    return out


def _calibrate_rule(name: str, signal: str, bound: str, base: float, ref: list[dict[str, Any]],
                    percentile: float) -> RuleCalibration:
    if signal in NOT_CALIBRATED:
        return RuleCalibration(name, signal, bound, base, None)
    values = np.array([v for s in ref if isinstance(v := s.get(signal), (int, float)) and not isinstance(v, bool)],
                      dtype=float)
    if not len(values):
        return RuleCalibration(name, signal, bound, base, None)
    q = percentile if bound == "min" else 100 - percentile
    value = float(np.percentile(values, q, method="lower"))  # an observed value, not an interpolation
    threshold = value
    clamped = ""
    highest_min, lowest_max = LIMITS.get(signal, NO_BOUND)
    if bound == "min" and threshold > highest_min:
        threshold, clamped = highest_min, "lowered to the limit"
    elif bound == "max" and threshold < lowest_max:
        threshold, clamped = lowest_max, "raised to the limit"
    threshold = _nice(threshold, signal, bound)
    return RuleCalibration(name, signal, bound, threshold, value, clamped)


def _nice(x: float, signal: str, bound: str) -> float:
    """Round outward (looser) to a readable number: integers for counts, 3 decimals for ratios."""
    if signal in INTEGER_SIGNALS:
        return float(math.floor(x) if bound == "min" else math.ceil(x))
    step = 1000.0
    return (math.floor(x * step) if bound == "min" else math.ceil(x * step)) / step


def _count_rejections(cal: LanguageCalibration, docs: list[dict[str, Any]]) -> None:
    from tamis.policy.rules import Rule

    rules = [Rule(r.name, r.signal, r.bound, r.threshold) for r in cal.rules]
    for s in docs:
        failed = [i for i, rule in enumerate(rules) if rule.check(s) is not None]
        if failed:
            cal.rejected += 1
            for i in failed:
                cal.rules[i].rejects += 1
            if len(failed) == 1:
                cal.rules[failed[0]].rejects_alone += 1


def report(cals: list[LanguageCalibration], min_docs: int) -> str:
    lines = []
    skipped = []
    for cal in cals:
        if not cal.rules:
            skipped.append(f"{cal.lang} ({cal.reference} of {cal.docs})")
            continue
        lines.append(f"{cal.lang}: {cal.docs} documents, {cal.reference} reference; the calibrated rules reject "
                     f"{cal.rejected} ({_pct(cal.rejected, cal.docs)}), the run rejected {cal.rejected_before} "
                     f"({_pct(cal.rejected_before, cal.docs)}, for any reason)")
        rows = [("rule", "signal", "percentile value", "threshold", "rejects", "only this rule")]
        for r in cal.rules:
            pv = "—" if r.percentile_value is None else _fmt(r.percentile_value)
            thr = f"{r.bound} {_fmt(r.threshold)}" + (" (limit)" if r.clamped else "")
            rows.append((r.name, r.signal, pv, thr, f"{r.rejects} ({_pct(r.rejects, cal.docs)})", str(r.rejects_alone)))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for k, row in enumerate(rows):
            lines.append("  " + "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
            if k == 0:
                lines.append("  " + "  ".join("-" * w for w in widths))
        lines.append("")
    if skipped:
        lines.append(f"fewer than {min_docs} reference documents (they keep the default section): " + ", ".join(skipped))
    return "\n".join(lines).rstrip() + "\n"


def policy_yaml(cals: list[LanguageCalibration], base_policy: dict[str, Any], *, run_dir: str, percentile: float,
                max_removed: float, min_docs: int) -> str:
    """The calibrated thresholds as a policy file a person can read and edit."""
    out = [
        f"# Document policy calibrated by `tamis calibrate {run_dir} --percentile {_fmt(percentile)}`",
        f"# on {time.strftime('%Y-%m-%d')}. Each language's thresholds are the {_fmt(percentile)}th percentile (min_ rules)",
        f"# or the {_fmt(100 - percentile)}th (max_ rules) of the signal over its reference documents (kept ones whose",
        f"# line cleaning removed at most {_fmt(max_removed)} of their characters), never stricter than the limits",
        "# real texts need (tamis.commands.calibrate.LIMITS: poems, short briefs, recipe lists).",
        "# Comments: the percentile value, and how many of the language's documents in the run the rule",
        "# rejects (\"alone\": that no other rule rejects). Edit freely; null disables a rule. Use with",
        "# `tamis apply RUN --policy THIS_FILE -o OUT2` (try `--dry-run` first) or `tamis clean --config`.",
        "policy:",
        "  documents:",
        f"    # Languages with fewer than {min_docs} reference documents use this section (copied, not calibrated).",
        "    default:",
    ]
    for name, spec in (base_policy["documents"].get("default") or {}).items():
        out.append(f"      {name}: {_flow(spec)}")
    calibrated = {cal.lang for cal in cals if cal.rules}
    for lang, rules in base_policy["documents"].items():
        if lang != "default" and lang not in calibrated:
            out.append("    # Too few reference documents to calibrate: copied from the base policy.")
            out.append(f"    {_yaml_key(lang)}:" + ("" if rules else " {}"))
            for name, spec in (rules or {}).items():
                out.append(f"      {name}: {_flow(spec)}")
    for cal in cals:
        if not cal.rules:
            continue
        out.append(f"    # {cal.docs} documents, {cal.reference} reference; all rules together reject {cal.rejected} "
                   f"({_pct(cal.rejected, cal.docs)})")
        out.append(f"    {_yaml_key(cal.lang)}:")
        for r in cal.rules:
            spec = {"signal": r.signal, r.bound: r.threshold}
            if r.signal in NOT_CALIBRATED:
                note = "kept from the base policy (the reference is chosen by this signal)"
            elif r.percentile_value is None:
                note = "no reference value: kept from the base policy"
            else:
                note = f"p = {_fmt(r.percentile_value)}" + (f", {r.clamped}" if r.clamped else "")
            note += f"; rejects {r.rejects} ({_pct(r.rejects, cal.docs)}), alone {r.rejects_alone}"
            out.append(f"      {r.name}: {_flow(spec)}  # {note}")
    return "\n".join(out) + "\n"


def _flow(spec: Any) -> str:
    if spec is None:
        return "null"
    return "{" + ", ".join(f"{k}: {_num(v, spec.get('signal', '')) if k in ('min', 'max') else v}"
                           for k, v in spec.items()) + "}"


def _num(x: float, signal: str) -> str:
    if signal in INTEGER_SIGNALS and float(x).is_integer():
        return str(int(x))
    return _fmt(x)


def _fmt(x: float) -> str:
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "0%"


def _yaml_key(lang: str) -> str:
    # Codes YAML would read as something else ("no" is false, "on" is true in YAML 1.1).
    return f'"{lang}"' if lang.lower() in {"no", "yes", "on", "off", "y", "n", "true", "false", "null"} else lang


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from tamis.cli import EXIT_OK

    base = load_policy(args.policy)["policy"]
    cals = calibrate(args.run, base, percentile=args.percentile, max_removed=args.max_removed, min_docs=args.min_docs,
                     include_rejected=args.include_rejected)
    sys.stdout.write(report(cals, args.min_docs))
    if args.output:
        text = policy_yaml(cals, base, run_dir=args.run, percentile=args.percentile, max_removed=args.max_removed,
                           min_docs=args.min_docs)
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"policy written to {args.output}")
    return EXIT_OK


__all__ = ["LIMITS", "LanguageCalibration", "RuleCalibration", "add_parser", "calibrate", "policy_yaml", "report"]
