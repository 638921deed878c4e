"""Stage 3: run the configured claim extractors over the clean text."""

from __future__ import annotations

import logging

from claimwire.budget import run_bounded
from claimwire.extractors import extract_claims_capped
from claimwire.settings import get_settings
from storage import extracting
from tasks.base import hand_over, register, run_stage, stage_task, take_over
from tasks.pipeline import STAGES
from workers import metrics
from workers.logs import log

logger = logging.getLogger("claimwire.tasks")
STAGE = STAGES["extract"]


def extract_article(article_id: int) -> bool:
    article = take_over(STAGE, article_id) or extracting.read_for_extract(article_id, STAGE.accepts)
    settings = get_settings()
    # extraction is linear in the text, but a huge dense text still takes long: a recorded "timeout" failure,
    # wherever this runs (claimwire.budget); at most CLAIMWIRE_MAX_CLAIMS_PER_ARTICLE claims, what is cut recorded
    claims, cut = run_bounded(
        extract_claims_capped,
        article.clean_text or "",
        article.title,
        timeout=settings.extract_timeout_s,
        what="extraction",
        max_claims=settings.max_claims_per_article,
    )
    extracting.write_claims(article_id, STAGE.accepts, STAGE.produces, claims, cut.to_dict() if cut else None)
    hand_over(STAGE, article_id, article)
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
