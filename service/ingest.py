"""Receiving items: store each once, then hand it to the first pipeline stage."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exc, select

from claimwire.errors import InputError
from claimwire.settings import get_settings
from claimwire.sources import URL, BadItem, RawItem, strip_credentials
from claimwire.titles import clean_title
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


def _task(name: str):
    import tasks.clean, tasks.extract, tasks.fetch, tasks.link, tasks.store  # noqa: E401, F401 - register the stages
    from workers.app import app

    return app.tasks[name]


def hand_on(article_id: int, status: str, source_kind: str) -> None:
    """Drive an article on from STATUS: to the embedded server's runner (service/embedded.py), which fetches a
    URL in its own threads and answers a text or a page once it is through; else the next stage's task (run
    in-process on the embedded default, a message to the workers with a broker)."""
    from service import embedded
    from tasks.pipeline import next_task_for

    runner = embedded.current()
    if runner is not None:
        runner.submit(article_id)
        if source_kind != URL:
            settings = get_settings()
            runner.wait(article_id, settings.clean_timeout_s + settings.extract_timeout_s + 10)
        return
    _task(next_task_for(status, source_kind)).delay(article_id)


def enqueue_first_stage(article_id: int, kind: str) -> None:
    hand_on(article_id, ArticleStatus.RECEIVED, kind)


def resume_known(article_id: int) -> bool:
    """An article posted again: drive it on if it is stuck or failed for a reason that may have passed.

    Stuck: not final, and nothing on its way for it (the embedded server's runner does not hold it; with a
    broker, no progress for CLAIMWIRE_ORDER_WAIT_S, the ordering sweep's rule). Failed transiently (a host
    that refused, timed out or was busy, the database away): it goes back to where its failed stage starts
    and is tried again. Returns True when it was handed on.
    """
    from service import embedded

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
        elif embedded.current() is None and not settings.embedded:
            stalled_before = utcnow() - timedelta(seconds=settings.order_wait_s)
            updated_at = session.execute(select(Article.updated_at).where(Article.id == article_id)).scalar_one()
            if updated_at >= stalled_before:
                return False  # the workers are on it
    if status != state.status:
        log(logger, logging.INFO, "article_reopened", article_id=article_id, status=status)
    hand_on(article_id, status, state.source_kind)
    return True


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


def _safe(item: RawItem) -> RawItem:
    """The item as it may be stored: no credentials in its URL, no control or bidi characters in its title."""
    url, title, ref = strip_credentials(item.url), clean_title(item.title), strip_credentials(item.ref)
    if (url, title, ref) == (item.url, item.title, item.ref):
        return item
    return dataclasses.replace(item, url=url, title=title, ref=ref)


def receive(item: RawItem | BadItem) -> Receipt:
    if isinstance(item, BadItem):
        with session_scope() as session:
            repository.record_failure(session, stage="receive", reason=item.error.reason, message=item.error.message, item=item.ref)
        metrics.ARTICLES_RECEIVED.labels(kind="unknown", outcome="rejected").inc()
        metrics.ARTICLES_FAILED.labels(stage="receive", reason=item.error.reason).inc()
        log(logger, logging.WARNING, "item_rejected", item=item.ref, reason=item.error.reason)
        return Receipt(item.ref, None, False, "rejected", str(item.error))
    item = _safe(item)
    if get_engine().dialect.name == "postgresql" and not get_settings().embedded:
        article_id, created, status, error = _store_fast(item)
        metrics.ARTICLES_RECEIVED.labels(kind=item.kind, outcome="new" if created else "duplicate").inc()
        if created:
            enqueue_first_stage(article_id, item.kind)  # through the broker: it is where it was stored
        elif status not in ArticleStatus.FINAL or status == ArticleStatus.FAILED:
            if resume_known(article_id):
                with session_scope(read_only=True) as session:
                    status, error = session.execute(select(Article.status, Article.error).where(Article.id == article_id)).one()
        return Receipt(item.ref, article_id, created, status, error)
    with session_scope() as session:
        article_id, created = repository.receive(session, item)
    metrics.ARTICLES_RECEIVED.labels(kind=item.kind, outcome="new" if created else "duplicate").inc()
    if created:
        enqueue_first_stage(article_id, item.kind)
    else:
        resume_known(article_id)
    with session_scope(read_only=True) as session:  # where it is now (in-process: already through the pipeline)
        status, error = session.execute(select(Article.status, Article.error).where(Article.id == article_id)).one()
    return Receipt(item.ref, article_id, created, status, error)


MANY_BYTES = 8 * 1024 * 1024
ENQUEUE_THREADS = 8
_COLUMNS_ONE = _INSERT_ARTICLE.split("VALUES ", 1)[1].split(" ON CONFLICT", 1)[0]  # "(%(identity)s, ..., %(now)s)"


def _store_many_fast(items: list[RawItem]) -> list[tuple[int, bool, str, str | None]]:
    """`_store_fast` for many items in two statements: one INSERT of them all (ids in the items' order, one
    commit), one SELECT of those already stored. Items with one identity: the first is new, the others duplicates."""
    database_url = get_settings().database_url
    _resolve_outlets({item.outlet for item in items if item.outlet}, database_url)
    now = utcnow()
    params: dict = {}
    rows = []
    for n, item in enumerate(items):
        rows.append(_COLUMNS_ONE.replace(")s", f"_{n})s"))
        values = {
            "identity": item.identity(), "source_kind": item.kind, "content_type": None if item.kind == URL else item.kind, "external_id": item.external_id,
            "source_ref": item.ref, "url": item.url, "title": item.title, "published_at": item.published, "outlet_id": _outlet_id(item.outlet, database_url),
            "raw": item.body, "status": ArticleStatus.RECEIVED, "now": now,
        }  # fmt: skip
        params.update({f"{key}_{n}": value for key, value in values.items()})
    statement = _INSERT_ARTICLE.split("VALUES ", 1)[0] + "VALUES " + ", ".join(rows) + " ON CONFLICT (identity) DO NOTHING RETURNING id, identity"
    identities = [params[f"identity_{n}"] for n in range(len(items))]
    with _reading_engine(get_engine()).connect() as connection:
        created = {identity: article_id for article_id, identity in connection.exec_driver_sql(statement, params)}
        others = set(identities) - set(created)
        found = {}
        if others:
            query = "SELECT identity, id, status, error FROM articles WHERE identity = ANY(%(identities)s)"
            found = {row[0]: row[1:] for row in connection.exec_driver_sql(query, {"identities": sorted(others)})}
    out, first = [], set()
    for identity in identities:
        if identity in created and identity not in first:
            first.add(identity)
            out.append((created[identity], True, ArticleStatus.RECEIVED, None))
        elif identity in created:
            out.append((created[identity], False, ArticleStatus.RECEIVED, None))
        else:
            article_id, status, error = found[identity]
            out.append((article_id, False, status, error))
    return out


def _resolve_outlets(keys: set[str], database_url: str) -> None:
    """Put the ids of the outlets KEYS into the cache, creating those that are new: three statements for them all."""
    from storage.models import Outlet

    missing = sorted(key for key in keys if (database_url, key) not in _OUTLET_IDS)
    if not missing:
        return
    with session_scope() as session:
        found = dict(session.execute(select(Outlet.key, Outlet.id).where(Outlet.key.in_(missing))).all())
        new = [key for key in missing if key not in found]
        if new:
            now = utcnow()
            session.execute(repository._insert(session, Outlet).values([{"key": k, "name": k, "created_at": now} for k in new]).on_conflict_do_nothing(index_elements=["key"]))
            found.update(session.execute(select(Outlet.key, Outlet.id).where(Outlet.key.in_(new))).all())
    if len(_OUTLET_IDS) + len(found) >= _OUTLET_CACHE_MAX:
        _OUTLET_IDS.clear()
    _OUTLET_IDS.update({(database_url, key): outlet_id for key, outlet_id in found.items()})


def _enqueue_all(created: list[tuple[int, str]]) -> None:
    """The first stage's messages for many articles, sent from a few threads (each send is a broker round trip;
    their order does not matter: the receipt-order gates follow the article ids, tasks/gates.py)."""
    if len(created) <= 1:
        for article_id, kind in created:
            enqueue_first_stage(article_id, kind)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(ENQUEUE_THREADS, len(created))) as pool:
        for future in [pool.submit(enqueue_first_stage, article_id, kind) for article_id, kind in created]:
            future.result()


def receive_many(items: list[RawItem]) -> list[Receipt]:
    """Receive ITEMS in their order (their article ids follow it). The service on PostgreSQL stores them with one
    INSERT (one commit, not one per article: the intake stream's batches); elsewhere one by one (`receive`)."""
    if not items:
        return []
    if get_engine().dialect.name != "postgresql" or get_settings().embedded:
        return [receive(item) for item in items]
    chunks, size = [[]], 0
    for item in items:  # one statement holds at most MANY_BYTES of bodies (or one item)
        if chunks[-1] and size + len(item.body or b"") > MANY_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(item)
        size += len(item.body or b"")
    try:
        stored = [row for chunk in chunks for row in _store_many_fast(chunk)]
    except exc.IntegrityError:  # a cached outlet id that is not there any more: one by one (which refreshes it)
        _OUTLET_IDS.clear()
        return [receive(item) for item in items]
    receipts = []
    for item, (article_id, created, status, error) in zip(items, stored):
        metrics.ARTICLES_RECEIVED.labels(kind=item.kind, outcome="new" if created else "duplicate").inc()
        receipts.append(Receipt(item.ref, article_id, created, status, error))
    _enqueue_all([(r.article_id, item.kind) for item, r in zip(items, receipts) if r.created])
    return receipts


def receive_all(items: Iterable[RawItem | BadItem]) -> Iterator[Receipt]:
    for item in items:
        try:
            yield receive(item)
        except InputError as error:
            yield Receipt(getattr(item, "ref", "?"), None, False, "rejected", str(error))
