"""Stage 0, receive: store an arriving item once, then hand it to the stage that follows (tasks/pipeline.py).

It runs where the item arrives (the API, the CLI, the intake stream's consumer, a feed poll), not as a task
of its own. On the embedded server the stages run in its runner (service/embedded.py, which registers
itself here with `use_runner`); elsewhere the next stage is a task: run in-process on the embedded
default, a message to the workers with a broker.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from claimwire.errors import InputError
from claimwire.settings import get_settings
from claimwire.sources import URL, BadItem, RawItem, strip_credentials
from claimwire.titles import clean_title
from storage import articles, receiving, repository
from storage.db import session_scope
from storage.models import ArticleStatus, utcnow
from tasks.base import celery_task
from tasks.pipeline import STAGES, next_task_for
from workers import metrics
from workers.logs import log

logger = logging.getLogger("claimwire.ingest")
STAGE = STAGES["receive"]
MANY_BYTES = 8 * 1024 * 1024  # one INSERT of receive_many holds at most this many bytes of bodies (or one item)
ENQUEUE_THREADS = 8


@dataclass(slots=True)
class Receipt:
    ref: str
    article_id: int | None
    created: bool
    status: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status not in (ArticleStatus.FAILED, "rejected")


class Runner(Protocol):
    """What drives the stages on the embedded server (service/embedded.py Runner)."""

    def submit(self, article_id: int) -> None: ...

    def wait(self, article_id: int, timeout: float) -> bool: ...


_runner: list[Runner | None] = [None]


def use_runner(runner: Runner | None) -> None:
    """Hand the articles received from now on to RUNNER (None: to the next stage's task)."""
    _runner[0] = runner


def hand_on(article_id: int, status: str, source_kind: str) -> None:
    """Drive an article on from STATUS: to the embedded server's runner, which fetches a URL in its own threads
    and answers a text or a page once it is through; else the next stage's task."""
    runner = _runner[0]
    if runner is not None:
        runner.submit(article_id)
        if source_kind != URL:
            settings = get_settings()
            runner.wait(article_id, settings.clean_timeout_s + settings.extract_timeout_s + 10)
        return
    celery_task(next_task_for(status, source_kind)).delay(article_id)


def enqueue_first_stage(article_id: int, kind: str) -> None:
    hand_on(article_id, STAGE.produces, kind)


def resume_known(article_id: int) -> bool:
    """An article posted again: drive it on if it is stuck or failed for a reason that may have passed.

    Stuck: not final, and nothing on its way for it (the embedded server's runner does not hold it; with a
    broker, no progress for CLAIMWIRE_ORDER_WAIT_S, the ordering sweep's rule). Failed transiently (a host
    that refused, timed out or was busy, the database away): it goes back to where its failed stage starts
    and is tried again. Returns True when it was handed on.
    """
    settings = get_settings()
    with session_scope() as session:
        state = repository.article_state(session, article_id)
        if state is None:
            return False
        status = state.status
        if status == ArticleStatus.FAILED:
            status = repository.reopen_after_transient_failure(session, article_id)
            if status is None:
                return False
        elif status in ArticleStatus.FINAL:
            return False
        elif _runner[0] is None and not settings.embedded:
            stalled_before = utcnow() - timedelta(seconds=settings.order_wait_s)
            if articles.updated_at(session, article_id) >= stalled_before:
                return False  # the workers are on it
    if status != state.status:
        log(logger, logging.INFO, "article_reopened", article_id=article_id, status=status)
    hand_on(article_id, status, state.source_kind)
    return True


def _safe(item: RawItem) -> RawItem:
    """The item as it may be stored: no credentials in its URL, no control or bidi characters in its title."""
    url, title, ref = strip_credentials(item.url), clean_title(item.title), strip_credentials(item.ref)
    if (url, title, ref) == (item.url, item.title, item.ref):
        return item
    return dataclasses.replace(item, url=url, title=title, ref=ref)


def _reject(item: BadItem) -> Receipt:
    with session_scope() as session:
        repository.record_failure(session, stage=STAGE.name, reason=item.error.reason, message=item.error.message, item=item.ref)
    metrics.ARTICLES_RECEIVED.labels(kind="unknown", outcome="rejected").inc()
    metrics.ARTICLES_FAILED.labels(stage=STAGE.name, reason=item.error.reason).inc()
    log(logger, logging.WARNING, "item_rejected", item=item.ref, reason=item.error.reason)
    return Receipt(item.ref, None, False, "rejected", str(item.error))


def _status(article_id: int) -> tuple[str, str | None]:
    with session_scope(read_only=True) as session:
        return tuple(articles.status_and_error(session, article_id))


def receive(item: RawItem | BadItem) -> Receipt:
    if isinstance(item, BadItem):
        return _reject(item)
    item = _safe(item)
    if receiving.fast_path():
        stored = receiving.store_fast(item)
        status, error = stored.status, stored.error
        metrics.ARTICLES_RECEIVED.labels(kind=item.kind, outcome="new" if stored.created else "duplicate").inc()
        if stored.created:
            enqueue_first_stage(stored.article_id, item.kind)  # through the broker: it is where it was stored
        elif status not in ArticleStatus.FINAL or status == ArticleStatus.FAILED:
            if resume_known(stored.article_id):
                status, error = _status(stored.article_id)
        return Receipt(item.ref, stored.article_id, stored.created, status, error)
    with session_scope() as session:
        article_id, created = repository.receive(session, item)
    metrics.ARTICLES_RECEIVED.labels(kind=item.kind, outcome="new" if created else "duplicate").inc()
    if created:
        enqueue_first_stage(article_id, item.kind)
    else:
        resume_known(article_id)
    status, error = _status(article_id)  # where it is now (in-process: already through the pipeline)
    return Receipt(item.ref, article_id, created, status, error)


def _enqueue_all(created: list[tuple[int, str]]) -> None:
    """The first stage's messages for many articles, sent from a few threads (each send is a broker round trip;
    their order does not matter: receipt order is the order of the article ids, given as they were stored)."""
    if len(created) <= 1:
        for article_id, kind in created:
            enqueue_first_stage(article_id, kind)
        return
    with ThreadPoolExecutor(max_workers=min(ENQUEUE_THREADS, len(created))) as pool:
        for future in [pool.submit(enqueue_first_stage, article_id, kind) for article_id, kind in created]:
            future.result()


def _chunks(items: list[RawItem]) -> list[list[RawItem]]:
    chunks, size = [[]], 0
    for item in items:  # one statement holds at most MANY_BYTES of bodies (or one item)
        if chunks[-1] and size + len(item.body or b"") > MANY_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(item)
        size += len(item.body or b"")
    return chunks


def receive_many(items: list[RawItem]) -> list[Receipt]:
    """Receive ITEMS in their order (their article ids follow it). The service on PostgreSQL stores them with one
    INSERT (one commit, not one per article: the intake stream's batches); elsewhere one by one (`receive`)."""
    if not items:
        return []
    if not receiving.fast_path():
        return [receive(item) for item in items]
    try:
        stored = [row for chunk in _chunks(items) for row in receiving.store_many_fast(chunk)]
    except IntegrityError:  # a cached outlet id that is not there any more: one by one (which refreshes it)
        receiving.forget_outlets()
        return [receive(item) for item in items]
    receipts = []
    for item, row in zip(items, stored):
        metrics.ARTICLES_RECEIVED.labels(kind=item.kind, outcome="new" if row.created else "duplicate").inc()
        receipts.append(Receipt(item.ref, row.article_id, row.created, row.status, row.error))
    _enqueue_all([(r.article_id, item.kind) for item, r in zip(items, receipts) if r.created])
    return receipts


def receive_all(items: Iterable[RawItem | BadItem]) -> Iterator[Receipt]:
    for item in items:
        try:
            yield receive(item)
        except InputError as error:
            yield Receipt(getattr(item, "ref", "?"), None, False, "rejected", str(error))
