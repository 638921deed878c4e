"""Several workers linking at once on PostgreSQL: articles on one new event must end in one event."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select, text

from storage.db import session_scope
from storage.models import ArticleEvent, Event
from tests.conftest import REPO, apply_env
from tests.helpers import env_for

pytestmark = pytest.mark.services


def _prepare_seeds(seeds_dir) -> list[dict]:
    from claimwire.cleaning import clean_document

    records = []
    for path in sorted(seeds_dir.glob("*.txt")):
        cleaned = clean_document(path.read_bytes(), content_type="text")
        records.append({"id": path.name, "title": cleaned.title, "published": None, "clean_text": cleaned.text})
    return records


def _link_in_process(database_url: str, article_ids: list[int], start_at: float, results) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("BROKER_URL", None)
    from claimwire.settings import get_settings
    from storage.db import reset_engines

    get_settings.cache_clear()
    reset_engines()
    from tasks.link import link_article

    while time.time() < start_at:
        time.sleep(0.001)
    for article_id in article_ids:
        link_article(article_id)
        results.put(article_id)


@pytest.mark.parametrize("round_", range(3))
def test_two_processes_linking_the_seeds_at_once_make_one_event(pg_url, seeds_dir, monkeypatch, round_):
    """Two worker processes link the five seeds simultaneously (interleaved shares) with the real link stage."""
    from bench import linking as bench_linking

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    ids = bench_linking.insert_articles(_prepare_seeds(seeds_dir), "extracted")
    shares = [ids[round_ % 2 :: 2], ids[1 - round_ % 2 :: 2]]
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 3.0
    workers = [context.Process(target=_link_in_process, args=(pg_url, share, start_at, results)) for share in shares]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    with session_scope() as session:
        linked = session.scalar(select(func.count()).select_from(ArticleEvent))
        events = set(session.scalars(select(ArticleEvent.event_id)))
        open_events = session.scalar(select(func.count()).select_from(Event).where(Event.merged_into_id.is_(None), Event.article_count > 0))
    assert linked == 5
    assert len(events) == 1 and open_events == 1


def test_two_celery_workers_on_postgres_end_with_one_event(pg_url, redis_url, seeds_dir, tmp_path, monkeypatch):
    """The whole pipeline through two real Celery worker processes (each with two children) on PostgreSQL."""
    from tests.test_worker_services import start_worker, stop, wait_until_final

    env = env_for(BROKER_URL=redis_url, DATABASE_URL=pg_url, CLAIMWIRE_HOME=str(tmp_path / "svc"))
    workers = [start_worker(tmp_path, env, name=f"linker{n}", concurrency=2) for n in (1, 2)]
    try:
        queued = subprocess.run(
            [sys.executable, "-m", "service.cli", "ingest", str(seeds_dir)], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
        )
        assert queued.returncode == 0, queued.stderr
        apply_env(monkeypatch, BROKER_URL=redis_url, DATABASE_URL=pg_url)
        wait_until_final(5)
    finally:
        for worker in workers:
            stop(worker)
    with session_scope() as session:
        events = set(session.scalars(select(ArticleEvent.event_id)))
        assert session.scalar(select(func.count()).select_from(ArticleEvent)) == 5
    assert len(events) == 1


def test_keys_a_second_decision_adds_are_taken_without_waiting(pg_url, monkeypatch):
    """The first set of key locks is waited for, all at once in sorted order; keys wanted after that are taken
    without waiting, so a link holding keys never waits for a link that may wait for its own (a deadlock)."""
    from sqlalchemy import text

    from storage import eventindex
    from tasks.link import KeysTaken, _KeyLocks

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    with session_scope() as holder, session_scope() as linker:
        for session in (holder, linker):  # a wait would end in an error other than KeysTaken
            session.execute(text("SET LOCAL lock_timeout = '3s'"))
        eventindex.lock_keys(holder, ["w:second"])
        locks = _KeyLocks(linker)
        locks(["w:first"])
        locks(["w:first"])  # held already: nothing more to take
        with pytest.raises(KeysTaken):
            locks(["w:first", "w:second"])
        assert locks.held == {"w:first"}
        linker.rollback()
        eventindex.lock_keys(holder, ["w:first"])  # released with the linker's transaction
        linker.execute(text("SET LOCAL lock_timeout = '3s'"))
        assert not eventindex.try_lock_keys(linker, ["w:first"])
        assert eventindex.try_lock_keys(linker, ["w:third"])


def test_a_link_whose_keys_were_taken_starts_again_then_is_retried(monkeypatch):
    import tasks.link
    from claimwire.errors import TransientError
    from workers import metrics

    tries = []

    def taken_twice(article_id):
        tries.append(article_id)
        if len(tries) <= 2:
            raise tasks.link.KeysTaken(["w:key"])
        return True

    restarts = metrics.LINK_RESTARTS._value.get()
    monkeypatch.setattr(tasks.link, "_link_once", taken_twice)
    assert tasks.link.link_article(7) is True and tries == [7, 7, 7]
    assert metrics.LINK_RESTARTS._value.get() == restarts + 2

    def always_taken(article_id):
        raise tasks.link.KeysTaken(["w:key"])

    monkeypatch.setattr(tasks.link, "_link_once", always_taken)
    with pytest.raises(TransientError) as raised:
        tasks.link.link_article(7)
    assert raised.value.reason == "lock_conflict"


def test_the_frequencies_are_read_under_the_key_locks(pg_url, monkeypatch):
    """A link whose guessed keys another link holds waits for them, and then reads the frequencies: a shared key
    counted by the other link before its commit is weighed, as the in-process run, where that article came first."""
    import threading

    from claimwire import linking
    from storage import eventindex
    from tasks.link import _KeyLocks

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    article = linking.article_features(
        "Man killed in Englewood shooting", "Darnell Whitfield, 24, was shot on South Halsted Street, Chicago police said.", None
    )
    shared = sorted(set(linking.choose_keys(article, {}, 0).locked()) & set(linking.counted_keys(article.keys)))[0]
    read: list[dict[str, int]] = []

    class Recorded(eventindex.DbIndex):
        def document_frequencies(self, keys):
            found = super().document_frequencies(keys)
            read.append(found[0])
            return found

    def link() -> None:
        with session_scope() as session:
            session.execute(text("SET LOCAL lock_timeout = '10s'"))
            linking.decide(article, Recorded(session, below=1 << 40), lock=_KeyLocks(session), hint=linking.FrequencyHint())

    before = _frequency(shared)
    with session_scope() as holder:
        eventindex.lock_keys(holder, [shared])
        linker = threading.Thread(target=link)
        linker.start()
        time.sleep(0.5)
        assert linker.is_alive() and not read  # waiting for the lock, nothing read yet
        eventindex.count_document_now(1 << 39, {shared})  # the holder's article, counted before its commit
    linker.join(timeout=10)
    assert read and read[0][shared] == before + 1


def _frequency(key: str) -> int:
    from claimwire import linking
    from storage.models import TermFrequency

    with session_scope() as session:
        return int(session.scalar(select(TermFrequency.df).where(TermFrequency.key_hash == linking.key_hash(key))) or 0)


def _documents_counted() -> int:
    """The sharded document count: the sum of term_frequencies' rows 0..15."""
    from storage.eventindex import COUNT_SHARDS
    from storage.models import TermFrequency

    with session_scope() as session:
        return int(session.scalar(select(func.coalesce(func.sum(TermFrequency.df), 0)).where(TermFrequency.key_hash < COUNT_SHARDS)))


