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

from billiard.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from celery.signals import task_failure
from redis.exceptions import RedisError

from claimwire.errors import InputError, TransientError
from claimwire.settings import get_settings
from storage import articles, repository
from storage.db import SQL_COUNTS, STORE_ERRORS, session_scope, store_error_reason
from storage.models import utcnow
from tasks.pipeline import BY_TASK, Stage, following
from workers import metrics
from workers.app import CONSUMED, app
from workers.logs import log

logger = logging.getLogger("claimwire.tasks")

MAX_RETRIES = 6  # Celery's own cap on a task's retries; a stage's transient errors are retried CLAIMWIRE_MAX_RETRIES times
# a diagnostic (CLAIMWIRE_PROFILE_DIR, workers/app.py): stage name: [runs, CPU seconds in its work, SQL statements and
# transactions of its thread in it (storage/db.py SQL_COUNTS)] in this process
STAGE_CPU: dict[str, list] | None = {} if get_settings().profile_dir else None
TASK_OPTIONS = {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "max_retries": MAX_RETRIES}
Skip = articles.NotInStatus  # the article is not in a state this stage acts on (already done, or finished otherwise)
# stage name: the stage's work (article id -> whether the next stage follows); filled by the task modules (register)
WORK: dict[str, Callable[[int], bool]] = {}
HANDED_MAX = 64  # what a stage handed over and no stage took (the next one ran elsewhere) is dropped past this many
_HANDED: dict[tuple[str, str | None, int], object] = {}  # (store, stage, article id): what a stage wrote


def cpu_task_options() -> dict:
    """TASK_OPTIONS for the CPU-bound stages (clean, extract), with the worker's own time limits.

    Each article's budget (CLAIMWIRE_CLEAN_TIMEOUT_S, CLAIMWIRE_EXTRACT_TIMEOUT_S) is kept inside the stage
    (claimwire.budget); these limits are the backstop for a task whose budget could not stop it (a long C
    call): the soft limit fails the article it is running, the hard limit kills the pool process
    (`_hard_time_limit` records it). A clean task runs the extract chained to it (and link and store, on a worker
    that consumes the link queue too: `chains`): by default the limits cover clean and extract at their full
    budgets, and a minute more.
    """
    settings = get_settings()
    hard = settings.task_time_limit_s or settings.clean_timeout_s + settings.extract_timeout_s + 60
    return {**TASK_OPTIONS, "soft_time_limit": max(1.0, hard - 15), "time_limit": hard}


def stage_task(stage: Stage):
    """The Celery task decorator of STAGE: its task name from the pipeline table, the worker's time limits for a CPU-bound one."""
    return app.task(name=stage.task, **(cpu_task_options() if stage.cpu_bound else TASK_OPTIONS))


def register(stage: Stage, work: Callable[[int], bool]) -> None:
    WORK[stage.name] = work


def hand_over(stage: Stage, article_id: int, written) -> None:
    """Leave what STAGE just wrote for the article (committed) to the stage after it, should that one run in this
    process (chained in the same task, or in-process): it need not read it back. Kept per store: a process that
    moves to another database (a bench's next leg, a test's fresh store) never takes what it left in the last."""
    if len(_HANDED) >= HANDED_MAX:
        _HANDED.clear()
    _HANDED[(get_settings().database_url, stage.next, article_id)] = written


def take_over(stage: Stage, article_id: int):
    """What the stage before STAGE handed over for the article in this process (`hand_over`), else None. Taken once:
    a later run of STAGE (a retry) reads the database. Whether the article is still in the status STAGE acts on is
    decided by STAGE's conditional status change, as always."""
    return _HANDED.pop((get_settings().database_url, stage.name, article_id), None)


def load_task_modules() -> None:
    """Import the task modules now (a process that sends tasks: the API), not on the first send."""
    app.loader.import_default_modules()


def celery_task(task_name: str):
    """The Celery task of TASK_NAME (outside a worker the task modules are imported as they are needed)."""
    if task_name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[task_name]


def next_task(stage: Stage):
    """The Celery task of the stage that follows STAGE, or None (the last stage)."""
    after = following(stage)
    return celery_task(after.task) if after is not None else None


def chains(stage: Stage) -> bool:
    """True when the stage after STAGE runs in the same task instead of a message through the broker.

    Only for a next stage routed to the same queue, or to a queue this worker consumes too (so this worker would
    take its message anyway: the default worker consumes every queue); CLAIMWIRE_CHAIN_STAGES=0 turns it off.
    """
    after = following(stage)
    if after is None or not get_settings().chain_stages:
        return False
    return after.queue is not None and (after.queue == stage.queue or after.queue in CONSUMED)


def load_columns(session, stage: Stage, article_id: int, *columns):
    """COLUMNS (and the status) of the article, in one statement: a row; raises Skip when the stage does not act on it."""
    return articles.stage_columns(session, article_id, stage.accepts, *columns)


def claim_transition(session, stage: Stage, article_id: int, status: str | None = None, *, returning=None, **values):
    """Move the article to its next status; raises Skip if another delivery got there first (or it is not there).

    RETURNING (the name of a column of the articles table): its value is returned, read by the same statement.
    """
    return articles.move_status(session, article_id, stage.accepts, status or stage.produces, returning=returning, **values)


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
        received_at = articles.received_at(session, article_id)
    return received_at is not None and (utcnow() - received_at).total_seconds() < get_settings().fetch_queue_max_s


