"""Union-find over document indices, fed with batches of verified pairs.

The pairs themselves are never kept: each batch is merged into a parent array and dropped. Unions
always hang the larger root under the smaller one, so a component's root is its smallest document
index whatever order the pairs come in: the partition into clusters is deterministic.
"""

from __future__ import annotations

import numpy as np


class UnionFind:
    """Components of documents 0..n-1 (grows on demand); one int64 per document, no pairs."""

    def __init__(self, n: int = 0) -> None:
        self.parent = np.arange(n, dtype=np.int64)

    def __len__(self) -> int:
        return self.parent.size

    def grow(self, n: int) -> None:
        if n > self.parent.size:
            self.parent = np.concatenate((self.parent, np.arange(self.parent.size, n, dtype=np.int64)))

    def find(self, x: np.ndarray | int) -> np.ndarray:
        """Roots of `x`, with full path compression of the visited nodes (vectorised pointer jumping)."""
        x = np.asarray(x, dtype=np.int64)
        root = self.parent[x]
        while True:
            up = self.parent[root]
            if np.array_equal(up, root):
                break
            root = up
        self.parent[x] = root
        return root

    def union(self, a: np.ndarray, b: np.ndarray) -> None:
        """Merge the components of every pair (a[i], b[i])."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        if a.size == 0:
            return
        self.grow(int(max(a.max(), b.max())) + 1)
        while True:
            ra, rb = self.find(a), self.find(b)
            differ = ra != rb
            if not differ.any():
                return
            lo = np.minimum(ra[differ], rb[differ])
            hi = np.maximum(ra[differ], rb[differ])
            # several pairs may hang the same root: the smallest target wins, the others retry
            np.minimum.at(self.parent, hi, lo)

    def roots(self) -> np.ndarray:
        """The root (smallest member) of every document's component."""
        return self.find(np.arange(self.parent.size, dtype=np.int64))
