"""A document's journey: normalize → segment → signals → policy → output record.

`Cleaner.process` is a pure function of a batch of documents (plus the models and config it was
built with), so a local process pool and Ray run the same code. Signals are computed in
`compute_signals`; `decide` turns stored signals into edits and a decision and is all that
`tamis apply` re-runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tamis.document import Document, Edit
from tamis.edits import apply_edits, compose_edits
from tamis.lang_data import lang_data
from tamis.normalize.unicode import NormalizeConfig, normalize_text
from tamis.policy.lines import LineSignals, collapse_blanks, decide_lines, removal_spans
from tamis.policy.passages import repeated_passages
from tamis.policy.rules import Rule, check_document, rules_for
from tamis.run.budget import DocumentTimeout, IsolatedError, can_isolate, run_isolated, time_budget
from tamis.segment.lines import split_lines
from tamis.segment.words import Tokens, line_word_counts, tokenize
from tamis.signals.document import Known, document_signals
from tamis.signals.langid import UND, LanguageIdentifier
from tamis.signals.line_features import line_features, line_features_many
from tamis.signals.line_model import LineModel

log = logging.getLogger("tamis")

MAX_PASSES = 4  # line scoring is repeated on the surviving lines until nothing more goes
# Documents shorter than this have their first scoring pass done for the whole batch at once
# (Cleaner.process): same scores, a fraction of the numpy calls. Longer ones are scored alone.
BATCH_MAX_CHARS = 100_000
# Lines per batched call: enough to share the per-call cost among many short documents, few enough
# that the per-line arrays (a few hundred counters per line) stay in the CPU cache.
BATCH_MAX_LINES = 1_000


@dataclass(slots=True)
class Signals:
    """Everything the policy needs, stored beside the output so decisions can be re-made."""

    norm_edits: list[Edit]
    lang: str
    lang_score: float
    lines: LineSignals
    passes: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "norm_edits": [e.to_json() for e in self.norm_edits],
            "lang": self.lang,
            "lang_score": round(self.lang_score, 4),
            "lines": self.lines.to_json(),
            "passes": self.passes,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Signals":
        return cls([Edit.from_json(e) for e in d["norm_edits"]], d["lang"], d["lang_score"],
                   LineSignals.from_json(d["lines"]), d.get("passes", 1))


@dataclass(slots=True)
class _Prepared:
    """A text normalized, segmented and with its language: what line scoring starts from."""

    normalized: str
    norm_edits: list[Edit]
    lines: list[str]
    words: list[int]
    nonblank: list[int]  # the lines that are not blank (the only ones scored)
    lang: str
    lang_score: float
    assumed: dict[str, tuple[str, float]]
    tokens: Tokens  # the words of `normalized`
    first_scores: list[float] | None = None  # first scoring pass of the nonblank lines (_first_pass)
    seconds: float = 0.0  # wall-clock time _prepare took in the batched pass (charged to the document's budget)


@dataclass(slots=True)
class Result:
    """The outcome for one document: where it goes and the record written there."""

    kind: str  # "kept" | "rejected" | "quarantined"
    record: dict[str, Any]
    signals: dict[str, Any] | None = None  # the stored signals (kept and rejected only)
    lang: str = "und"
    bytes_in: int = 0
    bytes_out: int = 0
    removed: dict[str, list[int]] = field(default_factory=dict)  # reason -> [lines, chars]


class Cleaner:
    """Holds the models and config; `process` maps a batch of documents to results."""

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.norm_cfg = NormalizeConfig(**config["normalize"])
        self.langid = LanguageIdentifier(config["langid"]["model"], max_chars=int(config["langid"]["max_chars"]))
        self.line_model = LineModel.load(config["lines"]["model"])
        self.policy = config["policy"]
        self._rules: dict[str, list[Rule]] = {}  # document rules per language (see process_one)

    def process(self, docs: list[Document]) -> list[Result]:
        first = self._first_pass(docs)
        # pop: a document's prepared state is freed as soon as it is cleaned
        return [self._process_safely(d, first.pop(i, None)) for i, d in enumerate(docs)]

    def _first_pass(self, docs: list[Document]) -> dict[int, "_Prepared"]:
        """Normalization, language and the first pass of line scores of the batch's documents under
        BATCH_MAX_CHARS, with the line features and model run once per language for all of them.
        Any failure or timeout here gives {}: every document is then cleaned on its own, where its
        error or time is its own (and quarantines it alone)."""
        budget = (self.config.get("run") or {}).get("max_doc_seconds")
        try:
            with time_budget(budget):
                prepared = {}
                for i, d in enumerate(docs):
                    # Documents that _process_safely cleans in a forked child are never prepared here.
                    if len(d.text) < BATCH_MAX_CHARS and not self._isolated(d):
                        t0 = time.monotonic()
                        prepared[i] = self._prepare(d.text)
                        prepared[i].seconds = time.monotonic() - t0  # charged to the document's budget
                by_lang: dict[str, list[_Prepared]] = {}
                for p in prepared.values():
                    if p.nonblank:
                        by_lang.setdefault(p.lang, []).append(p)
                for lang, group in by_lang.items():
                    for chunk in _chunks(group, BATCH_MAX_LINES):
                        active = [[p.lines[i] for i in p.nonblank] for p in chunk]
                        sizes = [len(a) for a in active]
                        scores = self.line_model.score(line_features_many(active, lang), sizes).tolist()
                        at = 0
                        for p, k in zip(chunk, sizes):
                            p.first_scores = scores[at : at + k]
                            at += k
        except (Exception, DocumentTimeout) as exc:  # noqa: BLE001 - each document then goes alone
            log.warning("batched first pass failed (%s: %s); cleaning the batch's %d documents one by one",
                        type(exc).__name__, exc, len(docs))
            return {}
        return prepared

    def _process_safely(self, doc: Document, prepared: "_Prepared | None" = None) -> Result:
        # One document's failure must not lose the batch, nor a pathological one hold the worker: it
        # goes to quarantine with the error. run.max_doc_seconds bounds the time; a long document
        # runs in a forked child killed at the bound, which no native call can outlast.
        budget = (self.config.get("run") or {}).get("max_doc_seconds")
        try:
            if self._isolated(doc):
                return run_isolated(lambda: self.process_one(doc), budget)
            # A document prepared in the batch has spent part of its time there already.
            with time_budget(max(budget - prepared.seconds, 1e-3) if budget and prepared else budget):
                return self.process_one(doc, prepared)
        except DocumentTimeout:
            error = (f"time budget exceeded: still being cleaned after {budget} s (run.max_doc_seconds), "
                     f"{len(doc.text)} characters")
        except IsolatedError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - anything a document triggers is reported, not raised
            error = f"{type(exc).__name__}: {exc}"
        return quarantine_result(doc.source, doc.position, error, doc.id, len(doc.text.encode("utf-8", "replace")))

    def _isolated(self, doc: Document) -> bool:
        """Is `doc` cleaned in a forked child killed at its time bound (run.isolate_min_chars)?"""
        run = self.config.get("run") or {}
        budget, isolate = run.get("max_doc_seconds"), run.get("isolate_min_chars")
        return bool(budget) and isolate is not None and len(doc.text) >= isolate and can_isolate()

    def process_one(self, doc: Document, prepared: "_Prepared | None" = None) -> Result:
        prepared = prepared or self._prepare(doc.text)
        normalized, sig = self.compute_signals(doc.text, prepared)
        rules = self._rules.get(sig.lang)
        if rules is None:  # the policy is fixed for the cleaner's life: parsed once per language
            rules = self._rules[sig.lang] = rules_for(self.policy, sig.lang)
        return decide(doc, normalized, sig, self.policy, self.line_model.threshold, rules=rules,
                      tokens=prepared.tokens)

    def compute_signals(self, original: str, prepared: "_Prepared | None" = None) -> tuple[str, Signals]:
        """`prepared`: what _prepare (and _first_pass) computed for this text, if they did."""
        p = prepared or self._prepare(original)
        lines, words, nonblank, lang = p.lines, p.words, p.nonblank, p.lang
        sig, passes, kept = self._line_signals(lines, words, nonblank, lang, p.assumed, p.first_scores)
        lang_score = p.lang_score
        # The language is finally that of the kept text (a page whose menus are in English can hold
        # a Vietnamese article). If it differs, the lines are judged again in that language, which
        # is also what cleaning the cleaned text would find.
        if kept and kept != nonblank:  # the same lines give the same answer
            assumed2: dict[str, tuple[str, float]] = {}
            lang2, score2 = self._identify(lines, words, kept, self.policy["lines"]["min_other_language_words"], assumed2)
            if lang2 != lang and lang2 != UND:
                lang, lang_score = lang2, score2
                sig, passes, _ = self._line_signals(lines, words, nonblank, lang, assumed2)
            elif lang2 == lang:
                lang_score = score2
        return p.normalized, Signals(p.norm_edits, lang, lang_score, sig, passes)

    def _prepare(self, original: str) -> "_Prepared":
        """Normalize, segment and identify the language: everything before line scoring."""
        normalized, norm_edits = normalize_text(original, self.norm_cfg)
        lines, starts = split_lines(normalized)
        tokens = tokenize(normalized)
        words = line_word_counts(normalized, starts)
        # The document language is read off the predictions of its paragraphs (the lines that
        # _line_signals has identify_paragraphs judge), which are made once and remembered.
        min_words = self.policy["lines"]["min_other_language_words"]
        nonblank = [i for i, x in enumerate(lines) if x and not x.isspace()]
        # Paragraphs the language identifier took to be in the text's language without predicting
        # them (see LanguageIdentifier.identify_by_paragraphs), for identify_paragraphs.
        assumed: dict[str, tuple[str, float]] = {}
        lang, lang_score = self._identify(lines, words, nonblank, min_words, assumed)
        return _Prepared(normalized, norm_edits, lines, words, nonblank, lang, lang_score, assumed, tokens)

    def _identify(self, lines: list[str], words: list[int], idx: list[int], min_words: int,
                  assumed: dict[str, tuple[str, float]] | None = None) -> tuple[str, float]:
        """The language of the text made of lines[i] for i in idx."""
        return self.langid.identify_by_paragraphs([lines[i] for i in idx],
                                                  [lines[i] for i in idx if words[i] >= min_words],
                                                  assumed=assumed)

    def _line_signals(self, lines: list[str], words: list[int], nonblank: list[int],
                      lang: str, assumed: dict[str, tuple[str, float]] | None = None,
                      first_scores: list[float] | None = None) -> tuple[LineSignals, int, list[int]]:
        """Line signals in language `lang`, the number of scoring passes, and the non-blank lines
        kept by the last pass's decisions (blank lines are never scored: `nonblank` lists the others).
        `first_scores`: the first pass's scores of the `nonblank` lines, when already computed."""
        cfg = {**self.policy["lines"], "collapse_blank_lines": False}
        n = len(lines)
        para_lang = [""] * n
        para_prob = [0.0] * n
        long_idx = [i for i, w in enumerate(words) if w >= cfg["min_other_language_words"]]
        paras = self.langid.identify_paragraphs([lines[i] for i in long_idx], lang, assumed=assumed)
        for i, (plang, pprob) in zip(long_idx, paras):
            para_lang[i], para_prob[i] = plang, round(pprob, 4)
        sig = LineSignals([0.0] * n, para_lang, para_prob, words)
        active = nonblank
        passes = 0
        # Score the surviving lines again until the decisions stop changing: cleaning a cleaned
        # text then changes nothing. Each line keeps the score of the pass that last saw it.
        while active and passes < MAX_PASSES:
            passes += 1
            if passes == 1 and first_scores is not None:
                scores = first_scores
            else:
                scores = self.line_model.score(line_features([lines[i] for i in active], lang)).tolist()
            for i, s in zip(active, scores):
                sig.score[i] = round(s, 4)  # stored rounded: apply decides on the same value
            decisions = decide_lines(lines, sig, lang, cfg, self.line_model.threshold)
            survivors = [i for i, d in enumerate(decisions) if d is None and lines[i].strip()]
            if survivors == active:
                break
            active = survivors
        return sig, passes, active


