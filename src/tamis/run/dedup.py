"""The corpus stage: duplicate documents and lines repeated across documents, over a finished run.

`run_dedup(RUN_OUT, OUT2, config)` (`tamis dedup`, and the last stage of `tamis clean`) reads the
documents of RUN_OUT/kept/ twice, streaming:

pass 1  each batch of documents is hashed into the index folder: its exact hash (`tamis.dedup.exact`),
        its MinHash signature (`NearDupIndex`), and its candidate boilerplate lines (`LineCounter`,
        counted per site when the record has a `site` or `url` field, corpus-wide otherwise). The
        lines of a document whose exact text was already seen are not counted again, so a page
        published ten times does not make its own lines "repeated".
between the exact groups and near-duplicate clusters are merged into one cluster per set of copies
        and one copy of each is kept (`dedup.keep`: longest text, then smallest id; with
        `--incremental`, documents published by earlier runs first), never by input order.
pass 2  every document is written again in input order: a dropped copy goes to OUT2/rejected/ with
        the reason `duplicate`; a kept one gets `cluster_size` (and `cluster_id` in a cluster), and
        its repeated lines are removed as new edits (`repeated-line`, and `blank-line` for the blank
        lines those removals leave doubled), expressed on the original text so that
        `rebuild_original` still gives it back byte for byte. A document whose text changed has
        its document signals computed again and the document rules checked again.

OUT2 has the layout of a `tamis clean` output folder: kept/, rejected/ (the run's rejected records
and the dropped copies, in input order), quarantine/ (copied), signals/ (the run's records with
`kind` set to where each document now is, so signals/, kept/ and rejected/ stay aligned for
`tamis apply`), summary.json (the run's, updated), plus dedup/ (one record per signals/ record, in
the same order: what this stage decided and the edits it added) and the index folder
(_dedup_index/ unless `--index`), which a later run can be deduplicated against with
`--incremental`. Memory: one batch of documents, one index shard at a time, and the members of
clusters (not the corpus).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from tamis.commands import copy_shards, iter_records, iter_run, read_summary, run_format, shard_paths
from tamis.config import ConfigError
from tamis.document import Edit
from tamis.summary import write_json_atomic

log = logging.getLogger("tamis")

RULE = "duplicate"  # reasons[].rule of a dropped copy
REPEATED = "repeated-line"  # edits[].reason of a removed boilerplate line or edge sentence
BLANK = "blank-line"  # edits[].reason of a blank line those removals left doubled or at an end
INDEX_DIR = "_dedup_index"
STAGE_DIR = "_stage"
INDEX_VERSION = 1

# Settings an index is built with: a later --incremental run must use the same.
INDEX_SETTINGS = ("exact", "near", "repeated_lines", "min_similarity", "bands", "rows", "keep", "line_min_docs",
                  "line_max_words", "line_fold_digits", "site_fields")
# Index settings added after indexes were first written, with the value those earlier indexes used.
_EARLIER_INDEX_SETTINGS = {"line_fold_digits": True}
_KEEP_KEYS = ("length", "id", "index")
NOTE_KEYS = ("id", "stage", "kind", "cluster_id", "cluster_size", "duplicate", "edits", "reasons")  # dedup/ records


class DedupError(ConfigError):
    """The stage cannot run (bad run folder, index or settings): a usage error, exit code 2."""


# ------------------------------------------------------------------ config


def validate_dedup(cfg: dict[str, Any]) -> None:
    """Check the values of the `dedup:` section (config.merge already rejects unknown keys)."""
    d = cfg.get("dedup")
    if not isinstance(d, dict):
        raise ConfigError("dedup: expected a mapping")

    def bad(key: str, what: str) -> ConfigError:
        return ConfigError(f"dedup.{key}: {d.get(key)!r} is not valid ({what})")

    for key in ("exact", "near", "repeated_lines", "line_fold_digits", "line_edges_without_site", "keep_index"):
        if not isinstance(d.get(key), bool):
            raise bad(key, "true or false")
    ms = d.get("min_similarity")
    if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not 0.0 < ms <= 1.0:
        raise bad("min_similarity", "a Jaccard similarity in (0, 1]")
    for key, lo in (("bands", 1), ("rows", 1), ("line_min_docs", 2), ("line_max_words", 1), ("top_lines", 0),
                    ("batch_docs", 1)):
        v = d.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise bad(key, f"an integer >= {lo}")
    keep = d.get("keep")
    if (not isinstance(keep, list) or not keep
            or not all(isinstance(k, str) and k.lstrip("-") in _KEEP_KEYS for k in keep)):
        raise bad("keep", f"a list of {', '.join(_KEEP_KEYS)}, each optionally prefixed with '-' (larger first)")
    fields = d.get("site_fields")
    if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
        raise bad("site_fields", "a list of record field names, possibly empty")


def dedup_enabled(cfg: dict[str, Any]) -> bool:
    d = cfg.get("dedup") or {}
    return bool(d.get("exact") or d.get("near") or d.get("repeated_lines"))


def disable_dedup(cfg: dict[str, Any]) -> dict[str, Any]:
    """The config with every part of the stage off (`tamis clean --no-dedup`)."""
    return {**cfg, "dedup": {**cfg["dedup"], "exact": False, "near": False, "repeated_lines": False}}


# ------------------------------------------------------------------ edits


def line_removals(text: str, spans: Iterable[Any], values_of: Any) -> list[tuple[int, int, str, dict[str, Any]]]:
    """Removals (start, end, reason, values), in `text` coordinates, for repeated spans of its lines.

    `spans` are `RepeatedSpan`s of `text.split("\\n")`; `values_of(span)` gives an edit's values.
    A whole line goes with its line break; an edge sentence with the spaces that separate it from the
    rest of its line (a line whose sentences all go goes whole). The blank lines around removed
    lines are kept only where they still separate two kept lines, one per gap (`blank-line`).
    """
    lines = text.split("\n")
    n = len(lines)
    starts = [0] * n
    pos = 0
    for i, line in enumerate(lines):
        starts[i] = pos
        pos += len(line) + 1
    whole: dict[int, dict[str, Any]] = {}
    parts: dict[int, list[tuple[int, int, dict[str, Any]]]] = {}
    for s in spans:
        if s.kind == "line":
            whole[s.line] = values_of(s)
        else:
            parts.setdefault(s.line, []).append((s.start, s.end, values_of(s)))
    for no, pieces in list(parts.items()):
        if no in whole:
            del parts[no]
            continue
        line = lines[no]
        covered = [False] * len(line)
        for a, b, _ in pieces:
            covered[a:b] = [True] * (b - a)
        if all(c or ch.isspace() for c, ch in zip(covered, line)):  # nothing but repeated sentences
            whole[no] = max((v for _, _, v in pieces), key=lambda v: v["docs"])
            del parts[no]
    out: list[tuple[int, int, str, dict[str, Any]]] = []
    # Partial lines.
    for no, pieces in parts.items():
        line, base = lines[no], starts[no]
        prev_end = 0
        for a, b, values in sorted(pieces, key=lambda p: p[0]):
            if line[b:].strip():  # text follows: take the spaces after the sentence
                while b < len(line) and line[b].isspace():
                    b += 1
            else:  # the line's last sentence: take the spaces before it
                while a > 0 and line[a - 1].isspace():
                    a -= 1
            a = max(a, prev_end)
            if b > a:
                out.append((base + a, base + b, REPEATED, values))
                prev_end = b
    # Whole lines, by runs of removed or blank lines.
    i = 0
    while i < n:
        if i not in whole:
            i += 1
            continue
        j = i
        while j > 0 and not lines[j - 1].strip() and (j - 1) not in whole:
            j -= 1  # blank lines just before the run belong to it
        k = i
        while k + 1 < n and (k + 1 in whole or not lines[k + 1].strip()):
            k += 1
        prev_kept, next_kept = j > 0, k < n - 1
        blanks = [m for m in range(j, k + 1) if m not in whole]
        keep_blank = blanks[0] if blanks and prev_kept and next_kept else None
        for m in range(j, k + 1):
            if m == keep_blank:
                continue
            reason, values = (REPEATED, whole[m]) if m in whole else (BLANK, {})
            if next_kept or not prev_kept:  # the line and the break after it
                a, b = starts[m], min(starts[m] + len(lines[m]) + 1, len(text))
            else:  # a run at the end: the break before the line and the line
                a, b = starts[m] - 1, starts[m] + len(lines[m])
            out.append((a, b, reason, values))
        i = k + 1
    out.sort(key=lambda r: r[0])
    return out


def apply_removals(text: str, removals: list[tuple[int, int, str, dict[str, Any]]]) -> str:
    parts, pos = [], 0
    for a, b, _, _ in removals:
        parts.append(text[pos:a])
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def compose_removals(edits: list[Edit], removals: list[tuple[int, int, str, dict[str, Any]]], original: str,
                     cleaned: str) -> list[Edit]:
    """Express removals made on `cleaned` (= `original` with `edits` applied) as edits of `original`.

    Like `tamis.edits.compose_edits`, but an existing removal (an edit whose replacement is empty:
    a line the per-document stage removed) that touches or lies inside a new removal keeps its own
    edit, with its reason: the new removal is split around it. An existing replacement (a Unicode
    repair) that a new removal overlaps is absorbed into it, as compose_edits does (the new edit
    then replaces the unrepaired original by what is left of the repair); removals that overlap
    the same replacement become one edit.
    """
    if not removals:
        return list(edits)
    n = len(edits)
    spans: list[tuple[int, int]] = []  # each edit's span in `cleaned`
    d = 0
    for e in edits:
        s = e.start + d
        spans.append((s, s + len(e.repl)))
        d += len(e.repl) - (e.end - e.start)
    # Group the removals whose extents (with the replacements they overlap) overlap.
    groups: list[list[Any]] = []  # [start, end, removals]
    k = 0
    for r in removals:
        a, b = r[0], r[1]
        while k < n and spans[k][1] <= a:
            k += 1
        ea, eb = a, b
        j = k
        while j < n and spans[j][0] < b:
            if spans[j][0] < spans[j][1]:  # a replacement overlapping the removal
                ea, eb = min(ea, spans[j][0]), max(eb, spans[j][1])
            j += 1
        if groups and groups[-1][1] > ea:
            groups[-1][1] = max(groups[-1][1], eb)
            groups[-1][2].append(r)
        else:
            groups.append([ea, eb, [r]])

    out: list[Edit] = []
    i = 0
    delta = 0  # len(repl) - len(orig) over the edits placed or absorbed: original = cleaned - delta

    def emit(pa: int, pb: int, grow: int, rems: list[tuple[int, int, str, dict[str, Any]]]) -> None:
        inside = [r for r in rems if r[0] < pb and r[1] > pa]
        if pb <= pa or not inside:
            return
        keep, pos = [], pa
        for a, b, _, _ in inside:
            keep.append(cleaned[pos:max(a, pos)])
            pos = max(pos, min(b, pb))
        keep.append(cleaned[pos:pb])
        os_ = pa - delta
        oe = os_ + (pb - pa) - grow
        out.append(Edit(os_, oe, original[os_:oe], "".join(keep), inside[0][2], inside[0][3]))

    for ga, gb, rems in groups:
        while i < n and spans[i][1] <= ga:  # wholly before (an earlier removal exactly at `ga` too)
            out.append(edits[i])
            delta += len(edits[i].repl) - (edits[i].end - edits[i].start)
            i += 1
        pa, grow = ga, 0
        while i < n and spans[i][0] < gb:
            e = edits[i]
            if spans[i][0] == spans[i][1]:  # an earlier removal inside: keep it, split around it
                emit(pa, spans[i][0], grow, rems)
                delta += grow
                grow = 0
                out.append(e)
                delta -= e.end - e.start
                pa = spans[i][0]
            else:  # a replacement inside the group's extent: absorbed
                grow += len(e.repl) - (e.end - e.start)
            i += 1
        emit(pa, gb, grow, rems)
        delta += grow
    out.extend(edits[i:])
    return out


# ------------------------------------------------------------------ the index folder


def _np():
    import numpy as np

    return np


@dataclass
class _Decision:
    """What the stage decided about one new document in a cluster."""

    keep: bool
    cluster_id: str
    cluster_size: int
    kind: str = ""  # "exact" | "near" for a dropped copy
    duplicate_of: str = ""
    similarity: float = 1.0


class CorpusIndex:
    """The index folder: everything a later run needs to be deduplicated against this one.

        state.json     settings, documents, runs
        docs.bin       per document: text length, where its id lies in ids.bin
        ids.bin        document ids, UTF-8, back to back
        status.u8      per document: 1 published in kept/, 2 not (dropped or rejected)
        exact/         (128-bit exact hash, document) records, sharded by hash
        near/          the NearDupIndex (MinHash signatures and LSH bands)
        lines/         LineCounter counts
        seen.bits      a Bloom filter of the exact hashes whose lines were counted (64 bits per
                       document of the first run, 128 KiB to 128 MiB)
    """

    SEEN_HASHES = 4

    def __init__(self, path: str, settings: dict[str, Any], incremental: bool, expected_docs: int = 0) -> None:
        np = _np()
        from tamis.dedup import LineConfig, LineCounter, NearDupConfig, NearDupIndex
        from tamis.dedup.store import RowFile, ShardSet

        self.path = Path(path)
        self.settings = {k: settings[k] for k in INDEX_SETTINGS}
        state_file = self.path / "state.json"
        if incremental:
            if not state_file.exists():
                raise DedupError(f"{path}: no dedup index to add to (--incremental needs the index folder of an "
                                 "earlier `tamis dedup` or `tamis clean` run)")
            state = json.loads(state_file.read_text("utf-8"))
            if state.get("version") != INDEX_VERSION:
                raise DedupError(f"{path}: index format {state.get('version')} is not {INDEX_VERSION}")
            built = {**_EARLIER_INDEX_SETTINGS, **state["settings"]}
            differ = [k for k in INDEX_SETTINGS if built.get(k) != self.settings[k]]
            if differ:
                raise DedupError(f"{path}: the index was built with other dedup settings ("
                                 + ", ".join(f"dedup.{k}: {built.get(k)!r} there, {self.settings[k]!r} now"
                                             for k in differ) + ")")
            self.docs, self.runs = int(state["docs"]), int(state["runs"])
            self.seen_bits = int(state["seen_bits"])
        else:
            if self.path.exists() and any(self.path.iterdir()):
                raise DedupError(f"{path}: the index folder is not empty (add --incremental to deduplicate against "
                                 "it, or give an empty or new --index folder)")
            self.path.mkdir(parents=True, exist_ok=True)
            self.docs, self.runs = 0, 0
            # 64 bits per expected document (at four times as many, still under 0.3% false positives)
            self.seen_bits = min(max(int(64 * max(expected_docs, 1) - 1).bit_length(), 20), 30)
        self.meta_dtype = np.dtype([("length", "<i8"), ("id_off", "<u8"), ("id_len", "<u4")])
        self.meta = RowFile(self.path / "docs.bin", self.meta_dtype)
        self.status = RowFile(self.path / "status.u8", np.dtype("u1"))
        self.ids_path = self.path / "ids.bin"
        self.ids_path.touch(exist_ok=True)
        if len(self.meta) != self.docs or len(self.status) != self.docs:
            raise DedupError(f"{path}: the index was left incomplete by a failed run; rebuild it")
        self.ids_size = self.ids_path.stat().st_size
        self.first_new = self.docs
        s = self.settings
        self.exact_dtype = np.dtype([("hi", "<u8"), ("lo", "<u8"), ("doc", "<u8")])
        self.exact = ShardSet(self.path / "exact", 16, self.exact_dtype,
                              lambda r: ((r["hi"] >> np.uint64(40)) % np.uint64(16)).astype(np.int64))
        self.near = None
        if s["near"]:
            cfg = NearDupConfig(bands=s["bands"], rows=s["rows"], min_similarity=float(s["min_similarity"]))
            try:
                self.near = NearDupIndex(self.path / "near", None if incremental else cfg)
            except ValueError as exc:
                raise DedupError(f"{path}/near: {exc}") from None
            if self.near.num_docs != self.docs:
                raise DedupError(f"{path}: the near-duplicate index holds {self.near.num_docs} documents, the "
                                 f"index {self.docs}: left incomplete by a failed run; rebuild it")
        self.lines = None
        if s["repeated_lines"]:
            self.lines = LineCounter(LineConfig(min_docs=s["line_min_docs"], max_line_words=s["line_max_words"],
                                                fold_digits=s["line_fold_digits"]), self.path / "lines")
        seen = self.path / "seen.bits"
        words = 1 << (self.seen_bits - 6)
        self.seen = np.fromfile(seen, dtype="<u8") if seen.exists() else np.zeros(words, dtype="<u8")
        if self.seen.size != words:
            raise DedupError(f"{seen}: unexpected size")

    # pass 1

    def add(self, ids: list[str], texts: list[str], langs: list[str | None], sites: list[str | None]) -> None:
        np = _np()
        from tamis.dedup.exact import ExactHashes

        n = len(ids)
        encoded = [i.encode("utf-8") for i in ids]
        rows = np.zeros(n, dtype=self.meta_dtype)
        rows["length"] = [len(t) for t in texts]
        lens = np.array([len(b) for b in encoded], dtype=np.int64)
        rows["id_len"] = lens
        rows["id_off"] = self.ids_size + np.concatenate(([0], np.cumsum(lens)[:-1])) if n else 0
        with open(self.ids_path, "ab") as fh:
            fh.write(b"".join(encoded))
        self.ids_size += int(lens.sum())
        self.meta.append(rows)
        first = self.docs
        self.docs += n
        if not (self.settings["exact"] or self.lines is not None):
            hashes = None
        else:
            hashes = ExactHashes.of(texts)
        if self.settings["exact"]:
            rec = np.zeros(n, dtype=self.exact_dtype)
            rec["hi"], rec["lo"] = hashes.hi, hashes.lo
            rec["doc"] = np.arange(first, first + n, dtype=np.uint64)
            self.exact.append(rec)
        if self.near is not None:
            self.near.add_batch(ids, texts, langs)
        if self.lines is not None:
            for k in range(n):
                if self._first_sight(int(hashes.hi[k]), int(hashes.lo[k])):
                    self.lines.add(texts[k].split("\n"), sites[k], remember=first + k)  # for pass 2

    def _first_sight(self, hi: int, lo: int) -> bool:
        """True the first time an exact hash is offered (a Bloom filter: rarely a false no)."""
        mask = (1 << self.seen_bits) - 1
        h = (hi << 64) | lo
        new = False
        seen = self.seen
        for j in range(self.SEEN_HASHES):
            bit = (h >> (j * 32)) & mask
            word, b = bit >> 6, 1 << (bit & 63)
            w = int(seen[word])
            if not w & b:
                new = True
                seen[word] = w | b
        return new

    # between the passes

    def decide(self, keep_order: list[str]) -> dict[int, _Decision]:
        """Cluster the documents and choose the kept copies; the decisions of the new documents."""
        np = _np()
        from tamis.dedup import UnionFind, cluster_id_of
        from tamis.dedup.keep import choose_keepers, preference_keys

        a_parts, b_parts = [], []
        exact_of: dict[int, int] = {}
        if self.settings["exact"]:
            members, reps = self._exact_groups()
            a_parts.append(members)
            b_parts.append(reps)
            exact_of = dict(zip(members.tolist(), reps.tolist()))
        if self.near is not None:
            clusters = self.near.finalize()
            a_parts.append(clusters.index.astype(np.int64))
            b_parts.append(clusters.keeper.astype(np.int64))
        if self.lines is not None:
            self.lines.finalize()
        if not a_parts:
            return {}
        a = np.concatenate(a_parts).astype(np.int64)
        b = np.concatenate(b_parts).astype(np.int64)
        nodes = np.unique(np.concatenate((a, b)))
        if nodes.size == 0:
            return {}
        uf = UnionFind(nodes.size)
        uf.union(np.searchsorted(nodes, a), np.searchsorted(nodes, b))
        groups = uf.roots()
        size = np.bincount(groups, minlength=nodes.size)[groups]
        meta = self.meta.take(nodes)
        ids = self._read_ids(meta)
        rank = None
        if self.first_new > 0:  # earlier runs: what they published stays, what they dropped comes last
            st = self.status.take(np.minimum(nodes, max(self.first_new - 1, 0)))
            rank = np.where(nodes < self.first_new, np.where(st == 1, 0, 2), 1)
        nan = np.full(nodes.size, np.nan)
        keys = preference_keys(keep_order, index=nodes, ids=ids, length=meta["length"], quality=nan, priority=nan)
        keeper = choose_keepers(groups, keys, rank)
        out: dict[int, _Decision] = {}
        near_pairs: list[tuple[int, int]] = []
        for p in np.flatnonzero(nodes >= self.first_new).tolist():
            kp = int(keeper[p])
            doc, kdoc = int(nodes[p]), int(nodes[kp])
            dec = _Decision(keep=kp == p, cluster_id=cluster_id_of(ids[kp]), cluster_size=int(size[p]))
            if not dec.keep:
                dec.duplicate_of = ids[kp]
                if doc in exact_of and exact_of.get(kdoc) == exact_of[doc]:
                    dec.kind = "exact"
                else:
                    dec.kind = "near"
                    near_pairs.append((doc, kdoc))
            out[doc] = dec
        if near_pairs and self.near is not None:
            pa = np.array([p[0] for p in near_pairs], dtype=np.int64)
            pb = np.array([p[1] for p in near_pairs], dtype=np.int64)
            for (doc, _), sim in zip(near_pairs, self.near.similarity(pa, pb).tolist()):
                out[doc].similarity = float(sim)
        return out

    def _exact_groups(self):
        """(member, smallest member of its group) for every exact group holding a new document."""
        np = _np()
        mem, rep = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for shard, old, new in self.exact.shards():
            if new.size == 0:
                continue
            merged = np.concatenate((old, new))
            merged = merged[np.lexsort((merged["doc"], merged["lo"], merged["hi"]))]
            same = np.zeros(merged.size, dtype=bool)
            same[1:] = (merged["hi"][1:] == merged["hi"][:-1]) & (merged["lo"][1:] == merged["lo"][:-1])
            group = np.cumsum(~same) - 1
            size = np.bincount(group)
            docs = merged["doc"].astype(np.int64)
            has_new = np.zeros(size.size, dtype=bool)
            has_new[group[docs >= self.first_new]] = True
            sel = (size[group] >= 2) & has_new[group]
            first = docs[np.flatnonzero(~same)]
            mem.append(docs[sel])
            rep.append(first[group[sel]])
            self.exact.rewrite(shard, merged)
        return np.concatenate(mem), np.concatenate(rep)

    def _read_ids(self, meta) -> list[str]:
        np = _np()
        out = [""] * meta.size
        with open(self.ids_path, "rb") as fh:
            for i in np.argsort(meta["id_off"], kind="stable").tolist():
                fh.seek(int(meta["id_off"][i]))
                out[i] = fh.read(int(meta["id_len"][i])).decode("utf-8")
        return out

    # pass 2 and after

    def publish(self, statuses: bytearray) -> None:
        np = _np()
        self.status.append(np.frombuffer(bytes(statuses), dtype="u1"))

    def commit(self) -> None:
        """Make this run's documents part of the index (the last step of a successful run)."""
        if self.near is not None:
            self.near.close()
        self.seen.tofile(self.path / "seen.bits.tmp")
        os.replace(self.path / "seen.bits.tmp", self.path / "seen.bits")
        self.runs += 1
        state = {"version": INDEX_VERSION, "settings": self.settings, "docs": self.docs, "runs": self.runs,
                 "seen_bits": self.seen_bits}
        tmp = self.path / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, self.path / "state.json")


