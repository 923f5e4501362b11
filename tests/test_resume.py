"""A run killed at any moment and started again with the same command gives the output of a run
never interrupted, byte for byte: no document lost, none written twice."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tamis.config import load_config
from tamis.document import Quarantined
from tamis.io.readers import read_file
from tamis.io.writers import ShardWriter, list_shards, read_records
from tamis.run.local import CHECKPOINT, RunOptions, run_clean

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample" / "docs"


def make_corpus(root: Path, copies: int = 6) -> Path:
    """The sample pages, each several times with a changed last line (near copies for the corpus
    stage), over a plain and a gzipped JSONL file and a .txt folder, with bad records among them."""
    pages = [(p.stem, p.read_text("utf-8")) for p in sorted(SAMPLE.glob("*.txt"))]
    recs = [{"id": f"{stem}-{i}", "text": f"{text}\n{i} {stem}"} for i in range(copies) for stem, text in pages]
    lines = [json.dumps(r, ensure_ascii=False) for r in recs]
    lines[5] = "{not json"
    lines[11] = json.dumps({"id": "no-text"})
    src = root / "in"
    (src / "txt").mkdir(parents=True)
    half = len(lines) // 2
    (src / "a.jsonl").write_text("\n".join(lines[:half]) + "\n", encoding="utf-8")
    (src / "b.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines[half:]) + "\n").encode(), mtime=0))
    for stem, text in pages[:4]:
        (src / "txt" / f"{stem}.txt").write_text(text, encoding="utf-8")
    (src / "txt" / "broken.txt").write_bytes(b"caf\xe9 " + pages[0][1].encode())
    cut = gzip.compress(("\n".join(lines[:12]) + "\n").encode(), mtime=0)
    (src / "c_cut.jsonl.gz").write_bytes(cut[: len(cut) // 2])  # truncated
    (src / "d_other.parquet").write_bytes(_parquet_of_another_schema())
    return src


def _parquet_of_another_schema() -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table({"id": ["p0"], "body": ["no text column"]}), buf)
    return buf.getvalue()


def tree(out: Path) -> dict[str, str]:
    """Every file under `out` by content hash; the summary without its timings, which differ."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "summary.json" and path.parent == out:
                s = json.loads(data)
                s.pop("throughput", None)
                s.get("dedup", {}).pop("throughput", None)
                s.get("dedup", {}).get("index", {}).pop("path", None)  # names the output folder
                data = json.dumps(s, sort_keys=True).encode()
            found[str(path.relative_to(out))] = hashlib.sha256(data).hexdigest()
    return found


def _cli(root: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tamis.cli", "clean", "in", "-o", "out", "--no-progress", "--batch-size", "4",
            "-c", "cfg.yaml", *extra]


def _workdir(tmp: Path, name: str) -> Path:
    d = tmp / name
    d.mkdir()
    make_corpus(d)
    (d / "cfg.yaml").write_text("run:\n  checkpoint_docs: 9\n")
    return d


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for t in os.listdir(f"/proc/{pid}/task")
                for c in open(f"/proc/{pid}/task/{t}/children").read().split()]
    except OSError:
        return []


def _assert_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 5
    while pids and time.monotonic() < deadline:
        pids = [p for p in pids if os.path.exists(f"/proc/{p}") and "Z" not in _state(p)]
        time.sleep(0.05)
    assert not pids, f"orphan workers {pids}"


