"""The change feed's table: changes written in the transaction of the write they describe (an outbox).

A writer calls `emit(session, change, ...)`; the changes are inserted when the session commits (a
`before_commit` hook), after everything else the transaction wrote has been flushed, so that a change row
exists exactly when the write it describes does. On PostgreSQL the insert first takes one transaction-level
advisory lock (held until commit), so change ids are handed out in commit order: a reader that has seen id N
has seen every change below N, and `id > N` resumes without a gap. The lock is the last one a transaction
takes (and the table has no foreign keys, whose checks would lock the rows they point at), so it cannot
close a cycle of waits. SQLite has one writer at a time anyway.

After the commit, the callbacks in `AFTER_COMMIT` are called with the changes written, ids given (the
publisher to the Redis stream and the webhook kick, workers/changefeed.py); they must not raise. Those in
`LOCK_HELD` are called with the seconds the advisory lock was held, from getting it to the end of the commit
(the metric of it, workers/changefeed.py): the one part of a store that only one worker at a time can do.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from claimwire import changes
from claimwire.changes import Change
from storage.models import ChangeRecord, Event, utcnow

logger = logging.getLogger("claimwire.changes")

CHANGES_LOCK = 0x636C_6368_6E67  # pg_advisory_xact_lock key of the change feed ("clchng")
_PENDING = "claimwire.pending_changes"
_WRITTEN = "claimwire.written_change_id"
_LOCKED_AT = "claimwire.change_lock_taken"
AFTER_COMMIT: list[Callable[[list[Change]], None]] = []
LOCK_HELD: list[Callable[[float], None]] = []
_TABLE = ChangeRecord.__table__
_INSERT = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)


def emit(session: Session, *changes: Change) -> None:
    """Write CHANGES with the session's transaction (when it commits; nothing if it rolls back)."""
    if changes:
        session.info.setdefault(_PENDING, []).extend(changes)


def iso_z(moment) -> str:
    return moment.isoformat(timespec="milliseconds") + "Z"


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending: list[Change] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # everything else first: after the lock, this transaction takes no other lock
    if session.get_bind().dialect.name == "postgresql":
        _write_pg(session, pending)
        return
    now = utcnow()
    rows = [{"kind": c.kind, "event_id": c.event_id, "article_id": c.article_id, "data": c.data, "created_at": now} for c in pending]
    ids = list(session.execute(_INSERT, rows).scalars())
    _written(session, pending, ids, now)


# PostgreSQL: the lock and the insert in one statement (the rows' ids are drawn once the lock is held: the lock is
# taken in the join that feeds them); with LEDGER, the event's ledger in the same statement (its row is locked already)
_PG_INSERT = (
    "{ledger}INSERT INTO changes (kind, event_id, article_id, data, created_at) "
    "SELECT c.kind, c.event_id, c.article_id, c.data, %(now)s FROM (SELECT pg_advisory_xact_lock(%(key)s)) AS l, "
    "json_populate_recordset(NULL::changes, %(changes)s::json) WITH ORDINALITY AS c ORDER BY c.ordinality RETURNING id"
)
_PG_LEDGER = "WITH ledger AS (UPDATE events SET ledger = %(ledger)s::json, updated_at = %(now)s WHERE id = %(event)s) "


def _write_pg(session: Session, pending: list[Change], ledger: tuple[int, dict] | None = None) -> None:
    now = utcnow()
    rows = [{"kind": c.kind, "event_id": c.event_id, "article_id": c.article_id, "data": c.data} for c in pending]
    params = {"now": now, "key": CHANGES_LOCK, "changes": json.dumps(rows)}  # `data` as the ORM writes a JSON column
    if ledger is not None:
        params.update(event=ledger[0], ledger=json.dumps(ledger[1]))
    raw = session.connection().connection.driver_connection
    ids = sorted(row[0] for row in raw.execute(_PG_INSERT.format(ledger=_PG_LEDGER if ledger else ""), params).fetchall())
    session.info[_LOCKED_AT] = time.perf_counter()  # held from here (the statement that took it is its insert) to commit
    _written(session, pending, ids, now)


