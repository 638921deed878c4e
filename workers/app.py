"""The Celery application.

With BROKER_URL set, tasks go through the broker to `claimwire worker`
processes. Without it (the embedded default) the same tasks run in-process.
"""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown, worker_ready

from claimwire.settings import get_settings
from workers import queues

app = Celery("claimwire", include=["tasks.fetch", "tasks.clean", "tasks.extract", "tasks.link", "tasks.store", "tasks.feeds", "workers.ordering"])
app.conf.update(
    task_eager_propagates=True,
    task_queues=queues.QUEUES,
    task_routes=queues.ROUTES,
    task_default_queue=queues.PROCESS,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_ignore_result=True,
    task_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=1,
    worker_max_tasks_per_child=2000,
    worker_hijack_root_logger=False,
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
        task_always_eager=settings.embedded,
        broker_transport_options=transport_options,
        beat_schedule={
            "poll-feeds": {"task": "claimwire.poll_feeds", "schedule": settings.feed_poll_interval_s},
            "ordering-sweep": {"task": "claimwire.ordering_sweep", "schedule": max(10.0, settings.order_wait_s / 4)},
        },
    )


configure()


@worker_process_init.connect
def _fresh_connections_after_fork(**_kwargs) -> None:
    from storage.db import reset_engines

    reset_engines()


@worker_process_shutdown.connect
def _mark_child_dead(pid=None, **_kwargs) -> None:
    """Prefork child exiting: drop its live gauges from the multiprocess files (counters stay summed)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


@worker_ready.connect
def _serve_metrics(**_kwargs) -> None:
    """In the worker's main process: serve /metrics, aggregated over the pool's processes in multiprocess mode."""
    port = get_settings().metrics_port
    if not port:
        return
    from prometheus_client import start_http_server

    from workers.metrics import registry

    start_http_server(port, addr=os.environ.get("CLAIMWIRE_METRICS_ADDR", "0.0.0.0"), registry=registry())
    logging.getLogger("claimwire.worker").info("metrics on port %s", port)
