"""Reading the shared evaluation data and writing the temporary inputs the tools run on.

The data is evaluation-only: temporary copies live under bench/results/ (git-ignored) or /tmp and
nothing derived from the text goes into the repository except aggregate numbers.
"""

from __future__ import annotations

import io
import json
import os
import random
from pathlib import Path
from typing import Iterable, Iterator

import zstandard

REPO = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    env = os.environ.get("TAMIS_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def read_jsonl_zst(path: Path, limit: int | None = None) -> Iterator[dict]:
    with open(path, "rb") as fh:
        stream = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(fh), encoding="utf-8")
        for n, line in enumerate(stream):
            if limit is not None and n >= limit:
                return
            yield json.loads(line)


def write_jsonl_zst(path: Path, records: Iterable[dict], level: int = 3) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "wb") as fh, zstandard.ZstdCompressor(level=level).stream_writer(fh) as zw:
        for rec in records:
            zw.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))
            n += 1
    return n


def load_pages(name: str, sample: float | None, seed: int = 0, data: Path | None = None) -> list[dict]:
    """Pages of `name` (pages-dev / pages-multi-dev) with only the fields the scoreboard needs;
    `sample` keeps that share of the pages of every (source, lang) group (at least one page).
    `data`: the data folder (default data_dir())."""
    pages = [{"id": r["id"], "source": r["source"], "lang": r["lang"], "text": r["text"],
              "labels": [x["label"] for x in r["lines"]]}
             for r in read_jsonl_zst((data or data_dir()) / f"{name}.jsonl.zst")]
    if sample is None or sample >= 1:
        return pages
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[dict]] = {}
    for p in pages:
        groups.setdefault((p["source"], p["lang"]), []).append(p)
    keep: set[str] = set()
    for key in sorted(groups):
        g = groups[key]
        keep.update(p["id"] for p in rng.sample(g, max(1, round(len(g) * sample))))
    return [p for p in pages if p["id"] in keep]


def load_news(lang: str, n: int) -> list[dict]:
    """The first `n` documents of news-<lang> as {id, text} (the body only, no title)."""
    return [{"id": r["id"], "text": r["text"]} for r in read_jsonl_zst(data_dir() / f"news-{lang}.jsonl.zst", n)]
