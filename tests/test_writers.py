"""Shards: round trips in every format, size limits, atomic completion, byte-identical re-runs."""

from __future__ import annotations

import gzip
import math
import os
import uuid

import fsspec
import pyarrow.parquet as pq
import pytest

from tamis.document import Document
from tamis.io import (
    SHARD_FORMATS,
    InputError,
    ShardWriter,
    list_input_files,
    list_shards,
    read_documents,
    read_records,
    writers,
)

VI = "Người dân Đà Nẵng đổ ra bờ biển Mỹ Khê ngắm pháo hoa trong đêm khai mạc lễ hội."
AR = "افتتح أمير المنطقة معرض الكتاب السنوي بمشاركة أكثر من مئتي دار نشر عربية وأجنبية."


def _records(n: int) -> list[dict]:
    """Pipeline-like records: nested edits whose `values` keys vary from record to record."""
    out = []
    for i in range(n):
        text = VI if i % 2 == 0 else AR
        edits = [{"start": 0, "end": 3, "reason": "nav_line", "text": "Menu"}]
        if i % 3 == 0:
            edits.append({"start": 5, "end": 9, "reason": "dup_line", "text": "x", "values": {"dup_count": i}})
        out.append({
            "id": f"doc-{i:03d}",
            "text": f"{text} #{i}",
            "lang": "vi" if i % 2 == 0 else "ar",
            "score": i / 7,
            "n_lines": i,
            "kept": i % 4 != 0,
            "url": None if i % 5 == 0 else f"https://example.org/{i}",
            "edits": edits,
        })
    return out


@pytest.mark.parametrize("fmt", SHARD_FORMATS)
def test_round_trip_in_every_format(tmp_path, fmt):
    records = _records(40)
    with ShardWriter(str(tmp_path), "kept", fmt=fmt, max_records=15) as writer:
        for r in records:
            writer.write(r)
    paths = writer.close()  # a second close is harmless and lists the same shards

    assert [os.path.basename(p) for p in paths] == [f"0000{i}.{fmt}" for i in range(3)]
    assert [sum(1 for _ in read_records(p)) for p in paths] == [15, 15, 10]
    assert [r for p in paths for r in read_records(p)] == records
    assert sorted(os.listdir(tmp_path / "kept")) == [os.path.basename(p) for p in paths]  # no temp files


def test_parquet_stores_nested_values_as_json_columns(tmp_path):
    with ShardWriter(str(tmp_path), "kept", fmt="parquet") as writer:
        for r in _records(3):
            writer.write(r)
    (path,) = writer.paths
    table = pq.read_table(path)
    assert str(table.schema.field("edits").type) == "string"
    assert str(table.schema.field("n_lines").type) == "int64"
    assert table.column("edits")[0].as_py().startswith('[{"start":0,"end":3,')
    # the reader decodes them too, so our own parquet output can be read again as input
    (doc, *_) = read_documents([path])
    assert doc.meta["edits"][0] == {"start": 0, "end": 3, "reason": "nav_line", "text": "Menu"}


def test_parquet_starts_a_new_shard_when_the_schema_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "PARQUET_ROW_GROUP_ROWS", 2)  # the first row group fixes the schema
    first = [{"id": "a", "text": VI, "n": 1}, {"id": "b", "text": AR, "n": 2.5}]  # int + float: float column
    later = [{"id": "c", "text": VI, "n": 3, "extra": "mới"}]  # a new key after the first row group
    with ShardWriter(str(tmp_path), "kept", fmt="parquet") as writer:
        for r in first:
            writer.write(r)
        for r in later:
            writer.write(r)
    assert len(writer.paths) == 2
    assert [list(read_records(p)) for p in writer.paths] == [
        [{"id": "a", "text": VI, "n": 1.0}, {"id": "b", "text": AR, "n": 2.5}],
        later,
    ]


def test_shards_split_by_bytes_and_a_big_record_gets_a_shard_of_its_own(tmp_path):
    small = {"id": "s", "text": "x" * 80}  # about 100 bytes as a JSON line
    big = {"id": "b", "text": "y" * 1000}
    with ShardWriter(str(tmp_path), "out", fmt="jsonl", max_bytes=250) as writer:
        for r in [small, small, small, big, small]:
            writer.write(r)
    assert [len(list(read_records(p))) for p in writer.paths] == [2, 1, 1, 1]


