"""The linker's index in the database, shared by all workers: nothing is held in worker memory.

    article_link_features  per linked article: its features, date and current event (scored for candidates)
    event_index            inverted index: (key hash, week bucket, article id), primary key = the lookup order
    term_frequencies       document frequency per key hash, updated incrementally; hashes 0..15 hold a
                           sharded document count (sharded so that concurrent linkers do not queue on one row)

Retrieval reads, for each of the article's telling keys, only the newest POSTINGS_PER_KEY postings inside
the key's time window (one index range scan per key, all in one UNION ALL statement), so its cost does not
grow with the number of stored events.

Also here: merging events and moving an article to another event, with the ledgers following.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import column, func, select, table, text, update
from sqlalchemy.orm import Session

from claimwire import changes, linking
from claimwire.linking import ArticleFeatures, Candidate
from storage import changefeed
from storage.models import (
    ArticleEvent,
    ArticleLinkFeatures,
    ArticleMove,
    Event,
    EventIndexEntry,
    EventMerge,
    TermFrequency,
    utcnow,
)

COUNT_SHARDS = linking.RESERVED_HASHES
_CHUNK = 500
FEATURE_CACHE = 4096  # candidates' parsed features kept per process, by their stored JSON text


def _insert(session: Session, model):
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert)(model)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _pg(session: Session):
    """The session's psycopg connection, inside the session's transaction; None off PostgreSQL.

    The link stage is the one serial line of the pipeline: its statements go straight to the driver (fixed
    texts, which psycopg prepares after a few runs), not through SQLAlchemy's compile and result layers."""
    if _dialect(session) != "postgresql":
        return None
    return session.connection().connection.driver_connection


def _array(values: Iterable[int]) -> str:
    """An integer array as PostgreSQL's text literal (cast in the statement): much cheaper to send than a list."""
    return "{" + ",".join(map(str, values)) + "}"


def _features_json(features: ArticleFeatures) -> str:
    return json.dumps(features.to_dict(), separators=(",", ":"))


_PARSED: dict[str, ArticleFeatures] = {}


def parsed_features(stored: str | Mapping[str, Any]) -> ArticleFeatures:
    """An article's features from their stored JSON text. The same text gives the same (immutable) features,
    so they are parsed once per process: a candidate is scored against many later articles."""
    if not isinstance(stored, str):
        return ArticleFeatures.from_dict(stored)
    found = _PARSED.pop(stored, None)
    if found is None:
        found = ArticleFeatures.from_dict(json.loads(stored))
        if len(_PARSED) >= FEATURE_CACHE:
            del _PARSED[next(iter(_PARSED))]  # the least recently used
    _PARSED[stored] = found
    return found


_PG_DF = "SELECT key_hash, df FROM term_frequencies WHERE key_hash = ANY(%s::bigint[])"
# with the newest event id (key hash -1: no key has it), read in the same snapshot
_PG_DF_NEWEST = _PG_DF + " UNION ALL SELECT -1, coalesce(max(id), 0) FROM events"
_PG_CANDIDATES = (
    "SELECT q.n, e.article_id FROM unnest(%(hashes)s::bigint[], %(low)s::int[], %(high)s::int[]) WITH ORDINALITY AS q(h, lo, hi, n) "
    "CROSS JOIN LATERAL (SELECT article_id FROM event_index WHERE key_hash = q.h AND bucket BETWEEN q.lo AND q.hi "
    "ORDER BY bucket DESC, article_id DESC LIMIT %(limit)s) AS e"
)
# articles with no date of their own are filed in bucket 0: looked up too for keys whose window excludes it
_PG_CANDIDATES_UNDATED = (
    " UNION ALL SELECT q.n, e.article_id FROM unnest(%(undated)s::bigint[], %(numbers)s::bigint[]) AS q(h, n) "
    f"CROSS JOIN LATERAL (SELECT article_id FROM event_index WHERE key_hash = q.h AND bucket = {linking.UNDATED} "
    "ORDER BY article_id DESC LIMIT %(limit)s) AS e"
)
_PG_LOAD = "SELECT article_id, event_id, features::text FROM article_link_features WHERE article_id = ANY(%s::bigint[]) ORDER BY article_id"


