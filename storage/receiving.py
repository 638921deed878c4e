"""Storing arriving items, once each: the fast path of the service on PostgreSQL (the ORM path is
`repository.receive`), with the cache of outlet ids it keeps."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import exc, select

from claimwire.settings import get_settings
from claimwire.sources import URL, RawItem
from storage import repository
from storage.db import driver_connection, get_engine, reading_engine, session_scope
from storage.models import ArticleStatus, Outlet, utcnow


class Stored(NamedTuple):
    article_id: int
    created: bool
    status: str
    error: str | None


# PostgreSQL with a broker (the service): one statement per new article, in autocommit (a single INSERT is atomic
# on its own: no BEGIN/COMMIT round trips), written for the driver directly (no ORM statement to build and
# cache-key per request). The same article again: one more statement reading the stored row.
_INSERT_ARTICLE = (
    "INSERT INTO articles (identity, source_kind, content_type, external_id, source_ref, url, title, published_at, outlet_id, raw, status, received_at, updated_at) "
    "VALUES (%(identity)s, %(source_kind)s, %(content_type)s, %(external_id)s, %(source_ref)s, %(url)s, %(title)s, %(published_at)s, %(outlet_id)s, %(raw)s, %(status)s, %(now)s, %(now)s) "
    "ON CONFLICT (identity) DO NOTHING RETURNING id"
)
_FIND_ARTICLE = "SELECT id, status, error FROM articles WHERE identity = %(identity)s"
_FIND_ARTICLES = "SELECT identity, id, status, error FROM articles WHERE identity = ANY(%(identities)s)"
_COLUMNS_ONE = _INSERT_ARTICLE.split("VALUES ", 1)[1].split(" ON CONFLICT", 1)[0]  # "(%(identity)s, ..., %(now)s)"
_OUTLET_IDS: dict[tuple[str, str], int] = {}  # (database URL, outlet key) -> id: outlets are never deleted nor renamed
_OUTLET_CACHE_MAX = 100_000


def fast_path() -> bool:
    """Whether `store_fast` and `store_many_fast` apply: the service (with a broker) on PostgreSQL."""
    return get_engine().dialect.name == "postgresql" and not get_settings().embedded


def forget_outlets() -> None:
    """Forget the cached outlet ids (one that is not there any more: the database was emptied or replaced)."""
    _OUTLET_IDS.clear()


# An outlet's id, the outlet made when it is new: one statement in autocommit. No row when another transaction made
# the same outlet meanwhile (its row is not in this statement's snapshot): read again.
_OUTLET = (
    "WITH found AS (SELECT id FROM outlets WHERE key = %(key)s), made AS ("
    "INSERT INTO outlets (key, name, article_count, created_at) SELECT %(key)s, %(key)s, 0, %(now)s "
    "WHERE NOT EXISTS (SELECT 1 FROM found) ON CONFLICT (key) DO NOTHING RETURNING id) "
    "SELECT id FROM found UNION ALL SELECT id FROM made"
)
_FIND_OUTLET = "SELECT id FROM outlets WHERE key = %(key)s"


def _get_or_create_outlet(key: str) -> int:
    with driver_connection(reading_engine(get_engine())) as connection:
        row = connection.execute(_OUTLET, {"key": key, "now": utcnow()}).fetchone()
        if row is None:
            row = connection.execute(_FIND_OUTLET, {"key": key}).fetchone()
    if row is None:
        raise RuntimeError(f"outlet {key!r} could not be stored")
    return row[0]


def _outlet_id(key: str | None, database_url: str) -> int | None:
    if not key:
        return None
    found = _OUTLET_IDS.get((database_url, key))
    if found is None:
        found = _get_or_create_outlet(key)
        if len(_OUTLET_IDS) >= _OUTLET_CACHE_MAX:
            _OUTLET_IDS.clear()
        _OUTLET_IDS[(database_url, key)] = found
    return found


def _params(item: RawItem, database_url: str, now) -> dict:
    return {
        "identity": item.identity(), "source_kind": item.kind, "content_type": None if item.kind == URL else item.kind, "external_id": item.external_id,
        "source_ref": item.ref, "url": item.url, "title": item.title, "published_at": item.published, "outlet_id": _outlet_id(item.outlet, database_url),
        "raw": item.body, "status": ArticleStatus.RECEIVED, "now": now,
    }  # fmt: skip


def store_fast(item: RawItem) -> Stored:
    """ITEM stored once (PostgreSQL only): its article, whether this call created it, where it is."""
    database_url = get_settings().database_url
    identity = item.identity()
    for attempt in (1, 2):
        params = _params(item, database_url, utcnow())
        try:
            with driver_connection(reading_engine(get_engine())) as connection:
                row = connection.execute(_INSERT_ARTICLE, params).fetchone()
                if row is not None:
                    return Stored(row[0], True, ArticleStatus.RECEIVED, None)
                found = connection.execute(_FIND_ARTICLE, {"identity": identity}).fetchone()
            if found is not None:
                return Stored(found[0], False, found[1], found[2])
            # inserted and gone again in between (deleted): try once more
        except exc.IntegrityError:
            # a cached outlet id that is not there (the database was emptied or replaced): forget them all, once
            if attempt == 2 or params["outlet_id"] is None:
                raise
            _OUTLET_IDS.clear()
    raise RuntimeError(f"article {identity} could not be stored")


def store_many_fast(items: list[RawItem]) -> list[Stored]:
    """`store_fast` for many items in two statements: one INSERT of them all (ids in the items' order, one
    commit), one SELECT of those already stored. Items with one identity: the first is new, the others duplicates.
    A cached outlet id that is not there any more: IntegrityError, with the cache forgotten."""
    database_url = get_settings().database_url
    _resolve_outlets({item.outlet for item in items if item.outlet}, database_url)
    now = utcnow()
    params: dict = {}
    rows = []
    for n, item in enumerate(items):
        rows.append(_COLUMNS_ONE.replace(")s", f"_{n})s"))
        params.update({f"{key}_{n}": value for key, value in _params(item, database_url, now).items()})
    statement = (
        _INSERT_ARTICLE.split("VALUES ", 1)[0] + "VALUES " + ", ".join(rows) + " ON CONFLICT (identity) DO NOTHING RETURNING id, identity"
    )
    identities = [params[f"identity_{n}"] for n in range(len(items))]
    try:
        with driver_connection(reading_engine(get_engine())) as connection:
            created = {identity: article_id for article_id, identity in connection.execute(statement, params)}
            others = set(identities) - set(created)
            found = {}
            if others:
                found = {row[0]: row[1:] for row in connection.execute(_FIND_ARTICLES, {"identities": sorted(others)})}
    except exc.IntegrityError:
        _OUTLET_IDS.clear()
        raise
    out, first = [], set()
    for identity in identities:
        if identity in created and identity not in first:
            first.add(identity)
            out.append(Stored(created[identity], True, ArticleStatus.RECEIVED, None))
        elif identity in created:
            out.append(Stored(created[identity], False, ArticleStatus.RECEIVED, None))
        else:
            article_id, status, error = found[identity]
            out.append(Stored(article_id, False, status, error))
    return out


def _resolve_outlets(keys: set[str], database_url: str) -> None:
    """Put the ids of the outlets KEYS into the cache, creating those that are new: three statements for them all."""
    missing = sorted(key for key in keys if (database_url, key) not in _OUTLET_IDS)
    if not missing:
        return
    with session_scope() as session:
        found = dict(session.execute(select(Outlet.key, Outlet.id).where(Outlet.key.in_(missing))).all())
        new = [key for key in missing if key not in found]
        if new:
            now = utcnow()
            session.execute(
                repository._insert(session, Outlet)
                .values([{"key": k, "name": k, "created_at": now} for k in new])
                .on_conflict_do_nothing(index_elements=["key"])
            )
            found.update(session.execute(select(Outlet.key, Outlet.id).where(Outlet.key.in_(new))).all())
    if len(_OUTLET_IDS) + len(found) >= _OUTLET_CACHE_MAX:
        _OUTLET_IDS.clear()
    _OUTLET_IDS.update({(database_url, key): outlet_id for key, outlet_id in found.items()})
