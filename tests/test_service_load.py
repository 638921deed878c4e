"""1,000 articles of gvc-dev through the HTTP API, two Celery workers, the real Redis and PostgreSQL:
each stored once, and the same events and claims as an in-process run of the same articles."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from sqlalchemy import func, select

from bench.harness import free_port, gvc_records, payload, start_api, start_worker, stop, wait_until_final
from storage.db import session_scope
from storage.models import Article, ArticleEvent, Claim
from tests.conftest import apply_env
from tests.helpers import env_for, snapshot
from tests.servicehelp import TOKEN

pytestmark = [pytest.mark.services, pytest.mark.slow]

COUNT = 1000


def test_thousand_articles_through_the_api_and_two_workers(sqlite_store, data_dir, pg_url, redis_url, tmp_path, monkeypatch, capsys):
    from claimwire.sources import iter_items
    from service.ingest import receive_all

    records = gvc_records(data_dir / "gvc-dev.jsonl.gz", COUNT)
    assert len(records) == COUNT
    source = tmp_path / "gvc-1000.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))

    started = time.monotonic()
    receipts = list(receive_all(iter_items([str(source)])))
    in_process_s = time.monotonic() - started
    in_process = snapshot()
    stored_once = sum(1 for r in receipts if r.created)

    port = free_port()
    env = env_for(
        BROKER_URL=redis_url,
        DATABASE_URL=pg_url,
        CLAIMWIRE_HOME=str(tmp_path / "svc"),
        CLAIMWIRE_API_TOKEN=TOKEN,
        CLAIMWIRE_LOG_LEVEL="WARNING",
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    api = start_api(tmp_path, env, port)
    workers = [start_worker(tmp_path, env, name) for name in ("wa", "wb")]
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {TOKEN}"}
        started = time.monotonic()
        answers = []
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            for record in records:  # in file order: receipt order is what the events depend on
                response = client.post("/articles", json=payload(record))
                assert response.status_code in (200, 202), response.text
                answers.append(response.json())
        post_s = time.monotonic() - started
        apply_env(monkeypatch, BROKER_URL=redis_url, DATABASE_URL=pg_url)
        drain_s = wait_until_final(stored_once, timeout=900, watch=[api, *workers])
        total_s = time.monotonic() - started
        through_service = snapshot()

        # posting everything again changes nothing and answers with the same ids
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            again = [client.post("/articles", json=payload(r)).json() for r in records[:200]]
        assert all(a["duplicate"] for a in again)
        assert [a["id"] for a in again] == [a["id"] for a in answers[:200]]
        article = httpx.get(f"{base}/articles/{answers[0]['id']}").json()
        assert article["status"] == "stored" and article["event"] is not None
        events_page = httpx.get(f"{base}/events", params={"limit": 5}).json()
        assert len(events_page["events"]) == 5
    finally:
        stop(*workers, api)

    with session_scope() as session:
        articles = session.scalar(select(func.count()).select_from(Article))
        external_ids = session.scalar(select(func.count(func.distinct(Article.external_id))))
        links = session.scalar(select(func.count()).select_from(ArticleEvent))
        claims = session.scalar(select(func.count()).select_from(Claim))
    assert articles == stored_once == external_ids  # every article stored exactly once
    assert sum(1 for a in answers if not a["duplicate"]) == stored_once
    assert through_service["statuses"] == in_process["statuses"]
    assert through_service["claims"] == in_process["claims"]
    assert through_service["events"] == in_process["events"]
    assert snapshot() == through_service
    with capsys.disabled():
        print(
            f"\n[service load] {COUNT} posted ({stored_once} new) in {post_s:.1f} s; all final {drain_s:.1f} s later "
            f"({total_s:.1f} s end to end, {stored_once / total_s:.1f} articles/s); in-process {in_process_s:.1f} s; "
            f"{len(in_process['events'])} events, {links} links, {claims} claims"
        )