# ------------------------------------------------------------------ the stage


@dataclass
class _Stats:
    docs: int = 0  # documents deduplicated (kept by the per-document stage)
    dropped: Counter[str] = field(default_factory=Counter)  # kind -> documents
    dropped_by_lang: dict[str, Counter[str]] = field(default_factory=dict)
    clusters: int = 0  # clusters with a kept copy among this run's documents
    in_clusters: int = 0
    lines: int = 0
    chars: int = 0
    line_docs: int = 0
    blank_lines: int = 0
    blank_chars: int = 0
    blank_docs: int = 0
    rechecked: int = 0
    rejected_after: Counter[str] = field(default_factory=Counter)  # lang -> docs rejected by the rules after removals
    rule_fails: dict[str, Counter[str]] = field(default_factory=dict)  # rule -> lang -> docs
    final: Counter[str] = field(default_factory=Counter)  # kind -> documents written
    final_bytes: Counter[str] = field(default_factory=Counter)
    final_langs: dict[str, Counter[str]] = field(default_factory=dict)
    removed_keys: Counter[int] = field(default_factory=Counter)
    key_info: dict[int, tuple[str | None, str, int]] = field(default_factory=dict)  # key -> (site, text, docs)
    bytes_in: int = 0

    def count(self, kind: str, rec: dict[str, Any]) -> None:
        """A kept or rejected record written to the output (the summary's final counts)."""
        n = len((rec.get("text") or "").encode("utf-8"))
        self.final[kind] += 1
        self.final_bytes[kind] += n
        lang = self.final_langs.setdefault(rec.get("lang") or "und", Counter())
        lang[kind] += 1
        lang[f"bytes_{kind}"] += n


