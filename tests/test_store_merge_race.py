"""The store stage and a merge of the article's event at once, on PostgreSQL (a flaky drill found it: a stored
article missing from its event's ledger). The store waits for the merge's lock on the event; when it gets it,
the article's link has moved to the surviving event, and that is the ledger the article must be stored into."""

from __future__ import annotations

import threading
import time

import pytest

from storage.db import session_scope
from storage.models import Event
from tests.conftest import apply_env
from tests.test_linking_concurrency import _prepare_seeds

pytestmark = pytest.mark.services


def _ledger_article_ids(event_id: int) -> set[int]:
    with session_scope() as session:
        ledger = session.get(Event, event_id).ledger or {}
    return {entry.get("id") for entry in ledger.get("articles", [])}


def test_an_article_stored_while_its_event_is_merged_lands_in_the_surviving_ledger(pg_url, seeds_dir, monkeypatch):
    from bench import linking as bench_linking
    from storage import eventmerges
    from tasks.link import link_article
    from tasks.store import store_article

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    first, second = bench_linking.insert_articles(_prepare_seeds(seeds_dir)[:2], "extracted")
    for article_id in (first, second):
        link_article(article_id)
    store_article(first)
    with session_scope() as session:
        survivor = eventmerges.final_event_id(session, session.get(eventmerges.ArticleEvent, first).event_id)
        split = eventmerges.move_article(session, second, None, reason="test: its own event")
    assert split != survivor

    stored = threading.Event()
    errors: list[BaseException] = []

    def store_second() -> None:
        try:
            store_article(second)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        stored.set()

    with session_scope() as session:
        eventmerges.merge_events(session, split, survivor, reason="test: one event after all")
        storing = threading.Thread(target=store_second)
        storing.start()
        time.sleep(1.0)  # the store waits for the merge's lock on the event it read the article in
        assert not stored.is_set(), "the store did not wait for the merge"
    storing.join(timeout=30)
    assert stored.is_set() and not errors, errors
    assert _ledger_article_ids(survivor) == {first, second}


def test_an_article_moved_while_its_event_is_merged_leaves_the_surviving_event(pg_url, seeds_dir, monkeypatch):
    from bench import linking as bench_linking
    from storage import eventmerges
    from tasks.link import link_article
    from tasks.store import store_article

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    first, second, third = bench_linking.insert_articles(_prepare_seeds(seeds_dir)[:3], "extracted")
    for article_id in (first, second, third):
        link_article(article_id)
        store_article(article_id)
    with session_scope() as session:
        survivor = eventmerges.final_event_id(session, session.get(eventmerges.ArticleEvent, first).event_id)
        split = eventmerges.move_article(session, second, None, reason="test: its own event")
        elsewhere = eventmerges.move_article(session, third, None, reason="test: another event")
    moved_to: list[int] = []

    def move_second() -> None:
        with session_scope() as session:
            moved_to.append(eventmerges.move_article(session, second, elsewhere, reason="test: moved during a merge"))

    with session_scope() as session:
        eventmerges.merge_events(session, split, survivor, reason="test: one event after all")
        moving = threading.Thread(target=move_second)
        moving.start()
        time.sleep(1.0)
        assert not moved_to, "the move did not wait for the merge"
    moving.join(timeout=30)
    assert moved_to == [elsewhere]
    with session_scope() as session:
        assert session.get(eventmerges.ArticleEvent, second).event_id == elsewhere
    assert _ledger_article_ids(survivor) == {first}
    assert _ledger_article_ids(elsewhere) == {second, third}
