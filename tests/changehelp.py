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
    disputes = [c for c in changes if c["kind"] == "dispute.appeared" and c["data"]["measure"] == "killed"]
    seven_vs_hundred = [c for c in disputes if "7" in c["data"]["values"] and any("100" in v for v in c["data"]["values"])]
    assert seven_vs_hundred, f"the 7-vs-100 killed dispute: {[d['data']['values'] for d in disputes]}"
    headlines = [c for c in changes if c["kind"] == "headline.changed"]
    assert headlines and headlines[0]["data"]["previous"] is None and "killed" in headlines[-1]["data"]["headline"]
    # each article's ledger changes come after its link, and before the next article's
    order = {article_id: n for n, article_id in enumerate(article_ids)}
    steps = [order[c["article_id"]] for c in changes if c["article_id"] in order]
    assert steps == sorted(steps)
    return {"event_id": event_id, "dispute": seven_vs_hundred[0], "headline": headlines[-1]["data"]["headline"]}


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


def normalized(changes: list[dict], article_ids: list[int]) -> list[tuple]:
    """The changes without what differs between two stores (ids, times): article ids as their receipt index,
    event ids in order of first appearance. Two runs of the same articles in the same order give the same list."""
    articles = {article_id: f"article#{n}" for n, article_id in enumerate(article_ids)}
    events: dict[int, str] = {}

    def event(value):
        return events.setdefault(value, f"event#{len(events)}") if value is not None else None

    def scrub(value, key=None):
        if isinstance(value, dict):
            return {k: scrub(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v, key) for v in value]
        if key in ("articles", "article_id"):
            return articles.get(value, value)
        if key in ("from_event_id", "into_event_id", "to_event_id"):
            return event(value)
        return value

    return [
        (c["kind"], event(c["event_id"]), articles.get(c["article_id"]), json.dumps(scrub(c["data"]), sort_keys=True, ensure_ascii=False))
        for c in changes
    ]
