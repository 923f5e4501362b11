"""Turn per-line signals into removals: which lines go, and the reason and values behind each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from tamis.signals.repetition import repeated_lines


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
        elif sig.score[i] < threshold:
            out.append(("boilerplate-line", {"score": round(float(sig.score[i]), 4), "min": threshold}))
        else:
            out.append(None)
    if cfg["remove_duplicates"]:
        _mark_repeats(lines, out, cfg["min_duplicate_chars"])
    _name_blocks(lines, out)
    if cfg["collapse_blank_lines"]:
        _collapse_blanks(lines, out)
    return out


def _mark_repeats(lines: list[str], out: list[tuple[str, dict[str, Any]] | None], min_chars: int) -> None:
    live = [i for i, d in enumerate(out) if d is None]
    dup_of, runs = repeated_lines([lines[i] for i in live])
    for k, i in enumerate(live):
        if dup_of[k] >= 0 and len(lines[i].strip()) >= min_chars:
            out[i] = ("duplicate-line", {"first_line": live[dup_of[k]], "run": runs[k]})


def _name_blocks(lines: list[str], out: list[tuple[str, dict[str, Any]] | None]) -> None:
    """Boilerplate before the first kept line is a leading block, after the last a trailing block."""
    kept = [i for i, d in enumerate(out) if d is None and lines[i].strip()]
    if not kept:
        return
    first, last = kept[0], kept[-1]
    for i, d in enumerate(out):
        if d is not None and d[0] == "boilerplate-line" and (i < first or i > last):
            out[i] = ("leading-block" if i < first else "trailing-block", d[1])


def _collapse_blanks(lines: list[str], out: list[tuple[str, dict[str, Any]] | None]) -> None:
    """Drop blank lines at the ends and all but one blank line between kept lines."""
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
