"""Stage 2: raw HTML or text to clean article text and metadata; duplicates by content stop here.

One read and one write (storage/cleaning.py: on PostgreSQL each a single statement in autocommit), the
cleaning itself in between, outside any transaction.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from claimwire import junk
from claimwire.budget import run_bounded
from claimwire.cleaning import HTML, clean_document, decode_body
from claimwire.errors import InputError
from claimwire.settings import get_settings
from claimwire.sources import outlet_from_url, strip_credentials
from storage import cleaning, repository
from storage.articles import ArticleText
from storage.db import session_scope
from storage.models import ArticleStatus
from tasks.base import hand_over, register, run_stage, stage_task
from tasks.pipeline import STAGES
from workers import metrics

STAGE = STAGES["clean"]
ENGLISH = "en"


def content_hash(text: str) -> str:
    # runs of whitespace as one space, ends stripped: str.split's whitespace is the regex \s (a quarter of its time)
    return hashlib.sha256(" ".join(text.split()).lower().encode("utf-8")).hexdigest()


def _outlet_junk(article_id: int, article: cleaning.CleanInput) -> tuple[set[str], list[str]]:
    """The line keys of the article's text its outlet's earlier-received articles show to be junk (those cleaned
    so far: the counts of later ones are taken out), and all its line keys (counted for the outlet once the
    article is cleaned). Nothing for an HTML page (trafilatura finds the boilerplate)."""
    if article.outlet_id is None or article.content_type == HTML or not article.raw:
        return set(), []
    line_keys = sorted(junk.candidate_line_keys(decode_body(article.raw)))
    if not line_keys or article.outlet_articles is None or article.outlet_articles < junk.MIN_OUTLET_ARTICLES:
        return set(), line_keys  # too few of the outlet's articles seen: nothing is junk yet
    found = cleaning.outlet_lines(article.outlet_id, line_keys, article_id)
    counts, outlet_articles = junk.counts_before(found.counts, found.articles, found.later)
    return junk.outlet_junk_keys(counts, outlet_articles), line_keys


def clean_article(article_id: int) -> bool:
    article = cleaning.read_for_clean(article_id, STAGE.accepts)
    if article.source_kind == "url" and article.status != ArticleStatus.FETCHED:
        raise InputError("not_fetched", "a URL article reached cleaning before it was fetched")
    outlet_junk, line_keys = _outlet_junk(article_id, article)

    cleaned = _clean(article.raw, article.content_type, article.title, article.url, outlet_junk)
    if cleaned.is_empty:
        raise InputError(cleaned.empty_reason or "no_article", "no article text found in the page")

    language_ok = cleaned.language in (None, ENGLISH)
    values = _values(cleaned, content_hash(cleaned.text), article.title, article.published_at)
    if article.outlet_id is None:
        with session_scope() as session:
            new_outlet = _outlet_for(session, cleaned, article.url)
        if new_outlet is not None:
            values["outlet_id"] = new_outlet
    status = STAGE.produces if language_ok else ArticleStatus.SKIPPED
    error = None if language_ok else _language_error(cleaned.language)
    duplicate_of = cleaning.write_cleaned(article_id, STAGE.accepts, article.outlet_id, cleaning.Cleaned(values, status, error, line_keys))
    if duplicate_of is not None:
        status = ArticleStatus.DUPLICATE
    if status != STAGE.produces:
        metrics.ARTICLES_PROCESSED.labels(outcome=status).inc()
        return False
    published_at = values.get("published_at", article.published_at)
    hand_over(STAGE, article_id, ArticleText(article_id, values["title"], values["clean_text"], published_at, article.received_at))
    return True


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


@stage_task(STAGE)
def clean(self, article_id: int) -> str:
    return run_stage(self, STAGE, article_id, clean_article)


register(STAGE, clean_article)
