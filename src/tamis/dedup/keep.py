"""Which copy of a cluster is kept: a total, documented order, so the choice never depends on input order."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def preference_keys(
    keep_order: Sequence[str],
    *,
    index: np.ndarray,
    ids: Sequence[str],
    length: np.ndarray,
    quality: np.ndarray,
    priority: np.ndarray,
) -> list[np.ndarray]:
    """One sort key per `keep_order` entry (smaller = preferred), then the document index as the last tie-break.

    "-quality" puts the highest score first, "priority" the smallest number first; a missing value
    (NaN) always sorts last; "id" compares the id strings.
    """
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    columns = {"quality": quality.astype(float), "length": length.astype(float), "priority": priority.astype(float),
               "id": id_rank.astype(float), "index": index.astype(float)}
    keys = []
    for entry in keep_order:
        name = entry.lstrip("-")
        col = -columns[name] if entry.startswith("-") else columns[name].copy()
        col[np.isnan(col)] = np.inf
        keys.append(col)
    keys.append(index.astype(float))
    return keys


def choose_keepers(groups: np.ndarray, keys: list[np.ndarray], rank: np.ndarray | None = None) -> np.ndarray:
    """For members labelled by `groups`, the position (into the members) of each member's group keeper.

    `keys` come from `preference_keys`; `rank`, when given, is compared before them (smaller first:
    incremental runs use it to keep the documents already published by earlier runs).
    """
    sort_keys = list(reversed(keys))
    if rank is not None:
        sort_keys.append(np.asarray(rank, dtype=np.int64))
    sort_keys.append(groups)
    order = np.lexsort(sort_keys)
    g = groups[order]
    lead = np.ones(g.size, dtype=bool)
    lead[1:] = g[1:] != g[:-1]
    leader_pos = order[lead]
    group_idx = np.cumsum(lead) - 1
    keeper = np.empty(groups.size, dtype=np.int64)
    keeper[order] = leader_pos[group_idx]
    return keeper
