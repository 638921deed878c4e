"""The clean stage's rows (tasks/clean.py): one read of the article with its outlet's article count, the
outlet's line counts, and one write (the content-duplicate lookup, the conditional status change, and the
outlet's line counts for an article that is not a duplicate).

On PostgreSQL each is one statement in autocommit, written for the driver (the write is atomic as one
statement); elsewhere the same through the ORM in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import delete, select, update

from storage import articles, repository
from storage.db import driver_connection, session_scope, stage_autocommit
from storage.models import Article, ArticleStatus, Claim, ContentOriginal, Outlet, utcnow


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
    received_at: object


class Cleaned(NamedTuple):
    """What the clean stage writes: the article's columns, its status (and error) when it is not a duplicate,
    and the line keys counted for its outlet when it is not."""

    values: dict
    status: str
    error: str | None
    line_keys: Sequence[str]


_PG_LOAD = (
    "SELECT a.status, a.source_kind, a.raw, a.content_type, a.title, a.url, a.outlet_id, a.published_at, o.article_count, a.received_at "
    "FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id WHERE a.id = %(id)s"
)
_PG_OUTLET_LINES = (
    "SELECT line_key, article_count, NULL::text FROM outlet_lines WHERE outlet_id = %(outlet)s AND line_key = ANY(%(keys)s::varchar[]) "
    "UNION ALL SELECT NULL, article_count, NULL FROM outlets WHERE id = %(outlet)s "
    "UNION ALL SELECT NULL, NULL, line_keys FROM content_originals WHERE outlet_id = %(outlet)s AND article_id > %(id)s"
)
# the whole write in one statement (atomic in autocommit): the claim of the cleaned text (insert-or-find on
# content_originals, which holds the lowest id cleaned with it), the conditional status change (a duplicate when the
# holder is a lower id), and, for an article that is not a duplicate, its outlet's line counts. A holder with a
# higher id moves nothing here: the lower id takes its place in a transaction of its own (_swap_in).
_PG_WRITE = """
WITH claim AS (
    INSERT INTO content_originals (content_hash, article_id, outlet_id, line_keys)
    SELECT %(hash)s, %(id)s, %(counted_outlet)s, %(counted_keys)s
    WHERE EXISTS (SELECT 1 FROM articles WHERE id = %(id)s AND status = ANY(%(accepts)s::varchar[]))
    ON CONFLICT (content_hash) DO UPDATE SET article_id = content_originals.article_id
    RETURNING article_id
), dup AS (
    SELECT article_id AS id FROM claim WHERE article_id < %(id)s
), moved AS (
    UPDATE articles SET
        status = CASE WHEN EXISTS (SELECT 1 FROM dup) THEN 'duplicate' ELSE %(status)s END,
        duplicate_of_id = (SELECT id FROM dup),
        error = CASE WHEN EXISTS (SELECT 1 FROM dup) THEN 'duplicate of article ' || (SELECT id FROM dup) || ' (same cleaned text)'
                     ELSE COALESCE(%(error)s, error) END,
        updated_at = %(now)s{extra}
    WHERE id = %(id)s AND status = ANY(%(accepts)s::varchar[]) AND NOT EXISTS (SELECT 1 FROM claim WHERE article_id > %(id)s)
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
SELECT EXISTS (SELECT 1 FROM moved), (SELECT duplicate_of_id FROM moved), (SELECT article_id FROM claim)
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


def read_for_clean(article_id: int, accepts: Iterable[str]) -> CleanInput:
    """The article's columns the clean stage reads; raises NotInStatus when it is not in ACCEPTS."""
    autocommit = stage_autocommit()
    if autocommit is not None:
        with driver_connection(autocommit) as connection:
            row = connection.execute(_PG_LOAD, {"id": article_id}).fetchone()
    else:
        with session_scope(read_only=True) as session:
            row = session.execute(
                select(*_COLUMNS, Outlet.article_count, Article.received_at)
                .outerjoin(Outlet, Outlet.id == Article.outlet_id)
                .where(Article.id == article_id)
            ).first()
    if row is None:
        raise articles.NotInStatus(f"article {article_id} does not exist")
    found = CleanInput(*row)
    if found.status not in accepts:
        raise articles.NotInStatus(f"article {article_id} is {found.status}")
    return found._replace(raw=bytes(found.raw) if found.raw is not None else None)


class OutletLines(NamedTuple):
    counts: dict[str, int]  # line key -> how many of the outlet's articles (cleaned so far) contained it
    articles: int  # how many of the outlet's articles were counted
    later: list[list[str]]  # the line keys counted by each of them that was received after the article asking


def outlet_lines(outlet_id: int, keys: Sequence[str], article_id: int) -> OutletLines:
    """The outlet's counts of the line KEYS and of its articles, and what its articles received after ARTICLE_ID
    counted: read together (one statement on PostgreSQL), so that the later ones can be taken out exactly."""
    autocommit = stage_autocommit()
    if autocommit is None:
        with session_scope(read_only=True) as session:
            counts = repository.outlet_line_counts(session, outlet_id, keys)
            articles_counted = session.scalar(select(Outlet.article_count).where(Outlet.id == outlet_id)) or 0
            later = session.scalars(
                select(ContentOriginal.line_keys).where(ContentOriginal.outlet_id == outlet_id, ContentOriginal.article_id > article_id)
            ).all()
        return OutletLines(counts, articles_counted, [found.split() for found in later if found])
    with driver_connection(autocommit) as connection:
        rows = connection.execute(_PG_OUTLET_LINES, {"outlet": outlet_id, "keys": list(keys), "id": article_id}).fetchall()
    counts = {key: count for key, count, _ in rows if key is not None}
    articles_counted = next((count for key, count, later in rows if key is None and later is None), 0)
    return OutletLines(counts, articles_counted, [later.split() for key, _, later in rows if later])


def write_cleaned(article_id: int, accepts: Sequence[str], outlet_id: int | None, cleaned: Cleaned) -> int | None:
    """Write the cleaned article, or mark it a duplicate of the lowest id with the same cleaned text (returned: its
    id); count its outlet's lines when it is not one. Raises NotInStatus when it is no longer in ACCEPTS.

    Order-free: when a higher id with the same text was cleaned first and has not been linked yet, this one takes
    its place as the original and the higher one becomes its duplicate (its claims and line counts taken back), as
    if they had been cleaned in receipt order. One already linked stays the original (this one is its duplicate)."""
    autocommit = stage_autocommit()
    if autocommit is not None:
        found = _write_cleaned_pg(autocommit, article_id, accepts, outlet_id, cleaned)
        if found is not _SWAP:
            return found
    with session_scope(stage_write=True) as session:
        duplicate_of = _claim(session, article_id, cleaned.values["content_hash"], _counted(outlet_id, cleaned))
        values = {**cleaned.values, "duplicate_of_id": duplicate_of}
        status = ArticleStatus.DUPLICATE if duplicate_of else cleaned.status
        if duplicate_of:
            values["error"] = _duplicate_error(duplicate_of)
        elif cleaned.error is not None:
            values["error"] = cleaned.error
        articles.move_status(session, article_id, accepts, status, **values)
        if outlet_id is not None and cleaned.line_keys and not duplicate_of:
            repository.observe_outlet_lines(session, outlet_id, cleaned.line_keys)
    return duplicate_of


_SWAP = object()  # the PostgreSQL statement found a higher id holding the text: the transaction takes over
SWAPPABLE = (ArticleStatus.CLEANED, ArticleStatus.EXTRACTED, ArticleStatus.SKIPPED, ArticleStatus.FAILED)  # not linked yet


def _duplicate_error(original: int) -> str:
    return f"duplicate of article {original} (same cleaned text)"


def _counted(outlet_id: int | None, cleaned: Cleaned) -> tuple[int | None, str | None]:
    """The outlet and line keys this article counts when it is an original (kept with its claim, to take back)."""
    if outlet_id is None or not cleaned.line_keys:
        return None, None
    return outlet_id, " ".join(sorted(cleaned.line_keys))


def _claim(session, article_id: int, content_hash: str, counted: tuple[int | None, str | None]) -> int | None:
    """Claim CONTENT_HASH for ARTICLE_ID in the session's transaction: None when it is (now) the original, else the original's id."""
    row = session.execute(
        select(ContentOriginal).where(ContentOriginal.content_hash == content_hash).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        session.add(ContentOriginal(content_hash=content_hash, article_id=article_id, outlet_id=counted[0], line_keys=counted[1]))
        session.flush()
        return None
    if row.article_id < article_id:
        return row.article_id
    if row.article_id > article_id and not _swap_in(session, row, article_id):
        return row.article_id  # the higher one was linked first: it stays the original
    row.article_id, row.outlet_id, row.line_keys = article_id, *counted
    return None


def _swap_in(session, row: ContentOriginal, article_id: int) -> bool:
    """ARTICLE_ID (lower) takes the place of ROW's original (higher) when that one is not linked yet: it becomes a
    duplicate of ARTICLE_ID, its duplicates follow, its claims and its outlet's line counts are taken back."""
    table, later = Article.__table__, row.article_id
    demoted = session.execute(
        update(table)
        .where(table.c.id == later, table.c.status.in_(SWAPPABLE))
        .values(
            status=ArticleStatus.DUPLICATE,
            duplicate_of_id=article_id,
            error=_duplicate_error(article_id),
            claims_cut=None,
            updated_at=utcnow(),
        )
    )
    if demoted.rowcount != 1:
        return False
    session.execute(
        update(table).where(table.c.duplicate_of_id == later).values(duplicate_of_id=article_id, error=_duplicate_error(article_id))
    )
    session.execute(delete(Claim.__table__).where(Claim.__table__.c.article_id == later))
    if row.outlet_id is not None and row.line_keys:
        repository.forget_outlet_lines(session, row.outlet_id, row.line_keys.split())
    return True


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
    params["counted_outlet"], params["counted_keys"] = _counted(outlet_id, cleaned)
    with driver_connection(engine) as connection:
        moved, duplicate_of, holder = connection.execute(_PG_WRITE.format(extra=extra), params).fetchone()
    if moved:
        return duplicate_of
    if holder is not None and holder > article_id:
        return _SWAP
    raise articles.NotInStatus(f"article {article_id} is not {' or '.join(accepts)} (moved on by another delivery, or gone)")
