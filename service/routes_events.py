"""GET /events and GET /events/{id}: the events and their claim ledgers, through the one ledger presenter."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from claimwire.ledgerview import stored_event_json
from claimwire.sources import strip_credentials
from service.schemas import ERRORS, MAX_ID, PAGE_DEFAULT, PAGE_MAX, ApiError, EventOut, EventPage, EventSummary, LedgerPage
from storage import reads, repository
from storage.db import session_scope

router = APIRouter()


@router.get("/events", response_model=EventPage, responses=ERRORS, tags=["events"])
def list_events(limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_ID)) -> EventPage:
    """Events (merged ones left out), newest activity first."""
    with session_scope() as session:
        events = repository.list_events(session, limit=limit + 1, offset=offset)
        rows = [event_summary(e) for e in events[:limit]]
    return EventPage(events=rows, limit=limit, offset=offset, next_offset=offset + limit if len(events) > limit else None)


@router.get("/events/{event_id}", response_model=EventOut, responses=ERRORS, tags=["events"])
def get_event(
    event_id: Annotated[int, Path(ge=0, le=MAX_ID)],
    offset: int = Query(0, ge=0, le=MAX_ID),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
) -> EventOut:
    """One event and its claim ledger, each list in it (articles, figures, timeline, quotes, ...) a page at a
    time: entries [offset, offset + limit); ledger_page gives each list's total. A merged event answers with merged_into set."""
    with session_scope() as session:
        event = reads.event(session, event_id)
        if event is None:
            raise ApiError(404, "not_found", f"no event {event_id}")
        view = stored_event_json(event)
        ledger, page = page_ledger(view.pop("ledger") or {}, offset, limit)
        view = json.loads(json.dumps(view, default=str))
        return EventOut(
            **view, merged_into=event.merged_into_id, date_min=event.date_min, date_max=event.date_max,
            ledger=json.loads(json.dumps(ledger, default=str)), ledger_page=page,
        )  # fmt: skip


def event_summary(event) -> EventSummary:
    view = stored_event_json(event)
    return EventSummary(**{k: view[k] for k in ("id", "headline", "first_seen", "last_seen", "article_count", "toll")})


def page_ledger(ledger: dict[str, Any], offset: int, limit: int) -> tuple[dict[str, Any], LedgerPage]:
    """The ledger with each of its lists cut to [offset, offset + limit); URLs in it without credentials."""
    paged: dict[str, Any] = {}
    totals: dict[str, int] = {}
    for key, value in ledger.items():
        if isinstance(value, list):
            totals[key] = len(value)
            value = value[offset : offset + limit]
            if key == "articles":
                value = [
                    {**a, "url": strip_credentials(a.get("url")), "source_ref": strip_credentials(a.get("source_ref"))}
                    if isinstance(a, dict)
                    else a
                    for a in value
                ]
        paged[key] = value
    more = any(total > offset + limit for total in totals.values())
    return paged, LedgerPage(offset=offset, limit=limit, totals=totals, next_offset=offset + limit if more else None)
