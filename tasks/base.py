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

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, OperationalError

from claimwire.errors import InputError, TransientError
from storage import repository
from storage.db import session_scope
from storage.models import Article, ArticleStatus
from workers import metrics
from workers.logs import log

logger = logging.getLogger("claimwire.tasks")

MAX_RETRIES = 6
TASK_OPTIONS = {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "max_retries": MAX_RETRIES}

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


def load(session, stage: Stage, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise Skip(f"article {article_id} does not exist")
    if article.status not in stage.accepts:
        raise Skip(f"article {article_id} is {article.status}")
    return article


def claim_transition(session, stage: Stage, article_id: int, status: str | None = None, **values) -> None:
    """Move the article to its next status; raises Skip if another delivery got there first."""
    result = session.execute(
        update(Article)
        .where(Article.id == article_id, Article.status.in_(stage.accepts))
        .values(status=status or stage.produces, **values)
    )
    if result.rowcount != 1:
        raise Skip(f"article {article_id} was moved on by another delivery")


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with jitter, capped at ten minutes: between half and all of 2^(retries+1) seconds.

    Half of each step is fixed, so that the retries of one stage span at least a minute in all
    (1 + 2 + 4 + 8 + 16 + 32 s): a database restart of that length costs a delay, not a failure.
    """
    step = min(600.0, 2.0 ** (retries + 1))
    return step / 2 + random.uniform(0, step / 2)


def _fail(stage: Stage, article_id: int, reason: str, message: str) -> None:
    with session_scope() as session:
        repository.record_failure(session, stage=stage.name, reason=reason, message=message, article_id=article_id)
    metrics.ARTICLES_FAILED.labels(stage=stage.name, reason=reason).inc()
    metrics.ARTICLES_PROCESSED.labels(outcome="failed").inc()
    log(logger, logging.WARNING, "article_failed", article_id=article_id, stage=stage.name, reason=reason, error=message)


def run_stage(task, stage: Stage, article_id: int, work: Callable[[int], bool], next_task=None) -> str:
    """Run one stage for one article. Returns what happened: next | done | skipped | failed | deferred.

    Through the broker, the stages that depend on earlier articles run in receipt order
    (workers/ordering.py): a message for such a stage drives the stage's line from its head, and is
    "deferred" when it did not get to run the stage for its own article (not its turn yet, or another
    worker is running the line and will get to it).
    """
    if task.request.is_eager:
        return _run_stage(task, stage, article_id, work, next_task)
    from workers import ordering

    if ordering.enabled(stage.name):
        outcome = ordering.drive(stage.name, article_id, lambda head_id: _run_stage(task, stage, head_id, work, next_task))
        if outcome == "deferred":
            log(logger, logging.DEBUG, "stage_deferred", article_id=article_id, stage=stage.name)
        return outcome
    outcome = _run_stage(task, stage, article_id, work, next_task)
    if outcome in ("done", "failed"):  # the article left the line here: the gates behind it may open
        ordering.wake_after(stage.name)
    return outcome


def _run_stage(task, stage: Stage, article_id: int, work: Callable[[int], bool], next_task=None) -> str:
    started = time.perf_counter()
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
        _fail(stage, article_id, error.reason, error.message)
        return "failed"
    except (TransientError, OperationalError, DBAPIError) as error:
        reason = error.reason if isinstance(error, TransientError) else "database_unavailable"
        retries = task.request.retries or 0
        if not task.request.is_eager and retries < MAX_RETRIES and (isinstance(error, TransientError) or getattr(error, "connection_invalidated", True)):
            metrics.STAGE_RETRIES.labels(stage=stage.name).inc()
            log(logger, logging.INFO, "stage_retry", article_id=article_id, stage=stage.name, reason=reason, retries=retries)
            raise task.retry(exc=error, countdown=backoff_seconds(retries))
        _fail(stage, article_id, reason, str(error).splitlines()[0] if str(error) else reason)
        return "failed"
    except Exception as error:  # a bug must not block the queue: record it and move on
        logger.exception("stage_crashed", extra={"fields": {"article_id": article_id, "stage": stage.name}})
        _fail(stage, article_id, "internal_error", f"{type(error).__name__}: {error}")
        return "failed"
    finally:
        metrics.STAGE_DURATION.labels(stage=stage.name).observe(time.perf_counter() - started)
    if proceed and next_task is not None:
        next_task.delay(article_id)
        return "next"
    return "done"
