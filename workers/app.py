"""The Celery application.

With BROKER_URL set, tasks go through the broker to `claimwire worker`
processes. Without it (the embedded default) the same tasks run in-process.

The tasks and their routing come from the layer above by name only (this package never imports it): the
task modules (`include`) and the router of the pipeline table (tasks/pipeline.py `route`).
"""

from __future__ import annotations

import gc
import logging
import os
import time

from celery import Celery
from celery.signals import worker_init, worker_process_init, worker_process_shutdown, worker_ready, worker_shutdown

from claimwire.settings import get_settings
from workers import broker, queues

TASK_MODULES = ["tasks.fetch", "tasks.clean", "tasks.extract", "tasks.link", "tasks.store", "tasks.feeds", "tasks.sweep", "tasks.webhooks"]
app = Celery("claimwire", include=TASK_MODULES)
app.conf.update(
    task_eager_propagates=True,
    task_queues=queues.QUEUES,
    task_routes=("tasks.pipeline.route",),
    task_default_queue=queues.PROCESS,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_ignore_result=True,
    task_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=1,
    worker_disable_rate_limits=True,  # no task has a rate limit: skip the token buckets per message
    worker_max_tasks_per_child=2000,
    worker_hijack_root_logger=False,
    worker_pool="workers.pool:TaskPool",  # `--pool prefork` (the default) takes it: Celery's, replacing an exited process at once
    broker_connection_retry_on_startup=True,
)


def configure() -> None:
    """Point the app at the configured broker, or run tasks in-process when there is none."""
    settings = get_settings()
    # a message taken by a worker that died unacknowledged is delivered again after this long
    transport_options = {"visibility_timeout": settings.visibility_timeout_s}
    if settings.broker_key_prefix:
        transport_options["global_keyprefix"] = settings.broker_key_prefix
    app.conf.update(
        broker_url=settings.broker_url or "memory://",
        broker_transport=broker.TRANSPORT if (settings.broker_url or "").startswith("redis://") else None,
        task_always_eager=settings.embedded,
        broker_transport_options=transport_options,
        # in KiB; billiard reads the pool process's peak resident memory after each task (None: no bound)
        worker_max_memory_per_child=settings.worker_max_memory_mb * 1024 or None,
        beat_schedule={
            "poll-feeds": {"task": "claimwire.poll_feeds", "schedule": settings.feed_poll_interval_s},
            "ordering-sweep": {"task": "claimwire.ordering_sweep", "schedule": max(10.0, settings.order_wait_s / 4)},
            "publish-changes": {"task": "claimwire.publish_changes", "schedule": 10.0},
            "deliver-webhooks": {"task": "claimwire.deliver_webhooks", "schedule": 10.0},
        },
    )


configure()


_profiler = None
CONSUMED: set[str] = set()  # the queues this worker consumes (its -Q, inherited by its pool processes); empty elsewhere


@worker_init.connect
def _note_queues(sender=None, **_kwargs) -> None:
    CONSUMED.update(sender.app.amqp.queues.consume_from)


@worker_init.connect
def _warm_up(**_kwargs) -> None:
    """In the worker's main process, before its pool is forked: the pool's processes start warm (claimwire/warmup.py)."""
    from claimwire.warmup import warm_up

    logging.getLogger("claimwire.worker").info("warmed_up seconds=%.2f", warm_up())
    # what the warm main process holds now lives as long as it does: out of the collector's reach, the collection
    # before each fork (celery's asynpool) and the pool processes' full collections no longer walk it (nor copy
    # its pages in the children to write their collection marks)
    gc.collect()
    gc.freeze()


@worker_init.connect
def _check_memory_bound(**_kwargs) -> None:
    """After the warm-up (receivers run in the order they connect): a pool process starts near the warm main
    process's size, so a bound at or below it would replace each after a task or two."""
    bound_mb = get_settings().worker_max_memory_mb
    resident_mb = _resident_mb()
    if bound_mb and resident_mb is not None and resident_mb + 40 > bound_mb:
        logging.getLogger("claimwire.worker").warning("pool_memory_bound_near_start bound_mb=%d main_resident_mb=%d", bound_mb, resident_mb)


def _resident_mb() -> int | None:
    """This process's resident memory now (MB); None where /proc is not there."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // (1024 * 1024)
    except (OSError, ValueError):
        return None


@worker_process_init.connect
def _fresh_connections_after_fork(**_kwargs) -> None:
    from storage.db import reset_engines

    reset_engines()
    _COLLECTIONS.update(seconds=0.0, count=0)  # counted in the main process before the fork
    _start_profile()


def _start_profile() -> None:
    """Diagnostics: with CLAIMWIRE_PROFILE_DIR each worker process writes PID.json at its exit (its CPU seconds, and
    per stage the runs and CPU seconds of their work, tasks/base.py); with CLAIMWIRE_PROFILE_CPROFILE=1 too, a
    cProfile of the process (CPU time) as PID.prof."""
    global _profiler
    if get_settings().profile_dir and _collect_timer not in gc.callbacks:
        gc.callbacks.append(_collect_timer)
    if get_settings().profile_cprofile and _profiler is None:
        import cProfile

        _profiler = cProfile.Profile(time.process_time)
        _profiler.enable()


_COLLECTIONS = {"seconds": 0.0, "count": 0, "started": 0.0}  # the cyclic collector's CPU in this process (profile_dir)


def _collect_timer(phase: str, _info: dict) -> None:
    if phase == "start":
        _COLLECTIONS["started"] = time.process_time()
    else:
        _COLLECTIONS["seconds"] += time.process_time() - _COLLECTIONS["started"]
        _COLLECTIONS["count"] += 1


def _dump_profile() -> None:
    global _profiler
    directory = get_settings().profile_dir
    if directory:
        import json
        import sys

        base = sys.modules.get("tasks.base")
        db = sys.modules.get("storage.db")
        times = os.times()
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, f"{os.getpid()}.json"), "w") as handle:
            found = {
                "cpu_s": times.user + times.system,
                "stages": getattr(base, "STAGE_CPU", None),
                "sql": getattr(db, "SQL_COUNTS_PROCESS", None),
                "gc": {"cpu_s": _COLLECTIONS["seconds"], "collections": _COLLECTIONS["count"]},
            }
            json.dump(found, handle)
    if _profiler is not None:
        _profiler.disable()
        os.makedirs(directory, exist_ok=True)
        _profiler.dump_stats(os.path.join(directory, f"{os.getpid()}.prof"))
        _profiler = None


@worker_process_shutdown.connect
def _mark_child_dead(pid=None, **_kwargs) -> None:
    """Prefork child exiting: drop its live gauges from the multiprocess files (counters stay summed)."""
    _dump_profile()
    if get_settings().prometheus_multiproc_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


@worker_shutdown.connect
def _main_process_exit(**_kwargs) -> None:
    _dump_profile()


@worker_ready.connect
def _serve_metrics(**_kwargs) -> None:
    """In the worker's main process: serve /metrics, aggregated over the pool's processes in multiprocess mode."""
    _start_profile()
    port = get_settings().metrics_port
    if not port:
        return
    from prometheus_client import start_http_server

    from workers.metrics import registry

    start_http_server(port, addr=get_settings().metrics_addr, registry=registry())
    logging.getLogger("claimwire.worker").info("metrics on port %s", port)
