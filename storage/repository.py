"""The queries the pipeline and the CLI need, in one place."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from claimwire.claims import Claim as ClaimRecord
from claimwire.ledger import build_ledger
from claimwire.sources import RawItem
from storage.db import execute_planned
from storage.models import Article, ArticleEvent, ArticleStatus, Claim, Event, Failure, Outlet, OutletLine, utcnow


def _insert(session: Session, model):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def receive(session: Session, item: RawItem) -> tuple[int, bool]:
    """Store an arriving item once. Returns (article id, True if new)."""
    identity = item.identity()
    outlet_id = get_or_create_outlet(session, item.outlet) if item.outlet else None
    statement = (
        _insert(session, Article)
        .values(
            identity=identity,
            source_kind=item.kind,
            content_type=None if item.kind == "url" else item.kind,
            external_id=item.external_id,
            source_ref=item.ref,
            url=item.url,
            title=item.title,
            published_at=item.published,
            outlet_id=outlet_id,
            raw=item.body,
            status=ArticleStatus.RECEIVED,
            received_at=utcnow(),
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["identity"])
        .returning(Article.id)
    )
    return _created_or_found(session, statement, select(Article.id).where(Article.identity == identity))


def get_or_create_outlet(session: Session, key: str) -> int:
    found = session.execute(select(Outlet.id).where(Outlet.key == key)).scalar_one_or_none()
    if found is not None:  # the usual case: one statement
        return found
    session.execute(_insert(session, Outlet).values(key=key, name=key, created_at=utcnow()).on_conflict_do_nothing(index_elements=["key"]))
    return session.execute(select(Outlet.id).where(Outlet.key == key)).scalar_one()


def record_failure(
    session: Session,
    *,
    stage: str,
    reason: str,
    message: str,
    article_id: int | None = None,
    item: str | None = None,
    transient: bool = False,
    retries: int = 0,
) -> None:
    """Record a failure (TRANSIENT: it may pass, so the same article posted again is tried again) and fail the article."""
    session.add(
        Failure(article_id=article_id, item=item, stage=stage, reason=reason, message=message[:4000], transient=transient, retries=retries)
    )
    if article_id is not None:
        session.execute(
            update(Article)
            .where(Article.id == article_id)
            .values(status=ArticleStatus.FAILED, error=f"{stage}: {reason}: {message}"[:4000])
        )


def outlet_line_counts(session: Session, outlet_id: int, keys: Iterable[str]) -> dict[str, int]:
    keys = list(keys)
    if not keys:
        return {}
    if session.get_bind().dialect.name == "postgresql":  # one statement text whatever the number of keys (cached, prepared)
        rows = session.connection().execute(
            text("SELECT line_key, article_count FROM outlet_lines WHERE outlet_id = :outlet AND line_key = ANY(CAST(:keys AS varchar[]))"),
            {"outlet": outlet_id, "keys": keys},
        )
        return {key: count for key, count in rows}
    rows = session.execute(
        select(OutletLine.line_key, OutletLine.article_count).where(OutletLine.outlet_id == outlet_id, OutletLine.line_key.in_(keys))
    )
    return {key: count for key, count in rows}


def observe_outlet_lines(session: Session, outlet_id: int, keys: Iterable[str]) -> None:
    """Count one more article of this outlet for each line key it contains."""
    keys = sorted(set(keys))
    if keys and session.get_bind().dialect.name == "postgresql":  # one statement text, rows taken in sorted order
        session.connection().execute(
            text(
                "INSERT INTO outlet_lines (outlet_id, line_key, article_count) SELECT :outlet, k, 1 FROM unnest(CAST(:keys AS varchar[])) AS k ORDER BY k "
                "ON CONFLICT (outlet_id, line_key) DO UPDATE SET article_count = outlet_lines.article_count + 1"
            ),
            {"outlet": outlet_id, "keys": keys},
        )
        keys = []
    rows = [{"outlet_id": outlet_id, "line_key": key, "article_count": 1} for key in keys]
    if rows:
        statement = _insert(session, OutletLine).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=["outlet_id", "line_key"], set_={"article_count": OutletLine.article_count + 1}
        )
        session.execute(statement)
    outlets = Outlet.__table__
    session.execute(update(outlets).where(outlets.c.id == outlet_id).values(article_count=outlets.c.article_count + 1))


def forget_outlet_lines(session: Session, outlet_id: int, keys: Iterable[str]) -> None:
    """Take back what observe_outlet_lines counted for one article (it turned out a duplicate)."""
    lines, outlets = OutletLine.__table__, Outlet.__table__
    session.execute(
        update(lines)
        .where(lines.c.outlet_id == outlet_id, lines.c.line_key.in_(sorted(set(keys))))
        .values(article_count=lines.c.article_count - 1)
    )
    session.execute(update(outlets).where(outlets.c.id == outlet_id).values(article_count=outlets.c.article_count - 1))


def insert_claims(session: Session, article_id: int, claims: Sequence[ClaimRecord]) -> None:
    """Add an article's claims: one INSERT of many rows (Core, no ORM unit of work)."""
    if not claims:
        return
    now = utcnow()
    rows = [{"extra": {}, "created_at": now, **record.to_dict(), "article_id": article_id} for record in claims]
    session.execute(insert(Claim.__table__), rows)  # Core: one statement (insertmanyvalues), None values included


