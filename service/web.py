"""The newsroom view: server-rendered HTML pages over the events and their claim ledgers.

`router` is a FastAPI APIRouter; service/api.py includes it into the app `claimwire serve` runs.

Pages:
    GET /                          events, newest activity first
    GET /ui/events/{id}            one event: figures, timeline, articles, quotes
Live updates: each page listens to its Server-Sent Events stream (service/live.py) and fetches its fragment when
a change arrives; where EventSource is missing or the stream keeps failing it polls the version instead:
    GET /ui/overview/stream        the changes (SSE), and `refresh` when the list's version moved otherwise
    GET /ui/events/{id}/stream     the event's changes (SSE), `refresh`, and `redirect` once merged away
Small endpoints the pages poll or fetch to refresh themselves without a reload:
    GET /ui/overview/version       {"version": ...} of the events list
    GET /ui/overview/fragment      the events list, server-rendered HTML fragment
    GET /ui/events/{id}/version    {"version": ..., "articles": n} (or {"redirect": url} once merged away)
    GET /ui/events/{id}/fragment   the event body, server-rendered HTML fragment
    GET /ui/static/{name}          app.css, app.js

Everything shown goes through Jinja2 with autoescaping on; links are emitted only for http(s) URLs.
The stored ledger (events.ledger, built by claimwire/ledger.py) is shown through the one ledger presenter
(claimwire/ledgerview.py), which reads it defensively: missing keys, unknown extra fields and unexpected
types are tolerated.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from claimwire.ledgerview import disputed_measures, event_fields, fmt_time, iso_time, present, text, tolls
from claimwire.sources import strip_credentials
from storage import changefeed, reads
from storage.db import session_scope
from storage.models import Event

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
POLL_SECONDS = 3
EVENTS_LIMIT = 200

router = APIRouter(include_in_schema=False)

env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


# ---------------------------------------------------------------- small helpers


def safe_href(url: Any) -> str | None:
    """A link target only for absolute http(s) URLs: never javascript:, data: or anything else."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return strip_credentials(url)  # a user name or password in a URL is never shown
    return None


def _snippet(text: str | None, width: int = 110) -> str:
    """A stand-in headline for an untitled article: its first substantial line."""
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if len(line) >= 25:
            return line if len(line) <= width else line[: width - 1].rstrip() + "…"
    return ""


def _basename(ref: str | None) -> str:
    if not ref:
        return ""
    return ref.rstrip("/").rsplit("/", 1)[-1]


env.filters["fmt_time"] = fmt_time
env.filters["iso_time"] = iso_time
env.globals["safe_href"] = safe_href


def _render(name: str, **context: Any) -> str:
    return env.get_template(name).render(poll_seconds=POLL_SECONDS, **context)


# ---------------------------------------------------------------- reading the store