class DbIndex:
    """`claimwire.linking.LinkIndex` over the database tables, within the caller's session/transaction.

    NEWEST: `document_frequencies` also reads the newest event id, in the same statement (`newest_event`)."""

    def __init__(self, session: Session, *, newest: bool = False):
        self.session = session
        self.newest = newest
        self.newest_event: int | None = None

    def document_frequencies(self, keys: Iterable[str]) -> tuple[dict[str, int], int]:
        """One indexed lookup: the keys' rows and the sharded document count (hashes 0..15) together."""
        key_hash = linking.key_hash
        by_hash: dict[int, str] = {key_hash(k): k for k in keys}
        found: dict[str, int] = {}
        documents = 0
        raw = _pg(self.session)
        if raw is not None:  # one array parameter: one prepared statement for any count
            hashes = _array([*range(COUNT_SHARDS), *sorted(by_hash)])
            rows = raw.execute(_PG_DF_NEWEST if self.newest else _PG_DF, (hashes,)).fetchall()
            for key_hash_, df in rows:
                if key_hash_ >= COUNT_SHARDS:
                    found[by_hash[key_hash_]] = df
                elif key_hash_ >= 0:
                    documents += df
                else:
                    self.newest_event = int(df)
            return found, int(documents)
        hashes = sorted(by_hash)
        chunks = [list(range(COUNT_SHARDS)) + hashes[:_CHUNK]] + [hashes[i : i + _CHUNK] for i in range(_CHUNK, len(hashes), _CHUNK)]
        for chunk in chunks:
            for key_hash_, df in self.session.execute(select(TermFrequency.key_hash, TermFrequency.df).where(TermFrequency.key_hash.in_(chunk))):
                if 0 <= key_hash_ < COUNT_SHARDS:
                    documents += df
                else:
                    found[by_hash[key_hash_]] = df
        if self.newest:
            self.newest_event = newest_event_id(self.session)
        return found, int(documents)

    def candidates(self, keys: Sequence[str], day: int, limit_per_key: int) -> list[tuple[str, int]]:
        if not keys:
            return []
        raw = _pg(self.session)
        if raw is not None:  # one statement of fixed text: a LATERAL index range scan per key
            hashes, lows, highs, undated, numbers = [], [], [], [], []
            for number, key in enumerate(keys, 1):
                low, high = linking.bucket_range(key, day)
                hashes.append(linking.key_hash(key))
                lows.append(low)
                highs.append(high)
                if low > linking.UNDATED:
                    undated.append(hashes[-1])
                    numbers.append(number)
            params = {"hashes": _array(hashes), "low": _array(lows), "high": _array(highs), "limit": int(limit_per_key)}
            statement = _PG_CANDIDATES
            if undated:
                params.update(undated=_array(undated), numbers=_array(numbers))
                statement += _PG_CANDIDATES_UNDATED
            rows = raw.execute(statement, params).fetchall()
            return sorted((keys[n - 1], article_id) for n, article_id in rows)
        parts, params, names = [], {}, {}
        for number, key in enumerate(keys):
            low, high = linking.bucket_range(key, day)
            params.update({f"k{number}": linking.key_hash(key), f"lo{number}": low, f"hi{number}": high})
            names[number] = key
            parts.append(
                f"SELECT * FROM (SELECT {number} AS n, article_id FROM event_index WHERE key_hash = :k{number} "
                f"AND bucket BETWEEN :lo{number} AND :hi{number} ORDER BY bucket DESC, article_id DESC LIMIT {int(limit_per_key)}) AS q{number}"
            )
            if low > linking.UNDATED:  # articles with no date of their own are filed in bucket 0
                parts.append(
                    f"SELECT * FROM (SELECT {number} AS n, article_id FROM event_index WHERE key_hash = :k{number} "
                    f"AND bucket = {linking.UNDATED} ORDER BY article_id DESC LIMIT {int(limit_per_key)}) AS u{number}"
                )
        rows = self.session.execute(text(" UNION ALL ".join(parts)), params)
        return sorted((names[n], article_id) for n, article_id in rows)

    def load(self, article_ids: Sequence[int]) -> list[Candidate]:
        if not article_ids:
            return []
        raw = _pg(self.session)
        if raw is not None:
            rows = raw.execute(_PG_LOAD, (_array(article_ids),)).fetchall()
        else:
            rows = self.session.execute(
                select(ArticleLinkFeatures.article_id, ArticleLinkFeatures.event_id, ArticleLinkFeatures.features)
                .where(ArticleLinkFeatures.article_id.in_(list(article_ids)))
                .order_by(ArticleLinkFeatures.article_id)
            )
        return [Candidate(article_id, event_id, parsed_features(features)) for article_id, event_id, features in rows]


