"""The HTTP API for newsroom systems (FastAPI; `claimwire serve` runs it under uvicorn).

    POST /articles       a URL, raw HTML or raw text (+ title, outlet, published, external_id): 202 + id;
                         the same URL / external id / body again: 200 with "duplicate": true, same id
    GET  /articles/{id}  status, error and failures, claims, event
    GET  /events         events, newest activity first (limit/offset paging)
    GET  /events/{id}    one event with its claim ledger
    POST /feeds          register an RSS/Atom feed for polling (201, or 200 if it was known)
    GET  /feeds          registered feeds and their poll state
    GET  /healthz        database and broker reachable: 200, else 503
    GET  /metrics        Prometheus exposition (queue depth and open events sampled at scrape time)

Writes need `Authorization: Bearer <CLAIMWIRE_API_TOKEN>`; with no token configured, writes are refused.
Request bodies over CLAIMWIRE_API_MAX_BODY_BYTES get 413. Every error is JSON: {"error": reason, "message": ...}.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, text
from starlette.exceptions import HTTPException as StarletteHTTPException

from claimwire.settings import get_settings
from claimwire.sources import HTML, TEXT, URL, RawItem, is_url, outlet_from_url, parse_published

logger = logging.getLogger("claimwire.api")
VERSION = "0.1.0"
MAX_ID = 2**63 - 1  # ids are 64-bit: a larger one in a path is a 422, not an OverflowError from the driver


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.reason, self.message, self.headers = status, reason, message, headers


def error_body(reason: str, message: str) -> dict[str, str]:
    return {"error": reason, "message": message}


# --- request and response models -----------------------------------------------------------------


class ArticleIn(BaseModel):
    """One article: `url` alone (fetched by the service), or `html` or `text` (with `url` as metadata)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"url": "https://example.org/news/story.html"}, {"text": "Two people were shot...", "title": "Two shot", "outlet": "example.org", "published": "2024-05-01"}]})

    url: str | None = Field(None, max_length=4096, description="The article's address; fetched when neither html nor text is given")
    html: str | None = Field(None, description="The page's HTML")
    text: str | None = Field(None, description="The article's plain text")
    title: str | None = Field(None, max_length=2000)
    outlet: str | None = Field(None, max_length=255, description="Outlet key; default: the URL's host")
    published: str | None = Field(None, max_length=64, description="ISO 8601 date or time (UTC if no zone)")
    external_id: str | None = Field(None, max_length=255, description="The sender's id: the same id again is the same article")


class ArticleAccepted(BaseModel):
    id: int
    status: str
    duplicate: bool
    error: str | None = None


class FeedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(..., max_length=4096)
    title: str | None = Field(None, max_length=2000)
    outlet: str | None = Field(None, max_length=255)
    interval_s: int | None = Field(None, ge=60, le=86400, description="Seconds between polls")


class FeedOut(BaseModel):
    id: int
    url: str
    title: str | None
    outlet: str | None
    active: bool
    interval_s: int
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    last_status: str | None
    last_error: str | None
    item_count: int
    created: bool | None = None


class ClaimOut(BaseModel):
    kind: str
    measure: str | None
    value_min: float | None
    value_max: float | None
    hedge: str | None
    group: str | None
    source: str | None
    text: str | None
    sentence: str
    start: int
    end: int
    confidence: float
    extractor: str
    extractor_version: str


class FailureOut(BaseModel):
    stage: str
    reason: str
    message: str
    at: datetime


class EventRef(BaseModel):
    id: int
    headline: str | None
    decision: str
    score: float
    merged_into: int | None = None


class ArticleOut(BaseModel):
    id: int
    status: str
    error: str | None
    failures: list[FailureOut]
    source_kind: str
    url: str | None
    canonical_url: str | None
    title: str | None
    outlet: str | None
    published: datetime | None
    received_at: datetime
    linked_at: datetime | None
    language: str | None
    duplicate_of: int | None
    claims: list[ClaimOut]
    event: EventRef | None


class TollOut(BaseModel):
    label: str
    value: float | None
    disputed: bool


class EventSummary(BaseModel):
    id: int
    headline: str | None
    first_seen: datetime
    last_seen: datetime
    article_count: int
    toll: dict[str, TollOut] = {}


class LedgerRowOut(BaseModel):
    key: str
    headline: str
    disputed: bool


class EventPage(BaseModel):
    events: list[EventSummary]
    limit: int
    offset: int
    next_offset: int | None


class EventOut(EventSummary):
    merged_into: int | None
    date_min: datetime | None
    date_max: datetime | None
    lead: str | None = None
    rows: list[LedgerRowOut] = []
    ledger: dict[str, Any]


