"""Receipt-order gates for the stages whose results depend on what came before.

No stage of the pipeline is gated now (`gated` in tasks/pipeline.py); the machinery stays for a stage that
needs it again.

Link is not gated (issue 18): it keeps receipt order without a global lock. Each article is decided under
PostgreSQL advisory locks on its retrieval keys against the articles received before it only (lower ids),
with the document frequencies as of its receipt; an article linked after later ones that share a key with it
has them decided again in receipt order (tasks/link.py, storage/eventmerges.py `redecide_later`). Only
articles that share a key wait for each other; the bound on what may still differ from the in-process run
is in docs/SCALING.md.

Clean is not gated any more: it was, for per-outlet junk learning and duplicate detection by cleaned-text hash,
and both are order-free now (storage/cleaning.py). The original of a duplicate group is the lowest id whatever
order they finish in (an insert-or-find on `content_originals`; a lower id that comes later takes the original's
place, the higher one becomes its duplicate, unless it was already linked: without the link gate a higher id
can be linked before a lower one with the same text is cleaned, and then stays the original — see
docs/SCALING.md). The junk line counts commute (upserts of +1, taken
back on such a swap), and an article's junk decision leaves out what its outlet's later-received articles
counted (claimwire/junk.py counts_before): it depends on the outlet's earlier articles only, less those still
being cleaned at the same moment (docs/SCALING.md gives the bound and the measured difference).

In-process (the embedded default) every article goes through all stages before the next one is received,
so these see exactly the articles received before. With several workers in parallel they would see
whatever happened to finish first, and the results would depend on timing. The gates restore the
in-process semantics, so a deployment gives the same results as an in-process run of the same articles in
the same order, whatever the number of workers:

- a gated stage runs for article N only when no article received before N (lower id) is still waiting
  for that stage (the *head of the line* is the earliest article still waiting);
- a message for a gated stage is a wake-up for the line, whatever article it names. The worker that gets
  the gate's lock (a Redis lock per gate) runs the stage for the head of the line, then for the next head,
  and so on while the head is ready, within one task: no round trip through the broker between two
  articles, and no message waits behind others for its turn. The line's first HEAD_BATCH articles are read
  with one query and run in turn while ready (then the line is read again). After GATE_BATCH_S it hands the
  line on to a fresh message, so that the other stages get their turn on that worker; so it does after a few
  articles when the stage's next stage runs in the same task (tasks/base.py), which then runs them outside
  the lock while another worker carries the line on;
- a message that finds the lock taken marks the line (`dirty`, set *before* it tries the lock) and is
  dropped ("deferred"); the holder reads the mark after it lets go of the lock and looks at the line
  again, so an article that became ready while the holder was finishing is never left waiting;
- every article that becomes ready for a gated stage gets a message (the previous stage hands on to it);
  one that leaves the line otherwise (duplicate, skipped, failed) wakes the gates behind it (`wake`).

A URL article that is still being fetched blocks nobody (network timing is not reproducible anyway): it
takes its place in line when its page arrives. The work after the gate (extraction, linking under its key
locks, the storing of ledgers) is parallel.

What is lost is found again from the database, which is the record of where each article is: the beat
task `claimwire.ordering_sweep` (tasks/sweep.py) re-sends the next stage for every article that has made no progress for
CLAIMWIRE_ORDER_WAIT_S (a message lost with a killed worker or a restarted broker, a stage whose retries
ran out while the database was down), and wakes the gates. Every stage commits with a conditional status
change, so a message sent twice never writes twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from claimwire.settings import get_settings
from storage import articles
from storage.db import session_scope
from tasks.pipeline import PIPELINE, Stage, gates_behind, out_of_line, waiting_for
from workers import metrics
from workers.app import app
from workers.logs import log

logger = logging.getLogger("claimwire.ordering")


@dataclass(frozen=True)
class Gate:
    stage: str
    task: str
    waiting: tuple[str, ...]  # statuses of an article that has not passed this stage yet
    ready: tuple[str, ...]  # statuses in which the stage can run for it
    out_of_line: dict[str, str]  # status -> the source kind whose articles in it hold no place in the line


def _gate(stage: Stage) -> Gate:
    waiting = waiting_for(stage)
    skipped = {status: kind for status in waiting if (kind := out_of_line(status))}
    return Gate(stage.name, stage.task, waiting, stage.accepts, skipped)


GATES = {stage.name: _gate(stage) for stage in PIPELINE if stage.gated}
GATE_BATCH_S = 2.0  # longest one task runs a line before it hands on to a fresh message
WAKE_TTL_S = 30  # a wake-up message for the same head is sent at most once in this time
HEAD_BATCH = 32  # the line's first articles read by one query (line_heads)


def enabled(stage: str) -> bool:
    return stage in GATES


def line_heads(session, gate: Gate, limit: int = 1) -> list:
    """The LIMIT earliest-received articles that have not passed the gate's stage, in line order: rows of (id, status, source_kind, updated_at)."""
    return articles.line_heads(session, gate.waiting, gate.out_of_line, limit)


def _heads(gate: Gate, limit: int) -> list:
    with session_scope() as session:
        return line_heads(session, gate, limit)


def _head(gate: Gate):
    """The head of the gate's line (the earliest-received article that has not passed its stage), or None."""
    heads = _heads(gate, 1)
    return heads[0] if heads else None


