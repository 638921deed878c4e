"""workers/pool.py: a pool process whose exit is seen before it can be reaped is replaced as soon as it can be."""

from __future__ import annotations

from workers import pool


class _Hub:
    """What the pool asks of Celery's event loop here: timers (run by the test, in order)."""

    def __init__(self) -> None:
        self.later: list[tuple[float, object, tuple]] = []
        self.removed: list[int] = []

    def call_later(self, delay, callback, *args) -> None:
        self.later.append((delay, callback, args))

    def remove(self, fd) -> None:
        self.removed.append(fd)

    def run_timers(self) -> int:
        ran = 0
        while self.later:
            _, callback, args = self.later.pop(0)
            callback(*args)
            ran += 1
        return ran


class _Pool(pool.AsynPool):
    """The pool's exit handling alone: MAINTAIN reaps the process at its REAPABLE_AT-th call (as billiard's
    `_join_exited_workers` does once the process can be waited for), and starts a replacement."""

    def __init__(self, proc, reapable_at: int) -> None:  # no processes of its own: Celery's __init__ is not run
        self._pool = [proc]
        self.maintained = 0
        self.reapable_at = reapable_at
        self.started: list[str] = []

    def maintain_pool(self) -> None:
        self.maintained += 1
        if self.maintained >= self.reapable_at and self._pool:
            self._pool.remove(self._pool[0])
            self.started.append("replacement")


class _Proc:
    _sentinel_poll = None


def test_an_exit_seen_before_the_process_can_be_reaped_is_followed_until_it_is():
    proc, hub = _Proc(), _Hub()
    exited = _Pool(proc, reapable_at=4)
    exited._event_process_exit(hub, proc)
    assert exited.maintained == 1 and exited.started == []  # Celery's own attempt: nothing to reap yet
    assert hub.later and hub.later[0][0] == pool.REPLACE_RETRY_S
    assert hub.run_timers() == 3
    assert exited.started == ["replacement"] and exited.maintained == 4


def test_an_exit_reaped_at_once_schedules_nothing():
    proc, hub = _Proc(), _Hub()
    exited = _Pool(proc, reapable_at=1)
    exited._event_process_exit(hub, proc)
    assert exited.started == ["replacement"] and hub.later == []


def test_a_process_never_reaped_is_left_to_the_pools_own_check():
    proc, hub = _Proc(), _Hub()
    exited = _Pool(proc, reapable_at=10**9)
    exited._event_process_exit(hub, proc)
    assert hub.run_timers() == pool.REPLACE_TRIES
    assert exited.maintained == 1 + pool.REPLACE_TRIES and exited.started == []


def test_the_app_runs_prefork_workers_with_this_pool():
    from celery.concurrency import get_implementation

    from workers.app import app

    assert get_implementation(app.conf.worker_pool) is pool.TaskPool
    assert pool.TaskPool.Pool is pool.AsynPool
