"""Feed polling: beat runs `poll_feeds`, which hands each due feed to `fetch_feed` on the fetch queue.

`fetch_feed` does a conditional GET (ETag / Last-Modified kept per feed), parses the feed and receives
each item it has not seen as a URL article: the pipeline fetches its page once (items are remembered per
feed by canonical URL, and `receive` stores an article once whatever feed it came from).
"""

from __future__ import annotations

import logging
from datetime import datetime

from claimwire.errors import InputError, TransientError
from claimwire.feeds import parse_feed
from claimwire.fetching import FEED_TYPES, fetch as fetch_url
from claimwire.sources import URL, RawItem, outlet_from_url, strip_credentials
from storage import feeds, repository
from storage.db import session_scope
from storage.models import utcnow
from tasks.base import backoff_seconds
from tasks.receive import receive
from workers import metrics
from workers.app import app
from workers.logs import log

logger = logging.getLogger("claimwire.feeds")
MAX_RETRIES = 4


@app.task(name="claimwire.poll_feeds", ignore_result=True)
def poll_feeds() -> list[int]:
    """Enqueue a fetch for every active feed whose next poll is due (and move its next poll on)."""
    now = utcnow()
    with session_scope() as session:
        due = feeds.take_due(session, now)
    for feed_id in due:
        fetch_feed.delay(feed_id)
    return due


def poll_feed(feed_id: int) -> dict:
    """Fetch one feed and receive its new items. Returns a summary; raises TransientError / InputError."""
    with session_scope() as session:
        feed = feeds.source(session, feed_id)
    if feed is None:
        return {"feed_id": feed_id, "status": "missing", "new": 0}
    outlet = feed.outlet
    page = fetch_url(feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=FEED_TYPES)
    now = utcnow()
    if page.not_modified:
        with session_scope() as session:
            feeds.record_not_modified(session, feed_id, now)
        metrics.FEED_POLLS.labels(outcome="not_modified").inc()
        return {"feed_id": feed_id, "status": "not_modified", "new": 0}
    parsed = parse_feed(page.body, base_url=page.final_url)
    # oldest first, so that receipt order follows publication (feeds list the newest first)
    entries = sorted(reversed(parsed.entries), key=lambda e: (e.published is None, e.published or datetime.min))
    new_ids: list[int] = []
    for entry in entries:
        url = strip_credentials(entry.url)
        item = RawItem(
            kind=URL,
            ref=f"feed:{feed_id}:{url}",
            url=url,
            title=entry.title,
            published=entry.published,
            outlet=outlet or outlet_from_url(url),
        )
        with session_scope() as session:
            first_time = repository.record_feed_item(session, feed_id, item.identity(), url, entry.guid)
        if not first_time:
            continue
        receipt = receive(item)
        if receipt.article_id is not None:
            with session_scope() as session:
                feeds.link_item(session, feed_id, item.identity(), receipt.article_id)
        if receipt.created:
            new_ids.append(receipt.article_id)
            metrics.FEED_ITEMS.inc()
    with session_scope() as session:
        feeds.record_polled(
            session, feed_id, now=now, etag=page.etag, last_modified=page.last_modified, title=parsed.title, new_items=len(new_ids)
        )
    metrics.FEED_POLLS.labels(outcome="ok").inc()
    log(logger, logging.INFO, "feed_polled", feed_id=feed_id, entries=len(entries), new=len(new_ids))
    return {"feed_id": feed_id, "status": "ok", "new": len(new_ids), "article_ids": new_ids}


STOPS_FEED = ("address_refused", "bad_url")  # a feed that points (or redirects) where no fetch may go is not polled again


def _record_feed_error(feed_id: int, reason: str, message: str) -> None:
    with session_scope() as session:
        url = feeds.record_error(session, feed_id, now=utcnow(), reason=reason, message=message, stop=reason in STOPS_FEED)
        if url is not None:
            repository.record_failure(session, stage="feed", reason=reason, message=message, item=url)
    metrics.FEED_POLLS.labels(outcome="failed").inc()
    log(logger, logging.WARNING, "feed_failed", feed_id=feed_id, reason=reason, error=message)


@app.task(name="claimwire.fetch_feed", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES, ignore_result=True)
def fetch_feed(self, feed_id: int) -> dict:
    try:
        return poll_feed(feed_id)
    except TransientError as error:
        retries = self.request.retries or 0
        if not self.request.is_eager and retries < MAX_RETRIES:
            metrics.STAGE_RETRIES.labels(stage="feed").inc()
            raise self.retry(exc=error, countdown=backoff_seconds(retries))
        _record_feed_error(feed_id, error.reason, error.message)
        return {"feed_id": feed_id, "status": "failed", "reason": error.reason}
    except InputError as error:  # permanent for this poll; the next poll tries again
        _record_feed_error(feed_id, error.reason, error.message)
        return {"feed_id": feed_id, "status": "failed", "reason": error.reason}
