"""The change feed: written with the writes it describes, in commit order, read back with resume (table, API, SSE)."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event, select

from claimwire import changes
from claimwire.sources import iter_items
from service.ingest import receive_all
from storage import changefeed, eventmerges
from storage.db import session_scope
from storage.models import Event
from tests.changehelp import check_changes, read_sse, seeds_story
from tests.conftest import apply_env
from tests.web_helpers import SIXTH_TEXT, SIXTH_TITLE, SIXTH_URL, build_app, serve


def all_changes() -> list[dict]:
    with session_scope() as session:
        found, _ = changefeed.read_changes(session, 0, 100_000)
    return [c.to_dict() for c in found]


def ingest_seeds(seeds_dir) -> list[int]:
    receipts = list(receive_all(iter_items([str(seeds_dir)])))
    assert [r.status for r in receipts] == ["stored"] * 5
    return [r.article_id for r in receipts]


def test_the_seeds_write_their_story_to_the_change_feed(sqlite_store, seeds_dir):
    article_ids = ingest_seeds(seeds_dir)
    found = all_changes()
    check_changes(found)
    story = seeds_story(found, article_ids)
    assert story["dispute"]["data"]["sources"][0] or story["dispute"]["data"]["sources"][1]
    kinds = {c["kind"] for c in found}
    assert {"figure.added", "quote.added", "headline.changed", "dispute.appeared"} <= kinds
    # ingesting the same articles again changes nothing
    list(receive_all(iter_items([str(seeds_dir)])))
    assert all_changes() == found


def test_nothing_is_written_when_the_transaction_rolls_back(sqlite_store):
    with pytest.raises(RuntimeError):
        with session_scope() as session:
            changefeed.emit(session, changes.events_merged(1, 2, reason="test", score=None))
            raise RuntimeError("the write failed")
    with session_scope() as session:
        changefeed.emit(session, changes.events_merged(3, 4, reason="test", score=None))
    assert [c["data"]["from_event_id"] for c in all_changes()] == [3]


def test_a_merge_and_a_move_are_changes_too(sqlite_store, seeds_dir):
    article_ids = ingest_seeds(seeds_dir)
    with session_scope() as session:
        [event_id] = session.scalars(select(Event.id).where(Event.merged_into_id.is_(None))).all()
    before = all_changes()[-1]["id"]
    with session_scope() as session:
        split = eventmerges.move_article(session, article_ids[0], None, reason="test: wrongly linked")
    with session_scope() as session:
        survivor = eventmerges.merge_events(session, split, event_id, reason="test: one event after all", score=0.95)
    assert survivor == event_id
    after = [c for c in all_changes() if c["id"] > before]
    check_changes(after)
    kinds = [c["kind"] for c in after]
    moved = after[kinds.index("article.moved")]
    assert moved["article_id"] == article_ids[0] and moved["data"] == {
        "from_event_id": event_id,
        "to_event_id": split,
        "reason": "test: wrongly linked",
    }
    # the first article took the commander's 7 with it: the dispute with about 100 is resolved, and appears again after the merge
    assert any(
        c["kind"] == "dispute.resolved" and c["event_id"] == event_id and "7" in c["data"]["values"]
        for c in after[: kinds.index("events.merged")]
    )
    merged = after[kinds.index("events.merged")]
    assert merged["event_id"] == event_id and merged["data"]["from_event_id"] == split and merged["data"]["score"] == 0.95
    assert any(c["kind"] == "dispute.appeared" and c["event_id"] == event_id for c in after[kinds.index("events.merged") :])


def test_the_api_pages_through_the_feed_and_filters_it(sqlite_store, seeds_dir):
    ingest_seeds(seeds_dir)
    found = all_changes()
    client = TestClient(build_app())
    paged, after = [], 0
    while True:
        page = client.get("/changes", params={"after": after, "limit": 7}).json()
        paged += page["changes"]
        if not page["changes"]:
            break
        after = page["next_after"]
        assert page["latest"] == found[-1]["id"]
    assert paged == found
    quotes = client.get("/changes", params={"kind": "quote.added", "limit": 1000}).json()["changes"]
    assert quotes and [c["id"] for c in quotes] == [c["id"] for c in found if c["kind"] == "quote.added"]
    assert client.get("/changes", params={"event_id": found[0]["event_id"] + 1000}).json() == {
        "changes": [],
        "next_after": found[-1]["id"],
        "latest": found[-1]["id"],
    }
    refused = client.get("/changes", params={"kind": "toll.lowered"})
    assert refused.status_code == 422 and refused.json()["error"] == "unknown_kind"


def test_the_event_stream_resumes_after_last_event_id_and_goes_on_live(sqlite_store, seeds_dir, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_API_TOKEN="t")
    ingest_seeds(seeds_dir)
    found = all_changes()
    middle = found[len(found) // 2]["id"]
    with serve(build_app()) as base_url:
        resumed = read_sse(
            f"{base_url}/changes/stream", headers={"Last-Event-ID": str(middle)}, count=len(found) - len(found) // 2 - 1, timeout=20
        )
        assert resumed == [c for c in found if c["id"] > middle]
        by_event = read_sse(f"{base_url}/changes/stream?after=0&kind=article.linked&event_id={found[0]['event_id']}", count=4, timeout=20)
        assert [c["kind"] for c in by_event] == ["article.linked"] * 4

        def post_sixth():  # a new article while the stream is open: its changes arrive live
            threading.Thread(
                target=lambda: TestClient(build_app()).post(
                    "/articles", json={"text": SIXTH_TEXT, "title": SIXTH_TITLE, "url": SIXTH_URL}, headers={"Authorization": "Bearer t"}
                ),
                daemon=True,
            ).start()

        live = read_sse(f"{base_url}/changes/stream", count=2, timeout=60, on_open=post_sixth)
    assert [c["kind"] for c in live][:1] == ["article.linked"] and live[0]["id"] > found[-1]["id"]
    assert live[0]["data"]["title"] == SIXTH_TITLE and live[0]["data"]["url"] == SIXTH_URL


@pytest.mark.services
def test_change_ids_follow_commit_order_on_postgres(pg_url, monkeypatch):
    """A transaction that wrote changes holds the feed's lock until it commits: a later writer waits, so no reader
    ever sees a higher id before a lower one is committed (resume by `id > last` skips nothing)."""
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    started, timings, ids = threading.Event(), {}, {}

    def slow_writer():
        with session_scope() as session:
            change = changes.events_merged(1, 2, reason="slow", score=None)
            changefeed.emit(session, change)
            # runs after the feed's own hook (class-level listeners first): the change row is written, not committed
            sa_event.listen(session, "before_commit", lambda _s: (started.set(), time.sleep(1.5)))
        timings["slow"], ids["slow"] = time.monotonic(), change.id

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert started.wait(10)
    with session_scope() as session:
        quick = changes.events_merged(3, 4, reason="quick", score=None)
        changefeed.emit(session, quick)
    timings["quick"] = time.monotonic()
    thread.join(10)
    assert ids["slow"] < quick.id
    assert timings["quick"] >= timings["slow"] - 0.05, "the second writer committed only after the first"


def test_the_time_the_feed_lock_is_held_is_reported_up_to_the_commit(pg_url, monkeypatch):
    """The feed's lock is the serial part of every store (bench load's serial_ms_by_lock): its hold, from getting
    it to the end of the commit, goes to LOCK_HELD (the metric, workers/changefeed.py); nothing for no change."""
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    held: list[float] = []
    monkeypatch.setattr(changefeed, "LOCK_HELD", [held.append])
    with session_scope() as session:
        changefeed.emit(session, changes.events_merged(1, 2, reason="slow", score=None))
        sa_event.listen(session, "before_commit", lambda _s: time.sleep(0.3))  # after the lock is taken
    with session_scope() as session:
        session.execute(select(Event.id)).all()
    assert len(held) == 1 and held[0] >= 0.3


def test_the_migration_creates_what_the_models_describe(sqlite_store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.db import get_engine
    from storage.models import Base

    with get_engine().connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    mine = {"changes", "webhooks", "webhook_deliveries"}
    about_mine = [d for d in diff if any(name in repr(d) for name in mine)]
    assert about_mine == []
