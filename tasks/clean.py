"""Stage 2: raw HTML or text to clean article text and metadata; duplicates by content stop here."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from sqlalchemy import select

from claimwire import junk
from claimwire.budget import run_bounded
from claimwire.cleaning import HTML, clean_document, decode_body
from claimwire.errors import InputError
from claimwire.settings import get_settings
from claimwire.sources import outlet_from_url, strip_credentials
from storage import repository
from storage.db import session_scope
from storage.models import Article, ArticleStatus, Outlet, utcnow
from tasks.base import Skip, claim_transition, cpu_task_options, load_columns, register, run_stage
from tasks.pipeline import STAGES
from workers import metrics
from workers.app import app

STAGE = STAGES["clean"]
ENGLISH = "en"


def content_hash(text: str) -> str:
    return hashlib.sha256(re.sub(r"\s+", " ", text).strip().lower().encode("utf-8")).hexdigest()


_LOAD = (
    "SELECT a.status, a.source_kind, a.raw, a.content_type, a.title, a.url, a.outlet_id, a.published_at, o.article_count "
    "FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id WHERE a.id = %(id)s"
)
_LINE_COUNTS = "SELECT line_key, article_count FROM outlet_lines WHERE outlet_id = %(outlet)s AND line_key = ANY(%(keys)s::varchar[])"
# the whole write in one statement (atomic in autocommit): the content-duplicate lookup (ix_articles_content_hash),
# the conditional status change, and, for an article that is not a duplicate, its outlet's line counts
_WRITE = """
WITH dup AS (
    SELECT id FROM articles WHERE content_hash = %(hash)s AND id <> %(id)s AND status <> 'duplicate' ORDER BY id LIMIT 1
), moved AS (
    UPDATE articles SET
        status = CASE WHEN EXISTS (SELECT 1 FROM dup) THEN 'duplicate' ELSE %(status)s END,
        duplicate_of_id = (SELECT id FROM dup),
        error = CASE WHEN EXISTS (SELECT 1 FROM dup) THEN 'duplicate of article ' || (SELECT id FROM dup) || ' (same cleaned text)'
                     ELSE COALESCE(%(error)s, error) END,
        updated_at = %(now)s{extra}
    WHERE id = %(id)s AND status = ANY(%(accepts)s::varchar[])
    RETURNING duplicate_of_id
), counted AS (
    INSERT INTO outlet_lines (outlet_id, line_key, article_count)
    SELECT %(outlet)s, k, 1 FROM unnest(%(keys)s::varchar[]) AS k
    WHERE EXISTS (SELECT 1 FROM moved WHERE duplicate_of_id IS NULL)
    ORDER BY k
    ON CONFLICT (outlet_id, line_key) DO UPDATE SET article_count = outlet_lines.article_count + 1
), outlet AS (
    UPDATE outlets SET article_count = article_count + 1
    WHERE id = %(outlet)s AND %(observe)s AND EXISTS (SELECT 1 FROM moved WHERE duplicate_of_id IS NULL)
)
SELECT duplicate_of_id FROM moved
"""
_EXTRA_COLUMNS = ("clean_text", "content_hash", "title", "author", "language", "clean_method", "canonical_url", "published_at", "outlet_id")


def _postgres():
    from storage.db import _reading_engine, get_engine

    engine = get_engine()
    return _reading_engine(engine) if engine.dialect.name == "postgresql" else None


def clean_article(article_id: int) -> bool:
    autocommit = _postgres()
    if autocommit is not None:
        return _clean_article_pg(autocommit, article_id)
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

    cleaned = _clean(raw, content_type, title, url, outlet_junk)
    if cleaned.is_empty:
        raise InputError(cleaned.empty_reason or "no_article", "no article text found in the page")

    digest = content_hash(cleaned.text)
    with session_scope() as session:
        duplicate_of = repository.find_by_content_hash(session, digest, exclude_id=article_id)
        language_ok = cleaned.language in (None, ENGLISH)
        status = ArticleStatus.DUPLICATE if duplicate_of else (STAGE.produces if language_ok else ArticleStatus.SKIPPED)
        values = _values(cleaned, digest, title, published_at)
        values["duplicate_of_id"] = duplicate_of
        if duplicate_of:
            values["error"] = f"duplicate of article {duplicate_of} (same cleaned text)"
        elif not language_ok:
            values["error"] = _language_error(cleaned.language)
        if outlet_id is None:
            new_outlet = _outlet_for(session, cleaned, url)
            if new_outlet is not None:
                values["outlet_id"] = new_outlet
        claim_transition(session, STAGE, article_id, status=status, **values)
        if outlet_id is not None and line_keys and not duplicate_of:
            repository.observe_outlet_lines(session, outlet_id, line_keys)
    if status != STAGE.produces:
        metrics.ARTICLES_PROCESSED.labels(outcome=status).inc()
    return status == STAGE.produces


def _clean(raw: bytes | None, content_type: str | None, title: str | None, url: str | None, outlet_junk) -> object:
    """clean_document within CLAIMWIRE_CLEAN_TIMEOUT_S, wherever this runs (claimwire.budget.run_bounded)."""
    return run_bounded(
        clean_document, raw or b"", timeout=get_settings().clean_timeout_s, what="cleaning",
        content_type=content_type or "text", title=title, url=url, outlet_junk=outlet_junk,
    )  # fmt: skip


def _values(cleaned, digest: str, title: str | None, published_at) -> dict:
    values = {
        "clean_text": cleaned.text,
        "content_hash": digest,
        "title": title or cleaned.title,
        "author": cleaned.author,
        "language": cleaned.language,
        "clean_method": cleaned.method,
    }
    if cleaned.canonical_url:
        values["canonical_url"] = strip_credentials(cleaned.canonical_url)
    if cleaned.published and published_at is None:
        values["published_at"] = datetime(cleaned.published.year, cleaned.published.month, cleaned.published.day)
    return values


def _language_error(language: str | None) -> str:
    return f"language {language}: stored, not run through the English extractors"


def _outlet_for(session, cleaned, url: str | None) -> int | None:
    outlet_key = outlet_from_url(cleaned.canonical_url or url) or (cleaned.outlet or None)
    return repository.get_or_create_outlet(session, outlet_key[:255]) if outlet_key else None


def _clean_article_pg(engine, article_id: int) -> bool:
    """clean_article on PostgreSQL: two reads and one writing statement, each in autocommit."""
    with engine.connect() as connection:
        row = connection.exec_driver_sql(_LOAD, {"id": article_id}).first()
        if row is None:
            raise Skip(f"article {article_id} does not exist")
        status, source_kind, raw, content_type, title, url, outlet_id, published_at, outlet_articles = row
        if status not in STAGE.accepts:
            raise Skip(f"article {article_id} is {status}")
        if source_kind == "url" and status != ArticleStatus.FETCHED:
            raise InputError("not_fetched", "a URL article reached cleaning before it was fetched")
        raw = bytes(raw) if raw is not None else None
        outlet_junk: set[str] = set()
        line_keys: list[str] = []
        if outlet_id is not None and content_type != HTML and raw:
            line_keys = sorted(junk.candidate_line_keys(decode_body(raw)))
            if line_keys and outlet_articles is not None and outlet_articles >= junk.MIN_OUTLET_ARTICLES:
                counts = dict(connection.exec_driver_sql(_LINE_COUNTS, {"outlet": outlet_id, "keys": line_keys}).all())
                outlet_junk = junk.outlet_junk_keys(counts, outlet_articles)

    cleaned = _clean(raw, content_type, title, url, outlet_junk)
    if cleaned.is_empty:
        raise InputError(cleaned.empty_reason or "no_article", "no article text found in the page")

    digest = content_hash(cleaned.text)
    language_ok = cleaned.language in (None, ENGLISH)
    values = _values(cleaned, digest, title, published_at)
    if outlet_id is None:
        with session_scope() as session:
            new_outlet = _outlet_for(session, cleaned, url)
        if new_outlet is not None:
            values["outlet_id"] = new_outlet
    extra = "".join(f",\n        {column} = %({column})s" for column in _EXTRA_COLUMNS if column in values)
    params = {
        **values,
        "id": article_id,
        "hash": digest,
        "status": STAGE.produces if language_ok else ArticleStatus.SKIPPED,
        "error": None if language_ok else _language_error(cleaned.language),
        "now": utcnow(),
        "accepts": list(STAGE.accepts),
        "outlet": outlet_id,
        "keys": line_keys if outlet_id is not None else [],
        "observe": bool(outlet_id is not None and line_keys),
    }
    with engine.connect() as connection:
        moved = connection.exec_driver_sql(_WRITE.format(extra=extra), params).first()
    if moved is None:
        raise Skip(f"article {article_id} is not {' or '.join(STAGE.accepts)} (moved on by another delivery, or gone)")
    status = ArticleStatus.DUPLICATE if moved[0] is not None else params["status"]
    if status != STAGE.produces:
        metrics.ARTICLES_PROCESSED.labels(outcome=status).inc()
    return status == STAGE.produces


@app.task(name="claimwire.clean", **cpu_task_options())
def clean(self, article_id: int) -> str:
    return run_stage(self, STAGE, article_id, clean_article)


register(STAGE, clean_article)
