"""Checks on the real evaluation corpora in ../shared (skipped when they are absent)."""

import io
import json
from pathlib import Path

import pytest

from tamis.dedup import LineCounter, NearDupIndex

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
pytestmark = pytest.mark.skipif(not (DATA / "news-vi.jsonl.zst").exists(), reason="shared data not available")


def _read(name):
    import zstandard

    with open(DATA / name, "rb") as fh:
        for line in io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(fh), encoding="utf-8"):
            yield json.loads(line)


@pytest.mark.slow
def test_every_vietnamese_silver_pair_ends_in_one_cluster():
    index = NearDupIndex()
    batch = []
    for rec in _read("news-vi.jsonl.zst"):
        batch.append(rec)
        if len(batch) == 2000:
            index.add_batch([r["id"] for r in batch], [r["text"] for r in batch])
            batch = []
    index.add_batch([r["id"] for r in batch], [r["text"] for r in batch])
    keeper = index.finalize().same_cluster()
    pairs = [p for p in _read("neardup-silver.jsonl.zst") if p["lang"] == "vi"]
    found = sum(p["a_id"] in keeper and keeper[p["a_id"]] == keeper.get(p["b_id"]) for p in pairs)
    assert found == len(pairs)


def test_arabic_end_marker_is_a_repeated_line_of_its_site():
    counter = LineCounter()
    docs = [r for _, r in zip(range(3000), _read("news-ar.jsonl.zst"))]
    for r in docs:
        counter.add(r["text"], r["site"])
    top = {(x.site, x.text) for x in counter.frequent(top=10)}
    assert ("3alyoum", "عين اليوم – متابعات") in top
