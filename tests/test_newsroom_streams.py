"""Newsroom systems in and out, through the whole service: the seeds XADDed to the intake stream, `claimwire consume`,
two Celery workers (pipeline and webhooks queues), the API, real Redis and PostgreSQL. The change table, the Redis
change stream and a local webhook receiver must hold the same changes in the same order, signatures verified;
a receiver that answers 500 gets its retries, then the delivery is recorded failed. The worker links the seeds in
the order it finishes them (no stage is gated: docs/SCALING.md), so the feed may open the event with another seed
or merge two events where the in-process run opened one; the story's end must be the in-process run's."""

from __future__ import annotations

import json
import secrets
import time

import httpx
import pytest
import redis

from bench.harness import free_port, log_tail, start, start_api, start_worker, stop, wait_until_final
from claimwire.changes import ledger_headline
from claimwire.sources import iter_items
from examples.webhook_receiver import Receiver
from service.intake import envelope_json
from storage import changefeed, reads
from storage.db import session_scope
from tests.changehelp import check_changes, seeds_story_in_any_order, settled_changes
from tests.conftest import apply_env
from tests.helpers import env_for
from workers import streams

pytestmark = [pytest.mark.services, pytest.mark.slow]


def _wait(predicate, timeout: float, what: str, logdir=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    logs = "".join(log_tail(logdir, name, 2000) for name in ("api", "worker-w1", "worker-w2", "consumer")) if logdir else ""
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def final_ledger_headline(article_id: int) -> str:
    """The headline of the ledger of the event the article ends in (after any merges), as stored."""
    with session_scope() as session:
        event = reads.final_event(session, reads.event(session, reads.article_link(session, article_id).event_id))
        return ledger_headline(event.ledger)["text"]


def in_process_story(seeds: list) -> dict:
    """How the seeds' story ends in the embedded default (SQLite, tasks in-process): the dispute, the final headline."""
    from service.ingest import receive_all

    receipts = list(receive_all(iter_items([str(p) for p in seeds])))
    with session_scope() as session:
        feed = [c.to_dict() for c in changefeed.read_changes(session, 0, 100_000)[0]]
    story = seeds_story_in_any_order(feed, [r.article_id for r in receipts])
    return {**story, "final_headline": final_ledger_headline(receipts[0].article_id)}


def test_seeds_through_the_intake_stream_reach_the_change_stream_and_a_webhook_in_the_same_order(
    sqlite_store, seeds_dir, pg_url, redis_url, tmp_path, monkeypatch
):
    seeds = sorted(seeds_dir.glob("*.txt"))
    expected = in_process_story(seeds)
    token = secrets.token_hex(8)
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=redis_url, CLAIMWIRE_API_TOKEN=token)
    env = env_for(
        CLAIMWIRE_HOME=str(tmp_path / "home"), CLAIMWIRE_WEBHOOK_ALLOW_PRIVATE="1", CLAIMWIRE_WEBHOOK_BACKOFF_S="0.3", CLAIMWIRE_WEBHOOK_MAX_ATTEMPTS="3",
        CLAIMWIRE_LOG_LEVEL="INFO",
    )  # fmt: skip
    client = redis.Redis.from_url(redis_url)
    port = free_port()
    auth = {"Authorization": f"Bearer {token}"}
    processes = []
    with Receiver() as desk, Receiver(status=500) as broken:
        try:
            processes.append(start_api(tmp_path, env, port))
            api = f"http://127.0.0.1:{port}"
            hooks = {}
            for name, receiver, kinds in (("desk", desk, []), ("broken", broken, ["event.opened"])):
                created = httpx.post(
                    f"{api}/webhooks", json={"url": receiver.url, "kinds": kinds, "description": name}, headers=auth, timeout=30
                )
                assert created.status_code == 201, created.text
                receiver.secret, hooks[name] = created.json()["secret"], created.json()["id"]
            for name in ("w1", "w2"):  # two worker processes: two change publishers, racing
                processes.append(start_worker(tmp_path, env, name, queues="fetch,process,link,webhooks", concurrency=1))
            processes.append(start(tmp_path, "consumer", ["consume", "--name", "intake-test", "--block-ms", "200"], env))
            entry_ids = [
                client.xadd(
                    streams.intake_key(), {"envelope": envelope_json({"text": p.read_text(), "external_id": p.stem}, source="test")}
                )
                for p in seeds
            ]
            assert len(entry_ids) == 5

            wait_until_final(5, timeout=180, watch=processes)
            table = [c.to_dict() for c in settled_changes()]
            _wait(lambda: client.xlen(streams.changes_key()) == len(table), 60, "the change stream", tmp_path)
            _wait(lambda: len(desk.changes) == len(table), 120, "the desk's webhook", tmp_path)
            _wait(lambda: len(broken.requests) >= 3, 60, "the broken receiver's retries", tmp_path)
            deliveries = _wait(
                lambda: [d for d in httpx.get(f"{api}/webhooks/{hooks['broken']}/deliveries", headers=auth, timeout=30).json() if d["status"] == "failed"],
                60, "the failed delivery", tmp_path,
            )  # fmt: skip
        finally:
            stop(*processes)

    stream = [(entry_id.decode(), json.loads(fields[b"change"])) for entry_id, fields in client.xrange(streams.changes_key())]
    assert [entry_id for entry_id, _ in stream] == [f"{c['id']}-0" for c in table], "stream entry id = change id"
    assert [change for _, change in stream] == table
    assert desk.changes == table and all(r["verified"] for r in desk.requests)
    check_changes(table)
    from sqlalchemy import select

    from storage.models import Article

    with session_scope() as session:
        by_ref = dict(session.execute(select(Article.external_id, Article.id)).all())
    story = seeds_story_in_any_order(table, [by_ref[p.stem] for p in seeds])
    assert final_ledger_headline(by_ref[seeds[0].stem]) == expected["final_headline"], "the in-process run's final ledger headline"
    print(f"\n{len(table)} changes; dispute {story['dispute']['data']['values']}; headline: {story['headline']}")

    assert [r["headers"]["X-Claimwire-Attempt"] for r in broken.requests] == ["1", "2", "3"]
    assert all(r["verified"] for r in broken.requests) and broken.changes == []
    [failed] = deliveries
    assert failed["attempts"] == 3 and failed["last_status_code"] == 500 and failed["change_id"] == table[0]["id"]
