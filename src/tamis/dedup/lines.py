"""Boilerplate learnt across documents: lines and line-end sentences that recur in many documents.

Two passes, bounded memory. Pass 1 (`LineCounter.add`) hashes each document's candidate segments
(see `LineConfig`) and appends the 64-bit keys to shard files on disk; `finalize` counts each shard
(documents per key) and keeps in memory only the keys seen in at least `min_docs` documents. Pass 2
(`annotate`) finds a document's repeated segments, with their counts and character spans, for the
policy to remove. Keys include the site, so counting is per site when the caller knows it
(`site_of(url)` helps) and corpus-wide otherwise.
"""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Hashable, Sequence
from urllib.parse import urlsplit

import numpy as np
import regex
import xxhash

from tamis.dedup.config import LineConfig
from tamis.dedup.store import ShardSet

# Leading and trailing punctuation/symbols, matched from each end: one pattern with "|...$" would
# retry at every position of a long inner run of punctuation (quadratic).
_LEADING_JUNK = regex.compile(r"^[\p{P}\p{S}\s]+")
_TRAILING_JUNK = regex.compile(r"(?r)[\p{P}\p{S}\s]+$")
_DIGIT = regex.compile(r"\p{Nd}+")
_HAS_LETTER = regex.compile(r"\p{L}")
_WIDE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
KEY = np.dtype([("key", "<u8")])
COUNTED = np.dtype([("key", "<u8"), ("count", "<u8")])
_SEEN_BITS = 22  # size of the "seen once" filter that decides which texts to remember (4 MiB)
MEMO_SEGMENTS = 400_000  # segments LineCounter.add keeps for annotate (~200 bytes each)


def site_of(url: str | None) -> str | None:
    """The host of a URL without "www.", the unit of per-site counting (None if there is none)."""
    if not url:
        return None
    host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host or None


def normalize_segment(text: str, fold_digits: bool = True) -> str:
    """The form in which segments are compared: NFKC, casefolded, each run of digits as 0, spaces folded, ends trimmed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if fold_digits:
        text = _DIGIT.sub("0", text)
    stripped = _LEADING_JUNK.sub("", " ".join(text.split()), count=1)
    stripped = _TRAILING_JUNK.sub("", stripped, count=1)
    return stripped or " ".join(text.split())  # a line of symbols only ("* * *") is its own key


def _words(text: str, cap: int = -1) -> int:
    """Words of `text` (unspaced scripts: about 2 characters a word). With `cap` >= 0, some number
    above `cap` as soon as there are more: a long line is not split whole to learn that it is long."""
    n = len(text.split(None, cap))
    if 0 <= cap < n:
        return n
    if n <= 2 and len(text) > 8 and _WIDE.search(text):
        n = max(n, len(text) // 2)
    return n


@dataclass(frozen=True, slots=True)
class Segment:
    """A candidate span of a document: line `line`, characters [start, end) of that line."""

    line: int
    start: int
    end: int
    kind: str  # "line": the whole line; "sentence": an edge sentence of a long line
    norm: str


# Sentence ends: a terminator and the spaces after it (the split point is their end), looked for
# from the start and from the end of a line.
_SENTENCE_END_FWD = regex.compile(r"[.!?…؟。！？]\s+")
_SENTENCE_END_REV = regex.compile(r"(?r)[.!?…؟。！？]\s+")


def _edge_bounds(line: str, k: int) -> list[int] | None:
    """[0] + the ends of the sentence-end matches of `line` that its first and last `k` sentences
    need (all of them when there are at most 2k), or None when there is none: the line is scanned
    from each end instead of whole. A run of spaces after a terminator is one match either way."""
    head: list[int] = []
    for m in _SENTENCE_END_FWD.finditer(line):
        head.append(m.end())
        if len(head) >= k:
            break
    if not head:
        return None
    if len(head) < k:
        return [0, *head]
    tail: list[int] = []
    for m in _SENTENCE_END_REV.finditer(line):
        if m.end() <= head[-1]:
            break
        tail.append(m.end())
        if len(tail) >= k:
            break
    return [0, *head, *reversed(tail)]


def candidate_segments(lines: Sequence[str], cfg: LineConfig) -> list[Segment]:
    """The spans of a document that could be repeated boilerplate (see `LineConfig`)."""
    out: list[Segment] = []
    k = cfg.edge_segments
    cap = max(cfg.max_line_words, cfg.max_segment_words)
    for no, line in enumerate(lines):
        if not line or line.isspace():
            continue
        words = _words(line, cap)
        if words <= cfg.max_line_words and _HAS_LETTER.search(line):
            lo = len(line) - len(line.lstrip())
            out.append(Segment(no, lo, len(line.rstrip()), "line", normalize_segment(line, cfg.fold_digits)))
        if words <= cfg.max_segment_words:
            continue
        bounds = _edge_bounds(line, k)
        if bounds is None:
            continue
        # sentences i = 0 .. len(bounds) - 1 of what _edge_bounds returned: when it returned every
        # bound these are all the sentences, else the first k and the last k
        n = len(bounds)
        picked = sorted(set(range(min(k, n))) | set(range(max(n - k, 0), n)))
        for i in picked:
            s = bounds[i]
            e = bounds[i + 1] if i + 1 < n else len(line)
            piece = line[s:e]
            if _words(piece, cfg.max_segment_words) <= cfg.max_segment_words and _HAS_LETTER.search(piece):
                s += len(piece) - len(piece.lstrip())
                e -= len(piece) - len(piece.rstrip())
                out.append(Segment(no, s, e, "sentence", normalize_segment(piece, cfg.fold_digits)))
    return out


def segment_key(site: str | None, norm: str) -> int:
    return xxhash.xxh3_64_intdigest(f"{site or ''}\x1f{norm}".encode("utf-8"))


@dataclass(frozen=True, slots=True)
class RepeatedLine:
    """A segment text seen in `count` documents of `site` ("" = corpus-wide)."""

    site: str
    text: str | None  # an example of the original text (None if none was remembered)
    count: int
    key: int


@dataclass(frozen=True, slots=True)
class RepeatedSpan:
    """A span of one document that is repeated boilerplate: line `line`, characters [start, end)."""

    line: int
    start: int
    end: int
    count: int  # documents (of the site) holding the same normalised text
    kind: str  # "line" or "sentence"
    key: int  # segment_key of the site and the normalised text: what was counted


def edge_spans(lines: Sequence[str], spans: Sequence[RepeatedSpan]) -> list[RepeatedSpan]:
    """The spans of `spans` at a document's edges: the whole lines of its leading and trailing runs of
    repeated lines (blank lines do not break a run), and an edge sentence of the line where each run
    stops, on that run's side. A site's header, byline or credit sits there; a repeated line inside
    the text ("Pros", "Conclusion", "return (") is as often the text's own structure."""
    whole = {s.line for s in spans if s.kind == "line"}
    filled = [i for i, line in enumerate(lines) if line.strip()]
    top = 0
    while top < len(filled) and filled[top] in whole:
        top += 1
    bottom = len(filled)
    while bottom > top and filled[bottom - 1] in whole:
        bottom -= 1
    edge_lines = set(filled[:top]) | set(filled[bottom:])
    first = filled[top] if top < bottom else None  # the first and last lines that stay
    last = filled[bottom - 1] if top < bottom else None
    out = []
    for s in spans:
        if s.kind == "line":
            keep = s.line in edge_lines
        else:
            keep = ((s.line == first and not lines[s.line][: s.start].strip())
                    or (s.line == last and not lines[s.line][s.end :].strip()))
        if keep:
            out.append(s)
    return out