def _site(rec: dict[str, Any], fields: list[str]) -> str | None:
    from tamis.dedup import site_of

    for f in fields:
        v = rec.get(f)
        if isinstance(v, str) and v.strip():
            return site_of(v) if (f == "url" or "://" in v) else v.strip()
    return None


class _Progress:
    def __init__(self, what: str, enabled: bool) -> None:
        self.what, self.enabled = what, enabled
        self.start = self.last = time.perf_counter()

    def tick(self, docs: int) -> None:
        now = time.perf_counter()
        if self.enabled and now - self.last >= 10:
            self.last = now
            log.info("%s: %d documents, %.0f docs/s", self.what, docs, docs / max(now - self.start, 1e-9))


def run_dedup(run_dir: str, out_dir: str, config: dict[str, Any], *, index_dir: str | None = None,
              incremental: bool = False, progress: bool | None = None) -> dict[str, Any]:
    """Deduplicate the kept documents of `run_dir` into `out_dir`; returns the new summary."""
    d = config["dedup"]
    if not os.path.isdir(os.path.join(run_dir, "kept")):
        raise DedupError(f"{run_dir}: no kept/ folder; give the output folder of `tamis clean`")
    if os.path.realpath(out_dir) == os.path.realpath(run_dir):
        raise DedupError("the output folder must differ from the run folder (its shards are being read)")
    fmt = run_format(run_dir)
    default_index = index_dir is None
    index_path = os.path.join(out_dir, INDEX_DIR) if default_index else index_dir
    assert index_path is not None
    if default_index and not incremental and os.path.isdir(index_path):
        shutil.rmtree(index_path)  # this output folder's own index, from an earlier run into it
    os.makedirs(out_dir, exist_ok=True)
    start = time.perf_counter()
    run_summary = read_summary(run_dir) or {}
    try:  # the number of kept documents the run announces (0 if unknown)
        expected = int(run_summary["documents"]["kept"])
    except (ValueError, KeyError, TypeError):
        expected = 0
    index = CorpusIndex(index_path, d, incremental, expected)
    show = progress is not False
    batch = int(d["batch_docs"])
    site_fields = list(d["site_fields"])

    # pass 1: hash every kept document into the index
    p1 = _Progress("dedup pass 1", show)
    ids: list[str] = []
    texts: list[str] = []
    langs: list[str | None] = []
    sites: list[str | None] = []
    n1 = 0
    for rec in iter_records(run_dir, "kept"):
        ids.append(str(rec["id"]))
        texts.append(rec["text"])
        langs.append(rec.get("lang"))
        sites.append(_site(rec, site_fields))
        if len(ids) >= batch:
            index.add(ids, texts, langs, sites)
            n1 += len(ids)
            ids, texts, langs, sites = [], [], [], []
            p1.tick(n1)
    if ids:
        index.add(ids, texts, langs, sites)
        n1 += len(ids)
    del ids, texts, langs, sites
    decisions = index.decide(list(d["keep"]))
    t1 = time.perf_counter()

    # pass 2: write every document again, in input order
    stats = _Stats()
    has_signals = bool(shard_paths(run_dir, "signals"))
    writers: dict[str, Any] = {}
    from tamis.io.writers import ShardWriter

    for part in ("kept", "rejected", "signals", "dedup") if has_signals else ("kept", "rejected", "dedup"):
        writers[part] = ShardWriter(out_dir, part, fmt=fmt)
    statuses = bytearray()  # per new document: 1 kept, 2 not
    p2 = _Progress("dedup pass 2", show)
    ctx = _Pass2(config, index, decisions, stats, fmt)
    ok = False
    try:
        doc_no = index.first_new
        if has_signals:
            for n, (sig, rec) in enumerate(iter_run(run_dir)):
                kind = sig["kind"]
                if kind == "kept":
                    new_kind, out_rec, note = ctx.process(doc_no, rec)
                    doc_no += 1
                    statuses.append(1 if new_kind == "kept" else 2)
                else:
                    new_kind, out_rec = "rejected", rec
                    note = {"id": rec.get("id"), "stage": "rejected", "kind": "rejected"}
                    if fmt == "parquet":
                        note = {k: note.get(k) for k in NOTE_KEYS}
                writers[new_kind].write(out_rec)
                writers["signals"].write({**sig, "kind": new_kind} if new_kind != kind else sig)
                writers["dedup"].write(note)
                stats.count(new_kind, out_rec)
                p2.tick(n + 1)
        else:  # a folder without signals/: the run's rejected records, then this stage's
            for rec in iter_records(run_dir, "rejected"):
                writers["rejected"].write(rec)
                stats.count("rejected", rec)
            for n, rec in enumerate(iter_records(run_dir, "kept")):
                new_kind, out_rec, note = ctx.process(doc_no, rec)
                doc_no += 1
                statuses.append(1 if new_kind == "kept" else 2)
                writers[new_kind].write(out_rec)
                writers["dedup"].write(note)
                stats.count(new_kind, out_rec)
                p2.tick(n + 1)
        if doc_no - index.first_new != n1:
            raise DedupError(f"{run_dir}/kept changed while it was being read ({n1} then {doc_no - index.first_new} records)")
        copy_shards(run_dir, out_dir, "quarantine")
        quarantined = sum(1 for _ in iter_records(run_dir, "quarantine"))
        ok = True
    finally:
        shards = {k: (w.close() if ok else w.abort()) for k, w in writers.items()}
    elapsed = max(time.perf_counter() - start, 1e-9)
    kept_index = not default_index or d["keep_index"]
    summary = _summary(run_dir, run_summary, quarantined, stats, index, d, {
        "seconds": round(elapsed, 3),
        "pass1_seconds": round(t1 - start, 3),
        "docs_per_s": round(n1 / elapsed, 1),
        "mb_per_s": round(stats.bytes_in / 1e6 / elapsed, 3),
    }, index_path if kept_index else None, incremental)
    index.publish(statuses)
    index.commit()
    if not kept_index:
        shutil.rmtree(index_path, ignore_errors=True)
    write_json_atomic(os.path.join(out_dir, "summary.json"), summary, indent=2)
    shards["quarantine"] = shard_paths(out_dir, "quarantine")
    return {**summary, "outputs": {k: [os.path.relpath(p, out_dir) for p in v] for k, v in shards.items()}}


