"""Stage 4: join the article to an existing event or open a new one."""

from __future__ import annotations

from sqlalchemy import text as sql

from claimwire import linking
from claimwire.settings import get_settings
from storage import repository
from storage.db import session_scope
from storage.models import ArticleStatus
from tasks.base import TASK_OPTIONS, Stage, claim_transition, load, run_stage
from workers import metrics
from workers.app import app

STAGE = Stage("link", accepts=(ArticleStatus.EXTRACTED,), produces=ArticleStatus.LINKED)
LINK_LOCK_ID = 0x636C6D77  # one advisory lock serialises linking decisions on PostgreSQL


def link_article(article_id: int) -> bool:
    settings = get_settings()
    with session_scope() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sql("SELECT pg_advisory_xact_lock(:key)"), {"key": LINK_LOCK_ID})
        article = load(session, STAGE, article_id)
        when = article.published_at or article.received_at
        features = linking.article_features(article.title, article.clean_text or "", when)
        candidates = repository.candidate_events(session, when, settings.link_window_days)
        decision = linking.decide(features, candidates)
        profile = dict(candidates).get(decision.event_id, {}) if decision.event_id else {}
        claim_transition(session, STAGE, article_id)
        repository.attach_to_event(
            session,
            article,
            event_id=decision.event_id,
            decision=decision.decision,
            score=decision.score,
            features=decision.features,
            linker=linking.LINKER,
            profile=linking.updated_profile(profile, features),
            when=when,
        )
    metrics.LINK_DECISIONS.labels(decision=decision.decision).inc()
    return True


@app.task(name="claimwire.link", **TASK_OPTIONS)
def link(self, article_id: int) -> str:
    from tasks.store import store

    return run_stage(self, STAGE, article_id, link_article, next_task=store)
