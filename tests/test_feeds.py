"""Feeds: parsing RSS and Atom, and polling through beat's tasks with conditional GET, each item fetched once."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from claimwire.errors import InputError
from claimwire.feeds import parse_feed
from tests.conftest import apply_env
from tests.localhttp import LocalServer

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Local News</title><link>{base}/</link><description>d</description>
{items}
</channel></rss>"""
RSS_ITEM = """<item><title>{title}</title><link>{link}</link><guid isPermaLink="false">{guid}</guid><pubDate>{date}</pubDate></item>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title><id>urn:x</id><updated>2024-05-02T10:00:00Z</updated>
<entry><title>Second</title><link rel="alternate" href="https://news.example/b?utm_source=rss"/><id>urn:b</id><updated>2024-05-02T10:00:00Z</updated></entry>
<entry><title>First</title><link href="https://news.example/a"/><id>urn:a</id><published>2024-05-01T08:30:00+02:00</published></entry>
<entry><title>No link</title><id>urn:c</id><updated>2024-05-01T08:30:00Z</updated></entry>
</feed>"""


def rss(base: str, entries: list[tuple[str, str, str]]) -> bytes:
    items = "\n".join(RSS_ITEM.format(title=t, link=link, guid=link, date=d) for t, link, d in entries)
    return RSS.format(base=base, items=items).encode("utf-8")


def test_parse_rss_and_atom():
    parsed = parse_feed(
        rss(
            "https://news.example",
            [
                ("One", "https://news.example/1", "Wed, 01 May 2024 12:00:00 GMT"),
                ("One again", "https://www.news.example/1/", "Wed, 01 May 2024 12:00:00 GMT"),
            ],
        )
    )
    assert parsed.title == "Local News"
    assert [(e.url, e.title, e.published) for e in parsed.entries] == [("https://news.example/1", "One", datetime(2024, 5, 1, 12, 0))]

    atom = parse_feed(ATOM.encode())
    assert atom.title == "Atom News"
    assert [(e.url, e.guid) for e in atom.entries] == [
        ("https://news.example/b?utm_source=rss", "urn:b"),
        ("https://news.example/a", "urn:a"),
    ]
    assert atom.entries[1].published == datetime(2024, 5, 1, 6, 30)  # UTC, naive
    assert atom.entries[0].key == "https://news.example/b"


def test_not_a_feed():
    for body in (b"<html><body>no feed</body></html>", b"\x00\x01garbage", b""):
        with pytest.raises(InputError) as error:
            parse_feed(body)
        assert error.value.reason == "bad_feed"


@pytest.fixture
def feed_server(monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_FETCH_ALLOW_PRIVATE="1", CLAIMWIRE_FETCH_HOST_INTERVAL_S="0")
    with LocalServer() as server:
        for n in range(1, 4):
            server.extra[f"/story/{n}"] = (
                "text/html",
                f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1><p>Police said {n + 1} people were shot on Elm Street on Sunday night in Springfield. The victims were taken to Mercy Hospital, where one was in critical condition, officers said.</p><p>No arrests have been made, Lt. Ann Smith said on Monday.</p></article></body></html>".encode(),
            )
        yield server
    apply_env(monkeypatch, CLAIMWIRE_FETCH_ALLOW_PRIVATE=None, CLAIMWIRE_FETCH_HOST_INTERVAL_S=None)


