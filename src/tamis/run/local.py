"""Run the pipeline on this machine: one reader, N worker processes, ordered writing.

Batches go to workers with a bounded number in flight, so memory stays flat however large the
input, and results are written in input order, so the same input gives the same output files.

Resuming: every `run.checkpoint_docs` input records, every output part finishes its shard (written
under a temporary name, then renamed) and `OUT/_checkpoint.json` is replaced (atomically) by one
naming those shards, the input position (file, records read in it) and the summary's counts. A run
killed at any moment and started again with the same command finds the checkpoint, deletes what was
written after it, and goes on from that input position; the output is byte for byte that of a run
never interrupted (the shard cuts are at the same records). A checkpoint of another command (other
inputs, config or format) is ignored and the run starts over.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from tamis import __version__
from tamis.config import ConfigError
from tamis.document import Document, Quarantined
from tamis.io.readers import INVALID_UTF8_MODES, ReadOptions, list_input_files, read_file
from tamis.io.writers import ShardWriter
from tamis.pipeline import Cleaner, Result, quarantine_result
from tamis.summary import Summary, write_json_atomic

log = logging.getLogger("tamis")

CHECKPOINT = "_checkpoint.json"
PARTS = ("kept", "rejected", "quarantine", "signals")

_worker_cleaner: Cleaner | None = None


def _init_worker(config: dict[str, Any], parent: int) -> None:
    global _worker_cleaner
    from tamis.run.budget import die_with_parent

    die_with_parent(parent)  # a killed run must not leave its workers behind
    _worker_cleaner = Cleaner(config)


def _work(batch: list[Document]) -> list[Result]:
    assert _worker_cleaner is not None
    return _worker_cleaner.process(batch)


@dataclass(slots=True)
class RunOptions:
    workers: int = 1
    fmt: str = "jsonl.zst"
    batch_docs: int = 64
    text_field: str = "text"
    id_field: str = "id"
    progress: bool | None = None  # None: a bar on a terminal, log lines otherwise
    resume: bool = True  # go on from a checkpoint of the same command; False: start over


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _merge(batch: list[Document | Quarantined], results: list[Result]) -> Iterator[Result]:
    """Put reader quarantines back in input order among the processed documents."""
    it = iter(results)
    for item in batch:
        if isinstance(item, Quarantined):
            yield quarantine_result(item.source, item.position, item.error, item.id, raw=item.raw)
        else:
            yield next(it)


def validate_run(config: dict[str, Any]) -> None:
    """Config sections `input:` and `run:`; raises ConfigError naming the key."""
    inp, run = config.get("input") or {}, config.get("run") or {}
    if inp.get("invalid_utf8", "replace") not in INVALID_UTF8_MODES:
        raise ConfigError(f"input.invalid_utf8 must be one of {', '.join(INVALID_UTF8_MODES)}, "
                          f"got {inp.get('invalid_utf8')!r}")
    number = (int, float)
    # key, value, types, what it must be, the test, may it be null
    checks = (("input.max_doc_bytes", inp.get("max_doc_bytes"), int, "an integer of at least 1", lambda v: v >= 1, True),
              ("input.max_binary_byte_frac", inp.get("max_binary_byte_frac"), number, "a number from 0 to 1",
               lambda v: 0 <= v <= 1, True),
              ("run.max_doc_seconds", run.get("max_doc_seconds"), number, "a number above 0", lambda v: v > 0, True),
              ("run.isolate_min_chars", run.get("isolate_min_chars"), int, "an integer of at least 1",
               lambda v: v >= 1, True),
              ("run.checkpoint_docs", run.get("checkpoint_docs", 10_000), int, "an integer of at least 1",
               lambda v: v >= 1, False))
    for key, value, types, what, ok, nullable in checks:
        if value is None and nullable:
            continue
        if isinstance(value, bool) or not isinstance(value, types) or not ok(value):
            raise ConfigError(f"{key} must be {what}{' or null' if nullable else ''}, got {value!r}")


def run_clean(inputs: list[str], out_dir: str, config: dict[str, Any], opts: RunOptions) -> dict[str, Any]:
    """Clean `inputs` into `out_dir` (kept/, rejected/, quarantine/, signals/, summary.json).

    With the corpus stage on (config `dedup:`), the documents are cleaned into out_dir/_stage and
    `tamis.run.dedup` writes the final folder from there (adding dedup/ and _dedup_index/). Either
    way an interrupted run started again resumes from its last checkpoint (see the module doc)."""
    from tamis.run.dedup import dedup_enabled, dedup_after_clean
    from tamis.run.lock import output_lock

    validate_run(config)
    files = list_input_files(inputs)  # InputError now, before anything is written
    with output_lock(out_dir):
        if dedup_enabled(config):
            return dedup_after_clean(lambda stage: _clean_documents(inputs, files, stage, config, opts, final=False),
                                     out_dir, config, opts.progress)
        return _clean_documents(inputs, files, out_dir, config, opts, final=True)


def _fingerprint(inputs: list[str], files: list[str], config: dict[str, Any], opts: RunOptions) -> str:
    """What makes a checkpoint valid for this command: same inputs (and, for local files, the same
    sizes and modification times), config and output format."""
    stats = []
    for f in files:  # a local file changed since the checkpoint makes it worthless
        try:
            st = os.stat(f) if "://" not in f else None
            stats.append([st.st_size, st.st_mtime_ns] if st else None)
        except OSError:
            stats.append(None)
    what = {"version": __version__, "inputs": list(inputs), "files": files, "stats": stats, "config": config,
            "fmt": opts.fmt, "text_field": opts.text_field, "id_field": opts.id_field}
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()


def _load_checkpoint(out_dir: str, fingerprint: str) -> dict[str, Any] | None:
    path = os.path.join(out_dir, CHECKPOINT)
    try:
        with open(path, encoding="utf-8") as fh:
            ck = json.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable checkpoint %s (%s): starting over", path, exc)
        return None
    if ck.get("fingerprint") != fingerprint:
        log.warning("%s belongs to another command (inputs, config or format differ): starting over", path)
        return None
    return ck


def _read_from(files: list[str], first: int, skip: int, opts: RunOptions,
               read_opts: ReadOptions) -> Iterator[tuple[tuple[int, int], Document | Quarantined]]:
    """Every record from file `first` on, the first `skip` of that file passed over, each with its
    position: (file index, records of that file read so far)."""
    for i in range(first, len(files)):
        k = skip if i == first else 0
        for rec in read_file(files[i], text_field=opts.text_field, id_field=opts.id_field, options=read_opts, skip=k):
            k += 1
            yield (i, k), rec


def _clean_documents(inputs: list[str], files: list[str], out_dir: str, config: dict[str, Any], opts: RunOptions,
                     *, final: bool) -> dict[str, Any]:
    """The per-document stage. `final`: out_dir is the user's folder (its checkpoint is removed at the
    end); else a staging folder, whose checkpoint stays, marked complete, for the stage after it."""
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):  # what a killed run was writing when it died
        if name.endswith(".tmp") and name.split(".", 2)[:2] in (["summary", "json"], ["_checkpoint", "json"]):
            os.remove(os.path.join(out_dir, name))
    every = int((config.get("run") or {}).get("checkpoint_docs", 10_000))
    fingerprint = _fingerprint(inputs, files, config, opts)
    ck = _load_checkpoint(out_dir, fingerprint) if opts.resume else None
    if ck is not None and ck.get("complete"):
        log.info("%s: already cleaned (checkpoint complete)", out_dir)
        return ck["result"]
    try:
        writers = {k: ShardWriter(out_dir, k, fmt=opts.fmt, resume=ck["shards"][k] if ck else 0) for k in PARTS}
    except (FileNotFoundError, KeyError) as exc:
        log.warning("checkpoint of %s does not match its shards (%s): starting over", out_dir, exc)
        ck = None
        writers = {k: ShardWriter(out_dir, k, fmt=opts.fmt) for k in PARTS}
    if ck is not None:
        log.info("resuming %s after %d input records (file %d of %d)", out_dir, ck["records"], ck["file"] + 1,
                 len(files))
    summary = Summary.from_state(ck["summary"]) if ck else Summary()
    done = ck["records"] if ck else 0
    read_opts = ReadOptions.from_config(config.get("input"))
    records = _read_from(files, ck["file"] if ck else 0, ck["skip"] if ck else 0, opts, read_opts)
    meter = _Meter(opts.progress)
    start = time.perf_counter()
    cpu_start = time.process_time()
    done_before, bytes_before = done, summary.bytes["in"]  # throughput counts this invocation's work

    def checkpoint(pos: tuple[int, int], counts: dict[str, int] | None = None,
                   complete: dict[str, Any] | None = None) -> None:
        shards = counts if counts is not None else {k: len(w.commit()) for k, w in writers.items()}
        state: dict[str, Any] = {"fingerprint": fingerprint, "records": done, "file": pos[0], "skip": pos[1],
                                 "shards": shards, "summary": summary.state()}
        if complete is not None:
            state.update(complete=True, result=complete)
        write_json_atomic(os.path.join(out_dir, CHECKPOINT), state)

    last = (ck["file"], ck["skip"]) if ck else (0, 0)

    def consume(batch: list[tuple[tuple[int, int], Document | Quarantined]], results: list[Result]) -> None:
        nonlocal done, last
        for (pos, _), r in zip(batch, _merge([rec for _, rec in batch], results)):
            summary.add(r)
            writers["quarantine" if r.kind == "quarantined" else r.kind].write(r.record)
            if r.signals is not None:
                writers["signals"].write({"kind": r.kind, **r.signals})
            meter.update(r.bytes_in)
            done += 1
            last = pos
            if done % every == 0:
                checkpoint(pos)

    def docs_of(batch: list[tuple[tuple[int, int], Document | Quarantined]]) -> list[Document]:
        return [d for _, d in batch if isinstance(d, Document)]

    try:
        if opts.workers <= 1:
            cleaner = Cleaner(config)
            for batch in _batches(records, opts.batch_docs):
                consume(batch, cleaner.process(docs_of(batch)))
        else:
            with ProcessPoolExecutor(opts.workers, initializer=_init_worker, initargs=(config, os.getpid())) as pool:
                pending: deque[tuple[list[Any], Future[list[Result]]]] = deque()
                for batch in _batches(records, opts.batch_docs):
                    pending.append((batch, pool.submit(_work, docs_of(batch))))
                    if len(pending) >= 2 * opts.workers:  # bounded in flight: memory stays flat
                        b, fut = pending.popleft()
                        consume(b, fut.result())
                while pending:
                    b, fut = pending.popleft()
                    consume(b, fut.result())
    except BaseException:
        for w in writers.values():
            w.abort()  # no partial shard is published; the last checkpoint lets a new run resume
        raise
    finally:
        meter.close()
    shards = {k: w.close() for k, w in writers.items()}
    elapsed = max(time.perf_counter() - start, 1e-9)
    n = done - done_before
    mb = (summary.bytes["in"] - bytes_before) / 1e6
    cores = max(1, min(opts.workers, os.cpu_count() or 1))
    throughput = {
        "seconds": round(elapsed, 3),
        "workers": opts.workers,
        "docs_per_s": round(n / elapsed, 1),
        "mb_per_s": round(mb / elapsed, 3),
        "docs_per_s_per_core": round(n / elapsed / cores, 1),
        "mb_per_s_per_core": round(mb / elapsed / cores, 3),
        "main_process_cpu_s": round(time.process_time() - cpu_start, 3),
    }
    if done_before:
        throughput["resumed_after_records"] = done_before
    outputs = {k: [os.path.relpath(p, out_dir) for p in v] for k, v in shards.items()}
    result = summary.to_json({"throughput": throughput, "outputs": outputs})
    counts = {k: len(v) for k, v in shards.items()}
    checkpoint(last, counts)  # every shard is complete: a kill from here on resumes with nothing left to read
    summary.write(os.path.join(out_dir, "summary.json"), {"throughput": throughput})
    if final:
        os.remove(os.path.join(out_dir, CHECKPOINT))
    else:
        checkpoint(last, counts, complete=result)
    return result


class _Meter:
    """A tqdm bar on a terminal; a plain log line every 10 s otherwise."""

    def __init__(self, progress: bool | None):
        self.tty = sys.stderr.isatty() if progress is None else progress
        self.docs = 0
        self.bytes = 0
        self.start = time.perf_counter()
        self.last_log = self.start
        self.bar = None
        if self.tty:
            from tqdm import tqdm

            self.bar = tqdm(unit="B", unit_scale=True, desc="cleaning", file=sys.stderr, smoothing=0.1)

    def update(self, nbytes: int) -> None:
        self.docs += 1
        self.bytes += nbytes
        if self.bar is not None:
            self.bar.update(nbytes)
            if self.docs % 200 == 0:
                self.bar.set_postfix(docs=self.docs, refresh=False)
        else:
            now = time.perf_counter()
            if now - self.last_log >= 10:
                self.last_log = now
                el = now - self.start
                log.info("%d docs, %.1f MB, %.0f docs/s, %.2f MB/s", self.docs, self.bytes / 1e6,
                         self.docs / el, self.bytes / 1e6 / el)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix(docs=self.docs)
            self.bar.close()
