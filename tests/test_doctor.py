"""`claimwire doctor`: every verdict it can give, against the real PostgreSQL and Redis where it needs them."""

from __future__ import annotations

import re
import sqlite3
import sys

import pytest

from bench.harness import free_port
from service import doctor
from service.cli import main
from tests.conftest import apply_env
from tests.dbhelp import empty_postgres_database


def run_doctor(capsys, *args: str) -> tuple[int, dict[str, str]]:
    """Exit code, and the verdict line of each check by its name."""
    code = main(["doctor", *args])
    lines = capsys.readouterr().out.splitlines()
    verdicts = {}
    for line in lines[:-1]:
        word, name, detail = re.split(r"\s{2,}", line, maxsplit=2)
        verdicts[name] = f"{word} {detail}"
    assert lines[-1].startswith("doctor: ")
    return code, verdicts


def failed(verdicts: dict[str, str]) -> set[str]:
    return {name for name, line in verdicts.items() if line.startswith("FAIL")}


@pytest.fixture
def empty_pg_url():
    with empty_postgres_database("claimwire_doctor") as url:
        yield url


@pytest.mark.services
def test_all_ok_against_postgres_and_redis(pg_url, redis_url, tmp_path, monkeypatch, capsys):
    apply_env(
        monkeypatch,
        DATABASE_URL=pg_url,
        BROKER_URL=redis_url,
        CLAIMWIRE_HOME=str(tmp_path / "home"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        CLAIMWIRE_API_HOST="0.0.0.0",
        CLAIMWIRE_API_TOKEN="a-token",
    )
    code, verdicts = run_doctor(capsys)
    assert code == 0 and not failed(verdicts), verdicts
    assert {"imports", "database", "transport", "broker", "data", "metrics", "api-token"} <= set(verdicts)
    assert {"extractor casualties", "extractor figures", "extractor quotes"} <= set(verdicts)
    assert "at the Alembic head" in verdicts["database"] and "postgresql://" in verdicts["database"]
    assert "kombu.transport.redis" in verdicts["transport"]
    assert "reachable" in verdicts["broker"]
    assert list((tmp_path / "metrics").iterdir()) == []  # the probe file is gone, and no metric files were left


def test_embedded_mode_is_all_ok_once_migrated(sqlite_store, capsys):
    code, verdicts = run_doctor(capsys)
    assert code == 0 and not failed(verdicts), verdicts
    assert "embedded mode" in verdicts["broker"] and "embedded mode" in verdicts["transport"]
    assert "sqlite" in verdicts["database"] and "at the Alembic head" in verdicts["database"]


def test_broker_down(sqlite_store, monkeypatch, capsys):
    apply_env(monkeypatch, BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    code, verdicts = run_doctor(capsys, "--only", "transport,broker,database", "--timeout", "2")
    assert code == 1
    assert failed(verdicts) == {"broker"}, verdicts
    assert "not reachable" in verdicts["broker"] and "127.0.0.1" in verdicts["broker"]


def test_broker_transport_that_does_not_import(sqlite_store, monkeypatch, capsys):
    """The fresh-install crash: kombu's Redis transport imports `packaging`; without it the transport check fails."""
    for name in [name for name in sys.modules if name == "packaging" or name.startswith("packaging.")] + ["packaging"]:
        monkeypatch.setitem(sys.modules, name, None)  # `import packaging...` now raises ModuleNotFoundError
    monkeypatch.delitem(sys.modules, "kombu.transport.redis", raising=False)
    import kombu.transport

    monkeypatch.setattr(kombu.transport, "_transport_cache", {})  # kombu keeps the classes it resolved
    apply_env(monkeypatch, BROKER_URL="redis://127.0.0.1:6379/0")
    code, verdicts = run_doctor(capsys, "--only", "transport,broker")
    assert code == 1
    assert failed(verdicts) == {"transport", "broker"}, verdicts
    assert "ModuleNotFoundError" in verdicts["transport"] and "packaging" in verdicts["transport"]


@pytest.mark.services
def test_postgres_database_not_migrated(empty_pg_url, monkeypatch, capsys):
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, migrate

    apply_env(monkeypatch, DATABASE_URL=empty_pg_url, BROKER_URL=None)
    code, verdicts = run_doctor(capsys, "--only", "database")
    assert code == 1 and "not migrated" in verdicts["database"] and "claimwire migrate" in verdicts["database"], verdicts

    first = [script.revision for script in ScriptDirectory.from_config(alembic_config(empty_pg_url)).walk_revisions()][-1]
    from alembic import command

    command.upgrade(alembic_config(empty_pg_url), first)
    code, verdicts = run_doctor(capsys, "--only", "database")
    heads = ScriptDirectory.from_config(alembic_config(empty_pg_url)).get_heads()
    if [first] != heads:
        assert code == 1 and f"at revision {first}" in verdicts["database"], verdicts

    migrate(empty_pg_url)
    code, verdicts = run_doctor(capsys, "--only", "database")
    assert code == 0 and "at the Alembic head" in verdicts["database"], verdicts


def test_sqlite_database_missing_or_empty(tmp_path, monkeypatch, capsys):
    apply_env(monkeypatch, CLAIMWIRE_HOME=str(tmp_path / "home"), DATABASE_URL=None, BROKER_URL=None)
    code, verdicts = run_doctor(capsys, "--only", "database")
    assert code == 1 and "no database file" in verdicts["database"], verdicts
    assert not (tmp_path / "home" / "claimwire.db").exists()  # the check created nothing

    (tmp_path / "home").mkdir()
    sqlite3.connect(tmp_path / "home" / "claimwire.db").close()
    code, verdicts = run_doctor(capsys, "--only", "database")
    assert code == 1 and "not migrated" in verdicts["database"], verdicts


def test_database_not_reachable(monkeypatch, capsys):
    apply_env(monkeypatch, DATABASE_URL=f"postgresql://claimwire:secret@127.0.0.1:{free_port()}/claimwire", BROKER_URL=None)
    code, verdicts = run_doctor(capsys, "--only", "database", "--timeout", "2")
    assert code == 1 and "not reachable" in verdicts["database"], verdicts
    assert "secret" not in verdicts["database"]  # the password is masked


def test_unwritable_metrics_dir(sqlite_store, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    apply_env(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(blocker / "metrics"))
    code, verdicts = run_doctor(capsys, "--only", "metrics")
    assert code == 1 and "not a writable directory" in verdicts["metrics"], verdicts

    apply_env(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(blocker))  # a file where the directory should be
    code, verdicts = run_doctor(capsys, "--only", "metrics")
    assert code == 1 and "not a writable directory" in verdicts["metrics"], verdicts

    apply_env(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "new" / "metrics"))
    code, verdicts = run_doctor(capsys, "--only", "metrics")
    assert code == 0 and "is writable" in verdicts["metrics"] and (tmp_path / "new" / "metrics").is_dir()


def test_api_token_needed_off_loopback(sqlite_store, monkeypatch, capsys):
    apply_env(monkeypatch, CLAIMWIRE_API_TOKEN=None, CLAIMWIRE_API_HOST="0.0.0.0")
    code, verdicts = run_doctor(capsys, "--only", "api-token")
    assert code == 1 and "not loopback" in verdicts["api-token"], verdicts
    for host in ("127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.5"):
        code, verdicts = run_doctor(capsys, "--only", "api-token", "--api-host", host)
        assert code == 0 and "loopback" in verdicts["api-token"], (host, verdicts)
    code, verdicts = run_doctor(capsys, "--only", "api-token", "--api-host", "api.newsroom.example")
    assert code == 1, verdicts
    apply_env(monkeypatch, CLAIMWIRE_API_TOKEN="a-token")
    code, verdicts = run_doctor(capsys, "--only", "api-token")
    assert code == 0 and "is set" in verdicts["api-token"]


def test_configured_extractor_that_is_not_registered(sqlite_store, monkeypatch, capsys):
    apply_env(monkeypatch, CLAIMWIRE_EXTRACTORS="casualties,no_such_extractor")
    code, verdicts = run_doctor(capsys, "--only", "extractors")
    assert code == 1 and failed(verdicts) == {"extractor no_such_extractor"}, verdicts
    assert "not registered" in verdicts["extractor no_such_extractor"]
    assert "configured" in verdicts["extractor casualties"] and "registered, not configured" in verdicts["extractor quotes"]


def test_missing_package_data(sqlite_store):
    from claimwire.settings import get_settings

    verdicts = list(doctor.check_data(get_settings(), doctor.Options(), locations=[("claimwire", "data"), ("claimwire", "no_such_dir")]))
    assert len(verdicts) == 1 and not verdicts[0].ok and "claimwire/no_such_dir is missing or empty" in verdicts[0].detail
    assert [v.ok for v in doctor.check_data(get_settings(), doctor.Options())] == [True]


def test_a_module_that_does_not_import(sqlite_store, tmp_path, monkeypatch, capsys):
    shadow = tmp_path / "shadow" / "fastapi"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('fastapi is broken in this test')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "shadow"))  # the imports check runs in a child process
    code, verdicts = run_doctor(capsys, "--only", "imports")
    assert code == 1 and "fastapi is broken in this test" in verdicts["imports"], verdicts


def test_unknown_check_name(capsys):
    assert main(["doctor", "--only", "database,no-such-check"]) == 2
    assert "no-such-check" in capsys.readouterr().err
