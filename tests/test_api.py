"""The HTTP API on the embedded default (SQLite, tasks in-process), through FastAPI's test client."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.conftest import apply_env

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(sqlite_store, monkeypatch):
    apply_env(
        monkeypatch, CLAIMWIRE_API_TOKEN=TOKEN, CLAIMWIRE_API_MAX_BODY_BYTES=str(512 * 1024), CLAIMWIRE_MAX_INPUT_BYTES=str(256 * 1024)
    )
    from service.api import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def seed_payloads(seeds_dir):
    return [{"text": path.read_text(), "external_id": path.stem, "published": "2024-05-01"} for path in sorted(seeds_dir.glob("*.txt"))]


def test_openapi_schema_describes_the_api(client):
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "claimwire"
    paths = schema["paths"]
    assert set(paths) == {
        "/articles", "/articles/{article_id}", "/events", "/events/{event_id}", "/feeds", "/healthz", "/metrics",
        "/changes", "/changes/stream", "/webhooks", "/webhooks/{webhook_id}", "/webhooks/{webhook_id}/deliveries",
    }  # fmt: skip
    assert paths["/webhooks"]["post"]["security"] == [{"HTTPBearer": []}]
    assert {"post"} <= set(paths["/articles"]) and {"post", "get"} <= set(paths["/feeds"])
    post = paths["/articles"]["post"]
    assert {"202", "200", "401", "413", "422"} <= set(post["responses"])
    assert post["security"] == [{"HTTPBearer": []}]
    assert "security" not in paths["/events"]["get"]
    article_in = schema["components"]["schemas"]["ArticleIn"]
    assert {"url", "html", "text", "title", "outlet", "published", "external_id"} == set(article_in["properties"])
    assert article_in["additionalProperties"] is False
    assert {"id", "status", "error", "claims", "event", "failures"} <= set(schema["components"]["schemas"]["ArticleOut"]["properties"])
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert client.get("/docs").status_code == 200


def test_writes_need_the_bearer_token(client, monkeypatch):
    body = {"text": "Two people were shot on Main Street, police said."}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic " + TOKEN}):
        response = client.post("/articles", json=body, headers=headers)
        assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    assert client.post("/feeds", json={"url": "https://news.example/rss"}).status_code == 401
    assert client.get("/events").status_code == 200  # reads are open

    apply_env(monkeypatch, CLAIMWIRE_API_TOKEN=None)
    response = client.post("/articles", json=body, headers=AUTH)
    assert response.status_code == 401 and response.json()["error"] == "writes_disabled"


def test_post_is_idempotent_and_the_article_has_claims_and_an_event(client, seeds_dir):
    first, *rest = seed_payloads(seeds_dir)
    created = client.post("/articles", json=first, headers=AUTH)
    assert created.status_code == 202, created.text
    article_id = created.json()["id"]
    assert created.json()["duplicate"] is False and created.headers["location"] == f"/articles/{article_id}"

    again = client.post("/articles", json=first, headers=AUTH)
    assert again.status_code == 200 and again.json() == {**again.json(), "id": article_id, "duplicate": True}
    same_id = client.post("/articles", json={**first, "text": first["text"] + "\nUpdated."}, headers=AUTH)
    assert same_id.json()["id"] == article_id and same_id.json()["duplicate"] is True
    same_body = client.post("/articles", json={"text": first["text"]}, headers=AUTH)
    assert same_body.status_code == 202  # no id, new identity by body ...
    assert client.get(f"/articles/{same_body.json()['id']}").json()["status"] == "duplicate"  # ... but the same cleaned text

    article = client.get(f"/articles/{article_id}").json()
    assert article["status"] == "stored" and article["error"] is None and article["failures"] == []
    assert article["published"].startswith("2024-05-01")
    assert article["claims"] and {"kind", "sentence", "start", "end", "extractor", "extractor_version"} <= set(article["claims"][0])
    assert article["event"]["id"] and article["event"]["decision"] in ("new", "joined", "merged")

    for payload in rest:
        assert client.post("/articles", json=payload, headers=AUTH).status_code == 202
    event = client.get(f"/events/{client.get(f'/articles/{article_id}').json()['event']['id']}").json()
    assert event["article_count"] >= 2 and isinstance(event["ledger"], dict) and event["ledger"]


def test_events_are_paged_newest_activity_first(client, seeds_dir):
    payloads = seed_payloads(seeds_dir)
    payloads.append(
        {
            "text": "A fire destroyed a barn near Springfield, Ohio on Tuesday. No one was hurt, fire chief Bob Jones said. " * 3,
            "published": "2021-01-05",
        }
    )
    for payload in payloads:
        assert client.post("/articles", json=payload, headers=AUTH).status_code == 202
    everything = client.get("/events").json()
    assert len(everything["events"]) >= 2 and everything["next_offset"] is None
    last_seen = [e["last_seen"] for e in everything["events"]]
    assert last_seen == sorted(last_seen, reverse=True)
    page = client.get("/events", params={"limit": 1}).json()
    assert len(page["events"]) == 1 and page["next_offset"] == 1
    second = client.get("/events", params={"limit": 1, "offset": 1}).json()
    assert second["events"][0]["id"] == everything["events"][1]["id"]
    assert client.get("/events", params={"limit": 0}).status_code == 422


def test_errors_are_json_with_a_reason(client):
    cases = [
        (client.get("/articles/99999"), 404, "not_found"),
        (client.get("/events/99999"), 404, "not_found"),
        (client.get("/nowhere"), 404, "not_found"),
        (client.post("/articles", json={}, headers=AUTH), 422, "no_article"),
        (client.post("/articles", json={"text": "a", "html": "<p>a</p>"}, headers=AUTH), 422, "ambiguous_body"),
        (client.post("/articles", json={"text": "   "}, headers=AUTH), 422, "empty"),
        (client.post("/articles", json={"url": "ftp://x.example/a"}, headers=AUTH), 422, "bad_url"),
        (client.post("/articles", json={"text": "x", "published": "yesterday"}, headers=AUTH), 422, "bad_published"),
        (client.post("/articles", json={"text": "x", "colour": "red"}, headers=AUTH), 422, "invalid_request"),
        (client.post("/articles", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}), 422, "bad_json"),
        (client.post("/articles", json={"text": "x" * (300 * 1024)}, headers=AUTH), 413, "too_large"),
        (client.post("/articles", json={"text": "x" * (600 * 1024)}, headers=AUTH), 413, "body_too_large"),
        (
            client.post(
                "/articles", content=b"x" * (600 * 1024), headers={**AUTH, "Content-Type": "application/json", "Content-Length": "12"}
            ),
            413,
            "body_too_large",
        ),
    ]
    for response, status, reason in cases:
        assert response.status_code == status, (reason, response.text[:200])
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["error"] == reason and response.json()["message"]


def test_body_cap_counts_streamed_bytes(client):
    def chunks():
        for _ in range(20):
            yield b"x" * (64 * 1024)

    response = client.post("/articles", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"] == "body_too_large"


def final_article(client, article_id: int, timeout: float = 20) -> dict:
    """The article once it is final: a URL is fetched off the request thread (the embedded server's runner)."""
    deadline = time.monotonic() + timeout
    while True:
        article = client.get(f"/articles/{article_id}").json()
        if article["status"] in ("stored", "duplicate", "skipped", "failed") or time.monotonic() > deadline:
            return article
        time.sleep(0.05)


def test_a_permanent_failure_is_visible_on_the_article(client, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_FETCH_ALLOW_PRIVATE=None)
    response = client.post("/articles", json={"url": "http://127.0.0.1:9/story.html"}, headers=AUTH)
    assert response.status_code == 202 and response.json()["status"] == "received"  # answered before it is fetched
    article = final_article(client, response.json()["id"])
    assert article["status"] == "failed" and "address_refused" in article["error"]
    assert [(f["stage"], f["reason"]) for f in article["failures"]] == [("fetch", "address_refused")]
    assert 'claimwire_articles_failed_total{reason="address_refused",stage="fetch"}' in client.get("/metrics").text


def test_feeds_are_registered_once(client):
    created = client.post("/feeds", json={"url": "https://news.example/rss.xml", "interval_s": 300}, headers=AUTH)
    assert created.status_code == 201 and created.json()["created"] is True and created.json()["interval_s"] == 300
    again = client.post("/feeds", json={"url": "https://news.example/rss.xml"}, headers=AUTH)
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"] and again.json()["created"] is False
    assert [f["url"] for f in client.get("/feeds").json()] == ["https://news.example/rss.xml"]
    assert client.post("/feeds", json={"url": "not a url"}, headers=AUTH).json()["error"] == "bad_url"
    assert client.post("/feeds", json={"url": "https://x.example/", "interval_s": 1}, headers=AUTH).status_code == 422


def test_healthz_checks_database_and_broker(client, monkeypatch):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "broker": "embedded"}
    apply_env(monkeypatch, BROKER_URL="redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "ok" and response.json()["broker"] != "ok"
    apply_env(monkeypatch, BROKER_URL=None, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] != "ok"


def test_metrics_endpoint(client, seeds_dir):
    client.post("/articles", json=seed_payloads(seeds_dir)[0], headers=AUTH)
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in (
        "claimwire_articles_received_total",
        "claimwire_articles_processed_total",
        "claimwire_stage_duration_seconds_bucket",
        "claimwire_events_open",
        "claimwire_api_requests_total",
    ):
        assert name in text, name


def test_a_post_while_the_database_is_down_is_503_with_retry_after(client, monkeypatch):
    """The store unreachable: 503 and Retry-After, so that the client posts again; not a 500."""
    apply_env(monkeypatch, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    down = TestClient(client.app, raise_server_exceptions=False)  # the app is started: only the store went away
    response = down.post("/articles", json={"text": "A man was shot on Main Street, police said. " * 5}, headers=AUTH)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"
    assert response.json()["error"] == "unavailable"


@pytest.mark.parametrize("broker", [True, False])
def test_the_api_imports_the_task_modules_before_it_takes_posts_when_it_sends_tasks(broker, sqlite_store, redis_url, monkeypatch):
    """With a broker the first post would import the task modules (half a second of CPU, the posts behind it
    waiting): the API imports them as it starts. Embedded, the tasks run in-process and nothing is sent."""
    from service.api import create_app
    from tasks import base

    loaded = []
    monkeypatch.setattr(base, "load_task_modules", lambda: loaded.append(True))
    apply_env(monkeypatch, BROKER_URL=redis_url if broker else None)
    with TestClient(create_app()):
        pass
    assert loaded == ([True] if broker else [])