_PG_LOCK = "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS s"


def lock_keys(session: Session, keys: Iterable[str]) -> None:
    """PostgreSQL: transaction-scoped advisory locks on the article's retrieval keys, in one sorted order
    (no deadlocks). Two articles that could meet each other's events share a key, so they link one after
    the other and the second sees the event the first opened; articles with nothing in common run in parallel."""
    raw = _pg(session)
    if raw is None:
        return  # SQLite serialises writers itself; the embedded default runs one stage at a time
    hashes = sorted({linking.key_hash(k) for k in keys})
    if hashes:
        raw.execute(_PG_LOCK, (_array(hashes),))


_PG_FILE = (
    "WITH kept AS (INSERT INTO article_link_features (article_id, event_id, day, features, index_keys) "
    "VALUES (%(article)s, %(event)s, %(day)s, %(features)s::json, %(keys)s::json) "
    "ON CONFLICT (article_id) DO UPDATE SET event_id = excluded.event_id, day = excluded.day, features = excluded.features, "
    "index_keys = excluded.index_keys) "
    "INSERT INTO event_index (key_hash, bucket, article_id) SELECT k, %(bucket)s, %(article)s FROM unnest(%(hashes)s::bigint[]) AS k "
    "ON CONFLICT DO NOTHING"
)


def file_article(session: Session, article_id: int, event_id: int, features: ArticleFeatures, keys: Sequence[str]) -> None:
    """Keep the article's features and file it in the inverted index under its telling keys."""
    bucket = linking.bucket_of(features.day)
    hashes = sorted({linking.key_hash(k) for k in keys})
    raw = _pg(session)
    if raw is not None:  # one statement, one round trip
        raw.execute(
            _PG_FILE,
            {"article": article_id, "event": event_id, "day": features.day, "features": _features_json(features),
             "keys": json.dumps(list(keys), separators=(",", ":")), "bucket": bucket, "hashes": _array(hashes)},
        )
        return
    session.execute(
        _insert(session, ArticleLinkFeatures)
        .values(article_id=article_id, event_id=event_id, day=features.day, features=features.to_dict(), index_keys=list(keys))
        .on_conflict_do_update(
            index_elements=["article_id"],
            set_={"event_id": event_id, "day": features.day, "features": features.to_dict(), "index_keys": list(keys)},
        )
    )
    if not hashes:
        return
    rows = [{"key_hash": h, "bucket": bucket, "article_id": article_id} for h in hashes]
    # executemany of one cached statement, not a (re-compiled) multi-row VALUES
    session.connection().execute(_insert(session, EventIndexEntry).on_conflict_do_nothing(), rows)


_PG_COUNT = (
    "INSERT INTO term_frequencies (key_hash, df) SELECT k, 1 FROM unnest(%s::bigint[]) AS k ORDER BY k "
    "ON CONFLICT (key_hash) DO UPDATE SET df = term_frequencies.df + 1"
)


def count_document(session: Session, article_id: int, keys: Iterable[str]) -> None:
    """Add one document to the frequencies (its own short transaction, keys in sorted order)."""
    hashes = sorted({linking.key_hash(k) for k in keys} | {article_id % COUNT_SHARDS})
    raw = _pg(session)
    if raw is not None:  # one statement; rows are taken in sorted order (no deadlocks)
        raw.execute(_PG_COUNT, (_array(hashes),))
        return
    statement = _insert(session, TermFrequency)
    statement = statement.on_conflict_do_update(index_elements=["key_hash"], set_={"df": TermFrequency.df + 1})
    session.connection().execute(statement, [{"key_hash": h, "df": 1} for h in hashes])


