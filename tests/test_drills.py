"""Fault drills (issue 7): the whole service (API, two workers, beat) under a real fault, and every posted
article must end stored exactly once, or final otherwise (content duplicate, skipped, failed with its
recorded reason): nothing lost, nothing written twice.

1. a worker SIGKILLed (with its pool children) in the middle of a batch, twice;
2. Redis killed and started again (empty: it keeps nothing on disk) in the middle of a run;
3. PostgreSQL stopped for 30 seconds and started again, and crashed (an immediate stop) and started again;
4. the same message delivered twice: copies of waiting and of taken-but-unacknowledged messages pushed
   back onto their queues (a lost ack), and every stage sent again for every article;
5. the API restarted while posting, once gracefully (SIGTERM) and once killed (SIGKILL).

Each drill has a redis-server of its own (tests/drillhelp.py) and a fresh database: on the system
PostgreSQL, or, for the drill that stops the database, on a PostgreSQL cluster of its own (one per test
session). Recovery settings are short (drillhelp.RECOVERY_ENV): what a fault loses is found again by the
ordering sweep (tasks/sweep.py) and redelivery of unacknowledged messages.

    make drills          # these only
    pytest -m drill      # the same
"""

from __future__ import annotations

import json
import random
import threading
import time

import pytest

from bench.harness import DEFAULT_GVC, gvc_records, kill_group, repeated_payloads, stop
from tests.conftest import PG_ADMIN_URL, _port_open
from tests.drillhelp import Drill, PrivatePostgres, PrivateRedis, assert_nothing_lost_or_twice, kill_worker, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.services, pytest.mark.slow]

ARTICLES = 200


@pytest.fixture(scope="module")
def bodies() -> list[dict]:
    if not DEFAULT_GVC.exists():
        pytest.skip(f"{DEFAULT_GVC} is not present")
    return repeated_payloads(gvc_records(DEFAULT_GVC, ARTICLES), ARTICLES)


@pytest.fixture
def system_pg() -> str:
    if not _port_open("127.0.0.1", 5432):
        pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 (make test starts it)")
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def private_pg():
    """A PostgreSQL cluster of this test session's own, for the drill that stops the database."""
    cluster = PrivatePostgres()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.close()


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    yield server
    server.close()


def report(capsys, name: str, result: dict) -> None:
    with capsys.disabled():
        keys = ("stored", "content_duplicates", "skipped", "failed", "lost", "duplicates", "post_retries", "drill_s")
        print(
            f"\n[drill {name}] "
            + ", ".join(f"{k} {result.get(k)}" for k in keys)
            + f"; failures {result.get('failure_reasons')}; timeline {result.get('timeline')}"
        )


def kill_while_busy(drill: Drill, names: list[str]) -> str:
    """SIGKILL (with its pool) the first of the workers NAMES seen running a task: in the middle of its work.

    Any of them will do: which worker runs a given article is up to the broker."""
    from workers.app import app

    hostnames = {f"{name}-{drill.run_id}@": name for name in names}

    def running():
        replies = app.control.inspect(timeout=0.5).active() or {}
        for host, tasks in replies.items():
            for prefix, name in hostnames.items():
                if host.startswith(prefix) and tasks:
                    return name, tasks
        return None

    name, tasks = wait_for(running, 60, f"one of {names} running a task", interval=0.05)
    kill_worker(drill.processes[f"worker-{name}"])
    drill.note(f"SIGKILL {name} and its pool while it ran {[(t['name'], t['args']) for t in tasks]} ({drill.count('stored')} stored)")
    return name


