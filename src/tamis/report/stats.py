"""What the report shows, gathered in one streaming pass over a run folder's records.

Nothing holds more than a bounded sample per language: signal values are kept by reservoir sampling
(`max_values` documents per language), examples of rejected documents and removed lines by first
occurrence, so a report over millions of documents needs little memory.
"""

from __future__ import annotations

import os
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from tamis.commands import RunFolderError, iter_records, read_summary, shard_paths
from tamis.document import Edit
from tamis.edits import rebuild_original

# The signals whose distributions the report draws: those the default policy bounds, in reading order.
MAIN_SIGNALS = (
    "words", "removed_char_frac", "lang_score", "stop_word_frac", "mean_word_chars", "alpha_word_frac",
    "words_per_sentence", "newline_word_ratio", "symbol_char_frac", "upper_char_frac", "script_share",
    "mojibake_char_frac", "dup_line_frac", "top_2gram_char_frac", "dup_5gram_char_frac",
)
NOT_REMOVALS = frozenset({"unicode-repair"})


@dataclass
class Example:
    id: str
    lang: str
    text: str  # a short excerpt, plain text (escaped when rendered)
    detail: str = ""  # measured value and threshold, or the edit's values


@dataclass
class LangCounts:
    read: int = 0
    kept: int = 0
    rejected: int = 0
    duplicates: int = 0  # rejected as copies by the corpus stage
    chars_in: int = 0
    bytes_in: int = 0
    bytes_kept: int = 0
    bytes_rejected: int = 0


@dataclass
class RunStats:
    run: str
    summary: dict[str, Any] | None = None
    langs: dict[str, LangCounts] = field(default_factory=lambda: defaultdict(LangCounts))
    quarantined: int = 0
    quarantined_by_error: Counter[str] = field(default_factory=Counter)
    # reason -> lang -> [lines, chars, documents]
    removed: dict[str, dict[str, list[int]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(lambda: [0, 0, 0])))
    rejected_by_rule: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # rule -> lang -> docs
    # lang -> list of (kind, {signal: value}) sampled documents; seen counts documents offered
    signal_sample: dict[str, list[tuple[str, dict[str, float | None]]]] = field(default_factory=lambda: defaultdict(list))
    signal_seen: Counter[str] = field(default_factory=Counter)
    rejected_examples: dict[str, dict[str, list[Example]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    removed_examples: dict[str, dict[str, list[Example]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    cluster_sizes: dict[str, int] = field(default_factory=dict)  # cluster_id -> documents
    duplicates_by_kind: Counter[str] = field(default_factory=Counter)

    @property
    def documents(self) -> int:
        return sum(c.read for c in self.langs.values()) + self.quarantined

    def lang_order(self) -> list[str]:
        """Languages by number of documents, most first."""
        return sorted(self.langs, key=lambda lang: (-self.langs[lang].read, lang))


def collect(run: str, *, max_values: int = 20_000, examples: int = 5, seed: int = 0) -> RunStats:
    """Read OUT/kept, OUT/rejected and OUT/quarantine once and gather the report's facts."""
    st = RunStats(run=os.path.abspath(run), summary=read_summary(run))
    rng = random.Random(seed)
    for kind in ("kept", "rejected"):
        for rec in iter_records(run, kind):
            _add(st, kind, rec, rng, max_values, examples)
    for rec in iter_records(run, "quarantine"):
        st.quarantined += 1
        st.quarantined_by_error[str(rec.get("error") or "").split(":", 1)[0]] += 1
    return st


def _add(st: RunStats, kind: str, rec: dict[str, Any], rng: random.Random, max_values: int, examples: int) -> None:
    lang = rec.get("lang") or "und"
    text = rec.get("text") or ""
    edits = [Edit.from_json(e) for e in rec.get("edits") or []]
    original = rebuild_original(text, edits)
    doc_id = str(rec.get("id"))
    c = st.langs[lang]
    c.read += 1
    c.chars_in += len(original)
    c.bytes_in += len(original.encode("utf-8", "surrogatepass"))
    out_bytes = len(text.encode("utf-8", "surrogatepass"))
    if kind == "kept":
        c.kept += 1
        c.bytes_kept += out_bytes
    else:
        c.rejected += 1
        c.bytes_rejected += out_bytes

    seen_reasons: set[str] = set()
    for e in edits:
        lines = 0 if e.repl or not e.orig else e.orig.count("\n") + (0 if e.orig.endswith("\n") else 1)
        row = st.removed[e.reason][lang]
        row[0] += lines
        row[1] += len(e.orig) - len(e.repl)
        if e.reason not in seen_reasons:
            row[2] += 1
            seen_reasons.add(e.reason)
        ex = st.removed_examples[e.reason][lang]
        if e.reason not in NOT_REMOVALS and len(ex) < examples and e.orig.strip():
            ex.append(Example(doc_id, lang, _excerpt(e.orig, 160), _values(e.values)))

    for failure in rec.get("reasons") or []:
        rule = str(failure.get("rule"))
        st.rejected_by_rule[rule][lang] += 1
        if rule == "duplicate":
            c.duplicates += 1
            st.duplicates_by_kind[str(failure.get("kind"))] += 1
            if failure.get("cluster_id"):
                st.cluster_sizes[failure["cluster_id"]] = int(failure.get("cluster_size") or 0)
        ex = st.rejected_examples[rule][lang]
        if len(ex) < examples:
            ex.append(Example(doc_id, lang, _excerpt(text or original, 200), _failure(failure)))
    if rec.get("cluster_id"):
        st.cluster_sizes[rec["cluster_id"]] = int(rec.get("cluster_size") or 0)

    signals = rec.get("signals") or {}
    if signals:
        st.signal_seen[lang] += 1
        row_s = (kind, {s: signals.get(s) for s in MAIN_SIGNALS})
        sample = st.signal_sample[lang]
        if len(sample) < max_values:
            sample.append(row_s)
        else:  # reservoir sampling: every document has the same chance to be drawn
            j = rng.randrange(st.signal_seen[lang])
            if j < max_values:
                sample[j] = row_s


def _excerpt(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _values(values: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items()) if values else ""


def _failure(f: dict[str, Any]) -> str:
    if f.get("rule") == "duplicate":
        return f"{f.get('kind')} copy of {f.get('duplicate_of')} (cluster of {f.get('cluster_size')}, similarity {f.get('similarity')})"
    bound = "min" if "min" in f else "max"
    return f"{f.get('signal')} = {f.get('value')} ({bound} {f.get(bound)})"


def require_run(run: str) -> None:
    """Raise RunFolderError unless `run` is a folder holding kept/, rejected/ or quarantine/ shards."""
    if not os.path.isdir(run) or not any(shard_paths(run, part) for part in ("kept", "rejected", "quarantine")):
        raise RunFolderError(f"{run}: no kept/, rejected/ or quarantine/ shards; give the output folder of `tamis clean`")
