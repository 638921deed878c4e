"""On PostgreSQL the large values written per article (the body, its clean text, the link features, the ledger)
are compressed with lz4, not pglz (migration 0010); a downgrade gives pglz back."""

from __future__ import annotations

import importlib

import pytest
from alembic import command

from storage.db import alembic_config, get_engine, reset_engines
from tests.conftest import apply_env
from tests.test_change_feed import ingest_seeds

lz4_migration = importlib.import_module("storage.migrations.versions.0010_lz4_toast")

_COMPRESSION = """
SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relname = ANY(%(tables)s) AND a.attnum > 0 AND NOT a.attisdropped AND a.attcompression <> ''
"""


def _column_compression() -> dict[tuple[str, str], str]:
    with get_engine().connect() as connection:
        rows = connection.exec_driver_sql(_COMPRESSION, {"tables": list(lz4_migration.COLUMNS)}).all()
    return {(table, column): method for table, column, method in rows}


def _stored_compression(statement: str) -> set[str | None]:
    with get_engine().connect() as connection:
        return {method for (method,) in connection.exec_driver_sql(statement)}


@pytest.mark.services
def test_large_values_are_written_with_lz4_and_a_downgrade_restores_pglz(pg_url, monkeypatch, tmp_path, seeds_dir):
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None, CLAIMWIRE_HOME=str(tmp_path / "home"))
    with get_engine().connect() as connection:
        assert connection.exec_driver_sql(lz4_migration._HAS_LZ4).scalar(), "this server was built without lz4"
    expected = {(table, column) for table, columns in lz4_migration.COLUMNS.items() for column in columns}
    assert _column_compression() == {key: "l" for key in expected}

    ingest_seeds(seeds_dir)
    # each seed's body and clean text are several kB: stored compressed, with lz4
    assert _stored_compression("SELECT pg_column_compression(raw) FROM articles") == {"lz4"}
    assert _stored_compression("SELECT pg_column_compression(clean_text) FROM articles") == {"lz4"}
    assert _stored_compression("SELECT pg_column_compression(features) FROM article_link_features") <= {"lz4", None}

    command.downgrade(alembic_config(pg_url), lz4_migration.down_revision)
    reset_engines()
    assert _column_compression() == {key: "p" for key in expected}
    command.upgrade(alembic_config(pg_url), "head")
    assert _column_compression() == {key: "l" for key in expected}
