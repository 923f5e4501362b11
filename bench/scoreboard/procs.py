"""Run a measured child process: wall time, CPU time and peak RSS of that child alone.

`os.wait4` returns the resource usage of the one child it reaps (with that of its own reaped
children), so runs measured one after another do not mix, unlike RUSAGE_CHILDREN, which keeps the
maximum over every child this process ever had. One trap: Linux carries the high-water RSS of the
memory a process had before `exec` into its ru_maxrss, and a vfork/posix_spawn child (what
subprocess uses) had the *parent's* memory; the scoreboard holds the labelled pages, so every
child would report at least its size. The command therefore runs under a small launcher (a fresh
`python -S` process) that forks and execs it and reports `wait4`'s numbers: the only memory carried
over is the launcher's own (~10 MB).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    cmd: list[str]
    rc: int
    wall_s: float
    cpu_s: float  # user + system
    max_rss_mb: float
    stdout: str
    stderr_tail: str

    def to_json(self) -> dict:
        return {"cmd": " ".join(self.cmd), "rc": self.rc, "wall_s": round(self.wall_s, 3),
                "cpu_s": round(self.cpu_s, 3), "max_rss_mb": round(self.max_rss_mb, 1)}


_LAUNCHER = """
import json, os, sys, time
path, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
with open(path, "w") as fh:
    json.dump({"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "maxrss": ru.ru_maxrss}, fh)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(cmd: list[str], log_dir: Path, name: str, env: dict | None = None, cwd: str | None = None) -> Measured:
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{name}.stdout", log_dir / f"{name}.stderr"
    usage_path = log_dir / f"{name}.rusage.json"
    usage_path.unlink(missing_ok=True)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        rc = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, str(usage_path), *cmd],
                            stdout=out, stderr=err, env=env, cwd=cwd).returncode
    usage = json.loads(usage_path.read_text()) if usage_path.exists() else {"wall_s": 0.0, "cpu_s": 0.0, "maxrss": 0}
    # ru_maxrss is in kilobytes on Linux (bytes on macOS)
    rss_mb = usage["maxrss"] / (1024 * 1024 if sys.platform == "darwin" else 1024)
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    return Measured(cmd, rc, usage["wall_s"], usage["cpu_s"], rss_mb,
                    out_path.read_text(encoding="utf-8", errors="replace"), stderr[-3000:])
