"""Locality-sensitive hashing: band keys (map), candidate pairs from a sorted shard (reduce).

These are the steps a distributed engine runs: `band_records` maps a batch of signatures to
(key, doc) records; records are shuffled by `partition_of(key)`; each partition is sorted and
`candidate_pairs` reads the buckets (runs of equal keys) into pairs to verify; the verified pairs go
to a union-find (`unionfind.py`). `NearDupIndex` runs the same functions on one machine over shard
files.
"""

from __future__ import annotations

import numpy as np

from tamis.dedup.minhash import EMPTY
from tamis.dedup.normalize import mix64, seeded_u64

RECORD = np.dtype([("key", "<u8"), ("doc", "<u8")])


def candidate_probability(similarity: float | np.ndarray, bands: int, rows: int) -> float | np.ndarray:
    """P(two documents with this Jaccard similarity share at least one band): 1 - (1 - s**r)**b."""
    return 1.0 - (1.0 - np.asarray(similarity, dtype=float) ** rows) ** bands


def lsh_threshold(bands: int, rows: int) -> float:
    """The similarity where the S-curve is steepest, approximately (1/b)**(1/r)."""
    return (1.0 / bands) ** (1.0 / rows)


def band_records(signatures: np.ndarray, first_doc: int, bands: int, rows: int, seed: int = 1) -> np.ndarray:
    """(key, doc) records of every band of every signature; documents without shingles get none.

    A key is a 64-bit hash of the band's `rows` values and the band number, so equal keys mean
    "equal band" in practice (a false match needs a 64-bit collision, and is rejected at verification).
    """
    valid = ~(signatures == EMPTY).all(axis=1)
    coef = seeded_u64("band-row", rows, seed) | np.uint64(1)
    salt = seeded_u64("band", bands, seed)
    sig = signatures[valid].reshape(-1, bands, rows).astype(np.uint64)
    keys = (sig * coef).sum(axis=2, dtype=np.uint64) ^ salt  # (docs, bands)
    keys = mix64(keys)
    docs = (np.flatnonzero(valid) + first_doc).astype(np.uint64)
    out = np.empty(keys.size, dtype=RECORD)
    out["key"] = keys.ravel()
    out["doc"] = np.repeat(docs, bands)
    return out


def partition_of(keys: np.ndarray, num_partitions: int) -> np.ndarray:
    """The shard of each key (its high bits, which `mix64` made uniform)."""
    return ((keys >> np.uint64(32)) % np.uint64(num_partitions)).astype(np.int64)


def candidate_pairs(records: np.ndarray, first_new: int = 0, all_pairs_up_to: int = 16) -> np.ndarray:
    """Pairs (a < b) of documents sharing a bucket, from records sorted by (key, doc).

    Only pairs with at least one document >= `first_new` are produced (an incremental run never
    re-pairs documents of earlier runs). A bucket of up to `all_pairs_up_to` documents yields every
    pair; a larger one (thousands of copies of one page) links each document to the bucket's first
    and to its predecessor, O(n) pairs that still connect every true duplicate to the cluster.
    Returns an (m, 2) uint64 array, unique rows, sorted.
    """
    n = records.size
    if n < 2:
        return np.zeros((0, 2), dtype=np.uint64)
    keys, docs = records["key"], records["doc"]
    new_run = np.empty(n, dtype=bool)
    new_run[0] = True
    new_run[1:] = keys[1:] != keys[:-1]
    run_start_pos = np.flatnonzero(new_run)
    run_len = np.diff(np.append(run_start_pos, n))
    run_of = np.cumsum(new_run) - 1
    start_of = run_start_pos[run_of]
    len_of = run_len[run_of]
    first_new = np.uint64(first_new)
    pairs = []
    in_run = np.flatnonzero(len_of >= 2)
    small = in_run[len_of[in_run] <= all_pairs_up_to]
    for d in range(1, min(all_pairs_up_to, int(len_of.max()))):
        i = small[small + d < start_of[small] + len_of[small]]
        pairs.append(np.stack([docs[i], docs[i + d]], axis=1))
    big = in_run[(len_of[in_run] > all_pairs_up_to) & (np.arange(n)[in_run] > start_of[in_run])]
    pairs.append(np.stack([docs[start_of[big]], docs[big]], axis=1))
    pairs.append(np.stack([docs[big - 1], docs[big]], axis=1))
    p = np.concatenate(pairs) if pairs else np.zeros((0, 2), dtype=np.uint64)
    p = p[p[:, 0] != p[:, 1]]
    p.sort(axis=1)
    p = p[p[:, 1] >= first_new]
    return unique_pairs(p)


def unique_pairs(p: np.ndarray) -> np.ndarray:
    """Unique rows of an (m, 2) uint64 array, sorted."""
    if p.shape[0] == 0:
        return p.reshape(0, 2).astype(np.uint64)
    order = np.lexsort((p[:, 1], p[:, 0]))
    p = p[order]
    keep = np.ones(p.shape[0], dtype=bool)
    keep[1:] = (p[1:, 0] != p[:-1, 0]) | (p[1:, 1] != p[:-1, 1])
    return p[keep]
