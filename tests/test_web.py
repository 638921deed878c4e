"""The newsroom pages over HTTP, without a browser (tests/test_web_browser.py drives a real one)."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from claimwire.sources import iter_items
from service import web
from service.ingest import receive_all
from storage.db import session_scope
from storage.models import Event, utcnow
from tests.web_helpers import make_hostile_event


@pytest.fixture
def client(sqlite_store) -> TestClient:
    app = FastAPI()
    app.include_router(web.router)
    return TestClient(app)


@pytest.fixture
def seeded(sqlite_store, seeds_dir) -> int:
    receipts = list(receive_all(iter_items([str(seeds_dir)])))
    assert len(receipts) == 5
    with session_scope() as session:
        event_ids = session.scalars(select(Event.id).where(Event.merged_into_id.is_(None))).all()
    assert len(event_ids) == 1, event_ids
    return event_ids[0]


def test_empty_store_shows_an_empty_events_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No events yet" in response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_events_page_lists_the_seed_event_with_its_toll_and_dispute(client, seeded):
    page = client.get("/").text
    assert f'href="/ui/events/{seeded}"' in page
    row = re.search(rf'<tr data-event-id="{seeded}"(.*?)</tr>', page, re.S)
    assert row, page
    assert 'class="has-conflict"' in row.group(1)
    assert "Disputed: killed" in row.group(1)
    assert "killed about 100" in row.group(1), "the headline toll is in the list"
    assert re.search(r'<td class="num">5</td>', row.group(1))


def test_event_page_has_the_ledger_timeline_articles_and_quotes(client, seeded):
    response = client.get(f"/ui/events/{seeded}")
    assert response.status_code == 200
    page = response.text
    assert page.count("data-article-id=") == 5
    assert '<th scope="col">Measure</th>' in page and '<th scope="col">Party</th>' in page
    killed = re.findall(
        r'<tbody id="row-\d+" class="figure( conflict)?" data-measure="killed" data-row="([^"]+)">(.*?)</tbody>', page, re.S
    )
    assert len(killed) == 1, "one killed row: the pro-government side's many names are one party"
    disputed, key, body = killed[0]
    assert disputed and key.startswith("killed|")
    assert body.count("value--conflict") == 2, "the headline and the dissent"
    assert re.search(r'value--headline value--conflict">.*?about 100', body, re.S) and ">7<" in body
    assert "US military" in body
    assert 'id="ledger-headline"' in page and "disputed: 7" in page
    assert 'id="timeline"' in page and "first report" in page and "disputes the headline" in page
    assert 'id="quotes"' in page and "<blockquote" in page
    assert "Skip to content" in page


def test_version_and_fragment_follow_new_coverage(client, seeded):
    before = client.get(f"/ui/events/{seeded}/version").json()
    assert before["articles"] == 5
    assert client.get(f"/ui/events/{seeded}/version").json() == before, "stable while nothing changes"
    overview_before = client.get("/ui/overview/version").json()["version"]
    with session_scope() as session:
        event = session.get(Event, seeded)
        event.last_seen = utcnow()
        event.article_count = 6
    after = client.get(f"/ui/events/{seeded}/version").json()
    assert after["version"] != before["version"]
    assert client.get("/ui/overview/version").json()["version"] != overview_before
    fragment = client.get(f"/ui/events/{seeded}/fragment")
    assert fragment.headers["x-claimwire-version"] == after["version"]
    assert "<html" not in fragment.text and 'id="article-count">6<' in fragment.text
    assert '<tr data-event-id="' in client.get("/ui/overview/fragment").text


def test_a_merged_event_points_to_where_it_went(client, seeded):
    with session_scope() as session:
        other = Event(headline="old", article_count=0, ledger={}, profile={})
        session.add(other)
        session.flush()
        other.merged_into_id = seeded
        other_id = other.id
    response = client.get(f"/ui/events/{other_id}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/ui/events/{seeded}"
    assert client.get(f"/ui/events/{other_id}/version").json() == {"redirect": f"/ui/events/{seeded}"}
    assert f'data-event-id="{other_id}"' not in client.get("/").text


def test_unknown_event_and_static_files(client):
    assert client.get("/ui/events/424242").status_code == 404
    assert client.get("/ui/events/424242/version").status_code == 404
    assert client.get("/ui/static/app.css").headers["content-type"].startswith("text/css")
    assert client.get("/ui/static/app.js").status_code == 200
    assert client.get("/ui/static/..%2Fweb.py").status_code == 404
    assert client.get("/ui/static/web.py").status_code == 404


def test_everything_shown_is_escaped(client):
    event_id = make_hostile_event()
    for page in (client.get("/").text, client.get(f"/ui/events/{event_id}").text, client.get(f"/ui/events/{event_id}/fragment").text):
        assert "<script>window.__xss" not in page
        assert "<img src=x" not in page
        assert "<b>bold</b>" not in page
        assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img" in page
    event_page = client.get(f"/ui/events/{event_id}").text
    assert "javascript:" not in event_page.split("<main", 1)[1].replace("ref-0", ""), "no javascript: link is emitted"
    assert 'href="https://ok.example.org/a?x=&lt;b&gt;&amp;y=&#34;q&#34;"' in event_page
    assert "Evil &lt;i&gt;Outlet&lt;/i&gt;" in event_page


def test_the_ledger_is_read_defensively(client):
    odd_ledgers = [
        {},
        {"rows": None, "timeline": "nope", "quotes": [None, 3, {"text": None}], "headline": "x"},
        {"rows": [{"measure": "killed"}, {"stories": [{"value": None}, None], "headline": {"story": 9}}, "junk"], "sources": []},
        {
            "rows": [
                {
                    "key": "killed|x",
                    "measure": "killed",
                    "party_label": "x",
                    "stories": [{"id": 1, "value": "at least 2", "families": ["nope"], "articles": [99, "a"]}],
                    "headline": {"story": 1, "disputed_by": "bad"},
                    "revisions": [None, {"from": 7}],
                }
            ],
            "timeline": [{"article_id": 99, "value": 2}],
            "new_field": 1,
        },
        {"figures": [{"kind": "casualty", "measure": "killed", "values": [{"value_min": 2}]}]},  # stored by the first version
    ]
    with session_scope() as session:
        ids = []
        for ledger in odd_ledgers:
            event = Event(headline=None, article_count=0, ledger=ledger, profile={})
            session.add(event)
            session.flush()
            ids.append(event.id)
    assert client.get("/").status_code == 200
    for event_id in ids:
        response = client.get(f"/ui/events/{event_id}")
        assert response.status_code == 200, (event_id, response.text[:500])
    assert "at least 2" in client.get(f"/ui/events/{ids[3]}").text
    assert "stored by an older version" in client.get(f"/ui/events/{ids[4]}").text
