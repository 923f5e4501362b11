"""A time budget per document: a document still being cleaned when it runs out is quarantined
(config `run.max_doc_seconds`) instead of holding a worker.

The budget is a SIGALRM timer, so it works in the main thread of a process, which is where the
local runner cleans (in the main process or in each pool worker); elsewhere, or on a system
without `setitimer`, documents run unbounded. The alarm is taken between Python operations: one
long native call (a regex or numpy over a huge text) finishes before it is noticed.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class DocumentTimeout(BaseException):
    """The document ran out of its time budget. A BaseException, so that library code catching
    Exception cannot swallow it."""


def _on_alarm(signum: int, frame: object) -> None:
    raise DocumentTimeout()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise DocumentTimeout in the block once `seconds` have passed (None or 0: no bound)."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
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