# --- Redis: the gate's lock, its dirty mark, wake-up de-duplication ----------------------------------------

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


def _key(*parts) -> str:
    return get_settings().broker_key_prefix + "claimwire:" + ":".join(str(p) for p in parts)


@contextmanager
def holding(stage: str) -> Iterator[None]:
    """Account the time inside as held by STAGE's gate (claimwire_gate_hold_seconds, and the holder's own CPU in
    claimwire_gate_hold_cpu_seconds_total): the serial part of the deployment, since only one worker at a time
    holds a gate, however many workers and hosts there are."""
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        metrics.GATE_HOLD.labels(gate=stage).observe(time.perf_counter() - started)
        metrics.GATE_HOLD_CPU.labels(gate=stage).inc(time.process_time() - cpu_started)


def drive(stage: str, article_id: int, run_one: Callable[[int], str], enough: Callable[[], bool] | None = None) -> str:
    """Run the gated STAGE for the line, from its head, while the head is ready (see the module docstring).

    `run_one(id)` runs the stage for one article and returns its outcome. Returns the outcome for
    ARTICLE_ID when this call ran it, "deferred" when it did not (not its turn, or another worker holds
    the line and will look again). ENOUGH (optional): when it answers True after an article, the line is
    handed on to a fresh message as after GATE_BATCH_S (the caller has work of its own to do outside the lock).
    """
    gate = GATES[stage]
    client = _redis()
    if client is None:  # no Redis: no lock; the conditional status change still keeps each write single
        return _run_line(gate, article_id, run_one, time.monotonic(), lock=None, enough=enough)
    lock_key, dirty_key = _key("gate", stage), _key("gate", stage, "dirty")
    started = time.monotonic()
    outcome = "deferred"
    while True:
        client.set(dirty_key, b"1", ex=3600)  # before trying the lock: a holder that lets go after this sees it
        lock = client.lock(lock_key, timeout=get_settings().gate_lock_s)
        if not lock.acquire(blocking=False):
            return outcome
        with holding(stage):
            try:
                client.delete(dirty_key)
                result = _run_line(gate, article_id, run_one, started, lock=lock, enough=enough)
            finally:
                try:
                    lock.release()
                except Exception:  # noqa: BLE001 - expired: a stage outlived the lock (CLAIMWIRE_GATE_LOCK_S)
                    log(logger, logging.WARNING, "gate_lock_expired", stage=stage, article_id=article_id)
        if result != "deferred":
            outcome = result
        if result == "handed_on" or not client.get(dirty_key):
            return "deferred" if outcome == "handed_on" else outcome
        if time.monotonic() - started > GATE_BATCH_S:  # others keep coming: hand on rather than hold this worker
            app.send_task(gate.task, args=[article_id])
            return outcome


def _run_line(
    gate: Gate, article_id: int, run_one: Callable[[int], str], started: float, lock, enough: Callable[[], bool] | None = None
) -> str:
    """Run the line from its head: the first HEAD_BATCH articles of the line in one query, each in turn while
    ready; then the line is read again. Stops at the first article not ready (its turn has not come), when the
    head did not move, after GATE_BATCH_S or when ENOUGH says so (both hand the line on to a fresh message)."""
    outcome = "deferred"
    last = None
    reacquired = time.monotonic()
    refresh_s = max(0.5, get_settings().gate_lock_s / 10)
    while True:
        heads = _heads(gate, HEAD_BATCH)
        if not heads or heads[0].id == last:  # empty, or the head did not move (run_one left it where it was)
            return outcome
        for head in heads:
            if head.status not in gate.ready:
                return outcome
            if time.monotonic() - started > GATE_BATCH_S or (enough is not None and last is not None and enough()):
                app.send_task(gate.task, args=[head.id])
                return outcome if outcome != "deferred" else "handed_on"
            result = run_one(head.id)
            last = head.id
            if head.id == article_id:
                outcome = result
            if result in ("done", "failed"):  # the article left the line here: the gates behind may open
                wake_after(gate.stage)
            if lock is not None and time.monotonic() - reacquired > refresh_s:
                lock.reacquire()  # the lock runs for CLAIMWIRE_GATE_LOCK_S (less at most a tenth) from the last article's end
                reacquired = time.monotonic()


def wake(stage: str) -> None:
    """Make sure the gate's line is looked at: mark it for the holder, or send a message for a ready head."""
    if not enabled(stage):
        return
    gate = GATES[stage]
    client = _redis()
    if client is not None:
        client.set(_key("gate", stage, "dirty"), b"1", ex=3600)
        if client.exists(_key("gate", stage)):
            return  # the holder reads the mark after it lets go
    head = _head(gate)
    if head is None or head.status not in gate.ready:
        return
    if client is None or client.set(_key("wake", stage, head.id), b"1", nx=True, ex=WAKE_TTL_S):
        app.send_task(gate.task, args=[head.id])


def wake_after(stage: str) -> None:
    """An article left the line at STAGE (duplicate, skipped, failed): wake the gates behind it."""
    for gated in gates_behind(stage):
        if gated != stage:
            try:
                wake(gated)
            except Exception:  # noqa: BLE001 - the sweep finds the line again
                logger.warning("wake failed", exc_info=True)
