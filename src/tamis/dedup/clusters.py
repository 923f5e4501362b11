"""The outcome of near-duplicate detection: one decision per document that has copies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import xxhash


def cluster_id_of(keeper_id: str) -> str:
    """A cluster's id: a hash of its kept document's id, so it is stable across runs and batches."""
    return f"{xxhash.xxh3_64_intdigest(keeper_id.encode('utf-8')):016x}"


@dataclass(frozen=True, slots=True)
class DupDecision:
    """What near-duplicate detection says about one document of a cluster (size >= 2)."""

    index: int  # position in the order documents were added to the index
    id: str
    cluster_id: str
    cluster_size: int
    keep: bool
    duplicate_of: str | None  # id of the kept document (None for the kept one)
    similarity: float  # estimated Jaccard similarity to the kept document (1.0 for the kept one)
    new: bool  # added since the previous finalize (incremental runs report earlier members too)

    def to_json(self) -> dict[str, Any]:
        """The fields a pipeline records on the document ("dedup" annotations)."""
        out: dict[str, Any] = {"cluster_id": self.cluster_id, "cluster_size": self.cluster_size}
        if not self.keep:
            out["duplicate_of"] = self.duplicate_of
            out["similarity"] = round(self.similarity, 4)
        return out


class Clusters:
    """Decisions for every document in a cluster of two or more (singletons are simply kept).

    Arrays are aligned: `index[i]`, `ids[i]`, ... describe one document; sorted by index.
    """

    def __init__(self, index: np.ndarray, ids: list[str], keeper: np.ndarray, keeper_ids: list[str], size: np.ndarray, similarity: np.ndarray, new: np.ndarray) -> None:
        self.index = index
        self.ids = ids
        self.keeper = keeper  # document index of each document's kept copy
        self.keeper_ids = keeper_ids
        self.size = size
        self.similarity = similarity
        self.new = new

    def __len__(self) -> int:
        return self.index.size

    def __iter__(self) -> Iterator[DupDecision]:
        cids: dict[str, str] = {}
        for i in range(self.index.size):
            kid = self.keeper_ids[i]
            cid = cids.get(kid) or cids.setdefault(kid, cluster_id_of(kid))
            keep = bool(self.keeper[i] == self.index[i])
            yield DupDecision(
                index=int(self.index[i]), id=self.ids[i], cluster_id=cid, cluster_size=int(self.size[i]), keep=keep,
                duplicate_of=None if keep else kid, similarity=float(self.similarity[i]), new=bool(self.new[i]),
            )

    @property
    def num_clusters(self) -> int:
        return int(np.unique(self.keeper).size)

    @property
    def num_dropped(self) -> int:
        return int((self.keeper != self.index).sum())

    def dropped_ids(self) -> list[str]:
        return [self.ids[i] for i in np.flatnonzero(self.keeper != self.index)]

    def by_id(self) -> dict[str, DupDecision]:
        return {d.id: d for d in self}

    def same_cluster(self) -> dict[str, str]:
        """Document id -> id of its kept copy, for every document in a cluster."""
        return dict(zip(self.ids, self.keeper_ids))

    def write_jsonl(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            for d in self:
                rec = {"id": d.id, "keep": d.keep, **d.to_json()}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
