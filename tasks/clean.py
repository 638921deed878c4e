"""Stage 2: raw HTML or text to clean article text and metadata; duplicates by content stop here."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from sqlalchemy import select

from claimwire import junk
from claimwire.cleaning import HTML, clean_document, decode_body
from claimwire.errors import InputError
from claimwire.sources import outlet_from_url
from storage import repository
from storage.db import session_scope
from storage.models import Article, ArticleStatus, Outlet
from tasks.base import TASK_OPTIONS, Stage, claim_transition, load_columns, register, run_stage
from workers import metrics
from workers.app import app

STAGE = Stage("clean", accepts=(ArticleStatus.RECEIVED, ArticleStatus.FETCHED), produces=ArticleStatus.CLEANED)
ENGLISH = "en"


def content_hash(text: str) -> str:
    return hashlib.sha256(re.sub(r"\s+", " ", text).strip().lower().encode("utf-8")).hexdigest()


def clean_article(article_id: int) -> bool:
    with session_scope(read_only=True) as session:
        article = load_columns(
            session, STAGE, article_id, Article.source_kind, Article.raw, Article.content_type, Article.title, Article.url, Article.outlet_id, Article.published_at
        )
        if article.source_kind == "url" and article.status != ArticleStatus.FETCHED:
            raise InputError("not_fetched", "a URL article reached cleaning before it was fetched")
        raw, content_type, title, url, outlet_id = article.raw, article.content_type, article.title, article.url, article.outlet_id
        published_at = article.published_at
        outlet_junk: set[str] = set()
        line_keys: set[str] = set()
        if outlet_id is not None and content_type != HTML and raw:
            line_keys = junk.candidate_line_keys(decode_body(raw))
            outlet_articles = session.execute(select(Outlet.article_count).where(Outlet.id == outlet_id)).scalar_one()
            outlet_junk = junk.outlet_junk_keys(repository.outlet_line_counts(session, outlet_id, line_keys), outlet_articles)

    cleaned = clean_document(raw or b"", content_type=content_type or "text", title=title, url=url, outlet_junk=outlet_junk)
    if cleaned.is_empty:
        raise InputError(cleaned.empty_reason or "no_article", "no article text found in the page")

    digest = content_hash(cleaned.text)
    with session_scope() as session:
        duplicate_of = repository.find_by_content_hash(session, digest, exclude_id=article_id)
        language_ok = cleaned.language in (None, ENGLISH)
        status = ArticleStatus.DUPLICATE if duplicate_of else (STAGE.produces if language_ok else ArticleStatus.SKIPPED)
        values = {
            "clean_text": cleaned.text,
            "content_hash": digest,
            "title": title or cleaned.title,
            "author": cleaned.author,
            "language": cleaned.language,
            "clean_method": cleaned.method,
            "duplicate_of_id": duplicate_of,
        }
        if cleaned.canonical_url:
            values["canonical_url"] = cleaned.canonical_url
        if cleaned.published and published_at is None:
            values["published_at"] = datetime(cleaned.published.year, cleaned.published.month, cleaned.published.day)
        if duplicate_of:
            values["error"] = f"duplicate of article {duplicate_of} (same cleaned text)"
        elif not language_ok:
            values["error"] = f"language {cleaned.language}: stored, not run through the English extractors"
        if outlet_id is None:
            outlet_key = outlet_from_url(cleaned.canonical_url or url) or (cleaned.outlet or None)
            if outlet_key:
                values["outlet_id"] = repository.get_or_create_outlet(session, outlet_key[:255])
        claim_transition(session, STAGE, article_id, status=status, **values)
        if outlet_id is not None and line_keys and not duplicate_of:
            repository.observe_outlet_lines(session, outlet_id, line_keys)
    if status != STAGE.produces:
        metrics.ARTICLES_PROCESSED.labels(outcome=status).inc()
    return status == STAGE.produces


@app.task(name="claimwire.clean", **TASK_OPTIONS)
def clean(self, article_id: int) -> str:
    from tasks.extract import extract

    return run_stage(self, STAGE, article_id, clean_article, next_task=extract)


register("claimwire.clean", STAGE, clean_article, "claimwire.extract")
