"""The intake stream on the real Redis: the envelope schema and the consumer that stores each entry once."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time

import jsonschema
import pytest
import redis
from sqlalchemy import func, select

from bench.harness import kill_group, log_tail, start, stop
from service.intake import Consumer, Malformed, envelope_json, parse_entry
from storage.db import session_scope
from storage.models import Article, Failure
from tests.changehelp import ENVELOPE_SCHEMA
from tests.conftest import apply_env
from tests.helpers import env_for
from workers import streams

pytestmark = pytest.mark.services

STORY = "Flood waters cut off {n} villages in the district on Tuesday, officials said, and 3 people were reported missing."

# (envelope as sent, valid by the schema?)
ENVELOPES = [
    ({"version": 1, "item": {"url": "https://news.example.org/floods"}}, True),
    (
        {
            "version": 1,
            "item": {
                "text": "Two people were hurt.",
                "title": "Crash",
                "outlet": "example.org",
                "published": "2024-05-01",
                "external_id": "a1",
                "language": "en",
            },
        },
        True,
    ),
    (
        {
            "version": 1,
            "item": {"html": "<p>x</p>", "url": "HTTPS://news.example.org/x"},
            "id": "m-1",
            "source": "cms-7",
            "sent_at": "2024-05-01T10:00:00Z",
        },
        True,
    ),
    ({"version": 1.0, "item": {"text": "A storm hit the coast."}}, True),
    ({"version": 1, "item": {"text": "   "}}, True),  # refused (empty), not malformed
    ({"version": 1, "item": {"text": "x", "title": None, "url": None}}, True),
    ({"version": 1, "item": {"url": "https://bad port.example:99999/"}}, True),  # refused (bad_url)
    ({"version": 1, "item": {"text": "x", "published": "yesterday"}}, True),  # refused (bad_published)
    ({"version": 2, "item": {"text": "x"}}, False),
    ({"version": "1", "item": {"text": "x"}}, False),
    ({"version": True, "item": {"text": "x"}}, False),
    ({"item": {"text": "x"}}, False),
    ({"version": 1}, False),
    ({"version": 1, "item": {}}, False),
    ({"version": 1, "item": {"title": "no body"}}, False),
    ({"version": 1, "item": {"html": "<p>a</p>", "text": "a"}}, False),
    ({"version": 1, "item": {"url": "ftp://example.org/x"}}, False),
    ({"version": 1, "item": {"text": 12}}, False),
    ({"version": 1, "item": {"text": "x", "author": "someone"}}, False),
    ({"version": 1, "item": {"text": "x"}, "priority": "high"}, False),
    ({"version": 1, "item": {"text": "x", "external_id": "e" * 256}}, False),
    ({"version": 1, "item": {"text": "x", "title": "t" * 2001}}, False),
    ({"version": 1, "item": "a string"}, False),
    ([1, 2], False),
]


@pytest.mark.parametrize("envelope,valid", ENVELOPES)
def test_the_schema_and_the_consumer_agree_on_what_an_envelope_is(envelope, valid):
    errors = list(jsonschema.Draft202012Validator(ENVELOPE_SCHEMA).iter_errors(envelope))
    parsed = parse_entry({b"envelope": json.dumps(envelope).encode()})
    assert (not errors) == valid, errors
    assert (not isinstance(parsed, Malformed)) == valid, parsed


def test_entries_that_are_not_envelopes_at_all():
    assert parse_entry({b"text": b"hello"}).reason == "no_envelope"
    assert parse_entry({b"envelope": b"{oops"}).reason == "bad_json"
    assert parse_entry({b"envelope": b"\xff\xfe"}).reason == "bad_json"
    assert parse_entry({b"envelope": b'{"version": 3, "item": {}}'}).reason == "unsupported_version"


@pytest.fixture
def stream_store(sqlite_store, redis_url, monkeypatch):
    """The embedded store (SQLite, tasks in-process) with the intake stream on the real Redis (a key prefix of its own)."""
    apply_env(monkeypatch, CLAIMWIRE_STREAM_URL=redis_url)
    return redis.Redis.from_url(redis_url)


def xadd(client, envelope: str | None = None, **fields) -> str:
    body = {"envelope": envelope} if envelope is not None else {}
    return client.xadd(streams.intake_key(), {**body, **fields}).decode()


def dead_letters(client) -> dict[str, dict]:
    return {f[b"source_id"].decode(): {k.decode(): v.decode() for k, v in f.items()} for _, f in client.xrange(streams.dead_letter_key())}


def group_state(client) -> dict:
    [info] = client.xinfo_groups(streams.intake_key())
    return {"pending": info["pending"], "lag": info["lag"]}


def test_a_consumer_stores_refuses_and_dead_letters(stream_store, seeds_dir):
    client = stream_store
    seeds = sorted(seeds_dir.glob("*.txt"))
    stored = [xadd(client, envelope_json({"text": p.read_text(), "external_id": p.stem}, source="test")) for p in seeds]
    again = xadd(client, envelope_json({"text": seeds[0].read_text(), "external_id": seeds[0].stem}))
    empty = xadd(client, envelope_json({"text": " \n "}))
    bad_json = xadd(client, "{not json")
    no_envelope = xadd(client, None, body="hello")
    old = xadd(client, json.dumps({"version": 0, "item": {"text": "x"}}))
    counts = Consumer("test-1", block_ms=100).run(until_idle=True)
    assert counts == {"new": 5, "duplicate": 1, "refused": 1, "dead_letter": 3}
    with session_scope() as session:
        articles = session.execute(select(Article.external_id, Article.source_ref, Article.status)).all()
        failures = session.execute(select(Failure.item, Failure.reason)).all()
    assert sorted(a.external_id for a in articles) == sorted(p.stem for p in seeds)
    assert {a.source_ref for a in articles} == {f"intake:{entry}" for entry in stored} and {a.status for a in articles} == {"stored"}
    assert failures == [(f"intake:{empty}", "empty")]
    letters = dead_letters(client)
    assert {entry: letter["reason"] for entry, letter in letters.items()} == {
        bad_json: "bad_json",
        no_envelope: "no_envelope",
        old: "unsupported_version",
    }
    assert letters[bad_json]["original:envelope"] == "{not json" and letters[no_envelope]["original:body"] == "hello"
    assert letters[old]["error"].startswith("envelope version 0 is not supported")
    assert group_state(client) == {"pending": 0, "lag": 0}
    assert again not in letters


def test_entries_left_pending_by_a_dead_consumer_are_claimed_and_stored_once(stream_store):
    client = stream_store
    ids = [xadd(client, envelope_json({"text": STORY.format(n=n), "external_id": f"story-{n}"})) for n in range(6)]
    dead = Consumer("dead", block_ms=100)
    dead.ensure_group()
    taken = client.xreadgroup(dead.group, "dead", {streams.intake_key(): ">"}, count=4)[0][1]
    for entry_id, fields in taken[:2]:  # stored, then it died before acknowledging
        assert dead.handle(entry_id.decode(), fields).outcome == "new"
    time.sleep(0.3)
    counts = Consumer("alive", block_ms=100, claim_idle_s=0.2).run(until_idle=True)
    assert counts == {"duplicate": 2, "new": 4}, "the two it stored are the same articles again"
    with session_scope() as session:
        rows = session.execute(select(Article.external_id, func.count()).group_by(Article.external_id)).all()
    assert sorted(rows) == sorted((f"story-{n}", 1) for n in range(6))
    assert group_state(client) == {"pending": 0, "lag": 0} and len(ids) == 6


def test_a_restart_under_the_same_name_takes_its_own_pending_entries_first(stream_store):
    client = stream_store
    xadd(client, envelope_json({"text": STORY.format(n=1), "external_id": "own-1"}))
    first = Consumer("desk", block_ms=100)
    first.ensure_group()
    client.xreadgroup(first.group, "desk", {streams.intake_key(): ">"}, count=10)  # taken, never handled
    counts = Consumer("desk", block_ms=100, claim_idle_s=3600).run(until_idle=True)
    assert counts == {"new": 1} and group_state(client) == {"pending": 0, "lag": 0}


def test_an_entry_delivered_too_often_goes_to_the_dead_letters(stream_store, monkeypatch):
    client = stream_store
    apply_env(monkeypatch, CLAIMWIRE_INTAKE_MAX_DELIVERIES="2")
    poison = xadd(client, envelope_json({"text": STORY.format(n=9), "external_id": "poison"}))
    consumer = Consumer("c", block_ms=100)
    consumer.ensure_group()
    client.xreadgroup(consumer.group, "a", {streams.intake_key(): ">"})  # two consumers took it and died
    client.xclaim(streams.intake_key(), consumer.group, "b", 0, [poison])
    assert Consumer("c", block_ms=100, claim_idle_s=0).run(until_idle=True) == {"dead_letter": 1}
    letter = dead_letters(client)[poison]
    assert letter["reason"] == "too_many_deliveries" and letter["deliveries"] == "3"
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 0


# --- the drill: 1,000 entries while the consumer is SIGKILLed and restarted --------------------------------


def _entries() -> tuple[list[dict], dict[str, str], list[int]]:
    """1,000 entries: stories, a few sent twice, refused ones and malformed ones (with the reason each must get)."""
    sent: list[dict] = []
    malformed = {"no_envelope": 0, "bad_json": 0, "invalid_envelope": 0, "unsupported_version": 0}
    refused: list[int] = []
    for n in range(1000):
        if n % 40 == 7:
            kind = list(malformed)[(n // 40) % 4]
            malformed[kind] += 1
            fields = {
                "no_envelope": {"payload": f"entry {n}"},
                "bad_json": {"envelope": "{" + f"entry {n}"},
                "invalid_envelope": {"envelope": json.dumps({"version": 1, "item": {"text": f"entry {n}", "priority": 1}})},
                "unsupported_version": {"envelope": json.dumps({"version": 9, "item": {"text": f"entry {n}"}})},
            }[kind]
            sent.append({"fields": fields, "expect": ("dead_letter", kind)})
        elif n % 50 == 13:
            refused.append(n)
            sent.append(
                {"fields": {"envelope": envelope_json({"text": "  ", "external_id": f"empty-{n}"})}, "expect": ("refused", "empty")}
            )
        else:
            ext = f"story-{n - 1 if n % 97 == 5 else n}"  # every 97th repeats the one before it: the same article
            sent.append(
                {
                    "fields": {"envelope": envelope_json({"text": STORY.format(n=ext), "title": f"Floods {ext}", "external_id": ext})},
                    "expect": ("stored", ext),
                }
            )
    return sent, malformed, refused


def _stored_count() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(Article))


def _pending_of(client, group: str, consumer: str) -> int:
    summary = client.xpending_range(streams.intake_key(), group, min="-", max="+", count=10_000, consumername=consumer)
    return len(summary)


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_thousand_entries_while_the_consumer_is_killed_and_restarted(pg_url, redis_url, tmp_path, monkeypatch):
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=redis_url)  # the service: PostgreSQL, tasks queued on Redis (no worker here)
    client = redis.Redis.from_url(redis_url)
    env = env_for(CLAIMWIRE_HOME=str(tmp_path / "home"), CLAIMWIRE_LOG_LEVEL="INFO")
    argv = ["consume", "--batch", "25", "--block-ms", "200", "--claim-idle", "1"]
    entries, malformed, refused = _entries()
    group = "claimwire"
    ids: list[str] = []

    def produce():
        for start_at in range(0, len(entries), 20):
            with client.pipeline(transaction=False) as pipe:
                for entry in entries[start_at : start_at + 20]:
                    pipe.xadd(streams.intake_key(), entry["fields"])
                ids.extend(i.decode() for i in pipe.execute())
            time.sleep(0.04)

    producer = threading.Thread(target=produce)
    processes: list[subprocess.Popen] = []

    def kill_mid_batch(name: str, stored_at_least: int) -> int:
        """Start consumer NAME, SIGKILL it once it holds entries taken but not acknowledged (a batch in hand);
        again if it happened to acknowledge them between the look and the kill. Returns what it left pending."""
        for attempt in range(10):
            process = start(tmp_path, f"consumer-{name}-{attempt}", [*argv, "--name", name], env)
            processes.append(process)
            _wait(lambda: _stored_count() >= stored_at_least and _pending_of(client, group, name) > 0, 90, f"{name} to be mid-batch")
            kill_group(process)
            process.wait(10)
            left = _pending_of(client, group, name)
            if left:
                return left
        raise AssertionError(f"{name} never left an entry pending at its kill")

    try:
        producer.start()
        left_by_c1 = kill_mid_batch("c1", 150)  # SIGKILL c1 while it holds entries it has taken (stored or not)
        left_by_c2 = kill_mid_batch("c2", 500)  # another name: it claims c1's after 1 s; killed in turn
        again = start(tmp_path, "consumer-c2-again", [*argv, "--name", "c2"], env)  # the same name: its own pending first
        processes.append(again)
        producer.join(60)
        assert len(ids) == 1000

        def drained() -> bool:
            [info] = client.xinfo_groups(streams.intake_key())
            return info["pending"] == 0 and info["lag"] == 0

        _wait(drained, 120, "every entry acknowledged")
    finally:
        stop(*[p for p in processes if p.poll() is None])
        producer.join(5)
    logs = "".join(log_tail(tmp_path, f"consumer-c2-{n}", 200_000) for n in range(10)) + log_tail(tmp_path, "consumer-c2-again", 200_000)
    assert "intake_reclaimed" in logs, "c2 claimed what c1 left"

    expected_articles = {e["expect"][1] for e in entries if e["expect"][0] == "stored"}
    with session_scope() as session:
        per_article = dict(session.execute(select(Article.external_id, func.count()).group_by(Article.external_id)).all())
        failure_items = session.execute(select(Failure.item, Failure.reason)).all()
    assert set(per_article) == expected_articles, "every story stored"
    assert set(per_article.values()) == {1}, "each once"
    refused_ids = {ids[n] for n in refused}
    assert sorted(item for item, _ in failure_items) == sorted(f"intake:{i}" for i in refused_ids), "each refused entry recorded once"
    assert {reason for _, reason in failure_items} == {"empty"}

    letters = dead_letters(client)
    expected_letters = {ids[n]: e["expect"][1] for n, e in enumerate(entries) if e["expect"][0] == "dead_letter"}
    assert {k: v["reason"] for k, v in letters.items()} == expected_letters
    assert len(client.xrange(streams.dead_letter_key())) == sum(malformed.values()), "each malformed entry once"
    assert all(v["error"] for v in letters.values())
    assert client.xpending(streams.intake_key(), group)["pending"] == 0
    print(
        f"\nc1 left {left_by_c1} and c2 {left_by_c2} pending at their kills; {len(per_article)} articles, {len(refused_ids)} refused, {len(letters)} dead letters"
    )


def test_consume_needs_a_redis(sqlite_store, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_STREAM_URL=None, BROKER_URL=None)
    result = subprocess.run(
        [os.sys.executable, "-m", "service.cli", "consume", "--until-idle"], capture_output=True, text=True, env=env_for(), timeout=60
    )
    assert result.returncode != 0 and "CLAIMWIRE_STREAM_URL" in result.stderr


def test_on_postgresql_a_batch_is_received_in_stream_order(pg_url, redis_url, monkeypatch):
    """One INSERT per batch (tasks/receive.py receive_many): the article ids follow the stream's order, so receipt
    order (what linking follows) is the order the producer wrote in; a repeated item in one batch is stored once."""
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=redis_url)
    client = redis.Redis.from_url(redis_url)
    stories = [f"story-{n}" for n in range(150)]
    entry_ids = [
        xadd(client, envelope_json({"text": STORY.format(n=ext), "external_id": ext, "outlet": f"outlet-{n % 7}"}))
        for n, ext in enumerate(stories)
    ]
    xadd(client, envelope_json({"text": STORY.format(n="story-3"), "external_id": "story-3"}))
    assert Consumer("pg", block_ms=100, batch=64).run(until_idle=True) == {"new": 150, "duplicate": 1}
    with session_scope() as session:
        rows = session.execute(select(Article.id, Article.source_ref, Article.external_id).order_by(Article.id)).all()
    assert [r.external_id for r in rows] == stories and [r.source_ref for r in rows] == [f"intake:{e}" for e in entry_ids]
