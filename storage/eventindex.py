"""The linker's index in the database, shared by all workers: nothing is held in worker memory.

    article_link_features  per linked article: its features, date and current event (scored for candidates)
    event_index            inverted index: (key hash, week bucket, article id), primary key = the lookup order
    term_frequencies       document frequency per key hash, updated incrementally, of the keys whose frequencies
                           scoring reads (`linking.counted_keys`); hashes 0..15 hold a sharded document count
                           (sharded so that concurrent linkers do not queue on one row)
    counted_documents      the articles counted in term_frequencies (each is counted once)

Retrieval reads, for each of the article's telling keys, only the newest POSTINGS_PER_KEY postings inside
the key's time window (one index range scan per key, all in one UNION ALL statement), so its cost does not
grow with the number of stored events.

Merging events and moving articles: storage/eventmerges.py; bulk writes of the benches: storage/bulkwrite.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from claimwire import jsontext, linkfeatures, linking
from claimwire.linking import ArticleFeatures, Candidate
from storage.db import driver_connection, session_scope, stage_autocommit
from storage.models import ArticleLinkFeatures, CountedDocument, Event, EventIndexEntry, TermFrequency

COUNT_SHARDS = linking.RESERVED_HASHES
_CHUNK = 500
NO_BOUND = 1 << 62  # DbIndex without `below`: every article
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


def features_json(features: ArticleFeatures) -> str:
    """An article's features as stored (compact JSON)."""
    return jsontext.dumps(features.to_dict())


def key_hashes(keys: Iterable[str]) -> str:
    """The hashes of KEYS, sorted, as PostgreSQL's array text (the postings filed under them)."""
    return _array(sorted({linking.key_hash(k) for k in keys}))


_PARSED: dict[str, ArticleFeatures] = {}


def parsed_features(stored: str | Mapping[str, Any]) -> ArticleFeatures:
    """An article's features from their stored JSON text. The same text gives the same (immutable) features,
    so they are parsed once per process: a candidate is scored against many later articles."""
    if not isinstance(stored, str):
        return ArticleFeatures.from_dict(stored)
    found = _PARSED.get(stored)
    return _keep(stored, ArticleFeatures.from_dict(jsontext.loads(stored)) if found is None else found)


def remember_features(stored: str, features: ArticleFeatures) -> None:
    """Keep an article's own features, filed as STORED, for `parsed_features`: the shape the link stage made of
    them serves again when the article is a later article's candidate in this process (as they are parsed back;
    its keys interned, as `ArticleFeatures.from_dict` interns them)."""
    _keep(stored, ArticleFeatures(linkfeatures.interned(features.keys), features.day, features.dates, shape=features.shape))


def _keep(stored: str, features: ArticleFeatures) -> ArticleFeatures:
    """FEATURES as the most recently used entry of the cache under STORED (the least recently used goes when full)."""
    _PARSED.pop(stored, None)
    if len(_PARSED) >= FEATURE_CACHE:
        del _PARSED[next(iter(_PARSED))]
    _PARSED[stored] = features
    return features


_PG_DF = "SELECT key_hash, df FROM term_frequencies WHERE key_hash = ANY(%s::bigint[])"
# with the newest event id (key hash -1: no key has it), read in the same snapshot
_PG_DF_NEWEST = _PG_DF + " UNION ALL SELECT -1, coalesce(max(id), 0) FROM events"
# the frequencies as of the articles received before BELOW, in one statement: rows of (kind, a, b, text) with kind
# _FREQUENCY (a key hash, its count) or _LATER (a linked article from BELOW on, its features), nearest first
_FREQUENCY, _LATER = 1, 2
_PG_FREQUENCIES_BEFORE = (
    f"SELECT {_FREQUENCY}, key_hash, df::bigint, NULL::text FROM term_frequencies WHERE key_hash = ANY(%(df_hashes)s::bigint[]) "
    f"UNION ALL (SELECT {_LATER}, article_id, NULL::bigint, features::text FROM article_link_features WHERE article_id >= %(below)s "
    "ORDER BY article_id LIMIT %(later)s)"
)
_PG_CANDIDATES = (
    "SELECT q.n, e.article_id FROM unnest(%(hashes)s::bigint[], %(low)s::int[], %(high)s::int[]) WITH ORDINALITY AS q(h, lo, hi, n) "
    "CROSS JOIN LATERAL (SELECT article_id FROM event_index WHERE key_hash = q.h AND bucket BETWEEN q.lo AND q.hi "
    "AND article_id < %(below)s ORDER BY bucket DESC, article_id DESC LIMIT %(limit)s) AS e"
)
# articles with no date of their own are filed in bucket 0: looked up too for keys whose window excludes it
_PG_CANDIDATES_UNDATED = (
    " UNION ALL SELECT q.n, e.article_id FROM unnest(%(undated)s::bigint[], %(numbers)s::bigint[]) AS q(h, n) "
    f"CROSS JOIN LATERAL (SELECT article_id FROM event_index WHERE key_hash = q.h AND bucket = {linking.UNDATED} "
    "AND article_id < %(below)s ORDER BY article_id DESC LIMIT %(limit)s) AS e"
)
_PG_LOAD = "SELECT article_id, event_id, features::text FROM article_link_features WHERE article_id = ANY(%s::bigint[]) ORDER BY article_id"
# the postings' votes summed in SQL as `linking.rank_candidates` sums them (float8 sums of `linking.vote`s: exact, so
# in any order the same: a hashed aggregate, not a sort per article), the RANKED articles with the most, with their
# features: rows (article, event, features)
_PG_RANKED = (
    "SELECT r.article_id, f.event_id, f.features::text FROM (SELECT p.article_id, "
    "sum(w.weight) AS votes FROM ({postings}) AS p JOIN unnest(%(key_weights)s::float8[]) "
    "WITH ORDINALITY AS w(weight, n) ON w.n = p.n GROUP BY p.article_id ORDER BY votes DESC, p.article_id DESC "
    "LIMIT %(ranked)s) AS r LEFT JOIN article_link_features AS f ON f.article_id = r.article_id"
)