@pytest.mark.parametrize("fmt", SHARD_FORMATS)
def test_same_records_give_byte_identical_files(tmp_path, fmt):
    contents = []
    for run in ("run1", "run2"):
        with ShardWriter(str(tmp_path / run), "kept", fmt=fmt, max_records=25) as writer:
            for r in _records(60):
                writer.write(r)
        contents.append([open(p, "rb").read() for p in writer.paths])
    assert len(contents[0]) == 3 and contents[0] == contents[1]
    if fmt == "jsonl.gz":
        assert contents[0][0][4:8] == b"\0\0\0\0"  # gzip mtime


def test_shard_is_renamed_into_place_only_when_complete(tmp_path):
    writer = ShardWriter(str(tmp_path), "kept", max_records=2)
    for r in _records(3):
        writer.write(r)
    names = sorted(os.listdir(tmp_path / "kept"))
    assert names[0].startswith(".00001.jsonl.zst.") and names[0].endswith(".tmp")  # still being written
    assert names[1:] == ["00000.jsonl.zst"]
    assert writer.close() == [str(tmp_path / "kept" / "00000.jsonl.zst"), str(tmp_path / "kept" / "00001.jsonl.zst")]
    assert sorted(os.listdir(tmp_path / "kept")) == ["00000.jsonl.zst", "00001.jsonl.zst"]


@pytest.mark.parametrize("fmt", SHARD_FORMATS)
def test_a_crash_leaves_no_partial_shard(tmp_path, fmt):
    with pytest.raises(RuntimeError):
        with ShardWriter(str(tmp_path), "kept", fmt=fmt, max_records=2) as writer:
            for r in _records(3):
                writer.write(r)
            raise RuntimeError("worker died")
    assert os.listdir(tmp_path / "kept") == [f"00000.{fmt}"]  # the finished shard stays


def test_a_leftover_temp_file_is_not_taken_for_a_shard(tmp_path):
    folder = tmp_path / "kept"
    folder.mkdir()
    (folder / ".00000.jsonl.zst.4242.tmp").write_bytes(b"\x28\xb5\x2f\xfd half a frame")  # killed process
    assert list_shards(str(folder)) == []
    with pytest.raises(InputError, match="no readable input files"):
        list_input_files([str(folder)])
    with ShardWriter(str(tmp_path), "kept") as writer:
        writer.write({"id": "a", "text": VI})
    assert list_shards(str(folder)) == [str(folder / "00000.jsonl.zst")]
    assert [d.text for d in read_documents([str(folder)])] == [VI]


def test_an_earlier_runs_shards_are_replaced_not_mixed(tmp_path):
    for n in (5, 1):
        with ShardWriter(str(tmp_path), "kept", max_records=1) as writer:
            for r in _records(n):
                writer.write(r)
    assert [os.path.basename(p) for p in list_shards(str(tmp_path / "kept"))] == ["00000.jsonl.zst"]
    with pytest.raises(FileExistsError):
        ShardWriter(str(tmp_path), "kept", overwrite=False)


def test_values_json_lacks_are_written_safely(tmp_path):
    with ShardWriter(str(tmp_path), "out", fmt="jsonl") as writer:
        writer.write({"id": "nan", "ratio": math.nan, "inf": [math.inf]})
        writer.write({"id": "surrogate", "text": "bad \ud800 half"})  # cannot be UTF-8
    (path,) = writer.paths
    with open(path, encoding="utf-8") as fh:  # still valid UTF-8 JSON Lines
        lines = fh.read().splitlines()
    assert lines[0] == '{"id":"nan","ratio":null,"inf":[null]}'
    assert list(read_records(path))[1]["text"] == "bad \ud800 half"


def test_jsonl_gz_is_standard_gzip(tmp_path):
    with ShardWriter(str(tmp_path), "out", fmt="jsonl.gz") as writer:
        writer.write({"id": "vi", "text": VI})
    with gzip.open(writer.paths[0], "rt", encoding="utf-8") as fh:
        assert fh.read() == f'{{"id":"vi","text":"{VI}"}}\n'


def test_writer_on_an_fsspec_url():
    root = f"memory://tamis-test-{uuid.uuid4().hex}"
    records = _records(7)
    with ShardWriter(root, "kept", max_records=4) as writer:
        for r in records:
            writer.write(r)
    assert writer.paths == [f"{root}/kept/00000.jsonl.zst", f"{root}/kept/00001.jsonl.zst"]
    assert list_shards(f"{root}/kept") == writer.paths
    assert [r for p in writer.paths for r in read_records(p)] == records
    docs = list(read_documents([f"{root}/kept"]))
    assert all(isinstance(d, Document) for d in docs) and [d.id for d in docs] == [r["id"] for r in records]
    fsspec.filesystem("memory").rm(root, recursive=True)