def test_polling_receives_each_new_item_once(sqlite_store, feed_server):
    from storage import repository
    from storage.db import session_scope
    from storage.models import Article, Feed, FeedItem
    from tasks.feeds import fetch_feed, poll_feeds

    base = feed_server.base
    feed_server.feed = rss(
        base,
        [("Story 2", f"{base}/story/2", "Thu, 02 May 2024 09:00:00 GMT"), ("Story 1", f"{base}/story/1", "Wed, 01 May 2024 09:00:00 GMT")],
    )
    with session_scope() as session:
        feed_id, created = repository.add_feed(session, f"{base}/feed.xml", interval_s=60)
        again, created_again = repository.add_feed(session, f"{base}/feed.xml")
    assert created and not created_again and again == feed_id

    assert poll_feeds.apply().get() == [feed_id]  # eager: polls at once
    assert poll_feeds.apply().get() == []  # not due again before its interval
    with session_scope() as session:
        articles = session.scalars(select(Article).order_by(Article.id)).all()
        feed = session.get(Feed, feed_id)
        assert [a.url for a in articles] == [f"{base}/story/1", f"{base}/story/2"]  # oldest first
        assert feed.etag == '"v1"' and feed.last_status == "ok" and feed.item_count == 2 and feed.title == "Local News"
        assert all(a.status != "received" for a in articles)
    assert feed_server.hits["/story/1"] == 1 and feed_server.hits["/story/2"] == 1

    # unchanged: a conditional GET answered 304, nothing fetched
    result = fetch_feed.apply(args=[feed_id]).get()
    assert result["status"] == "not_modified"
    assert feed_server.headers[-1]["if-none-match"] == '"v1"'

    # a new version with one new item: only that item is fetched
    feed_server.feed_etag = '"v2"'
    feed_server.feed = rss(
        base,
        [
            ("Story 3", f"{base}/story/3", "Fri, 03 May 2024 09:00:00 GMT"),
            ("Story 2", f"{base}/story/2?utm_source=rss", "Thu, 02 May 2024 09:00:00 GMT"),
        ],
    )
    result = fetch_feed.apply(args=[feed_id]).get()
    assert result["status"] == "ok" and result["new"] == 1
    assert feed_server.hits["/story/1"] == feed_server.hits["/story/2"] == feed_server.hits["/story/3"] == 1
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 3
        assert session.scalar(select(func.count()).select_from(FeedItem).where(FeedItem.feed_id == feed_id)) == 3


def test_a_broken_feed_is_recorded_not_retried_forever(sqlite_store, feed_server):
    from storage import repository
    from storage.db import session_scope
    from storage.models import Failure, Feed
    from tasks.feeds import fetch_feed

    feed_server.feed = b"<html>not a feed</html>"
    feed_server.feed_type = "text/xml"
    with session_scope() as session:
        feed_id, _ = repository.add_feed(session, f"{feed_server.base}/feed.xml")
        missing_id, _ = repository.add_feed(session, f"{feed_server.base}/missing.xml")
    assert fetch_feed.apply(args=[feed_id]).get()["reason"] == "bad_feed"
    assert fetch_feed.apply(args=[missing_id]).get()["reason"] == "http_error"
    with session_scope() as session:
        assert session.get(Feed, feed_id).last_status == "bad_feed"
        assert {(f.stage, f.reason) for f in session.scalars(select(Failure))} == {("feed", "bad_feed"), ("feed", "http_error")}


def test_a_links_element_that_is_text_is_skipped():
    """Found by the feed fuzzer: a malformed <links> element reaches the entry as a string, not a mapping."""
    import base64

    data = base64.b64decode(
        "PD94bWwgdmVyc2lvbj0iPyIxcjAuPjxzcyB2ZXJzaW9uPSIyLjAiPjxjaGFubmVsPjx0aGVhZGVyc3dzPC90aXRsZT48aXRlbT48dGl0bGU+VHdvIGtpbGxlZDwvdGl0bGU+"
        "PGxpbmtzIHZlcnNpb249IjIuMGlkPmExPC9ndWlkPjxwdWJEYXRlPk1vbiwgMTIgRmViIDIwMTggMTA6MDA6MDAgR01UcGxlL2E8c3Znbms+ITwvaXRlbT48L2NoYW9uZWw+PC9yc3M+"
    )
    try:
        parsed = parse_feed(data, base_url="https://news.example/feed")
    except InputError as error:
        assert error.reason == "bad_feed"
    else:
        assert all(entry.url.startswith("https://") for entry in parsed.entries)