def _postings_statement(keys: Sequence[str], day: int, limit_per_key: int, below: int) -> tuple[str, dict]:
    """The statement reading the newest postings of each key in its window (rows of the key's number from 1, article)."""
    hashes, lows, highs, undated, numbers = [], [], [], [], []
    for number, key in enumerate(keys, 1):
        low, high = linking.bucket_range(key, day)
        hashes.append(linking.key_hash(key))
        lows.append(low)
        highs.append(high)
        if low > linking.UNDATED:
            undated.append(hashes[-1])
            numbers.append(number)
    params = {"hashes": _array(hashes), "low": _array(lows), "high": _array(highs), "limit": int(limit_per_key), "below": below}
    statement = _PG_CANDIDATES
    if undated:
        params.update(undated=_array(undated), numbers=_array(numbers))
        statement += _PG_CANDIDATES_UNDATED
    return statement, params


class DbIndex:
    """`claimwire.linking.LinkIndex` over the database tables, within the caller's session/transaction.

    NEWEST: `document_frequencies` also reads the newest event id, in the same statement (`newest_event`).
    BELOW: retrieve only articles received before this id (lower ids), as an in-process run would see them
    whatever was linked first (tasks/link.py)."""

    def __init__(self, session: Session, *, newest: bool = False, below: int | None = None):
        self.session = session
        self.newest = newest
        self.newest_event: int | None = None
        self.below = NO_BOUND if below is None else int(below)

    def document_frequencies(self, keys: Iterable[str]) -> tuple[dict[str, int], int]:
        """One indexed lookup: the keys' rows and the sharded document count (hashes 0..15) together. With
        BELOW: as of the articles received before it (`_before`)."""
        by_hash: dict[int, str] = {linking.key_hash(k): k for k in keys}
        raw = _pg(self.session)
        if raw is not None and self.below != NO_BOUND and not self.newest:  # one statement with the later articles
            rows = raw.execute(_PG_FREQUENCIES_BEFORE, self._before_params(by_hash)).fetchall()
            return self._before_rows(by_hash, rows)
        found, documents = self._counted(by_hash)
        if self.below != NO_BOUND:
            found, documents = self._before(found, documents)
        return found, documents

    def _before_params(self, by_hash: Mapping[int, str]) -> dict:
        return {"df_hashes": _array([*range(COUNT_SHARDS), *sorted(by_hash)]), "below": self.below, "later": LATER_LIMIT}

    def _before_rows(self, by_hash: Mapping[int, str], rows) -> tuple[dict[str, int], int]:
        """`_counted` then `_before`, from the rows of _PG_FREQUENCIES_BEFORE (kind _FREQUENCY and _LATER)."""
        found: dict[str, int] = {}
        documents = 0
        later = []
        for kind, number, df, stored in rows:
            if kind == _LATER:
                later.append(parsed_features(stored))
            elif kind == _FREQUENCY and number >= COUNT_SHARDS:
                found[by_hash[number]] = df
            elif kind == _FREQUENCY:
                documents += df
        for features in later:
            documents -= 1
            for key in features.keys & found.keys():
                found[key] -= 1
        return {k: df for k, df in found.items() if df > 0}, max(0, documents)

    def _counted(self, by_hash: dict[int, str]) -> tuple[dict[str, int], int]:
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
            for key_hash_, df in self.session.execute(
                select(TermFrequency.key_hash, TermFrequency.df).where(TermFrequency.key_hash.in_(chunk))
            ):
                if 0 <= key_hash_ < COUNT_SHARDS:
                    documents += df
                else:
                    found[by_hash[key_hash_]] = df
        if self.newest:
            self.newest_event = newest_event_id(self.session)
        return found, int(documents)

    def _before(self, found: dict[str, int], documents: int) -> tuple[dict[str, int], int]:
        """The counts less the articles received from BELOW on that are linked (and counted) already: the
        frequencies the in-process run reads, where no later article is linked yet. (An earlier article not
        linked yet is missing from them; when it is linked, the later articles that share a key with it are
        decided again: tasks/link.py.)"""
        for _, features in linked_from(self.session, self.below):
            documents -= 1
            for key in features.keys & found.keys():
                found[key] -= 1
        return {k: df for k, df in found.items() if df > 0}, max(0, documents)

    def candidates(self, keys: Sequence[str], day: int, limit_per_key: int) -> list[tuple[str, int]]:
        if not keys:
            return []
        raw = _pg(self.session)
        if raw is not None:  # one statement of fixed text: a LATERAL index range scan per key
            statement, params = _postings_statement(keys, day, limit_per_key, self.below)
            rows = raw.execute(statement, params).fetchall()
            return sorted((keys[n - 1], article_id) for n, article_id in rows)
        parts, params, names = [], {}, {}
        for number, key in enumerate(keys):
            low, high = linking.bucket_range(key, day)
            params.update({f"k{number}": linking.key_hash(key), f"lo{number}": low, f"hi{number}": high, "below": self.below})
            names[number] = key
            parts.append(
                f"SELECT * FROM (SELECT {number} AS n, article_id FROM event_index WHERE key_hash = :k{number} "
                f"AND bucket BETWEEN :lo{number} AND :hi{number} AND article_id < :below ORDER BY bucket DESC, article_id DESC LIMIT {int(limit_per_key)}) AS q{number}"
            )
            if low > linking.UNDATED:  # articles with no date of their own are filed in bucket 0
                parts.append(
                    f"SELECT * FROM (SELECT {number} AS n, article_id FROM event_index WHERE key_hash = :k{number} "
                    f"AND bucket = {linking.UNDATED} AND article_id < :below ORDER BY article_id DESC LIMIT {int(limit_per_key)}) AS u{number}"
                )
        rows = self.session.execute(text(" UNION ALL ".join(parts)), params)
        return sorted((names[n], article_id) for n, article_id in rows)

    def ranked_candidates(
        self, keys: Sequence[str], day: int, limit_per_key: int, key_weights: Sequence[float], limit: int
    ) -> tuple[list[Candidate], int] | None:
        """`linking.rank_candidates` in the postings' statement (PostgreSQL; None elsewhere): the LIMIT articles whose
        postings under KEYS weigh the most (KEY_WEIGHTS: `linking.vote`s, whose sums are exact in any order, so the
        same sums; ties: the newest), loaded, and how many were ranked. One round trip and 40 rows, not the postings
        (up to 40 a key) and a second statement for the features."""
        raw = _pg(self.session)
        if raw is None:
            return None
        if not keys:
            return [], 0
        statement, params = _postings_statement(keys, day, limit_per_key, self.below)
        params.update(key_weights="{" + ",".join(map(repr, map(float, key_weights))) + "}", ranked=int(limit))
        statement = _PG_RANKED.format(postings=statement)
        rows = raw.execute(statement, params).fetchall()
        loaded = sorted((article_id, event_id, stored) for article_id, event_id, stored in rows if stored is not None)
        return [Candidate(article_id, event_id, parsed_features(stored)) for article_id, event_id, stored in loaded], len(rows)

    def load(self, article_ids: Sequence[int]) -> list[Candidate]:
        """The candidates' features."""
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
_PG_TRY_LOCK = "SELECT bool_and(pg_try_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS s"


