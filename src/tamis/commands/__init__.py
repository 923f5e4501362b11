"""Subcommands beyond `clean` that work on a finished run's output folder (`tamis apply`,
`tamis calibrate`). Each module exposes `add_parser(sub)`; `tamis.cli` registers them.

Shared here: reading a run folder back in the order it was written, and loading a policy file.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tamis.config import ConfigError, load_config, merge, read_config_file

OUTPUT_PARTS = ("kept", "rejected", "quarantine", "signals")


class RunFolderError(ConfigError):
    """A run folder that is missing parts or whose parts disagree (exit code 2)."""


def load_policy(policy_path: str | None, config_path: str | None = None) -> dict[str, Any]:
    """The config a re-decision runs with: the defaults, the run's own `--config` file if given,
    then the policy file. A policy file is a config file holding a `policy:` section (what
    `tamis calibrate` writes), or just that section's `documents:`/`lines:` keys."""
    cfg = load_config(config_path)
    if policy_path is None:
        return cfg
    data = read_config_file(policy_path)
    if "policy" not in data and set(data) & {"documents", "lines"}:
        data = {"policy": data}
    cfg = merge(cfg, data)
    from tamis.policy.rules import validate_policy

    validate_policy(cfg["policy"])
    return cfg


def shard_paths(out_dir: str, part: str) -> list[str]:
    from tamis.io.writers import list_shards

    return list_shards(os.path.join(out_dir, part))


def run_format(out_dir: str) -> str:
    """The shard format of a run folder (jsonl.zst, jsonl.gz, jsonl or parquet)."""
    paths = [p for part in OUTPUT_PARTS for p in shard_paths(out_dir, part)]
    fmts = {os.path.basename(p).split(".", 1)[1] for p in paths}
    if len(fmts) > 1:
        raise RunFolderError(f"{out_dir}: shards of several formats ({', '.join(sorted(fmts))})")
    return fmts.pop() if fmts else "jsonl.zst"


def check_run_folder(out_dir: str) -> None:
    if not os.path.isdir(out_dir):
        raise RunFolderError(f"{out_dir}: no such folder (give the output folder of `tamis clean`)")
    if not os.path.isdir(os.path.join(out_dir, "signals")):
        raise RunFolderError(f"{out_dir}: no signals/ folder; is this the output folder of `tamis clean`?")


def iter_records(out_dir: str, part: str) -> Iterator[dict[str, Any]]:
    from tamis.io.writers import read_records

    for path in shard_paths(out_dir, part):
        yield from read_records(path)


def iter_run(out_dir: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(signals record, output record) for every kept or rejected document, in the order `tamis
    clean` wrote them: the signals shards hold every document in input order with its `kind`, and
    kept/ and rejected/ each hold theirs in that same order."""
    streams = {"kept": iter_records(out_dir, "kept"), "rejected": iter_records(out_dir, "rejected")}
    for n, sig in enumerate(iter_records(out_dir, "signals")):
        kind = sig.get("kind")
        if kind not in streams:
            raise RunFolderError(f"{out_dir}/signals: record {n} has kind {kind!r}, expected 'kept' or 'rejected'")
        rec = next(streams[kind], None)
        if rec is None:
            raise RunFolderError(f"{out_dir}/{kind}: fewer records than signals/ lists (ran out at signals record {n})")
        if rec.get("id") != sig.get("id"):
            raise RunFolderError(f"{out_dir}: signals record {n} is document {sig.get('id')!r} but the next "
                                 f"{kind} record is {rec.get('id')!r}; the folder's parts do not belong together")
        yield sig, rec
    for kind, rest in streams.items():
        extra = next(rest, None)
        if extra is not None:
            raise RunFolderError(f"{out_dir}/{kind}: more records than signals/ lists (first extra: {extra.get('id')!r})")


def copy_shards(run_dir: str, out_dir: str, part: str) -> None:
    """Copy a part's shards as they are, replacing the part's shards already in out_dir."""
    dest = os.path.join(out_dir, part)
    os.makedirs(dest, exist_ok=True)
    for old in shard_paths(out_dir, part):
        os.remove(old)
    for path in shard_paths(run_dir, part):
        shutil.copyfile(path, os.path.join(dest, os.path.basename(path)))


def read_summary(out_dir: str) -> dict[str, Any] | None:
    path = Path(out_dir) / "summary.json"
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


__all__ = ["RunFolderError", "check_run_folder", "copy_shards", "iter_records", "iter_run", "load_policy",
           "read_summary", "run_format", "shard_paths"]
