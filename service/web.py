"""The newsroom view: server-rendered HTML pages over the events and their claim ledgers.

`router` is a FastAPI APIRouter; service/api.py includes it into the app `claimwire serve` runs.

Pages:
    GET /                          events, newest activity first
    GET /ui/events/{id}            one event: figures, timeline, articles, quotes
Small endpoints the pages poll to refresh themselves without a reload:
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

from fastapi import APIRouter, HTTPException
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select

from claimwire.ledgerview import disputed_measures, fmt_time, iso_time, present, text, tolls
from claimwire.sources import strip_credentials
from storage.db import session_scope
from storage.models import Article, ArticleEvent, Event, Outlet

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
    """The linked articles of each event, in arrival order."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(
            ArticleEvent.event_id,
            Article.id,
            Article.title,
            Article.url,
            Article.source_ref,
            Article.published_at,
            Article.received_at,
            func.substr(Article.clean_text, 1, 600),
            Outlet.key,
            Outlet.name,
        )
        .join(Article, Article.id == ArticleEvent.article_id)
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .where(ArticleEvent.event_id.in_(event_ids))
        .order_by(Article.received_at, Article.id)
    ).all()
    result: dict[int, list[dict[str, Any]]] = {event_id: [] for event_id in event_ids}
    for event_id, article_id, title, url, source_ref, published, received, clean_text, outlet_key, outlet_name in rows:
        title = " ".join((title or "").split())
        result[event_id].append(
            {
                "id": article_id,
                "title": title,
                "fallback_title": "" if title else (_snippet(clean_text) or _basename(source_ref) or f"article {article_id}"),
                "url": url,
                "href": safe_href(url),
                "source_ref": source_ref,
                "outlet": outlet_name or outlet_key or "",
                "published": published,
                "arrived": received,
            }
        )
    return result


def _display_title(article: Mapping[str, Any]) -> str:
    return article.get("title") or article.get("fallback_title") or ""


def _quotes_by_speaker(speakers, article_numbers: Mapping[int, int]) -> list[dict[str, Any]]:
    """The view's speakers as the page lists them: most quoted first, unattributed last, each quote with its articles."""
    entries = [
        {"speaker": " ".join(speaker.label.split()), "unattributed": not speaker.speaker,
         "quotes": [{"text": said.text, "kind": said.kind,
                     "refs": [{"id": a, "number": article_numbers.get(a)} for a in said.articles]} for said in speaker.said]}
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
        stories = [{"story": story, "articles": [{"id": a, "number": article_numbers.get(a)} for a in story.articles]} for story in row.stories]
        out.append({"anchor": f"{prefix}-{index}", "row": row, "stories": stories})
    return out


def _version(*parts: Any) -> str:
    return hashlib.sha1("|".join(text(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def event_version(event: Event) -> str:
    return _version(event.id, iso_time(event.updated_at), iso_time(event.last_seen), event.article_count, event.merged_into_id)


def overview_version(session) -> str:
    count, latest_update, latest_seen, articles = session.execute(
        select(func.count(Event.id), func.max(Event.updated_at), func.max(Event.last_seen), func.sum(Event.article_count)).where(
            Event.merged_into_id.is_(None)
        )
    ).one()
    return _version(count, iso_time(latest_update), iso_time(latest_seen), articles)


def overview_context(session) -> dict[str, Any]:
    events = list(
        session.execute(
            select(Event)
            .where(Event.merged_into_id.is_(None))
            .order_by(Event.last_seen.desc(), Event.id.desc())
            .limit(EVENTS_LIMIT)
        ).scalars()
    )
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
    view = present({"id": event.id, "headline": event.headline, "first_seen": event.first_seen, "last_seen": event.last_seen,
                    "article_count": event.article_count}, event.ledger)
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
    event = session.get(Event, event_id)
    if event is None:
        raise HTTPException(status_code=404, detail=f"no event {event_id}")
    return event


def _final_event(session, event: Event) -> Event:
    """Follow merges to the event an article set now lives in."""
    hops = 0
    while event.merged_into_id and hops < 20:
        target = session.get(Event, event.merged_into_id)
        if target is None:
            break
        event, hops = target, hops + 1
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
        context = overview_context(session)
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
        final = _final_event(session, event)
        if final.id != event.id:
            return RedirectResponse(f"/ui/events/{final.id}", status_code=303)
        context = event_context(session, event)
    return HTMLResponse(_render("event.html", **context), headers=PAGE_HEADERS)


@router.get("/ui/events/{event_id}/version")
def event_version_endpoint(event_id: EventId) -> JSONResponse:
    with session_scope() as session:
        event = _live_event(session, event_id)
        final = _final_event(session, event)
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
