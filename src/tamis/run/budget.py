"""A time budget per document: a document still being cleaned when it runs out is quarantined
(config `run.max_doc_seconds`) instead of holding a worker.

Two mechanisms, by document size:
- most documents run in the worker under a SIGALRM timer (`time_budget`), which costs nothing but
  is noticed only between Python operations: one long native call (a regex or a numpy sort over a
  huge text) finishes first, and on a 50 MB line such a call takes 20 s;
- documents of at least `run.isolate_min_chars` characters run in a forked copy of the worker
  (`run_isolated`), killed when the budget runs out: a hard bound whatever the native code does,
  for the price of a fork (milliseconds) on the rare documents where it matters.
Either works in the main thread of a process, which is where the local runner cleans (the main
process, or each pool worker); elsewhere, or without `setitimer`/`fork`, documents run unbounded.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class DocumentTimeout(BaseException):
    """The document ran out of its time budget. A BaseException, so that library code catching
    Exception cannot swallow it."""


class IsolatedError(Exception):
    """An exception raised in the forked child, as "Type: message" (exceptions need not pickle)."""


def _on_alarm(signum: int, frame: object) -> None:
    raise DocumentTimeout()


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise DocumentTimeout in the block once `seconds` have passed (None or 0: no bound)."""
    if not seconds or not hasattr(signal, "setitimer") or not _main_thread():
        yield
        return
    old = signal.signal(signal.SIGALRM, _on_alarm)
    start = time.monotonic()
    outer, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer:  # someone else's alarm (a test timeout, say) was running: give it back what is left
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 1e-3), interval)


def die_with_parent(parent: int) -> None:
    """Have this process killed when its parent dies (Linux), so that killing a run leaves no
    orphans computing on; exit now if the parent is already gone."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)


def can_isolate() -> bool:
    return hasattr(os, "fork") and _main_thread()


def run_isolated(fn: Callable[[], T], seconds: float) -> T:
    """`fn()` computed in a forked child that is killed after `seconds` (DocumentTimeout). The value
    comes back pickled; an exception comes back as IsolatedError("Type: message")."""
    r, w = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's exit handlers
        os.close(r)
        try:
            die_with_parent(parent)
            try:
                payload = pickle.dumps((True, fn()), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
                payload = pickle.dumps((False, f"{type(exc).__name__}: {exc}"))
            view = memoryview(payload)
            while view:
                view = view[os.write(w, view):]
        finally:
            os._exit(0)
    os.close(w)
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DocumentTimeout()
            ready, _, _ = select.select([r], [], [], left)
            if ready:
                data = os.read(r, 1 << 20)
                if not data:
                    break
                chunks.append(data)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(r)
        _, status = os.waitpid(pid, 0)
    if not chunks:
        raise IsolatedError(f"the process cleaning the document died ({_describe(status)})")
    ok, value = pickle.loads(b"".join(chunks))
    if not ok:
        raise IsolatedError(value)
    return value


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"signal {signal.Signals(sig).name}" + (", out of memory?" if sig == signal.SIGKILL else "")
    return f"exit status {os.WEXITSTATUS(status)}"


__all__ = ["DocumentTimeout", "IsolatedError", "can_isolate", "run_isolated", "time_budget"]
