"""Worker-side speed-ups keep the guarantees: a stage routed to the same queue runs in the task of the stage
before it (no broker round trip) with its own transaction and metrics; a transient error there hands it to
the broker with backoff; clean and link run for each message's own article, in any order; pooled PostgreSQL
connections idle for a while are checked before use."""

from __future__ import annotations

import pytest
from celery.app.task import Task
from sqlalchemy import func, select, text

from storage.db import session_scope
from storage.models import Article, ArticleStatus, Claim
from tests.conftest import apply_env

TEXT = (
    "Police said 3 people were killed and 12 injured when a gunman opened fire at a market in Springfield on Monday. "
    "The mayor said the city was in shock.\n\nWitnesses described hearing about 20 shots."
)


@pytest.fixture
def sent(monkeypatch):
    """Messages the tasks send (apply_async / send_task), recorded instead of sent."""
    from workers.app import app

    messages: list[tuple[str, list, dict]] = []

    def apply_async(self, args=None, kwargs=None, **options):
        messages.append((self.name, list(args or ()), options))

    def send_task(name, args=None, kwargs=None, **options):
        messages.append((name, list(args or ()), options))

    monkeypatch.setattr(Task, "apply_async", apply_async)
    monkeypatch.setattr(app, "send_task", send_task)
    return messages


def receive_texts(count: int, monkeypatch) -> list[int]:
    """COUNT text articles received, nothing enqueued (the test runs the tasks itself)."""
    from claimwire.sources import RawItem
    from tasks import receive as ingest

    monkeypatch.setattr(ingest, "enqueue_first_stage", lambda *_: None)
    ids = []
    for n in range(count):
        item = RawItem(
            kind="text", ref=f"t{n}", body=(TEXT + f"\n\nReport number {n}.").encode(), title=f"Shooting {n}", external_id=f"t{n}"
        )
        ids.append(ingest.receive(item).article_id)
    return ids


def as_worker(task, article_id: int):
    """Run TASK for ARTICLE_ID as a worker would (not eager), with the message's request."""
    task.push_request(is_eager=False, retries=0, id=f"test-{task.name}-{article_id}")
    try:
        return task.run(article_id)
    finally:
        task.pop_request()


def statuses(ids: list[int]) -> list[str]:
    with session_scope() as session:
        found = dict(session.execute(select(Article.id, Article.status).where(Article.id.in_(ids))).all())
    return [found[i] for i in ids]


def stage_count(stage: str) -> float:
    from workers import metrics

    return sum(bucket.get() for bucket in metrics.STAGE_DURATION.labels(stage=stage)._buckets)


def test_clean_runs_extract_in_the_same_task_and_sends_only_link(sqlite_store, monkeypatch, sent):
    from tasks.clean import clean

    [article_id] = receive_texts(1, monkeypatch)
    extract_runs = stage_count("extract")
    assert as_worker(clean, article_id) == "next"
    assert statuses([article_id]) == [ArticleStatus.EXTRACTED]
    assert stage_count("extract") == extract_runs + 1  # extract observed as a stage of its own
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Claim).where(Claim.article_id == article_id)) > 0
    assert [(name, args) for name, args, _ in sent] == [("claimwire.link", [article_id])]


def test_a_worker_that_consumes_the_link_queue_too_runs_the_whole_pipeline_in_the_clean_task(sqlite_store, monkeypatch, sent):
    """The default worker consumes every queue: link (and store after it) run in the task of clean and extract, each a
    stage of its own, with what the stage before wrote handed over instead of read back."""
    import tasks.base
    from storage import extracting, linkwrite
    from tasks.clean import clean

    monkeypatch.setattr(tasks.base, "CONSUMED", {"process", "link"})
    read_back = []
    monkeypatch.setattr(extracting, "read_for_extract", lambda *args: read_back.append("extract"))
    monkeypatch.setattr(linkwrite, "read_for_link", lambda *args: read_back.append("link"))
    [article_id] = receive_texts(1, monkeypatch)
    runs = {stage: stage_count(stage) for stage in ("extract", "link", "store")}
    assert as_worker(clean, article_id) == "next"
    assert statuses([article_id]) == [ArticleStatus.STORED]
    assert {stage: stage_count(stage) - runs[stage] for stage in runs} == {"extract": 1, "link": 1, "store": 1}
    assert sent == [] and read_back == []


