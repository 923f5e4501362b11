"""MinHash signatures, vectorised over a batch of documents.

Permutation k maps a 32-bit shingle hash x to ((a_k * x + b_k) mod 2**64) >> 32 with a_k odd:
Dietzfelbinger's multiply-add-shift scheme, the `a*x+b mod p` trick with p = 2**64 and the high bits
kept, which is 2-universal for 32-bit keys and needs no division. One permutation at a time is
applied to the shingles of many documents (an array that stays in cache) and
`np.minimum.reduceat` takes each document's minimum.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from tamis.dedup.config import NearDupConfig
from tamis.dedup.normalize import seeded_u64
from tamis.dedup.shingles import Shingles, shingles_of

EMPTY = np.uint32(0xFFFFFFFF)  # signature value of documents without shingles
_CHUNK = 1 << 17  # shingles hashed per pass: 1 MiB of uint64, cache-resident


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) parameters of the permutations: a odd, both 64-bit, derived from the seed."""
    return seeded_u64("minhash-a", num_perm, seed) | np.uint64(1), seeded_u64("minhash-b", num_perm, seed)


def signatures_from_shingles(sh: Shingles, num_perm: int, seed: int = 1) -> np.ndarray:
    """(documents x num_perm) uint32 MinHash signatures; rows of shingle-less documents are EMPTY."""
    a, b = permutations(num_perm, seed)
    ndocs = sh.offsets.size - 1
    out = np.full((ndocs, num_perm), EMPTY, dtype=np.uint32)
    counts = np.diff(sh.offsets)
    shift = np.uint64(32)
    d0 = 0
    while d0 < ndocs:  # groups of whole documents holding about _CHUNK shingles
        d1 = int(np.searchsorted(sh.offsets, sh.offsets[d0] + _CHUNK, side="right")) - 1
        d1 = min(max(d1, d0 + 1), ndocs)
        docs = np.flatnonzero(counts[d0:d1]) + d0
        if docs.size:
            x = sh.values[sh.offsets[d0] : sh.offsets[d1]]
            starts = sh.offsets[docs] - sh.offsets[d0]
            tmp = np.empty(x.size, dtype=np.uint64)
            block = np.empty((num_perm, docs.size), dtype=np.uint64)
            for k in range(num_perm):
                np.multiply(x, a[k], out=tmp)
                tmp += b[k]
                tmp >>= shift
                block[k] = np.minimum.reduceat(tmp, starts)
            out[docs] = block.T
        d0 = d1
    return out


def compute_signatures(
    texts: Sequence[str],
    langs: Sequence[str | None] | None = None,
    cfg: NearDupConfig | None = None,
) -> np.ndarray:
    """MinHash signatures of `texts`: an array of shape (len(texts), cfg.num_perm), dtype uint32.

    `langs` only matters for languages written without spaces (zh, ja, th, ...); otherwise the
    shingle kind follows the script of the text. A document with fewer than
    `cfg.shingles.min_tokens` tokens gets a row of EMPTY (0xFFFFFFFF) and is never a candidate.
    """
    cfg = cfg or NearDupConfig()
    sh = shingles_of(texts, langs, cfg.shingles, cfg.seed)
    return signatures_from_shingles(sh, cfg.num_perm, cfg.seed)


def estimated_similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Share of equal MinHash values, row by row: an unbiased estimate of the Jaccard similarity."""
    return (sig_a == sig_b).mean(axis=-1)
