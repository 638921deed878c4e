"""On PostgreSQL the stages' own writes (clean, extract, the frequency count, link) commit without waiting for the
WAL flush (CLAIMWIRE_STAGE_SYNCHRONOUS_COMMIT, default off: storage/db.py stage_engine); what others act on waits
for it: the received article, the stored article and its ledger, every change of the feed, whichever engine
wrote it. A trigger records the synchronous_commit each write ran under."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from claimwire import changes
from claimwire.settings import get_settings
from storage import changefeed
from storage.db import get_engine, reading_engine, session_scope, stage_engine
from storage.models import Event
from tests.conftest import apply_env
from tests.test_change_feed import ingest_seeds

_RECORDER = """
CREATE TABLE commit_settings (id serial PRIMARY KEY, tbl text, status text, setting text);
CREATE FUNCTION record_commit_setting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO commit_settings (tbl, status, setting) VALUES (
        TG_TABLE_NAME,
        to_jsonb(NEW) ->> 'status',
        current_setting('synchronous_commit'));
    RETURN NEW;
END $$;
CREATE TRIGGER record_articles AFTER INSERT OR UPDATE ON articles FOR EACH ROW EXECUTE FUNCTION record_commit_setting();
CREATE TRIGGER record_claims AFTER INSERT ON claims FOR EACH ROW EXECUTE FUNCTION record_commit_setting();
CREATE TRIGGER record_counts AFTER INSERT OR UPDATE ON term_frequencies FOR EACH ROW EXECUTE FUNCTION record_commit_setting();
CREATE TRIGGER record_changes AFTER INSERT ON changes FOR EACH ROW EXECUTE FUNCTION record_commit_setting();
"""


def _record_commit_settings() -> None:
    with get_engine().begin() as connection:
        connection.exec_driver_sql(_RECORDER)


def _settings_by_write() -> dict[tuple[str, str | None], set[str]]:
    found: dict[tuple[str, str | None], set[str]] = {}
    with session_scope() as session:
        for table, status, setting in session.execute(text("SELECT tbl, status, setting FROM commit_settings")):
            found.setdefault((table, status), set()).add(setting)
    return found


def _show(engine) -> str:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SHOW synchronous_commit").scalar_one()


@pytest.fixture
def pg_store(pg_url, monkeypatch, tmp_path):
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None, CLAIMWIRE_HOME=str(tmp_path / "home"))
    return pg_url


@pytest.mark.services
def test_stage_writes_do_not_wait_for_the_disk_and_what_others_act_on_does(pg_store, seeds_dir):
    assert (_show(stage_engine()), _show(get_engine())) == ("off", "on")
    _record_commit_settings()
    ingest_seeds(seeds_dir)
    found = _settings_by_write()
    assert found[("articles", "received")] == {"on"}  # the API's answer, the intake's acknowledgement
    for stage_result in ("cleaned", "extracted", "linked"):
        assert found[("articles", stage_result)] == {"off"}, stage_result
    assert found[("claims", None)] == {"off"}
    assert found[("term_frequencies", None)] == {"off"}
    assert found[("articles", "stored")] == {"on"}
    assert found[("changes", None)] == {"on"}


@pytest.mark.services
def test_a_change_written_by_a_stage_transaction_waits_for_the_disk(pg_store):
    _record_commit_settings()
    with session_scope() as session:
        source, target = Event(), Event()
        session.add_all([source, target])
    with session_scope(stage_write=True) as session:  # a link that merges two events
        assert session.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
        changefeed.emit(session, changes.events_merged(source.id, target.id, reason="test", score=1.0))
    assert _settings_by_write() == {("changes", None): {"on"}}


@pytest.mark.services
def test_the_stage_commit_setting(pg_store, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_STAGE_SYNCHRONOUS_COMMIT="on")
    assert stage_engine() is get_engine()
    apply_env(monkeypatch, CLAIMWIRE_STAGE_SYNCHRONOUS_COMMIT="local")
    assert _show(stage_engine()) == "local"
    monkeypatch.setenv("CLAIMWIRE_STAGE_SYNCHRONOUS_COMMIT", "sometimes")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="CLAIMWIRE_STAGE_SYNCHRONOUS_COMMIT"):
        get_settings()
    apply_env(monkeypatch, CLAIMWIRE_STAGE_SYNCHRONOUS_COMMIT=None)


def test_sqlite_has_one_engine(sqlite_store):
    assert stage_engine() is get_engine()


@pytest.mark.services
def test_the_autocommit_engines_have_pools_of_their_own_born_in_autocommit_with_their_engines_commit_setting(pg_store):
    stage_reads, reads = reading_engine(stage_engine()), reading_engine(get_engine())
    assert reading_engine(stage_engine()) is stage_reads  # one per engine
    assert stage_reads.pool is not stage_engine().pool and reads.pool is not get_engine().pool
    assert (_show(stage_reads), _show(reads)) == ("off", "on")
    for autocommit, transactional in ((stage_reads, stage_engine()), (reads, get_engine())):
        with autocommit.connect() as connection:
            assert connection.connection.driver_connection.autocommit is True
            connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS seen_at_once (n int)")
            connection.exec_driver_sql("INSERT INTO seen_at_once VALUES (1)")  # no commit: autocommit
            with transactional.connect() as other:
                assert other.connection.driver_connection.autocommit is False
                assert other.exec_driver_sql("SELECT count(*) FROM seen_at_once").scalar_one() >= 1
        with autocommit.connect() as connection:  # taken back from the pool as it was given
            assert connection.connection.driver_connection.autocommit is True


@pytest.mark.services
def test_the_driver_connection_commits_at_once_and_raises_the_drivers_errors_as_sqlalchemy_wraps_them(pg_store):
    from sqlalchemy import exc

    from storage.db import driver_connection

    autocommit = reading_engine(stage_engine())
    with driver_connection(autocommit) as connection:
        connection.execute("CREATE TABLE once_only (n int PRIMARY KEY)")
        connection.execute("INSERT INTO once_only VALUES (%(n)s)", {"n": 1})
    with get_engine().connect() as other:  # committed at once: another connection sees it
        assert other.exec_driver_sql("SELECT count(*) FROM once_only").scalar_one() == 1
    with pytest.raises(exc.IntegrityError), driver_connection(autocommit) as connection:
        connection.execute("INSERT INTO once_only VALUES (1)")
    with pytest.raises(exc.OperationalError) as raised, driver_connection(autocommit) as connection:
        killed = connection.info.backend_pid
        with get_engine().connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({killed})")
        connection.execute("SELECT 1")
    assert raised.value.orig is not None
    with driver_connection(autocommit) as connection:  # the broken connection left the pool: a working one
        assert connection.info.backend_pid != killed
        assert connection.execute("SELECT count(*) FROM once_only").fetchone()[0] == 1