def test_link_runs_store_in_the_same_task(sqlite_store, monkeypatch, sent):
    """Link is not gated: each message links its own article and stores it in the same task, in whatever order
    they come; the later-received article linked first is decided again once the earlier one is linked, so the
    two reports of one shooting end in one event, as in receipt order."""
    from storage.models import Event
    from tasks.clean import clean
    from tasks.link import link

    ids = receive_texts(2, monkeypatch)
    for article_id in ids:
        as_worker(clean, article_id)
    sent.clear()
    store_runs = stage_count("store")
    assert as_worker(link, ids[1]) == "next"  # the later one first: linked and stored here
    assert statuses(ids) == [ArticleStatus.EXTRACTED, ArticleStatus.STORED]
    assert as_worker(link, ids[0]) == "next"
    assert statuses(ids) == [ArticleStatus.STORED] * 2
    assert stage_count("store") == store_runs + 2
    assert sent == []
    with session_scope() as session:
        ledgers = [ledger for (ledger,) in session.execute(select(Event.ledger).where(Event.article_count > 0))]
        linked_at = session.scalars(select(Article.linked_at).where(Article.id.in_(ids))).all()
    assert len(ledgers) == 1 and sorted(a["id"] for a in ledgers[0]["articles"]) == ids
    assert all(linked_at)


def test_clean_is_not_gated_each_message_cleans_its_own_article_in_any_order(sqlite_store, monkeypatch, sent):
    """Clean reads nothing that depends on the order (duplicates and junk learning are order-free, storage/cleaning.py):
    a message cleans (and extracts) its own article at once, whatever is still waiting before it."""
    from tasks.clean import clean

    ids = receive_texts(3, monkeypatch)
    assert as_worker(clean, ids[2]) == "next"
    assert statuses(ids) == [ArticleStatus.RECEIVED, ArticleStatus.RECEIVED, ArticleStatus.EXTRACTED]
    assert as_worker(clean, ids[0]) == "next" and as_worker(clean, ids[1]) == "next"
    assert statuses(ids) == [ArticleStatus.EXTRACTED] * 3
    assert [args[0] for name, args, _ in sent if name == "claimwire.link"] == [ids[2], ids[0], ids[1]]
    assert not [name for name, _, _ in sent if name in ("claimwire.extract", "claimwire.clean")]


def test_without_chaining_the_next_stage_is_a_message(sqlite_store, monkeypatch, sent):
    from tasks.clean import clean

    apply_env(monkeypatch, CLAIMWIRE_CHAIN_STAGES="0")
    [article_id] = receive_texts(1, monkeypatch)
    assert as_worker(clean, article_id) == "next"
    assert statuses([article_id]) == [ArticleStatus.CLEANED]
    assert [(name, args) for name, args, _ in sent] == [("claimwire.extract", [article_id])]


def test_a_transient_error_in_a_chained_stage_goes_to_the_broker_with_backoff(sqlite_store, monkeypatch, sent):
    import tasks.extract
    from claimwire.errors import TransientError
    from tasks.clean import clean
    from workers import metrics

    def unavailable(*_args, **_kwargs):
        raise TransientError("extractor_unavailable", "try again")

    monkeypatch.setattr(tasks.extract, "extract_claims_capped", unavailable)
    [article_id] = receive_texts(1, monkeypatch)
    retries = metrics.STAGE_RETRIES.labels(stage="extract")._value.get()
    assert as_worker(clean, article_id) == "next"  # clean committed; its message is done
    assert statuses([article_id]) == [ArticleStatus.CLEANED]
    [(name, args, options)] = sent
    assert (name, args) == ("claimwire.extract", [article_id])
    assert 1.0 <= options["countdown"] <= 2.0  # the first step of the backoff
    assert metrics.STAGE_RETRIES.labels(stage="extract")._value.get() == retries + 1


