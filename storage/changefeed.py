"""The change feed's table: changes written in the transaction of the write they describe (an outbox).

A writer calls `emit(session, change, ...)`; the changes are inserted when the session commits (a
`before_commit` hook), after everything else the transaction wrote has been flushed, so that a change row
exists exactly when the write it describes does.

Ids and resuming (PostgreSQL, no lock): a change's id is its transaction's id (`pg_current_xact_id()`, 64-bit:
no wraparound; it gives the transaction an id if it had none, and the top-level one inside a savepoint) shifted
by ID_BITS, plus its place among the transaction's changes. Ids are unique and grow with
the transaction id, not with commit order, and they are not dense. A reader sees only the changes of
transactions below its snapshot's xmin (`_settled`, in the reading statement): all of those have ended, and a
transaction still running or starting later has an id >= xmin, so every change it may commit has an id above
any the reader has passed. A reader that has seen id N has seen every change below N, and `id > N` resumes
without a gap; a transaction that runs long (anywhere on the server: transaction ids are the server's) delays
what readers see after it, it never makes them skip. A transaction gets its id at its first write, so two
writers of one event could hold ids in the other order than that of the event's lock, which orders the event's
changes: the insert marks each event it names with its transaction id (`events.change_xid`) and writes nothing
when a higher id was there first; `ChangeOrderConflict` then has the work retried (a new, higher id). An
event's changes thus stay in the order they were written. No lock is held for the feed: the events' rows are
locked already by the writers (the ledger's rebuild, merges, moves), which they must be for the check to hold.
SQLite has one writer at a time: its ids come from the table's sequence, in commit order.

After the commit, the callbacks in `AFTER_COMMIT` are called with the changes written, ids given (the
publisher to the Redis stream and the webhook kick, workers/changefeed.py); they must not raise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, func, insert, literal_column, select
from sqlalchemy.orm import Session

from claimwire import changes, jsontext
from claimwire.changes import Change
from claimwire.errors import TransientError
from storage.db import execute_planned
from storage.models import ChangeRecord, Event, utcnow

logger = logging.getLogger("claimwire.changes")

ID_BITS = 16  # PostgreSQL: a change's id is (its transaction's id << ID_BITS) + its place among the transaction's changes
HELD_BACK_COUNTED = 1_000  # the publisher counts the changes held back up to this many (a metric; an index read, not a scan)
PER_TRANSACTION = 1 << ID_BITS  # at most this many changes in one transaction
_PENDING = "claimwire.pending_changes"
_WRITTEN = "claimwire.written_change_id"
_PLACED = "claimwire.changes_placed"  # how many change ids this transaction has drawn so far
AFTER_COMMIT: list[Callable[[list[Change]], None]] = []
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
    session.flush()  # everything else first: the change rows are the transaction's last write
    if session.get_bind().dialect.name == "postgresql":
        _write_pg(session, pending)
        return
    now = utcnow()
    rows = [{"kind": c.kind, "event_id": c.event_id, "article_id": c.article_id, "data": c.data, "created_at": now} for c in pending]
    ids = list(session.execute(_INSERT, rows).scalars())
    _written(session, pending, ids, now)


# PostgreSQL: the change rows, ids drawn from this transaction's id, and each event they name marked with it (with
# LEDGER, the arrival's event's ledger written in the same UPDATE: its row is locked already). When an event's last
# changes were written by a transaction with a higher id (this one got its id first but the event's lock second),
# nothing is written: these changes would sort before the ones they follow; the caller raises, the work is retried
# with a new transaction id (ChangeOrderConflict). The transaction's commit waits for its WAL flush whatever its
# engine's synchronous_commit (storage/db.py stage_engine): a change a reader has seen is never taken back.
_PG_INSERT = (
    "WITH x AS MATERIALIZED (SELECT pg_current_xact_id()::text::bigint AS xid, "
    "set_config('synchronous_commit', 'on', true) AS durable), "
    "later AS MATERIALIZED (SELECT 1 FROM events e, x WHERE e.id = ANY(%(events)s) AND e.change_xid > x.xid), "
    "marked AS (UPDATE events e SET change_xid = x.xid{ledger} FROM x "
    "WHERE e.id = ANY(%(events)s) AND NOT EXISTS (SELECT 1 FROM later)) "
    "INSERT INTO changes (id, kind, event_id, article_id, data, created_at) "
    "SELECT (x.xid << {bits}) + %(placed)s + c.ordinality - 1, c.kind, c.event_id, c.article_id, c.data, %(now)s "
    "FROM x, json_populate_recordset(NULL::changes, %(changes)s::json) WITH ORDINALITY AS c "
    "WHERE NOT EXISTS (SELECT 1 FROM later) ORDER BY c.ordinality RETURNING id"
)
_PG_LEDGER = (
    ", ledger = CASE WHEN e.id = %(event)s THEN %(ledger)s::json ELSE e.ledger END, "
    "updated_at = CASE WHEN e.id = %(event)s THEN %(now)s ELSE e.updated_at END"
)
_PG_STATEMENTS = {with_ledger: _PG_INSERT.format(ledger=_PG_LEDGER if with_ledger else "", bits=ID_BITS) for with_ledger in (False, True)}


class ChangeOrderConflict(TransientError):
    """An event's changes were written by a transaction with a higher id than this one: retry (a new id)."""


