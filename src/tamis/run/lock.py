"""One run at a time per output folder.

Two runs writing the same folder would interleave shards, checkpoints and summaries into a folder
that reconciles with neither. `OUT/.tamis-lock` names the process writing OUT; a second run stops
with a clear error before writing anything. A lock left by a process that died (killed, machine
restarted) is taken over, so that resuming an interrupted run needs nothing by hand.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tamis.config import ConfigError

LOCK_NAME = ".tamis-lock"


class OutputBusyError(ConfigError):
    """Another run is writing the output folder (exit code 2, like other reasons a command cannot run)."""


def _holder(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None  # unreadable: locks are linked whole, so only a damaged one (a full disk)


def _alive(holder: dict | None) -> bool:
    """Is the process named in a lock still running? Only knowable on this host: another host's
    lock (a shared file system) counts as held, and so does an unreadable one (nothing tells)."""
    if holder is None or holder.get("host") != socket.gethostname() or os.name == "nt":
        return True  # (on Windows, os.kill(pid, 0) would send CTRL_C_EVENT, not test the pid)
    try:
        os.kill(int(holder["pid"]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    except (KeyError, TypeError, ValueError, OSError):
        return False
    return True


def _remove_stale_temps(out_dir: str) -> None:
    """Private lock files of runs killed before they linked theirs (`.tamis-lock.<pid>.tmp`)."""
    host = socket.gethostname()
    for name in os.listdir(out_dir):
        pid = name[len(LOCK_NAME) + 1 : -len(".tmp")]
        if name.startswith(LOCK_NAME + ".") and name.endswith(".tmp") and pid.isdigit():
            if not _alive({"pid": int(pid), "host": host}):
                try:
                    os.remove(os.path.join(out_dir, name))
                except FileNotFoundError:
                    pass


@contextmanager
def output_lock(out_dir: str) -> Iterator[None]:
    """Hold OUT/.tamis-lock while the body runs (local folders; object stores have no atomic create)."""
    if "://" in out_dir:
        yield
        return
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, LOCK_NAME)
    me = {"pid": os.getpid(), "host": socket.gethostname(), "started": round(time.time(), 3)}
    # The lock is written whole under a private name, then linked to its real name: a link fails if
    # the name exists (an atomic test-and-set), and a run killed at any point leaves either no lock
    # or a complete one, never an empty file that would look like a run starting.
    mine = f"{path}.{me['pid']}.tmp"
    _remove_stale_temps(out_dir)
    with open(mine, "w", encoding="utf-8") as fh:
        json.dump(me, fh)
    try:
        for attempt in range(2):
            try:
                os.link(mine, path)
                break
            except FileExistsError:
                holder = _holder(path)
                if attempt or _alive(holder):
                    who = f"pid {holder.get('pid')} on {holder.get('host')}" if holder else "an unreadable lock"
                    raise OutputBusyError(
                        f"{out_dir} is being written by another tamis run ({who}); wait for it to finish or choose "
                        f"another output folder (if no run is active, delete {path})") from None
                os.remove(path)  # its process is gone: an interrupted run, taken over
    finally:
        os.remove(mine)
    try:
        yield
    finally:
        if _holder(path) == me:
            os.remove(path)
