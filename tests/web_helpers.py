"""Shared pieces of the web tests: a served app, a crafted hostile event, the sixth article."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

HOSTILE = '<script>window.__xss = 1</script><b>bold</b> & <img src=x onerror="window.__xss = 2">'

SIXTH_TITLE = "US-led coalition strikes near Khusham kill at least 120 pro-government fighters"
SIXTH_URL = "https://wire.example.org/2018/02/09/khusham-coalition-strikes"
SIXTH_TEXT = """US-led coalition strikes near Khusham kill at least 120 pro-government fighters

The US-led coalition carried out air and artillery strikes near Khusham, in Syria's Deir ez-Zor province, after pro-government forces attacked the headquarters of the US-backed Syrian Democratic Forces east of the Euphrates river.

At least 120 pro-government fighters were killed in the coalition strikes near Khusham, a US military official said.

"The coalition acted in self-defense against an unprovoked attack", Col. Thomas Veale, a spokesman for the US-led coalition, said on Friday. Coalition officials said they were in regular communication with Russian counterparts before, during and after the attack.

Syria's government called the coalition strikes on pro-regime forces near Deir ez-Zor a massacre and a war crime, and Russia said its defense ministry was looking into the reports.
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


API_TOKEN = "web-test-token"


def build_app():
    """The app `claimwire serve` runs (service/api.py create_app), which includes the pages' router."""
    from service.api import create_app

    return create_app()


GRACE_S = 1  # `claimwire serve`: service.api.GRACEFUL_SHUTDOWN_S


@contextmanager
def serve(app):
    """Serve an ASGI app with uvicorn on 127.0.0.1 and a free port, in a thread of this process.

    Stopped as `claimwire serve` stops, with a shorter grace: open event streams get GRACE_S, then the app's shutdown runs
    (the embedded runner stopped) before the next test starts. Without that bound a browser still on a live
    page held the server open past the join, and its shutdown stopped the next test's runner midway (CI: the
    intake stream's article, received, never went through)."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="auto", timeout_graceful_shutdown=GRACE_S)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=GRACE_S + 15)
        if thread.is_alive():
            raise RuntimeError(f"uvicorn on port {port} did not stop: its shutdown would run during the next test")


def make_hostile_event() -> int:
    """An event whose every shown string carries markup, plus a javascript: URL: the pages must show text."""
    from storage.db import session_scope
    from storage.models import Article, ArticleEvent, ArticleStatus, Event, Outlet, utcnow

    now = utcnow()
    with session_scope() as session:
        outlet = Outlet(key="evil<i>.example", name="Evil <i>Outlet</i>")
        session.add(outlet)
        session.flush()
        articles = []
        for index, url in enumerate(["javascript:window.__xss=3", 'https://ok.example.org/a?x=<b>&y="q"']):
            article = Article(
                identity=f"hostile-{index}-{now.timestamp()}",
                source_kind="text",
                title=f"{HOSTILE} #{index}",
                url=url,
                source_ref=f"ref-{index}",
                outlet_id=outlet.id,
                status=ArticleStatus.STORED,
                received_at=now + timedelta(seconds=index),
                clean_text="text",
            )
            session.add(article)
            articles.append(article)
        session.flush()
        ledger = _hostile_ledger([a.id for a in articles], [a.title for a in articles], [a.received_at for a in articles], now)
        event = Event(headline=HOSTILE, first_seen=now, last_seen=now + timedelta(days=3650), article_count=2, ledger=ledger, profile={})
        session.add(event)
        session.flush()
        for article in articles:
            session.add(ArticleEvent(article_id=article.id, event_id=event.id, decision="new", score=1.0, features={}, linker="test"))
        return event.id


def _hostile_ledger(ids: list[int], titles: list[str], received: list, now) -> dict:
    """A stored ledger whose every shown string is HOSTILE markup."""
    return {
        "version": 2,
        "articles": [{"id": i, "title": t, "arrived": r.isoformat()} for i, t, r in zip(ids, titles, received)],
        "parties": {"grp": {"label": HOSTILE, "role": "side", "names": [HOSTILE]}},
        "sources": {"fam": {"label": HOSTILE, "sector": None, "names": [HOSTILE]}},
        "rows": [_hostile_row(ids, now)],
        "headline": {"killed": {"value": 3, "label": HOSTILE, "disputed": True}, "text": HOSTILE},
        "other_figures": [{"measure": HOSTILE, "party": "-", "stories": [{"value": HOSTILE, "articles": [ids[0]]}]}],
        "timeline": [
            {"at": now.isoformat(), "article_id": ids[0], "row": "killed<script>|grp", "value": "3<b>", "family": "fam", "effect": "first"},
            {"at": now.isoformat(), "article_id": ids[1], "row": "killed<script>|grp", "value": "9", "family": None, "effect": HOSTILE},
        ],
        "quotes": [
            {
                "speaker": HOSTILE,
                "key": "person:x:",
                "kind": "person",
                "names": [HOSTILE],
                "role": HOSTILE,
                "quotes": [{"text": HOSTILE, "articles": [ids[0]], "partial": False}],
            }
        ],
        "statements": [{"speaker": HOSTILE, "speaker_key": None, "text": HOSTILE, "article_id": ids[1]}],
    }


def _hostile_row(ids: list[int], now) -> dict:
    return {
        "key": "killed<script>|grp",
        "measure": "killed<script>",
        "party": "grp",
        "party_label": HOSTILE,
        "names": [HOSTILE],
        "stories": [
            {"id": 1, "value": "3<b>", "families": ["fam"], "articles": [ids[0]], "first_seen": now.isoformat(), "status": "current"},
            {"id": 2, "value": "9", "families": ["outlet:x"], "articles": [ids[1]], "first_seen": now.isoformat(), "status": "current"},
        ],
        "headline": {"story": 1, "value": "3<b>", "disputed_by": [2]},
        "disputes": [{"stories": [1, 2]}],
        "revisions": [],
        "some_future_field": {"nested": [1, 2]},
    }
