"""Edits as a reversible record: apply them, invert them, and compose them across stages."""

from __future__ import annotations

from typing import Any

from tamis.document import Edit

def apply_edits(original: str, edits: list[Edit]) -> str:
    """The cleaned text: `original` with every edit's span replaced (edits sorted, non-overlapping)."""
    parts: list[str] = []
    pos = 0
    for e in edits:
        parts.append(original[pos : e.start])
        parts.append(e.repl)
        pos = e.end
    parts.append(original[pos:])
    return "".join(parts)


def rebuild_original(cleaned: str, edits: list[Edit]) -> str:
    """Invert `apply_edits`: put every edit's original text back into the cleaned text."""
    parts: list[str] = []
    pos_clean = 0  # position in `cleaned`
    pos_orig = 0  # matching position in the original
    for e in edits:
        gap = e.start - pos_orig  # untouched original text before this edit
        parts.append(cleaned[pos_clean : pos_clean + gap])
        parts.append(e.orig)
        pos_clean += gap + len(e.repl)
        pos_orig = e.end
    parts.append(cleaned[pos_clean:])
    return "".join(parts)


def compose_edits(
    norm_edits: list[Edit],
    removals: list[tuple[int, int, str, dict[str, Any]]],
    original: str,
    normalized: str,
) -> list[Edit]:
    """Express removals made on the normalized text as edits of the original.

    `norm_edits` turn the original into `normalized`; each removal is (start, end, reason, values) in
    normalized coordinates, sorted and disjoint. A normalization edit that a removal overlaps is
    absorbed into it (the removal's `orig` then holds the unrepaired text), so the result still
    rebuilds the original exactly. The rest of `norm_edits` is kept.
    """
    if not removals:
        return list(norm_edits)
    # Normalized-text span of every normalization edit.
    spans: list[tuple[int, int]] = []
    delta = 0
    for e in norm_edits:
        ns = e.start + delta
        spans.append((ns, ns + len(e.repl)))
        delta += len(e.repl) - (e.end - e.start)

    out: list[Edit] = []
    i = 0  # next normalization edit not yet placed
    delta = 0  # len(repl) - len(orig) summed over normalization edits before position i
    for a, b, reason, values in removals:
        # Normalization edits wholly before this removal stay as they are.
        while i < len(norm_edits) and spans[i][1] <= a and not (spans[i][0] == spans[i][1] == a):
            out.append(norm_edits[i])
            delta += len(norm_edits[i].repl) - (norm_edits[i].end - norm_edits[i].start)
            i += 1
        a2, b2 = a, b
        first = i
        grow = 0  # length change of the absorbed edits
        while i < len(norm_edits) and spans[i][0] < b:
            ns, ne = spans[i]
            a2, b2 = min(a2, ns), max(b2, ne)
            e = norm_edits[i]
            grow += len(e.repl) - (e.end - e.start)
            i += 1
        start = norm_edits[first].start if first < i and spans[first][0] == a2 else a2 - delta
        end = start + (b2 - a2) - grow
        out.append(Edit(start, end, original[start:end], normalized[a2:a] + normalized[b:b2], reason, values))
        delta += grow
    out.extend(norm_edits[i:])
    return out