def lock_keys(session: Session, keys: Iterable[str]) -> None:
    """PostgreSQL: transaction-scoped advisory locks on the article's retrieval keys, in one sorted order
    (no deadlocks). Two articles that could meet each other's events share a key, so they link one after
    the other and the second sees the event the first opened; articles with nothing in common run in parallel."""
    raw = _pg(session)
    if raw is None:
        return  # SQLite serialises writers itself; the embedded default runs one stage at a time
    hashes = _lock_hashes(keys)
    if hashes:
        raw.execute(_PG_LOCK, (hashes,))


def try_lock_keys(session: Session, keys: Iterable[str]) -> bool:
    """PostgreSQL: take the keys' advisory locks without waiting; False when another transaction holds one.

    For keys wanted after the transaction already holds some: waiting for them there could close a cycle
    with a transaction that holds them and waits for ours (a deadlock), so the caller starts again instead."""
    raw = _pg(session)
    if raw is None:
        return True
    hashes = _lock_hashes(keys)
    return not hashes or bool(raw.execute(_PG_TRY_LOCK, (hashes,)).fetchone()[0])


def _lock_hashes(keys: Iterable[str]) -> str | None:
    """The keys' advisory lock ids as the array literal the lock statements take; None for no keys."""
    hashes = sorted({linking.key_hash(k) for k in keys})
    return _array(hashes) if hashes else None


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
            {
                "article": article_id,
                "event": event_id,
                "day": features.day,
                "features": features_json(features),
                "keys": jsontext.dumps(list(keys)),
                "bucket": bucket,
                "hashes": _array(hashes),
            },
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