def test_a_redelivered_clean_writes_once_and_chains_nothing(sqlite_store, monkeypatch, sent):
    from tasks.clean import clean

    [article_id] = receive_texts(1, monkeypatch)
    as_worker(clean, article_id)
    with session_scope() as session:
        claims = session.scalar(select(func.count()).select_from(Claim))
    sent.clear()
    assert as_worker(clean, article_id) == "skipped"  # already cleaned: nothing for this message to do
    assert statuses([article_id]) == [ArticleStatus.EXTRACTED]
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == claims
    assert sent == []


def test_an_idle_pooled_connection_that_died_is_replaced_before_use(pg_url, monkeypatch):
    from storage import db

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    with db.session_scope() as session:
        first = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with db.session_scope() as session:  # the same pooled connection, taken again at once: no ping
        assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() == first
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [first])
    monkeypatch.setattr(db, "PING_IDLE_S", 0.0)  # as if it had sat in the pool for a while
    with db.session_scope() as session:
        second = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert second != first
    with db.session_scope(read_only=True) as session:
        assert session.execute(select(func.count()).select_from(Article)).scalar_one() == 0


def test_what_a_stage_hands_over_is_taken_once_and_only_from_its_own_store(tmp_path, monkeypatch):
    """A process that moves to another store (a bench's next leg, a test's fresh database) must not take, for an
    article of the same id there, what a stage left for the next one in the last store."""
    from tasks.base import hand_over, take_over
    from tasks.pipeline import STAGES

    apply_env(monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}", BROKER_URL=None)
    hand_over(STAGES["clean"], 7, "what clean wrote for article 7 of store a")
    apply_env(monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'b.db'}")
    assert take_over(STAGES["extract"], 7) is None, "article 7 of store b is another article"
    apply_env(monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}")
    assert take_over(STAGES["link"], 7) is None, "handed to extract, not to link"
    assert take_over(STAGES["extract"], 7) == "what clean wrote for article 7 of store a"
    assert take_over(STAGES["extract"], 7) is None, "taken once: a retry reads the database"


def test_a_deadlock_raised_by_the_driver_itself_is_retried_not_recorded_as_a_bug(sqlite_store, monkeypatch, sent):
    """Storage's PostgreSQL fast paths send statements to psycopg directly, so its errors come unwrapped by
    SQLAlchemy: a deadlock there (CI: two link workers) is a transient conflict, retried with backoff."""
    import psycopg.errors

    import tasks.extract
    from storage import repository
    from tasks.clean import clean

    def deadlocked(*_args, **_kwargs):
        error = psycopg.errors.DeadlockDetected("deadlock detected")
        assert error.sqlstate == "40P01"
        raise error

    recorded = []
    monkeypatch.setattr(tasks.extract, "extract_claims_capped", deadlocked)
    monkeypatch.setattr(repository, "record_failure", lambda *a, **kw: recorded.append(kw))
    [article_id] = receive_texts(1, monkeypatch)
    assert as_worker(clean, article_id) == "next"
    assert [(name, args) for name, args, _ in sent] == [("claimwire.extract", [article_id])]
    assert recorded == []
    assert statuses([article_id]) == [ArticleStatus.CLEANED]


def test_a_failure_reason_names_a_rolled_back_transaction_apart_from_a_lost_store():
    import psycopg
    import psycopg.errors
    from sqlalchemy.exc import OperationalError

    from storage.db import STORE_ERRORS, store_error_reason

    deadlock = psycopg.errors.DeadlockDetected("deadlock detected")
    assert isinstance(deadlock, STORE_ERRORS) and store_error_reason(deadlock) == "lock_conflict"
    assert store_error_reason(psycopg.errors.SerializationFailure("x")) == "lock_conflict"
    assert store_error_reason(psycopg.OperationalError("connection refused")) == "database_unavailable"
    wrapped = OperationalError("SELECT 1", {}, psycopg.errors.DeadlockDetected("deadlock detected"))
    assert store_error_reason(wrapped) == "lock_conflict"
    assert store_error_reason(OperationalError("SELECT 1", {}, Exception("gone"))) == "database_unavailable"
