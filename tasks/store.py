"""Stage 5: bring the event's stored ledger up to date and mark the article stored."""

from __future__ import annotations

from sqlalchemy import func, select

from storage import repository
from storage.db import session_scope
from storage.models import ArticleEvent, ArticleStatus, Event, utcnow
from tasks.base import TASK_OPTIONS, Stage, claim_transition, load, run_stage
from workers import metrics
from workers.app import app

STAGE = Stage("store", accepts=(ArticleStatus.LINKED,), produces=ArticleStatus.STORED)


def store_article(article_id: int) -> bool:
    with session_scope() as session:
        article = load(session, STAGE, article_id)
        received_at = article.received_at
        event_id = session.execute(select(ArticleEvent.event_id).where(ArticleEvent.article_id == article_id)).scalar_one()
        session.get(Event, event_id, with_for_update=session.get_bind().dialect.name == "postgresql")
        now = utcnow()
        claim_transition(session, STAGE, article_id, linked_at=now)
        repository.rebuild_ledger(session, event_id)
        open_events = session.execute(select(func.count()).select_from(Event).where(Event.merged_into_id.is_(None))).scalar_one()
    metrics.END_TO_END.observe(max(0.0, (now - received_at).total_seconds()))
    metrics.ARTICLES_PROCESSED.labels(outcome="stored").inc()
    metrics.EVENTS_OPEN.set(open_events)
    return False


@app.task(name="claimwire.store", **TASK_OPTIONS)
def store(self, article_id: int) -> str:
    return run_stage(self, STAGE, article_id, store_article)