def _written(session: Session, pending: list[Change], ids: Sequence[int], now) -> None:
    for change, change_id in zip(pending, ids):
        change.id, change.at = change_id, iso_z(now)
    session.info[_WRITTEN] = pending


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    locked_at = session.info.pop(_LOCKED_AT, None)
    if locked_at is not None:
        held = time.perf_counter() - locked_at
        for observe in LOCK_HELD:
            observe(held)
    written = session.info.pop(_WRITTEN, None)
    if written is None:
        return
    for callback in AFTER_COMMIT:
        try:
            callback(written)
        except Exception:  # noqa: BLE001 - the write is committed; publishing catches up later
            logger.exception("change_callback_failed")


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_WRITTEN, None)
    session.info.pop(_LOCKED_AT, None)


@dataclass(slots=True)
class Arrival:
    """The article a store brings into its event's ledger, with its link (the linker's decision and score)."""

    article_id: int
    decision: str
    score: float
    title: str | None
    url: str | None


def rebuild_ledger(session: Session, event_id: int, *, arrival: Arrival | None = None, old: dict | None = None) -> dict:
    """Rebuild an event's ledger (storage/repository.py) from its stored articles and emit what changed in it
    (claimwire/changes.py). With ARRIVAL (the store stage), first its link: `event.opened` when it is the first
    article of the event's ledger, else `article.linked`; the link and the ledger's changes it brings are then
    one step of the feed, in the order articles are stored (in-process: receipt order; through the workers: the
    order they finish in, docs/SCALING.md). OLD: the ledger before, when the caller has read it already.

    With ARRIVAL on PostgreSQL, the ledger and the changes are written at once, in one statement that takes the
    change feed's lock: the caller commits right after (it takes no other lock)."""
    from storage import repository

    if old is None:
        old = session.execute(select(Event.ledger).where(Event.id == event_id)).scalar_one_or_none()
    new = repository.event_ledger(session, event_id, stored_only=True)
    if arrival is not None:
        link = {"score": arrival.score, "title": arrival.title, "url": arrival.url}
        opened = not (old or {}).get("articles")
        emit(
            session,
            changes.event_opened(event_id, arrival.article_id, **link)
            if opened
            else changes.article_linked(event_id, arrival.article_id, decision=arrival.decision, **link),
        )
    emit(session, *changes.diff_ledgers(old, new, event_id=event_id, article_id=arrival.article_id if arrival else None))
    if arrival is not None and session.get_bind().dialect.name == "postgresql":
        session.flush()
        _write_pg(session, session.info.pop(_PENDING), (event_id, new))
    else:
        repository.store_ledger(session, event_id, new)
    return new


# --- reading -------------------------------------------------------------------------------------------


def as_change(row) -> Change:
    """A change from its row (a ChangeRecord, or a row of the table's columns)."""
    return Change(row.kind, row.event_id, row.data or {}, row.article_id, row.id, iso_z(row.created_at))


def read_changes(
    session: Session,
    after: int = 0,
    limit: int = 100,
    *,
    up_to: int | None = None,
    event_ids: Sequence[int] | None = None,
    kinds: Iterable[str] | None = None,
) -> tuple[list[Change], int]:
    """Changes with id > AFTER (and <= UP_TO), oldest first, of these events (a merge: either side) and kinds;
    with the last id looked at (resume after it: a filter may have left out the rows up to it)."""
    table = _TABLE  # rows of the table's columns (Core), not ORM objects: the publisher reads every change once
    query = select(table.c.id, table.c.kind, table.c.event_id, table.c.article_id, table.c.data, table.c.created_at)
    query = query.where(table.c.id > after)
    if up_to is not None:
        query = query.where(table.c.id <= up_to)
    if event_ids:
        query = query.where(table.c.event_id.in_(list(event_ids)) | (table.c.kind == "events.merged"))
    kinds = list(kinds or ())
    if kinds:
        query = query.where(table.c.kind.in_(kinds))
    rows = session.execute(query.order_by(table.c.id).limit(limit)).all()
    changes = [as_change(row) for row in rows]
    if event_ids:  # a merge names its other event in its data
        wanted = set(event_ids)
        changes = [c for c in changes if c.kind != "events.merged" or wanted & {c.event_id, c.data.get("from_event_id")}]
    if len(rows) < limit and up_to is not None:
        return changes, max(after, up_to)  # nothing else up to UP_TO passes the filter
    return changes, rows[-1].id if rows else after


def latest_change_id(session: Session) -> int:
    return session.execute(select(func.max(_TABLE.c.id))).scalar_one() or 0
