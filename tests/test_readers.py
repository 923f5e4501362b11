"""Reading every input kind into Documents; bad records and bad files become Quarantined records."""

from __future__ import annotations

import gzip
import io
import json
import uuid

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from tamis.document import Document, Quarantined
from tamis.io import InputError, list_input_files, read_documents, read_file
from tamis.io.formats import iter_decompressed, iter_lines

# Short news paragraphs written for these tests.
VI = (
    "Sáng nay, Sở Giao thông Vận tải Hà Nội cho biết sẽ mở thêm ba tuyến xe buýt điện nối trung tâm "
    "với các khu đô thị mới ở phía tây thành phố. Các tuyến chạy từ 5 giờ sáng đến 10 giờ tối, giá vé "
    "giữ nguyên 9.000 đồng mỗi lượt."
)
AR = (
    "أعلنت وزارة التعليم اليوم بدء التسجيل للعام الدراسي الجديد عبر المنصة الإلكترونية، على أن يستمر "
    "التسجيل حتى نهاية الشهر المقبل.\nوأوضحت الوزارة أن الطلاب الجدد يحتاجون إلى شهادة الميلاد وصورة "
    "من بطاقة الهوية."
)


def _jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def _compress(data: bytes, suffix: str) -> bytes:
    if suffix.endswith(".gz"):
        return gzip.compress(data, mtime=0)
    if suffix.endswith(".zst"):
        return zstandard.ZstdCompressor(level=3).compress(data)
    return data


NEWS = [
    {"id": "vi-001", "text": VI, "url": "https://tin.example.vn/giao-thong/1", "lang": "vi"},
    {"id": "ar-001", "text": AR, "url": "https://akhbar.example.sa/taalim/1", "lang": "ar", "site": "akhbar"},
]


# ---------------------------------------------------------------- each input kind


