"""Receiving items: store each once, then hand it to the first pipeline stage."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select

from claimwire.errors import InputError
from claimwire.settings import get_settings
from claimwire.sources import URL, BadItem, RawItem
from storage import repository
from storage.db import migrate, session_scope
from storage.models import Article, ArticleStatus
from workers import metrics
from workers.logs import log

logger = logging.getLogger("claimwire.ingest")


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


def prepare_store() -> None:
    """In the embedded default the store is created on first use; a deployment runs `claimwire migrate`."""
    if get_settings().embedded:
        get_settings().home.mkdir(parents=True, exist_ok=True)
        migrate()


def enqueue_first_stage(article_id: int, kind: str) -> None:
    from tasks.clean import clean
    from tasks.fetch import fetch

    (fetch if kind == URL else clean).delay(article_id)


def receive(item: RawItem | BadItem) -> Receipt:
    if isinstance(item, BadItem):
        with session_scope() as session:
            repository.record_failure(session, stage="receive", reason=item.error.reason, message=item.error.message, item=item.ref)
        metrics.ARTICLES_RECEIVED.labels(kind="unknown", outcome="rejected").inc()
        metrics.ARTICLES_FAILED.labels(stage="receive", reason=item.error.reason).inc()
        log(logger, logging.WARNING, "item_rejected", item=item.ref, reason=item.error.reason)
        return Receipt(item.ref, None, False, "rejected", str(item.error))
    with session_scope() as session:
        article_id, created = repository.receive(session, item)
    metrics.ARTICLES_RECEIVED.labels(kind=item.kind, outcome="new" if created else "duplicate").inc()
    if created:
        enqueue_first_stage(article_id, item.kind)
    with session_scope(read_only=True) as session:  # where it is now (in-process: already through the pipeline)
        status, error = session.execute(select(Article.status, Article.error).where(Article.id == article_id)).one()
    return Receipt(item.ref, article_id, created, status, error)


def receive_all(items: Iterable[RawItem | BadItem]) -> Iterator[Receipt]:
    for item in items:
        try:
            yield receive(item)
        except InputError as error:
            yield Receipt(getattr(item, "ref", "?"), None, False, "rejected", str(error))
