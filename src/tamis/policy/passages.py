"""Passages repeated inside a document's lines: a body pasted twice within one line, a lead repeated
as the body's first sentence, an article repeated after "(click to enlarge)".

Line repair (`duplicate-line`) removes a later copy of a whole line. Text whose paragraph breaks were
lost (news bodies scraped as one line) repeats inside lines instead, and Gopher-style rules then
reject the whole document for its duplicated n-grams. Here the later copy goes and the document
stays: a run of words that repeats, word for word, an earlier run of the kept text, trimmed to whole
sentences, is removed when it is long enough. The first copy always stays; a line that copies fill
entirely goes whole (with its line break, as the line rules remove lines), so no removal leaves a
blank line.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tamis.segment.words import Tokens, tokenize, word_hashes

SHINGLE = 5  # words: an earlier copy is found through a shared run of this many words
_CANDIDATES = 8  # earlier positions of a shingle tried (the most recent ones)
_CLOSERS = "\"')]}»”’›」』"  # may follow a sentence's end
_BRACKETS = ")]}」』"  # end an aside after which a sentence may start: "(click to enlarge) The ..."
_MIX = np.uint64(0x9E3779B97F4A7C15)


def repeated_passages(
    text: str,
    starts: list[int],
    lines: list[str],
    keep: list[bool],
    sentence_end: str | None,
    min_chars: int,
    min_line_chars: int = 0,
    tokens: Tokens | None = None,
) -> tuple[list[tuple[int, int, str, dict[str, Any]]], dict[int, dict[str, Any]]]:
    """Later copies of passages of the kept lines (`keep[i]`: line i stays) of the normalized `text`:
    removal spans (start, end, "duplicate-passage", values) inside lines, sorted and disjoint, and
    {line: values} for the lines that copies fill entirely (to be removed whole, with their break).

    Words are compared up to case (punctuation between them does not count). A passage is removed
    when it starts a sentence (at a line start, or after a sentence end or a closing bracket), ends one (at a line end or a sentence end in `sentence_end`; with None, only
    line ends count), spans at least `min_chars` characters from its first word to its last, and
    is not already part of a longer removed copy; only lines of at least `min_line_chars` characters
    lose passages
    (lines that hold many paragraphs: elsewhere a repeat inside a paragraph is as often the text's
    own, a pull quote or a summary, as a copy). `values`:
    `first_line` (the line where the earlier copy starts) and `words`. `tokens`: tokenize(text), if
    the caller has it."""
    kept = [i for i, k in enumerate(keep) if k and lines[i].strip()]
    if not any(len(lines[i]) >= min_line_chars for i in kept):
        return [], {}
    tok = tokens if tokens is not None else tokenize(text)
    if len(tok) < 2 * SHINGLE:
        return [], {}
    # The words of the kept lines, in order: index into the tokens, and the line of each.
    bounds = np.searchsorted(tok.starts, [starts[i] for i in kept] + [starts[i] + len(lines[i]) for i in kept])
    lo, hi = bounds[: len(kept)], bounds[len(kept) :]
    idx = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi)])
    if len(idx) < 2 * SHINGLE:
        return [], {}
    line_of = np.repeat(np.array(kept), hi - lo)
    h = word_hashes(tok)[idx]
    g = h.copy()  # hash of the shingle starting at each word
    for k in range(1, SHINGLE):
        g[: len(g) - k] = g[: len(g) - k] * _MIX + h[k:]
    g = g[: len(g) - SHINGLE + 1]
    # Shingles whose first occurrence ends before they start, in runs; a run too short in characters
    # to hold a passage worth removing is dropped before any word-by-word comparison.
    order = np.argsort(g, kind="stable")
    sg = g[order]
    new = np.ones(len(sg), dtype=bool)
    new[1:] = sg[1:] != sg[:-1]
    group = np.cumsum(new) - 1
    first = np.empty(len(g), dtype=np.int64)
    first[order] = order[np.flatnonzero(new)][group]
    flag = first <= np.arange(len(g)) - SHINGLE
    if not flag.any():
        return [], {}  # no shingle repeats an earlier one: the usual case, settled without a Python loop
    change = np.flatnonzero(np.diff(np.concatenate(([0], flag.view(np.int8), [0]))))
    regions = []
    for p, q in zip(change[::2].tolist(), change[1::2].tolist()):
        last = q - 2 + SHINGLE  # the last word of the run's shingles
        if tok.ends[idx[last]] - tok.starts[idx[p]] >= min_chars:
            regions.append((p, q))
    if not regions:
        return [], {}
    runs = _later_copies(h.tolist(), g, sg, order, regions)
    ends = set(sentence_end or "")
    by_line: dict[int, list[tuple[int, int, dict[str, Any]]]] = {}
    for i, j, n in runs:
        for line, s, e, values in _trimmed(text, tok, idx, line_of, starts, lines, i, i + n, j, ends,
                                           min_chars, min_line_chars):
            by_line.setdefault(line, []).append((s, e, values))
    out, whole = [], {}
    for line, spans in by_line.items():
        merged = _merged(sorted(spans, key=lambda t: t[:2]))
        a, b = starts[line], starts[line] + len(lines[line])
        left = "".join(text[x:y] for x, y in zip([a] + [e for _, e, _ in merged], [s for s, _, _ in merged] + [b]))
        if any(ch.isalnum() for ch in left):
            out.extend((s, e, "duplicate-passage", values) for s, e, values in merged)
        else:  # copies that fill the line: the whole line goes (a body pasted again as one line)
            whole[line] = {**merged[0][2], "words": sum(v["words"] for _, _, v in merged)}
    return sorted(out, key=lambda t: t[:2]), whole


def _merged(spans: list[tuple[int, int, dict[str, Any]]]) -> list[tuple[int, int, dict[str, Any]]]:
    """Sorted spans of one line, those that overlap or touch made one (the first one's source,
    the words added up)."""
    out = [spans[0]]
    for s, e, values in spans[1:]:
        ps, pe, pv = out[-1]
        if s <= pe:
            out[-1] = (ps, max(pe, e), {**pv, "words": pv["words"] + values["words"]})
        else:
            out.append((s, e, values))
    return out


def _later_copies(h: list[int], g: np.ndarray, sg: np.ndarray, order: np.ndarray,
                  regions: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(start, earlier start, length) of runs of words starting in `regions` that repeat an earlier
    run of at least SHINGLE words ending before they start; greedy from the left, longest match
    among the most recent earlier positions of the shingle (`sg`, `order`: the shingles sorted,
    stably, and their positions)."""
    runs = []
    n = len(h)
    for p, q in regions:
        i = max(p, runs[-1][0] + runs[-1][2]) if runs else p
        while i < q:
            best, at = 0, -1
            a, b = np.searchsorted(sg, g[i]), np.searchsorted(sg, g[i], side="right")
            earlier = order[a:b]  # ascending: the sort was stable
            for j in reversed(earlier[: np.searchsorted(earlier, i)][-_CANDIDATES:].tolist()):
                length = 0
                while i + length < n and j + length < i and h[j + length] == h[i + length]:
                    length += 1
                if length > best:
                    best, at = length, j
            if best >= SHINGLE:
                runs.append((i, at, best))
                i += best
            else:
                i += 1
    return runs


