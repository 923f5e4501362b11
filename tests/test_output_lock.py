"""One run at a time per output folder (tamis.run.lock)."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tamis.cli import main
from tamis.run.lock import LOCK_NAME, OutputBusyError, output_lock

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample" / "docs"


def write_lock(out: Path, pid: int, host: str | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_NAME
    path.write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(), "started": 0}))
    return path


def finished_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_a_second_run_into_a_busy_folder_stops_before_writing(tmp_path, capsys):
    out = tmp_path / "out"
    write_lock(out, os.getpid())  # this test's process is alive: the folder is busy
    assert main(["clean", str(SAMPLE), "-o", str(out), "--no-progress", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "being written by another tamis run" in err and f"pid {os.getpid()}" in err
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # nothing else written
    run = tmp_path / "run"
    assert main(["clean", str(SAMPLE), "-o", str(run), "--no-progress", "--workers", "1", "--no-dedup"]) == 0
    assert not (run / LOCK_NAME).exists()  # released at the end
    write_lock(tmp_path / "dedup-out", os.getpid())
    assert main(["dedup", str(run), "-o", str(tmp_path / "dedup-out"), "--no-progress"]) == 2


def test_the_lock_of_a_process_that_died_is_taken_over(tmp_path):
    out = tmp_path / "out"
    dead = finished_pid()
    write_lock(out, dead)
    (out / f"{LOCK_NAME}.{dead}.tmp").write_text("{}")  # killed between writing its lock and linking it
    assert main(["clean", str(SAMPLE), "-o", str(out), "--no-progress", "--workers", "1"]) == 0
    assert json.loads((out / "summary.json").read_text())["documents"]["read"] > 0
    assert not [p.name for p in out.iterdir() if p.name.startswith(LOCK_NAME)]


def test_a_lock_from_another_host_or_unreadable_counts_as_held(tmp_path):
    write_lock(tmp_path / "a", 1, host="some-other-machine")
    with pytest.raises(OutputBusyError, match="some-other-machine"):
        with output_lock(str(tmp_path / "a")):
            pass
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / LOCK_NAME).write_text("")  # damaged: nothing says whose it is
    with pytest.raises(OutputBusyError, match="unreadable lock"):
        with output_lock(str(tmp_path / "b")):
            pass


def test_the_lock_is_released_when_the_run_fails(tmp_path):
    with pytest.raises(RuntimeError):
        with output_lock(str(tmp_path)):
            assert (tmp_path / LOCK_NAME).exists()
            raise RuntimeError("a failing stage")
    assert not (tmp_path / LOCK_NAME).exists()
    with output_lock(str(tmp_path)):  # and can be taken again
        pass
