"""What the API and the pages read from the store: one named query each, typed rows out."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, ArticleEvent, Event, Feed, Outlet, Webhook

MAX_MERGE_HOPS = 20  # a chain of merges longer than this is cut (a cycle would otherwise never end)


class LinkedArticle(NamedTuple):
    """An article linked to an event, as the pages list it."""

    event_id: int
    id: int
    title: str | None
    url: str | None
    source_ref: str | None
    published: datetime | None
    received: datetime
    lead: str | None  # the first 600 characters of the clean text
    outlet_key: str | None
    outlet_name: str | None


class OverviewStamp(NamedTuple):
    """What moves when the list of open events changes."""

    events: int
    latest_update: datetime | None
    latest_seen: datetime | None
    articles: int | None


def article(session: Session, article_id: int) -> Article | None:
    return session.get(Article, article_id)


def event(session: Session, event_id: int) -> Event | None:
    return session.get(Event, event_id)


def feed(session: Session, feed_id: int) -> Feed | None:
    return session.get(Feed, feed_id)


def webhook(session: Session, webhook_id: int) -> Webhook | None:
    return session.get(Webhook, webhook_id)


def article_link(session: Session, article_id: int) -> ArticleEvent | None:
    """The article's link to its event (as first decided; the event may have been merged since)."""
    return session.get(ArticleEvent, article_id)


def final_event(session: Session, start: Event) -> Event:
    """Follow merges from START to the event its articles now live in (START itself when never merged)."""
    current, hops = start, 0
    while current.merged_into_id and hops < MAX_MERGE_HOPS:
        target = session.get(Event, current.merged_into_id)
        if target is None:
            break
        current, hops = target, hops + 1
    return current


def linked_articles(session: Session, event_ids: list[int]) -> list[LinkedArticle]:
    """The articles linked to EVENT_IDS, in arrival order."""
    if not event_ids:
        return []
    rows = session.execute(
        select(
            ArticleEvent.event_id,
            Article.id,
            Article.title,
            Article.url,
            Article.source_ref,
            Article.published_at,
            Article.received_at,
            func.substr(Article.clean_text, 1, 600),
            Outlet.key,
            Outlet.name,
        )
        .join(Article, Article.id == ArticleEvent.article_id)
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .where(ArticleEvent.event_id.in_(event_ids))
        .order_by(Article.received_at, Article.id)
    ).all()
    return [LinkedArticle(*row) for row in rows]


def overview_stamp(session: Session) -> OverviewStamp:
    count, latest_update, latest_seen, articles = session.execute(
        select(func.count(Event.id), func.max(Event.updated_at), func.max(Event.last_seen), func.sum(Event.article_count)).where(
            Event.merged_into_id.is_(None)
        )
    ).one()
    return OverviewStamp(count, latest_update, latest_seen, articles)


def recent_events(session: Session, limit: int) -> list[Event]:
    """Open (not merged) events, newest activity first."""
    return list(
        session.execute(
            select(Event).where(Event.merged_into_id.is_(None)).order_by(Event.last_seen.desc(), Event.id.desc()).limit(limit)
        ).scalars()
    )


def largest_event(session: Session) -> tuple[int | None, int, int]:
    """The event with the most linked articles: (its id, its articles, all linked articles)."""
    total = session.execute(select(func.count()).select_from(ArticleEvent)).scalar_one()
    top = session.execute(
        select(ArticleEvent.event_id, func.count()).group_by(ArticleEvent.event_id).order_by(func.count().desc()).limit(1)
    ).first()
    return (top[0], top[1], total) if top else (None, 0, total)
