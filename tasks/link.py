"""Stage 4: join the article to an existing event or open a new one.

Concurrency: instead of one global lock, each link transaction takes PostgreSQL advisory locks on the
article's retrieval keys (sorted, so no deadlocks) before it reads the index. Two articles that could
meet each other (or the same events) share a key, so they are decided one after the other and the second
sees the event the first opened; unrelated articles link in parallel. A residual split (two events that
later coverage shows are one) is repaired by the merge the linker decides when an article scores high
against both. Document frequencies are counted in a short transaction of their own after the link
commits, so that hot rows (common words) never hold a link transaction.
"""

from __future__ import annotations

import logging

from claimwire import linking
from storage import eventindex, eventmerges, repository
from storage.db import session_scope
from storage.models import Article
from tasks.base import claim_transition, load_columns, register, run_stage, stage_task
from tasks.pipeline import STAGES
from workers import (
    changefeed as change_publisher,  # noqa: F401 - publishes a merge's change after commit
    metrics,
)

logger = logging.getLogger("claimwire.tasks")
STAGE = STAGES["link"]
_COLUMNS = (Article.id, Article.title, Article.clean_text, Article.published_at, Article.received_at)


def article_date(article):
    """The article's own date: its publication date; None when it has none (see docs/LINKING.md)."""
    return article.published_at


def link_article(article_id: int) -> bool:
    with session_scope() as session:
        article = load_columns(session, STAGE, article_id, *_COLUMNS)  # only what linking reads (not the raw body)
        features = linking.article_features(article.title, article.clean_text or "", article_date(article))
        concurrent = session.get_bind().dialect.name == "postgresql"
        # with the frequencies, the newest event id: events above it appeared while we decided
        index = eventindex.DbIndex(session, newest=concurrent)
        decision, keys = linking.decide(features, index, lock=lambda ks: eventindex.lock_keys(session, ks))
        newest_seen = index.newest_event
        claim_transition(session, STAGE, article_id)
        event_id = decision.event_id
        if decision.merge:
            event_id = eventmerges.final_event_id(session, event_id)  # it may have been merged meanwhile
        for other in decision.merge:
            event_id = eventmerges.merge_events(
                session,
                other,
                event_id,
                reason=f"article {article_id} matches both",
                score=decision.features.get("merge_scores", {}).get(str(other)),
                rebuild=False,
            )
        event_id = repository.attach_to_event(  # follows a merge of the event meanwhile
            session,
            article,
            event_id=event_id,
            decision=decision.decision,
            score=decision.score,
            features=decision.features,
            linker=linking.LINKER,
            profile={"linker": linking.LINKER},
            when=article.published_at or article.received_at,
        )
        eventindex.file_article(session, article_id, event_id, features, keys)
        if not concurrent:  # SQLite: one writer at a time anyway, so count in the same transaction
            eventindex.count_document(session, article_id, features.keys)
    # The link is committed: what follows must not turn a linked article into a failure.
    try:
        if concurrent:
            with session_scope() as session:
                eventindex.count_document(session, article_id, features.keys)
        if decision.event_id is None and concurrent:  # the merge pass behind the key locks
            with session_scope() as session:
                eventmerges.repair_concurrent_split(session, article_id, features, event_id, newest_seen)
    except Exception:
        logger.exception("link_followup_failed", extra={"fields": {"article_id": article_id}})
    metrics.LINK_DECISIONS.labels(decision=decision.decision).inc()
    return True


@stage_task(STAGE)
def link(self, article_id: int) -> str:
    return run_stage(self, STAGE, article_id, link_article)


register(STAGE, link_article)
