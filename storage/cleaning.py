"""The clean stage's rows (tasks/clean.py): one read of the article with its outlet's article count, the
outlet's line counts, and one write (the content-duplicate lookup, the conditional status change, and the
outlet's line counts for an article that is not a duplicate).

On PostgreSQL each is one statement in autocommit, written for the driver (the write is atomic as one
statement); elsewhere the same through the ORM in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import select

from storage import articles, repository
from storage.db import get_engine, reading_engine, session_scope
from storage.models import Article, ArticleStatus, Outlet, utcnow


class CleanInput(NamedTuple):
    status: str
    source_kind: str
    raw: bytes | None
    content_type: str | None
    title: str | None
    url: str | None
    outlet_id: int | None
    published_at: object
    outlet_articles: int | None  # how many of the outlet's articles were observed (junk learning)


class Cleaned(NamedTuple):
    """What the clean stage writes: the article's columns, its status (and error) when it is not a duplicate,
    and the line keys counted for its outlet when it is not."""

    values: dict
    status: str
    error: str | None
    line_keys: Sequence[str]


_PG_LOAD = (
    "SELECT a.status, a.source_kind, a.raw, a.content_type, a.title, a.url, a.outlet_id, a.published_at, o.article_count "
    "FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id WHERE a.id = %(id)s"
)
_PG_LINE_COUNTS = "SELECT line_key, article_count FROM outlet_lines WHERE outlet_id = %(outlet)s AND line_key = ANY(%(keys)s::varchar[])"
# the whole write in one statement (atomic in autocommit): the content-duplicate lookup (ix_articles_content_hash),
# the conditional status change, and, for an article that is not a duplicate, its outlet's line counts
_PG_WRITE = """
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
_COLUMNS = (
    Article.status,
    Article.source_kind,
    Article.raw,
    Article.content_type,
    Article.title,
    Article.url,
    Article.outlet_id,
    Article.published_at,
)


def _postgres():
    """The autocommit engine on PostgreSQL (the fast path), else None."""
    engine = get_engine()
    return reading_engine(engine) if engine.dialect.name == "postgresql" else None


def read_for_clean(article_id: int, accepts: Iterable[str]) -> CleanInput:
    """The article's columns the clean stage reads; raises NotInStatus when it is not in ACCEPTS."""
    autocommit = _postgres()
    if autocommit is not None:
        with autocommit.connect() as connection:
            row = connection.exec_driver_sql(_PG_LOAD, {"id": article_id}).first()
    else:
        with session_scope(read_only=True) as session:
            row = session.execute(
                select(*_COLUMNS, Outlet.article_count).outerjoin(Outlet, Outlet.id == Article.outlet_id).where(Article.id == article_id)
            ).first()
    if row is None:
        raise articles.NotInStatus(f"article {article_id} does not exist")
    found = CleanInput(*row)
    if found.status not in accepts:
        raise articles.NotInStatus(f"article {article_id} is {found.status}")
    return found._replace(raw=bytes(found.raw) if found.raw is not None else None)


def outlet_line_counts(outlet_id: int, keys: Sequence[str]) -> dict[str, int]:
    """How many of the outlet's articles contained each of the line KEYS."""
    autocommit = _postgres()
    if autocommit is None:
        with session_scope(read_only=True) as session:
            return repository.outlet_line_counts(session, outlet_id, keys)
    with autocommit.connect() as connection:
        return dict(connection.exec_driver_sql(_PG_LINE_COUNTS, {"outlet": outlet_id, "keys": list(keys)}).all())


def write_cleaned(article_id: int, accepts: Sequence[str], outlet_id: int | None, cleaned: Cleaned) -> int | None:
    """Write the cleaned article, or mark it a duplicate of an earlier one with the same cleaned text (returned:
    its id); count its outlet's lines when it is not one. Raises NotInStatus when it is no longer in ACCEPTS."""
    autocommit = _postgres()
    if autocommit is not None:
        return _write_cleaned_pg(autocommit, article_id, accepts, outlet_id, cleaned)
    with session_scope() as session:
        duplicate_of = repository.find_by_content_hash(session, cleaned.values["content_hash"], exclude_id=article_id)
        values = {**cleaned.values, "duplicate_of_id": duplicate_of}
        status = ArticleStatus.DUPLICATE if duplicate_of else cleaned.status
        if duplicate_of:
            values["error"] = f"duplicate of article {duplicate_of} (same cleaned text)"
        elif cleaned.error is not None:
            values["error"] = cleaned.error
        articles.move_status(session, article_id, accepts, status, **values)
        if outlet_id is not None and cleaned.line_keys and not duplicate_of:
            repository.observe_outlet_lines(session, outlet_id, cleaned.line_keys)
    return duplicate_of


def _write_cleaned_pg(engine, article_id: int, accepts: Sequence[str], outlet_id: int | None, cleaned: Cleaned) -> int | None:
    values = cleaned.values
    extra = "".join(f",\n        {column} = %({column})s" for column in _EXTRA_COLUMNS if column in values)
    params = {
        **values,
        "id": article_id,
        "hash": values["content_hash"],
        "status": cleaned.status,
        "error": cleaned.error,
        "now": utcnow(),
        "accepts": list(accepts),
        "outlet": outlet_id,
        "keys": sorted(cleaned.line_keys) if outlet_id is not None else [],
        "observe": bool(outlet_id is not None and cleaned.line_keys),
    }
    with engine.connect() as connection:
        moved = connection.exec_driver_sql(_PG_WRITE.format(extra=extra), params).first()
    if moved is None:
        raise articles.NotInStatus(f"article {article_id} is not {' or '.join(accepts)} (moved on by another delivery, or gone)")
    return moved[0]
