"""Running `tamis clean` as a measured child process and reading what it wrote."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path
from typing import Iterator

import zstandard

from bench.scoreboard.procs import Measured, run_measured


def tamis_clean(inputs: list[Path], out_dir: Path, workers: int, log_dir: Path, name: str,
                extra_args: list[str] = ()) -> Measured:
    cmd = [sys.executable, "-m", "tamis", "clean", *map(str, inputs), "-o", str(out_dir),
           "--workers", str(workers), "--no-progress", *extra_args]
    return run_measured(cmd, log_dir, name)


def _read_shard(path: Path) -> Iterator[dict]:
    if path.name.endswith(".zst"):
        fh = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(open(path, "rb")), encoding="utf-8")
    elif path.name.endswith(".gz"):
        fh = io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    else:
        fh = open(path, encoding="utf-8")
    with fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def read_outputs(out_dir: Path) -> dict[str, dict[str, dict]]:
    """{"kept": {id: record}, "rejected": {...}, "quarantine": {...}} from a tamis output folder."""
    result: dict[str, dict[str, dict]] = {}
    for kind in ("kept", "rejected", "quarantine"):
        recs: dict[str, dict] = {}
        folder = out_dir / kind
        if folder.is_dir():
            for shard in sorted(folder.iterdir()):
                if shard.name.startswith(".") or not shard.name.split(".", 1)[-1] in ("jsonl.zst", "jsonl.gz", "jsonl"):
                    continue
                for rec in _read_shard(shard):
                    recs[str(rec.get("id"))] = rec
        result[kind] = recs
    return result


def read_summary(out_dir: Path) -> dict:
    p = out_dir / "summary.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}
