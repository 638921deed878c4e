"""The article rows as the pipeline reads and moves them: a stage's columns, its conditional status change,
and the articles that made no progress (tasks/sweep.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claimwire import jsontext
from storage.models import Article, ArticleEvent, Event


class NotInStatus(Exception):
    """The article does not exist, or is not in a status the caller acts on."""


class ArticleText(NamedTuple):
    """What extraction and linking read of a cleaned article (not its raw body)."""

    id: int
    title: str | None
    clean_text: str | None
    published_at: datetime | None
    received_at: datetime


def stage_columns(session: Session, article_id: int, accepts: Iterable[str], *columns):
    """COLUMNS (and the status) of an article in one of the statuses ACCEPTS, in one statement: a row."""
    row = session.execute(select(Article.status, *columns).where(Article.id == article_id)).one_or_none()
    if row is None:
        raise NotInStatus(f"article {article_id} does not exist")
    if row.status not in accepts:
        raise NotInStatus(f"article {article_id} is {row.status}")
    return row


def move_status(session: Session, article_id: int, accepts: Iterable[str], status: str, *, returning=None, **values):
    """The conditional status change: STATUS (and VALUES) when the article is in one of ACCEPTS; raises
    NotInStatus when it is not (another delivery moved it on first, or it is gone).

    RETURNING (the name of a column of the articles table): its value is returned, read by the same statement.
    """
    accepts = tuple(accepts)
    table = Article.__table__  # Core, not the ORM's bulk update (a third of the statement's cost); updated_at still follows
    statement = update(table).where(table.c.id == article_id, table.c.status.in_(accepts)).values(status=status, **values)
    if returning is not None:
        row = session.execute(statement.returning(table.c[returning])).one_or_none()
        if row is None:
            raise NotInStatus(f"article {article_id} is not {' or '.join(accepts)} (moved on by another delivery, or gone)")
        return row[0]
    result = session.execute(statement)
    if result.rowcount != 1:
        raise NotInStatus(f"article {article_id} was moved on by another delivery")
    return None


def status_of(session: Session, article_id: int) -> str | None:
    return session.execute(select(Article.status).where(Article.id == article_id)).scalar_one_or_none()


def status_and_error(session: Session, article_id: int):
    """(status, error) of an article."""
    return session.execute(select(Article.status, Article.error).where(Article.id == article_id)).one()


def received_at(session: Session, article_id: int) -> datetime | None:
    return session.execute(select(Article.received_at).where(Article.id == article_id)).scalar_one_or_none()


def updated_at(session: Session, article_id: int) -> datetime:
    return session.execute(select(Article.updated_at).where(Article.id == article_id)).scalar_one()


def stalled(session: Session, statuses: Iterable[str], updated_before: datetime, limit: int) -> list:
    """Articles in STATUSES not changed since UPDATED_BEFORE, oldest first: rows of (id, status, source_kind)."""
    return session.execute(
        select(Article.id, Article.status, Article.source_kind)
        .where(Article.status.in_(tuple(statuses)), Article.updated_at < updated_before)
        .order_by(Article.id)
        .limit(limit)
    ).all()


def lock_article(session: Session, article_id: int) -> None:
    """PostgreSQL: lock the article's row until the transaction ends (its store stage, which moves its status
    with a conditional update, waits until then, and then reads the event it is in by then)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Article.id).where(Article.id == article_id).with_for_update()).first()


class Stored(NamedTuple):
    """An article moved to `stored`, with what its store reads: when it was received, its event (locked) with the
    event's ledger before, and its link."""

    received_at: datetime
    event_id: int
    ledger: dict | None
    decision: str
    score: float
    title: str | None
    url: str | None


_PG_STORE = (
    "UPDATE articles SET status = %(status)s, linked_at = %(now)s, updated_at = %(now)s "
    "WHERE id = %(id)s AND status = ANY(%(accepts)s::varchar[]) RETURNING received_at, title, url"
)
# a statement of its own, after the status change: it waits for a redecision or a merge that holds the article's row
# or its event's. A merge that held the event's row moved the article's link, but the row lock's recheck reads only the
# event's new version, not the link's: an event found merged is looked up again (a new statement sees the moved link).
_PG_LOCK_EVENT = (
    "SELECT e.id, e.ledger::text, ae.decision, ae.score, e.merged_into_id FROM article_events ae "
    "JOIN events e ON e.id = ae.event_id WHERE ae.article_id = %s FOR UPDATE OF e"
)


def move_to_stored(session: Session, article_id: int, accepts: Iterable[str], status: str, now: datetime) -> Stored:
    """The store stage's conditional status change (raises NotInStatus as `move_status`), then the article's event
    locked for its ledger's rebuild (PostgreSQL: one rebuild per event at a time)."""
    if session.get_bind().dialect.name != "postgresql":
        received = move_status(session, article_id, accepts, status, returning="received_at", linked_at=now)
        row = lock_event_of(session, article_id)
        return Stored(received, row.id, row.ledger, row.decision, row.score, row.title, row.url)
    raw = session.connection().connection.driver_connection
    moved = raw.execute(_PG_STORE, {"status": status, "now": now, "id": article_id, "accepts": list(accepts)}).fetchone()
    if moved is None:
        raise NotInStatus(f"article {article_id} is not {' or '.join(accepts)} (moved on by another delivery, or gone)")
    event_id, ledger, decision, score, merged_into = raw.execute(_PG_LOCK_EVENT, (article_id,)).fetchone()
    while merged_into is not None:
        event_id, ledger, decision, score, merged_into = raw.execute(_PG_LOCK_EVENT, (article_id,)).fetchone()
    return Stored(moved[0], event_id, jsontext.loads(ledger) if ledger is not None else None, decision, score, moved[1], moved[2])


def lock_event_of(session: Session, article_id: int):
    """The event an article is linked to, locked for its ledger's rebuild (PostgreSQL: one rebuild per event at a
    time): a row of (id, ledger, decision, score, title, url)."""
    query = (
        select(Event.id, Event.ledger, ArticleEvent.decision, ArticleEvent.score, Article.title, Article.url)
        .join(ArticleEvent, ArticleEvent.event_id == Event.id)
        .join(Article, Article.id == ArticleEvent.article_id)
        .where(ArticleEvent.article_id == article_id)
    )
    postgres = session.get_bind().dialect.name == "postgresql"
    return session.execute(query.with_for_update(of=Event.__table__) if postgres else query).one()