def test_a_link_rolled_back_after_its_count_does_not_count_its_article_again(pg_url, seeds_dir, monkeypatch):
    """PostgreSQL counts an article in autocommit just before the link commits; when the link's transaction then fails
    and the link runs again, the frequencies still hold the article once."""
    import tasks.link
    from bench import linking as bench_linking
    from storage.models import TermFrequency

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    ids = bench_linking.insert_articles(_prepare_seeds(seeds_dir), "extracted")
    counted = tasks.link._count

    def count_then_fail(session, article_id, features, concurrent):
        counted(session, article_id, features, concurrent)
        raise ConnectionResetError("the connection dropped before the link's commit")

    monkeypatch.setattr(tasks.link, "_count", count_then_fail)
    with pytest.raises(ConnectionResetError):
        tasks.link.link_article(ids[0])
    assert _documents_counted() == 1
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(ArticleEvent)) == 0  # the link itself rolled back
        once = dict(session.execute(select(TermFrequency.key_hash, TermFrequency.df)).all())
    monkeypatch.setattr(tasks.link, "_count", counted)
    for article_id in ids:
        assert tasks.link.link_article(article_id)
    assert _documents_counted() == len(ids)
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(ArticleEvent)) == len(ids)
        now = dict(session.execute(select(TermFrequency.key_hash, TermFrequency.df)).all())
    assert all(now[key] >= df for key, df in once.items())
    assert max(now.values()) <= len(ids)  # no key holds more documents than there are articles


def test_an_article_is_counted_once_however_often_it_is_counted(pg_url, monkeypatch):
    from claimwire import linking
    from storage import eventindex

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    keys = linking.article_features("Two shot in Chicago", "Two men were shot on the South Side, police said.", None).keys
    assert eventindex.count_document_now(41, keys) is True
    assert eventindex.count_document_now(41, keys) is False  # a second delivery of the same article
    assert eventindex.count_document_now(42, keys) is True
    assert _documents_counted() == 2
    with session_scope() as session:
        found, documents = eventindex.DbIndex(session).document_frequencies(keys)
    assert documents == 2 and found and set(found.values()) == {2}


def test_the_migration_records_the_articles_linked_before_it_as_counted(pg_url, seeds_dir, monkeypatch, tmp_path):
    """Upgrading a store that linked articles before `counted_documents` existed: those articles were counted, so a
    link of one of them that runs again (a retry in flight at the upgrade) adds nothing."""
    import importlib

    from alembic import command

    from claimwire import linking
    from storage import eventindex
    from storage.db import alembic_config, reset_engines
    from tests.test_change_feed import ingest_seeds

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None, CLAIMWIRE_HOME=str(tmp_path / "home"))
    ingest_seeds(seeds_dir)
    migration = importlib.import_module("storage.migrations.versions.0011_counted_documents")
    command.downgrade(alembic_config(pg_url), migration.down_revision)
    command.upgrade(alembic_config(pg_url), "head")
    reset_engines()
    with session_scope() as session:
        linked = sorted(session.scalars(select(ArticleEvent.article_id)))
    before = _documents_counted()
    assert linked and before == len(linked)
    keys = linking.article_features("A title", "Some words of an article.", None).keys
    assert eventindex.count_document_now(linked[0], keys) is False
    assert _documents_counted() == before