_EVENTS, _LINKS = Event.__table__, ArticleEvent.__table__
_LINK_FIELDS = ("event_id", "decision", "score", "features", "linker", "linked_at")
# built once: attach_to_event runs for every article (statement construction is not free)
_OPEN_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)
_EVENT_ROW = select(_EVENTS.c.merged_into_id, _EVENTS.c.profile, _EVENTS.c.headline, _EVENTS.c.date_min, _EVENTS.c.date_max).where(
    _EVENTS.c.id == bindparam("the_event")
)
_EVENT_ROW_LOCKED = _EVENT_ROW.with_for_update()
_LINKED_COUNT = select(func.count()).select_from(_LINKS).where(_LINKS.c.event_id == bindparam("the_event")).scalar_subquery()
_UPDATE_EVENT = {
    with_headline: update(_EVENTS)
    .where(_EVENTS.c.id == bindparam("the_event"))
    .values(
        profile=bindparam("new_profile"),
        last_seen=bindparam("new_last_seen"),
        date_min=bindparam("new_date_min"),
        date_max=bindparam("new_date_max"),
        article_count=_LINKED_COUNT,
        **({"headline": bindparam("new_headline")} if with_headline else {}),
    )
    for with_headline in (False, True)
}


@functools.lru_cache(maxsize=4)
def _link_upsert(dialect: str):
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_LINKS)
    excluded = statement.excluded
    return statement.on_conflict_do_update(index_elements=["article_id"], set_={name: excluded[name] for name in _LINK_FIELDS})


def attach_to_event(
    session: Session,
    article: Article,
    *,
    event_id: int | None,
    decision: str,
    score: float,
    features: dict[str, Any],
    linker: str,
    profile: dict[str, Any],
    when: datetime,
) -> int:
    """Link an article to an event (opening it when event_id is None) and update the event's profile.
    Returns the event's id: an event that has been merged into another stands for the one it went into.

    Core statements on the tables (not the ORM unit of work), and the event row read without its ledger: the
    link stage runs this for every article. An Event object the session already holds (a
    merge just before) is kept current. `article`: anything with the article's `id` and `title`.
    """
    now = utcnow()
    dialect = session.get_bind().dialect.name
    update_event = None
    if event_id is None:
        values = {
            "headline": article.title,
            "first_seen": now,
            "last_seen": now,
            "date_min": when,
            "date_max": when,
            "profile": profile,
            "article_count": 1,
        }
        event_id = session.execute(_OPEN_EVENT, values).scalar_one()
    else:
        query = _EVENT_ROW_LOCKED if dialect == "postgresql" else _EVENT_ROW
        row = session.execute(query, {"the_event": event_id}).one()
        while row.merged_into_id is not None:  # merged meanwhile: the article goes where the event went
            event_id = row.merged_into_id
            row = session.execute(query, {"the_event": event_id}).one()
        update_event = {
            "the_event": event_id,
            "new_profile": {**(row.profile or {}), **profile},
            "new_last_seen": now,
            "new_date_min": min(row.date_min or when, when),
            "new_date_max": max(row.date_max or when, when),
        }
        if article.title and not row.headline:
            update_event["new_headline"] = article.title
    # one statement for a first link and for a link again (a redelivered or moved article)
    session.execute(
        _link_upsert(dialect),
        {
            "article_id": article.id,
            "event_id": event_id,
            "decision": decision,
            "score": score,
            "features": features,
            "linker": linker,
            "linked_at": now,
        },
    )
    if update_event is not None:  # counted from the links, in the same statement (the row is locked)
        session.execute(_UPDATE_EVENT["new_headline" in update_event], update_event)
    loaded = session.identity_map.get(identity_key(Event, event_id))
    if loaded is not None:
        session.refresh(loaded)
    return event_id