def _write_pg(session: Session, pending: list[Change], ledger: tuple[int, dict] | None = None) -> None:
    now = utcnow()
    placed = session.info.get(_PLACED, 0)
    if placed + len(pending) > PER_TRANSACTION:
        raise ValueError(f"{placed + len(pending)} changes in one transaction: at most {PER_TRANSACTION}")
    rows = [{"kind": c.kind, "event_id": c.event_id, "article_id": c.article_id, "data": c.data} for c in pending]
    events = sorted({c.event_id for c in pending if c.event_id is not None} | ({ledger[0]} if ledger else set()))
    params = {"now": now, "changes": jsontext.dumps(rows), "events": events, "placed": placed}  # `data` as the ORM writes JSON
    if ledger is not None:
        params.update(event=ledger[0], ledger=jsontext.dumps(ledger[1]))
    raw = session.connection().connection.driver_connection
    ids = [row[0] for row in execute_planned(raw, _PG_STATEMENTS[ledger is not None], params).fetchall()]
    if len(ids) != len(pending):
        raise ChangeOrderConflict("change_order", f"events {events}: changes written by a later transaction already; this one is retried")
    session.info[_PLACED] = placed + len(ids)
    _written(session, pending, sorted(ids), now)


def _written(session: Session, pending: list[Change], ids: Sequence[int], now) -> None:
    for change, change_id in zip(pending, ids):
        change.id, change.at = change_id, iso_z(now)
    session.info[_WRITTEN] = pending


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_PLACED, None)
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
    session.info.pop(_PLACED, None)


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

    With ARRIVAL on PostgreSQL, the ledger and the changes are written at once, in one statement (the event's row
    is locked already: articles.move_to_stored); the caller commits right after."""
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
    query = query.where(table.c.id > after, *_settled(session))
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


def _settled(session: Session) -> list:
    """PostgreSQL: the condition that keeps a read to the changes no later commit can come before: those of
    transactions below the reading snapshot's xmin (every one of them has ended; any transaction still running, or
    starting later, has an id >= xmin, so its changes' ids are >= xmin << ID_BITS). In the reading statement itself,
    so that the bound and the rows come from one snapshot. SQLite: one writer at a time, ids in commit order."""
    if session.get_bind().dialect.name != "postgresql":
        return []
    return [_TABLE.c.id < _HORIZON]


_HORIZON = literal_column(f"(pg_snapshot_xmin(pg_current_snapshot())::text::bigint << {ID_BITS})")


def latest_change_id(session: Session) -> int:
    """The newest change a reader may pass: every change below it is committed (or never will be)."""
    return session.execute(select(func.max(_TABLE.c.id)).where(*_settled(session))).scalar_one() or 0


def newest_written_id(session: Session) -> int:
    """The newest change committed, settled or not (latest_change_id lags it while an older transaction runs)."""
    return session.execute(select(func.max(_TABLE.c.id))).scalar_one() or 0


@dataclass(frozen=True)
class StreamBatch:
    """What the Redis stream lacks (workers/changefeed.py `publish_pending`), and what readers cannot see yet."""

    changes: list[Change]
    held_back: int  # changes committed that an older transaction still hides (PostgreSQL)
    oldest_held_back: datetime | None


# PostgreSQL: the four reads of `changes_for_stream` in one statement and one snapshot (`c.id < horizon` is `_settled`)
_PG_STREAM_BATCH = (  # bounds as scalar subqueries: index conditions in a generic plan too (a join filter scans the table)
    f"WITH h AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint << {ID_BITS} AS horizon), "
    "start AS MATERIALIZED (SELECT coalesce((SELECT c.id FROM changes c WHERE c.id > %(after)s AND c.id < (SELECT horizon FROM h) "
    "ORDER BY c.id DESC OFFSET %(keep)s LIMIT 1), %(after)s) AS id), "
    "held AS MATERIALIZED (SELECT count(*) AS n, min(o.created_at) AS oldest FROM (SELECT c.created_at FROM changes c "
    f"WHERE c.id >= (SELECT horizon FROM h) ORDER BY c.id LIMIT {HELD_BACK_COUNTED}) AS o), "
    "batch AS MATERIALIZED (SELECT c.id, c.kind, c.event_id, c.article_id, c.data, c.created_at FROM changes c "
    "WHERE c.id > (SELECT id FROM start) AND c.id < (SELECT horizon FROM h) ORDER BY c.id LIMIT %(limit)s) "
    "SELECT held.n, held.oldest, batch.id, batch.kind, batch.event_id, batch.article_id, batch.data, batch.created_at "
    "FROM held LEFT JOIN batch ON true ORDER BY batch.id"
)


def changes_for_stream(session: Session, after: int, limit: int, keep: int) -> StreamBatch:
    """The settled changes after AFTER (the stream's last id), oldest first, at most LIMIT, and none but the newest
    KEEP (a stream lost with its Redis is refilled with those only); with the changes held back. PostgreSQL: one
    statement (the publisher runs it a few times a second in every worker process)."""
    if session.get_bind().dialect.name != "postgresql":
        latest = latest_change_id(session)
        changes, _ = read_changes(session, newest_but(session, after, latest, keep), limit, up_to=latest)
        return StreamBatch(changes, 0, None)
    raw = session.connection().connection.driver_connection
    rows = raw.execute(_PG_STREAM_BATCH, {"after": after, "keep": keep, "limit": limit}).fetchall()
    changes = [
        Change(kind, event_id, data or {}, article_id, change_id, iso_z(created_at))
        for _n, _oldest, change_id, kind, event_id, article_id, data, created_at in rows
        if change_id is not None
    ]
    return StreamBatch(changes, rows[0][0], rows[0][1])


def newest_but(session: Session, after: int, up_to: int, count: int) -> int:
    """The id after which COUNT changes up to UP_TO are left (AFTER when there are no more than that after AFTER):
    where to start to read only the newest COUNT (ids are not dense on PostgreSQL)."""
    query = select(_TABLE.c.id).where(_TABLE.c.id > after, _TABLE.c.id <= up_to).order_by(_TABLE.c.id.desc()).offset(count).limit(1)
    return session.execute(query).scalar_one_or_none() or after
