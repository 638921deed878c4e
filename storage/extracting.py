"""The extract stage's rows (tasks/extract.py): one read (the clean text and title) and one write (the conditional
status change and the article's claims).

On PostgreSQL each is one statement in autocommit, written for the driver (the write is atomic as one statement:
the claims are inserted only when the status moved); elsewhere the same through the ORM in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from claimwire import jsontext
from claimwire.claims import Claim as ClaimRecord
from storage import articles, repository
from storage.db import driver_connection, session_scope, stage_autocommit
from storage.models import Article, utcnow

_PG_LOAD = "SELECT status, id, title, clean_text, published_at, received_at FROM articles WHERE id = %(id)s"
# the claims as one JSON array of records, inserted in its order (their ids follow it, as the ledger reads them)
_PG_WRITE = """
WITH moved AS (
    UPDATE articles SET status = %(status)s, updated_at = %(now)s{cut}
    WHERE id = %(id)s AND status = ANY(%(accepts)s::varchar[])
    RETURNING id
), added AS (
    INSERT INTO claims (article_id, kind, measure, value_min, value_max, hedge, "group", group_key, source, source_key,
                        text, sentence, start, "end", confidence, extractor, extractor_version, extra, created_at)
    SELECT %(id)s, c.kind, c.measure, c.value_min, c.value_max, c.hedge, c."group", c.group_key, c.source, c.source_key,
           c.text, c.sentence, c.start, c."end", c.confidence, c.extractor, c.extractor_version, c.extra, %(now)s
    FROM json_populate_recordset(NULL::claims, %(claims)s::json) WITH ORDINALITY AS c
    WHERE EXISTS (SELECT 1 FROM moved)
    ORDER BY c.ordinality
)
SELECT count(*) FROM moved
"""
_CLAIM_FIELDS = (
    "kind", "measure", "value_min", "value_max", "hedge", "group", "group_key", "source", "source_key", "text",
    "sentence", "start", "end", "confidence", "extractor", "extractor_version", "extra",
)  # fmt: skip


_COLUMNS = (Article.id, Article.title, Article.clean_text, Article.published_at, Article.received_at)


def read_for_extract(article_id: int, accepts: Sequence[str]) -> articles.ArticleText:
    """The article's clean text, title and dates (for linking, when it runs in this process next); raises NotInStatus
    when it is not in ACCEPTS."""
    autocommit = stage_autocommit()
    if autocommit is not None:
        with driver_connection(autocommit) as connection:
            row = connection.execute(_PG_LOAD, {"id": article_id}).fetchone()
        if row is None:
            raise articles.NotInStatus(f"article {article_id} does not exist")
        if row[0] not in accepts:
            raise articles.NotInStatus(f"article {article_id} is {row[0]}")
    else:
        with session_scope(read_only=True) as session:
            row = articles.stage_columns(session, article_id, accepts, *_COLUMNS)
    return articles.ArticleText(*row[1:])


def claims_json(claims: Sequence[ClaimRecord]) -> str:
    """The claims as the JSON array the PostgreSQL write reads (one record per claim, in their order; jsontext as the
    ORM writes a JSON column, storage/db.py, so that a claim's `extra` is stored as the same text)."""
    return jsontext.dumps([{name: getattr(claim, name) for name in _CLAIM_FIELDS} for claim in claims])


def write_claims(article_id: int, accepts: Sequence[str], status: str, claims: Sequence[ClaimRecord], cut: dict | None) -> None:
    """Move the article to STATUS (when it is in ACCEPTS) and add its CLAIMS, with what the cap left out (CUT);
    raises NotInStatus when another delivery moved it first (then nothing is written)."""
    autocommit = stage_autocommit()
    if autocommit is None:
        with session_scope(stage_write=True) as session:
            articles.move_status(session, article_id, accepts, status, **({"claims_cut": cut} if cut else {}))
            # the conditional status change just succeeded, so no earlier delivery wrote claims: insert, no delete
            repository.insert_claims(session, article_id, claims)
        return
    params = {
        "id": article_id,
        "status": status,
        "now": utcnow(),
        "accepts": list(accepts),
        "claims": claims_json(claims),
        "cut": jsontext.dumps(cut) if cut else None,
    }
    statement = _PG_WRITE.format(cut=", claims_cut = %(cut)s::json" if cut else "")
    with driver_connection(autocommit) as connection:
        moved = connection.execute(statement, params).fetchone()[0]
    if moved != 1:
        raise articles.NotInStatus(f"article {article_id} is not {' or '.join(accepts)} (moved on by another delivery, or gone)")
