"""The Redis change stream: filled from the change table after each commit, caught up after Redis was down,
never a change twice, capped by length and age."""

from __future__ import annotations

import json
import threading
import time

import pytest
import redis

from claimwire.sources import iter_items
from service.ingest import receive_all
from storage import changefeed
from storage.db import session_scope
from tests.conftest import apply_env
from workers import changefeed as publisher, streams

pytestmark = pytest.mark.services


def table_ids() -> list[int]:
    with session_scope() as session:
        return [c.id for c in changefeed.read_changes(session, 0, 100_000)[0]]


def stream_entries(client) -> list[tuple[str, dict]]:
    return [(entry_id.decode(), json.loads(fields[b"change"])) for entry_id, fields in client.xrange(streams.changes_key())]


def test_a_redis_that_was_down_is_caught_up_from_the_table_each_change_once(sqlite_store, seeds_dir, redis_url, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_STREAM_URL="redis://127.0.0.1:1/0")  # nothing listens there: Redis is down
    receipts = list(receive_all(iter_items([str(seeds_dir)])))
    assert [r.status for r in receipts] == ["stored"] * 5, "the pipeline does not wait for the stream"
    with pytest.raises(redis.exceptions.ConnectionError):
        publisher.publish_pending()
    ids = table_ids()
    assert len(ids) > 40

    apply_env(monkeypatch, CLAIMWIRE_STREAM_URL=redis_url)  # Redis is back
    client = redis.Redis.from_url(redis_url)
    racing = [threading.Thread(target=publisher.publish_pending) for _ in range(3)]  # publishers of several processes at once
    for thread in racing:
        thread.start()
    for thread in racing:
        thread.join()
    assert publisher.publish_pending() == 0, "nothing left"
    entries = stream_entries(client)
    assert [entry_id for entry_id, _ in entries] == [f"{i}-0" for i in ids], "each change once, in order, entry id = change id"
    with session_scope() as session:
        assert [change for _, change in entries] == [c.to_dict() for c in changefeed.read_changes(session, 0, 100_000)[0]]
    fields = client.xrange(streams.changes_key(), count=1)[0][1]
    assert fields[b"kind"] == b"event.opened" and fields[b"event_id"] == str(entries[0][1]["event_id"]).encode()


def test_a_lost_stream_is_refilled_with_its_newest_changes_only(sqlite_store, seeds_dir, redis_url, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_STREAM_URL=redis_url, CLAIMWIRE_CHANGES_STREAM_MAXLEN="10")
    list(receive_all(iter_items([str(seeds_dir / "000_33ae1f9e66d21cca.txt")])))
    publisher.publish_pending()
    client = redis.Redis.from_url(redis_url)
    client.delete(streams.changes_key())  # a Redis restarted without its data
    publisher.publish_pending()  # (or this process's publisher thread, retrying after the test above: same end)
    assert [e for e, _ in stream_entries(client)] == [f"{i}-0" for i in table_ids()[-10:]]
    assert publisher.publish_pending() == 0, "nothing left: the older changes are not added below the newest"


def test_old_entries_are_trimmed_by_age(sqlite_store, seeds_dir, redis_url, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_STREAM_URL=redis_url, CLAIMWIRE_CHANGES_STREAM_MAX_AGE_S="3600")
    list(receive_all(iter_items([str(seeds_dir / "000_33ae1f9e66d21cca.txt")])))
    publisher.publish_pending()
    client = redis.Redis.from_url(redis_url)
    assert client.xlen(streams.changes_key()) == len(table_ids())
    monkeypatch.setitem(publisher._state, "trimmed", 0.0)
    publisher._trim_by_age(client, streams.changes_key(), 3600)
    assert client.xlen(streams.changes_key()) == len(table_ids()), "an hour's changes stay"
    monkeypatch.setitem(publisher._state, "trimmed", 0.0)
    publisher._trim_by_age(client, streams.changes_key(), -1)
    assert client.xlen(streams.changes_key()) == 0, "older than the age cap: gone from the stream"
    assert len(table_ids()) > 0, "the table keeps everything"


def test_changes_held_back_by_an_older_transaction_are_published_once_it_ends(pg_url, redis_url, monkeypatch):
    """PostgreSQL: a commit whose change an older, still running transaction hides wakes the publisher thread, which
    finds nothing to publish yet; when the older transaction ends (it writes no change: nothing notifies), the
    thread publishes the change by itself, well before the beat task would."""
    from sqlalchemy import text

    from claimwire import changes

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None, CLAIMWIRE_STREAM_URL=redis_url)
    client = redis.Redis.from_url(redis_url)
    monkeypatch.setitem(publisher._state, "held_back", 0)
    wait_s = publisher.RETRY_S + 3  # the thread may be waiting out an earlier test's Redis that was down
    with session_scope() as older:  # an older writer (it has a transaction id) still running
        older.execute(text("SELECT pg_current_xact_id()"))
        with session_scope() as session:
            change = changes.events_merged(1, 2, reason="held", score=None)
            changefeed.emit(session, change)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and not publisher._state["held_back"]:
            time.sleep(0.05)
        assert publisher._state["held_back"] == 1 and stream_entries(client) == []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not stream_entries(client):
        time.sleep(0.05)
    assert [entry_id for entry_id, _ in stream_entries(client)] == [f"{change.id}-0"]


def test_a_process_whose_newest_change_another_published_skips_its_own_publish(sqlite_store, seeds_dir, redis_url, monkeypatch):
    """Worker processes each run a publisher: once the stream holds this process's newest change (another process's
    publish read it, and everything below it), this one has nothing of its own to add and reads nothing."""
    apply_env(monkeypatch, CLAIMWIRE_STREAM_URL=redis_url)
    monkeypatch.setattr(changefeed, "AFTER_COMMIT", [])  # no publisher thread of this process racing the test's
    list(receive_all(iter_items([str(seeds_dir / "000_33ae1f9e66d21cca.txt")])))
    ids = table_ids()
    monkeypatch.setitem(publisher._state, "written", ids[-1])  # this process wrote them (notify)
    assert not publisher._published_by_another(), "the stream lacks them: this process publishes"
    publisher.publish_pending()  # another process's publisher, say
    assert publisher._published_by_another()
    monkeypatch.setitem(publisher._state, "written", ids[-1] + 1)  # a newer change of this process, not in the stream
    assert not publisher._published_by_another()
