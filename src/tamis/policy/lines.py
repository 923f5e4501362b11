"""Turn per-line signals into removals: which lines go, and the reason and values behind each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from tamis.segment.lines import line_key

# A text whose every line scores at least this has no page chrome: on real pages the navigation,
# footer and counters score near 0. Such a text (an article already clean, a poem, a list) loses
# nothing to the score. On the development pages this changes nothing (11 of 2,147 pages qualify).
NO_CHROME_MIN_SCORE = 0.12
NO_CHROME_MIN_LINES = 5  # a shorter text says too little about chrome by its lowest score


@dataclass(slots=True)
class LineSignals:
    """Per-line signals of one document (all lists have one entry per line of the normalized text)."""

    score: Sequence[float]  # content probability from the line model
    lang: list[str]  # paragraph language ("" when not identified)
    lang_prob: list[float]
    words: list[int]

    def to_json(self) -> dict[str, Any]:
        return {
            "score": [round(float(s), 4) for s in self.score],
            "lang": self.lang,
            "lang_prob": [round(p, 4) for p in self.lang_prob],
            "words": self.words,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "LineSignals":
        return cls(d["score"], d["lang"], d["lang_prob"], d["words"])

    def subset(self, idx: list[int]) -> "LineSignals":
        return LineSignals([self.score[i] for i in idx], [self.lang[i] for i in idx],
                           [self.lang_prob[i] for i in idx], [self.words[i] for i in idx])


def decide_lines(
    lines: list[str],
    sig: LineSignals,
    doc_lang: str,
    cfg: dict[str, Any],
    default_threshold: float,
) -> list[tuple[str, dict[str, Any]] | None]:
    """For each line: None to keep it, else (reason, values) to remove it.

    Repeats are judged last, among the lines the other checks keep: a lead paragraph repeated
    lower down goes, but a title whose only other copy sat in a removed header block stays.
    """
    threshold = cfg["min_content_score"]
    if threshold is None:
        threshold = default_threshold
    out: list[tuple[str, dict[str, Any]] | None] = []
    for i, line in enumerate(lines):
        if not line.strip():
            out.append(None)  # blank lines are settled below
        elif (
            cfg["remove_other_language"]
            and sig.lang[i]
            and sig.lang[i] != doc_lang
            and sig.lang_prob[i] >= cfg["min_other_language_prob"]
            and sig.words[i] >= cfg["min_other_language_words"]
        ):
            out.append(("other-language", {"lang": sig.lang[i], "prob": round(sig.lang_prob[i], 4), "doc_lang": doc_lang}))
        else:
            out.append(None)
    # A text without page chrome (no line that clearly reads as navigation, a footer, a counter...)
    # is an article already clean, a poem, a list: the score does not remove any of it.
    if not _has_chrome(lines, out, sig.score, cfg):
        threshold = 0.0
    for i, line in enumerate(lines):
        if out[i] is None and line.strip() and sig.score[i] < threshold:
            out[i] = ("boilerplate-line", {"score": round(float(sig.score[i]), 4), "min": threshold})
    if cfg["remove_duplicates"]:
        _mark_repeats(lines, out, cfg["min_duplicate_chars"])
    _name_blocks(lines, out)
    if cfg["collapse_blank_lines"]:
        collapse_blanks(lines, out)
    return out


def _has_chrome(lines: list[str], out: list[tuple[str, dict[str, Any]] | None], score: Sequence[float],
                cfg: dict[str, Any]) -> bool:
    """Does some line read as page chrome? Judged on the lines that the text keeps apart from the
    score (other-language paragraphs and later copies of a line do not count), so that the cleaned
    text, which has lost those, is judged the same way."""
    cand = [i for i, d in enumerate(out) if d is None and lines[i].strip()]
    if len(cand) < NO_CHROME_MIN_LINES:
        return True
    seen: set[str] = set()
    counted = []
    for i in cand:
        if cfg["remove_duplicates"] and len(lines[i]) >= cfg["min_duplicate_chars"]:
            key = line_key(lines[i])
            if key in seen:
                continue
            seen.add(key)
        counted.append(score[i])
    return len(counted) < NO_CHROME_MIN_LINES or min(counted) < NO_CHROME_MIN_SCORE


def _mark_repeats(lines: list[str], out: list[tuple[str, dict[str, Any]] | None], min_chars: int) -> None:
    """Later copies of a kept line go as `duplicate-line`, also when their own score was low (the
    model has learnt that a second copy is not content; the repeat is the better explanation).
    `run` counts the consecutive repeats around a copy (a body pasted twice makes long runs). Lines
    shorter than `min_chars` are left to the line score: short repeats are as often content (a spec
    value, a line of code) as boilerplate."""
    cand = [i for i, d in enumerate(out)
            if (d is None or d[0] == "boilerplate-line") and len(lines[i]) >= min_chars]
    if len(cand) < 2:
        return
    # Case and spacing do not make a new line. Lines are first compared on a prefix (cheap), and
    # only lines whose prefixes collide are normalized whole.
    by_prefix: dict[str, list[int]] = {}
    for i in cand:
        by_prefix.setdefault(" ".join(lines[i][:200].split())[:100].casefold(), []).append(i)
    dup_of: dict[int, int] = {}
    for group in by_prefix.values():
        if len(group) < 2:
            continue
        first: dict[str, int] = {}  # first kept copy of each text
        for i in group:
            key = line_key(lines[i])
            if len(key) < min_chars:
                continue
            j = first.get(key)
            if j is not None:
                dup_of[i] = j
            elif out[i] is None:
                first[key] = i
    if not dup_of:
        return
    k = 0
    while k < len(cand):
        if cand[k] not in dup_of:
            k += 1
            continue
        j = k
        while j < len(cand) and cand[j] in dup_of:
            j += 1
        for m in range(k, j):
            out[cand[m]] = ("duplicate-line", {"first_line": dup_of[cand[m]], "run": j - k})
        k = j


def _name_blocks(lines: list[str], out: list[tuple[str, dict[str, Any]] | None]) -> None:
    """Boilerplate before the first kept line is a leading block, after the last a trailing block."""
    kept = [i for i, d in enumerate(out) if d is None and lines[i].strip()]
    if not kept:
        return
    first, last = kept[0], kept[-1]
    for i, d in enumerate(out):
        if d is not None and d[0] == "boilerplate-line" and (i < first or i > last):
            out[i] = ("leading-block" if i < first else "trailing-block", d[1])


def collapse_blanks(lines: list[str], out: list[tuple[str, dict[str, Any]] | None]) -> None:
    """Drop blank lines at the ends and all but one blank line between kept lines (again after
    more lines were removed: it only adds removals)."""
    prev_kept_blank = True  # the document start behaves like a blank line
    for i, line in enumerate(lines):
        if out[i] is not None:
            continue
        if line.strip():
            prev_kept_blank = False
        elif prev_kept_blank:
            out[i] = ("blank-line", {})
        else:
            prev_kept_blank = True
    for i in range(len(lines) - 1, -1, -1):  # blank lines after the last kept line
        if out[i] is not None:
            continue
        if lines[i].strip():
            break
        out[i] = ("blank-line", {})


def removal_spans(
    lines: list[str], starts: list[int], decisions: list[tuple[str, dict[str, Any]] | None]
) -> list[tuple[int, int, str, dict[str, Any]]]:
    """Spans of the normalized text to remove, one per removed line, including one line break.

    A removed line takes the break after it; lines after the last kept line take the break
    before it instead, so the cleaned text does not end with a dangling newline.
    """
    kept = [i for i, d in enumerate(decisions) if d is None]
    last_kept = kept[-1] if kept else -1
    n = len(lines)
    spans = []
    for i, d in enumerate(decisions):
        if d is None:
            continue
        s, e = starts[i], starts[i] + len(lines[i])
        if last_kept >= 0 and i > last_kept:
            s -= 1  # the break before it
        elif i < n - 1:
            e += 1  # the break after it
        spans.append((s, e, d[0], d[1]))
    return spans