class _Pass2:
    """Decides and rewrites one kept document of the run (pass 2)."""

    def __init__(self, config: dict[str, Any], index: CorpusIndex, decisions: dict[int, _Decision], stats: _Stats,
                 fmt: str) -> None:
        self.config = config
        self.d = config["dedup"]
        self.index = index
        self.decisions = decisions
        self.stats = stats
        self.site_fields = list(self.d["site_fields"])
        self.always_cluster_id = fmt == "parquet"  # a key missing from some records would split parquet shards
        self._cluster_seen: set[str] = set()

    def process(self, doc_no: int, rec: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """(where the document goes, its record, its dedup/ record)."""
        kind, out, note = self._process(doc_no, rec)
        note = {"id": rec.get("id"), "stage": "kept", "kind": kind, **note}
        if self.always_cluster_id:  # parquet: one schema for every record of dedup/
            note = {k: note.get(k) for k in NOTE_KEYS}
        return kind, out, note

    def _process(self, doc_no: int, rec: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        st = self.stats
        st.docs += 1
        text = rec["text"]
        st.bytes_in += len(text.encode("utf-8"))
        lang = rec.get("lang") or "und"
        dec = self.decisions.get(doc_no)
        note: dict[str, Any] = {}
        if dec is not None:
            st.in_clusters += 1
            if dec.cluster_id not in self._cluster_seen:
                self._cluster_seen.add(dec.cluster_id)
                st.clusters += 1
        if dec is not None and not dec.keep:  # a copy: rejected, its text untouched
            reason = {"rule": RULE, "kind": dec.kind, "duplicate_of": dec.duplicate_of, "cluster_id": dec.cluster_id,
                      "cluster_size": dec.cluster_size, "similarity": round(dec.similarity, 4)}
            st.dropped[dec.kind] += 1
            st.dropped_by_lang.setdefault(lang, Counter())[dec.kind] += 1
            out = dict(rec)
            out["reasons"] = list(rec.get("reasons") or []) + [reason]
            note.update({"cluster_id": dec.cluster_id, "cluster_size": dec.cluster_size, "duplicate": reason})
            return "rejected", out, note
        cluster = {"cluster_size": dec.cluster_size if dec else 1}
        if dec is not None or self.always_cluster_id:
            cluster = {"cluster_id": dec.cluster_id if dec else None, **cluster}
        note.update(cluster)
        out = with_cluster(rec, cluster)
        kind = "kept"
        if self.index.lines is not None:
            kind = self._remove_lines(rec, out, lang, note, doc_no)
        return kind, out, note

    def _remove_lines(self, rec: dict[str, Any], out: dict[str, Any], lang: str, note: dict[str, Any],
                      doc_no: int) -> str:
        from tamis.dedup.lines import edge_spans
        from tamis.edits import apply_edits, rebuild_original

        assert self.index.lines is not None
        text = rec["text"]
        site = _site(rec, self.site_fields)
        lines = text.split("\n")
        spans = self.index.lines.annotate(lines, site, remember=doc_no)  # the segments pass 1 found
        if spans and site is None and self.config["dedup"]["line_edges_without_site"]:
            spans = edge_spans(lines, spans)
        if not spans:
            return "kept"
        st = self.stats
        for s in spans:
            st.removed_keys[s.key] += 1
            if s.key not in st.key_info:
                st.key_info[s.key] = (site, lines[s.line][s.start:s.end], s.count)
        removals = line_removals(text, spans, lambda s: {"docs": s.count, "site": site})
        old = [Edit.from_json(e) for e in rec.get("edits") or []]
        original = rebuild_original(text, old)
        new_text = apply_removals(text, removals)
        edits = compose_removals(old, removals, original, text)
        if apply_edits(original, edits) != new_text or rebuild_original(new_text, edits) != original:
            raise RuntimeError(f"document {rec.get('id')!r}: repeated-line edits do not compose")  # a bug
        st.line_docs += 1
        st.blank_docs += any(r[2] == BLANK for r in removals)
        for a, b, reason, _ in removals:
            if reason == REPEATED:
                st.lines += 1
                st.chars += b - a
            else:
                st.blank_lines += 1
                st.blank_chars += b - a
        out["text"] = new_text
        out["edits"] = [e.to_json() for e in edits]
        old_ids = {id(e) for e in old}
        note["edits"] = [e.to_json() for e in edits if id(e) not in old_ids]
        # The text changed: its document signals and the document rules again, as the pipeline does.
        st.rechecked += 1
        failures = recheck_document(out, original, edits, lang, rec, self.config["policy"])
        if failures:  # rejected records carry no cluster fields (a duplicate's reason holds them)
            for k in ("cluster_id", "cluster_size"):
                out.pop(k, None)
            out["reasons"] = failures
            note["reasons"] = failures
            st.rejected_after[lang] += 1
            for f in failures:
                st.rule_fails.setdefault(f["rule"], Counter())[lang] += 1
            return "rejected"
        return "kept"


def recheck_document(out: dict[str, Any], original: str, edits: list[Edit], lang: str, rec: dict[str, Any],
                     policy: dict[str, Any], known: Any = None) -> list[dict[str, Any]]:
    """Document signals and rules of a text this stage changed (`out["text"]`): line counts from
    the text and the Unicode-repaired original; updates `out["signals"]`, returns the failures.
    `known`: the run's (text, signals), reused if the text is the same (`tamis apply`)."""
    from tamis.edits import apply_edits
    from tamis.policy.rules import check_document, rules_for
    from tamis.segment.lines import split_lines
    from tamis.signals.document import document_signals

    text = out["text"]
    normalized = apply_edits(original, [e for e in edits if e.repl and e.reason == "unicode-repair"])
    total = sum(1 for x in split_lines(normalized)[0] if x.strip())
    kept_lines = sum(1 for x in text.split("\n") if x.strip())
    score = float(rec.get("lang_score") if rec.get("lang_score") is not None else
                  (rec.get("signals") or {}).get("lang_score", 0.0))
    sig = document_signals(text, len(original), kept_lines, total, score, lang, known)
    if "signals" in out:
        out["signals"] = sig
    return check_document(rules_for(policy, lang), sig)


def with_cluster(rec: dict[str, Any], cluster: dict[str, Any]) -> dict[str, Any]:
    """The record with the cluster fields put before `edits` (where passed-through fields sit)."""
    if "edits" not in rec:
        return {**rec, **cluster}
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if k == "edits":
            out.update(cluster)
        if k not in cluster:
            out[k] = v
    return out


def _summary(run_dir: str, s: dict[str, Any], quarantined: int, st: _Stats, index: CorpusIndex, d: dict[str, Any],
             throughput: dict[str, Any], index_path: str | None, incremental: bool) -> dict[str, Any]:
    """The run's summary `s` with this stage's changes, and a `dedup` section."""
    kept, rejected = st.final["kept"], st.final["rejected"]
    docs = s.setdefault("documents", {})
    old_read = docs.get("read")
    docs["read"] = old_read if old_read is not None else kept + rejected + quarantined
    docs["kept"], docs["rejected"], docs["quarantined"] = kept, rejected, quarantined
    if docs["read"] != kept + rejected + quarantined:
        raise DedupError(f"{run_dir}/summary.json counts {docs['read']} documents read but the shards hold "
                         f"{kept + rejected + quarantined}; the folder's parts do not belong together")
    b = s.setdefault("bytes", {})
    b.setdefault("in", sum(st.final_bytes.values()))
    b["kept"], b["rejected"] = st.final_bytes["kept"], st.final_bytes["rejected"]
    langs = s.setdefault("languages", {})
    for lang in list(langs) + sorted(set(st.final_langs) - set(langs)):
        c = st.final_langs.get(lang, Counter())
        entry = langs.setdefault(lang, {"read": c["kept"] + c["rejected"]})
        for key in ("kept", "rejected", "bytes_kept", "bytes_rejected"):
            if c[key] or key in entry:
                entry[key] = c[key]
    removed = s.setdefault("removed", {})
    for reason, lines, chars, ndocs in ((REPEATED, st.lines, st.chars, st.line_docs),
                                        (BLANK, st.blank_lines, st.blank_chars, st.blank_docs)):
        if lines:
            r = removed.setdefault(reason, {"lines": 0, "chars": 0, "documents": 0})
            r["lines"] = r.get("lines", 0) + lines
            r["chars"] = r.get("chars", 0) + chars
            r["documents"] = r.get("documents", 0) + ndocs
    s["removed"] = dict(sorted(removed.items()))
    by_rule = s.setdefault("rejected_by_rule", {})
    dup_langs = {lang: sum(c.values()) for lang, c in sorted(st.dropped_by_lang.items())}
    if dup_langs:
        by_rule[RULE] = dup_langs
    for rule, per_lang in st.rule_fails.items():
        r = by_rule.setdefault(rule, {})
        for lang, n in per_lang.items():
            r[lang] = r.get(lang, 0) + n
    s["rejected_by_rule"] = dict(sorted(by_rule.items()))
    top = sorted(st.removed_keys.items(), key=lambda kv: (-kv[1], -st.key_info[kv[0]][2], st.key_info[kv[0]][1]))
    s["dedup"] = {
        "documents": st.docs,
        "settings": {k: d[k] for k in INDEX_SETTINGS},
        "duplicates": {"exact": st.dropped["exact"], "near": st.dropped["near"]},
        "duplicates_by_language": {lang: {"exact": c["exact"], "near": c["near"]}
                                   for lang, c in sorted(st.dropped_by_lang.items())},
        "clusters": st.clusters,
        "documents_in_clusters": st.in_clusters,
        "repeated_lines": {"lines": st.lines, "chars": st.chars, "documents": st.line_docs},
        "rejected_after_line_removal": dict(sorted(st.rejected_after.items())),
        "top_repeated_lines": [
            {"text": st.key_info[k][1], "site": st.key_info[k][0], "docs": st.key_info[k][2], "removed": n}
            for k, n in top[: int(d["top_lines"])]
        ],
        "index": {"path": index_path, "incremental": incremental, "documents": index.docs,
                  "earlier_documents": index.first_new, "runs": index.runs + 1},
        "throughput": throughput,
    }
    return s



def dedup_after_clean(clean: Any, out_dir: str, config: dict[str, Any], progress: bool | None) -> dict[str, Any]:
    """`tamis clean` with the corpus stage: `clean(folder)` writes the per-document output into
    out_dir/_stage, then the stage writes out_dir from it and the staging folder is removed.

    Resuming: `clean` keeps its checkpoints in the staging folder, so an interrupted run started
    again goes on from the last one (and skips cleaning when it had finished); this stage, whose
    output is a deterministic function of the staged folder, is then simply run again in full. The
    staging folder goes only once the final folder is written: its checkpoint first, so that a kill
    while it is being removed leaves a folder that a new run treats as empty."""
    from tamis.run.local import CHECKPOINT

    stage = os.path.join(out_dir, STAGE_DIR)
    first = clean(stage)
    try:
        summary = run_dedup(stage, out_dir, config, progress=progress)
    except Exception:
        log.error("the corpus stage failed; the cleaned documents are in %s: running the same command again, "
                  "or `tamis dedup %s -o %s`, resumes", stage, stage, out_dir)
        raise
    os.remove(os.path.join(stage, CHECKPOINT))
    shutil.rmtree(stage)
    summary["throughput"] = first["throughput"]
    return summary
