"""The change feed: written with the writes it describes, read back with resume, never past a change still to commit
(table, API, SSE)."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event, select, text

from claimwire import changes
from claimwire.sources import iter_items
from service.ingest import receive_all
from storage import changefeed, eventmerges
from storage.db import session_scope
from storage.models import Event
from tests.changehelp import check_changes, read_sse, seeds_story, settled_changes
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
def test_a_reader_never_passes_a_change_that_commits_later_on_postgres(pg_url, monkeypatch):
    """Two writers commit in the other order than their ids: the later-drawn change is committed first, yet no
    reader (the table, the API's next_after and latest) sees it or passes the earlier one's id while the earlier
    transaction runs; once that commits, both are read, in id order (resume by `id > last` skips nothing)."""
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    written, release, ids = threading.Event(), threading.Event(), {}

    def hold(_session):  # after the feed's own hook (class-level listeners first): the row is written, not committed
        written.set()
        assert release.wait(20)

    def slow_writer():
        with session_scope() as session:
            change = changes.events_merged(1, 2, reason="slow", score=None)
            changefeed.emit(session, change)
            sa_event.listen(session, "before_commit", hold)
        ids["slow"] = change.id

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        assert written.wait(10)
        with session_scope() as session:
            quick = changes.events_merged(3, 4, reason="quick", score=None)
            changefeed.emit(session, quick)
        with session_scope() as session:  # committed, the quick change is in the table...
            assert changefeed.newest_written_id(session) == quick.id
        time.sleep(0.3)
        with session_scope() as session:  # ...but below no reader's bound while the slow one runs
            found, scanned = changefeed.read_changes(session, 0, 100_000)
            latest = changefeed.latest_change_id(session)
            batch = changefeed.changes_for_stream(session, 0, 500, 100_000)  # the stream publisher's read
        assert found == [] and scanned == 0 and latest == 0
        # held back: one change, with its age (the metric claimwire_changes_held_back_seconds)
        assert batch.changes == [] and batch.held_back == 1 and batch.oldest_held_back is not None
        page = TestClient(build_app()).get("/changes", params={"after": 0}).json()
        assert page == {"changes": [], "next_after": 0, "latest": 0}
    finally:
        release.set()
        thread.join(10)
    assert ids["slow"] < quick.id
    assert [(c.id, c.data["reason"]) for c in settled_changes()] == [(ids["slow"], "slow"), (quick.id, "quick")]


@pytest.mark.services
def test_a_tailing_reader_gets_every_change_of_concurrent_writers_once_on_postgres(pg_url, monkeypatch):
    """Writers commit in whatever order their sleeps give; a reader resuming with `after` from each page's
    next position meanwhile ends with every change, each once, in id order."""
    import random

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    done, seen = threading.Event(), []

    def writer(n: int) -> None:
        rng = random.Random(n)
        for i in range(15):
            with session_scope() as session:
                changefeed.emit(
                    session, *[changes.events_merged(n, i, reason=f"{n}-{i}-{k}", score=None) for k in range(rng.randint(1, 3))]
                )
                sa_event.listen(session, "before_commit", lambda _s, pause=rng.random() / 20: time.sleep(pause))

    def reader() -> None:
        after = 0
        while True:
            finished = done.is_set()
            with session_scope() as session:
                page, after = changefeed.read_changes(session, after, 7)
            seen.extend(c.id for c in page)
            if finished and not page:
                with session_scope() as session:
                    if changefeed.latest_change_id(session) == changefeed.newest_written_id(session) == after:
                        return
            time.sleep(0.005)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    tail = threading.Thread(target=reader)
    for thread in [*threads, tail]:
        thread.start()
    for thread in threads:
        thread.join(60)
    done.set()
    tail.join(60)
    assert not tail.is_alive()
    assert seen == [c.id for c in settled_changes()] and len(seen) == len(set(seen)) and len(seen) >= 60


@pytest.mark.services
def test_an_events_changes_stay_in_the_order_they_were_written_on_postgres(pg_url, monkeypatch):
    """A transaction that got its id first but writes an event's changes after a later one did is refused
    (ChangeOrderConflict, retried by the stages) rather than put its changes before the ones they follow."""
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    with session_scope() as session:
        event = Event(headline="a flood")
        session.add(event)
        session.flush()
        event_id = event.id
    with pytest.raises(changefeed.ChangeOrderConflict):
        with session_scope() as early:
            early.execute(text("SELECT pg_current_xact_id()"))  # its transaction id is drawn first
            with session_scope() as late:
                late.get(Event, event_id, with_for_update=True)
                changefeed.emit(late, changes.article_moved(7, None, event_id, reason="late"))
            early.get(Event, event_id, with_for_update=True)
            changefeed.emit(early, changes.article_moved(8, None, event_id, reason="early"))
    with session_scope() as session:  # the retry: a new transaction id, above the one before
        changefeed.emit(session, changes.article_moved(8, None, event_id, reason="retried"))
    assert [c.data["reason"] for c in settled_changes()] == ["late", "retried"]


@pytest.mark.services
def test_the_stream_publisher_refills_a_lost_stream_with_the_newest_changes_only(pg_url, monkeypatch):
    """Ids are not dense on PostgreSQL: the publisher counts MAXLEN rows back from the newest, not ids."""
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    for n in range(5):
        with session_scope() as session:
            changefeed.emit(
                session, changes.events_merged(n, n + 1, reason="test", score=None), changes.events_merged(n, n + 2, reason="x", score=None)
            )
    ids = [c.id for c in settled_changes()]
    assert len(ids) == 10 and ids == sorted(ids) and ids[1] == ids[0] + 1 and ids[2] - ids[1] >= changefeed.PER_TRANSACTION - 1
    with session_scope() as session:
        assert changefeed.newest_but(session, 0, ids[-1], 3) == ids[-4]
        assert changefeed.newest_but(session, ids[-3], ids[-1], 3) == ids[-3]
        # the publisher's one statement: the same rows as newest_but then read_changes, LIMIT and KEEP both applied
        everything = changefeed.read_changes(session, 0, 100)[0]
        for after, limit, keep, expected in ((0, 100, 3, everything[-3:]), (0, 2, 100, everything[:2]), (ids[-2], 100, 3, everything[-1:])):
            batch = changefeed.changes_for_stream(session, after, limit, keep)
            assert batch.changes == expected and batch.held_back == 0 and batch.oldest_held_back is None
        assert changefeed.changes_for_stream(session, ids[-1], 100, 3).changes == []


@pytest.mark.services
def test_the_stream_publishers_read_stays_on_the_index_under_a_generic_plan_on_postgres(pg_url, monkeypatch):
    """psycopg prepares a statement run five times, and PostgreSQL may then plan it once for any parameters. The
    publisher's read runs a few times a second in every worker: its bounds must stay index conditions in that
    plan too, or each read walks the whole table (it did: 10 ms a read at 6,000 changes, growing with the table)."""
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    rows = 20_000
    with session_scope() as session:
        session.execute(
            text("INSERT INTO changes (id, kind, event_id, article_id, data, created_at) "
                 "SELECT n, 'article_linked', n, n, '{}'::json, now() FROM generate_series(1, :rows) AS n"),
            {"rows": rows},
        )  # fmt: skip
    with session_scope() as session:
        raw = session.connection().connection.driver_connection
        raw.execute("SET plan_cache_mode = force_generic_plan")
        prepared = changefeed._PG_STREAM_BATCH.replace("%(after)s", "$1").replace("%(keep)s", "$2").replace("%(limit)s", "$3")
        raw.execute(f"PREPARE stream_batch (bigint, bigint, bigint) AS {prepared}")
        plan = raw.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE stream_batch ({rows - 10}, 100000, 500)").fetchone()[0]
        top = plan[0]["Plan"]
        assert top["Actual Rows"] == 10
        assert top["Shared Hit Blocks"] + top["Shared Read Blocks"] < 60, top
        assert changefeed.changes_for_stream(session, rows - 10, 500, 100_000).changes[0].id == rows - 9


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
