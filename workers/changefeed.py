"""Sending the change feed on: from the changes table (storage/changefeed.py) to the Redis change stream, and a
nudge to the webhook deliverer.

`publish_pending` is the whole publisher: it reads the stream's last id (a change id: entry `N-0` is change
N), reads the changes after it from the table and XADDs them with their own ids. Redis refuses an id that is
not above the stream's last, so two publishers racing never add a change twice, and a change is never left
out (a reader is shown a change only once none below its id can still commit, storage/changefeed.py: whoever
adds N has read, and tried, everything below N first). Ids are not dense: a stream refilled from the table
starts MAXLEN changes back, counted in rows (`changefeed.newest_but`). Redis down, or a
process killed between its commit and its publish: the next publish (after the next commit anywhere, or the
beat task `claimwire.publish_changes`) catches up from the table. Nothing is lost; only late.

After each commit that wrote changes, `notify` wakes this process's publisher thread (never the committing
thread: the pipeline never waits for Redis or for webhooks), which gathers the commits of the next GATHER_S
into one publish (one statement, storage/changefeed.py `changes_for_stream`), or none when the stream holds this
process's newest change already (another process published it); while committed changes are held back by an
older transaction still running (PostgreSQL, storage/changefeed.py) it publishes again every GATHER_S until they
are out, so the last commits of a burst are not left for the beat task. The stream is capped by length
(CLAIMWIRE_CHANGES_STREAM_MAXLEN, approximate) and by age (CLAIMWIRE_CHANGES_STREAM_MAX_AGE_S, trimmed at most
once a minute); the table keeps everything.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import timedelta

from redis.exceptions import RedisError, ResponseError

from claimwire import jsontext
from claimwire.settings import get_settings
from storage import changefeed
from storage.db import session_scope
from storage.models import utcnow
from workers import metrics, streams
from workers.logs import log

logger = logging.getLogger("claimwire.changefeed")

PUBLISH_BATCH = 500
TRIM_EVERY_S = 60.0
KICK_EVERY_S = 0.5
GATHER_S = 0.25  # a publisher thread publishes at most about this often: one publish (a stream read, a table read,
# one XADD pipeline) for every commit in that time, instead of one per stored article
RETRY_S = 5.0
WEBHOOK_WAKE = threading.Event()  # the in-process webhook deliverer (embedded `claimwire serve`) waits on this
WEBHOOKS_CHECK_S = 5.0
_state = {"pid": None, "thread": None, "trimmed": 0.0, "kicked": -1e9, "checked": -1e9, "any_webhook": False, "held_back": 0, "written": 0}
_wake = threading.Event()


def stream_last_id(client, key: str) -> int:
    """The change id of the stream's last entry ever added (0 when there is no stream)."""
    try:
        last = client.xinfo_stream(key)["last-generated-id"]
    except ResponseError:  # no such key
        return 0
    return int(streams.text(last).split("-", 1)[0])


def entry_fields(change) -> dict[str, str]:
    body = change.to_dict()
    return {"change": jsontext.dumps(body, default=str), "kind": change.kind, "event_id": str(change.event_id or "")}


def publish_pending(limit: int = PUBLISH_BATCH) -> int:
    """Add the changes the stream does not have yet, oldest first; returns how many were added."""
    if not streams.enabled():
        return 0
    settings = get_settings()
    client, key = streams.client(), streams.changes_key()
    added = 0
    while True:
        last = stream_last_id(client, key)
        with session_scope(read_only=True) as session:
            batch = changefeed.changes_for_stream(session, last, limit, settings.changes_stream_maxlen)
        changes, oldest = batch.changes, batch.oldest_held_back
        _state["held_back"] = batch.held_back
        metrics.CHANGES_HELD_BACK_S.set(max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0)
        if not changes:
            break
        with client.pipeline(transaction=False) as pipe:
            for change in changes:
                pipe.xadd(key, entry_fields(change), id=f"{change.id}-0", maxlen=settings.changes_stream_maxlen, approximate=True)
            results = pipe.execute(raise_on_error=False)
        for result in results:
            if isinstance(result, ResponseError):
                if "equal or smaller" not in str(result):
                    raise result
            elif isinstance(result, Exception):
                raise result
            else:
                added += 1
        if len(changes) < limit:
            break
    metrics.CHANGES_PUBLISHED.inc(added)
    _trim_by_age(client, key, settings.changes_stream_max_age_s)
    return added


