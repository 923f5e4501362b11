"""Bad input never ends a run: each bad record becomes a quarantine record naming its file, its line
or row and the error (or, where it is recoverable, a repaired document saying what was repaired),
and the summary still reconciles. Only what makes the whole run meaningless stops it at start-up:
no input at all, a missing input path, an invalid config."""

from __future__ import annotations

import gzip
import json
import random
import time
from pathlib import Path

import pytest
import zstandard

from tamis.cli import main
from tamis.config import load_config
from tamis.document import Document, Edit, Quarantined
from tamis.edits import rebuild_original
from tamis.io.readers import InputError, ReadOptions, read_documents
from tamis.commands import iter_records
from tamis.run.dedup import disable_dedup
from tamis.run.local import RunOptions, run_clean

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample" / "docs"
VI = (SAMPLE / "vi-01-tin-tuc.txt").read_text("utf-8")
EN = (SAMPLE / "en-01-news.txt").read_text("utf-8")
MAX_DOC_BYTES = 20_000


def _jsonl(*records: object) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode()) + b"\n"
                    for r in records)


def _cut(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


def build_corpus(root: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = root / "in"
    (src / "text").mkdir(parents=True)
    (src / "text" / "good.txt").write_text(VI, encoding="utf-8")
    (src / "text" / "latin1.txt").write_bytes(EN.encode().replace(b"the", b"th\xe9", 3))
    (src / "text" / "controls.txt").write_bytes(VI.encode().replace(b". ", b".\x00\x07 ", 2))
    noise = random.Random(0).randbytes(4096)
    (src / "text" / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise)
    (src / "text" / "empty.txt").write_bytes(b"")
    (src / "docs.jsonl").write_bytes(_jsonl(
        {"id": "ok", "text": EN},                                 # line 1
        b"{not json",                                             # line 2
        {"id": "no-text", "body": EN},                            # line 3
        {"id": "number", "text": 42},                             # line 4
        {"id": {"nested": 1}, "text": EN},                        # line 5
        [1, 2],                                                   # line 6
        {"id": "controls", "text": VI.replace(". ", ".\u0000\u001b ", 2)},  # line 7
        json.dumps({"id": "bad-utf8", "text": EN}).encode().replace(b"the", b"th\xff", 2),  # line 8
        {"id": "huge", "text": "x" * (MAX_DOC_BYTES + 1)},     # line 9: one line over the size bound
    ))
    (src / "empty.jsonl").write_bytes(b"")
    many = _jsonl(*({"id": f"c{i}", "text": f"{EN}\n{i}"} for i in range(40)))
    (src / "cut.jsonl.gz").write_bytes(_cut(gzip.compress(many, mtime=0)))
    (src / "cut.jsonl.zst").write_bytes(_cut(zstandard.ZstdCompressor().compress(many)))
    pq.write_table(pa.table({"id": ["p0"], "body": [EN]}), src / "other-schema.parquet")
    pq.write_table(pa.table({"id": ["p0"], "text": [7]}), src / "int-text.parquet")
    return src


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    src = build_corpus(root)
    cfg = disable_dedup(load_config())
    cfg["input"]["max_doc_bytes"] = MAX_DOC_BYTES
    out = root / "out"
    summary = run_clean([str(src)], str(out), cfg, RunOptions(progress=False))
    parts = {k: list(iter_records(str(out), k)) for k in ("kept", "rejected", "quarantine")}
    return src, summary, parts


def _quarantined(run, name: str) -> list[dict]:
    src, _, parts = run
    return [q for q in parts["quarantine"] if q["source"] == str(src / name)]


def _documents(run, doc_id: str) -> list[dict]:
    _, _, parts = run
    return [r for r in parts["kept"] + parts["rejected"] if r["id"] == doc_id]


def _document(run, doc_id: str) -> dict:
    (rec,) = _documents(run, doc_id)
    return rec


def test_every_record_read_is_accounted_for(run):
    _, summary, parts = run
    d = summary["documents"]
    # 5 .txt files, 9 JSONL lines, 1 empty file, 2 x (some documents + the truncation), 2 Parquet files
    assert d["read"] == d["kept"] + d["rejected"] + d["quarantined"]
    assert d["kept"] + d["rejected"] == len(parts["kept"]) + len(parts["rejected"])
    assert d["quarantined"] == len(parts["quarantine"])
    assert all(q["source"] and isinstance(q["position"], int) and q["error"] for q in parts["quarantine"])
    cut = sum(1 for r in parts["kept"] + parts["rejected"] if r["id"][0] == "c" and r["id"][1:].isdigit())
    assert d["read"] == 5 + 9 + 1 + cut + 2 + 2


def test_invalid_utf8_is_replaced_and_noted(run):
    rec = _document(run, "latin1")  # a .txt file
    assert rec["decode_errors"] == {"count": 3, "bytes": ["e9", "e9", "e9"]}
    line = _document(run, "bad-utf8")  # a JSONL line
    assert line["decode_errors"] == {"count": 2, "bytes": ["ff", "ff"]}
    for r in (rec, line):  # the original, as the edits give it back, holds the replacement characters
        original = rebuild_original(r["text"], [Edit.from_json(e) for e in r["edits"]])
        assert original.count("th\ufffd") == r["decode_errors"]["count"]


def test_invalid_utf8_can_be_quarantined_instead(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"caf\xe9 au lait")
    (q,) = read_documents([str(path)], options=ReadOptions(invalid_utf8="quarantine"))
    assert isinstance(q, Quarantined) and q.source == str(path)
    assert q.error == "invalid UTF-8: 1 invalid byte sequence(s), the first e9"


def test_nul_bytes_and_control_characters_are_removed_as_edits(run):
    recs = _documents(run, "controls")
    assert len(recs) == 2  # a .txt file and a JSONL line
    for rec in recs:
        assert "\x00" not in rec["text"] and "\x07" not in rec["text"] and "\x1b" not in rec["text"]
        repairs = [e for e in rec["edits"] if "control-chars" in e.get("values", {}).get("fixes", [])]
        assert repairs  # where the line stays, the characters go as a repair edit...
        edits = [Edit.from_json(e) for e in rec["edits"]]
        original = rebuild_original(rec["text"], edits)
        controls = [i for i, ch in enumerate(original) if ch in "\x00\x07\x1b"]
        assert len(controls) == 4  # ...and every one of them is inside an edit (a removed line takes its own)
        assert all(any(e.start <= i < e.end for e in edits) for i in controls)


def test_a_binary_file_in_a_text_folder_is_quarantined(run):
    (q,) = _quarantined(run, "text/image.txt")
    assert q["id"] == "image" and q["position"] == 0
    assert q["error"] == ("binary content: more than 30% of its 4112 bytes are NUL or invalid UTF-8 "
                          "(input.max_binary_byte_frac)")


def test_an_empty_file_is_accounted_for(run):
    assert _document(run, "empty")["reasons"][0]["rule"] == "min_chars"  # a .txt file is one document
    (q,) = _quarantined(run, "empty.jsonl")  # a JSONL file with no record says so
    assert q["error"] == "empty file: no records"


def test_a_line_over_the_size_bound_is_quarantined_unparsed(run):
    (q,) = [q for q in _quarantined(run, "docs.jsonl") if q["position"] == 9]
    size = len(json.dumps({"id": "huge", "text": "x" * (MAX_DOC_BYTES + 1)}))
    assert q["error"] == f"too large: line of {size} bytes, over input.max_doc_bytes ({MAX_DOC_BYTES})"
    assert len(q["raw"]) == 200


@pytest.mark.parametrize("line, error", [
    (2, "invalid JSON:"),
    (3, "missing text field 'text'"),
    (4, "text field 'text' must be a string, got integer"),
    (5, "id field 'id' must be a string or an integer, got object"),
    (6, "line is a JSON array, not an object"),
])
def test_bad_jsonl_lines_are_quarantined_with_their_line(run, line, error):
    (q,) = [q for q in _quarantined(run, "docs.jsonl") if q["position"] == line]
    assert q["error"].startswith(error)


@pytest.mark.parametrize("name", ["cut.jsonl.gz", "cut.jsonl.zst"])
def test_a_truncated_compressed_file_keeps_what_was_read_and_says_where_it_stopped(run, name):
    (q,) = _quarantined(run, name)
    assert q["error"].startswith("truncated or corrupt compressed file, stopped after position")
    assert 0 <= q["position"] < 40  # the last line read whole (zstd may hold back a whole block)


@pytest.mark.parametrize("name, error", [
    ("other-schema.parquet", "missing text column 'text' (columns: id, body)"),
    ("int-text.parquet", "text column 'text' has type int64, expected a string type"),
])
def test_a_parquet_file_with_another_schema_is_quarantined(run, name, error):
    (q,) = _quarantined(run, name)
    assert q["error"] == error and q["position"] == 0


def test_an_unreadable_file_is_quarantined_and_the_run_goes_on(tmp_path, monkeypatch):
    import tamis.io.readers as readers

    (tmp_path / "a.jsonl").write_bytes(_jsonl({"text": "một"}))
    (tmp_path / "b.jsonl").write_bytes(_jsonl({"text": "hai"}))
    real = readers.open_binary

    def deny(path, *args, **kwargs):  # tests may run as root, which chmod cannot stop
        if path.endswith("a.jsonl"):
            raise PermissionError(13, "Permission denied", path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(readers, "open_binary", deny)
    q, doc = read_documents([str(tmp_path)])
    assert isinstance(q, Quarantined) and q.source == str(tmp_path / "a.jsonl")
    assert q.error == "cannot read file: permission denied (Permission denied)"
    assert isinstance(doc, Document) and doc.text == "hai"


def test_an_unlistable_folder_stops_the_run_at_start_up(tmp_path, monkeypatch):
    import os

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("x")
    real = os.scandir

    def deny(path="."):
        if str(path).endswith("sub"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", deny)
    with pytest.raises(InputError, match="cannot list input folder .*sub: Permission denied"):
        read_documents([str(tmp_path)])


@pytest.mark.parametrize("inputs, message", [
    (["missing.jsonl"], "no such input: missing.jsonl"),
    (["empty-folder"], "no readable input files in empty-folder"),
])
def test_no_input_at_all_is_a_start_up_error(tmp_path, monkeypatch, capsys, inputs, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty-folder").mkdir()
    assert main(["clean", *inputs, "-o", "out", "--no-progress"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("setting, message", [
    ("input:\n  invalid_utf8: ignore\n", "input.invalid_utf8 must be one of replace, quarantine"),
    ("run:\n  max_doc_seconds: 0\n", "run.max_doc_seconds must be a number above 0 or null, got 0"),
    ("run:\n  checkpoint_docs: many\n", "run.checkpoint_docs must be an integer of at least 1, got 'many'"),
    ("input:\n  max_doc_byte: 10\n", "unknown setting 'input.max_doc_byte'"),
    ("input:\n  max_binary_byte_frac: 2\n", "input.max_binary_byte_frac must be a number from 0 to 1 or null, got 2"),
])
def test_an_invalid_config_is_a_start_up_error(tmp_path, monkeypatch, capsys, setting, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(VI)
    (tmp_path / "cfg.yaml").write_text(setting)
    assert main(["clean", "a.txt", "-o", "out", "-c", "cfg.yaml", "--no-progress"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_document_over_its_time_budget_is_quarantined(tmp_path):
    from tamis.pipeline import Cleaner

    cfg = load_config()
    cfg["run"]["max_doc_seconds"] = 0.2
    cleaner = Cleaner(cfg)
    slow = Document("slow", "\n" * 300_000 + "x", source="s.jsonl", position=4)  # seconds of line bookkeeping
    fast = Document("fast", VI, source="s.jsonl", position=5)
    t0 = time.perf_counter()
    q, ok = cleaner.process([slow, fast])
    assert time.perf_counter() - t0 < 5
    assert q.kind == "quarantined" and q.record["source"] == "s.jsonl" and q.record["position"] == 4
    assert q.record["error"].startswith("time budget exceeded: still being cleaned after 0.2 s")
    assert ok.kind == "kept"  # the worker goes on with the next document


def test_time_spent_in_the_batched_pass_counts_against_the_document(monkeypatch):
    """A document's budget covers its share of the batched first pass too: in a batch it is
    quarantined exactly when it is alone."""
    from tamis.pipeline import Cleaner

    cfg = load_config()
    cfg["run"]["max_doc_seconds"] = 0.3
    cleaner = Cleaner(cfg)
    prepare, compute = Cleaner._prepare, Cleaner.compute_signals

    def slow_prepare(self, text):
        if text.startswith("slow"):
            time.sleep(0.2)
        return prepare(self, text)

    def slow_compute(self, original, prepared=None):
        if original.startswith("slow"):
            time.sleep(0.2)
        return compute(self, original, prepared)

    monkeypatch.setattr(Cleaner, "_prepare", slow_prepare)
    monkeypatch.setattr(Cleaner, "compute_signals", slow_compute)
    slow = Document("slow", "slow " + VI, source="s.jsonl", position=1)
    fast = Document("fast", VI, source="s.jsonl", position=2)
    assert cleaner._first_pass([slow, fast])  # the batched pass itself fits its bound
    alone = cleaner._process_safely(slow)  # no batched pass: all of its time under the one budget
    q, ok = cleaner.process([slow, fast])
    assert alone.kind == q.kind == "quarantined" and ok.kind == "kept"
    assert q.record["error"].startswith("time budget exceeded: still being cleaned after 0.3 s")


@pytest.mark.slow
def test_a_single_200_mb_line_is_quarantined_and_the_run_goes_on(tmp_path):
    line = b'{"id": "huge", "text": "' + b"a" * (200 << 20) + b'"}\n'
    (tmp_path / "big.jsonl").write_bytes(line + _jsonl({"id": "next", "text": VI}))
    q, doc = read_documents([str(tmp_path / "big.jsonl")], options=ReadOptions(max_doc_bytes=64 << 20))
    assert isinstance(q, Quarantined) and q.position == 1 and q.error == f"too large: line of {len(line) - 1} bytes, over input.max_doc_bytes ({64 << 20})"
    assert doc.id == "next"


def test_a_long_document_is_cleaned_in_a_killable_child_with_the_same_result():
    from tamis.pipeline import Cleaner

    cfg = load_config()
    plain = Cleaner(cfg)
    cfg = load_config()
    cfg["run"]["isolate_min_chars"] = 100  # every sample page is "long" here
    isolated = Cleaner(cfg)
    docs = [Document(p.stem, p.read_text("utf-8")) for p in sorted(SAMPLE.glob("*.txt"))[:4]]
    assert [(r.kind, r.record, r.signals) for r in isolated.process(docs)] == \
        [(r.kind, r.record, r.signals) for r in plain.process(docs)]


def test_a_native_call_cannot_outlast_the_budget_of_a_long_document(monkeypatch):
    from tamis.pipeline import Cleaner

    cfg = load_config()
    cfg["run"]["max_doc_seconds"] = 0.5
    cfg["run"]["isolate_min_chars"] = 1000
    cleaner = Cleaner(cfg)
    monkeypatch.setattr(Cleaner, "process_one", lambda self, doc: time.sleep(30))  # one uninterruptible call
    t0 = time.perf_counter()
    (q,) = cleaner.process([Document("long", "x" * 1000, source="big.jsonl", position=1)])
    assert time.perf_counter() - t0 < 3
    assert q.record["error"].startswith("time budget exceeded: still being cleaned after 0.5 s")

    def boom(self, doc):
        raise ValueError("bad things")

    monkeypatch.setattr(Cleaner, "process_one", boom)
    (q,) = cleaner.process([Document("long", "x" * 1000, source="big.jsonl", position=1)])
    assert q.record["error"] == "ValueError: bad things"
