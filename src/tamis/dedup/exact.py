"""Exact duplicates after normalisation: a 64- or 128-bit xxhash of the normalised text."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Iterable, Sequence

import numpy as np
import xxhash

from tamis.dedup.clusters import Clusters
from tamis.dedup.config import DEFAULT_KEEP_ORDER, ExactConfig
from tamis.dedup.keep import choose_keepers, preference_keys
from tamis.dedup.normalize import normalized_codepoints_many

_BATCH = 256  # texts normalised together (bounded memory: their code points, 4 bytes each)


def exact_hash(text: str, cfg: ExactConfig | None = None) -> int:
    """The hash of `text` after the normalisation `cfg` describes (an int of 64 or 128 bits)."""
    return exact_hashes([text], cfg)[0]


def exact_hashes(texts: Iterable[str], cfg: ExactConfig | None = None) -> list[int]:
    """exact_hash of every text, normalised _BATCH texts at a time."""
    cfg = cfg or ExactConfig()
    digest = xxhash.xxh3_64_intdigest if cfg.hash_bits == 64 else xxhash.xxh3_128_intdigest
    hashes: list[int] = []
    it = iter(texts)
    while batch := list(islice(it, _BATCH)):
        cp, starts = normalized_codepoints_many(batch, cfg)
        data = memoryview(cp.astype("<u4").tobytes())
        bounds = (4 * starts).tolist()
        hashes.extend(digest(data[a:b]) for a, b in zip(bounds, bounds[1:]))
    return hashes


@dataclass(slots=True)
class ExactHashes:
    """Hashes of a sequence of documents, split in two uint64 columns for sorting."""

    hi: np.ndarray
    lo: np.ndarray

    @classmethod
    def of(cls, texts: Iterable[str], cfg: ExactConfig | None = None) -> "ExactHashes":
        hashes = exact_hashes(texts, cfg)
        mask = (1 << 64) - 1
        hi = np.fromiter(((h >> 64) & mask for h in hashes), dtype=np.uint64, count=len(hashes))
        lo = np.fromiter((h & mask for h in hashes), dtype=np.uint64, count=len(hashes))
        return cls(hi, lo)


def find_exact_duplicates(
    ids: Sequence[str],
    texts: Sequence[str],
    cfg: ExactConfig | None = None,
    *,
    quality: Sequence[float] | None = None,
    priority: Sequence[float] | None = None,
    keep_order: Sequence[str] = DEFAULT_KEEP_ORDER,
) -> Clusters:
    """Groups of documents whose normalised texts are identical, with the kept copy of each.

    The copy kept is the first by `keep_order` (as for near-duplicates), so the choice does not
    depend on input order. Memory: 16 bytes per document plus the groups.
    """
    n = len(ids)
    hashes = ExactHashes.of(texts, cfg)
    order = np.lexsort((hashes.lo, hashes.hi))
    hi, lo = hashes.hi[order], hashes.lo[order]
    same_prev = np.zeros(n, dtype=bool)
    same_prev[1:] = (hi[1:] == hi[:-1]) & (lo[1:] == lo[:-1])
    group = np.cumsum(~same_prev) - 1
    size = np.bincount(group)
    in_dup = size[group] >= 2
    members = order[in_dup]
    groups = group[in_dup]
    by_index = np.argsort(members, kind="stable")
    members, groups = members[by_index], groups[by_index]
    mids = [ids[i] for i in members]
    length = np.fromiter((len(texts[i]) for i in members), dtype=np.int64, count=members.size)
    q = np.full(members.size, np.nan) if quality is None else np.asarray(quality, dtype=float)[members]
    p = np.full(members.size, np.nan) if priority is None else np.asarray(priority, dtype=float)[members]
    keys = preference_keys(keep_order, index=members, ids=mids, length=length, quality=q, priority=p)
    keeper_pos = choose_keepers(groups, keys)
    return Clusters(
        index=members, ids=mids, keeper=members[keeper_pos], keeper_ids=[mids[i] for i in keeper_pos],
        size=size[groups], similarity=np.ones(members.size), new=np.ones(members.size, dtype=bool),
    )
