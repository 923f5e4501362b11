"""Repeated lines inside one document: a line, a paragraph or a whole body pasted again."""

from __future__ import annotations

from tamis.segment.lines import line_key

# Keys of recently seen lines: a document's lines are compared again at every pass of line scoring
# and once more when the decision is made. Cleared when full; a key is a pure function of its line.
_KEYS: dict[str, str] = {}
_KEYS_SIZE = 4096


def repeated_lines(lines: list[str]) -> tuple[list[int], list[int]]:
    """For each line, the index of its first occurrence (-1 for a first or blank line), and the
    length of the run of consecutive repeated lines it belongs to (0 when not repeated).

    A run length tells a body pasted twice (long runs) from one repeated phrase (run of 1).
    """
    first: dict[str, int] = {}
    dup_of = [-1] * len(lines)
    keys = _KEYS
    if len(keys) > _KEYS_SIZE:
        keys.clear()
    for i, line in enumerate(lines):
        if not line or line.isspace():
            continue
        key = keys.get(line)
        if key is None:
            key = keys[line] = line_key(line)
        j = first.setdefault(key, i)
        if j != i:
            dup_of[i] = j
    runs = [0] * len(lines)
    i = 0
    while i < len(lines):
        if dup_of[i] < 0:
            i += 1
            continue
        j = i
        while j < len(lines) and (dup_of[j] >= 0 or not lines[j].strip()):
            j += 1
        while j > i and dup_of[j - 1] < 0:  # trailing blank lines are not part of the run
            j -= 1
        n = sum(1 for k in range(i, j) if dup_of[k] >= 0)
        for k in range(i, j):
            if dup_of[k] >= 0:
                runs[k] = n
        i = j
    return dup_of, runs
