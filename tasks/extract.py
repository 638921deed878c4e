"""Stage 3: run the configured claim extractors over the clean text."""

from __future__ import annotations

import logging

from claimwire.budget import run_bounded
from claimwire.extractors import extract_claims_capped
from claimwire.settings import get_settings
from storage import repository
from storage.db import session_scope
from storage.models import Article
from tasks.base import claim_transition, load_columns, register, run_stage, stage_task
from tasks.pipeline import STAGES
from workers import metrics
from workers.logs import log

logger = logging.getLogger("claimwire.tasks")
STAGE = STAGES["extract"]


def extract_article(article_id: int) -> bool:
    with session_scope(read_only=True) as session:
        row = load_columns(session, STAGE, article_id, Article.clean_text, Article.title)
        text, title = row.clean_text or "", row.title
    settings = get_settings()
    # extraction is linear in the text, but a huge dense text still takes long: a recorded "timeout" failure,
    # wherever this runs (claimwire.budget); at most CLAIMWIRE_MAX_CLAIMS_PER_ARTICLE claims, what is cut recorded
    claims, cut = run_bounded(
        extract_claims_capped,
        text,
        title,
        timeout=settings.extract_timeout_s,
        what="extraction",
        max_claims=settings.max_claims_per_article,
    )
    with session_scope() as session:
        claim_transition(session, STAGE, article_id, **({"claims_cut": cut.to_dict()} if cut else {}))
        # the conditional status change just succeeded, so no earlier delivery wrote claims: insert, no delete
        repository.insert_claims(session, article_id, claims)
    for claim in claims:
        metrics.CLAIMS_EXTRACTED.labels(kind=claim.kind).inc()
    if cut:
        metrics.CLAIMS_CUT.inc(max(0, cut.found - cut.kept))
        log(logger, logging.WARNING, "claims_capped", article_id=article_id, **cut.to_dict())
    return True


@stage_task(STAGE)
def extract(self, article_id: int) -> str:
    return run_stage(self, STAGE, article_id, extract_article)


register(STAGE, extract_article)
