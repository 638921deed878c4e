"""The Celery application.

With BROKER_URL set, tasks go through the broker to `claimwire worker`
processes. Without it (the embedded default) the same tasks run in-process.
"""

from __future__ import annotations

from celery import Celery
from celery.signals import worker_process_init

from claimwire.settings import get_settings
from workers import queues

app = Celery("claimwire", include=["tasks.fetch", "tasks.clean", "tasks.extract", "tasks.link", "tasks.store"])
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
    transport_options = {"visibility_timeout": 3600}
    if settings.broker_key_prefix:
        transport_options["global_keyprefix"] = settings.broker_key_prefix
    app.conf.update(
        broker_url=settings.broker_url or "memory://",
        task_always_eager=settings.embedded,
        broker_transport_options=transport_options,
    )


configure()


@worker_process_init.connect
def _fresh_connections_after_fork(**_kwargs) -> None:
    from storage.db import reset_engines

    reset_engines()
