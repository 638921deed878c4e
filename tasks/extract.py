"""Stage 3: run the configured claim extractors over the clean text."""

from __future__ import annotations

from claimwire.budget import time_limit
from claimwire.extractors import extract_claims
from claimwire.settings import get_settings
from storage import repository
from storage.db import session_scope
from storage.models import Article, ArticleStatus
from tasks.base import TASK_OPTIONS, Stage, claim_transition, load_columns, register, run_stage
from workers import metrics
from workers.app import app

STAGE = Stage("extract", accepts=(ArticleStatus.CLEANED,), produces=ArticleStatus.EXTRACTED)


def extract_article(article_id: int) -> bool:
    with session_scope(read_only=True) as session:
        row = load_columns(session, STAGE, article_id, Article.clean_text, Article.title)
        text, title = row.clean_text or "", row.title
    # extraction is linear in the text, but a huge dense text still takes long: a recorded "timeout" failure
    with time_limit(get_settings().extract_timeout_s, what="extraction"):
        claims = extract_claims(text, title=title)
    with session_scope() as session:
        claim_transition(session, STAGE, article_id)
        # the conditional status change just succeeded, so no earlier delivery wrote claims: insert, no delete
        repository.insert_claims(session, article_id, claims)
    for claim in claims:
        metrics.CLAIMS_EXTRACTED.labels(kind=claim.kind).inc()
    return True


@app.task(name="claimwire.extract", **TASK_OPTIONS)
def extract(self, article_id: int) -> str:
    from tasks.link import link

    return run_stage(self, STAGE, article_id, extract_article, next_task=link)


register("claimwire.extract", STAGE, extract_article, "claimwire.link")
