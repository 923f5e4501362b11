"""Documents to shingle hashes, a whole batch at a time.

The batch is joined into one code-point array; tokens are found from character classes, each token
is hashed with a polynomial prefix hash (one cumulative sum for the whole batch), and the n-gram
shingles are combinations of n consecutive token hashes. No Python loop runs per token or per
character, which is what makes signatures cheap next to word-tokenizer based pipelines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from tamis.dedup.config import ShingleConfig
from tamis.dedup.normalize import IGNORABLE, TOKEN_KIND, char_classes, codepoints, fold_table, mix64, nfc, seeded_u64

_BASE = np.uint64(0x9E3779B97F4A7C15 | 1)  # odd, hence invertible modulo 2**64
_BASE_INV = np.uint64(pow(int(_BASE), -1, 1 << 64))
_pow_cache: dict[str, np.ndarray] = {}

# languages whose text is written without spaces, when the caller knows the language
_IDEOGRAPH_LANGS = frozenset({"zh", "ja", "yue", "wuu", "gan", "hak", "lzh", "cmn", "zho", "jpn"})
_SEA_LANGS = frozenset({"th", "lo", "km", "my", "tha", "lao", "khm", "mya"})


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**i and BASE**-i modulo 2**64 for i < n (cached, grown by doubling)."""
    have = _pow_cache.get("fwd")
    if have is None or have.size < n:
        size = max(n, 1 << 16, 0 if have is None else 2 * have.size)
        fwd = np.full(size, _BASE, dtype=np.uint64)
        fwd[0] = 1
        inv = np.full(size, _BASE_INV, dtype=np.uint64)
        inv[0] = 1
        _pow_cache["fwd"] = np.cumprod(fwd, dtype=np.uint64)
        _pow_cache["inv"] = np.cumprod(inv, dtype=np.uint64)
    return _pow_cache["fwd"][:n], _pow_cache["inv"][:n]


@dataclass(slots=True)
class Tokens:
    """The tokens of a batch: `hashes[starts[d]:starts[d+1]]` are document d's, in order."""

    hashes: np.ndarray  # uint64, one per token
    kinds: np.ndarray  # uint8 token kind (1 word, 2 ideograph, 4 south-east Asian character)
    starts: np.ndarray  # int64, len(docs) + 1


_GROUP_CHARS = 1 << 18  # characters tokenised per vectorised pass (keeps arrays in cache)


def tokenize(texts: Sequence[str]) -> Tokens:
    """Hash every token of every text (NFC, NFKC + casefold mappings; marks and zero-width characters ignored)."""
    folded = [nfc(t) for t in texts]
    parts: list[Tokens] = []
    lo, chars = 0, 0
    for hi, t in enumerate(folded):
        if chars and chars + len(t) > _GROUP_CHARS:
            parts.append(_tokenize_group(folded[lo:hi]))
            lo, chars = hi, 0
        chars += len(t) + 1
    parts.append(_tokenize_group(folded[lo:]))
    if len(parts) == 1:
        return parts[0]
    starts = [parts[0].starts]
    base = parts[0].starts[-1]
    for part in parts[1:]:
        starts.append(part.starts[1:] + base)
        base += part.starts[-1]
    return Tokens(
        hashes=np.concatenate([p.hashes for p in parts]),
        kinds=np.concatenate([p.kinds for p in parts]),
        starts=np.concatenate(starts),
    )


def _tokenize_group(folded: Sequence[str]) -> Tokens:
    lengths = np.fromiter((len(t) + 1 for t in folded), dtype=np.int64, count=len(folded))
    cp = fold_table()[codepoints("\n".join(folded) + "\n")]
    char_end = np.cumsum(lengths)  # one past each document's separator
    cls = char_classes()[cp]
    dropped = np.flatnonzero(cls == IGNORABLE)
    if dropped.size:
        cp, cls = np.delete(cp, dropped), np.delete(cls, dropped)
        char_end = char_end - np.searchsorted(dropped, char_end)
    kind = TOKEN_KIND[cls]
    n = kind.size
    prev = np.empty(n, dtype=np.uint8)
    prev[0] = 0
    prev[1:] = kind[:-1]
    nxt = np.empty(n, dtype=np.uint8)
    nxt[-1] = 0
    nxt[:-1] = kind[1:]
    single = (kind & 6) != 0  # kinds 2 and 4 make one token per character
    is_tok = kind != 0
    starts = np.flatnonzero(is_tok & ((prev != kind) | single))
    ends = np.flatnonzero(is_tok & ((nxt != kind) | single)) + 1
    fwd, inv = _powers(n + 1)
    prefix = np.empty(n + 1, dtype=np.uint64)
    prefix[0] = 0
    np.cumsum(cp.astype(np.uint64) * fwd[:n], out=prefix[1:])
    # sum(cp[s+k] * BASE**k): a position-independent polynomial hash of each token
    hashes = mix64((prefix[ends] - prefix[starts]) * inv[starts])
    doc_starts = np.searchsorted(starts, np.concatenate(([0], char_end)))
    return Tokens(hashes=hashes, kinds=kind[starts], starts=doc_starts.astype(np.int64))