class LineCounter:
    """Counts candidate segments across a corpus (pass 1), then marks the frequent ones (pass 2)::

        counter = LineCounter()             # counts live in a temporary folder, or in `path`
        for doc in corpus:
            counter.add(doc.text.split("\\n"), site=site_of(doc.url))
        counter.frequent(top=20)            # the most repeated segments, with counts
        counter.annotate(doc.text.split("\\n"), site=site_of(doc.url))   # spans to remove
    """

    def __init__(self, cfg: LineConfig | None = None, path: str | Path | None = None) -> None:
        self.cfg = cfg or LineConfig()
        self._tmp = None
        if path is None:
            self._tmp = tempfile.mkdtemp(prefix="tamis-lines-")
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._tmp, True)
            path = self._tmp
        self.path = Path(path)
        n = self.cfg.num_partitions
        self._shards = ShardSet(self.path, n, KEY, lambda r: ((r["key"] >> np.uint64(40)) % np.uint64(n)).astype(np.int64), sorted_dtype=COUNTED)
        self._seen = np.zeros(1 << _SEEN_BITS, dtype=bool)
        self._samples: dict[int, tuple[str, str]] = {}
        self._pending: list[int] = []
        self._freq_keys = np.zeros(0, dtype=np.uint64)
        self._freq_counts = np.zeros(0, dtype=np.uint64)
        self._stale = False
        self.docs = 0
        # add(..., remember=r) keeps the document's segments for annotate(..., remember=r), so that
        # pass 2 does not find them again: (site, lines, characters, [(line, start, end, kind)], keys)
        self._memo: dict[Hashable, tuple[str | None, int, int, list[tuple[int, int, int, str]], list[int]]] = {}
        self._memo_segments = 0

    def add(self, doc_lines: str | Sequence[str], site: str | None = None, remember: Hashable | None = None) -> None:
        """Count one document's candidate segments (each distinct one once). `remember`: a key under
        which its segments are kept for annotate (up to MEMO_SEGMENTS segments in all; beyond,
        annotate finds them again, with the same result)."""
        lines = doc_lines.split("\n") if isinstance(doc_lines, str) else doc_lines
        keys = set()
        segs = candidate_segments(lines, self.cfg)
        all_keys = [segment_key(site, seg.norm) for seg in segs]
        if remember is not None and self._memo_segments + len(segs) <= MEMO_SEGMENTS:
            self._memo[remember] = (site, len(lines), sum(map(len, lines)),
                                    [(seg.line, seg.start, seg.end, seg.kind) for seg in segs], all_keys)
            self._memo_segments += len(segs)
        for seg, key in zip(segs, all_keys):
            if key in keys:
                continue
            keys.add(key)
            cell = key & ((1 << _SEEN_BITS) - 1)
            if self._seen[cell] and key not in self._samples and len(self._samples) < self.cfg.max_samples:
                self._samples[key] = (site or "", lines[seg.line][seg.start : seg.end])
            self._seen[cell] = True
        self._pending.extend(keys)
        if len(self._pending) >= 1 << 16:
            self._flush()
        self.docs += 1
        self._stale = True

    def _flush(self) -> None:
        if self._pending:
            rec = np.zeros(len(self._pending), dtype=KEY)
            rec["key"] = np.array(self._pending, dtype=np.uint64)
            self._shards.append(rec)
            self._pending = []

    def finalize(self) -> None:
        """Count every shard; keep the keys of at least `min_docs` documents in memory."""
        self._flush()
        keys, counts = [], []
        for shard, counted, new in self._shards.shards():
            if new.size:
                k, c = np.unique(new["key"], return_counts=True)
                allk = np.concatenate((counted["key"], k))
                allc = np.concatenate((counted["count"], c.astype(np.uint64)))
                uk, inv = np.unique(allk, return_inverse=True)
                uc = np.bincount(inv, weights=allc).astype(np.uint64)
                counted = np.zeros(uk.size, dtype=COUNTED)
                counted["key"], counted["count"] = uk, uc
                self._shards.rewrite(shard, counted)
            hit = counted["count"] >= self.cfg.min_docs
            keys.append(counted["key"][hit])
            counts.append(counted["count"][hit])
        k = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
        c = np.concatenate(counts) if counts else np.zeros(0, dtype=np.uint64)
        order = np.argsort(k)
        self._freq_keys, self._freq_counts = k[order], c[order]
        self._stale = False

    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        if self._stale:
            self.finalize()
        pos = np.searchsorted(self._freq_keys, keys)
        pos = np.minimum(pos, max(self._freq_keys.size - 1, 0))
        found = self._freq_keys.size > 0
        hit = (self._freq_keys[pos] == keys) if found else np.zeros(keys.size, dtype=bool)
        return np.where(hit, self._freq_counts[pos] if found else 0, 0).astype(np.int64)

    def count(self, text: str, site: str | None = None) -> int:
        """Documents (of `site`) holding this segment, when at least `min_docs`; else 0."""
        key = segment_key(site, normalize_segment(text, self.cfg.fold_digits))
        return int(self._lookup(np.array([key], dtype=np.uint64))[0])

    def frequent(self, min_docs: int | None = None, top: int | None = None) -> list[RepeatedLine]:
        """Segments seen in at least `min_docs` documents (>= cfg.min_docs), most frequent first."""
        if self._stale:
            self.finalize()
        min_docs = max(min_docs or self.cfg.min_docs, self.cfg.min_docs)
        sel = np.flatnonzero(self._freq_counts >= min_docs)
        sel = sel[np.lexsort((self._freq_keys[sel], -self._freq_counts[sel].astype(np.int64)))]
        if top is not None:
            sel = sel[:top]
        out = []
        for i in sel.tolist():
            key = int(self._freq_keys[i])
            site, text = self._samples.get(key, ("", None))
            out.append(RepeatedLine(site=site, text=text, count=int(self._freq_counts[i]), key=key))
        return out

    def annotate(self, doc_lines: str | Sequence[str], site: str | None = None, min_docs: int | None = None,
                 remember: Hashable | None = None) -> list[RepeatedSpan]:
        """The repeated spans of one document (pass 2): whole lines, else edge sentences of long lines.
        `remember`: the key the document was added with, to use the segments found then (dropped
        after this call; found again if the document is not the one added)."""
        lines = doc_lines.split("\n") if isinstance(doc_lines, str) else doc_lines
        memo = self._memo.pop(remember, None) if remember is not None else None
        if memo is not None and memo[:3] == (site, len(lines), sum(map(len, lines))):
            self._memo_segments -= len(memo[3])
            segs, key_list = memo[3], memo[4]
        else:
            found = candidate_segments(lines, self.cfg)
            segs = [(sg.line, sg.start, sg.end, sg.kind) for sg in found]
            key_list = [segment_key(site, sg.norm) for sg in found]
        if not segs:
            return []
        keys = np.array(key_list, dtype=np.uint64)
        counts = self._lookup(keys)
        threshold = max(min_docs or self.cfg.min_docs, self.cfg.min_docs)
        whole = {sg[0] for sg, c in zip(segs, counts) if c >= threshold and sg[3] == "line"}
        out = []
        for (line, start, end, kind), c, k in zip(segs, counts.tolist(), key_list):
            if c < threshold or (kind == "sentence" and line in whole):
                continue
            if k not in self._samples and len(self._samples) < self.cfg.max_samples:
                self._samples[k] = (site or "", lines[line][start:end])
            out.append(RepeatedSpan(line, start, end, c, kind, k))
        return out

    def close(self) -> None:
        if self._tmp is not None:
            self._cleanup()
