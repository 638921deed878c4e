"""Receiving items: store each once, then hand it to the first pipeline stage."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import exc, select

from claimwire.errors import InputError
from claimwire.settings import get_settings
from claimwire.sources import URL, BadItem, RawItem
from storage import repository
from storage.db import _reading_engine, get_engine, migrate, session_scope
from storage.models import Article, ArticleStatus, utcnow
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


# PostgreSQL with a broker (the service): one statement per new article, in autocommit (a single INSERT is atomic
# on its own: no BEGIN/COMMIT round trips), written for the driver directly (no ORM statement to build and
# cache-key per request). The same article again: one more statement reading the stored row.
_INSERT_ARTICLE = (
    "INSERT INTO articles (identity, source_kind, content_type, external_id, source_ref, url, title, published_at, outlet_id, raw, status, received_at, updated_at) "
    "VALUES (%(identity)s, %(source_kind)s, %(content_type)s, %(external_id)s, %(source_ref)s, %(url)s, %(title)s, %(published_at)s, %(outlet_id)s, %(raw)s, %(status)s, %(now)s, %(now)s) "
    "ON CONFLICT (identity) DO NOTHING RETURNING id"
)
_FIND_ARTICLE = "SELECT id, status, error FROM articles WHERE identity = %(identity)s"
_OUTLET_IDS: dict[tuple[str, str], int] = {}  # (database URL, outlet key) -> id: outlets are never deleted nor renamed
_OUTLET_CACHE_MAX = 100_000


def _outlet_id(key: str | None, database_url: str) -> int | None:
    if not key:
        return None
    found = _OUTLET_IDS.get((database_url, key))
    if found is None:
        with session_scope() as session:
            found = repository.get_or_create_outlet(session, key)
        if len(_OUTLET_IDS) >= _OUTLET_CACHE_MAX:
            _OUTLET_IDS.clear()
        _OUTLET_IDS[(database_url, key)] = found
    return found


def _store_fast(item: RawItem) -> tuple[int, bool, str, str | None]:
    """(id, created, status, error) of ITEM, stored once; PostgreSQL only."""
    database_url = get_settings().database_url
    identity = item.identity()
    for attempt in (1, 2):
        params = {
            "identity": identity,
            "source_kind": item.kind,
            "content_type": None if item.kind == URL else item.kind,
            "external_id": item.external_id,
            "source_ref": item.ref,
            "url": item.url,
            "title": item.title,
            "published_at": item.published,
            "outlet_id": _outlet_id(item.outlet, database_url),
            "raw": item.body,
            "status": ArticleStatus.RECEIVED,
            "now": utcnow(),
        }
        try:
            with _reading_engine(get_engine()).connect() as connection:
                row = connection.exec_driver_sql(_INSERT_ARTICLE, params).first()
                if row is not None:
                    return row[0], True, ArticleStatus.RECEIVED, None
                found = connection.exec_driver_sql(_FIND_ARTICLE, {"identity": identity}).first()
            if found is not None:
                return found[0], False, found[1], found[2]
            # inserted and gone again in between (deleted): try once more
        except exc.IntegrityError:
            # a cached outlet id that is not there (the database was emptied or replaced): forget them all, once
            if attempt == 2 or params["outlet_id"] is None:
                raise
            _OUTLET_IDS.clear()
    raise RuntimeError(f"article {identity} could not be stored")


def receive(item: RawItem | BadItem) -> Receipt:
    if isinstance(item, BadItem):
        with session_scope() as session:
            repository.record_failure(session, stage="receive", reason=item.error.reason, message=item.error.message, item=item.ref)
        metrics.ARTICLES_RECEIVED.labels(kind="unknown", outcome="rejected").inc()
        metrics.ARTICLES_FAILED.labels(stage="receive", reason=item.error.reason).inc()
        log(logger, logging.WARNING, "item_rejected", item=item.ref, reason=item.error.reason)
        return Receipt(item.ref, None, False, "rejected", str(item.error))
    if get_engine().dialect.name == "postgresql" and not get_settings().embedded:
        article_id, created, status, error = _store_fast(item)
        metrics.ARTICLES_RECEIVED.labels(kind=item.kind, outcome="new" if created else "duplicate").inc()
        if created:
            enqueue_first_stage(article_id, item.kind)  # through the broker: it is where it was stored
        return Receipt(item.ref, article_id, created, status, error)
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