def _articles_of(session, event_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The linked articles of each event, in arrival order, as the pages show them."""
    result: dict[int, list[dict[str, Any]]] = {event_id: [] for event_id in event_ids}
    for linked in reads.linked_articles(session, event_ids):
        title = " ".join((linked.title or "").split())
        result[linked.event_id].append(
            {
                "id": linked.id,
                "title": title,
                "fallback_title": "" if title else (_snippet(linked.lead) or _basename(linked.source_ref) or f"article {linked.id}"),
                "url": linked.url,
                "href": safe_href(linked.url),
                "source_ref": linked.source_ref,
                "outlet": linked.outlet_name or linked.outlet_key or "",
                "published": linked.published,
                "arrived": linked.received,
            }
        )
    return result


def _display_title(article: Mapping[str, Any]) -> str:
    return article.get("title") or article.get("fallback_title") or ""


def _quotes_by_speaker(speakers, article_numbers: Mapping[int, int]) -> list[dict[str, Any]]:
    """The view's speakers as the page lists them: most quoted first, unattributed last, each quote with its articles."""
    entries = [
        {
            "speaker": " ".join(speaker.label.split()),
            "unattributed": not speaker.speaker,
            "quotes": [
                {"text": said.text, "kind": said.kind, "refs": [{"id": a, "number": article_numbers.get(a)} for a in said.articles]}
                for said in speaker.said
            ],
        }
        for speaker in speakers
    ]
    ordered = sorted(entries, key=lambda s: (s["unattributed"], -len(s["quotes"]), s["speaker"].lower()))
    for index, entry in enumerate(ordered, start=1):
        entry["anchor"] = f"speaker-{index}"
    return ordered


def _numbered(rows, article_numbers: Mapping[int, int], prefix: str) -> list[dict[str, Any]]:
    """Rows of the ledger view with an anchor each and their stories' articles numbered as on the page."""
    out = []
    for index, row in enumerate(rows, start=1):
        stories = [
            {"story": story, "articles": [{"id": a, "number": article_numbers.get(a)} for a in story.articles]} for story in row.stories
        ]
        out.append({"anchor": f"{prefix}-{index}", "row": row, "stories": stories})
    return out


def _version(*parts: Any) -> str:
    return hashlib.sha1("|".join(text(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def event_version(event: Event) -> str:
    return _version(event.id, iso_time(event.updated_at), iso_time(event.last_seen), event.article_count, event.merged_into_id)


def overview_version(session) -> str:
    stamp = reads.overview_stamp(session)
    return _version(stamp.events, iso_time(stamp.latest_update), iso_time(stamp.latest_seen), stamp.articles)


def overview_context(session) -> dict[str, Any]:
    events = reads.recent_events(session, EVENTS_LIMIT)
    articles = _articles_of(session, [e.id for e in events])
    rows = []
    for event in events:
        linked = articles.get(event.id, [])
        outlets: list[str] = []
        for article in linked:
            if article["outlet"] and article["outlet"] not in outlets:
                outlets.append(article["outlet"])
        titled = [a for a in linked if a["title"]]
        headline = titled[-1]["title"] if titled else (text(event.headline) or (_display_title(linked[-1]) if linked else ""))
        view_tolls = tolls(event.ledger)
        disputed = disputed_measures(event.ledger)
        rows.append(
            {
                "id": event.id,
                "headline": headline,
                "headline_is_fallback": not titled and not event.headline,
                "first_seen": event.first_seen,
                "last_seen": event.last_seen,
                "article_count": event.article_count or len(linked),
                "outlets": outlets,
                "tolls": view_tolls,
                "conflict": bool(disputed),
                "conflict_measures": disputed,
            }
        )
    return {"events": rows, "version": overview_version(session)}


def event_context(session, event: Event) -> dict[str, Any]:
    articles = _articles_of(session, [event.id]).get(event.id, [])
    numbers = {a["id"]: n for n, a in enumerate(articles, start=1)}
    for number, article in enumerate(articles, start=1):
        article["number"] = number
        article["display_title"] = _display_title(article)
    view = present(event_fields(event), event.ledger)
    titled = [a for a in articles if a["title"]]
    rows = _numbered(view.rows, numbers, "row")
    return {
        "event": {
            "id": event.id,
            "headline": titled[-1]["title"] if titled else text(event.headline),
            "fallback_headline": articles[-1]["display_title"] if articles else f"Event {event.id}",
            "first_seen": event.first_seen,
            "last_seen": event.last_seen,
            "article_count": event.article_count or len(articles),
        },
        "view": view,
        "articles": articles,
        "rows": rows,
        "scene": _numbered(view.scene, numbers, "all"),
        "conflicts": [r for r in rows if r["row"].disputed],
        "timeline": [{"entry": t, "number": numbers.get(t.article_id)} for t in view.timeline],
        "speakers": _quotes_by_speaker(view.speakers, numbers),
        "version": event_version(event),
    }


def _live_event(session, event_id: int) -> Event:
    event = reads.event(session, event_id)
    if event is None:
        raise HTTPException(status_code=404, detail=f"no event {event_id}")
    return event


NO_STORE = {"Cache-Control": "no-store"}
PAGE_HEADERS = {
    **NO_STORE,
    # Defence in depth behind the escaping: no inline script or style, nothing from elsewhere.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


# ---------------------------------------------------------------- routes


@router.get("/", response_class=HTMLResponse)
def events_page() -> HTMLResponse:
    with session_scope() as session:
        last_change_id = changefeed.latest_change_id(session)  # first: a change after it is sent to the page's stream
        context = {**overview_context(session), "last_change_id": last_change_id}
    return HTMLResponse(_render("events.html", **context), headers=PAGE_HEADERS)


@router.get("/ui", include_in_schema=False)
def ui_root() -> RedirectResponse:
    return RedirectResponse("/", status_code=307)


@router.get("/ui/overview/version")
def overview_version_endpoint() -> JSONResponse:
    with session_scope() as session:
        return JSONResponse({"version": overview_version(session)}, headers=NO_STORE)


@router.get("/ui/overview/fragment", response_class=HTMLResponse)
def overview_fragment() -> HTMLResponse:
    with session_scope() as session:
        context = overview_context(session)
    return HTMLResponse(_render("_events_list.html", **context), headers={**PAGE_HEADERS, "X-Claimwire-Version": context["version"]})


# ids are 64-bit: a larger number in the path is a 422, not an OverflowError from the database driver
EventId = Annotated[int, PathParam(ge=0, le=2**63 - 1)]


@router.get("/ui/events/{event_id}", response_class=HTMLResponse)
def event_page(event_id: EventId) -> Response:
    with session_scope() as session:
        event = _live_event(session, event_id)
        final = reads.final_event(session, event)
        if final.id != event.id:
            return RedirectResponse(f"/ui/events/{final.id}", status_code=303)
        last_change_id = changefeed.latest_change_id(session)  # first: a change after it is sent to the page's stream
        context = {**event_context(session, event), "last_change_id": last_change_id}
    return HTMLResponse(_render("event.html", **context), headers=PAGE_HEADERS)


@router.get("/ui/events/{event_id}/version")
def event_version_endpoint(event_id: EventId) -> JSONResponse:
    with session_scope() as session:
        event = _live_event(session, event_id)
        final = reads.final_event(session, event)
        if final.id != event.id:
            return JSONResponse({"redirect": f"/ui/events/{final.id}"}, headers=NO_STORE)
        return JSONResponse({"version": event_version(event), "articles": event.article_count}, headers=NO_STORE)


@router.get("/ui/events/{event_id}/fragment", response_class=HTMLResponse)
def event_fragment(event_id: EventId) -> HTMLResponse:
    with session_scope() as session:
        event = _live_event(session, event_id)
        context = event_context(session, event)
    return HTMLResponse(_render("_event_body.html", **context), headers={**PAGE_HEADERS, "X-Claimwire-Version": context["version"]})


_STATIC_FILES = {path.name: path for path in STATIC.glob("*") if path.is_file()} if STATIC.is_dir() else {}


@router.get("/ui/static/{name}")
def static_file(name: str) -> Response:
    path = _STATIC_FILES.get(name)
    if path is None:
        raise HTTPException(status_code=404, detail="not found")
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type.endswith("javascript"):
        media_type += "; charset=utf-8"
    return Response(path.read_bytes(), media_type=media_type, headers={"Cache-Control": "no-cache"})