@dataclass(slots=True)
class Shingles:
    """Shingle hashes of a batch: `values[offsets[d]:offsets[d+1]]` are document d's (32-bit values)."""

    values: np.ndarray  # uint64 holding 32-bit shingle hashes
    offsets: np.ndarray  # int64, len(docs) + 1
    ngram: np.ndarray  # int32 n-gram size used for each document (0: too short, no shingles)


def ngram_sizes(tokens: Tokens, langs: Sequence[str | None] | None, cfg: ShingleConfig) -> np.ndarray:
    """The shingle size of each document, from its language when known, else its majority token kind."""
    ndocs = tokens.starts.size - 1
    count = np.diff(tokens.starts)
    doc_of = np.repeat(np.arange(ndocs), count)
    ideo = np.bincount(doc_of, weights=tokens.kinds == 2, minlength=ndocs)
    sea = np.bincount(doc_of, weights=tokens.kinds == 4, minlength=ndocs)
    sizes = np.full(ndocs, cfg.word_ngram, dtype=np.int32)
    sizes[2 * ideo > count] = cfg.ideograph_ngram
    sizes[2 * sea > count] = cfg.sea_ngram
    if langs is not None:
        for d, lang in enumerate(langs):
            base = (lang or "").split("_")[0].split("-")[0].lower()
            if base in _IDEOGRAPH_LANGS:
                sizes[d] = cfg.ideograph_ngram
            elif base in _SEA_LANGS:
                sizes[d] = cfg.sea_ngram
    sizes[count < cfg.min_tokens] = 0
    return sizes


def shingle(tokens: Tokens, sizes: np.ndarray, seed: int = 1) -> Shingles:
    """n-gram shingles of each document: order-sensitive combinations of n consecutive token hashes.

    A document with fewer tokens than its n (but at least `min_tokens`) gets one shingle of all its
    tokens; a document whose size is 0 gets none.
    """
    ndocs = sizes.size
    count = np.diff(tokens.starts)
    per_doc = np.where(sizes > 0, np.maximum(count - sizes + 1, 1), 0)
    offsets = np.zeros(ndocs + 1, dtype=np.int64)
    np.cumsum(per_doc, out=offsets[1:])
    values = np.empty(int(offsets[-1]), dtype=np.uint64)
    h = tokens.hashes
    for n in np.unique(sizes[sizes > 0]).tolist():
        coef = seeded_u64("shingle", n, seed) | np.uint64(1)
        docs = np.flatnonzero((sizes == n) & (count >= n))
        if docs.size:
            if h.size >= n:
                m = h.size - n + 1
                combo = h[:m] * coef[0]
                tmp = np.empty_like(combo)
                for k in range(1, n):
                    np.multiply(h[k : m + k], coef[k], out=tmp)
                    combo += tmp
                del tmp
                combo = mix64(combo) >> np.uint64(32)
            # every such document's shingles, copied with one vectorised gather
            lens = per_doc[docs]
            dest = _ranges(offsets[docs], lens)
            values[dest] = combo[dest + np.repeat(tokens.starts[docs] - offsets[docs], lens)]
        for d in np.flatnonzero((sizes == n) & (count < n)).tolist():  # short documents: one shingle
            toks = h[tokens.starts[d] : tokens.starts[d + 1]]
            combo = (toks * coef[: toks.size]).sum(dtype=np.uint64)
            values[offsets[d]] = mix64(np.array([combo], dtype=np.uint64))[0] >> np.uint64(32)
    return Shingles(values=values, offsets=offsets, ngram=sizes.astype(np.int32))


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + l) for each (s, l), vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    run_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    return np.arange(total, dtype=np.int64) + np.repeat(starts - run_start, lengths)


def shingles_of(texts: Sequence[str], langs: Sequence[str | None] | None = None, cfg: ShingleConfig | None = None, seed: int = 1) -> Shingles:
    """Tokenise and shingle a batch of texts."""
    cfg = cfg or ShingleConfig()
    tokens = tokenize(texts)
    return shingle(tokens, ngram_sizes(tokens, langs, cfg), seed)
