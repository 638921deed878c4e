"""The service builds an event's ledger from the claims as extracted, `extra` included (background figures, figures
in a title, one person named, a murder-suicide's split: the rules read them): on SQLite and on PostgreSQL the
ledger the store stage keeps is the one `build_ledger` makes of the extractors' own claims."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claimwire.ledger import build_ledger
from storage import repository
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