# --------------------------------------------------------------------------------------------- bulk writes


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, separators=(",", ":"))
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
        features_rows.append({"article_id": article_id, "event_id": event_id, "day": features.day, "features": features.to_dict(), "index_keys": list(keys)})
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
        session.execute(text(
            "INSERT INTO term_frequencies (key_hash, df) SELECT key_hash, df FROM bulk_df "
            "ON CONFLICT (key_hash) DO UPDATE SET df = term_frequencies.df + excluded.df"
        ))
        session.execute(text("DROP TABLE bulk_df"))
        return
    statement = _insert(session, TermFrequency)
    statement = statement.on_conflict_do_update(index_elements=["key_hash"], set_={"df": TermFrequency.df + statement.excluded.df})
    rows = [{"key_hash": h, "df": c} for h, c in sorted(counts.items())]
    for start in range(0, len(rows), 50000):
        session.connection().execute(statement, rows[start : start + 50000])


def _refresh_event(session: Session, event: Event) -> None:
    event.article_count = session.execute(select(func.count()).where(ArticleEvent.event_id == event.id)).scalar_one()
    low, high = session.execute(
        select(func.min(ArticleLinkFeatures.day), func.max(ArticleLinkFeatures.day)).where(
            ArticleLinkFeatures.event_id == event.id, ArticleLinkFeatures.day != linking.UNDATED
        )
    ).one()
    from datetime import datetime

    if low is not None:
        event.date_min, event.date_max = datetime.fromordinal(low), datetime.fromordinal(high)
    event.updated_at = utcnow()


def _lock_events(session: Session, *event_ids: int) -> list[Event]:
    pg = _dialect(session) == "postgresql"
    return [session.get(Event, event_id, with_for_update=pg) for event_id in sorted(set(event_ids))]


def merge_events(session: Session, from_event_id: int, into_event_id: int, *, reason: str, score: float | None = None, rebuild: bool = True) -> int:
    """Merge one event into another: its articles move over, the merge is recorded, the ledger follows.
    Returns the surviving event id."""
    if from_event_id == into_event_id:
        return into_event_id
    locked = {event.id: event for event in _lock_events(session, from_event_id, into_event_id)}
    source, target = locked[from_event_id], locked[into_event_id]
    # idempotent under concurrency: follow merges that happened before we got the locks
    while target.merged_into_id:
        target = session.get(Event, target.merged_into_id)
    if source.merged_into_id:
        return target.id if source.merged_into_id == target.id else merge_events(
            session, _final(session, source.id), target.id, reason=reason, score=score, rebuild=rebuild
        )
    if source.id == target.id:
        return target.id
    session.execute(update(ArticleEvent).where(ArticleEvent.event_id == source.id).values(event_id=target.id))
    session.execute(update(ArticleLinkFeatures).where(ArticleLinkFeatures.event_id == source.id).values(event_id=target.id))
    session.execute(update(Event).where(Event.merged_into_id == source.id).values(merged_into_id=target.id))
    session.add(EventMerge(from_event_id=source.id, into_event_id=target.id, reason=reason, score=score, merged_at=utcnow()))
    changefeed.emit(session, changes.events_merged(source.id, target.id, reason=reason, score=score))
    source.merged_into_id = target.id
    source.article_count = 0
    source.ledger = {"merged_into": target.id}
    target.first_seen = min(target.first_seen, source.first_seen)
    target.last_seen = max(target.last_seen, source.last_seen)
    session.flush()
    _refresh_event(session, target)
    if rebuild:
        changefeed.rebuild_ledger(session, target.id)
    return target.id


def _final(session: Session, event_id: int) -> int:
    event = session.get(Event, event_id)
    while event.merged_into_id:
        event = session.get(Event, event.merged_into_id)
    return event.id


def final_event_id(session: Session, event_id: int) -> int:
    """The event an event id stands for now (following merges)."""
    return _final(session, event_id)


def newest_event_id(session: Session) -> int:
    return int(session.execute(select(func.coalesce(func.max(Event.id), 0))).scalar_one())


class _Excluding(DbIndex):
    def __init__(self, session: Session, article_id: int):
        super().__init__(session)
        self.article_id = article_id

    def candidates(self, keys, day, limit_per_key):
        return [(k, a) for k, a in super().candidates(keys, day, limit_per_key) if a != self.article_id]


