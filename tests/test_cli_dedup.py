"""`tamis dedup` on the command line, and the corpus stage inside `tamis clean` (on, off, failing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tamis.cli import main
from tamis.commands import iter_records
from tamis.io.writers import list_shards
from tamis.pipeline import Result
from test_dedup_stage import AR_COPY, AR_TEXT, CREDIT, EN_COPY, EN_TEXT, SITE, VI_BODIES, ZH_TEXT, base_docs, write_run


def read_part(out: Path, part: str) -> list[dict]:
    return list(iter_records(str(out), part))


@pytest.fixture()
def run(tmp_path):
    write_run(tmp_path / "run", base_docs())
    return tmp_path / "run"


def test_dedup_command_writes_a_run_folder(run, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["dedup", str(run), "-o", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "dropped 2 copies (exact 1, near 1)" in printed and "removed 12 repeated lines from 12 documents" in printed
    assert "kept 15, rejected 3, quarantined 1" in printed
    for part in ("kept", "rejected", "quarantine", "signals", "dedup"):
        assert list_shards(str(out / part)), part
    s = json.loads((out / "summary.json").read_text())
    assert s["documents"]["read"] == s["documents"]["kept"] + s["documents"]["rejected"] + s["documents"]["quarantined"]


def test_dedup_command_usage_errors(run, tmp_path, capsys):
    assert main(["dedup", str(tmp_path / "nope"), "-o", str(tmp_path / "o1")]) == 2
    assert "no kept/ folder" in capsys.readouterr().err
    assert main(["dedup", str(run), "-o", str(run)]) == 2
    assert "must differ" in capsys.readouterr().err
    assert main(["dedup", str(run), "-o", str(tmp_path / "o2"), "--index", str(tmp_path / "ix"), "--incremental"]) == 2
    assert "no dedup index" in capsys.readouterr().err
    cfg = tmp_path / "c.yaml"
    cfg.write_text("dedup:\n  bands: 0\n")
    assert main(["dedup", str(run), "-o", str(tmp_path / "o3"), "-c", str(cfg)]) == 2
    assert "dedup.bands" in capsys.readouterr().err
    cfg.write_text("dedup:\n  min_simliarity: 0.8\n")
    assert main(["dedup", str(run), "-o", str(tmp_path / "o4"), "-c", str(cfg)]) == 2
    assert "dedup.min_simliarity" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["dedup", str(run)])  # -o is required
    assert exc.value.code == 2
    assert not (tmp_path / "ix").exists()


def test_the_same_run_again_incrementally_publishes_nothing_new(run, tmp_path):
    assert main(["dedup", str(run), "-o", str(tmp_path / "out1"), "--no-progress"]) == 0
    index = tmp_path / "out1" / "_dedup_index"
    assert main(["dedup", str(run), "-o", str(tmp_path / "out2"), "--index", str(index), "--incremental",
                 "--no-progress"]) == 0
    assert read_part(tmp_path / "out2", "kept") == []
    first_kept = {r["id"] for r in read_part(tmp_path / "out1", "kept")}
    rejected = read_part(tmp_path / "out2", "rejected")
    # every document is rejected again: a copy of what the first pass kept, or by the run itself
    assert sorted(r["id"] for r in rejected) == sorted(
        r["id"] for part in ("kept", "rejected") for r in read_part(tmp_path / "out1", part))
    for rec in rejected:
        dup = [r for r in rec["reasons"] if r["rule"] == "duplicate"]
        if rec["id"].startswith("short-"):
            assert not dup  # rejected by the run itself, copied
            continue
        assert dup[0]["duplicate_of"] in first_kept
    s = json.loads((tmp_path / "out2" / "summary.json").read_text())
    assert s["dedup"]["index"]["earlier_documents"] == 17 and s["dedup"]["index"]["runs"] == 2


# --- inside `tamis clean` -----------------------------------------------------------------------------


class StubCleaner:
    """Keeps every document as it is: the corpus stage is what these tests look at."""

    def __init__(self, config):
        self.config = config

    def process(self, docs):
        out = []
        for d in docs:
            rec = {"id": d.id, "text": d.text, "lang": d.meta.get("lang", "vi"), "lang_score": 0.98}
            rec.update({k: v for k, v in d.meta.items() if k not in rec})
            rec["edits"] = []
            rec["signals"] = {"chars": len(d.text)}
            kind = "kept" if len(d.text) > 20 else "rejected"
            if kind == "rejected":
                rec["reasons"] = [{"rule": "min_chars", "signal": "chars", "value": len(d.text), "min": 20}]
            sig = {"id": d.id, "norm_edits": [], "lang": rec["lang"], "lang_score": 0.98, "lines": {}, "passes": 1}
            n = len(d.text.encode())
            out.append(Result(kind=kind, record=rec, signals=sig, lang=rec["lang"], bytes_in=n, bytes_out=n))
        return out


@pytest.fixture()
def corpus(tmp_path, monkeypatch):
    import tamis.run.local

    monkeypatch.setattr(tamis.run.local, "Cleaner", StubCleaner)
    src = tmp_path / "in.jsonl"
    rows = [{"id": f"vi-{i:02d}", "text": f"{body}\n{CREDIT}", "site": SITE} for i, body in enumerate(VI_BODIES, 1)]
    rows[3:3] = [{"id": "ar-a", "text": AR_TEXT, "lang": "ar"}, {"id": "tiny", "text": "Đang tải..."}]
    rows += [{"id": "ar-b", "text": AR_COPY, "lang": "ar"}, {"id": "en-1", "text": EN_TEXT, "lang": "en"},
             {"id": "en-2", "text": EN_COPY, "lang": "en"}, {"id": "zh", "text": ZH_TEXT, "lang": "zh"}]
    with src.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        fh.write("not json\n")
    return src


def test_clean_runs_the_corpus_stage_by_default(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["clean", str(corpus), "-o", str(out), "--no-progress", "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "dedup: dropped 1 exact and 1 near copies; removed 12 repeated lines from 12 documents" in printed
    assert sorted(p.name for p in out.iterdir()) == ["_dedup_index", "dedup", "kept", "quarantine", "rejected",
                                                     "signals", "summary.json"]
    kept, rejected = read_part(out, "kept"), read_part(out, "rejected")
    assert {r["id"] for r in rejected} == {"tiny", "ar-a", "en-1"}  # the longer copies are kept
    assert all(CREDIT not in r["text"] for r in kept)
    s = json.loads((out / "summary.json").read_text())
    assert s["documents"] == {"read": 19, "kept": 15, "rejected": 3, "quarantined": 1}
    assert s["throughput"]["workers"] == 1 and s["dedup"]["duplicates"] == {"exact": 1, "near": 1}
    # signals/ in input order, each with where the document is now
    sig = read_part(out, "signals")
    assert [x["id"] for x in sig][:5] == ["vi-01", "vi-02", "vi-03", "ar-a", "tiny"]
    assert [x["kind"] for x in sig][3:5] == ["rejected", "rejected"]
    assert len(read_part(out, "dedup")) == len(sig)


def test_clean_without_the_corpus_stage(corpus, tmp_path):
    out = tmp_path / "out"
    assert main(["clean", str(corpus), "-o", str(out), "--no-progress", "--no-dedup"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["kept", "quarantine", "rejected", "signals", "summary.json"]
    s = json.loads((out / "summary.json").read_text())
    assert s["documents"] == {"read": 19, "kept": 17, "rejected": 1, "quarantined": 1} and "dedup" not in s
    assert all(CREDIT in r["text"] for r in read_part(out, "kept") if r["id"].startswith("vi-"))
    # the same through the config file
    cfg = tmp_path / "off.yaml"
    cfg.write_text("dedup:\n  exact: false\n  near: false\n  repeated_lines: false\n")
    out2 = tmp_path / "out2"
    assert main(["clean", str(corpus), "-o", str(out2), "--no-progress", "-c", str(cfg)]) == 0
    assert sorted(p.name for p in out2.iterdir()) == sorted(p.name for p in out.iterdir())
    # and `tamis dedup` over that run gives what `tamis clean` with the stage gives
    assert main(["dedup", str(out), "-o", str(tmp_path / "d"), "--no-progress"]) == 0
    assert main(["clean", str(corpus), "-o", str(tmp_path / "c"), "--no-progress"]) == 0
    for part in ("kept", "rejected", "signals", "dedup", "quarantine"):
        a = [Path(p).read_bytes() for p in list_shards(str(tmp_path / "d" / part))]
        b = [Path(p).read_bytes() for p in list_shards(str(tmp_path / "c" / part))]
        assert a == b, part


def test_a_failing_stage_leaves_the_cleaned_documents(corpus, tmp_path, monkeypatch, capsys):
    import tamis.run.dedup

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tamis.run.dedup, "run_dedup", boom)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        main(["clean", str(corpus), "-o", str(out), "--no-progress"])
    assert len(read_part(out / "_stage", "kept")) == 17


def test_clean_with_the_real_pipeline(tmp_path):
    from tamis.config import load_config
    from tamis.pipeline import Cleaner

    try:
        Cleaner(load_config())
    except (FileNotFoundError, OSError) as exc:  # the line model is not built in this checkout
        pytest.skip(f"pipeline models unavailable: {exc}")
    src = tmp_path / "in.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for i, body in enumerate(VI_BODIES, 1):
            fh.write(json.dumps({"id": f"vi-{i:02d}", "text": f"{body}\n{CREDIT}", "site": SITE},
                                ensure_ascii=False) + "\n")
        fh.write(json.dumps({"id": "copy", "text": f"{VI_BODIES[0]}\n{CREDIT}", "site": SITE},
                            ensure_ascii=False) + "\n")
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "--no-progress"]) == 0
    s = json.loads((out / "summary.json").read_text())
    d = s["documents"]
    assert d["read"] == 13 == d["kept"] + d["rejected"] + d["quarantined"]
    assert s["dedup"]["duplicates"]["exact"] == 1
    assert not (out / "_stage").exists()
