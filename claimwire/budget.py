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

Either way the block's ``Deadline`` is also the *current* one (``check_current``): work that runs long
(the extractors, between one extractor and the next and between parts of a long text) checks it, so the
budget holds within one such step even where the alarm cannot fire (another owner of the timer, a thread)
or was lost (an exception raised inside a finalizer that ran at that moment is only printed by Python).

``run_bounded(fn, ..., timeout=)`` is what the pipeline's CPU stages call: it picks the way the budget
holds where it runs. With a ``BoundedPool`` installed (``install_pool``; the embedded server does) the
work goes to one of the pool's worker processes, which runs it under ``SIGALRM`` in its own main thread
and is killed, and replaced, if it has not answered ``KILL_GRACE_S`` after the budget (a long C call).
Without a pool: ``SIGALRM`` in the main thread (the CLI, Celery's prefork children), else a one-off
child process (a thread pool).
"""

from __future__ import annotations

import contextvars
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from claimwire.errors import InputError

T = TypeVar("T")
KILL_GRACE_S = 1.0  # a worker still busy this long after its budget is killed (the budget's own SIGALRM came first)
PRELOAD = ("claimwire.cleaning", "claimwire.htmlclean", "claimwire.textclean", "claimwire.extractors", "claimwire.language")


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


_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("claimwire_deadline", default=None)


def check_current(stage: str) -> None:
    """Raise the budget's ``InputError("timeout")`` if the block this runs in (``time_limit``) is past it."""
    deadline = _CURRENT.get()
    if deadline is not None:
        deadline.check(stage)


def signals_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None, what: str = "cleaning") -> Iterator[Deadline]:
    deadline = Deadline(seconds, what)
    if deadline.expires is None:
        yield deadline
        return
    token = _CURRENT.set(deadline)
    try:
        with _alarm(deadline):
            yield deadline
    finally:
        _CURRENT.reset(token)


@contextmanager
def _alarm(deadline: Deadline) -> Iterator[None]:
    """SIGALRM at the deadline, where this thread may arm it and no one else has (else nothing: cooperative)."""
    if not signals_usable() or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return
    seconds, what = deadline.seconds, deadline.what

    def _expired(signum: int, frame: Any) -> None:
        raise InputError("timeout", f"over the {seconds:g}s {what} budget")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
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


def _context():
    """Forkserver: forking the (threaded) server itself is unsafe; the fork server preloads the cleaning and extraction modules."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))
    return ctx


def run_in_subprocess(
    fn: Callable[..., T], *args: Any, timeout: float, what: str = "cleaning", budget_s: float | None = None, **kwargs: Any
) -> T:
    """Run ``fn`` in a fresh (forkserver) child; kill it and raise ``timeout`` past the limit (BUDGET_S: the
    budget the message names, when the limit has a grace period on top)."""
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise InputError("timeout", f"over the {budget_s or timeout:g}s {what} budget (child killed)")
        ok, value = parent.recv()
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1)
        parent.close()
    if ok:
        return value
    raise value


def _claimwire_environment() -> dict[str, str]:
    """The settings' part of the environment: a worker process applies it before each call (tests change it)."""
    return {key: value for key, value in os.environ.items() if key.startswith("CLAIMWIRE_") or key in ("DATABASE_URL", "BROKER_URL")}


def _apply_environment(environment: dict[str, str], applied: dict[str, str]) -> dict[str, str]:
    """Make this (child) process's settings those of the parent's call; returns what is applied now."""
    if environment != applied:
        for key in set(_claimwire_environment()) - set(environment):
            os.environ.pop(key, None)
        os.environ.update(environment)
        from claimwire.settings import get_settings

        get_settings.cache_clear()
    return environment


def _serve(conn: Any) -> None:
    """A pool worker's loop: calls in, results (or the exception) out, until the parent goes away."""
    applied: dict[str, str] = {}
    while True:
        try:
            environment, fn, args, kwargs, seconds, what = conn.recv()
        except (EOFError, OSError):
            return
        applied = _apply_environment(environment, applied)
        try:
            with time_limit(seconds, what):
                reply = (True, fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            reply = (False, exc)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - a result that does not pickle
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


class BoundedPool:
    """Worker processes for CPU work with a hard deadline per call.

    A call waits for an idle worker (the wait is not part of the budget), sends it the work and waits for
    the answer until ``timeout + KILL_GRACE_S``; a worker that has not answered by then is killed, and
    a fresh one is started on the next call. Workers are started on first use and exit when the parent
    dies (their pipe closes).
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._idle: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._started = 0
        self._workers: set[Any] = set()
        self._closed = False
        self.killed = 0

    def _start(self):
        ctx = _context()
        parent, child = ctx.Pipe(duplex=True)
        process = ctx.Process(target=_serve, args=(child,), daemon=True, name="claimwire-cpu")
        process.start()
        child.close()
        worker = (process, parent)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _take(self):
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is closed")
            start = self._idle.empty() and self._started < self.size
            if start:
                self._started += 1
        if start:
            try:
                return self._start()
            except BaseException:
                with self._lock:
                    self._started -= 1
                raise
        return self._idle.get()

    def _discard(self, worker) -> None:
        process, conn = worker
        if process.is_alive():
            process.kill()
        process.join(5)
        conn.close()
        with self._lock:
            self._workers.discard(worker)
            self._started -= 1

    def call(self, fn: Callable[..., T], *args: Any, timeout: float, what: str, **kwargs: Any) -> T:
        worker = self._take()
        process, conn = worker
        seconds = timeout if timeout and timeout > 0 else None
        try:
            conn.send((_claimwire_environment(), fn, args, kwargs, seconds, what))
            answered = conn.poll(None if seconds is None else seconds + KILL_GRACE_S)
            ok, value = conn.recv() if answered else (None, None)
        except (EOFError, OSError, BrokenPipeError):
            self._discard(worker)
            raise InputError("crashed", f"the {what} process died (exit code {process.exitcode})") from None
        except BaseException:
            self._discard(worker)
            raise
        if ok is None:
            self._discard(worker)
            self.killed += 1
            raise InputError("timeout", f"over the {timeout:g}s {what} budget (worker process killed)")
        self._idle.put(worker)
        if ok:
            return value
        raise value

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
        for process, conn in workers:
            conn.close()
            process.join(2)
            if process.is_alive():
                process.kill()
                process.join(2)


_POOL: BoundedPool | None = None


def install_pool(pool: BoundedPool | None) -> BoundedPool | None:
    """Make ``run_bounded`` use POOL (None: no pool); returns the pool installed before."""
    global _POOL
    previous, _POOL = _POOL, pool
    return previous


def run_bounded(fn: Callable[..., T], *args: Any, timeout: float | None, what: str, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` within TIMEOUT seconds in any thread; past it, ``InputError("timeout")``."""
    pool = _POOL
    if pool is not None:
        return pool.call(fn, *args, timeout=timeout or 0, what=what, **kwargs)
    if not timeout or timeout <= 0 or signals_usable():
        with time_limit(timeout, what):
            return fn(*args, **kwargs)
    call = (_claimwire_environment(), fn, args, kwargs, timeout, what)
    return run_in_subprocess(_bounded_child, *call, timeout=timeout + KILL_GRACE_S, what=what, budget_s=timeout)


def _bounded_child(environment: dict[str, str], fn: Callable[..., T], args: tuple, kwargs: dict, seconds: float, what: str) -> T:
    _apply_environment(environment, {})
    with time_limit(seconds, what):
        return fn(*args, **kwargs)
