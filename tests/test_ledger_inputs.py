"""The service builds an event's ledger from the claims as extracted, `extra` included (background figures, figures
in a title, one person named, a murder-suicide's split: the rules read them): on SQLite and on PostgreSQL the
ledger the store stage keeps is the one `build_ledger` makes of the extractors' own claims."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select, text

from claimwire import changes
from claimwire.ledger import build_ledger
from storage import changefeed, repository
from storage.db import session_scope
from storage.models import Claim, Event
from tests.conftest import apply_env
from tests.test_change_feed import ingest_seeds


def _check_stored_ledgers_use_every_claim_field() -> None:
    with session_scope() as session:
        [event_id] = session.scalars(select(Event.id).where(Event.merged_into_id.is_(None))).all()
        articles, claims = repository.ledger_inputs(session, event_id)
        stored = session.scalars(select(Claim).order_by(Claim.id)).all()
        as_extracted = [{**repository._claim_dict(claim), "extra": claim.extra} for claim in stored]
        kept = session.get(Event, event_id).ledger
    assert any(claim["extra"] for claim in as_extracted), "the seeds' claims carry extra fields"
    assert [claim["extra"] for claim in claims] == [claim["extra"] for claim in as_extracted]
    assert kept == build_ledger(articles, as_extracted)


def test_the_ledger_reads_the_claims_extra_fields_on_sqlite(sqlite_store, seeds_dir):
    ingest_seeds(seeds_dir)
    _check_stored_ledgers_use_every_claim_field()


@pytest.mark.services
def test_the_ledger_reads_the_claims_extra_fields_on_postgresql(pg_url, seeds_dir, monkeypatch, tmp_path):
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None, CLAIMWIRE_HOME=str(tmp_path / "home"))
    ingest_seeds(seeds_dir)
    _check_stored_ledgers_use_every_claim_field()


@pytest.mark.services
def test_the_ledger_read_stays_on_the_claims_index_under_a_generic_plan_on_postgresql(pg_url, seeds_dir, monkeypatch, tmp_path):
    """The store stage reads an event's claims with a prepared statement, which PostgreSQL may plan once for any
    event. That plan must read the event's claims by index, not scan the claims table (it did: about 1,800 pages a
    store at 10,000 articles, growing with the table)."""
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None, CLAIMWIRE_HOME=str(tmp_path / "home"))
    ingest_seeds(seeds_dir)
    with session_scope() as session:
        [event_id] = session.scalars(select(Event.id).where(Event.merged_into_id.is_(None))).all()
        expected = repository.ledger_inputs(session, event_id)
        columns = [c.name for c in Claim.__table__.columns if c.name not in ("id", "article_id")]
        quoted = ", ".join(f'"{name}"' for name in columns)
        last_seed = session.execute(text("SELECT max(id) FROM articles")).scalar_one()
        big_event = session.execute(
            text("INSERT INTO events (headline, first_seen, last_seen, article_count, profile, ledger, created_at, updated_at) "
                 "SELECT 'another', first_seen, last_seen, 30, profile, '{}'::json, created_at, updated_at FROM events RETURNING id")
        ).scalar_one()  # fmt: skip
        for copy in range(30):  # another event's articles, with many claims each
            other = session.execute(
                text("INSERT INTO articles (identity, source_kind, status, received_at, updated_at) "
                     "SELECT :identity, source_kind, status, received_at, updated_at FROM articles ORDER BY id LIMIT 1 RETURNING id"),
                {"identity": f"other-{copy}"},
            ).scalar_one()  # fmt: skip
            session.execute(
                text(
                    f"INSERT INTO claims (article_id, {quoted}) SELECT :other, {quoted} FROM claims, generate_series(1, 5) AS n "
                    "WHERE claims.article_id <= :last_seed"
                ),
                {"other": other, "last_seed": last_seed},
            )
            session.execute(
                text("INSERT INTO article_events (article_id, event_id, decision, score, features, linker, linked_at) "
                     "SELECT :other, :event, decision, score, features, linker, linked_at FROM article_events LIMIT 1"),
                {"other": other, "event": big_event},
            )  # fmt: skip
    with session_scope() as session:
        session.execute(text("ANALYZE"))
        session.execute(
            text("INSERT INTO articles (identity, source_kind, status, received_at, updated_at) "
                 "SELECT 'stored-' || n, source_kind, status, received_at, updated_at FROM articles, generate_series(1, 20000) AS n "
                 "WHERE articles.id = :first"),
            {"first": last_seed},
        )  # fmt: skip  # many stored articles of other events
    with session_scope() as session:
        raw = session.connection().connection.driver_connection
        raw.execute("SET plan_cache_mode = force_generic_plan")
        pages = raw.execute(
            "SELECT sum(pg_relation_size(t)) / current_setting('block_size')::int FROM unnest(ARRAY['claims', 'articles']) AS t"
        )
        pages = pages.fetchone()[0]
        for name, stored in (("every", ""), ("stored", repository._PG_STORED_ONLY)):  # the store stage reads the stored ones
            statement = repository._PG_LEDGER_INPUTS.format(stored=stored).replace("%(event)s", "$1").replace("%(stored)s", "$2")
            raw.execute(f"PREPARE ledger_inputs_{name} (bigint, varchar) AS {statement}")
            plan = raw.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE ledger_inputs_{name} ({event_id}, 'stored')")
            top = plan.fetchone()[0][0]["Plan"]
            assert top["Actual Rows"] == len(expected[0]) + len(expected[1])
            assert top["Shared Hit Blocks"] + top["Shared Read Blocks"] < pages / 8, (name, top["Shared Hit Blocks"], pages)
        assert repository.ledger_inputs(session, event_id) == expected
        assert repository.ledger_inputs(session, event_id, stored_only=True) == expected


def _sequential_scans(raw, table: str) -> int:
    return raw.execute("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = %s", (table,)).fetchone()[0]


@pytest.mark.services
def test_the_store_stages_reads_stay_on_the_index_as_the_tables_grow_from_empty_without_analyze(pg_url, seeds_dir, monkeypatch, tmp_path):
    """The store stage's ledger read (claims by article) and its change write (events by id) run many times on one
    connection from the first article on. Planned once while the tables held a few rows, and kept (nothing analyzes
    the tables: autovacuum off, or before its first run), they scanned the whole claims and events tables at every
    store, at a cost growing with the database (about 2.5 ms a store at 2,000 articles): they are planned at each run."""
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None, CLAIMWIRE_HOME=str(tmp_path / "home"))
    article_ids = ingest_seeds(seeds_dir)
    with session_scope() as session:
        [event_id] = session.scalars(select(Event.id).where(Event.merged_into_id.is_(None))).all()
        raw = session.connection().connection.driver_connection
        linked = changes.article_linked(event_id, article_ids[0], score=1.0, decision="join", title="a seed")
        expected = repository.ledger_inputs(session, event_id, stored_only=True)
        for _ in range(8):  # past psycopg's prepare threshold, on tiny tables
            assert repository.ledger_inputs(session, event_id, stored_only=True) == expected
            changefeed._write_pg(session, [dataclasses.replace(linked)], (event_id, {}))
        columns = ", ".join(f'"{c.name}"' for c in Claim.__table__.columns if c.name not in ("id", "article_id"))
        session.execute(
            text(f"INSERT INTO claims (article_id, {columns}) SELECT article_id, {columns} FROM claims, generate_series(1, 300)")
        )
        session.execute(
            text("INSERT INTO events (headline, first_seen, last_seen, article_count, profile, ledger, created_at, updated_at) "
                 "SELECT 'other', first_seen, last_seen, 1, profile, '{}'::json, created_at, updated_at FROM events, generate_series(1, 20000)")
        )  # fmt: skip
        grown = repository.ledger_inputs(session, event_id, stored_only=True)
        claims_scans, events_scans = _sequential_scans(raw, "claims"), _sequential_scans(raw, "events")
        assert repository.ledger_inputs(session, event_id, stored_only=True) == grown
        changefeed._write_pg(session, [dataclasses.replace(linked)], (event_id, {}))
        assert _sequential_scans(raw, "claims") == claims_scans
        assert _sequential_scans(raw, "events") == events_scans
