"""Stage 5: bring the event's stored ledger up to date and mark the article stored."""

from __future__ import annotations

import time

from storage import articles, changefeed, repository
from storage.db import session_scope
from storage.models import utcnow
from tasks.base import register, run_stage, stage_task
from tasks.pipeline import STAGES
from workers import (
    changefeed as change_publisher,  # noqa: F401 - publishes the changes after commit
    metrics,
)

STAGE = STAGES["store"]


OPEN_EVENTS_EVERY_S = 5.0  # the open-events gauge is counted at most this often per process (a count over all events)
_open_events_counted = [0.0]


def store_article(article_id: int) -> bool:
    with session_scope() as session:
        now = utcnow()
        stored = articles.move_to_stored(session, article_id, STAGE.accepts, STAGE.produces, now)
        locked_at = time.perf_counter()  # the event's row is locked from here to the commit
        open_events = None
        if time.monotonic() - _open_events_counted[0] > OPEN_EVENTS_EVERY_S:
            open_events = repository.count_open_events(session)
            _open_events_counted[0] = time.monotonic()
        # the ledger, and to the change feed the article's link and what it changed in the ledger (the last statement)
        arrival = changefeed.Arrival(article_id, stored.decision, stored.score, stored.title, stored.url)
        changefeed.rebuild_ledger(session, stored.event_id, arrival=arrival, old=stored.ledger)
    metrics.EVENT_LOCK_HOLD.observe(time.perf_counter() - locked_at)
    metrics.END_TO_END.observe(max(0.0, (now - stored.received_at).total_seconds()))
    metrics.ARTICLES_PROCESSED.labels(outcome="stored").inc()
    if open_events is not None:
        metrics.EVENTS_OPEN.set(open_events)
    return False


@stage_task(STAGE)
def store(self, article_id: int) -> str:
    return run_stage(self, STAGE, article_id, store_article)


register(STAGE, store_article)