_CLAIM_FIELDS = (
    "article_id", "kind", "measure", "value_min", "value_max", "hedge", "group", "group_key", "source", "source_key",
    "text", "sentence", "start", "end", "confidence", "extractor", "extractor_version", "extra",
)  # fmt: skip
_CLAIM_COLUMNS = tuple(getattr(Claim, name) for name in _CLAIM_FIELDS)


def _claim_dict(claim) -> dict[str, Any]:
    """A claim (an ORM Claim or a row of _CLAIM_COLUMNS) as the ledger takes it."""
    return {name: getattr(claim, name) for name in _CLAIM_FIELDS}


# an event's articles (kind 0) and their claims (kind 1) in one statement: rows of (kind, the article's columns or
# NULLs, the claim's id and columns or NULLs), in no particular order. Written so that PostgreSQL's generic plan of
# the prepared statement reads only the event's rows, by index: the articles by the event's links first (the status
# filter after them: as a condition on articles it drove a scan of every stored article), the claims by an array of
# their ids ("IN (SELECT id FROM arts)" became a scan of the whole claims table)
_PG_LEDGER_INPUTS = (
    "WITH linked AS MATERIALIZED (SELECT a.id, a.status, a.title, a.outlet_id, a.url, a.source_ref, a.published_at, "
    "a.received_at FROM article_events ae JOIN articles a ON a.id = ae.article_id WHERE ae.event_id = %(event)s), "
    "arts AS MATERIALIZED (SELECT l.id, l.title, o.key, l.url, l.source_ref, l.published_at, l.received_at FROM linked l "
    "LEFT JOIN outlets o ON o.id = l.outlet_id{stored}) "
    "SELECT 0, id, title, key, url, source_ref, published_at, received_at, NULL::bigint, "
    + ", ".join("NULL" for _ in range(len(_CLAIM_FIELDS) - 1))
    + " FROM arts UNION ALL SELECT 1, c.article_id, NULL, NULL, NULL, NULL, NULL, NULL, c.id, "
    + ", ".join(f'c."{name}"' for name in _CLAIM_FIELDS[1:])
    + " FROM claims c WHERE c.article_id = ANY(ARRAY(SELECT id FROM arts))"
)
_PG_STORED_ONLY = " WHERE l.status = %(stored)s"


def _ledger_article(article_id, title, outlet, url, source_ref, published_at, received_at) -> dict[str, Any]:
    return {
        "id": article_id,
        "title": title,
        "outlet": outlet,
        "url": url,
        "source_ref": source_ref,
        "published": published_at.isoformat() if published_at else None,
        "arrived": received_at.isoformat(),
    }


def ledger_inputs(session: Session, event_id: int, *, stored_only: bool = False) -> tuple[list[dict], list[dict]]:
    """What an event's ledger is built from: its articles in arrival order and their claims in claim id order.

    Reads only the columns the ledger shows (not the articles' raw bodies and texts), the outlets joined in; on
    PostgreSQL in one statement for the driver. STORED_ONLY: only the articles whose store stage has run (the one
    being stored included: it is `stored` in the store's transaction), so that the ledger grows one stored article
    at a time however far linking has run ahead (storage/changefeed.py diffs each step).
    """
    if session.get_bind().dialect.name == "postgresql":
        stored = _PG_STORED_ONLY if stored_only else ""
        raw = session.connection().connection.driver_connection
        rows = execute_planned(raw, _PG_LEDGER_INPUTS.format(stored=stored), {"event": event_id, "stored": ArticleStatus.STORED}).fetchall()
        found = sorted((row[1:8] for row in rows if row[0] == 0), key=lambda row: (row[6], row[0]))
        claims = sorted((row for row in rows if row[0] == 1), key=lambda row: row[8])
        return [_ledger_article(*row) for row in found], [dict(zip(_CLAIM_FIELDS, (row[1], *row[9:]))) for row in claims]
    query = (
        select(Article.id, Article.title, Outlet.key, Article.url, Article.source_ref, Article.published_at, Article.received_at)
        .join(ArticleEvent, ArticleEvent.article_id == Article.id)
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .where(ArticleEvent.event_id == event_id)
    )
    if stored_only:
        query = query.where(Article.status == ArticleStatus.STORED)
    articles = [_ledger_article(*row) for row in session.execute(query.order_by(Article.received_at, Article.id))]
    ids = [a["id"] for a in articles]
    claims = (
        [_claim_dict(c) for c in session.execute(select(*_CLAIM_COLUMNS).where(Claim.article_id.in_(ids)).order_by(Claim.id))]
        if ids
        else []
    )
    return articles, claims