def _trim_by_age(client, key: str, max_age_s: float) -> None:
    """XTRIM MINID: entries older than MAX_AGE_S go (their `at` read from the stream's head)."""
    now = time.monotonic()
    if now - _state["trimmed"] < TRIM_EVERY_S:
        return
    _state["trimmed"] = now
    cutoff = changefeed.iso_z(utcnow() - timedelta(seconds=max_age_s))
    for _ in range(100):
        entries = client.xrange(key, count=500)
        if not entries:
            return
        young = next((entry_id for entry_id, fields in entries if jsontext.loads(fields[b"change"]).get("at", "") >= cutoff), None)
        if young is not None:
            client.xtrim(key, minid=young)
            return
        last = int(streams.text(entries[-1][0]).split("-", 1)[0])
        client.xtrim(key, minid=f"{last + 1}-0")


def kick_webhooks() -> None:
    """Have the due webhook deliveries made soon: a `claimwire.deliver_webhooks` task through the broker, or the
    in-process deliverer in the embedded mode. At most one task per KICK_EVERY_S from this process: a kick inside
    that window sends one task due at the window's end (an ETA), which covers every kick until then; a kick that
    was simply dropped would leave the burst's last changes undelivered until beat's next run."""
    WEBHOOK_WAKE.set()
    settings = get_settings()
    now = time.monotonic()
    if settings.embedded or now < _state["kicked"] or not _any_webhook():
        return  # a task due at _state["kicked"] runs after this commit: it delivers it
    due_at = max(now, _state["kicked"] + KICK_EVERY_S)
    _state["kicked"] = due_at
    from workers.app import app

    countdown = round(due_at - now, 3)
    app.send_task("claimwire.deliver_webhooks", queue="webhooks", countdown=countdown or None)


def schedule_once(name: str, seconds: float) -> bool:
    """True for the first caller in the next SECONDS (a Redis key that expires then): so that many deliverers
    that each see the same retry ahead schedule one task for it, not one each."""
    import redis

    settings = get_settings()
    try:
        client = redis.Redis.from_url(settings.broker_url, socket_timeout=2, socket_connect_timeout=2)
        try:
            return bool(
                client.set(f"{settings.broker_key_prefix}claimwire:scheduled:{name}", b"1", nx=True, px=max(1, int(seconds * 1000)))
            )
        finally:
            client.close()
    except RedisError:
        return False


def _any_webhook() -> bool:
    """Whether any subscription is active (asked of the database at most every WEBHOOKS_CHECK_S)."""
    from storage import webhooks

    if time.monotonic() - _state["checked"] > WEBHOOKS_CHECK_S:
        with session_scope(read_only=True) as session:
            _state["any_webhook"] = webhooks.count_active(session) > 0
        _state["checked"] = time.monotonic()
    return _state["any_webhook"]


def notify(written: list) -> None:
    """After a commit that wrote changes: wake this process's publisher thread (started on first use)."""
    for change in written:
        metrics.CHANGES_WRITTEN.labels(kind=change.kind).inc()
    if _state["pid"] != os.getpid():
        _state["written"] = 0
    _state["written"] = max([_state["written"], *(change.id or 0 for change in written)])
    if _state["pid"] != os.getpid() or not _state["thread"].is_alive():
        _state["pid"] = os.getpid()
        _state["thread"] = threading.Thread(target=_run, name="change-publisher", daemon=True)
        _state["thread"].start()
    _wake.set()


def _run() -> None:
    while True:
        _wake.wait()
        time.sleep(GATHER_S)  # the commits of the next moment go out in the same publish
        _wake.clear()
        try:
            if _published_by_another():
                _state["held_back"] = 0  # none of this process's changes is: another process's publisher waits for its own
                continue
            publish_pending()
            kick_webhooks()
            if _state["held_back"]:
                _wake.set()  # committed changes an older transaction still hides: publish them once it ends
        except (RedisError, OSError) as error:
            log(logger, logging.WARNING, "change_publish_failed", error=f"{type(error).__name__}: {error}")
            time.sleep(RETRY_S)
            _wake.set()
        except Exception:  # noqa: BLE001 - a publisher that dies would stop publishing from this process
            logger.exception("change_publish_failed")
            time.sleep(RETRY_S)
            _wake.set()


def _published_by_another() -> bool:
    """Whether the stream holds this process's newest change already: another process's publisher read it (whoever
    adds N has read everything below N) and kicked the webhooks after. Then this process's publish, the same reads
    over the same changes, is skipped: with many worker processes each would otherwise read every change."""
    if not streams.enabled() or not _state["written"]:
        return False
    return stream_last_id(streams.client(), streams.changes_key()) >= _state["written"]


def flush(timeout: float = 5.0) -> None:
    """Publish now, in this thread (a short-lived process before it exits: `claimwire ingest`)."""
    try:
        publish_pending()
        kick_webhooks()
    except Exception as error:  # noqa: BLE001 - the table has them: the next publisher catches up
        log(logger, logging.WARNING, "change_publish_failed", error=f"{type(error).__name__}: {error}")


changefeed.AFTER_COMMIT.append(notify)
