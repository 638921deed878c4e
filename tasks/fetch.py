"""Stage 1 for URLs: fetch the page and store its raw bytes."""

from __future__ import annotations

from claimwire.fetching import fetch as fetch_page
from claimwire.settings import get_settings
from claimwire.sources import strip_credentials
from storage.db import session_scope
from storage.models import ArticleStatus
from tasks.base import TASK_OPTIONS, Stage, claim_transition, load, register, run_stage
from workers.app import app

STAGE = Stage("fetch", accepts=(ArticleStatus.RECEIVED,), produces=ArticleStatus.FETCHED)


def fetch_article(article_id: int) -> bool:
    with session_scope() as session:
        url = load(session, STAGE, article_id).url
    page = fetch_page(url, host_wait_s=get_settings().fetch_host_wait_s)  # a busy host: TransientError("host_busy") at once
    content_type = "text" if page.content_type == "text/plain" else "html"
    with session_scope() as session:
        claim_transition(session, STAGE, article_id, raw=page.body, content_type=content_type, canonical_url=strip_credentials(page.final_url))
    return True


@app.task(name="claimwire.fetch", **TASK_OPTIONS)
def fetch(self, article_id: int) -> str:
    from tasks.clean import clean

    return run_stage(self, STAGE, article_id, fetch_article, next_task=clean)


register("claimwire.fetch", STAGE, fetch_article, "claimwire.clean")
