"""The feeds' rows as the poller (tasks/feeds.py) reads and writes them. Registering and listing feeds:
storage/repository.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage import repository
from storage.models import Feed, FeedItem

MIN_INTERVAL_S = 30


class FeedSource(NamedTuple):
    url: str
    etag: str | None
    last_modified: str | None
    outlet: str | None


def take_due(session: Session, now: datetime) -> list[int]:
    """The active feeds whose next poll is due, with their next poll moved on by their interval."""
    due = repository.due_feeds(session, now)
    for feed_id in due:
        feed = session.get(Feed, feed_id)
        feed.next_poll_at = now + timedelta(seconds=max(MIN_INTERVAL_S, feed.interval_s))
    return due


def source(session: Session, feed_id: int) -> FeedSource | None:
    feed = session.get(Feed, feed_id)
    return None if feed is None else FeedSource(feed.url, feed.etag, feed.last_modified, feed.outlet)


def record_not_modified(session: Session, feed_id: int, now: datetime) -> None:
    session.execute(update(Feed).where(Feed.id == feed_id).values(last_polled_at=now, last_status="not_modified", last_error=None))


def link_item(session: Session, feed_id: int, identity: str, article_id: int) -> None:
    """The article a feed's item was received as."""
    session.execute(update(FeedItem).where(FeedItem.feed_id == feed_id, FeedItem.identity == identity).values(article_id=article_id))


def record_polled(
    session: Session, feed_id: int, *, now: datetime, etag: str | None, last_modified: str | None, title: str | None, new_items: int
) -> None:
    feed = session.get(Feed, feed_id)
    feed.etag, feed.last_modified = etag, last_modified
    feed.last_polled_at, feed.last_status, feed.last_error = now, "ok", None
    feed.title = feed.title or title
    feed.item_count = (feed.item_count or 0) + new_items


def record_error(session: Session, feed_id: int, *, now: datetime, reason: str, message: str, stop: bool) -> str | None:
    """The feed's failed poll (STOP: it is not polled again); returns the feed's URL, None when it is gone."""
    feed = session.get(Feed, feed_id)
    if feed is None:
        return None
    feed.last_polled_at, feed.last_status, feed.last_error = now, reason[:32], message[:4000]
    if stop:
        feed.active = False
    return feed.url
