"""Run the pipeline on this machine: one reader, N worker processes, ordered writing.

Batches go to workers with a bounded number in flight, so memory stays flat however large the
input, and results are written in input order, so the same input gives the same output files.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from tamis.document import Document, Quarantined
from tamis.io.readers import read_documents
from tamis.io.writers import ShardWriter
from tamis.pipeline import Cleaner, Result, quarantine_result
from tamis.summary import Summary

log = logging.getLogger("tamis")

_worker_cleaner: Cleaner | None = None


def _init_worker(config: dict[str, Any]) -> None:
    global _worker_cleaner
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


def _batches(items: Iterable[Document | Quarantined], size: int) -> Iterator[list[Document | Quarantined]]:
    batch: list[Document | Quarantined] = []
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


def run_clean(inputs: list[str], out_dir: str, config: dict[str, Any], opts: RunOptions) -> dict[str, Any]:
    """Clean `inputs` into `out_dir` (kept/, rejected/, quarantine/, signals/, summary.json).

    With the corpus stage on (config `dedup:`), the documents are cleaned into out_dir/_stage and
    `tamis.run.dedup` writes the final folder from there (adding dedup/ and _dedup_index/)."""
    from tamis.run.dedup import dedup_enabled, dedup_after_clean

    if dedup_enabled(config):
        return dedup_after_clean(lambda stage: _clean_documents(inputs, stage, config, opts), out_dir, config,
                                 opts.progress)
    return _clean_documents(inputs, out_dir, config, opts)


def _clean_documents(inputs: list[str], out_dir: str, config: dict[str, Any], opts: RunOptions) -> dict[str, Any]:
    os.makedirs(out_dir, exist_ok=True)
    docs = read_documents(inputs, text_field=opts.text_field, id_field=opts.id_field)
    writers = {k: ShardWriter(out_dir, k, fmt=opts.fmt) for k in ("kept", "rejected", "quarantine", "signals")}
    summary = Summary()
    meter = _Meter(opts.progress)
    start = time.perf_counter()
    cpu_start = time.process_time()

    def consume(batch: list[Document | Quarantined], results: list[Result]) -> None:
        for r in _merge(batch, results):
            summary.add(r)
            writers["quarantine" if r.kind == "quarantined" else r.kind].write(r.record)
            if r.signals is not None:
                writers["signals"].write({"kind": r.kind, **r.signals})
            meter.update(r.bytes_in)

    try:
        if opts.workers <= 1:
            cleaner = Cleaner(config)
            for batch in _batches(docs, opts.batch_docs):
                consume(batch, cleaner.process([d for d in batch if isinstance(d, Document)]))
        else:
            with ProcessPoolExecutor(opts.workers, initializer=_init_worker, initargs=(config,)) as pool:
                pending: deque[tuple[list[Document | Quarantined], Future[list[Result]]]] = deque()
                for batch in _batches(docs, opts.batch_docs):
                    pending.append((batch, pool.submit(_work, [d for d in batch if isinstance(d, Document)])))
                    if len(pending) >= 2 * opts.workers:  # bounded in flight: memory stays flat
                        b, fut = pending.popleft()
                        consume(b, fut.result())
                while pending:
                    b, fut = pending.popleft()
                    consume(b, fut.result())
    except BaseException:
        for w in writers.values():
            w.abort()  # no partial shard is published for a failed run
        raise
    finally:
        meter.close()
    shards = {k: w.close() for k, w in writers.items()}
    elapsed = max(time.perf_counter() - start, 1e-9)
    n = summary.docs["read"]
    mb = summary.bytes["in"] / 1e6
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
    result = summary.to_json({"throughput": throughput, "outputs": {k: [os.path.relpath(p, out_dir) for p in v]
                                                                     for k, v in shards.items()}})
    summary.write(os.path.join(out_dir, "summary.json"), {"throughput": throughput})
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
