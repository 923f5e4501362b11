"""Scoring rules of the scoreboard (standard library only, so the unit tests stay fast).

Line cleaning is scored as a binary classification of page lines with CONTENT as the positive
class: a line is "kept" when its text appears in the tool's output, compared by `line_key`: the
stripped text, NFC, with invisible format characters (Unicode category Cf: zero-width spaces,
joiners, BOMs, direction marks) removed and whitespace runs folded to one space, so that a tool is
not charged for dropping a zero-width space (trafilatura does). Repeated line texts
are matched with multiplicity: when a text occurs k times on the page and m times in the output,
min(k, m) copies count as kept, given first to the copies labelled content (earliest first), then
to the copies whose label is not scored (title, unknown), then to boilerplate copies. Ambiguity is
thus resolved in the tool's favour: we cannot tell which copy it kept.

Only lines labelled content or boilerplate are counted; counts are summed over pages (micro average).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

CONTENT, BOILERPLATE = "content", "boilerplate"
SCORED = (CONTENT, BOILERPLATE)
_ASSIGN_ORDER = {CONTENT: 0, BOILERPLATE: 2}  # every other label (title, unknown): 1


@dataclass
class Counts:
    """Confusion counts with content as the positive class."""

    tp: int = 0  # content kept
    fp: int = 0  # boilerplate kept
    fn: int = 0  # content removed
    tn: int = 0  # boilerplate removed

    def __iadd__(self, other: "Counts") -> "Counts":
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn
        return self

    @property
    def lines(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        """None when the tool kept no scored line (precision undefined)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """None when the group has no content line."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        if self.tp + self.fn == 0:
            return None
        denom = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denom if denom else 0.0

    def to_json(self) -> dict:
        r = lambda x: None if x is None else round(x, 4)  # noqa: E731
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": r(self.precision), "recall": r(self.recall), "f1": r(self.f1)}


_SPACES = re.compile(r"\s+")


def line_key(text: str) -> str:
    """What two lines must share to match (see the module docstring)."""
    text = unicodedata.normalize("NFC", text)
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", text).strip()


def output_line_counts(output: str) -> Counter:
    """Keys of the non-empty output lines with their multiplicity."""
    return Counter(k for k in map(line_key, output.split("\n")) if k)


def kept_flags(lines: Sequence[str], labels: Sequence[str], output: str | None) -> tuple[list[bool], int]:
    """Which page lines count as kept by `output` (None: the document was rejected: nothing kept).

    Returns the flags and the number of output lines that match no page line (a tool that rewrites
    lines, e.g. repairs their Unicode, shows up here: such lines count as removed).
    """
    flags = [False] * len(lines)
    if not output:
        return flags, 0
    available = output_line_counts(output)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(lines):
        k = line_key(text)
        if k:
            groups[k].append(i)
    for text, idx in groups.items():
        m = available.get(text, 0)
        if not m:
            continue
        idx.sort(key=lambda i: (_ASSIGN_ORDER.get(labels[i], 1), i))
        for i in idx[:m]:
            flags[i] = True
        available[text] = max(0, m - len(idx))
    return flags, sum(available.values())


def score_lines(labels: Sequence[str], flags: Sequence[bool]) -> Counts:
    c = Counts()
    for label, kept in zip(labels, flags):
        if label == CONTENT:
            if kept:
                c.tp += 1
            else:
                c.fn += 1
        elif label == BOILERPLATE:
            if kept:
                c.fp += 1
            else:
                c.tn += 1
    return c


def score_page(lines: Sequence[str], labels: Sequence[str], output: str | None) -> tuple[Counts, int]:
    """Counts for one page and its number of unmatched output lines."""
    flags, unmatched = kept_flags(lines, labels, output)
    return score_lines(labels, flags), unmatched


class LineScores:
    """Micro-averaged counts per group: ("all",), ("source", s), ("lang", l), ("source/lang", s, l)."""

    def __init__(self) -> None:
        self.groups: dict[tuple, Counts] = defaultdict(Counts)
        self.pages: Counter = Counter()
        self.unmatched: Counter = Counter()

    def add(self, source: str, lang: str, counts: Counts, unmatched: int = 0) -> None:
        for key in (("all",), ("source", source), ("lang", lang), ("source/lang", source, lang)):
            self.groups[key] += counts
            self.pages[key] += 1
            self.unmatched[key] += unmatched

    def to_json(self) -> dict:
        return {"/".join(k): {**c.to_json(), "pages": self.pages[k], "unmatched_output_lines": self.unmatched[k]}
                for k, c in sorted(self.groups.items())}


# ------------------------------------------------------------------------------------------------
# Documents kept


_SENT_END = re.compile(r"(?:[.!?…。！？؟۔]+[\"'”’»)\]]*)(?=\s|$)|\n+")
_WORD = re.compile(r"[^\W\d_]+")


def count_sentences(text: str, min_words: int = 3) -> int:
    """Pieces of `text` between sentence ends (terminal punctuation before a space, or a line
    break) that hold at least `min_words` letter runs. Deliberately simple and language-blind:
    it only separates real article bodies from stubs."""
    return sum(1 for piece in _SENT_END.split(text) if len(_WORD.findall(piece)) >= min_words)


@dataclass
class KeptShare:
    docs: int = 0
    kept: int = 0

    def add(self, kept: bool) -> None:
        self.docs += 1
        self.kept += bool(kept)

    @property
    def share(self) -> float | None:
        return self.kept / self.docs if self.docs else None

    def to_json(self) -> dict:
        return {"docs": self.docs, "kept": self.kept, "share": None if self.share is None else round(self.share, 4)}


def kept_shares(texts: Iterable[tuple[str, str]], kept_ids: set[str], min_sentences: int = 3) -> dict[str, KeptShare]:
    """`texts` is (id, text); returns the kept share over all documents and over those whose text
    has at least `min_sentences` sentences."""
    out = {"all": KeptShare(), f">={min_sentences} sentences": KeptShare()}
    for doc_id, text in texts:
        kept = doc_id in kept_ids
        out["all"].add(kept)
        if count_sentences(text) >= min_sentences:
            out[f">={min_sentences} sentences"].add(kept)
    return out


def fmt_frac(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"