def event_ledger(session: Session, event_id: int, *, stored_only: bool = False) -> dict[str, Any]:
    """An event's ledger computed from its articles' claims (`ledger_inputs`), not stored."""
    return build_ledger(*ledger_inputs(session, event_id, stored_only=stored_only))


def rebuild_ledger(session: Session, event_id: int, *, stored_only: bool = False) -> dict[str, Any]:
    """Recompute an event's ledger from its articles' claims (`event_ledger`) and store it on the event."""
    ledger = event_ledger(session, event_id, stored_only=stored_only)
    store_ledger(session, event_id, ledger)
    return ledger


def store_ledger(session: Session, event_id: int, ledger: dict[str, Any]) -> None:
    """Store LEDGER on the event."""
    loaded = session.identity_map.get(identity_key(Event, event_id))
    if loaded is not None:  # the caller holds the event: keep its object current (and its flush from undoing this)
        loaded.ledger = ledger
    else:
        session.execute(update(_EVENTS).where(_EVENTS.c.id == event_id).values(ledger=ledger))


def live_event_ids(session: Session) -> list[int]:
    """Ids of the events that were not merged into another, oldest first."""
    return list(session.execute(select(Event.id).where(Event.merged_into_id.is_(None)).order_by(Event.id)).scalars())


def list_events(session: Session, limit: int = 100, offset: int = 0) -> list[Event]:
    return list(
        session.execute(
            select(Event)
            .where(Event.merged_into_id.is_(None), Event.article_count > 0)
            .order_by(Event.last_seen.desc(), Event.id.desc())
            .limit(limit)
            .offset(offset)
        ).scalars()
    )


def failures(session: Session, limit: int = 100) -> list[Failure]:
    return list(session.execute(select(Failure).order_by(Failure.id.desc()).limit(limit)).scalars())


def counts(session: Session) -> dict[str, int]:
    by_status = dict(session.execute(select(Article.status, func.count()).group_by(Article.status)).all())
    return {
        "articles": sum(by_status.values()),
        **{f"status_{status}": count for status, count in by_status.items()},
        "events": session.execute(select(func.count()).select_from(Event).where(Event.merged_into_id.is_(None))).scalar_one(),
        "claims": session.execute(select(func.count()).select_from(Claim)).scalar_one(),
        "failures": session.execute(select(func.count()).select_from(Failure)).scalar_one(),
    }


# --- feeds (the service issue) -------------------------------------------------------------------


def add_feed(session: Session, url: str, *, title: str | None = None, outlet: str | None = None, interval_s: int = 900) -> tuple[int, bool]:
    """Register a feed once (keyed by its URL). Returns (feed id, True if new)."""
    from storage.models import Feed

    statement = (
        _insert(session, Feed)
        .values(
            url=url,
            title=title,
            outlet=outlet,
            active=True,
            interval_s=interval_s,
            item_count=0,
            next_poll_at=utcnow(),
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["url"])
        .returning(Feed.id)
    )
    return _created_or_found(session, statement, select(Feed.id).where(Feed.url == url))


def due_feeds(session: Session, now: datetime | None = None) -> list[int]:
    from storage.models import Feed

    now = now or utcnow()
    return list(
        session.execute(
            select(Feed.id).where(Feed.active.is_(True), (Feed.next_poll_at.is_(None)) | (Feed.next_poll_at <= now)).order_by(Feed.id)
        ).scalars()
    )


def active_feed_ids(session: Session) -> list[int]:
    from storage.models import Feed

    return list(session.execute(select(Feed.id).where(Feed.active.is_(True)).order_by(Feed.id)).scalars())


def record_feed_item(session: Session, feed_id: int, identity: str, url: str, guid: str | None) -> bool:
    """Remember an item of a feed; True the first time it is seen."""
    from storage.models import FeedItem

    statement = (
        _insert(session, FeedItem)
        .values(feed_id=feed_id, identity=identity, url=url, guid=guid, first_seen=utcnow())
        .on_conflict_do_nothing(index_elements=["feed_id", "identity"])
        .returning(FeedItem.identity)
    )
    return session.execute(statement).scalar_one_or_none() is not None


