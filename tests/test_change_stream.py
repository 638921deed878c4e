"""The Redis change stream: filled from the change table after each commit, caught up after Redis was down,
never a change twice, capped by length and age."""

from __future__ import annotations

import json
import threading

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
