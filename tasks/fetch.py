"""Stage 1 for URLs: fetch the page and store its raw bytes."""

from __future__ import annotations

from claimwire.fetching import fetch as fetch_page
from claimwire.settings import get_settings
from claimwire.sources import strip_credentials
from storage.db import session_scope
from storage.models import Article
from tasks.base import claim_transition, load_columns, register, run_stage, stage_task
from tasks.pipeline import STAGES

STAGE = STAGES["fetch"]


def fetch_article(article_id: int) -> bool:
    with session_scope() as session:
        url = load_columns(session, STAGE, article_id, Article.url).url
    page = fetch_page(url, host_wait_s=get_settings().fetch_host_wait_s)  # a busy host: TransientError("host_busy") at once
    content_type = "text" if page.content_type == "text/plain" else "html"
    with session_scope() as session:
        claim_transition(
            session, STAGE, article_id, raw=page.body, content_type=content_type, canonical_url=strip_credentials(page.final_url)
        )
    return True


@stage_task(STAGE)
def fetch(self, article_id: int) -> str:
    return run_stage(self, STAGE, article_id, fetch_article)


register(STAGE, fetch_article)
