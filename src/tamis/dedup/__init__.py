"""Deduplication: exact copies, near-duplicates (MinHash LSH) and boilerplate repeated across documents.

Exact duplicates
    `find_exact_duplicates(ids, texts, ExactConfig())` hashes each normalised text (xxh3, 128 bits)
    and returns `Clusters`; `exact_hash` / `normalize_text` expose the normalisation.

Near-duplicates
    `compute_signatures(texts, langs, NearDupConfig())` gives MinHash signatures (numpy uint32);
    `NearDupIndex` stores them with their LSH band keys on disk, batch by batch (`add_batch`), and
    `finalize()` returns `Clusters`: for every document with copies, its cluster id and size, whether
    it is kept, the id it duplicates and the estimated similarity to the kept copy. The kept copy is
    chosen by `NearDupConfig.keep_order` (quality, length, source priority, id), never by input
    order. `save` / `NearDupIndex.load` resume an index; a later batch is deduplicated against it
    without touching the earlier documents again. `candidate_probability` / `lsh_threshold` give
    the S-curve of a bands x rows setting.

Repeated lines
    `LineCounter.add(lines, site)` over the corpus, then `frequent()` (a report) and
    `annotate(lines, site)` (spans with counts, for the policy to remove).

Distributed runs use the same pieces: map `compute_signatures` + `band_records`, shuffle by
`partition_of`, reduce each partition with `candidate_pairs`, verify with `estimated_similarity`, and
merge the verified pairs in a `UnionFind`.
"""

from tamis.dedup.clusters import Clusters, DupDecision, cluster_id_of
from tamis.dedup.config import ExactConfig, LineConfig, NearDupConfig, ShingleConfig
from tamis.dedup.exact import exact_hash, find_exact_duplicates
from tamis.dedup.index import NearDupIndex
from tamis.dedup.lines import LineCounter, RepeatedLine, RepeatedSpan, candidate_segments, site_of
from tamis.dedup.lsh import band_records, candidate_pairs, candidate_probability, lsh_threshold, partition_of
from tamis.dedup.minhash import compute_signatures, estimated_similarity
from tamis.dedup.normalize import normalize_text
from tamis.dedup.shingles import shingles_of
from tamis.dedup.unionfind import UnionFind

__all__ = [
    "Clusters",
    "DupDecision",
    "ExactConfig",
    "LineConfig",
    "LineCounter",
    "NearDupConfig",
    "NearDupIndex",
    "RepeatedLine",
    "RepeatedSpan",
    "ShingleConfig",
    "UnionFind",
    "band_records",
    "candidate_pairs",
    "candidate_probability",
    "candidate_segments",
    "cluster_id_of",
    "compute_signatures",
    "estimated_similarity",
    "exact_hash",
    "find_exact_duplicates",
    "lsh_threshold",
    "normalize_text",
    "partition_of",
    "shingles_of",
    "site_of",
]
