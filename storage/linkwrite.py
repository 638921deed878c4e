"""The link stage's rows (tasks/link.py): the article's read, and its write in one statement on PostgreSQL — the
conditional status change, the event opened or updated, the article's link, its features and postings in the
index, and the articles received after it that are linked already (`eventindex.linked_after`).

Elsewhere the same through the ORM and Core statements (repository.attach_to_event, eventindex.file_article).
The merges a decision names are made before (storage/eventmerges.py), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from claimwire import jsontext, linking
from claimwire.linking import ArticleFeatures
from storage import articles, eventindex, repository
from storage.models import Article, utcnow


class Linked(NamedTuple):
    event_id: int  # the event the article ended in
    later: list[tuple[int, ArticleFeatures]]  # `eventindex.linked_after`, read under the key locks


_PG_READ = "SELECT status, id, title, clean_text, published_at, received_at FROM articles WHERE id = %s"
_PG_MERGED_INTO = "SELECT merged_into_id FROM events WHERE id = %s"
# MOVE false: the status moved already in this transaction (a second try after the event was merged meanwhile).
# The event is updated only while it is not merged into another (after waiting for its row, the newest version is
# checked): else nothing is linked, and the caller follows the merge and tries again. Its count goes up by one (the
# row is locked: merges and moves count again from the links), unless the article was linked to it already.
_PG_WRITE = """
WITH moved AS (
    UPDATE articles SET status = %(status)s, updated_at = %(now)s
    WHERE id = %(id)s AND status = ANY(%(accepts)s::varchar[]) AND %(move)s
    RETURNING id
), go AS (
    SELECT 1 AS go WHERE EXISTS (SELECT 1 FROM moved) OR NOT %(move)s
), opened AS (
    INSERT INTO events (headline, first_seen, last_seen, date_min, date_max, article_count, profile, ledger, created_at, updated_at)
    SELECT %(title)s, %(now)s, %(now)s, %(when)s, %(when)s, 1, %(profile)s::json, '{}'::json, %(now)s, %(now)s
    FROM go WHERE %(event)s::bigint IS NULL
    RETURNING id
), joined AS (
    UPDATE events SET
        profile = CASE WHEN profile::jsonb @> %(profile)s::jsonb THEN profile
                       ELSE (coalesce(profile::jsonb, '{}'::jsonb) || %(profile)s::jsonb)::json END,
        last_seen = %(now)s,
        date_min = LEAST(date_min, %(when)s),
        date_max = GREATEST(date_max, %(when)s),
        headline = CASE WHEN coalesce(headline, '') = '' AND coalesce(%(title)s, '') <> '' THEN %(title)s ELSE headline END,
        article_count = article_count
            + CASE WHEN EXISTS (SELECT 1 FROM article_events WHERE article_id = %(id)s AND event_id = events.id) THEN 0 ELSE 1 END,
        updated_at = %(now)s
    WHERE id = %(event)s AND merged_into_id IS NULL AND EXISTS (SELECT 1 FROM go)
    RETURNING id
), target AS (
    SELECT id FROM opened UNION ALL SELECT id FROM joined
), link AS (
    INSERT INTO article_events (article_id, event_id, decision, score, features, linker, linked_at)
    SELECT %(id)s, id, %(decision)s, %(score)s, %(decision_features)s::json, %(linker)s, %(now)s FROM target
    ON CONFLICT (article_id) DO UPDATE SET event_id = excluded.event_id, decision = excluded.decision, score = excluded.score,
        features = excluded.features, linker = excluded.linker, linked_at = excluded.linked_at
), kept AS (
    INSERT INTO article_link_features (article_id, event_id, day, features, index_keys)
    SELECT %(id)s, id, %(day)s, %(features)s::json, %(keys)s::json FROM target
    ON CONFLICT (article_id) DO UPDATE SET event_id = excluded.event_id, day = excluded.day, features = excluded.features,
        index_keys = excluded.index_keys
), filed AS (
    INSERT INTO event_index (key_hash, bucket, article_id)
    SELECT k, %(bucket)s, %(id)s FROM unnest(%(hashes)s::bigint[]) AS k WHERE EXISTS (SELECT 1 FROM target)
    ON CONFLICT DO NOTHING
)
SELECT 0, (SELECT count(*) FROM go), (SELECT id FROM target), NULL::text
UNION ALL (SELECT 1, article_id, NULL, features::text FROM article_link_features WHERE article_id > %(id)s ORDER BY article_id LIMIT %(later)s)
"""


def _final_event(raw, event_id: int) -> int:
    """The event EVENT_ID stands for now (following merges), read as committed now."""
    while True:
        merged_into = raw.execute(_PG_MERGED_INTO, (event_id,)).fetchone()[0]
        if merged_into is None:
            return event_id
        event_id = merged_into


def read_for_link(session: Session, article_id: int, accepts: Sequence[str]) -> articles.ArticleText:
    """The article's columns linking reads; raises NotInStatus when it is not in ACCEPTS."""
    raw = eventindex._pg(session)
    if raw is None:
        row = articles.stage_columns(
            session, article_id, accepts, Article.id, Article.title, Article.clean_text, Article.published_at, Article.received_at
        )
        return articles.ArticleText(*row[1:])
    row = raw.execute(_PG_READ, (article_id,)).fetchone()
    if row is None:
        raise articles.NotInStatus(f"article {article_id} does not exist")
    if row[0] not in accepts:
        raise articles.NotInStatus(f"article {article_id} is {row[0]}")
    return articles.ArticleText(*row[1:])


