"""Fuzzing the readers and the cleaning with adversarial input: nothing raises, nothing is lost.

Readers: any bytes in any format give exactly one record (a Document or a Quarantined) per record
the format holds, and reading again after k records gives the rest. Cleaning: any text (controls,
lone surrogates, long runs of one character, deeply repeated patterns) gives one result, and a
kept or rejected one rebuilds its original. The same targets with many more examples run with
`pytest -m slow tests/test_fuzz.py`.
"""

from __future__ import annotations

import gzip
import zlib

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamis.config import load_config
from tamis.document import Document, Edit, Quarantined
from tamis.edits import rebuild_original
from tamis.io.readers import ReadOptions, read_file
from tamis.pipeline import Cleaner

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
LONG = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Lines a JSONL file may hold: records, near-records and garbage.
_JSON_LINE = st.one_of(
    st.binary(max_size=60),
    st.sampled_from([b"", b"   ", b"{}", b"[]", b"null", b'{"text": 1}', b'{"text": "ok"}', b'{"id": 2, "text": "x"}',
                     b'{"text": "\\ud800"}', b'{"text": "a\\u0000b"}', b'{"id": true, "text": ""}', b"\xef\xbb\xbf{}",
                     b'{"text": "caf\xe9"}', b"[" * 2000, b'{"text": "' + b"\xff" * 40 + b'"}']),
    st.text(max_size=40).map(lambda t: ('{"text": %s}' % __import__("json").dumps(t)).encode()),
)
# Text for the cleaner: realistic lines, arbitrary Unicode, and the shapes that make algorithms slow.
_PIECE = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=30),
    st.sampled_from(["Đà Nẵng mở ba tuyến xe buýt mới.", "قال الوزير إن الحكومة ستواصل الدعم.", "Home | News",
                     "\x00\x07\x1b[31m", "\r\n", "\r", "\ufeff", "&amp;&#x41;", "cafÃ© â€”", "\ud800", "\U0001f600"]),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=4), st.integers(1, 3000)),
    st.builds(lambda n: "\n" * n, st.integers(1, 500)),
)
_TEXT = st.lists(_PIECE, max_size=12).map("".join)


def _compress(data: bytes, suffix: str) -> bytes:
    if suffix.endswith(".gz"):
        return gzip.compress(data, mtime=0)
    if suffix.endswith(".zst"):
        return zstandard.ZstdCompressor().compress(data)
    return data


_JSONL_CASES = dict(lines=st.lists(_JSON_LINE, max_size=12), suffix=st.sampled_from([".jsonl", ".jsonl.gz", ".jsonl.zst"]),
                    cut=st.one_of(st.none(), st.floats(0, 1)), mode=st.sampled_from(["replace", "quarantine"]))


@FAST
@given(**_JSONL_CASES)
def test_jsonl_reader_yields_one_record_per_line_and_resumes_anywhere(tmp_path_factory, lines, suffix, cut, mode):
    _check_jsonl(tmp_path_factory, lines, suffix, cut, mode)


@pytest.mark.slow
@LONG
@given(**_JSONL_CASES)
def test_jsonl_reader_long_fuzz(tmp_path_factory, lines, suffix, cut, mode):
    _check_jsonl(tmp_path_factory, lines, suffix, cut, mode)


def _check_jsonl(tmp_path_factory, lines, suffix, cut, mode):
    lines = [ln.replace(b"\n", b" ") for ln in lines]
    data = _compress(b"\n".join(lines), suffix)
    if cut is not None:
        data = data[: int(len(data) * cut)]
    path = tmp_path_factory.mktemp("fz") / f"f{suffix}"
    path.write_bytes(data)
    opts = ReadOptions(invalid_utf8=mode, max_doc_bytes=1000)
    records = list(read_file(str(path), options=opts))
    assert all(isinstance(r, (Document, Quarantined)) for r in records)
    if cut is None:
        records_expected = sum(1 for i, ln in enumerate(lines)
                               if (ln[3:] if i == 0 and ln.startswith(b"\xef\xbb\xbf") else ln).strip())
        assert len(records) == max(records_expected, 1)  # an empty file is noted once
    for k in range(len(records) + 1):
        assert list(read_file(str(path), options=opts, skip=k)) == records[k:]


@FAST
@given(data=st.binary(max_size=300), mode=st.sampled_from(["replace", "quarantine"]))
def test_txt_reader_yields_exactly_one_record_for_any_bytes(tmp_path_factory, data, mode):
    path = tmp_path_factory.mktemp("fz") / "a.txt"
    path.write_bytes(data)
    (rec,) = read_file(str(path), options=ReadOptions(invalid_utf8=mode, max_doc_bytes=200))
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        body.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    if isinstance(rec, Document):
        assert rec.text == body.decode("utf-8", "replace")
        assert ("decode_errors" in rec.meta) == (not valid)
    else:
        assert rec.error.startswith(("binary content", "invalid UTF-8", "too large: file of more than"))
    assert list(read_file(str(path), skip=1)) == []


@FAST
@given(st.binary(max_size=400))
def test_decompression_of_arbitrary_bytes_never_raises_past_the_reader(tmp_path_factory, data):
    for suffix in (".jsonl.gz", ".jsonl.zst", ".warc.wet.gz"):
        path = tmp_path_factory.mktemp("fz") / f"x{suffix}"
        path.write_bytes(data)
        assert all(isinstance(r, (Document, Quarantined)) for r in read_file(str(path)))


@pytest.fixture(scope="module")
def cleaner():
    cfg = load_config()
    cfg["run"]["max_doc_seconds"] = 20
    return Cleaner(cfg)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_TEXT)
def test_cleaning_adversarial_text_gives_one_result_that_rebuilds_the_original(cleaner, text):
    _check_cleaning(cleaner, text)


@pytest.mark.slow
@LONG
@given(_TEXT)
def test_cleaning_long_fuzz(cleaner, text):
    _check_cleaning(cleaner, text)


def _check_cleaning(cleaner, text):
    (r,) = cleaner.process([Document("d", text, source="f", position=1)])
    if r.kind == "quarantined":  # allowed, but it must say where and why
        assert r.record["source"] == "f" and r.record["error"]
        assert not r.record["error"].startswith("time budget"), r.record["error"]
    else:
        edits = [Edit.from_json(e) for e in r.record["edits"]]
        assert rebuild_original(r.record["text"], edits) == text


def test_zlib_garbage_after_a_valid_member_is_quarantined(tmp_path):
    good = gzip.compress(b'{"text": "a"}\n', mtime=0)
    (tmp_path / "x.jsonl.gz").write_bytes(good + zlib.compress(b"junk"))
    doc, q = read_file(str(tmp_path / "x.jsonl.gz"))
    assert isinstance(doc, Document) and isinstance(q, Quarantined) and "corrupt" in q.error
