"""Time budget per page.

``time_limit(seconds)`` bounds a block of work:

* In the main thread of a process (the CLI, the embedded mode, Celery's prefork pool,
  which runs each task in the main thread of a child process) it arms ``SIGALRM`` with
  ``signal.setitimer``; the handler raises ``InputError("timeout")`` at the next Python
  bytecode.  The previous handler and timer are restored afterwards.  Long C calls are
  bounded separately: the size cap and the nesting-depth scan run before lxml parses.
* Elsewhere (thread pools, platforms without SIGALRM) signals cannot be used; the block
  runs with a cooperative ``Deadline``: the cleaner checks it between stages and skips the
  optional stages (fallback extractors) once the budget is spent, so a page costs at most
  one trafilatura pass past the budget.  For a hard limit in a thread pool, call
  ``run_in_subprocess`` (a child process killed at the deadline).
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from claimwire.errors import InputError

T = TypeVar("T")


class Deadline:
    def __init__(self, seconds: float | None, what: str = "cleaning") -> None:
        self.seconds = seconds
        self.what = what
        self.expires = time.monotonic() + seconds if seconds and seconds > 0 else None

    def remaining(self) -> float:
        return float("inf") if self.expires is None else self.expires - time.monotonic()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def check(self, stage: str) -> None:
        if self.expired:
            raise InputError("timeout", f"over the {self.seconds:g}s {self.what} budget at {stage}")


def signals_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None, what: str = "cleaning") -> Iterator[Deadline]:
    deadline = Deadline(seconds, what)
    if deadline.expires is None or not signals_usable():
        yield deadline
        return
    previous_timer = signal.getitimer(signal.ITIMER_REAL)
    if previous_timer[0] > 0:  # someone else owns the timer: stay cooperative
        yield deadline
        return

    def _expired(signum: int, frame: Any) -> None:
        raise InputError("timeout", f"over the {seconds:g}s {what} budget")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield deadline
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _child(conn: Any, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    try:
        conn.send((True, fn(*args, **kwargs)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        conn.send((False, exc))
    finally:
        conn.close()


def run_in_subprocess(fn: Callable[..., T], *args: Any, timeout: float, **kwargs: Any) -> T:
    """Run ``fn`` in a fresh (forkserver) child; kill it and raise ``timeout`` past the limit."""
    ctx = multiprocessing.get_context("forkserver")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise InputError("timeout", f"over the {timeout:g}s cleaning budget (child killed)")
        ok, value = parent.recv()
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1)
        parent.close()
    if ok:
        return value
    raise value