def _trimmed(text: str, tok, idx: np.ndarray, line_of: np.ndarray, starts: list[int], lines: list[str],
             a: int, b: int, first: int, ends: set[str], min_chars: int,
             min_line_chars: int) -> list[tuple[int, int, int, dict[str, Any]]]:
    """The repeated words [a, b) as (line, start, end, values): one span per line they cross, each
    trimmed to whole sentences."""
    out = []
    while a < b:
        line = int(line_of[a])
        c = a
        while c < b and line_of[c] == line:
            c += 1
        span = None
        if len(lines[line]) >= min_line_chars:
            span = _sentence_span(text, tok, idx, line_of, starts[line], starts[line] + len(lines[line]), a, c, ends)
        if span is not None:
            s, e, w0, w1 = span  # characters to remove; the whole words among them
            if tok.ends[idx[w1 - 1]] - tok.starts[idx[w0]] >= min_chars:
                out.append((line, s, e, {"first_line": int(line_of[first]), "words": w1 - w0}))
        first += c - a
        a = c
    return out


def _sentence_span(text: str, tok, idx: np.ndarray, line_of: np.ndarray, line_start: int, line_end: int,
                   a: int, c: int, ends: set[str]) -> tuple[int, int, int, int] | None:
    """Words [a, c) of one line, shrunk to whole sentences: (start, end) of the text to remove and
    the words [a', c') it holds, or None when no whole sentence is left."""
    def starts_sentence(w: int) -> bool:
        if w == 0 or line_of[w - 1] != line_of[w]:
            return True
        gap = text[tok.ends[idx[w - 1]] : tok.starts[idx[w]]]
        # "end. Next", "(see below) Next"; not "3.5", "a,b" nor 'the word "freedom" appears'
        return gap[-1:].isspace() and any(ch in ends or ch in _BRACKETS for ch in gap)

    def ends_sentence(w: int) -> bool:
        if w + 1 == len(idx) or line_of[w + 1] != line_of[w]:
            return True
        gap = text[tok.ends[idx[w]] : tok.starts[idx[w + 1]]]
        return gap[-1:].isspace() and any(ch in ends for ch in gap)

    while a < c and not starts_sentence(a):
        a += 1
    while c > a and not ends_sentence(c - 1):
        c -= 1
    if a >= c:
        return None
    s = int(tok.starts[idx[a]])
    e = int(tok.ends[idx[c - 1]])
    while e < line_end and (text[e] in ends or text[e] in _CLOSERS):
        e += 1  # the sentence's own punctuation
    if e >= line_end:
        while s > line_start and text[s - 1].isspace():
            s -= 1  # at the line end: take the space before instead
    else:
        while e < line_end and text[e].isspace():
            e += 1
    return s, e, a, c