def test_worker_killed_mid_batch(bodies, system_pg, private_redis, tmp_path, monkeypatch, capsys):
    with Drill(tmp_path, private_redis, system_pg, monkeypatch, workers=2) as drill:
        drill.post(bodies)  # all at once: a backlog, every worker busy
        drill.wait_stored(20)
        live = ["w1", "w2"]
        live.remove(kill_while_busy(drill, live))
        drill.start_worker("w3")  # its supervisor starts it again
        live.append("w3")
        drill.wait_stored(len(bodies) // 2)
        kill_while_busy(drill, live)
        drill.start_worker("w4")
        result = drill.finish()
    report(capsys, "worker SIGKILL", result)
    assert_nothing_lost_or_twice(result, drill)


def test_redis_restarted_mid_run(bodies, system_pg, private_redis, tmp_path, monkeypatch, capsys):
    with Drill(tmp_path, private_redis, system_pg, monkeypatch, workers=2) as drill:
        drill.post(bodies, rate=25)  # faster than the workers: a backlog in Redis when it goes
        wait_for(lambda: drill.posted() >= 80, 60, "80 posts answered")
        in_flight = private_redis.messages()
        private_redis.kill()
        drill.note(f"redis killed with {in_flight} messages in it ({drill.posted()} posted, {drill.count('stored')} stored)")
        time.sleep(3)
        private_redis.start()
        drill.note("redis started again, empty")
        result = drill.finish()
    report(capsys, "redis restart", result)
    assert_nothing_lost_or_twice(result, drill)


@pytest.mark.parametrize(("mode", "down_s"), [("fast", 30), ("immediate", 5)], ids=["stopped-30s", "crashed"])
def test_postgres_stopped(mode, down_s, bodies, private_pg, private_redis, tmp_path, monkeypatch, capsys):
    """Stopped for 30 seconds; and crashed (an immediate stop: what was not flushed to its WAL is gone, the stages'
    last commits among it, storage/db.py stage_engine), then started again."""
    with Drill(tmp_path, private_redis, private_pg.admin_url, monkeypatch, workers=2) as drill:
        drill.post(bodies, rate=10)
        drill.wait_stored(30)
        private_pg.stop(mode)
        drill.note(f"postgres stopped, {mode} ({drill.posted()} posted)")
        try:
            time.sleep(down_s)
        finally:
            private_pg.start()
        drill.note("postgres started again")
        result = drill.finish()
    report(capsys, f"postgres {mode} {down_s} s", result)
    assert_nothing_lost_or_twice(result, drill)


class Duplicator(threading.Thread):
    """Delivers messages twice while the drill runs.

    - waiting messages (LRANGE of the queues' lists): each copied back onto its queue once, the same task id
      and body: the same message published twice;
    - messages a worker took and has not acknowledged yet (kombu's `unacked` hash): each pushed back onto its
      queue once, as kombu's restore does when an ack is lost (visibility timeout): the message is delivered
      again while, or after, the first delivery runs;
    - for every article the API answered, every stage sent again once at a random moment (send_task).
    """

    STAGES = ("claimwire.clean", "claimwire.extract", "claimwire.link", "claimwire.store")

    def __init__(self, drill: Drill, redis_url: str) -> None:
        super().__init__(daemon=True, name="duplicator")
        import redis

        self.drill = drill
        self.client = redis.Redis.from_url(redis_url)
        self.stopped = threading.Event()
        self.seen: dict[str, set[str]] = {"waiting": set(), "unacked": set()}  # a message may be copied from each: delivered three times
        self.copied_waiting = self.copied_unacked = self.resent = 0
        self.resent_ids: set[int] = set()

    def _copy(self, raw: bytes, queue: str, seen: set[str]) -> bool:
        message = json.loads(raw)
        task_id = message.get("headers", {}).get("id") or message.get("properties", {}).get("delivery_tag")
        if not task_id or task_id in seen:
            return False
        seen.add(task_id)
        self.client.lpush(queue, raw)
        return True

    def _resend(self, app, connection) -> None:
        for answer in list(self.drill.poster.results if self.drill.poster else []):
            if not answer or answer.get("id") is None or answer["id"] in self.resent_ids or random.random() < 0.5:
                continue
            self.resent_ids.add(answer["id"])
            for task in self.STAGES:
                app.send_task(task, args=[answer["id"]], connection=connection)
                self.resent += 1

    def run(self) -> None:
        from workers.app import app

        with app.connection_for_write() as connection:
            while not self.stopped.wait(0.05):
                try:
                    for queue in ("process", "link"):
                        for raw in self.client.lrange(queue, 0, 50):
                            self.copied_waiting += self._copy(raw, queue, self.seen["waiting"])
                    for raw in self.client.hvals("unacked"):
                        message, _exchange, routing_key = json.loads(raw)
                        if routing_key in ("process", "link"):
                            self.copied_unacked += self._copy(json.dumps(message).encode(), routing_key, self.seen["unacked"])
                    self._resend(app, connection)
                except Exception:  # noqa: BLE001 - keep duplicating
                    time.sleep(0.2)

    def stop(self) -> dict:
        self.stopped.set()
        self.join(timeout=10)
        return {"copied_waiting": self.copied_waiting, "copied_unacked": self.copied_unacked, "stages_resent": self.resent}


def test_same_message_delivered_twice(bodies, system_pg, private_redis, tmp_path, monkeypatch, capsys):
    with Drill(tmp_path, private_redis, system_pg, monkeypatch, workers=2, concurrency=2) as drill:
        duplicator = Duplicator(drill, private_redis.url)
        drill.post(bodies, rate=15)
        duplicator.start()
        drill.wait_stored(len(bodies) * 3 // 4, timeout=180)
        copies = duplicator.stop()
        drill.note(f"duplicating stopped: {copies}")
        result = drill.finish()
    report(capsys, "delivered twice", result)
    assert copies["copied_waiting"] + copies["copied_unacked"] >= 50, copies
    assert copies["stages_resent"] >= 100, copies
    assert_nothing_lost_or_twice(result, drill)


def test_api_restarted_while_posting(bodies, system_pg, private_redis, tmp_path, monkeypatch, capsys):
    with Drill(tmp_path, private_redis, system_pg, monkeypatch, workers=2) as drill:
        drill.post(bodies, rate=20, connections=6)
        wait_for(lambda: drill.posted() >= 50, 60, "50 posts answered")
        stop(drill.processes["api"], timeout=10)
        drill.note(f"API stopped with SIGTERM ({drill.posted()} posted)")
        drill.start_api()
        drill.note("API started again")
        wait_for(lambda: drill.posted() >= 120, 60, "120 posts answered")
        kill_group(drill.processes["api"])
        drill.processes["api"].wait(timeout=10)
        drill.note(f"API killed with SIGKILL ({drill.posted()} posted)")
        drill.start_api()
        drill.note("API started again")
        result = drill.finish()
    report(capsys, "API restart", result)
    assert_nothing_lost_or_twice(result, drill)


def test_pool_processes_replaced_for_their_memory_lose_nothing(bodies, system_pg, private_redis, tmp_path, monkeypatch, capsys):
    """CLAIMWIRE_WORKER_MAX_MEMORY_MB bounds a pool process's memory: past it, the process is replaced after its
    task (forked again from the worker's main process). At 1 MB every pool process is past it after its first
    task, so each task runs in a fresh one, and the articles are still stored once each."""
    profiles = tmp_path / "profiles"  # each pool process writes PID.json there as it exits (workers/app.py)
    env = {"CLAIMWIRE_WORKER_MAX_MEMORY_MB": "1", "CLAIMWIRE_PROFILE_DIR": str(profiles)}
    some = bodies[:6]
    with Drill(tmp_path, private_redis, system_pg, monkeypatch, workers=1, env=env) as drill:
        drill.post(some)
        result = drill.finish()
        logs = drill.logs()
    report(capsys, "memory bound", result)
    assert_nothing_lost_or_twice(result, drill)
    assert result["stored"] + result["content_duplicates"] + result["skipped"] + result["failed"] == len(some)
    exited = len(list(profiles.glob("*.json")))
    assert exited >= len(some), (exited, logs[-3000:])  # a pool process per task at least, besides the main one