def _state(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def _kill_and_resume(tmp_path: Path, kills: int, seed: int, extra: tuple[str, ...] = ()) -> None:
    ref = _workdir(tmp_path, "ref")
    t0 = time.perf_counter()
    subprocess.run(_cli(ref, *extra), cwd=ref, check=True, capture_output=True)
    duration = time.perf_counter() - t0
    expected = tree(ref / "out")
    assert any(k.startswith("kept/") for k in expected) and "summary.json" in expected

    work = _workdir(tmp_path, "resumed")
    rng = random.Random(seed)
    outcomes = []
    for _ in range(kills):
        at = rng.uniform(0.2, duration)  # start-up, cleaning, checkpoints, corpus stage, clean-up
        proc = subprocess.Popen(_cli(work, *extra), cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(at)
            outcomes.append("finished")
        except subprocess.TimeoutExpired:
            children = _children(proc.pid)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            outcomes.append(f"killed at {at:.2f} s")
            _assert_gone(children)  # workers die with the run: no orphan computes on
    subprocess.run(_cli(work, *extra), cwd=work, check=True, capture_output=True)
    assert tree(work / "out") == expected, outcomes
    assert not (work / "out" / "_stage").exists()
    summary = json.loads((work / "out" / "summary.json").read_text())
    d = summary["documents"]
    assert d["read"] == d["kept"] + d["rejected"] + d["quarantined"] > 18 * 6 + 5
    assert d["quarantined"] >= 4  # not JSON, no text field, the truncated file, the other schema


def test_sigkill_at_random_points_then_resume_gives_identical_output(tmp_path):
    _kill_and_resume(tmp_path, kills=4, seed=5)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_sigkill_at_ten_random_points_with_workers(tmp_path, seed):
    _kill_and_resume(tmp_path, kills=10, seed=seed, extra=("--workers", "2"))


@pytest.mark.slow
def test_sigkill_at_ten_random_points_without_the_corpus_stage(tmp_path):
    _kill_and_resume(tmp_path, kills=10, seed=7, extra=("--no-dedup",))


# ---------------------------------------------------------------- in-process


@pytest.fixture(scope="module")
def config():
    cfg = load_config()
    cfg["run"]["checkpoint_docs"] = 7
    return cfg


def _opts() -> RunOptions:
    return RunOptions(batch_docs=3, progress=False)


class Crash(Exception):
    pass


def _crash_on_batch(monkeypatch, n: int, why: str):
    """Make the n-th cleaned batch raise Crash(why); return the real Cleaner.process to put back."""
    from tamis.pipeline import Cleaner

    real = Cleaner.process
    calls = {"n": 0}

    def failing(self, docs):
        calls["n"] += 1
        if calls["n"] == n:
            raise Crash(why)
        return real(self, docs)

    monkeypatch.setattr(Cleaner, "process", failing)
    return real


@pytest.mark.parametrize("dedup", [False, True])
def test_a_run_that_failed_midway_resumes_from_its_checkpoint(tmp_path, config, monkeypatch, dedup):
    from tamis.pipeline import Cleaner
    from tamis.run.dedup import disable_dedup

    cfg = config if dedup else disable_dedup(config)
    src = make_corpus(tmp_path, copies=2)
    run_clean([str(src)], str(tmp_path / "ref"), cfg, _opts())
    expected = tree(tmp_path / "ref")

    out = tmp_path / "out"
    real = _crash_on_batch(monkeypatch, 6, "disk full")
    with pytest.raises(Crash):
        run_clean([str(src)], str(out), cfg, _opts())
    work = out / "_stage" if dedup else out
    ck = json.loads((work / CHECKPOINT).read_text())
    assert ck["records"] == 14  # two checkpoints of 7 before the 6th batch of 3
    monkeypatch.setattr(Cleaner, "process", real)
    resumed = run_clean([str(src)], str(out), cfg, _opts())
    assert resumed["throughput"].get("resumed_after_records") == 14, resumed["throughput"]
    assert tree(out) == expected
    assert not (out / CHECKPOINT).exists() and not (out / "_stage").exists()


def test_a_checkpoint_of_another_command_is_ignored(tmp_path, config):
    from tamis.run.dedup import disable_dedup

    cfg = disable_dedup(config)
    src = make_corpus(tmp_path, copies=1)
    out = tmp_path / "out"
    out.mkdir()
    (out / CHECKPOINT).write_text(json.dumps({"fingerprint": "another command", "records": 5}))
    run_clean([str(src)], str(out), cfg, _opts())
    run_clean([str(src)], str(tmp_path / "ref"), cfg, _opts())
    assert tree(out) == tree(tmp_path / "ref")


# ---------------------------------------------------------------- pieces


def _jsonl_with_bad_records(path: Path) -> None:
    lines = [json.dumps({"id": f"d{i}", "text": f"văn bản {i}"}, ensure_ascii=False) for i in range(20)]
    lines[3] = ""  # blank lines are not records
    lines[7] = "[1, 2]"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode())[:-30])  # truncated: a final quarantine


@pytest.mark.parametrize("skip", [0, 1, 5, 12, 18, 19, 25])
def test_reading_a_file_again_passes_over_the_records_read_before(tmp_path, skip):
    path = tmp_path / "a.jsonl.gz"
    _jsonl_with_bad_records(path)
    everything = list(read_file(str(path)))
    assert isinstance(everything[-1], Quarantined) and "truncated" in everything[-1].error
    assert list(read_file(str(path), skip=skip)) == everything[skip:]


@pytest.mark.parametrize("skip", [0, 2, 3, 4, 7])
def test_parquet_is_resumed_inside_its_row_groups(tmp_path, skip):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"id": [f"r{i}" for i in range(7)], "text": [f"t{i}" for i in range(7)]}), path,
                   row_group_size=3)
    assert [d.id for d in read_file(str(path), skip=skip)] == [f"r{i}" for i in range(skip, 7)]


def test_shard_writer_resumes_after_its_committed_shards(tmp_path):
    w = ShardWriter(str(tmp_path), "kept")
    w.write({"n": 1})
    w.commit()
    w.write({"n": 2})
    w.commit()
    w.write({"n": 3})  # never finished: the process is killed
    w._shard.fh.flush()
    # the checkpoint named one shard: the second (finished after it) and the temporary file go
    w2 = ShardWriter(str(tmp_path), "kept", resume=1)
    assert sorted(os.listdir(tmp_path / "kept")) == ["00000.jsonl.zst"]
    w2.write({"n": 2})
    paths = w2.close()
    assert [list(read_records(p)) for p in paths] == [[{"n": 1}], [{"n": 2}]]
    assert list_shards(str(tmp_path / "kept")) == paths


def test_restart_ignores_the_checkpoint(tmp_path, config, monkeypatch):
    from tamis.pipeline import Cleaner
    from tamis.run.dedup import disable_dedup

    cfg = disable_dedup(config)
    src = make_corpus(tmp_path, copies=1)
    real = _crash_on_batch(monkeypatch, 4, "power cut")
    with pytest.raises(Crash):
        run_clean([str(src)], str(tmp_path / "out"), cfg, _opts())
    assert (tmp_path / "out" / CHECKPOINT).exists()
    monkeypatch.setattr(Cleaner, "process", real)
    opts = _opts()
    opts.resume = False
    again = run_clean([str(src)], str(tmp_path / "out"), cfg, opts)
    assert "resumed_after_records" not in again["throughput"]
    run_clean([str(src)], str(tmp_path / "ref"), cfg, _opts())
    assert tree(tmp_path / "out") == tree(tmp_path / "ref")
