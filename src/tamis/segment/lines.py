"""Lines and paragraphs of a normalized text, with their offsets."""

from __future__ import annotations

import regex

_WS = regex.compile(r"\s+")


def split_lines(text: str) -> tuple[list[str], list[int]]:
    """The text's lines (split on '\\n' only) and the offset where each starts."""
    lines = text.split("\n")
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    return lines, starts


_SPLIT_ONLY_SPACES = ("\x1c", "\x1d", "\x1e", "\x1f")  # str.split() splits on these, \s does not


def line_key(line: str) -> str:
    """Comparison key for repeated lines: casefolded, whitespace collapsed."""
    if any(c in line for c in _SPLIT_ONLY_SPACES):
        return _WS.sub(" ", line).strip().casefold()
    return " ".join(line.split()).casefold()  # the same, several times faster


def paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """Runs of non-blank lines as [first, last+1) line-index ranges (blank lines separate them)."""
    out: list[tuple[int, int]] = []
    start = None
    for i, line in enumerate(lines):
        if line.strip():
            if start is None:
                start = i
        elif start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(lines)))
    return out