def test_txt_folder_one_document_per_file_in_sorted_order(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.txt").write_text(VI, encoding="utf-8")
    (tmp_path / "z.txt").write_text("Cuối cùng.", encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text(AR, encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "c.txt").write_text("", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not an input")  # unsupported suffix: skipped
    (tmp_path / ".hidden.txt").write_text("skipped")  # hidden: skipped
    (tmp_path / "_tmp").mkdir()
    (tmp_path / "_tmp" / "partial.txt").write_text("skipped")

    docs = list(read_documents([str(tmp_path)]))

    assert [d.id for d in docs] == ["a", "b", "c", "z"]
    assert [d.text for d in docs] == [VI, AR, "", "Cuối cùng."]
    assert docs[1].source == str(tmp_path / "sub" / "b.txt")
    assert all(isinstance(d, Document) and d.position == 0 and d.meta == {} for d in docs)


def test_txt_invalid_utf8_is_replaced_and_counted(tmp_path):
    # four invalid bytes (a cut sequence, two stray bytes, a cut sequence at the end); the genuine
    # U+FFFD already in the text is not counted
    (tmp_path / "bad.txt").write_bytes(b"\xef\xbb\xbfH\xe0 N\xff\xfei \xef\xbf\xbd ok \xc3")
    (doc,) = read_documents([str(tmp_path / "bad.txt")])
    assert doc.text == "H\ufffd N\ufffd\ufffdi \ufffd ok \ufffd"  # BOM dropped
    assert doc.meta == {"decode_errors": {"count": 4, "bytes": ["e0", "ff", "fe", "c3"]}}


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst", ".json.gz", ".ndjson"])
def test_jsonl_plain_and_compressed(tmp_path, suffix):
    path = tmp_path / f"news{suffix}"
    path.write_bytes(_compress(_jsonl(NEWS[:1]) + b"\n" + _jsonl(NEWS[1:]) + '{"text": "Không có mã."}'.encode(), suffix))

    docs = list(read_documents([str(path)]))

    assert [d.id for d in docs] == ["vi-001", "ar-001", f"news{suffix}:4"]  # the blank line 2 counts
    assert [d.position for d in docs] == [1, 3, 4]  # 1-based lines
    assert docs[0].text == VI and docs[1].text == AR
    assert docs[1].meta == {"url": "https://akhbar.example.sa/taalim/1", "lang": "ar", "site": "akhbar"}
    assert list(docs[1].meta) == ["url", "lang", "site"]  # input order kept
    assert all(d.source == str(path) for d in docs)


def test_field_names_are_configurable_and_other_fields_pass_through(tmp_path):
    path = tmp_path / "renamed.jsonl"
    path.write_bytes(_jsonl([{"doc_id": 17, "content": VI, "text": "a title", "tags": ["xe buýt"], "n": 1.5}]))
    (doc,) = read_documents([str(path)], text_field="content", id_field="doc_id")
    assert doc.id == "17"  # integer ids become strings
    assert doc.text == VI
    assert doc.meta == {"text": "a title", "tags": ["xe buýt"], "n": 1.5}


def test_parquet_streams_rows_with_the_same_field_rules(tmp_path):
    path = tmp_path / "news.parquet"
    table = pa.table({
        "id": ["vi-001", None, "ar-001", "x"],
        "text": [VI, "Tin ngắn.", AR, None],
        "lang": ["vi", "vi", "ar", "vi"],
        "views": [10, 20, 30, 40],
    })
    pq.write_table(table, path, row_group_size=2)  # two row groups

    out = list(read_documents([str(path)]))

    assert [type(r).__name__ for r in out] == ["Document"] * 3 + ["Quarantined"]
    assert [r.id for r in out[:3]] == ["vi-001", "news.parquet:1", "ar-001"]
    assert [r.position for r in out] == [0, 1, 2, 3]  # 0-based rows
    assert out[2].meta == {"lang": "ar", "views": 30}
    assert out[3].error == "text field 'text' must be a string, got null" and out[3].id == "x"


def test_parquet_without_the_text_column_is_one_quarantined_record(tmp_path):
    path = tmp_path / "no_text.parquet"
    pq.write_table(pa.table({"id": ["a"], "body": [VI]}), path)
    (q,) = read_documents([str(path)])
    assert isinstance(q, Quarantined)
    assert q.error == "missing text column 'text' (columns: id, body)"
    (doc,) = read_documents([str(path)], text_field="body")
    assert doc.text == VI


def _warc_record(headers: list[tuple[str, str]], body: str) -> bytes:
    payload = body.encode()
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + f"Content-Length: {len(payload)}\r\n\r\n"
    return head.encode() + payload + b"\r\n\r\n"


def _wet_records() -> list[bytes]:
    """A warcinfo record and two conversion records, as Common Crawl writes them."""
    return [
        _warc_record([("WARC-Type", "warcinfo"), ("WARC-Date", "2024-05-01T00:00:00Z"),
                      ("WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000000>"),
                      ("Content-Type", "application/warc-fields")], "isPartOf: TEST-2024-18\r\n"),
        _warc_record([("WARC-Type", "conversion"), ("WARC-Target-URI", "https://tin.example.vn/1"),
                      ("WARC-Date", "2024-05-01T08:30:00Z"),
                      ("WARC-Record-ID", "<urn:uuid:11111111-1111-4111-8111-111111111111>"),
                      ("WARC-Identified-Content-Language", "vie,eng"), ("Content-Type", "text/plain")], VI),
        _warc_record([("WARC-Type", "conversion"), ("WARC-Target-URI", "https://akhbar.example.sa/2"),
                      ("WARC-Date", "2024-05-01T08:31:00Z"),
                      ("WARC-Record-ID", "<urn:uuid:22222222-2222-4222-8222-222222222222>"),
                      ("Content-Type", "text/plain")], AR),
    ]


@pytest.mark.parametrize("name", ["cc.warc.wet.gz", "cc.warc.wet", "cc.wet.gz"])
def test_wet_conversion_records(tmp_path, name):
    records = _wet_records()
    data = b"".join(gzip.compress(r, mtime=0) for r in records) if name.endswith(".gz") else b"".join(records)
    (tmp_path / name).write_bytes(data)

    docs = list(read_documents([str(tmp_path / name)]))

    assert [d.id for d in docs] == ["<urn:uuid:11111111-1111-4111-8111-111111111111>",
                                    "<urn:uuid:22222222-2222-4222-8222-222222222222>"]
    assert [d.text for d in docs] == [VI, AR]
    assert [d.position for d in docs] == [1, 2]  # index among all records; warcinfo is 0
    assert docs[0].meta == {"url": "https://tin.example.vn/1", "date": "2024-05-01T08:30:00Z", "content_language": "vie,eng"}
    assert docs[1].meta == {"url": "https://akhbar.example.sa/2", "date": "2024-05-01T08:31:00Z"}


def test_memory_filesystem_url(tmp_path):
    root = f"memory://tamis-test-{uuid.uuid4().hex}"
    fs = fsspec.filesystem("memory")
    fs.pipe(f"{root}/b/news.jsonl.zst", _compress(_jsonl(NEWS), ".jsonl.zst"))
    fs.pipe(f"{root}/a.txt", VI.encode())
    with fs.open(f"{root}/c.parquet", "wb") as fh:
        pq.write_table(pa.table({"text": [AR]}), fh)
    fs.pipe(f"{root}/d.warc.wet.gz", b"".join(gzip.compress(r, mtime=0) for r in _wet_records()))

    files = list_input_files([root])
    docs = list(read_documents([root]))

    assert files == [f"{root}/a.txt", f"{root}/b/news.jsonl.zst", f"{root}/c.parquet", f"{root}/d.warc.wet.gz"]
    assert [d.id for d in docs][:4] == ["a", "vi-001", "ar-001", "c.parquet:0"]
    assert [d.text for d in docs][4:] == [VI, AR]
    assert docs[1].source == f"{root}/b/news.jsonl.zst"
    assert [d.text for d in read_file(f"{root}/c.parquet")] == [AR]
    fs.rm(root, recursive=True)


def test_list_input_files_expands_folders_and_globs_deterministically(tmp_path):
    for name in ["b.jsonl", "a.parquet", "c.txt", "skip.csv"]:
        (tmp_path / name).write_bytes(b"")
    files = list_input_files([str(tmp_path / "c.txt"), str(tmp_path)])
    assert files == [str(tmp_path / n) for n in ["c.txt", "a.parquet", "b.jsonl"]]  # no duplicate
    assert list_input_files([str(tmp_path / "*.jsonl")]) == [str(tmp_path / "b.jsonl")]


# ---------------------------------------------------------------- errors


def test_bad_jsonl_lines_are_quarantined_and_reading_goes_on(tmp_path):
    lines = [
        json.dumps({"id": "ok-1", "text": VI}),
        '{"id": "broken", "text": "Hà Nội',  # not JSON
        json.dumps({"id": "no-text", "body": AR}),
        json.dumps({"id": "num", "text": 42}),
        json.dumps({"id": "nul", "text": None}),
        json.dumps({"id": {"x": 1}, "text": "ok"}),
        json.dumps(["an", "array"]),
        json.dumps({"id": "long", "text": None, "pad": "x" * 500}),
        json.dumps({"id": "ok-2", "text": AR}),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    out = list(read_documents([str(path)]))

    assert [r.id for r in out if isinstance(r, Document)] == ["ok-1", "ok-2"]
    bad = [r for r in out if isinstance(r, Quarantined)]
    assert [(q.position, q.id) for q in bad] == [(2, None), (3, "no-text"), (4, "num"), (5, "nul"), (6, None),
                                                 (7, None), (8, "long")]
    errors = [q.error for q in bad]
    assert errors[0].startswith("invalid JSON: ")
    assert errors[1:] == [
        "missing text field 'text'",
        "text field 'text' must be a string, got integer",
        "text field 'text' must be a string, got null",
        "id field 'id' must be a string or an integer, got object",
        "line is a JSON array, not an object",
        "text field 'text' must be a string, got null",
    ]
    assert bad[0].raw == lines[1] and bad[0].source == str(path)
    assert len(bad[-1].raw) == 200 and bad[-1].raw == lines[7][:200]


def test_invalid_utf8_in_a_jsonl_line_is_replaced_or_quarantined(tmp_path):
    from tamis.io.readers import ReadOptions

    path = tmp_path / "enc.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n' + _jsonl([{"text": VI}]))
    fixed, good = read_documents([str(path)])
    assert fixed.text == "caf\ufffd" and fixed.meta == {"decode_errors": {"count": 1, "bytes": ["e9"]}}
    bad, good = read_documents([str(path)], options=ReadOptions(invalid_utf8="quarantine"))
    assert isinstance(bad, Quarantined) and bad.error.startswith("invalid UTF-8") and bad.position == 1
    assert good.text == VI


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_truncated_compressed_file_is_quarantined_then_next_file_is_read(tmp_path, suffix):
    records = [{"id": f"d{i}", "text": f"{VI} ({i})"} for i in range(300)]
    data = _compress(_jsonl(records), suffix)
    (tmp_path / f"a_cut{suffix}").write_bytes(data[: len(data) * 2 // 3])
    (tmp_path / f"b_whole{suffix}").write_bytes(data)

    out = list(read_documents([str(tmp_path)]))

    first = [r for r in out if r.source.endswith(f"a_cut{suffix}")]
    *docs, q = first
    assert all(isinstance(d, Document) for d in docs) and len(docs) < 300
    assert [d.id for d in docs] == [f"d{i}" for i in range(len(docs))]  # only whole lines
    assert isinstance(q, Quarantined)
    assert q.position == (docs[-1].position if docs else 0)
    assert "truncated" in q.error
    assert [d.id for d in out if d.source.endswith(f"b_whole{suffix}")] == [r["id"] for r in records]


def test_truncated_wet_file_is_quarantined(tmp_path):
    data = b"".join(gzip.compress(r, mtime=0) for r in _wet_records())
    (tmp_path / "cut.warc.wet.gz").write_bytes(data[:-40])
    *docs, q = read_documents([str(tmp_path / "cut.warc.wet.gz")])
    assert [d.text for d in docs] == [VI]
    assert isinstance(q, Quarantined) and q.position == 1 and "truncated" in q.error


def test_unreadable_file_is_quarantined(tmp_path):
    (q,) = read_file(str(tmp_path / "gone.jsonl"))
    assert q == Quarantined(str(tmp_path / "gone.jsonl"), 0, "file not found")
    (tmp_path / "notgzip.jsonl.gz").write_bytes(b"plain text, not gzip\n")
    (q,) = read_file(str(tmp_path / "notgzip.jsonl.gz"))
    assert "corrupt gzip data" in q.error


def test_missing_input_raises_input_error_before_reading(tmp_path):
    missing = str(tmp_path / "nope")
    with pytest.raises(InputError, match=f"^no such input: {missing}$"):
        read_documents([str(tmp_path), missing])  # raised by the call, not on iteration
    assert issubclass(InputError, ValueError)
    with pytest.raises(InputError, match="no such input"):
        read_documents(["memory://tamis-test-does-not-exist/x.jsonl"])


def test_inputs_without_readable_files_raise_input_error(tmp_path):
    (tmp_path / "data.csv").write_text("id,text\n")
    with pytest.raises(InputError, match="no readable input files"):
        read_documents([str(tmp_path)])
    with pytest.raises(InputError, match="unsupported input format"):
        read_documents([str(tmp_path / "data.csv")])
    with pytest.raises(InputError, match="no inputs given"):
        read_documents([])


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300).map(lambda b: b.replace(b"\x00", b"\n")), st.lists(st.integers(1, 40), max_size=12))
def test_line_splitting_does_not_depend_on_chunk_boundaries(data, cuts):
    chunks, pos = [], 0
    for size in cuts:
        chunks.append(data[pos : pos + size])
        pos += size
    chunks.append(data[pos:])
    expected = data.split(b"\n")
    if expected[-1] == b"":
        expected.pop()  # a final newline ends the last line, it does not start a new one
    assert list(iter_lines(iter(chunks))) == expected


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_concatenated_members_and_frames_are_all_read(compression):
    parts = [VI.encode(), b"\n", AR.encode()]
    pack = (lambda b: gzip.compress(b, mtime=0)) if compression == "gzip" else zstandard.ZstdCompressor().compress
    stream = io.BytesIO(b"".join(pack(p) for p in parts))
    assert b"".join(iter_decompressed(stream, compression, chunk_size=7)) == b"".join(parts)