def write_link(
    session: Session,
    article: articles.ArticleText,
    accepts: Sequence[str],
    status: str,
    *,
    event_id: int | None,
    decision: str,
    score: float,
    decision_features: dict[str, Any],
    features: ArticleFeatures,
    keys: Sequence[str],
    when: datetime,
) -> Linked:
    """Move the article to STATUS (raises NotInStatus when it is not in ACCEPTS: nothing is written), link it to
    EVENT_ID (a new event when None; the event it went into when it was merged meanwhile), file it in the index
    under KEYS, and read the articles after it that are linked already and share one of KEYS."""
    profile = {"linker": linking.LINKER}
    raw = eventindex._pg(session)
    if raw is None:
        articles.move_status(session, article.id, accepts, status)
        event_id = repository.attach_to_event(
            session,
            article,
            event_id=event_id,
            decision=decision,
            score=score,
            features=decision_features,
            linker=linking.LINKER,
            profile=profile,
            when=when,
        )
        eventindex.file_article(session, article.id, event_id, features, keys)
        return Linked(event_id, eventindex.linked_after(session, article.id, keys))
    stored_features = eventindex.features_json(features)
    params = {
        "id": article.id,
        "status": status,
        "now": utcnow(),
        "accepts": list(accepts),
        "move": True,
        "title": article.title,
        "when": when,
        "profile": jsontext.dumps(profile),
        "decision": decision,
        "score": score,
        "decision_features": jsontext.dumps(decision_features),  # as the ORM writes a JSON column (storage/db.py)
        "linker": linking.LINKER,
        "day": features.day,
        "features": stored_features,
        "keys": jsontext.dumps(list(keys)),
        "bucket": linking.bucket_of(features.day),
        "hashes": eventindex.key_hashes(keys),
        "later": eventindex.LATER_LIMIT if keys else 0,
    }
    while True:
        rows = raw.execute(_PG_WRITE, {**params, "event": event_id}).fetchall()
        _, went, written, _ = next(row for row in rows if row[0] == 0)
        if not went:
            raise articles.NotInStatus(f"article {article.id} was moved on by another delivery")
        if written is not None:
            break
        event_id = _final_event(raw, event_id)  # merged after the decision: go where it went
        params["move"] = False
    eventindex.remember_features(stored_features, features)
    wanted = set(keys)
    later = [(number, eventindex.parsed_features(stored)) for kind, number, _, stored in rows if kind == 1]
    return Linked(int(written), [(other, found) for other, found in later if not wanted.isdisjoint(found.keys)])