def _chunks(group: list[_Prepared], max_lines: int) -> Iterator[list[_Prepared]]:
    """Consecutive runs of `group` of at most `max_lines` non-blank lines (a longer document alone)."""
    chunk: list[_Prepared] = []
    lines = 0
    for p in group:
        if chunk and lines + len(p.nonblank) > max_lines:
            yield chunk
            chunk, lines = [], 0
        chunk.append(p)
        lines += len(p.nonblank)
    if chunk:
        yield chunk


def decide(doc: Document, normalized: str, sig: Signals, policy: dict[str, Any], default_threshold: float,
           known: Known | None = None, rules: list[Rule] | None = None, tokens: Tokens | None = None) -> Result:
    """Apply the policy to stored signals: line edits, document signals, keep or reject.
    `known`: the document's cleaned text and signals from an earlier run, reused if unchanged.
    `rules`: rules_for(policy, sig.lang), when the caller has them already. `tokens`:
    tokenize(normalized), likewise."""
    lines, starts = split_lines(normalized)
    cfg = policy["lines"]
    decisions = decide_lines(lines, sig.lines, sig.lang, cfg, default_threshold)
    passages: list[tuple[int, int, str, dict[str, Any]]] = []
    if cfg["remove_duplicate_passages"]:
        passages, whole = repeated_passages(normalized, starts, lines, [d is None for d in decisions],
                                            lang_data(sig.lang).sentence_end, cfg["min_duplicate_passage_chars"],
                                            cfg["min_duplicate_passage_line_chars"], tokens)
        if whole:  # lines that copies fill: removed whole, like the line rules' removals
            for i, values in whole.items():
                decisions[i] = ("duplicate-passage", values)
            if cfg["collapse_blank_lines"]:
                collapse_blanks(lines, decisions)
    spans = removal_spans(lines, starts, decisions)
    if passages:
        spans = sorted(spans + passages, key=lambda t: t[:2])
    edits = compose_edits(sig.norm_edits, spans, doc.text, normalized)
    cleaned = apply_edits(doc.text, edits)
    removed: dict[str, list[int]] = {}
    for e in edits:
        r = removed.setdefault(e.reason, [0, 0])
        r[0] += 1 if e.reason != "unicode-repair" else 0
        r[1] += len(e.orig) - len(e.repl)
    kept_lines = sum(1 for i, d in enumerate(decisions) if d is None and lines[i].strip())
    total_lines = sum(1 for x in lines if x.strip())
    doc_sig = document_signals(cleaned, len(doc.text), kept_lines, total_lines, sig.lang_score, sig.lang, known)
    failures = check_document(rules if rules is not None else rules_for(policy, sig.lang), doc_sig)
    record: dict[str, Any] = {"id": doc.id, "text": cleaned, "lang": sig.lang, "lang_score": round(sig.lang_score, 4)}
    for k, v in doc.meta.items():
        if k not in record and not k.startswith("_"):
            record[k] = v
    record["edits"] = [e.to_json() for e in edits]
    record["signals"] = doc_sig
    if failures:
        record["reasons"] = failures
    return Result(
        kind="rejected" if failures else "kept",
        record=record,
        signals={"id": doc.id, **sig.to_json()},
        lang=sig.lang,
        bytes_in=len(doc.text.encode("utf-8")),
        bytes_out=len(cleaned.encode("utf-8")),
        removed=removed,
    )


def quarantine_result(source: str, position: int, error: str, doc_id: str | None = None, bytes_in: int = 0,
                      raw: str | None = None) -> Result:
    record: dict[str, Any] = {"id": doc_id, "source": source, "position": position, "error": error}
    if raw is not None:
        record["raw"] = raw
    return Result(kind="quarantined", record=record, bytes_in=bytes_in)