class _NothingToRepair(Exception):
    pass


def repair_concurrent_split(session: Session, article_id: int, features: ArticleFeatures, event_id: int, newest_seen: int) -> int | None:
    """The merge pass behind the key locks. An article that opened a new event decides again once its link
    is committed; if it now joins an event that was opened concurrently (after it read the index), the two
    are one event split by the race: merge them. Sequentially this never fires (no event appears between
    the read and the write), so the linker stays deterministic. Returns the surviving event id, if merged."""
    # only an event opened above `newest_seen` by someone else can be merged with: most of the time there is
    # none, and one indexed look-up (once the key locks are held, so that a concurrent linker of a related
    # article has committed) saves the retrieval and scoring
    def lock_then_check(keys) -> None:
        lock_keys(session, keys)
        if not session.execute(select(Event.id).where(Event.id > newest_seen, Event.id != event_id).limit(1)).first():
            raise _NothingToRepair

    try:
        decision, _ = linking.decide(features, _Excluding(session, article_id), lock=lock_then_check)
    except _NothingToRepair:
        return None
    other = decision.event_id
    if other is None or other <= newest_seen:
        return None
    own, other = _final(session, event_id), _final(session, other)
    if own == other:
        return None
    into, source = min(own, other), max(own, other)
    return merge_events(session, source, into, reason=f"concurrent split repaired by article {article_id}", score=decision.score)


def move_article(session: Session, article_id: int, to_event_id: int | None, *, reason: str = "moved by hand") -> int:
    """Move a wrongly linked article to another event (or, with None, to a new event of its own).
    Both events' counts and ledgers follow; the move is recorded. Returns the article's new event id."""
    from storage.models import Article

    link = session.get(ArticleEvent, article_id)
    if link is None:
        raise ValueError(f"article {article_id} is not linked to an event")
    from_event_id = link.event_id
    if to_event_id is None:
        article = session.get(Article, article_id)
        now = utcnow()
        event = Event(headline=article.title, first_seen=now, last_seen=now, profile={"linker": linking.LINKER}, ledger={})
        session.add(event)
        session.flush()
        to_event_id = event.id
    target = session.get(Event, to_event_id)
    if target is None:
        raise ValueError(f"no event {to_event_id}")
    while target.merged_into_id:  # moving to a merged event means moving to where it went
        target = session.get(Event, target.merged_into_id)
    to_event_id = target.id
    if to_event_id == from_event_id:
        return to_event_id
    _lock_events(session, from_event_id, to_event_id)
    link.event_id = to_event_id
    link.decision = "moved"
    link.features = {**(link.features or {}), "moved_from": from_event_id, "move_reason": reason}
    link.linked_at = utcnow()
    session.execute(update(ArticleLinkFeatures).where(ArticleLinkFeatures.article_id == article_id).values(event_id=to_event_id))
    session.add(ArticleMove(article_id=article_id, from_event_id=from_event_id, to_event_id=to_event_id, reason=reason, moved_at=utcnow()))
    changefeed.emit(session, changes.article_moved(article_id, from_event_id, to_event_id, reason=reason))
    session.flush()
    for event_id in (from_event_id, to_event_id):
        event = session.get(Event, event_id)
        _refresh_event(session, event)
        changefeed.rebuild_ledger(session, event_id)
    return to_event_id


def event_history(session: Session, event_id: int) -> dict[str, Any]:
    """Merges into/out of an event and moves of its articles (for display)."""
    merges = session.execute(select(EventMerge).where((EventMerge.into_event_id == event_id) | (EventMerge.from_event_id == event_id))).scalars()
    moves = session.execute(select(ArticleMove).where((ArticleMove.to_event_id == event_id) | (ArticleMove.from_event_id == event_id))).scalars()
    return {
        "merges": [{"from": m.from_event_id, "into": m.into_event_id, "reason": m.reason, "score": m.score, "at": m.merged_at.isoformat()} for m in merges],
        "moves": [{"article": m.article_id, "from": m.from_event_id, "to": m.to_event_id, "reason": m.reason, "at": m.moved_at.isoformat()} for m in moves],
    }
