"""docs/INTEGRATION.md's examples run as written: the redis-cli and Python producers feed the consumer, the
receiver's signature check accepts claimwire's signatures and refuses tampered ones."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest
import redis
from sqlalchemy import select

from claimwire import webhooks
from service.intake import Consumer
from storage.db import session_scope
from storage.models import Article
from tests.changehelp import CHANGE_SCHEMA, ENVELOPE_SCHEMA
from tests.conftest import REPO, apply_env
from workers import streams

DOC = (REPO / "docs" / "INTEGRATION.md").read_text()


def example(name: str) -> str:
    found = re.search(rf"<!-- example: {re.escape(name)} -->\s*```\w+\n(.*?)```", DOC, re.S)
    assert found, f"docs/INTEGRATION.md has no example {name!r}"
    return found.group(1)


def test_the_doc_names_the_schema_files_and_every_change_kind():
    from claimwire.changes import KINDS

    assert "schemas/intake-envelope.v1.json" in DOC and "schemas/change.v1.json" in DOC
    assert ENVELOPE_SCHEMA["properties"]["version"] == {"const": 1, "description": ENVELOPE_SCHEMA["properties"]["version"]["description"]}
    assert CHANGE_SCHEMA["properties"]["kind"]["enum"] == list(KINDS)
    for kind in KINDS:
        assert f"`{kind}`" in DOC, kind


@pytest.mark.services
def test_the_producer_examples_feed_the_consumer(pg_url, redis_url, monkeypatch):
    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=redis_url)  # articles are received; no worker needed here
    key = streams.intake_key()  # the documented name under this test's prefix
    cli = shutil.which("redis-cli")
    assert cli, "redis-cli (Debian package redis-tools, with redis-server) is needed"
    for line in example("producer-redis-cli").strip().splitlines():
        argv = shlex.split(line)
        assert argv[:3] == ["redis-cli", "XADD", "claimwire:intake"], line
        done = subprocess.run([cli, "-u", redis_url, "XADD", key, *argv[3:]], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0 and re.match(r"\d+-\d+", done.stdout.strip()), done.stdout + done.stderr
    code = example("producer-python").replace('"claimwire:intake"', repr(key)).replace('"redis://localhost:6379/0"', repr(redis_url))
    namespace: dict = {}
    exec(compile(code, "INTEGRATION.md producer-python", "exec"), namespace)  # noqa: S102 - the documented example itself
    assert isinstance(namespace["entry_id"], bytes)
    assert Consumer("docs", block_ms=100).run(until_idle=True) == {"new": 3}
    with session_scope() as session:
        stored = dict(session.execute(select(Article.external_id, Article.source_kind)).all())
    assert stored == {"desk-1001": "text", "desk-1002": "url", "hn-77": "text"}
    assert redis.Redis.from_url(redis_url).xlen(streams.dead_letter_key()) == 0


def test_the_documented_signature_check_agrees_with_claimwire():
    namespace: dict = {}
    exec(compile(example("verify"), "INTEGRATION.md verify", "exec"), namespace)  # noqa: S102
    verify = namespace["verify"]
    body = b'{"id":7,"kind":"headline.changed"}'
    header = webhooks.sign("the-secret", body)
    assert verify("the-secret", body, header)
    assert not verify("the-secret", body.replace(b"7", b"8"), header)
    assert not verify("another", body, header)
    assert not verify("the-secret", body, webhooks.sign("the-secret", body, now=0)), "an old timestamp"
    assert not verify("the-secret", body, "v1=abc")
