"""The pipeline, in one table: every stage, its task and queue, the statuses it takes and leaves, what follows it.

Everything else about the wiring is read from `PIPELINE`: the routing of the tasks to their queues
(`route`, named in workers/app.py), which stage follows which (`following`, tasks/base.py chains them), the
task that moves an article on from a status (`next_task_for`: receiving, the sweep, resuming).

    receive ─▶ fetch (URLs only) ─▶ clean ─▶ extract ─▶ link ─▶ store

No stage runs in a global order: each message runs its own article's stage, whatever the others are doing
(clean is order-free, link decides under per-key locks against the articles received before it:
docs/SCALING.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import ArticleStatus
from workers.queues import FETCH, LINK, PROCESS, WEBHOOKS


@dataclass(frozen=True)
class Stage:
    name: str
    task: str | None  # the Celery task; None: the stage runs where the item arrives (API, CLI, intake, feed poll)
    queue: str | None
    accepts: tuple[str, ...]  # statuses the stage takes an article in
    produces: str  # the status it leaves it in (or a final one: duplicate, skipped, failed)
    next: str | None  # the stage that follows (an article of a stage's `only_kind` goes through that stage first)
    cpu_bound: bool = False  # gets the worker's time limits (tasks/base.py cpu_task_options)
    only_kind: str | None = None  # the stage is for articles of this source kind only


S = ArticleStatus
PIPELINE: tuple[Stage, ...] = (
    Stage("receive", None, None, accepts=(), produces=S.RECEIVED, next="clean"),
    Stage("fetch", "claimwire.fetch", FETCH, accepts=(S.RECEIVED,), produces=S.FETCHED, next="clean", only_kind="url"),
    Stage("clean", "claimwire.clean", PROCESS, accepts=(S.RECEIVED, S.FETCHED), produces=S.CLEANED, next="extract", cpu_bound=True),
    Stage("extract", "claimwire.extract", PROCESS, accepts=(S.CLEANED,), produces=S.EXTRACTED, next="link", cpu_bound=True),
    Stage("link", "claimwire.link", LINK, accepts=(S.EXTRACTED,), produces=S.LINKED, next="store"),  # key locks: tasks/link.py
    Stage("store", "claimwire.store", LINK, accepts=(S.LINKED,), produces=S.STORED, next=None),
)
# the tasks around the pipeline, and their queues
OTHER_TASKS = {
    "claimwire.poll_feeds": FETCH,
    "claimwire.fetch_feed": FETCH,
    "claimwire.ordering_sweep": LINK,
    "claimwire.deliver_webhooks": WEBHOOKS,
    "claimwire.publish_changes": WEBHOOKS,
}

STAGES = {stage.name: stage for stage in PIPELINE}
BY_TASK = {stage.task: stage for stage in PIPELINE if stage.task}
ROUTES = {
    **{stage.task: {"queue": stage.queue} for stage in PIPELINE if stage.task},
    **{name: {"queue": queue} for name, queue in OTHER_TASKS.items()},
}
ORDER = tuple(stage.produces for stage in PIPELINE)  # the statuses an article goes through, in order
# the statuses an article moves on from, and the task that does it (the sweep re-sends it)
NEXT_TASK = {
    status: next(s.task for s in PIPELINE if status in s.accepts and s.only_kind is None) for status in ORDER if status != S.STORED
}


def route(name: str, args=None, kwargs=None, options=None, task=None, **_kw) -> dict | None:
    """Celery's router (workers/app.py task_routes): the queue of task NAME."""
    return ROUTES.get(name)


def following(stage: Stage) -> Stage | None:
    return STAGES[stage.next] if stage.next else None


def next_stage_for(status: str, source_kind: str) -> Stage:
    """The stage that moves an article of SOURCE_KIND on from STATUS (a received URL article: its fetch)."""
    return next(s for s in PIPELINE if status in s.accepts and s.only_kind in (None, source_kind))


def next_task_for(status: str, source_kind: str) -> str:
    return next_stage_for(status, source_kind).task