# the article recorded as counted, and its keys and count shard added to only when the record is new: an article is
# counted once however often its link runs (a link rolled back after its count, a second delivery beside the first)
_PG_COUNT = (
    "WITH first AS (INSERT INTO counted_documents (article_id) VALUES (%(article)s) ON CONFLICT DO NOTHING RETURNING 1) "
    "INSERT INTO term_frequencies (key_hash, df) SELECT k, 1 FROM unnest(%(hashes)s::bigint[]) AS k "
    "WHERE EXISTS (SELECT 1 FROM first) ORDER BY k "
    "ON CONFLICT (key_hash) DO UPDATE SET df = term_frequencies.df + 1"
)


def _count_hashes(article_id: int, keys: Iterable[str]) -> list[int]:
    """The rows one document adds one to, sorted: its counted keys' (`linking.counted_keys`) and its count shard's."""
    return sorted({linking.key_hash(k) for k in linking.counted_keys(keys)} | {article_id % COUNT_SHARDS})


def count_document(session: Session, article_id: int, keys: Iterable[str]) -> bool:
    """Add one document to the frequencies, once: only the keys whose frequencies are read (`linking.counted_keys`),
    keys in sorted order (no deadlocks). False when the article was counted already (`counted_documents`)."""
    hashes = _count_hashes(article_id, keys)
    raw = _pg(session)
    if raw is not None:  # one statement; rows are taken in sorted order
        return raw.execute(_PG_COUNT, {"article": article_id, "hashes": _array(hashes)}).rowcount > 0
    recorded = session.execute(_insert(session, CountedDocument).values(article_id=article_id).on_conflict_do_nothing())
    if recorded.rowcount != 1:
        return False
    statement = _insert(session, TermFrequency)
    statement = statement.on_conflict_do_update(index_elements=["key_hash"], set_={"df": TermFrequency.df + 1})
    session.connection().execute(statement, [{"key_hash": h, "df": 1} for h in hashes])
    return True


def count_document_now(article_id: int, keys: Iterable[str]) -> bool:
    """`count_document` committed at once: one statement in autocommit on PostgreSQL, a transaction of its own elsewhere."""
    autocommit = stage_autocommit()
    if autocommit is None:
        with session_scope(stage_write=True) as session:
            return count_document(session, article_id, keys)
    with driver_connection(autocommit) as connection:
        return connection.execute(_PG_COUNT, {"article": article_id, "hashes": _array(_count_hashes(article_id, keys))}).rowcount > 0


def newest_event_id(session: Session) -> int:
    return int(session.execute(select(func.coalesce(func.max(Event.id), 0))).scalar_one())


LATER_LIMIT = 500  # linked articles from one id on read by `linked_from` (the nearest in receipt order first)
_PG_LATER = "SELECT article_id, features::text FROM article_link_features WHERE article_id >= %s ORDER BY article_id LIMIT %s"


def linked_from(session: Session, article_id: int, limit: int = LATER_LIMIT) -> list[tuple[int, ArticleFeatures]]:
    """The linked articles received at or after ARTICLE_ID (ids from it on), in receipt order, with their features."""
    raw = _pg(session)
    if raw is not None:
        rows = raw.execute(_PG_LATER, (article_id, limit)).fetchall()
    else:
        rows = session.execute(
            select(ArticleLinkFeatures.article_id, ArticleLinkFeatures.features)
            .where(ArticleLinkFeatures.article_id >= article_id)
            .order_by(ArticleLinkFeatures.article_id)
            .limit(limit)
        ).all()
    return [(int(other), parsed_features(stored)) for other, stored in rows]


def linked_after(session: Session, article_id: int, keys: Iterable[str]) -> list[tuple[int, ArticleFeatures]]:
    """The articles received after ARTICLE_ID (higher ids) that are linked already and have one of KEYS among
    their features' keys, in receipt order: those that could have met it had it been linked first. Read under
    the key locks of ARTICLE_ID, it is every such article linked before it (one that links after it sees it)."""
    wanted = set(keys)
    if not wanted:
        return []
    later = linked_from(session, article_id + 1)
    return [(other, features) for other, features in later if not wanted.isdisjoint(features.keys)]
