"""Append-only files behind the disk-backed indexes.

`RowFile`: fixed-width numpy records, appended in batches, read back by row number with `pread`
(no memory map, so reading a few rows of a huge file costs a few pages, not the file).
`ShardSet`: records routed to `n` shard files by key; each shard is later loaded alone, sorted and
rewritten, so memory is bounded by the largest shard, not by the corpus.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator

import numpy as np


class RowFile:
    """A file of fixed-width records of `dtype` (`width` > 0: rows are arrays of `width` such values)."""

    def __init__(self, path: str | Path, dtype: np.dtype, width: int = 0) -> None:
        self.path = Path(path)
        self.dtype = np.dtype(dtype)
        self.width = width
        self.row_bytes = self.dtype.itemsize * max(width, 1)
        self.path.touch(exist_ok=True)

    def __len__(self) -> int:
        return self.path.stat().st_size // self.row_bytes

    def _shape(self, n: int) -> tuple[int, ...]:
        return (n, self.width) if self.width else (n,)

    def append(self, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype)
        if rows.shape[1:] != self._shape(0)[1:]:
            raise ValueError(f"rows of shape {rows.shape[1:]} do not fit {self.path.name}")
        with open(self.path, "ab") as fh:
            fh.write(rows.tobytes())

    def read(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Rows start..stop-1, read in one go."""
        stop = len(self) if stop is None else stop
        count = max(stop - start, 0)
        with open(self.path, "rb") as fh:
            fh.seek(start * self.row_bytes)
            flat = np.fromfile(fh, dtype=self.dtype, count=count * max(self.width, 1))
        return flat.reshape(self._shape(count))

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The given rows (any order, repeats allowed), reading each run of consecutive rows once."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return np.empty(self._shape(0), dtype=self.dtype)
        uniq, inverse = np.unique(rows, return_inverse=True)
        got = np.empty(self._shape(uniq.size), dtype=self.dtype)
        size = self.row_bytes
        breaks = np.flatnonzero(np.diff(uniq) != 1) + 1
        fd = os.open(self.path, os.O_RDONLY)
        try:
            for lo, hi in zip(np.concatenate(([0], breaks)).tolist(), np.concatenate((breaks, [uniq.size])).tolist()):
                buf = os.pread(fd, (hi - lo) * size, int(uniq[lo]) * size)
                got[lo:hi] = np.frombuffer(buf, dtype=self.dtype).reshape(self._shape(hi - lo))
        finally:
            os.close(fd)
        return got[inverse]


class ShardSet:
    """Records of `dtype` routed by `shard_of(records)` into `n` shard files under `folder`.

    Appends are buffered up to `buffer_rows` records in memory. Each shard has a `sorted` part
    (written by `rewrite`, records of `sorted_dtype`, by default `dtype`) and a `new` part
    (appended since).
    """

    def __init__(
        self,
        folder: str | Path,
        n: int,
        dtype: np.dtype,
        shard_of: Callable[[np.ndarray], np.ndarray],
        buffer_rows: int = 1 << 18,
        sorted_dtype: np.dtype | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.n = n
        self.dtype = np.dtype(dtype)
        self.sorted_dtype = np.dtype(sorted_dtype or dtype)
        self.shard_of = shard_of
        self.buffer_rows = buffer_rows
        self._buffer: list[np.ndarray] = []
        self._buffered = 0

    def _path(self, shard: int, part: str) -> Path:
        return self.folder / f"shard-{shard:05d}.{part}"

    def append(self, records: np.ndarray) -> None:
        self._buffer.append(records)
        self._buffered += records.size
        if self._buffered >= self.buffer_rows:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        records = np.concatenate(self._buffer)
        self._buffer, self._buffered = [], 0
        shard = self.shard_of(records)
        order = np.argsort(shard, kind="stable")
        records, shard = records[order], shard[order]
        bounds = np.searchsorted(shard, np.arange(self.n + 1))
        for s in range(self.n):
            if bounds[s + 1] > bounds[s]:
                with open(self._path(s, "new"), "ab") as fh:
                    fh.write(records[bounds[s] : bounds[s + 1]].tobytes())

    def load(self, shard: int, part: str) -> np.ndarray:
        dtype = self.sorted_dtype if part == "sorted" else self.dtype
        path = self._path(shard, part)
        return np.fromfile(path, dtype=dtype) if path.exists() else np.zeros(0, dtype=dtype)

    def shards(self) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(shard, sorted part, new part) for every shard, one at a time (flushes first)."""
        self.flush()
        for s in range(self.n):
            yield s, self.load(s, "sorted"), self.load(s, "new")

    def rewrite(self, shard: int, records: np.ndarray) -> None:
        """Replace a shard by `records` (its sorted part) and drop its new part."""
        tmp = self._path(shard, "sorted.tmp")
        records.tofile(tmp)
        os.replace(tmp, self._path(shard, "sorted"))
        self._path(shard, "new").unlink(missing_ok=True)
