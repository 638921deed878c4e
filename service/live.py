"""Server-Sent Events over the change feed: `GET /changes/stream` for integrators and the live pages' streams.

A stream sends each change (docs/schemas/change.v1.json) as

    id: <change id>
    event: change
    data: <the change, JSON>

from the changes table, so it works in the embedded mode (no Redis) and behind any number of API replicas. A
client that reconnects sends `Last-Event-ID` (browsers' EventSource do it by themselves) and gets what it
missed, then the rest as it comes: a change is read only once none below its id can still commit
(storage/changefeed.py). One query for the newest
change id serves every open stream of the process (cached for POLL_S); a stream reads rows only when there is
something new. A comment line every KEEPALIVE_S keeps proxies from closing an idle stream.

The pages' streams (`/ui/overview/stream`, `/ui/events/{id}/stream`) send the changes of what the page shows
and, besides, `event: refresh` when the page's version moved without a change record (the ledger rebuilt
with nothing an editor would call a change: an article joining a figure already on record) and
`event: redirect` once the event was merged into another.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Annotated

from fastapi import APIRouter, Header, Path as PathParam, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from service.schemas import MAX_ID
from storage import changefeed, reads
from storage.db import session_scope

POLL_S = 0.25
KEEPALIVE_S = 15.0
REFRESH_S = 3.0
RETRY_MS = 2000
BATCH = 200
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", "Connection": "keep-alive"}

_latest = {"id": 0, "at": -1.0}
_latest_lock = threading.Lock()


def latest_change_id() -> int:
    """The newest change id, read at most every POLL_S by this process whatever the number of open streams."""
    with _latest_lock:
        if time.monotonic() - _latest["at"] >= POLL_S:
            with session_scope(read_only=True) as session:
                _latest["id"] = changefeed.latest_change_id(session)
            _latest["at"] = time.monotonic()
        return _latest["id"]


def resume_from(last_event_id: str | None, after: int | None) -> int:
    """Where a stream starts: after the client's Last-Event-ID when it sends one, else after AFTER (default: now)."""
    if last_event_id and last_event_id.strip().isdigit():
        return int(last_event_id.strip())
    if after is not None:
        return after
    return latest_change_id()


def sse(data: dict, *, event: str, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'), default=str, ensure_ascii=False)}\n\n"


def _read(after: int, up_to: int, event_ids: Sequence[int] | None, kinds: Sequence[str] | None):
    with session_scope(read_only=True) as session:
        return changefeed.read_changes(session, after, BATCH, up_to=up_to, event_ids=event_ids, kinds=kinds)


async def change_events(
    request: Request,
    after: int,
    *,
    event_ids: Sequence[int] | None = None,
    kinds: Sequence[str] | None = None,
    refresh: Callable[[bool], str | None] | None = None,
) -> AsyncIterator[str]:
    """The SSE lines of the changes after AFTER that pass the filter, as they come. REFRESH (for the pages):
    called every REFRESH_S (told whether changes were sent since the last call), returns an extra message to
    send, or None."""
    yield f"retry: {RETRY_MS}\n\n"
    quiet_since = checked_at = time.monotonic()
    sent_changes = False
    while not await request.is_disconnected():
        latest = await run_in_threadpool(latest_change_id)
        while latest > after:
            changes, after = await run_in_threadpool(_read, after, latest, event_ids, kinds)
            for change in changes:
                yield sse(change.to_dict(), event="change", event_id=change.id)
                quiet_since, sent_changes = time.monotonic(), True
        now = time.monotonic()
        if refresh is not None and now - checked_at >= REFRESH_S:
            checked_at = now
            # a change record commits with the write that moved the version: the client fetched after it already
            message = await run_in_threadpool(refresh, sent_changes)
            sent_changes = False
            if message:
                yield message
                quiet_since = now
        if now - quiet_since >= KEEPALIVE_S:
            yield ": keepalive\n\n"
            quiet_since = now
        await asyncio.sleep(POLL_S)


def stream_response(events: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(events, media_type="text/event-stream", headers=STREAM_HEADERS)


# --- the pages' streams ---------------------------------------------------------------------------------

router = APIRouter(include_in_schema=False)


def _overview_refresh(shown: str | None) -> Callable[[bool], str | None]:
    from service import web

    seen: dict[str, str | None] = {"version": shown}

    def check(after_changes: bool) -> str | None:
        with session_scope(read_only=True) as session:
            version = web.overview_version(session)
        changed = seen["version"] is not None and version != seen["version"] and not after_changes
        seen["version"] = version
        return sse({"version": version}, event="refresh") if changed else None

    return check


def _event_refresh(event_id: int, shown: str | None) -> Callable[[bool], str | None]:
    from service import web

    seen: dict[str, str | None] = {"version": shown}

    def check(after_changes: bool) -> str | None:
        with session_scope(read_only=True) as session:
            event = reads.event(session, event_id)
            if event is None:
                return None
            final = reads.final_event(session, event)
            if final.id != event.id:
                return sse({"url": f"/ui/events/{final.id}"}, event="redirect")
            version = web.event_version(event)
        changed = seen["version"] is not None and version != seen["version"] and not after_changes
        seen["version"] = version
        return sse({"version": version}, event="refresh") if changed else None

    return check


After = Annotated[int | None, Query(ge=0, le=MAX_ID, description="resume after this change id (Last-Event-ID wins)")]
ShownVersion = Annotated[str | None, Query(max_length=64, description="the version the page shows")]


@router.get("/ui/overview/stream")
async def overview_stream(
    request: Request, after: After = None, version: ShownVersion = None, last_event_id: str | None = Header(None)
) -> StreamingResponse:
    start = await run_in_threadpool(resume_from, last_event_id, after)
    return stream_response(change_events(request, start, refresh=_overview_refresh(version)))


@router.get("/ui/events/{event_id}/stream")
async def event_stream(
    request: Request,
    event_id: Annotated[int, PathParam(ge=0, le=MAX_ID)],
    after: After = None,
    version: ShownVersion = None,
    last_event_id: str | None = Header(None),
) -> StreamingResponse:
    start = await run_in_threadpool(resume_from, last_event_id, after)
    return stream_response(change_events(request, start, event_ids=[event_id], refresh=_event_refresh(event_id, version)))
