"""Stage 5: bring the event's stored ledger up to date and mark the article stored."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from storage import changefeed
from storage.db import session_scope
from storage.models import Article, ArticleEvent, ArticleStatus, Event, utcnow
from tasks.base import TASK_OPTIONS, Stage, claim_transition, register, run_stage
from workers import (
    changefeed as change_publisher,  # noqa: F401 - publishes the changes after commit
    metrics,
)
from workers.app import app

STAGE = Stage("store", accepts=(ArticleStatus.LINKED,), produces=ArticleStatus.STORED)


OPEN_EVENTS_EVERY_S = 5.0  # the open-events gauge is counted at most this often per process (a count over all events)
_open_events_counted = [0.0]


def store_article(article_id: int) -> bool:
    with session_scope() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        now = utcnow()
        # the conditional status change first, returning what the metrics need: one statement instead of a read and a write
        received_at = claim_transition(session, STAGE, article_id, returning=Article.__table__.c.received_at, linked_at=now)
        lock = (
            select(Event.id, Event.ledger, ArticleEvent.decision, ArticleEvent.score, Article.title, Article.url)
            .join(ArticleEvent, ArticleEvent.event_id == Event.id)
            .join(Article, Article.id == ArticleEvent.article_id)
            .where(ArticleEvent.article_id == article_id)
        )
        row = session.execute(lock.with_for_update(of=Event.__table__) if postgres else lock).one()  # one ledger rebuild per event at a time
        # the ledger, and to the change feed the article's link and what it changed in the ledger
        arrival = changefeed.Arrival(article_id, row.decision, row.score, row.title, row.url)
        changefeed.rebuild_ledger(session, row.id, arrival=arrival, old=row.ledger)
        open_events = None
        if time.monotonic() - _open_events_counted[0] > OPEN_EVENTS_EVERY_S:
            open_events = session.execute(select(func.count()).select_from(Event).where(Event.merged_into_id.is_(None))).scalar_one()
            _open_events_counted[0] = time.monotonic()
    metrics.END_TO_END.observe(max(0.0, (now - received_at).total_seconds()))
    metrics.ARTICLES_PROCESSED.labels(outcome="stored").inc()
    if open_events is not None:
        metrics.EVENTS_OPEN.set(open_events)
    return False


@app.task(name="claimwire.store", **TASK_OPTIONS)
def store(self, article_id: int) -> str:
    return run_stage(self, STAGE, article_id, store_article)


register("claimwire.store", STAGE, store_article, None)
