"""Shared pieces of the change feed tests: the story the seeds tell, an SSE reader, the change schema."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import jsonschema

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"
CHANGE_SCHEMA = json.loads((SCHEMAS / "change.v1.json").read_text())
ENVELOPE_SCHEMA = json.loads((SCHEMAS / "intake-envelope.v1.json").read_text())


def check_changes(changes: list[dict]) -> None:
    """Every change meets docs/schemas/change.v1.json, and the ids only grow."""
    for change in changes:
        jsonschema.validate(change, CHANGE_SCHEMA)
    ids = [c["id"] for c in changes]
    assert ids == sorted(set(ids)), "change ids grow, each once"


def seeds_story(changes: list[dict], article_ids: list[int]) -> dict:
    """What the five seed articles' changes must show, in order: the first opens the event, the other four are
    linked to it in receipt order, the 7-against-about-100 killed dispute appears, the headline is set."""
    kinds = [c["kind"] for c in changes]
    assert kinds[0] == "event.opened" and changes[0]["article_id"] == article_ids[0]
    event_id = changes[0]["event_id"]
    linked = [c for c in changes if c["kind"] == "article.linked"]
    assert [c["article_id"] for c in linked] == article_ids[1:], "four links, in receipt order"
    assert all(c["event_id"] == event_id and c["data"]["score"] > 0 for c in linked)
    # each article's ledger changes come after its link, and before the next article's
    order = {article_id: n for n, article_id in enumerate(article_ids)}
    steps = [order[c["article_id"]] for c in changes if c["article_id"] in order]
    assert steps == sorted(steps)
    return {"event_id": event_id, **_dispute_and_headline(changes)}


def seeds_story_in_any_order(changes: list[dict], article_ids: list[int]) -> dict:
    """The seeds' story where workers link them in the order they finish (no gate: docs/SCALING.md): events opened
    by seed articles only, every seed in one event at the end (linked to it, or brought by the merge of an event
    another seed opened first), the 7-against-about-100 killed dispute, the headline."""
    opened = [c for c in changes if c["kind"] == "event.opened"]
    assert opened and {c["article_id"] for c in opened} <= set(article_ids)
    merged = {c["data"]["from_event_id"]: c["data"]["into_event_id"] for c in changes if c["kind"] == "events.merged"}
    moved = {c["article_id"]: c["data"]["to_event_id"] for c in changes if c["kind"] == "article.moved"}

    def final(event_id: int) -> int:
        while event_id in merged:
            event_id = merged[event_id]
        return event_id

    joined = {c["article_id"]: c["event_id"] for c in changes if c["kind"] in ("event.opened", "article.linked")}
    events = {final(moved.get(article_id, joined[article_id])) for article_id in article_ids}
    assert len(events) == 1, f"the five seeds in one event: {events}"
    return {"event_id": events.pop(), **_dispute_and_headline(changes)}


def _dispute_and_headline(changes: list[dict]) -> dict:
    disputes = [c for c in changes if c["kind"] == "dispute.appeared" and c["data"]["measure"] == "killed"]
    seven_vs_hundred = [c for c in disputes if "7" in c["data"]["values"] and any("100" in v for v in c["data"]["values"])]
    assert seven_vs_hundred, f"the 7-vs-100 killed dispute: {[d['data']['values'] for d in disputes]}"
    headlines = [c for c in changes if c["kind"] == "headline.changed"]
    assert headlines and headlines[0]["data"]["previous"] is None and "killed" in headlines[-1]["data"]["headline"]
    return {"dispute": seven_vs_hundred[0], "headline": headlines[-1]["data"]["headline"]}


def read_sse(url: str, *, headers: dict | None = None, count: int, timeout: float = 30.0, on_open=None) -> list[dict]:
    """The first COUNT `change` events of the stream at URL (parsed), waiting up to TIMEOUT; ON_OPEN() runs once connected."""
    found: list[dict] = []
    deadline = time.monotonic() + timeout
    with httpx.stream("GET", url, headers=headers or {}, timeout=httpx.Timeout(timeout, connect=5)) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        if on_open is not None:
            on_open()
        event: dict = {}
        for line in response.iter_lines():
            if line == "":
                if event.get("event") == "change":
                    change = json.loads(event["data"])
                    assert int(event["id"]) == change["id"]
                    found.append(change)
                    if len(found) >= count:
                        break
                event = {}
            elif not line.startswith(":") and ":" in line:
                name, _, value = line.partition(":")
                event[name] = value.removeprefix(" ")
            if time.monotonic() > deadline:
                break
    return found


def settled_changes(timeout: float = 30.0) -> list:
    """The whole feed once every committed change is readable: on PostgreSQL a transaction running anywhere on the
    server (another test's) holds readers back a moment (storage/changefeed.py)."""
    from storage import changefeed
    from storage.db import session_scope

    deadline = time.monotonic() + timeout
    while True:
        with session_scope() as session:
            if changefeed.latest_change_id(session) == changefeed.newest_written_id(session) or time.monotonic() > deadline:
                return changefeed.read_changes(session, 0, 100_000)[0]
        time.sleep(0.05)
