"""The embedded SQLite store: WAL, and commits that do not wait for the disk unless asked to
(CLAIMWIRE_SQLITE_SYNCHRONOUS, docs/CONFIGURATION.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import apply_env

SYNCHRONOUS = {1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def _pragmas() -> tuple[str, str]:
    from storage.db import reset_engines, session_scope

    reset_engines()
    with session_scope() as session:
        journal = session.execute(text("PRAGMA journal_mode")).scalar_one()
        synchronous = session.execute(text("PRAGMA synchronous")).scalar_one()
    return journal, SYNCHRONOUS[synchronous]


def test_the_embedded_store_commits_in_wal_without_waiting_for_the_disk(sqlite_store):
    assert _pragmas() == ("wal", "NORMAL")


def test_full_durability_is_one_setting_away(sqlite_store, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_SQLITE_SYNCHRONOUS="full")
    assert _pragmas() == ("wal", "FULL")


def test_a_mistyped_level_is_refused_with_the_levels_it_takes(monkeypatch):
    from claimwire.settings import get_settings

    monkeypatch.setenv("CLAIMWIRE_SQLITE_SYNCHRONOUS", "OFF")  # OFF is not offered: a crash could corrupt the file
    get_settings.cache_clear()
    try:
        with pytest.raises(ValueError, match="NORMAL, FULL or EXTRA"):
            get_settings()
    finally:
        monkeypatch.delenv("CLAIMWIRE_SQLITE_SYNCHRONOUS")
        get_settings.cache_clear()
