"""The queries the pipeline and the CLI need, in one place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from claimwire.claims import Claim as ClaimRecord
from claimwire.ledger import build_ledger
from claimwire.sources import RawItem
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
    created_id = session.execute(statement).scalar_one_or_none()
    if created_id is not None:
        return created_id, True
    return session.execute(select(Article.id).where(Article.identity == identity)).scalar_one(), False


def get_or_create_outlet(session: Session, key: str) -> int:
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
) -> None:
    session.add(Failure(article_id=article_id, item=item, stage=stage, reason=reason, message=message[:4000]))
    if article_id is not None:
        session.execute(
            update(Article).where(Article.id == article_id).values(status=ArticleStatus.FAILED, error=f"{stage}: {reason}: {message}"[:4000])
        )


def outlet_line_counts(session: Session, outlet_id: int, keys: Iterable[str]) -> dict[str, int]:
    keys = list(keys)
    if not keys:
        return {}
    rows = session.execute(
        select(OutletLine.line_key, OutletLine.article_count).where(OutletLine.outlet_id == outlet_id, OutletLine.line_key.in_(keys))
    )
    return {key: count for key, count in rows}


def observe_outlet_lines(session: Session, outlet_id: int, keys: Iterable[str]) -> None:
    """Count one more article of this outlet for each line key it contains."""
    rows = [{"outlet_id": outlet_id, "line_key": key, "article_count": 1} for key in sorted(set(keys))]
    if rows:
        statement = _insert(session, OutletLine).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=["outlet_id", "line_key"], set_={"article_count": OutletLine.article_count + 1}
        )
        session.execute(statement)
    session.execute(update(Outlet).where(Outlet.id == outlet_id).values(article_count=Outlet.article_count + 1))


def find_by_content_hash(session: Session, content_hash: str, exclude_id: int) -> int | None:
    return session.execute(
        select(Article.id)
        .where(Article.content_hash == content_hash, Article.id != exclude_id, Article.status != ArticleStatus.DUPLICATE)
        .order_by(Article.id)
        .limit(1)
    ).scalar_one_or_none()


def replace_claims(session: Session, article_id: int, claims: Sequence[ClaimRecord]) -> None:
    session.execute(delete(Claim).where(Claim.article_id == article_id))
    for record in claims:
        session.add(Claim(article_id=article_id, **record.to_dict()))


def candidate_events(session: Session, when: datetime, window_days: int) -> list[tuple[int, dict[str, Any]]]:
    low, high = when - timedelta(days=window_days), when + timedelta(days=window_days)
    rows = session.execute(
        select(Event.id, Event.profile).where(
            Event.merged_into_id.is_(None), Event.date_max >= low, Event.date_min <= high
        )
    )
    return [(event_id, profile or {}) for event_id, profile in rows]


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
    """Link an article to an event (opening it when event_id is None) and update the event's profile."""
    now = utcnow()
    if event_id is None:
        event = Event(headline=article.title, first_seen=now, last_seen=now, date_min=when, date_max=when, profile=profile)
        session.add(event)
        session.flush()
    else:
        event = session.get(Event, event_id, with_for_update=session.get_bind().dialect.name == "postgresql")
        event.profile = {**(event.profile or {}), **profile}
        event.last_seen = now
        event.date_min = min(event.date_min or when, when)
        event.date_max = max(event.date_max or when, when)
        if article.title and not event.headline:
            event.headline = article.title
    session.execute(delete(ArticleEvent).where(ArticleEvent.article_id == article.id))
    session.add(
        ArticleEvent(article_id=article.id, event_id=event.id, decision=decision, score=score, features=features, linker=linker, linked_at=now)
    )
    session.flush()
    event.article_count = session.execute(select(func.count()).where(ArticleEvent.event_id == event.id)).scalar_one()
    return event.id


def _claim_dict(claim: Claim) -> dict[str, Any]:
    return {
        "article_id": claim.article_id,
        "kind": claim.kind,
        "measure": claim.measure,
        "value_min": claim.value_min,
        "value_max": claim.value_max,
        "hedge": claim.hedge,
        "group": claim.group,
        "group_key": claim.group_key,
        "source": claim.source,
        "source_key": claim.source_key,
        "text": claim.text,
        "sentence": claim.sentence,
        "start": claim.start,
        "end": claim.end,
        "confidence": claim.confidence,
        "extractor": claim.extractor,
        "extractor_version": claim.extractor_version,
    }


def rebuild_ledger(session: Session, event_id: int) -> dict[str, Any]:
    """Recompute an event's ledger from its articles' claims and store it on the event."""
    rows = session.execute(
        select(Article, ArticleEvent.linked_at)
        .join(ArticleEvent, ArticleEvent.article_id == Article.id)
        .where(ArticleEvent.event_id == event_id)
        .order_by(Article.received_at, Article.id)
    ).all()
    articles = [
        {
            "id": article.id,
            "title": article.title,
            "outlet": article.outlet.key if article.outlet else None,
            "url": article.url,
            "source_ref": article.source_ref,
            "published": article.published_at.isoformat() if article.published_at else None,
            "arrived": article.received_at.isoformat(),
        }
        for article, _ in rows
    ]
    ids = [a["id"] for a in articles]
    claims = [_claim_dict(c) for c in session.execute(select(Claim).where(Claim.article_id.in_(ids))).scalars()] if ids else []
    ledger = build_ledger(articles, claims)
    event = session.get(Event, event_id)
    event.ledger = ledger
    return ledger


def list_events(session: Session, limit: int = 100, offset: int = 0) -> list[Event]:
    return list(
        session.execute(
            select(Event).where(Event.merged_into_id.is_(None), Event.article_count > 0).order_by(Event.last_seen.desc(), Event.id.desc()).limit(limit).offset(offset)
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
        .values(url=url, title=title, outlet=outlet, active=True, interval_s=interval_s, item_count=0, next_poll_at=utcnow(), created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["url"])
        .returning(Feed.id)
    )
    created_id = session.execute(statement).scalar_one_or_none()
    if created_id is not None:
        return created_id, True
    return session.execute(select(Feed.id).where(Feed.url == url)).scalar_one(), False


def due_feeds(session: Session, now: datetime | None = None) -> list[int]:
    from storage.models import Feed

    now = now or utcnow()
    return list(
        session.execute(
            select(Feed.id).where(Feed.active.is_(True), (Feed.next_poll_at.is_(None)) | (Feed.next_poll_at <= now)).order_by(Feed.id)
        ).scalars()
    )


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


def article_failures(session: Session, article_id: int) -> list[Failure]:
    return list(session.execute(select(Failure).where(Failure.article_id == article_id).order_by(Failure.id)).scalars())


def count_open_events(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Event).where(Event.merged_into_id.is_(None))).scalar_one()
