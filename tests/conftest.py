"""Shared fixtures: an isolated SQLite store, a fresh PostgreSQL database, a Redis database."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from bench import shared_dir

REPO = Path(__file__).resolve().parent.parent
SHARED = shared_dir()
SEEDS = SHARED / "seeds" if (SHARED / "seeds").is_dir() else REPO / "examples" / "seeds"
DATA = SHARED / "data"
PG_ADMIN_URL = os.environ.get("CLAIMWIRE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def apply_env(monkeypatch: pytest.MonkeyPatch, **values: str | None) -> None:
    """Set (or unset, with None) environment variables and reload everything that caches them."""
    for key, value in values.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    reload_settings()


def reload_settings() -> None:
    from claimwire.settings import get_settings
    from storage.db import reset_engines
    from workers.app import configure

    get_settings.cache_clear()
    reset_engines()
    configure()


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is not present")
    return DATA


@pytest.fixture
def sqlite_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The embedded default: SQLite under a fresh CLAIMWIRE_HOME, tasks in-process."""
    from storage.db import migrate

    home = tmp_path / "home"
    apply_env(monkeypatch, CLAIMWIRE_HOME=str(home), DATABASE_URL=None, BROKER_URL=None)
    migrate()
    yield home
    reload_settings()


@pytest.fixture
def pg_url() -> str:
    """A fresh, migrated PostgreSQL database on the local server, dropped afterwards."""
    if not _port_open("127.0.0.1", 5432):
        pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 (make test starts it)")
    from storage.db import create_database, drop_database

    url = create_database(PG_ADMIN_URL, "claimwire_test")
    yield url
    drop_database(url, PG_ADMIN_URL)


@pytest.fixture
def redis_url(monkeypatch: pytest.MonkeyPatch) -> str:
    """The local Redis, with a key prefix of this test's own (CLAIMWIRE_BROKER_PREFIX), so that
    parallel test runs never see each other's queues; its keys are deleted afterwards."""
    if not _port_open(REDIS_HOST, REDIS_PORT):
        pytest.fail("Redis is not running on 127.0.0.1:6379 (make test starts it)")
    import redis

    prefix = f"cwtest-{uuid.uuid4().hex[:10]}:"
    monkeypatch.setenv("CLAIMWIRE_BROKER_PREFIX", prefix)
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
    yield url
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def _settings_follow_the_environment():
    """monkeypatch restores the environment after each test; the cached settings must follow it."""
    yield
    reload_settings()