def fail_article(stage: Stage, article_id: int, reason: str, message: str, *, transient: bool = False, retries: int = 0) -> None:
    """Record the article failed at STAGE. TRANSIENT: the cause may pass (posting the article again tries again)."""
    if transient and retries:
        message = f"{message} (after {retries} retries)"
    with session_scope() as session:
        repository.record_failure(
            session, stage=stage.name, reason=reason, message=message, article_id=article_id, transient=transient, retries=retries
        )
    metrics.ARTICLES_FAILED.labels(stage=stage.name, reason=reason).inc()
    metrics.ARTICLES_PROCESSED.labels(outcome="failed").inc()
    log(
        logger,
        logging.WARNING,
        "article_failed",
        article_id=article_id,
        stage=stage.name,
        reason=reason,
        error=message,
        transient=transient,
        retries=retries,
    )


def run_stage(task, stage: Stage, article_id: int, work: Callable[[int], bool]) -> str:
    """Run one stage for one article. Returns what happened: next | done | skipped | failed | deferred | retry.

    When the next stage is routed to the same queue (clean -> extract, link -> store; see `chains`), it runs
    in this task right after this one, as a stage of its own (its own transaction, conditional status change
    and metrics) instead of a message: a broker round trip and a task less per article. A transient error
    there hands it to the broker as a message of its own with backoff (`_run_chained`).
    """
    if task.request.is_eager:
        return _run_stage(task, stage, article_id, work)
    follow: list[int] | None = [] if chains(stage) else None
    try:
        outcome = _run_stage(task, stage, article_id, work, follow=follow)
    except (*STORE_ERRORS, RedisError) as error:
        # the database or Redis down outside the stage's own work (recording a failure, looking at a skipped
        # article): retry this message rather than let it be acknowledged as a failed task and wait for the sweep
        metrics.STAGE_RETRIES.labels(stage=stage.name).inc()
        log(
            logger,
            logging.INFO,
            "stage_retry",
            article_id=article_id,
            stage=stage.name,
            reason="store_unavailable",
            retries=task.request.retries or 0,
        )
        raise task.retry(
            exc=error, countdown=backoff_seconds(task.request.retries or 0), max_retries=max(MAX_RETRIES, get_settings().max_retries)
        ) from error
    finally:
        for follow_id in follow or ():
            _run_chained(following(stage), follow_id)
    return outcome


def _run_chained(stage: Stage, article_id: int) -> str:
    """Run STAGE for one article inside the current task (the stage before it just committed)."""
    task = celery_task(stage.task)
    follow: list[int] | None = [] if chains(stage) else None
    try:
        outcome = _run_stage(task, stage, article_id, WORK[stage.name], follow=follow, chained=True)
    except Exception:  # noqa: BLE001 - never lose the article: the stage goes to the broker as a message of its own
        logger.exception("chained_stage_error", extra={"fields": {"article_id": article_id, "stage": stage.name}})
        task.apply_async(args=[article_id], countdown=backoff_seconds(0))
        outcome = "retry"
    for follow_id in follow or ():
        _run_chained(following(stage), follow_id)
    return outcome


def _run_stage(
    task, stage: Stage, article_id: int, work: Callable[[int], bool], *, follow: list[int] | None = None, chained: bool = False
) -> str:
    """One stage for one article. FOLLOW: collect the article for the next stage run in this task instead of sending it.

    CHAINED: this stage runs inside the task of the stage before it (no message of its own): a transient
    error sends it to the broker as its own message, with backoff, instead of retrying the task.
    """
    started = time.perf_counter()
    cpu_started = time.process_time() if STAGE_CPU is not None else 0.0
    sql_started = (SQL_COUNTS.statements, SQL_COUNTS.transactions)
    try:
        proceed = work(article_id)
    except Skip as skip:
        with session_scope() as session:
            current = articles.status_of(session, article_id)
        if current == stage.produces and stage.next is not None:
            next_task(stage).delay(article_id)  # the earlier delivery committed but may have died before handing on
        log(logger, logging.DEBUG, "stage_skipped", article_id=article_id, stage=stage.name, why=str(skip))
        return "skipped"
    except InputError as error:
        fail_article(stage, article_id, error.reason, error.message)
        return "failed"
    except (TransientError, *STORE_ERRORS) as error:
        reason = error.reason if isinstance(error, TransientError) else store_error_reason(error)
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
            spent = STAGE_CPU.setdefault(stage.name, [0, 0.0, 0, 0])
            spent[0] += 1
            spent[1] += time.process_time() - cpu_started
            spent[2] += SQL_COUNTS.statements - sql_started[0]
            spent[3] += SQL_COUNTS.transactions - sql_started[1]
    if proceed and stage.next is not None:
        if follow is not None:
            follow.append(article_id)  # run by the caller, in this task
        else:
            next_task(stage).delay(article_id)
        return "next"
    return "done"


@task_failure.connect
def _hard_time_limit(sender=None, exception=None, args=None, **_kwargs) -> None:
    """The worker killed a pool process at a stage's hard time limit: record the failure of the article its
    message named if that article is still where the stage starts (else the sweep sends it on again)."""
    if not isinstance(exception, TimeLimitExceeded) or getattr(sender, "name", None) not in BY_TASK or not args:
        return
    stage = BY_TASK[sender.name]
    try:
        with session_scope(read_only=True) as session:
            status = articles.status_of(session, args[0])
        if status in stage.accepts:
            fail_article(stage, args[0], "timeout", f"killed at the worker's hard time limit ({exception})")
    except Exception:  # noqa: BLE001 - the sweep finds the article again
        logger.exception("time_limit_record_failed")