class ErrorOut(BaseModel):
    error: str
    message: str


ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 404, 413, 422, 503)}


def _unavailable(error: BaseException) -> bool:
    """Whether ERROR means the database or the broker could not be reached (a 503, not a 500)."""
    from kombu.exceptions import OperationalError as BrokerUnavailable
    from redis.exceptions import ConnectionError as RedisUnavailable
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(error, (OperationalError, BrokerUnavailable, RedisUnavailable, ConnectionError)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


# --- plumbing -------------------------------------------------------------------------------------


class BodyLimit:
    """Refuse request bodies over the cap (declared Content-Length, or bytes actually sent) with 413."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def _refuse(self, scope, receive, send) -> None:
        response = JSONResponse(error_body("body_too_large", f"request body over {self.limit} bytes"), status_code=413)
        await response(scope, receive, send)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class RequestCounter:
    """Count each request by method, route and status (a plain ASGI middleware: no task group or stream per request)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from workers import metrics

        started = time.perf_counter()
        status = 500

        async def send_counted(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            metrics.API_REQUESTS.labels(method=scope["method"], route=path, status=str(status)).inc()
            if path not in ("/metrics", "/healthz") and logger.isEnabledFor(logging.DEBUG):
                logger.debug("request", extra={"fields": {"method": scope["method"], "path": path, "status": status, "ms": round(1000 * (time.perf_counter() - started), 1)}})


bearer = HTTPBearer(auto_error=False, description="CLAIMWIRE_API_TOKEN")


def require_token(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
    token = get_settings().api_token
    if not token:
        raise ApiError(401, "writes_disabled", "no API token is configured (CLAIMWIRE_API_TOKEN): writes are refused", {"WWW-Authenticate": "Bearer"})
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "unauthorized", "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(credentials.credentials.encode("utf-8"), token.encode("utf-8")):
        raise ApiError(401, "unauthorized", "the bearer token is not valid", {"WWW-Authenticate": "Bearer"})


def _check_encodable(payload: BaseModel) -> None:
    """JSON may carry lone surrogates ("\\ud800"): not text, refused before anything stores them."""
    for name, value in payload:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ApiError(422, "invalid_encoding", f"{name} holds a lone surrogate (not valid Unicode text)") from None
            if "\x00" in value and name not in ("html", "text"):
                # PostgreSQL text cannot hold NUL; bodies are stored as bytes and scrubbed when cleaned
                raise ApiError(422, "invalid_text", f"{name} holds a NUL character")


def _item_from(payload: ArticleIn) -> RawItem:
    settings = get_settings()
    _check_encodable(payload)
    if payload.html is not None and payload.text is not None:
        raise ApiError(422, "ambiguous_body", "give html or text, not both")
    if payload.url is not None and not is_url(payload.url):
        raise ApiError(422, "bad_url", "url must be an http or https URL")
    published = None
    if payload.published:
        published = parse_published(payload.published)
        if published is None:
            raise ApiError(422, "bad_published", f"published is not an ISO 8601 date or time: {payload.published!r}")
    outlet = (payload.outlet or outlet_from_url(payload.url) or None) if (payload.outlet or payload.url) else None
    common = {"url": payload.url, "title": payload.title, "published": published, "outlet": outlet, "external_id": payload.external_id}
    ref = "api:" + (payload.external_id or payload.url or "body")
    for kind, value in ((HTML, payload.html), (TEXT, payload.text)):
        if value is None:
            continue
        body = value.encode("utf-8")
        if not value.strip():
            raise ApiError(422, "empty", f"the {kind} is empty")
        if len(body) > settings.max_input_bytes:
            raise ApiError(413, "too_large", f"the {kind} is over the {settings.max_input_bytes}-byte cap")
        return RawItem(kind=kind, ref=ref, body=body, **common)
    if payload.url is None:
        raise ApiError(422, "no_article", "give a url, html or text")
    return RawItem(kind=URL, ref=ref, **common)


def _event_ref(session, article_id: int) -> EventRef | None:
    from storage.models import ArticleEvent, Event

    link = session.get(ArticleEvent, article_id)
    if link is None:
        return None
    event = session.get(Event, link.event_id)
    current = event
    hops = 0
    while current is not None and current.merged_into_id and hops < 20:
        current, hops = session.get(Event, current.merged_into_id), hops + 1
    return EventRef(
        id=(current or event).id,
        headline=(current or event).headline,
        decision=link.decision,
        score=link.score,
        merged_into=(current.id if current is not None and current.id != event.id else None),
    )


def _event_view(event) -> dict[str, Any]:
    """The event through the one ledger presenter (claimwire/ledgerview.py), as `claimwire event --json` gives it."""
    from claimwire.ledgerview import event_json

    summary = {"id": event.id, "headline": event.headline, "first_seen": event.first_seen, "last_seen": event.last_seen,
               "article_count": event.article_count}
    return event_json(summary, event.ledger)


def _event_summary(event) -> EventSummary:
    view = _event_view(event)
    return EventSummary(**{k: view[k] for k in ("id", "headline", "first_seen", "last_seen", "article_count", "toll")})


def _check_database() -> str | None:
    from storage.db import session_scope

    try:
        with session_scope() as session:
            session.execute(text("SELECT 1"))
        return None
    except Exception as error:  # noqa: BLE001 - health reports any failure
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


def _check_broker() -> str | None:
    settings = get_settings()
    if settings.embedded:
        return None
    try:
        if settings.broker_url.startswith(("redis://", "rediss://", "unix://")):
            import redis

            client = redis.Redis.from_url(settings.broker_url, socket_timeout=2, socket_connect_timeout=2)
            try:
                client.ping()
            finally:
                client.close()
        else:
            from workers.app import app

            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        return None
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}"


# --- the application ------------------------------------------------------------------------------


def create_app() -> FastAPI:
    from service.ingest import prepare_store, receive
    from storage import repository
    from storage.db import session_scope
    from storage.models import Article, Event, Feed
    from workers import metrics

    settings = get_settings()
    @asynccontextmanager
    async def lifespan(_app):
        prepare_store()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="claimwire",
        version=VERSION,
        summary="News claims ledger: articles in, claims and events out.",
        description=__doc__,
    )
    app.add_middleware(BodyLimit, limit=settings.api_max_body_bytes)

    app.add_middleware(RequestCounter)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, error: ApiError):
        return JSONResponse(error_body(error.reason, error.message), status_code=error.status, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg')}" for e in error.errors())
        reason = "bad_json" if any(e.get("type") == "json_invalid" for e in error.errors()) else "invalid_request"
        return JSONResponse(error_body(reason, problems or "invalid request"), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException):
        reasons = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}
        return JSONResponse(error_body(reasons.get(error.status_code, "http_error"), str(error.detail)), status_code=error.status_code, headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(_request: Request, error: Exception):
        if _unavailable(error):  # the database or the broker is down: nothing was accepted, post again later
            logger.warning("api_unavailable", extra={"fields": {"error": type(error).__name__}})
            return JSONResponse(error_body("unavailable", f"{type(error).__name__}: the store or the queue is not reachable; retry"), status_code=503, headers={"Retry-After": "5"})
        logger.exception("api_error")
        return JSONResponse(error_body("internal_error", type(error).__name__), status_code=500)

    @app.post("/articles", response_model=ArticleAccepted, status_code=202, responses={200: {"model": ArticleAccepted, "description": "Already stored (duplicate)"}, **ERRORS}, dependencies=[Depends(require_token)], tags=["articles"])
    def post_article(payload: ArticleIn, response: Response) -> ArticleAccepted:
        """Receive an article. New: 202 with its id. The same URL, external id or body again: 200, same id, duplicate true."""
        receipt = receive(_item_from(payload))
        if receipt.article_id is None:
            raise ApiError(422, "rejected", receipt.error or "the item was refused")
        response.headers["Location"] = f"/articles/{receipt.article_id}"
        if not receipt.created:
            response.status_code = 200
        return ArticleAccepted(id=receipt.article_id, status=receipt.status, duplicate=not receipt.created, error=receipt.error)

    @app.get("/articles/{article_id}", response_model=ArticleOut, responses=ERRORS, tags=["articles"])
    def get_article(article_id: Annotated[int, Path(ge=0, le=MAX_ID)]) -> ArticleOut:
        with session_scope() as session:
            article = session.get(Article, article_id)
            if article is None:
                raise ApiError(404, "not_found", f"no article {article_id}")
            return ArticleOut(
                id=article.id,
                status=article.status,
                error=article.error,
                failures=[FailureOut(stage=f.stage, reason=f.reason, message=f.message, at=f.created_at) for f in repository.article_failures(session, article.id)],
                source_kind=article.source_kind,
                url=article.url,
                canonical_url=article.canonical_url,
                title=article.title,
                outlet=article.outlet.key if article.outlet else None,
                published=article.published_at,
                received_at=article.received_at,
                linked_at=article.linked_at,
                language=article.language,
                duplicate_of=article.duplicate_of_id,
                claims=[ClaimOut.model_validate(c, from_attributes=True) for c in article.claims],
                event=_event_ref(session, article.id),
            )

    @app.get("/events", response_model=EventPage, responses=ERRORS, tags=["events"])
    def list_events(limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_ID)) -> EventPage:
        """Events (merged ones left out), newest activity first."""
        with session_scope() as session:
            events = repository.list_events(session, limit=limit + 1, offset=offset)
            rows = [_event_summary(e) for e in events[:limit]]
        return EventPage(events=rows, limit=limit, offset=offset, next_offset=offset + limit if len(events) > limit else None)

    @app.get("/events/{event_id}", response_model=EventOut, responses=ERRORS, tags=["events"])
    def get_event(event_id: Annotated[int, Path(ge=0, le=MAX_ID)]) -> EventOut:
        """One event and its claim ledger. A merged event answers with merged_into set."""
        with session_scope() as session:
            event = session.get(Event, event_id)
            if event is None:
                raise ApiError(404, "not_found", f"no event {event_id}")
            view = json.loads(json.dumps(_event_view(event), default=str))
            return EventOut(**view, merged_into=event.merged_into_id, date_min=event.date_min, date_max=event.date_max)

    def _feed_out(feed, created: bool | None = None) -> FeedOut:
        return FeedOut(
            id=feed.id, url=feed.url, title=feed.title, outlet=feed.outlet, active=feed.active, interval_s=feed.interval_s,
            last_polled_at=feed.last_polled_at, next_poll_at=feed.next_poll_at, last_status=feed.last_status, last_error=feed.last_error,
            item_count=feed.item_count, created=created,
        )

    @app.post("/feeds", response_model=FeedOut, status_code=201, responses={200: {"model": FeedOut, "description": "Already registered"}, **ERRORS}, dependencies=[Depends(require_token)], tags=["feeds"])
    def post_feed(payload: FeedIn, response: Response) -> FeedOut:
        """Register an RSS or Atom feed; beat polls it every interval_s seconds."""
        _check_encodable(payload)
        if not is_url(payload.url):
            raise ApiError(422, "bad_url", "url must be an http or https URL")
        with session_scope() as session:
            feed_id, created = repository.add_feed(
                session, payload.url.strip(), title=payload.title, outlet=payload.outlet or outlet_from_url(payload.url),
                interval_s=payload.interval_s or get_settings().feed_default_interval_s,
            )
        with session_scope() as session:
            out = _feed_out(session.get(Feed, feed_id), created)
        response.headers["Location"] = f"/feeds/{feed_id}"
        if not created:
            response.status_code = 200
        return out

    @app.get("/feeds", response_model=list[FeedOut], tags=["feeds"])
    def list_feeds() -> list[FeedOut]:
        with session_scope() as session:
            return [_feed_out(feed) for feed in session.execute(select(Feed).order_by(Feed.id)).scalars()]

    @app.get("/healthz", responses={503: {"description": "Database or broker unreachable"}}, tags=["service"])
    def healthz() -> JSONResponse:
        """200 when the database and the broker answer, else 503 with what failed."""
        database, broker = _check_database(), _check_broker()
        body = {
            "status": "ok" if not (database or broker) else "unavailable",
            "database": database or "ok",
            "broker": broker or ("embedded" if get_settings().embedded else "ok"),
        }
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    @app.get("/metrics", tags=["service"], response_class=Response, responses={200: {"content": {"text/plain": {}}}})
    def get_metrics() -> Response:
        """Prometheus exposition; queue depths (Redis LLEN) and open events are sampled now."""
        from prometheus_client import CONTENT_TYPE_LATEST

        try:
            metrics.sample_queue_depths()
        except Exception as error:  # noqa: BLE001 - a scrape must not fail because the broker is down
            logger.warning("queue depth not sampled: %s", error)
        try:
            with session_scope() as session:
                metrics.EVENTS_OPEN.set(repository.count_open_events(session))
        except Exception as error:  # noqa: BLE001
            logger.warning("open events not sampled: %s", error)
        return Response(metrics.collect(), media_type=CONTENT_TYPE_LATEST)

    from service import web

    app.include_router(web.router)  # the newsroom pages (service/web.py): / and /ui/...
    return app


def serve(host: str | None = None, port: int | None = None, log_level: str = "info") -> None:
    import uvicorn

    settings = get_settings()
    uvicorn.run(create_app(), host=host or settings.api_host, port=port or settings.api_port, log_level=log_level.lower(), proxy_headers=True, access_log=False)
