"""The same pipeline through real Celery worker processes, the real Redis broker and real PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from storage.db import session_scope
from storage.models import Article, ArticleStatus
from tests.conftest import REPO, apply_env
from tests.helpers import env_for, snapshot

pytestmark = pytest.mark.services


def start_worker(tmp_path, env, name="w1", concurrency=2):
    log = open(tmp_path / f"worker-{name}.log", "wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "worker",
            "--concurrency",
            str(concurrency),
            "--hostname",
            f"{name}@%h",
            "--loglevel",
            "WARNING",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process


def wait_until_final(expected: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope() as session:
            statuses = list(session.scalars(select(Article.status)))
        if len(statuses) >= expected and all(s in ArticleStatus.FINAL for s in statuses):
            return
        time.sleep(0.3)
    raise AssertionError(f"not all articles finished: {statuses}")


def stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_celery_redis_postgres_gives_the_same_events_and_claims(sqlite_store, seeds_dir, pg_url, redis_url, tmp_path, monkeypatch):
    from claimwire.sources import iter_items
    from service.ingest import receive_all

    list(receive_all(iter_items([str(seeds_dir)])))
    in_process = snapshot()

    env = env_for(BROKER_URL=redis_url, DATABASE_URL=pg_url, CLAIMWIRE_HOME=str(tmp_path / "svc"))
    worker = start_worker(tmp_path, env)
    try:
        queued = subprocess.run(
            [sys.executable, "-m", "service.cli", "ingest", str(seeds_dir)], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
        )
        assert queued.returncode == 0, queued.stderr
        assert "5 new (queued)" in queued.stdout
        apply_env(monkeypatch, BROKER_URL=redis_url, DATABASE_URL=pg_url)
        wait_until_final(5)
        through_workers = snapshot()
    finally:
        stop(worker)
    assert through_workers["statuses"] == in_process["statuses"]
    assert through_workers["events"] == in_process["events"]
    assert through_workers["claims"] == in_process["claims"]

    again = subprocess.run(
        [sys.executable, "-m", "service.cli", "ingest", str(seeds_dir)], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert "0 new (queued), 5 already stored" in again.stdout
    assert snapshot() == through_workers


def _heartbeats_heard(redis_url: str, env: dict[str, str], tmp_path, name: str, listen_s: float = 5.0) -> int:
    """Start a worker with ENV, wait until it answers a ping, then count the worker events its broker carries for LISTEN_S
    (Celery sends a heartbeat every 2 s when it sends any)."""
    import redis

    from bench.harness import fresh_broker_connections, ping_workers
    from workers.app import app

    client = redis.Redis.from_url(redis_url)
    listener = client.pubsub()
    listener.psubscribe("*celeryev*")
    worker = start_worker(tmp_path, env, name=name, concurrency=1)
    try:
        fresh_broker_connections()
        assert ping_workers(app, 1, timeout=60) == 1
        heard, deadline = 0, time.monotonic() + listen_s
        while time.monotonic() < deadline:
            message = listener.get_message(timeout=0.5)
            heard += message is not None and message["type"] == "pmessage" and b"heartbeat" in message["data"]
        return heard
    finally:
        stop(worker)
        listener.close()


def test_workers_send_no_heartbeats_unless_asked(redis_url, tmp_path, monkeypatch):
    env = env_for(BROKER_URL=redis_url, CLAIMWIRE_HOME=str(tmp_path / "svc"))
    apply_env(monkeypatch, BROKER_URL=redis_url)
    assert _heartbeats_heard(redis_url, env, tmp_path, "quiet") == 0
    assert _heartbeats_heard(redis_url, {**env, "CLAIMWIRE_WORKER_HEARTBEAT": "1"}, tmp_path, "beating") >= 1


def test_a_pool_process_that_exits_is_replaced_at_once(seeds_dir, pg_url, redis_url, tmp_path, monkeypatch):
    """A memory bound below any process's size: each pool process exits after its first task, and each seed waits for
    its replacement. Celery's own pool waited for its next five-second check when it could not reap the exited
    process yet (about 2.5 s a seed); workers/pool.py replaces it at once."""
    from bench.harness import fresh_broker_connections, ping_workers
    from workers.app import app

    profiles = tmp_path / "profiles"  # each worker process writes PID.json as it exits (workers/app.py)
    env = env_for(
        BROKER_URL=redis_url, DATABASE_URL=pg_url, CLAIMWIRE_HOME=str(tmp_path / "svc"),
        CLAIMWIRE_WORKER_MAX_MEMORY_MB="1", CLAIMWIRE_PROFILE_DIR=str(profiles),
    )  # fmt: skip
    apply_env(monkeypatch, BROKER_URL=redis_url, DATABASE_URL=pg_url)
    worker = start_worker(tmp_path, env, name="recycled", concurrency=1)
    try:
        fresh_broker_connections()
        assert ping_workers(app, 1, timeout=60) == 1
        queued = subprocess.run(
            [sys.executable, "-m", "service.cli", "ingest", str(seeds_dir)], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
        )
        assert queued.returncode == 0, queued.stderr
        started = time.monotonic()
        wait_until_final(5, timeout=120)
        took = time.monotonic() - started
    finally:
        stop(worker)
    assert len(list(profiles.glob("*.json"))) >= 5  # the seeds ran in processes of their own
    assert took < 2.5, f"five seeds, a pool process each, took {took:.1f} s"  # Celery's own pool: 2.2–7.3 s, 0.6–0.9 s here
