"""Stage 5: bring the event's stored ledger up to date and mark the article stored."""

from __future__ import annotations

import time

from storage import articles, changefeed, repository
from storage.db import session_scope
from storage.models import utcnow
from tasks.base import claim_transition, register, run_stage, stage_task
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
        # the conditional status change first, returning what the metrics need: one statement instead of a read and a write
        received_at = claim_transition(session, STAGE, article_id, returning="received_at", linked_at=now)
        row = articles.lock_event_of(session, article_id)  # one ledger rebuild per event at a time
        # the ledger, and to the change feed the article's link and what it changed in the ledger
        arrival = changefeed.Arrival(article_id, row.decision, row.score, row.title, row.url)
        changefeed.rebuild_ledger(session, row.id, arrival=arrival, old=row.ledger)
        open_events = None
        if time.monotonic() - _open_events_counted[0] > OPEN_EVENTS_EVERY_S:
            open_events = repository.count_open_events(session)
            _open_events_counted[0] = time.monotonic()
    metrics.END_TO_END.observe(max(0.0, (now - received_at).total_seconds()))
    metrics.ARTICLES_PROCESSED.labels(outcome="stored").inc()
    if open_events is not None:
        metrics.EVENTS_OPEN.set(open_events)
    return False


@stage_task(STAGE)
def store(self, article_id: int) -> str:
    return run_stage(self, STAGE, article_id, store_article)


register(STAGE, store_article)
