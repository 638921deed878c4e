"""API abuse (issue 7): oversized bodies, wrong types, bad tokens and injection strings in every field.

Every answer is a 4xx with the JSON error body, or the item is stored verbatim and rendered
escaped in the web view; never a 500, never an article row left without its status.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import apply_env

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY_CAP = 512 * 1024
INPUT_CAP = 256 * 1024
ARTICLE = (
    "Two people were killed and three others wounded in a shooting on Main Street in Springfield on Monday night, "
    "police said. The victims were taken to Springfield General Hospital, where one of them later died. "
    '"We are asking anyone with information to come forward," said Police Chief John Smith. '
    "Officers are still looking for a suspect."
)

INJECTIONS = [
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "{{7*7}}{% raw %}${7*7}",
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "a\r\nSet-Cookie: evil=1\r\n\r\n<h1>split</h1>",
    "%s%s%s%n%x{0}{__class__}",
    "\u202eevil\u202c \u200bzero\u200dwidth",
    "\x00NUL\x00",
    "𝕏" * 500,
    "ﷺ" * 200 + "\U0010fffd",
]


@pytest.fixture
def client(sqlite_store, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_API_TOKEN=TOKEN, CLAIMWIRE_API_MAX_BODY_BYTES=str(BODY_CAP), CLAIMWIRE_MAX_INPUT_BYTES=str(INPUT_CAP))
    from service.api import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def article_rows() -> int:
    from storage.db import session_scope
    from storage.models import Article

    with session_scope() as session:
        return session.execute(select(func.count()).select_from(Article)).scalar_one()


def assert_error(response, status: int | tuple[int, ...]) -> None:
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    body = response.json()
    assert set(body) == {"error", "message"} and body["error"], body


def assert_nothing_half_stored() -> None:
    """Every article has its status; a finished article has what its status promises."""
    from storage.db import session_scope
    from storage.models import Article, ArticleStatus

    with session_scope() as session:
        for article in session.execute(select(Article)).scalars():
            assert article.status in {
                ArticleStatus.RECEIVED,
                ArticleStatus.FETCHED,
                ArticleStatus.CLEANED,
                ArticleStatus.EXTRACTED,
                ArticleStatus.LINKED,
                ArticleStatus.STORED,
                ArticleStatus.DUPLICATE,
                ArticleStatus.SKIPPED,
                ArticleStatus.FAILED,
            }, (article.id, article.status)
            assert article.identity and article.source_kind
            if article.status == ArticleStatus.STORED:
                assert article.clean_text, article.id
            if article.status == ArticleStatus.FAILED:
                assert article.error, article.id


# --- size ------------------------------------------------------------------------------------------------


def test_oversized_body_is_413(client):
    before = article_rows()
    response = client.post("/articles", json={"text": "x " * BODY_CAP}, headers=AUTH)
    assert_error(response, 413)
    assert response.json()["error"] == "body_too_large"
    # declared length over the cap, whatever follows
    response = client.post(
        "/articles", content=b"{}", headers={**AUTH, "Content-Length": str(BODY_CAP * 100), "Content-Type": "application/json"}
    )
    assert response.status_code in (413, 400) or response.status_code < 500
    response = client.post("/articles", content=b"{}", headers={**AUTH, "Content-Length": "-1", "Content-Type": "application/json"})
    assert response.status_code < 500
    assert article_rows() == before


def test_text_over_the_input_cap_is_413(client):
    before = article_rows()
    response = client.post("/articles", json={"text": "Police said. " * (INPUT_CAP // 13 + 10)}, headers=AUTH)
    assert_error(response, 413)
    assert response.json()["error"] == "too_large"
    # multi-byte text: the cap is on UTF-8 bytes, not characters
    response = client.post("/articles", json={"text": "𝕏" * (INPUT_CAP // 4 + 10)}, headers=AUTH)
    assert_error(response, 413)
    assert article_rows() == before


def _run_limit(declared: int | None, chunks: list[bytes]) -> tuple[int, int, bool]:
    """Drive the BodyLimit middleware directly: (status, chunks read, app called)."""
    from service.middleware import BodyLimit

    read = 0
    called = False
    sent: list[dict] = []

    async def app(scope, receive, send):
        nonlocal called
        called = True
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 202, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        nonlocal read
        if read < len(chunks):
            read += 1
            return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    headers = [(b"content-type", b"application/json")]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    scope = {"type": "http", "method": "POST", "path": "/articles", "headers": headers}
    asyncio.run(BodyLimit(app, limit=1000)(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, read, called


def test_body_limit_refuses_before_reading_the_body():
    chunks = [b"x" * 100] * 1000  # 100 kB offered in 100-byte chunks
    status, read, called = _run_limit(100_000, chunks)
    assert (status, read, called) == (413, 0, False)  # declared length: nothing read
    status, read, called = _run_limit(None, chunks)  # chunked, no length: stops at the cap
    assert status == 413 and read == 11 and not called
    status, read, called = _run_limit(None, [b"{}"])
    assert (status, called) == (202, True)


# --- types and tokens --------------------------------------------------------------------------------------

WRONG_BODIES = [
    {"text": 123},
    {"text": ["a", "b"]},
    {"text": {"$ne": None}},
    {"html": True},
    {"url": 5},
    {"url": "ftp://example.org/x"},
    {"url": "file:///etc/passwd"},
    {"url": "javascript:alert(1)"},
    {"url": "http://[::1"},
    {"url": "https://ok.example/a\r\nX: y"},
    {"url": "http://"},
    {"published": 20240501},
    {"published": "yesterday"},
    {"published": "0001-01-01T00:00:00+01:00"},
    {"published": "9999-12-31T23:59:59-01:00"},
    {"text": "a", "html": "<p>b</p>"},
    {"text": "  \n\t "},
    {"text": "ok", "admin": True},
    {"title": "t" * 2001, "text": "ok"},
    {"outlet": "o" * 256, "text": "ok"},
    {"external_id": "e" * 256, "text": "ok"},
    {},
    [],
    None,
    "text",
    42,
]


@pytest.mark.parametrize("body", WRONG_BODIES, ids=range(len(WRONG_BODIES)))
def test_wrong_types_and_values_are_422(client, body):
    before = article_rows()
    response = client.post("/articles", content=json.dumps(body), headers={**AUTH, "Content-Type": "application/json"})
    assert_error(response, 422)
    assert article_rows() == before


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe{}", b'{"text": "\\ud800"}', b"{'text': 1}", b'{"text": "a"}' * 3, b"null", b"\x00"])
def test_malformed_json_is_422(client, raw):
    response = client.post("/articles", content=raw, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert article_rows() == 0


def test_wrong_feed_types_are_422(client):
    for body in (
        {"url": "https://news.example/rss", "interval_s": "abc"},
        {"url": "https://news.example/rss", "interval_s": -1},
        {"url": "https://news.example/rss", "interval_s": 10**30},
        {"url": "not a url"},
        {"url": ["https://a.example"]},
        {"url": "https://news.example/rss\r\nHost: evil"},
    ):
        assert_error(client.post("/feeds", json=body, headers=AUTH), 422)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": "Bearer " + "A" * 10_000},
        {"Authorization": b"Bearer \xff\xfe\xfd"},
        {"Authorization": "Bearer ' OR '1'='1"},
    ],
)
def test_missing_or_wrong_token_is_401(client, headers):
    for path, body in (("/articles", {"text": ARTICLE}), ("/feeds", {"url": "https://news.example/rss"})):
        response = client.post(path, json=body, headers=headers)
        assert_error(response, (401, 403))
    assert article_rows() == 0


def test_wrong_methods_and_paths_are_4xx(client):
    assert client.delete("/articles/1", headers=AUTH).status_code == 405
    assert client.put("/articles", json={"text": ARTICLE}, headers=AUTH).status_code == 405
    for path in (
        "/articles/abc",
        "/articles/-1",
        "/articles/99999999999999999999999",
        "/events/1e9",
        "/events?limit=0",
        "/events?limit=abc",
        "/events?offset=-5",
        "/events?limit=10000",
        "/articles/%00",
        "/ui/events/abc",
        "/ui/static/..%2f..%2fpyproject.toml",
        "/ui/static/../../pyproject.toml",
        "/ui/events/99999999999999999999",
    ):
        response = client.get(path)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        assert "[project]" not in response.text


# --- injection strings -------------------------------------------------------------------------------------


def _payload(field: str, value: str) -> dict:
    base = {
        "text": ARTICLE,
        "title": "Two killed in Springfield shooting",
        "outlet": "springfield.example",
        "published": "2024-05-01",
        "external_id": f"abuse-{field}-{abs(hash(value))}",
    }
    if field == "url":
        base["url"] = "https://springfield.example/news/" + value
    elif field == "text":
        base["text"] = ARTICLE + "\n\n" + value
    elif field == "html":
        del base["text"]
        base["html"] = f"<html><head><title>{value}</title></head><body><article><p>{ARTICLE}</p><p>{value}</p></article></body></html>"
    else:
        base[field] = value
    return base


@pytest.mark.parametrize("field", ["url", "text", "html", "title", "outlet", "published", "external_id"])
def test_injection_strings_in_every_field(client, field):
    from storage.db import session_scope
    from storage.models import Article

    for value in INJECTIONS:
        payload = _payload(field, value)
        before = article_rows()
        response = client.post("/articles", json=payload, headers=AUTH)
        assert response.status_code in (200, 202, 413, 422), (field, value[:40], response.status_code, response.text[:300])
        if response.status_code >= 400:
            assert_error(response, (413, 422))
            assert article_rows() == before
            continue
        article_id = response.json()["id"]
        got = client.get(f"/articles/{article_id}")
        assert got.status_code == 200, got.text
        article = got.json()
        assert article["status"] in ("stored", "duplicate", "skipped", "failed"), article
        assert article["status"] != "failed" or article["error"]
        with session_scope() as session:
            row = session.get(Article, article_id)
            if field == "external_id":
                assert row.external_id == value  # stored verbatim
            if field == "url":
                assert row.url == payload["url"]
        if field == "title" and "\x00" not in value and not any(ch in value for ch in "\u202e\u200b\u200d\u202c"):
            assert article["title"] == value  # stored verbatim
    assert_nothing_half_stored()


def test_injected_markup_is_escaped_in_the_web_view(client):
    evil = "<script>alert('xss')</script><img src=x onerror=alert(1)>"
    payload = {
        "text": ARTICLE + "\n\n" + f'"{evil} is what they wrote on the wall," said {evil} Smith.',
        "title": f"Two killed {evil}",
        "outlet": f"evil{evil}",
        "url": "javascript:alert(1)//https://x.example/",
    }
    response = client.post("/articles", json=payload, headers=AUTH)
    assert response.status_code == 422  # not an http(s) URL
    payload["url"] = "https://springfield.example/news/" + "%3Cscript%3E" + '"><script>alert(2)</script>'
    response = client.post("/articles", json=payload, headers=AUTH)
    assert response.status_code == 202, response.text
    article = client.get(f"/articles/{response.json()['id']}").json()
    assert article["status"] == "stored" and article["event"], article
    event_id = article["event"]["id"]
    pages = [
        client.get("/"),
        client.get("/ui/overview/fragment"),
        client.get(f"/ui/events/{event_id}"),
        client.get(f"/ui/events/{event_id}/fragment"),
    ]
    for page in pages:
        assert page.status_code == 200, page.status_code
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert "onerror=alert(1)>" not in page.text
    assert any("&lt;script&gt;" in page.text for page in pages)
    assert_nothing_half_stored()


def test_feed_fields_with_injection_strings(client):
    for value in INJECTIONS:
        response = client.post(
            "/feeds", json={"url": "https://news.example/rss?q=" + value, "title": value, "outlet": value[:255]}, headers=AUTH
        )
        assert response.status_code in (200, 201, 422), (value[:40], response.status_code, response.text[:300])
    listed = client.get("/feeds")
    assert listed.status_code == 200
    assert all("\r" not in feed["url"] and "\n" not in feed["url"] for feed in listed.json())
