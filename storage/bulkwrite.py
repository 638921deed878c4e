"""Bulk writes of the linker's index for backfills and the benches (no conflict handling: the rows must be
new): COPY on PostgreSQL, one executemany on SQLite. The pipeline writes one article at a time (storage/eventindex.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import column, table, text
from sqlalchemy.orm import Session

from claimwire import jsontext, linking
from claimwire.linking import ArticleFeatures
from storage.eventindex import _dialect, _insert
from storage.models import ArticleLinkFeatures, EventIndexEntry, TermFrequency


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, (dict, list)):
        value = jsontext.dumps(value)
    elif not isinstance(value, str):
        value = value.isoformat(sep=" ") if hasattr(value, "isoformat") else str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def bulk_rows(session: Session, model, rows: Sequence[dict]) -> None:
    """Insert many rows of one table at once: COPY on PostgreSQL, one executemany on SQLite. For
    backfills and the scale bench (no conflict handling: the rows must be new)."""
    if not rows:
        return
    table = model.__table__ if hasattr(model, "__table__") else model
    if _dialect(session) != "postgresql":
        session.connection().execute(table.insert(), list(rows))
        return
    columns = list(rows[0])
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for start in range(0, len(rows), 20000):
                copy.write("".join("\t".join(_copy_value(row[c]) for c in columns) + "\n" for row in rows[start : start + 20000]))


def bulk_file(session: Session, links: Iterable[tuple[int, int, ArticleFeatures, Sequence[str]]]) -> None:
    """`file_article` for many new articles at once: (article_id, event_id, features, index keys)."""
    features_rows, postings = [], []
    for article_id, event_id, features, keys in links:
        features_rows.append(
            {"article_id": article_id, "event_id": event_id, "day": features.day, "features": features.to_dict(), "index_keys": list(keys)}
        )
        bucket = linking.bucket_of(features.day)
        postings.extend({"key_hash": h, "bucket": bucket, "article_id": article_id} for h in sorted({linking.key_hash(k) for k in keys}))
    bulk_rows(session, ArticleLinkFeatures, features_rows)
    bulk_rows(session, EventIndexEntry, postings)


def bulk_count(session: Session, df_by_hash: Mapping[int, int], documents: int) -> None:
    """`count_document` for many documents at once: `df_by_hash` maps key hashes to how many of the new
    documents hold them; `documents` new documents are added to the sharded count."""
    counts = dict(df_by_hash)
    counts[0] = counts.get(0, 0) + documents
    if _dialect(session) == "postgresql":
        session.execute(text("CREATE TEMP TABLE IF NOT EXISTS bulk_df (key_hash bigint, df integer) ON COMMIT DROP"))
        bulk_rows(session, table("bulk_df", column("key_hash"), column("df")), [{"key_hash": h, "df": c} for h, c in counts.items()])
        session.execute(
            text(
                "INSERT INTO term_frequencies (key_hash, df) SELECT key_hash, df FROM bulk_df "
                "ON CONFLICT (key_hash) DO UPDATE SET df = term_frequencies.df + excluded.df"
            )
        )
        session.execute(text("DROP TABLE bulk_df"))
        return
    statement = _insert(session, TermFrequency)
    statement = statement.on_conflict_do_update(index_elements=["key_hash"], set_={"df": TermFrequency.df + statement.excluded.df})
    rows = [{"key_hash": h, "df": c} for h, c in sorted(counts.items())]
    for start in range(0, len(rows), 50000):
        session.connection().execute(statement, rows[start : start + 50000])
