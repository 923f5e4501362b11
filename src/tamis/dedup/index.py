"""`NearDupIndex`: disk-backed MinHash LSH state, built batch by batch and resumable.

Layout of the index folder:

    state.json          config, number of documents, how many were covered by the last finalize
    signatures.u32      one row of num_perm uint32 per document (read back by row for verification)
    docs.bin            per document: length, quality, priority, where its id lies in ids.bin
    ids.bin             the document ids, UTF-8, back to back
    bands/shard-*.{sorted,new}   (band key, document) records, sharded by key
    clusters.bin        (document, root, kept document) for every document in a cluster

Memory: `add_batch` holds one batch; `finalize` holds one shard of band records (about
16 bytes x bands x documents / num_partitions), the candidate pairs of that shard, and a union-find
parent array (8 bytes per document); never all pairs, never all signatures.

Incremental use: `NearDupIndex.load(path)` then `add_batch` new documents and `finalize()` again;
only the new documents are hashed, their band records are merged into the sorted shards, and only
pairs involving a new document are verified. With `prefer_existing` (default), documents kept by
earlier runs stay kept and a new copy of one of them is the duplicate.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Sequence

import numpy as np

from tamis.dedup.clusters import Clusters
from tamis.dedup.config import NearDupConfig
from tamis.dedup.keep import choose_keepers, preference_keys
from tamis.dedup.lsh import RECORD, band_records, candidate_pairs, partition_of
from tamis.dedup.minhash import estimated_similarity, signatures_from_shingles
from tamis.dedup.shingles import shingles_of
from tamis.dedup.store import RowFile, ShardSet
from tamis.dedup.unionfind import UnionFind

FORMAT_VERSION = 1
DOC = np.dtype([("length", "<i8"), ("quality", "<f8"), ("priority", "<f8"), ("id_off", "<u8"), ("id_len", "<u4"), ("shingles", "<u4")])
MEMBER = np.dtype([("doc", "<u8"), ("root", "<u8"), ("keeper", "<u8")])
_VERIFY_CHUNK = 1 << 16  # candidate pairs verified per read of signatures


class NearDupIndex:
    """Near-duplicate clusters of a corpus, built with `add_batch` calls and `finalize`::

        index = NearDupIndex()              # a temporary folder; or NearDupIndex("dedup-index/")
        index.add_batch(ids, texts)         # as many batches as needed
        clusters = index.finalize()         # decisions for every document with copies
        index.save("dedup-index/")          # later: NearDupIndex.load("dedup-index/")
    """

    def __init__(self, path: str | Path | None = None, cfg: NearDupConfig | None = None) -> None:
        self._tmp = None
        if path is None:
            self._tmp = tempfile.mkdtemp(prefix="tamis-neardup-")
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._tmp, True)
            path = self._tmp
        self.path = Path(path)
        state_file = self.path / "state.json"
        if state_file.exists():
            state = json.loads(state_file.read_text())
            stored = NearDupConfig.from_json(state["config"])
            if cfg is not None and cfg != stored:
                raise ValueError(f"{self.path} was built with another configuration; load it without one")
            self.cfg = stored
            self.num_docs = int(state["docs"])
            self.num_finalized = int(state["finalized"])
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self.cfg = cfg or NearDupConfig()
            self.num_docs = 0
            self.num_finalized = 0
        p = self.cfg.num_perm
        self._sigs = RowFile(self.path / "signatures.u32", np.dtype("<u4"), width=p)
        self._docs = RowFile(self.path / "docs.bin", DOC)
        self._ids_path = self.path / "ids.bin"
        self._ids_path.touch(exist_ok=True)
        self._ids_size = self._ids_path.stat().st_size
        self._members = RowFile(self.path / "clusters.bin", MEMBER)
        n = self.cfg.num_partitions
        self._bands = ShardSet(self.path / "bands", n, RECORD, lambda r: partition_of(r["key"], n))
        if len(self._docs) != self.num_docs or len(self._sigs) != self.num_docs:
            raise ValueError(f"{self.path}: documents were added after the last save(); add them again to a saved copy")
        self._write_state()

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> "NearDupIndex":
        if not (Path(path) / "state.json").exists():
            raise FileNotFoundError(f"no near-duplicate index in {path}")
        return cls(path)

    def add_batch(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        quality: Sequence[float] | None = None,
        priority: Sequence[float] | None = None,
    ) -> np.ndarray:
        """Hash a batch of documents into the index; returns their document indices.

        `quality` (higher is better) and `priority` (smaller is better) feed `keep_order`; the
        length used there is the text's length in characters.
        """
        sh = shingles_of(texts, langs, self.cfg.shingles, self.cfg.seed)
        sigs = signatures_from_shingles(sh, self.cfg.num_perm, self.cfg.seed)
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        return self.add_signatures(ids, sigs, lengths, quality, priority, np.diff(sh.offsets))

    def add_signatures(
        self,
        ids: Sequence[str],
        signatures: np.ndarray,
        lengths: np.ndarray,
        quality: Sequence[float] | None = None,
        priority: Sequence[float] | None = None,
        shingle_counts: np.ndarray | None = None,
    ) -> np.ndarray:
        """Add documents whose signatures were computed elsewhere (the map step of a distributed run)."""
        n = len(ids)
        if signatures.shape != (n, self.cfg.num_perm):
            raise ValueError(f"expected signatures of shape ({n}, {self.cfg.num_perm}), got {signatures.shape}")
        first = self.num_docs
        encoded = [i.encode("utf-8") for i in ids]
        id_len = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=n)
        rows = np.zeros(n, dtype=DOC)
        rows["length"] = lengths
        rows["quality"] = np.nan if quality is None else np.asarray(quality, dtype=float)
        rows["priority"] = np.nan if priority is None else np.asarray(priority, dtype=float)
        rows["id_off"] = self._ids_size + np.concatenate(([0], np.cumsum(id_len)[:-1])) if n else 0
        rows["id_len"] = id_len
        rows["shingles"] = 0 if shingle_counts is None else np.minimum(shingle_counts, 2**32 - 1)
        with open(self._ids_path, "ab") as fh:
            fh.write(b"".join(encoded))
        self._ids_size += int(id_len.sum())
        self._sigs.append(signatures)
        self._docs.append(rows)
        self._bands.append(band_records(signatures, first, self.cfg.bands, self.cfg.rows, self.cfg.seed))
        self.num_docs += n
        return np.arange(first, first + n, dtype=np.int64)

    # --- clustering -------------------------------------------------------------------------

    def finalize(self) -> Clusters:
        """Cluster the documents added since the last finalize (with all earlier ones).

        Returns the decisions for every cluster that holds at least one new document.
        """
        cfg = self.cfg
        first_new = self.num_finalized
        uf = UnionFind(self.num_docs)
        old = self._members.read()
        old_keeper = np.arange(self.num_docs, dtype=np.int64)  # singletons keep themselves
        if old.size:
            uf.parent[old["doc"].astype(np.int64)] = old["root"].astype(np.int64)
            old_keeper[old["doc"].astype(np.int64)] = old["keeper"].astype(np.int64)
        for shard, sorted_part, new_part in self._bands.shards():
            if new_part.size == 0:
                continue
            merged = np.concatenate((sorted_part, new_part))
            merged = merged[np.lexsort((merged["doc"], merged["key"]))]
            pairs = candidate_pairs(merged, first_new, cfg.all_pairs_bucket_size)
            self._union_verified(uf, pairs)
            self._bands.rewrite(shard, merged)
            del merged, pairs
        return self._decide(uf, first_new, old_keeper)

    def _union_verified(self, uf: UnionFind, pairs: np.ndarray) -> None:
        """Union the candidate pairs whose estimated similarity reaches `min_similarity`."""
        for lo in range(0, pairs.shape[0], _VERIFY_CHUNK):
            chunk = pairs[lo : lo + _VERIFY_CHUNK].astype(np.int64)
            a, b = chunk[:, 0], chunk[:, 1]
            todo = uf.find(a) != uf.find(b)  # already joined through other pairs: nothing to learn
            a, b = a[todo], b[todo]
            if a.size == 0:
                continue
            sim = self.similarity(a, b)
            ok = sim >= self.cfg.min_similarity
            uf.union(a[ok], b[ok])

    def similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Estimated Jaccard similarity of documents a[i] and b[i] (from the stored signatures)."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        both = self._sigs.take(np.concatenate((a, b)))
        return estimated_similarity(both[: a.size], both[a.size :])

    def _decide(self, uf: UnionFind, first_new: int, old_keeper: np.ndarray) -> Clusters:
        cfg = self.cfg
        roots = uf.roots()
        size = np.bincount(roots, minlength=roots.size)
        members = np.flatnonzero(size[roots] >= 2)
        mroots = roots[members]
        meta = self._docs.take(members)
        ids = self._read_ids(meta)
        rank = None
        if cfg.prefer_existing and first_new > 0:
            # 0: kept by an earlier run, 1: new, 2: dropped by an earlier run
            was_old = members < first_new
            rank = np.where(was_old, np.where(old_keeper[members] == members, 0, 2), 1)
        keys = preference_keys(cfg.keep_order, index=members, ids=ids, length=meta["length"], quality=meta["quality"], priority=meta["priority"])
        keeper_pos = choose_keepers(mroots, keys, rank)
        keeper = members[keeper_pos]
        rows = np.zeros(members.size, dtype=MEMBER)
        rows["doc"], rows["root"], rows["keeper"] = members, mroots, keeper
        tmp = self.path / "clusters.bin.tmp"
        rows.tofile(tmp)
        tmp.replace(self.path / "clusters.bin")
        self.num_finalized = self.num_docs
        self._write_state()
        # report the clusters that hold a new document
        touched = np.zeros(roots.size, dtype=bool)
        touched[mroots[members >= first_new]] = True
        sel = np.flatnonzero(touched[mroots])
        sim = np.ones(sel.size)
        drop = keeper[sel] != members[sel]
        if drop.any():
            sim[drop] = self.similarity(members[sel][drop], keeper[sel][drop])
        return Clusters(
            index=members[sel], ids=[ids[i] for i in sel], keeper=keeper[sel],
            keeper_ids=[ids[i] for i in keeper_pos[sel]], size=size[mroots[sel]], similarity=sim,
            new=members[sel] >= first_new,
        )

    def _read_ids(self, meta: np.ndarray) -> list[str]:
        if meta.size == 0:
            return []
        order = np.argsort(meta["id_off"], kind="stable")
        out: list[str] = [""] * meta.size
        with open(self._ids_path, "rb") as fh:
            for i in order.tolist():
                fh.seek(int(meta["id_off"][i]))
                out[i] = fh.read(int(meta["id_len"][i])).decode("utf-8")
        return out

    # --- persistence ------------------------------------------------------------------------

    def _write_state(self) -> None:
        state = {"version": FORMAT_VERSION, "config": self.cfg.to_json(), "docs": self.num_docs, "finalized": self.num_finalized}
        tmp = self.path / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(self.path / "state.json")

    def save(self, path: str | Path | None = None) -> Path:
        """Flush everything to the index folder; with `path`, also copy the index there. Returns the copy's path."""
        self._bands.flush()
        self._write_state()
        if path is None or Path(path).resolve() == self.path.resolve():
            return self.path
        shutil.copytree(self.path, path, dirs_exist_ok=True)
        return Path(path)

    def close(self) -> None:
        self._bands.flush()
        self._write_state()
        if self._tmp is not None:
            self._cleanup()

    def __enter__(self) -> "NearDupIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
