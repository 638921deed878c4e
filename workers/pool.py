"""The prefork pool (`worker_pool`, workers/app.py): Celery's, with a pool process that exits replaced at once.

A pool process exits by design: after `worker_max_tasks_per_child` tasks, or once its memory passes
CLAIMWIRE_WORKER_MAX_MEMORY_MB. Celery's pool learns of the exit when the process's sentinel pipe closes and tries
to replace it then; but the pipe closes while the process is still exiting, before it can be waited for, and when
that attempt finds nothing to reap the replacement waits for the pool's next periodic check, five seconds on. With
one pool process per worker, the worker then ran nothing for up to five seconds: at half the sustained rate of
`bench load`, those stalls made the latency's p99 (docs/SCALING.md). Here the pool asks again every
REPLACE_RETRY_S until the process is reaped and its replacement started.
"""

from __future__ import annotations

from celery.concurrency import asynpool, prefork

REPLACE_RETRY_S = 0.01  # how soon the pool looks again for an exited process it could not reap yet
REPLACE_TRIES = 500  # then the pool's own periodic check (every 5 s) is left to find it


class AsynPool(asynpool.AsynPool):
    def _event_process_exit(self, hub, proc) -> None:
        super()._event_process_exit(hub, proc)
        if proc in self._pool:  # its sentinel closed before it could be reaped: not replaced yet
            hub.call_later(REPLACE_RETRY_S, self._replace_when_reaped, hub, proc, 1)

    def _replace_when_reaped(self, hub, proc, tries: int) -> None:
        if proc not in self._pool:
            return
        self.maintain_pool()  # reaps the exited processes and starts their replacements (a no-op past shutdown)
        if proc in self._pool and tries < REPLACE_TRIES:
            hub.call_later(REPLACE_RETRY_S, self._replace_when_reaped, hub, proc, tries + 1)


class TaskPool(prefork.TaskPool):
    Pool = AsynPool
