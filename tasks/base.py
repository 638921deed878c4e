"""What every stage shares: status transitions, error recording, retries, metrics, chaining.

A stage computes outside the database transaction, then commits its results
together with a conditional status change (`UPDATE ... WHERE status IN accepts`),
so that a message delivered twice, or redelivered after a worker died, never
writes twice: the second delivery finds the status already moved on.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from billiard.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from celery.signals import task_failure
from redis.exceptions import RedisError
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from claimwire.errors import InputError, TransientError
from claimwire.settings import get_settings
from storage import repository
from storage.db import session_scope
from storage.models import Article, ArticleStatus, utcnow
from workers import metrics
from workers.logs import log

logger = logging.getLogger("claimwire.tasks")

MAX_RETRIES = 6  # Celery's own cap on a task's retries; a stage's transient errors are retried CLAIMWIRE_MAX_RETRIES times
# a diagnostic (CLAIMWIRE_PROFILE_DIR, workers/app.py): stage name: [runs, CPU seconds in its work] in this process
STAGE_CPU: dict[str, list] | None = {} if get_settings().profile_dir else None
TASK_OPTIONS = {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "max_retries": MAX_RETRIES}


def cpu_task_options() -> dict:
    """TASK_OPTIONS for the CPU-bound stages (clean, extract), with the worker's own time limits.

    Each article's budget (CLAIMWIRE_CLEAN_TIMEOUT_S, CLAIMWIRE_EXTRACT_TIMEOUT_S) is kept inside the stage
    (claimwire.budget); these limits are the backstop for a task whose budget could not stop it (a long C
    call): the soft limit fails the article it is running, the hard limit kills the pool process
    (`_hard_time_limit` records it). A task may run a gated line and the stages chained to it: by default
    the limits cover CHAIN_BATCH articles at their full budgets.
    """
    settings = get_settings()
    hard = settings.task_time_limit_s or CHAIN_BATCH * (settings.clean_timeout_s + settings.extract_timeout_s) + 60
    return {**TASK_OPTIONS, "soft_time_limit": max(1.0, hard - 15), "time_limit": hard}

ORDER = (
    ArticleStatus.RECEIVED,
    ArticleStatus.FETCHED,
    ArticleStatus.CLEANED,
    ArticleStatus.EXTRACTED,
    ArticleStatus.LINKED,
    ArticleStatus.STORED,
)


class Skip(Exception):
    """The article is not in a state this stage acts on (already done, or finished otherwise)."""


@dataclass(frozen=True)
class Stage:
    name: str
    accepts: tuple[str, ...]
    produces: str


# task name: (its stage, the stage's work, the task that follows it); filled by the task modules (register)
STAGES: dict[str, tuple[Stage, Callable[[int], bool], str | None]] = {}
CHAIN_BATCH = 8  # a gated stage hands its line on after this many articles when their next stage runs in the same task


def register(task_name: str, stage: Stage, work: Callable[[int], bool], next_task: str | None = None) -> None:
    STAGES[task_name] = (stage, work, next_task)


def _queue(task_name: str) -> str | None:
    from workers.queues import ROUTES

    return ROUTES.get(task_name, {}).get("queue")


def chains(task_name: str, next_task) -> bool:
    """True when the stage after TASK_NAME runs in the same task instead of a message through the broker.

    Only for a next stage routed to the same queue (so this worker consumes it anyway), that is not gated (a
    gated stage runs from its line's head, workers/ordering.py) and that is registered; CLAIMWIRE_CHAIN_STAGES=0
    turns it off.
    """
    from workers import ordering

    if next_task is None or not get_settings().chain_stages:
        return False
    name = getattr(next_task, "name", next_task)
    if name not in STAGES or _queue(name) is None or _queue(name) != _queue(task_name):
        return False
    return not ordering.enabled(STAGES[name][0].name)


def load(session, stage: Stage, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise Skip(f"article {article_id} does not exist")
    if article.status not in stage.accepts:
        raise Skip(f"article {article_id} is {article.status}")
    return article


def load_columns(session, stage: Stage, article_id: int, *columns):
    """Like `load`, but only COLUMNS (and the status) of the article, in one statement: a row."""
    row = session.execute(select(Article.status, *columns).where(Article.id == article_id)).one_or_none()
    if row is None:
        raise Skip(f"article {article_id} does not exist")
    if row.status not in stage.accepts:
        raise Skip(f"article {article_id} is {row.status}")
    return row


def claim_transition(session, stage: Stage, article_id: int, status: str | None = None, *, returning=None, **values):
    """Move the article to its next status; raises Skip if another delivery got there first (or it is not there).

    RETURNING (a column of the articles table): its value is returned, read by the same statement.
    """
    table = Article.__table__  # Core, not the ORM's bulk update (a third of the statement's cost); updated_at still follows
    statement = update(table).where(table.c.id == article_id, table.c.status.in_(stage.accepts)).values(status=status or stage.produces, **values)
    if returning is not None:
        row = session.execute(statement.returning(returning)).one_or_none()
        if row is None:
            raise Skip(f"article {article_id} is not {' or '.join(stage.accepts)} (moved on by another delivery, or gone)")
        return row[0]
    result = session.execute(statement)
    if result.rowcount != 1:
        raise Skip(f"article {article_id} was moved on by another delivery")
    return None


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with jitter, capped at ten minutes: between half and all of base * 2^retries seconds.

    Half of each step is fixed, so that the retries of one stage span at least a minute in all with the
    default base (CLAIMWIRE_RETRY_BASE_S, 2 s: 1 + 2 + 4 + 8 + 16 + 32 s): a database restart of that length
    costs a delay, not a failure.
    """
    step = min(600.0, get_settings().retry_base_s * 2.0**retries)
    return step / 2 + random.uniform(0, step / 2)


def host_busy_delay() -> float:
    """How long a fetch whose host has no free slot waits before it asks again (it holds no thread meanwhile)."""
    return max(0.5, get_settings().fetch_host_interval_s) * random.uniform(1.0, 2.0)


def may_wait_for_host(article_id: int) -> bool:
    """A fetch may wait for its host's slot until CLAIMWIRE_FETCH_QUEUE_MAX_S after the article was received."""
    with session_scope(read_only=True) as session:
        received_at = session.execute(select(Article.received_at).where(Article.id == article_id)).scalar_one_or_none()
    return received_at is not None and (utcnow() - received_at).total_seconds() < get_settings().fetch_queue_max_s


def fail_article(stage: Stage, article_id: int, reason: str, message: str, *, transient: bool = False, retries: int = 0) -> None:
    """Record the article failed at STAGE. TRANSIENT: the cause may pass (posting the article again tries again)."""
    if transient and retries:
        message = f"{message} (after {retries} retries)"
    with session_scope() as session:
        repository.record_failure(session, stage=stage.name, reason=reason, message=message, article_id=article_id, transient=transient, retries=retries)
    metrics.ARTICLES_FAILED.labels(stage=stage.name, reason=reason).inc()
    metrics.ARTICLES_PROCESSED.labels(outcome="failed").inc()
    log(logger, logging.WARNING, "article_failed", article_id=article_id, stage=stage.name, reason=reason, error=message, transient=transient, retries=retries)


def run_stage(task, stage: Stage, article_id: int, work: Callable[[int], bool], next_task=None) -> str:
    """Run one stage for one article. Returns what happened: next | done | skipped | failed | deferred.

    Through the broker, the stages that depend on earlier articles run in receipt order
    (workers/ordering.py): a message for such a stage drives the stage's line from its head, and is
    "deferred" when it did not get to run the stage for its own article (not its turn yet, or another
    worker is running the line and will get to it).

    When the next stage is routed to the same queue (clean -> extract, link -> store; see `chains`), it runs
    in this task right after this one (after the gate's lock is let go, for a gated stage), as a stage of
    its own (its own transaction, conditional status change and metrics) instead of a message: a broker
    round trip and a task less per article. A transient error there hands it to the broker as a message of
    its own with backoff (`_run_chained`).
    """
    if task.request.is_eager:
        return _run_stage(task, stage, article_id, work, next_task)
    from workers import ordering

    follow: list[int] | None = [] if chains(task.name, next_task) else None
    try:
        if ordering.enabled(stage.name):
            outcome = ordering.drive(
                stage.name,
                article_id,
                lambda head_id: _run_stage(task, stage, head_id, work, next_task, follow=follow),
                enough=(lambda: len(follow) >= CHAIN_BATCH) if follow is not None else None,
            )
            if outcome == "deferred":
                log(logger, logging.DEBUG, "stage_deferred", article_id=article_id, stage=stage.name)
        else:
            outcome = _run_stage(task, stage, article_id, work, next_task, follow=follow)
            if outcome in ("done", "failed"):  # the article left the line here: the gates behind it may open
                ordering.wake_after(stage.name)
    except (OperationalError, DBAPIError, RedisError) as error:
        # the line itself could not be read or locked (database or Redis down): retry this message rather
        # than let it be acknowledged as a failed task and wait for the sweep
        metrics.STAGE_RETRIES.labels(stage=stage.name).inc()
        log(logger, logging.INFO, "stage_retry", article_id=article_id, stage=stage.name, reason="line_unavailable", retries=task.request.retries or 0)
        raise task.retry(exc=error, countdown=backoff_seconds(task.request.retries or 0), max_retries=max(MAX_RETRIES, get_settings().max_retries)) from error
    finally:
        for follow_id in follow or ():
            _run_chained(next_task.name, follow_id)
    return outcome


def _run_chained(task_name: str, article_id: int) -> str:
    """Run the stage of TASK_NAME for one article inside the current task (the stage before it just committed)."""
    from workers import ordering
    from workers.app import app

    stage, work, next_name = STAGES[task_name]
    if task_name not in app.tasks or (next_name and next_name not in app.tasks):
        app.loader.import_default_modules()  # outside a worker the task modules are imported as they are used
    task = app.tasks[task_name]
    next_task = app.tasks[next_name] if next_name else None
    follow: list[int] | None = [] if chains(task_name, next_task) else None
    try:
        outcome = _run_stage(task, stage, article_id, work, next_task, follow=follow, chained=True)
        if outcome in ("done", "failed"):
            ordering.wake_after(stage.name)
    except Exception:  # noqa: BLE001 - never lose the article: the stage goes to the broker as a message of its own
        logger.exception("chained_stage_error", extra={"fields": {"article_id": article_id, "stage": stage.name}})
        task.apply_async(args=[article_id], countdown=backoff_seconds(0))
        outcome = "retry"
    for follow_id in follow or ():
        _run_chained(next_task.name, follow_id)
    return outcome


def _run_stage(task, stage: Stage, article_id: int, work: Callable[[int], bool], next_task=None, *, follow: list[int] | None = None, chained: bool = False) -> str:
    """One stage for one article. FOLLOW: collect the article for the next stage run in this task instead of sending it.

    CHAINED: this stage runs inside the task of the stage before it (no message of its own): a transient
    error sends it to the broker as its own message, with backoff, instead of retrying the task.
    """
    started = time.perf_counter()
    cpu_started = time.process_time() if STAGE_CPU is not None else 0.0
    try:
        proceed = work(article_id)
    except Skip as skip:
        with session_scope() as session:
            current = session.get(Article, article_id)
        if current is not None and current.status == stage.produces and next_task is not None:
            next_task.delay(article_id)  # the earlier delivery committed but may have died before handing on
        log(logger, logging.DEBUG, "stage_skipped", article_id=article_id, stage=stage.name, why=str(skip))
        return "skipped"
    except InputError as error:
        fail_article(stage, article_id, error.reason, error.message)
        return "failed"
    except (TransientError, OperationalError, DBAPIError) as error:
        reason = error.reason if isinstance(error, TransientError) else "database_unavailable"
        retries = 0 if chained else (task.request.retries or 0)
        queued = not task.request.is_eager
        if queued and not chained and reason == "host_busy" and may_wait_for_host(article_id):
            # the host's slots are taken (a slow host): ask again later without holding a thread, not counted as a retry
            task.apply_async(args=[article_id], countdown=host_busy_delay(), retries=retries)
            return "deferred"
        retryable = isinstance(error, TransientError) or getattr(error, "connection_invalidated", True)
        if (chained or queued) and retries < get_settings().max_retries and retryable:
            metrics.STAGE_RETRIES.labels(stage=stage.name).inc()
            log(logger, logging.INFO, "stage_retry", article_id=article_id, stage=stage.name, reason=reason, retries=retries)
            if chained:  # no message of its own to retry: send one, with the first step of the backoff
                task.apply_async(args=[article_id], countdown=backoff_seconds(retries))
                return "retry"
            raise task.retry(exc=error, countdown=backoff_seconds(retries), max_retries=max(MAX_RETRIES, get_settings().max_retries))
        fail_article(stage, article_id, reason, str(error).splitlines()[0] if str(error) else reason, transient=retryable, retries=retries)
        return "failed"
    except SoftTimeLimitExceeded:  # the worker's own limit (CLAIMWIRE_TASK_TIME_LIMIT_S), past the stage's budget
        fail_article(stage, article_id, "timeout", f"over the worker's soft time limit of {task.soft_time_limit}s")
        return "failed"
    except Exception as error:  # a bug must not block the queue: record it and move on
        logger.exception("stage_crashed", extra={"fields": {"article_id": article_id, "stage": stage.name}})
        fail_article(stage, article_id, "internal_error", f"{type(error).__name__}: {error}")
        return "failed"
    finally:
        metrics.STAGE_DURATION.labels(stage=stage.name).observe(time.perf_counter() - started)
        if STAGE_CPU is not None:
            spent = STAGE_CPU.setdefault(stage.name, [0, 0.0])
            spent[0] += 1
            spent[1] += time.process_time() - cpu_started
    if proceed and next_task is not None:
        if follow is not None:
            follow.append(article_id)  # run by the caller, in this task, once the line (if any) is let go
        else:
            next_task.delay(article_id)
        return "next"
    return "done"


@task_failure.connect
def _hard_time_limit(sender=None, exception=None, args=None, **_kwargs) -> None:
    """The worker killed a pool process at a stage's hard time limit: record the failure of the article its
    message named if that article is still where the stage starts (else the sweep sends it on again)."""
    if not isinstance(exception, TimeLimitExceeded) or getattr(sender, "name", None) not in STAGES or not args:
        return
    stage = STAGES[sender.name][0]
    try:
        with session_scope(read_only=True) as session:
            status = session.execute(select(Article.status).where(Article.id == args[0])).scalar_one_or_none()
        if status in stage.accepts:
            fail_article(stage, args[0], "timeout", f"killed at the worker's hard time limit ({exception})")
    except Exception:  # noqa: BLE001 - the sweep finds the article again
        logger.exception("time_limit_record_failed")
