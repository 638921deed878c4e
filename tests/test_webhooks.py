"""Webhook subscriptions through the API and their deliveries: signed, in order, retried with backoff, recorded,
and never to an address the fetcher's guard refuses. The receiver is the documented example
(examples/webhook_receiver.py) on 127.0.0.1."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from claimwire.sources import iter_items
from examples.webhook_receiver import Receiver
from service.ingest import receive_all
from storage import changefeed
from storage.db import session_scope
from tasks.webhooks import deliver_due
from tests.changehelp import check_changes, seeds_story
from tests.conftest import apply_env
from tests.web_helpers import build_app

TOKEN = "hook-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(sqlite_store, monkeypatch):
    apply_env(
        monkeypatch,
        CLAIMWIRE_API_TOKEN=TOKEN,
        CLAIMWIRE_WEBHOOK_ALLOW_PRIVATE="1",
        CLAIMWIRE_WEBHOOK_BACKOFF_S="0.3",
        CLAIMWIRE_WEBHOOK_MAX_ATTEMPTS="3",
    )
    return TestClient(build_app())  # no lifespan: the test delivers itself (deliver_due)


def subscribe(client, url: str, **fields) -> dict:
    response = client.post("/webhooks", json={"url": url, **fields}, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


def table_changes() -> list[dict]:
    with session_scope() as session:
        found, _ = changefeed.read_changes(session, 0, 100_000)
    return [c.to_dict() for c in found]


def test_the_seeds_reach_a_receiver_in_order_and_signed(client, seeds_dir):
    with Receiver() as receiver:
        created = subscribe(client, receiver.url, from_change_id=0, description="the desk's bot")
        receiver.secret = created["secret"]
        assert created["kinds"] == [] and created["event_ids"] == [] and created["cursor"] == 0
        receipts = list(receive_all(iter_items([str(seeds_dir)])))
        result = deliver_due(budget_s=60)
    assert result["sent"] == len(table_changes())
    assert all(request["verified"] for request in receiver.requests)
    assert receiver.changes == table_changes(), "every change, in the feed's order, each once"
    check_changes(receiver.changes)
    seeds_story(receiver.changes, [r.article_id for r in receipts])
    headers = receiver.requests[0]["headers"]
    assert headers["X-Claimwire-Change-Id"] == str(receiver.changes[0]["id"]) and headers["X-Claimwire-Attempt"] == "1"
    listed = client.get(f"/webhooks/{created['id']}", headers=AUTH).json()
    assert listed["deliveries"] == {"delivered": len(receiver.changes)} and listed["cursor"] == receiver.changes[-1]["id"]
    assert "secret" not in listed


def test_a_filter_sends_only_its_kinds_and_events(client, seeds_dir):
    with Receiver() as receiver:
        created = subscribe(client, receiver.url, kinds=["article.linked", "dispute.appeared"], from_change_id=0)
        receiver.secret = created["secret"]
        list(receive_all(iter_items([str(seeds_dir)])))
        deliver_due(budget_s=30)
        event_id = receiver.changes[0]["event_id"]
        other = subscribe(client, receiver.url, event_ids=[event_id + 100], from_change_id=0)
        assert deliver_due(budget_s=10)["sent"] == 0
    assert {c["kind"] for c in receiver.changes} == {"article.linked", "dispute.appeared"}
    assert [c["id"] for c in receiver.changes] == [c["id"] for c in table_changes() if c["kind"] in ("article.linked", "dispute.appeared")]
    assert client.get(f"/webhooks/{other['id']}", headers=AUTH).json()["cursor"] == table_changes()[-1]["id"], (
        "nothing for it, nothing pending"
    )


def test_a_receiver_that_answers_500_gets_retries_with_backoff_then_the_delivery_is_recorded_failed(client, seeds_dir):
    list(receive_all(iter_items([str(seeds_dir / "000_33ae1f9e66d21cca.txt")])))
    first_two = table_changes()[:2]
    with Receiver(status=500) as receiver:
        created = subscribe(client, receiver.url, from_change_id=0)
        receiver.secret = created["secret"]
        deliver_due(budget_s=5)
        tries = [r for r in receiver.requests if r["headers"]["X-Claimwire-Change-Id"] == str(first_two[0]["id"])]
    assert [r["headers"]["X-Claimwire-Attempt"] for r in tries] == ["1", "2", "3"], "CLAIMWIRE_WEBHOOK_MAX_ATTEMPTS=3"
    assert all(r["verified"] for r in tries) and len({r["body"] for r in tries}) == 1
    gaps = [later["at"] - earlier["at"] for earlier, later in zip(tries, tries[1:])]
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6 and gaps[1] > gaps[0] + 0.15, f"exponential backoff (0.3 s, then 0.6 s): {gaps}"
    deliveries = client.get(f"/webhooks/{created['id']}/deliveries", params={"status": "failed"}, headers=AUTH).json()
    failed = {d["change_id"]: d for d in deliveries}
    record = failed[first_two[0]["id"]]
    assert record["attempts"] == 3 and record["last_status_code"] == 500 and record["last_error"] == "HTTP 500"
    assert first_two[1]["id"] in failed, "the subscription went on with the next change, in order"


def test_subscriptions_need_the_token_and_a_public_address(sqlite_store, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_API_TOKEN=TOKEN)
    client = TestClient(build_app())
    assert client.post("/webhooks", json={"url": "https://hooks.example.org/x"}).status_code == 401
    assert client.get("/webhooks").status_code == 401
    for url, reason in (
        ("http://127.0.0.1:9000/hook", "address_refused"),
        ("http://169.254.169.254/latest/meta-data", "address_refused"),
        ("http://[::1]/hook", "address_refused"),
        ("http://10.1.2.3/hook", "address_refused"),
        ("ftp://example.org/hook", "bad_url"),
    ):
        response = client.post("/webhooks", json={"url": url}, headers=AUTH)
        assert response.status_code == 422 and response.json()["error"] == reason, (url, response.text)
    refused = client.post("/webhooks", json={"url": "https://93.184.215.14/hook", "kinds": ["toll.lowered"]}, headers=AUTH)
    assert refused.status_code == 422 and refused.json()["error"] == "unknown_kind"
    created = client.post("/webhooks", json={"url": "https://93.184.215.14/hook", "kinds": ["headline.changed"]}, headers=AUTH)
    assert created.status_code == 201 and len(created.json()["secret"]) >= 32
    webhook_id = created.json()["id"]
    assert [w["id"] for w in client.get("/webhooks", headers=AUTH).json()] == [webhook_id]
    assert client.delete(f"/webhooks/{webhook_id}", headers=AUTH).status_code == 204
    assert client.get(f"/webhooks/{webhook_id}", headers=AUTH).status_code == 404


def test_a_delivery_to_an_address_that_became_private_is_refused_and_retried(client, monkeypatch, seeds_dir):
    """The guard runs again before every POST: a host whose DNS now answers a private address is not reached."""
    from claimwire import fetching

    apply_env(monkeypatch, CLAIMWIRE_WEBHOOK_ALLOW_PRIVATE=None)
    monkeypatch.setattr(fetching, "resolve", lambda host, port: ["93.184.215.14"])
    created = subscribe(client, "http://hooks.newsroom.example/claimwire", from_change_id=0)
    monkeypatch.setattr(fetching, "resolve", lambda host, port: ["127.0.0.1"])
    list(receive_all(iter_items([str(seeds_dir / "000_33ae1f9e66d21cca.txt")])))
    deliver_due(budget_s=3)
    deliveries = client.get(f"/webhooks/{created['id']}/deliveries", params={"status": "failed"}, headers=AUTH).json()
    assert deliveries and all(d["last_error"].startswith("address_refused") and d["last_status_code"] is None for d in deliveries)


def test_the_embedded_server_delivers_by_itself(sqlite_store, monkeypatch, seeds_dir):
    """No broker: `claimwire serve` runs the deliverer in a thread (started with the app, stopped with it)."""
    import time

    apply_env(monkeypatch, CLAIMWIRE_API_TOKEN=TOKEN, CLAIMWIRE_WEBHOOK_ALLOW_PRIVATE="1")
    with Receiver() as receiver, TestClient(build_app()) as client:
        receiver.secret = subscribe(client, receiver.url, kinds=["event.opened"])["secret"]
        list(receive_all(iter_items([str(seeds_dir / "000_33ae1f9e66d21cca.txt")])))
        deadline = time.monotonic() + 20
        while not receiver.changes and time.monotonic() < deadline:
            time.sleep(0.1)
    assert [c["kind"] for c in receiver.changes] == ["event.opened"]


def test_a_kick_inside_the_window_sends_a_task_due_at_its_end_so_no_commit_waits_for_beat(monkeypatch):
    """Commits 0.3 s apart: the second kick falls inside KICK_EVERY_S of the first. It must still send a
    deliverer, due at the window's end (after the commit), and kicks until then ride on that one task."""
    import types

    from workers import app as celery_app, changefeed as publisher

    apply_env(monkeypatch, BROKER_URL="redis://127.0.0.1:6379/0")
    clock = {"now": 1000.0}
    sent = []
    monkeypatch.setattr(publisher, "time", types.SimpleNamespace(monotonic=lambda: clock["now"]))
    monkeypatch.setattr(publisher, "_any_webhook", lambda: True)
    monkeypatch.setitem(publisher._state, "kicked", -1e9)
    monkeypatch.setattr(celery_app.app, "send_task", lambda name, **options: sent.append((clock["now"], options.get("countdown"))))

    def kick_at(moment: float) -> None:
        clock["now"] = moment
        publisher.kick_webhooks()

    for moment in (1000.0, 1000.3, 1000.4, 1000.7, 1002.0):
        kick_at(moment)
    runs_at = [at + (countdown or 0.0) for at, countdown in sent]
    assert runs_at == pytest.approx([1000.0, 1000.5, 1001.0, 1002.0])
    for moment in (1000.0, 1000.3, 1000.4, 1000.7, 1002.0):
        assert any(moment <= run <= moment + publisher.KICK_EVERY_S for run in runs_at), f"the kick at {moment} has no deliverer"