# where an article failed at a stage starts again: the status that stage accepts (clean: "fetched" for a URL article)
_RESUME_AT = {
    "fetch": ArticleStatus.RECEIVED,
    "clean": ArticleStatus.RECEIVED,
    "extract": ArticleStatus.CLEANED,
    "link": ArticleStatus.EXTRACTED,
    "store": ArticleStatus.LINKED,
}


def reopen_after_transient_failure(session: Session, article_id: int) -> str | None:
    """An article whose last failure was transient goes back to the status its failed stage starts from.

    Returns that status, or None (not failed, or failed for good). Conditional on the status: of two
    posts at once, one reopens it.
    """
    last = session.execute(
        select(Failure.stage, Failure.transient, Article.source_kind, Article.raw.is_not(None))
        .join(Article, Article.id == Failure.article_id)
        .where(Failure.article_id == article_id, Article.status == ArticleStatus.FAILED)
        .order_by(Failure.id.desc())
        .limit(1)
    ).first()
    if last is None or not last.transient or last.stage not in _RESUME_AT:
        return None
    status = _RESUME_AT[last.stage]
    if last.stage == "clean" and last.source_kind == "url" and last[3]:
        status = ArticleStatus.FETCHED
    table = Article.__table__
    moved = session.execute(
        update(table)
        .where(table.c.id == article_id, table.c.status == ArticleStatus.FAILED)
        .values(status=status, error=None, updated_at=utcnow())
    )
    return status if moved.rowcount == 1 else None


def unfinished_articles(session: Session, *, after_id: int = 0, limit: int = 1000, updated_before: datetime | None = None) -> list:
    """Articles not in a final status, in receipt order from AFTER_ID: rows of (id, status, source_kind)."""
    query = select(Article.id, Article.status, Article.source_kind).where(Article.status.not_in(ArticleStatus.FINAL), Article.id > after_id)
    if updated_before is not None:
        query = query.where(Article.updated_at < updated_before)
    return list(session.execute(query.order_by(Article.id).limit(limit)).all())


def article_state(session: Session, article_id: int):
    """(status, source_kind, url) of an article, or None."""
    return session.execute(select(Article.status, Article.source_kind, Article.url).where(Article.id == article_id)).first()


def article_claims(session: Session, article_id: int, *, limit: int, offset: int = 0) -> list[Claim]:
    """A page of an article's claims, in text order."""
    return list(
        session.execute(
            select(Claim).where(Claim.article_id == article_id).order_by(Claim.start, Claim.id).limit(limit).offset(offset)
        ).scalars()
    )


def count_claims(session: Session, article_id: int) -> int:
    return session.execute(select(func.count()).select_from(Claim).where(Claim.article_id == article_id)).scalar_one()


def list_feeds(session: Session, *, limit: int | None, offset: int = 0) -> list:
    from storage.models import Feed

    return list(session.execute(select(Feed).order_by(Feed.id).limit(limit).offset(offset)).scalars())


def events_of_articles(session: Session, article_ids: Iterable[int]) -> list[int]:
    """The ids of the events ARTICLE_IDS are linked to, in order."""
    return sorted(set(session.execute(select(ArticleEvent.event_id).where(ArticleEvent.article_id.in_(list(article_ids)))).scalars()))


def was_refused(session: Session, ref: str) -> bool:
    """Whether an item REF was refused at receipt (a failure of the receive stage recorded for it)."""
    return session.execute(select(Failure.id).where(Failure.item == ref, Failure.stage == "receive").limit(1)).first() is not None


def article_failures(session: Session, article_id: int) -> list[Failure]:
    return list(session.execute(select(Failure).where(Failure.article_id == article_id).order_by(Failure.id)).scalars())


def count_open_events(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Event).where(Event.merged_into_id.is_(None))).scalar_one()


def _created_or_found(session: Session, insert, find) -> tuple[int, bool]:
    """(id, True) when the INSERT … ON CONFLICT DO NOTHING RETURNING id created the row, else (the id FIND reads, False)."""
    created_id = session.execute(insert).scalar_one_or_none()
    if created_id is not None:
        return created_id, True
    return session.execute(find).scalar_one(), False
