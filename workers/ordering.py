"""Receipt-order gates for the stages whose results depend on what came before.

Two stages read state that earlier articles leave behind:

- clean: per-outlet junk learning (how many of the outlet's earlier articles had a line) and
  duplicate detection by cleaned-text hash (the earlier article is the original, the later the duplicate);
- link: the event index (an article joins the event of the best-matching *earlier* article).

In-process (the embedded default) every article goes through all stages before the next one is received,
so these see exactly the articles received before. With several workers in parallel they would see
whatever happened to finish first, and the events would depend on timing. The gates restore the
in-process semantics, so a deployment gives the same events and claims as an in-process run of the same
articles in the same order, whatever the number of workers:

- a gated stage runs for article N only when no article received before N (lower id) is still waiting
  for that stage; otherwise the message is dropped ("deferred");
- whenever an article moves past a gated stage (or is finished otherwise: duplicate, skipped, failed), the
  head of the line is looked up and, if it is ready for the stage, the stage is enqueued for it ("kick").

A URL article that is still being fetched blocks nobody (network timing is not reproducible anyway): it
takes its place in line when its page arrives. The work between the gates (extraction, and the bulk of
cleaning across articles of the line) stays parallel; linking is serialised by the gate (and by the
linker's own lock), so the link queue may have any number of consumers.

A head of line that makes no progress for CLAIMWIRE_ORDER_WAIT_S (a lost message) is re-enqueued by the
beat task `claimwire.ordering_sweep`. CLAIMWIRE_ORDERED_STAGES=none turns the gates off.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from claimwire.settings import get_settings
from storage.db import session_scope
from storage.models import Article, ArticleStatus, utcnow
from workers.app import app
from workers.logs import log

logger = logging.getLogger("claimwire.ordering")


@dataclass(frozen=True)
class Gate:
    stage: str
    task: str
    waiting: tuple[str, ...]  # statuses of an article that has not passed this stage yet
    ready: tuple[str, ...]  # statuses in which the stage can run for it


GATES = {
    "clean": Gate("clean", "claimwire.clean", (ArticleStatus.RECEIVED, ArticleStatus.FETCHED), (ArticleStatus.RECEIVED, ArticleStatus.FETCHED)),
    "link": Gate(
        "link",
        "claimwire.link",
        (ArticleStatus.RECEIVED, ArticleStatus.FETCHED, ArticleStatus.CLEANED, ArticleStatus.EXTRACTED),
        (ArticleStatus.EXTRACTED,),
    ),
}
KICK_TTL_S = 300
GATE_LOCK_S = 120  # longest a gated stage may hold its gate
GATE_WAIT_S = 60  # longest a message waits for the gate before it is dropped (and kicked again later)
# which gates an outcome of a stage can open
KICKS = {"clean": ("clean", "link"), "extract": ("link",), "link": ("link",)}
# the task that moves an article on from a status (for the sweep)
NEXT_TASK = {
    ArticleStatus.RECEIVED: "claimwire.clean",
    ArticleStatus.FETCHED: "claimwire.clean",
    ArticleStatus.CLEANED: "claimwire.extract",
    ArticleStatus.EXTRACTED: "claimwire.link",
}


def enabled(stage: str) -> bool:
    stages = get_settings().ordered_stages
    return stage in GATES and stage in stages and "none" not in stages


def head_of_line(session, gate: Gate):
    """The earliest-received article that has not passed the gate's stage: (id, status, source_kind, updated_at) or None.

    One indexed lookup per status (ix_articles_status_id), so the articles already done are never read.
    """
    rows = []
    for status in gate.waiting:
        query = select(Article.id, Article.status, Article.source_kind, Article.updated_at).where(Article.status == status)
        if status == ArticleStatus.RECEIVED:
            query = query.where(Article.source_kind != "url")  # a URL being fetched blocks nobody
        row = session.execute(query.order_by(Article.id).limit(1)).first()
        if row is not None:
            rows.append(row)
    return min(rows, key=lambda row: row.id) if rows else None


def _is_head(stage: str, article_id: int) -> bool:
    with session_scope() as session:
        head = head_of_line(session, GATES[stage])
    return head is None or head.id >= article_id


@contextmanager
def turn(stage: str, article_id: int) -> Iterator[bool]:
    """Yields True when it is this article's turn at the stage, holding the gate's lock while the stage runs.

    Not its turn (an earlier article is still waiting): yields False, and the article may be kicked again
    once it is the head of the line. The lock (a Redis lock per gate, expiring after GATE_LOCK_S) covers
    the whole stage, including any transaction it commits after its status change, so that the next
    article's stage starts from everything the previous one wrote.
    """
    if not enabled(stage):
        yield True
        return
    if not _is_head(stage, article_id):  # the common case for a message that arrived early: no lock needed
        _forget_kick(stage, article_id)
        yield False
        return
    client = _redis()
    lock = client.lock(f"{get_settings().broker_key_prefix}claimwire:gate:{stage}", timeout=GATE_LOCK_S, blocking_timeout=GATE_WAIT_S) if client else None
    if lock is not None and not lock.acquire():
        _forget_kick(stage, article_id)
        yield False
        return
    try:
        if _is_head(stage, article_id):
            yield True
        else:
            _forget_kick(stage, article_id)
            yield False
    finally:
        if lock is not None:
            try:
                lock.release()
            except Exception:  # noqa: BLE001 - expired: the stage outlived GATE_LOCK_S
                log(logger, logging.WARNING, "gate_lock_expired", stage=stage, article_id=article_id)


def may_run(stage: str, article_id: int) -> bool:
    """True when no earlier article is still waiting for this stage (without taking the lock)."""
    return not enabled(stage) or _is_head(stage, article_id)


_redis_clients: dict[str, object] = {}


def _redis():
    settings = get_settings()
    if not settings.broker_url or not settings.broker_url.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis

    client = _redis_clients.get(settings.broker_url)
    if client is None:
        client = _redis_clients[settings.broker_url] = redis.Redis.from_url(settings.broker_url, socket_timeout=5, socket_connect_timeout=5)
    return client


def _kick_key(stage: str, article_id: int) -> str:
    return f"{get_settings().broker_key_prefix}claimwire:kick:{stage}:{article_id}"


def _first_kick(stage: str, article_id: int) -> bool:
    """True the first time (within KICK_TTL_S) that the stage is kicked for this article.

    Every outcome kicks the head of the line, and duplicate deliveries would otherwise multiply the
    kicks (N copies of a message for one article become N copies for the next): a Redis SET NX per
    (stage, article) lets one through. Without a Redis broker every kick goes through.
    """
    client = _redis()
    if client is None:
        return True
    return bool(client.set(_kick_key(stage, article_id), b"1", nx=True, ex=KICK_TTL_S))


def _forget_kick(stage: str, article_id: int) -> None:
    client = _redis()
    if client is not None:
        client.delete(_kick_key(stage, article_id))


def kick(stage: str) -> int | None:
    """Enqueue the gate's stage for the head of the line if it is ready (once); returns its id."""
    gate = GATES[stage]
    with session_scope() as session:
        head = head_of_line(session, gate)
    if head is None or head.status not in gate.ready:
        return None
    if not _first_kick(stage, head.id):
        return None
    app.send_task(gate.task, args=[head.id])
    return head.id


def after_stage(stage: str) -> None:
    """Open whatever gates the outcome of `stage` for some article may have opened."""
    for gated in KICKS.get(stage, ()):
        if enabled(gated):
            kick(gated)


@app.task(name="claimwire.ordering_sweep", ignore_result=True)
def ordering_sweep() -> list[int]:
    """Re-enqueue a head of line that has made no progress for CLAIMWIRE_ORDER_WAIT_S (its message was lost)."""
    settings = get_settings()
    cutoff = utcnow() - timedelta(seconds=settings.order_wait_s)
    resent: list[int] = []
    for stage, gate in GATES.items():
        if not enabled(stage):
            continue
        with session_scope() as session:
            head = head_of_line(session, gate)
        if head is None or head.updated_at is None or head.updated_at > cutoff:
            continue
        task = "claimwire.fetch" if head.status == ArticleStatus.RECEIVED and head.source_kind == "url" else NEXT_TASK[head.status]
        app.send_task(task, args=[head.id])
        resent.append(head.id)
        log(logger, logging.WARNING, "ordering_resent", article_id=head.id, stage=stage, status=head.status, task=task)
    return resent
