"""The HTTP API for newsroom systems (FastAPI; `claimwire serve` runs it under uvicorn).

    POST /articles       a URL, raw HTML or raw text (+ title, outlet, published, external_id): 202 + id;
                         the same URL / external id / body again: 200 with "duplicate": true, same id
    GET  /articles/{id}  status, error and failures, claims (claims_offset/claims_limit paging), event
    GET  /events         events, newest activity first (limit/offset paging)
    GET  /events/{id}    one event with its claim ledger (each list in it paged by offset/limit)
    POST /feeds          register an RSS/Atom feed for polling (201, or 200 if it was known)
    GET  /feeds          registered feeds and their poll state (limit/offset paging)
    GET  /healthz        database and broker reachable: 200, else 503
    GET  /metrics        Prometheus exposition (queue depth and open events sampled at scrape time)

Writes need `Authorization: Bearer <CLAIMWIRE_API_TOKEN>`, checked before the body is read; with no token
configured, writes are refused. Reads need it too when CLAIMWIRE_API_READ_AUTH is on ("auto", the default:
on when the server is bound to an address other than loopback); /healthz and /metrics stay open, and the
web pages also take HTTP Basic with the token as the password (a browser asks for it). Per client: posts
are rate limited (CLAIMWIRE_API_POST_RATE per second, bursts of CLAIMWIRE_API_POST_BURST) and so are failed
tokens (CLAIMWIRE_API_AUTH_FAILURES a minute), both 429 with Retry-After. Request bodies over
CLAIMWIRE_API_MAX_BODY_BYTES get 413; a JSON answer over CLAIMWIRE_API_MAX_RESPONSE_BYTES is refused with
400 response_too_large (ask for a smaller page). URLs are stored and shown without credentials. Every error
is JSON: {"error": reason, "message": ...}.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import json
import logging
import threading
import time
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from claimwire.settings import get_settings
from claimwire.sources import HTML, TEXT, URL, RawItem, is_url, outlet_from_url, parse_published, strip_credentials
from claimwire.titles import title_flags

logger = logging.getLogger("claimwire.api")
VERSION = "0.1.0"
MAX_ID = 2**63 - 1  # ids are 64-bit: a larger one in a path is a 422, not an OverflowError from the driver
PAGE_DEFAULT, PAGE_MAX = 100, 1000  # claims of an article and entries of each ledger list, per answer
OPEN_PATHS = ("/healthz", "/metrics")  # never behind the read token: health checks and the Prometheus scrape


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
    transient: bool = Field(False, description="The cause may pass: posting the article again tries it again")
    retries: int = Field(0, description="Retries made before the failure was recorded")


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
    title_flags: list[str] = Field(default_factory=list, description="What in the title may disguise it: mixed_script, compatibility_characters")
    claims: list[ClaimOut] = Field(description="A page of the claims, in text order (claims_offset, claims_limit)")
    claims_total: int = 0
    claims_offset: int = 0
    claims_next_offset: int | None = None
    claims_cut: dict[str, int] | None = Field(None, description="What the cap on claims per article left out (cap, found, kept, read_chars, text_chars)")
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


class LedgerPage(BaseModel):
    offset: int
    limit: int
    totals: dict[str, int] = Field(description="Entries of each list of the ledger in all")
    next_offset: int | None = Field(None, description="The offset of the next page, if a list has more")


class EventOut(EventSummary):
    merged_into: int | None
    date_min: datetime | None
    date_max: datetime | None
    lead: str | None = None
    rows: list[LedgerRowOut] = []
    ledger: dict[str, Any]
    ledger_page: LedgerPage | None = None


class ErrorOut(BaseModel):
    error: str
    message: str


ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 404, 413, 422, 429, 503)}


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


def _refusal(status: int, reason: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    from workers import metrics

    metrics.API_REFUSED.labels(reason=reason).inc()
    return JSONResponse(error_body(reason, message), status_code=status, headers=headers)


def _is_loopback(host: str | None) -> bool:
    if not host or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ClientLimits:
    """Per client address: a token bucket for posts, and the failed tokens of the last minute (bounded in memory)."""

    WINDOW_S = 60.0
    MAX_CLIENTS = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # client: (tokens, when)
        self._failures: dict[str, list[float]] = {}  # client: times of failed tokens in the window

    def _bounded(self, table: dict) -> None:
        if len(table) >= self.MAX_CLIENTS:
            table.clear()  # a flood of addresses: start counting again rather than grow without bound

    def take(self, client: str, rate: float, burst: int) -> float:
        """Take one post from CLIENT's bucket: 0, or the seconds until one is there."""
        now = time.monotonic()
        with self._lock:
            self._bounded(self._buckets)
            tokens, when = self._buckets.get(client, (float(max(1, burst)), now))
            tokens = min(float(max(1, burst)), tokens + (now - when) * rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[client] = (tokens - 1.0, now)
            return 0.0

    def blocked(self, client: str, limit: int) -> float:
        """0, or the seconds until CLIENT may try a token again (LIMIT failures within the window)."""
        if limit <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(client, ()) if now - t < self.WINDOW_S]
            if recent:
                self._failures[client] = recent
            else:
                self._failures.pop(client, None)
            return self.WINDOW_S - (now - recent[-limit]) if len(recent) >= limit else 0.0

    def failed(self, client: str) -> None:
        with self._lock:
            self._bounded(self._failures)
            self._failures.setdefault(client, []).append(time.monotonic())


def _token_problem(headers: dict[bytes, bytes], token: str | None, *, basic: bool) -> tuple[str, str] | None:
    """None when the Authorization header carries TOKEN (as Bearer; for reads also as the Basic password)."""
    if not token:
        return "writes_disabled" if not basic else "reads_disabled", "no API token is configured (CLAIMWIRE_API_TOKEN): refused"
    value = headers.get(b"authorization", b"")
    scheme, _, credentials = value.partition(b" ")
    scheme = scheme.lower()
    if scheme == b"basic" and basic:
        try:
            credentials = base64.b64decode(credentials.strip(), validate=True).partition(b":")[2]
        except (binascii.Error, ValueError):
            credentials = b""
    elif scheme != b"bearer":
        return "unauthorized", "a bearer token is required"
    if not credentials.strip() or not hmac.compare_digest(credentials.strip(), token.encode("utf-8")):
        return "unauthorized", "the token is not valid"
    return None


class Guard:
    """The API's door, before anything reads the body: the token for writes (and for reads when
    CLAIMWIRE_API_READ_AUTH is on, or "auto" and the server is bound to a non-loopback address), failed
    tokens and posts rate limited per client address (429 with Retry-After)."""

    def __init__(self, app, bound_host: str | None) -> None:
        self.app, self.bound_host = app, bound_host
        self.limits = ClientLimits()

    def reads_need_token(self) -> bool:
        mode = get_settings().api_read_auth
        return mode in ("1", "on", "true", "yes") or (mode == "auto" and not _is_loopback(self.bound_host or get_settings().api_host))

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        method, path = scope["method"], scope["path"]
        write = method not in ("GET", "HEAD", "OPTIONS")
        client = (scope.get("client") or ("unknown",))[0]
        if write or (path not in OPEN_PATHS and self.reads_need_token()):
            refused = self._check_token(scope, client, write, path, settings)
            if refused is not None:
                await refused(scope, receive, send)
                return
        if write and settings.api_post_rate > 0:
            wait = self.limits.take(client, settings.api_post_rate, settings.api_post_burst)
            if wait:
                response = _refusal(429, "rate_limited", f"over {settings.api_post_rate:g} posts/s from {client}", {"Retry-After": str(max(1, round(wait + 0.5)))})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _check_token(self, scope, client: str, write: bool, path: str, settings) -> JSONResponse | None:
        wait = self.limits.blocked(client, settings.api_auth_failures)
        if wait:
            return _refusal(429, "too_many_failures", f"too many wrong tokens from {client}; wait", {"Retry-After": str(max(1, round(wait + 0.5)))})
        problem = _token_problem(dict(scope.get("headers") or []), settings.api_token, basic=not write)
        if problem is None:
            return None
        if settings.api_token:
            self.limits.failed(client)
        page = not write and (path == "/" or path.startswith("/ui"))
        challenge = 'Basic realm="claimwire"' if page else "Bearer"
        return _refusal(401, problem[0], problem[1], {"WWW-Authenticate": challenge})


class ResponseCap:
    """Refuse a JSON answer over CLAIMWIRE_API_MAX_RESPONSE_BYTES (400 response_too_large) instead of sending it."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = get_settings().api_max_response_bytes
        refused = False

        async def capped(message) -> None:
            nonlocal refused
            if refused:
                return
            if message["type"] == "http.response.start" and limit > 0:
                headers = dict(message.get("headers") or [])
                declared = headers.get(b"content-length", b"")
                if headers.get(b"content-type", b"").startswith(b"application/json") and declared.isdigit() and int(declared) > limit:
                    refused = True
                    response = _refusal(400, "response_too_large", f"the answer is {int(declared)} bytes, over {limit}: ask for a smaller page (limit)")
                    await response(scope, receive, send)
                    return
            await send(message)

        await self.app(scope, receive, capped)


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
    url = strip_credentials(payload.url)  # never stored nor shown
    published = None
    if payload.published:
        published = parse_published(payload.published)
        if published is None:
            raise ApiError(422, "bad_published", f"published is not an ISO 8601 date or time: {payload.published!r}")
    outlet = (payload.outlet or outlet_from_url(url) or None) if (payload.outlet or url) else None
    common = {"url": url, "title": payload.title, "published": published, "outlet": outlet, "external_id": payload.external_id}
    ref = "api:" + (payload.external_id or url or "body")
    for kind, value in ((HTML, payload.html), (TEXT, payload.text)):
        if value is None:
            continue
        body = value.encode("utf-8")
        if not value.strip():
            raise ApiError(422, "empty", f"the {kind} is empty")
        if len(body) > settings.max_input_bytes:
            raise ApiError(413, "too_large", f"the {kind} is over the {settings.max_input_bytes}-byte cap")
        return RawItem(kind=kind, ref=ref, body=body, **common)
    if url is None:
        raise ApiError(422, "no_article", "give a url, html or text")
    return RawItem(kind=URL, ref=ref, **common)


def _page_ledger(ledger: dict[str, Any], offset: int, limit: int) -> tuple[dict[str, Any], LedgerPage]:
    """The ledger with each of its lists cut to [offset, offset + limit); URLs in it without credentials."""
    paged: dict[str, Any] = {}
    totals: dict[str, int] = {}
    for key, value in ledger.items():
        if isinstance(value, list):
            totals[key] = len(value)
            value = value[offset : offset + limit]
            if key == "articles":
                value = [{**a, "url": strip_credentials(a.get("url")), "source_ref": strip_credentials(a.get("source_ref"))} if isinstance(a, dict) else a for a in value]
        paged[key] = value
    more = any(total > offset + limit for total in totals.values())
    return paged, LedgerPage(offset=offset, limit=limit, totals=totals, next_offset=offset + limit if more else None)


def _check_feed_url(url: str) -> None:
    """A feed URL that points at a private, loopback or metadata address is refused now, not when polled."""
    from claimwire.errors import InputError
    from claimwire.fetching import check_address

    try:
        check_address(url, get_settings().fetch_allow_private)
    except InputError as error:
        if error.reason != "dns_failed":  # a name that does not resolve now may later: polls record it
            raise ApiError(422, error.reason, error.message) from None


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
    from storage.db import ping

    try:
        ping()
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


def create_app(bound_host: str | None = None) -> FastAPI:
    """The API. BOUND_HOST: the address the server listens on (default CLAIMWIRE_API_HOST): reads need the
    token when it is not loopback, unless CLAIMWIRE_API_READ_AUTH says otherwise."""
    import anyio

    from service import embedded
    from service.ingest import prepare_store, receive
    from storage import repository
    from storage.db import session_scope
    from storage.models import Article, Event, Feed
    from workers import metrics

    settings = get_settings()
    health_threads = anyio.CapacityLimiter(4)  # /healthz never waits behind posts for a worker thread

    @asynccontextmanager
    async def lifespan(_app):
        prepare_store()
        runner = embedded.start() if get_settings().embedded else None  # the pipeline, resumed where it stopped
        try:
            yield
        finally:
            if runner is not None:
                await anyio.to_thread.run_sync(embedded.stop)

    app = FastAPI(
        lifespan=lifespan,
        title="claimwire",
        version=VERSION,
        summary="News claims ledger: articles in, claims and events out.",
        description=__doc__,
    )
    app.add_middleware(BodyLimit, limit=settings.api_max_body_bytes)
    app.add_middleware(ResponseCap)
    app.add_middleware(Guard, bound_host=bound_host)  # before the body is read
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
        if error.status_code == 400 and str(error.detail).startswith("There was an error parsing the body"):
            # not UTF-8, nested too deep for the parser, an integer of thousands of digits: bad JSON, a 422
            return JSONResponse(error_body("bad_json", "the body is not JSON that can be read (encoding, depth or number size)"), status_code=422)
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
    def get_article(
        article_id: Annotated[int, Path(ge=0, le=MAX_ID)],
        claims_offset: int = Query(0, ge=0, le=MAX_ID),
        claims_limit: int = Query(PAGE_DEFAULT, ge=0, le=PAGE_MAX),
    ) -> ArticleOut:
        """One article; its claims a page at a time (claims_offset, claims_limit; claims_total in all)."""
        with session_scope() as session:
            article = session.get(Article, article_id)
            if article is None:
                raise ApiError(404, "not_found", f"no article {article_id}")
            claims = repository.article_claims(session, article.id, limit=claims_limit, offset=claims_offset)
            total = repository.count_claims(session, article.id)
            return ArticleOut(
                id=article.id,
                status=article.status,
                error=strip_credentials(article.error),
                failures=[
                    FailureOut(stage=f.stage, reason=f.reason, message=strip_credentials(f.message), at=f.created_at, transient=bool(f.transient), retries=f.retries or 0)
                    for f in repository.article_failures(session, article.id)
                ],
                source_kind=article.source_kind,
                url=strip_credentials(article.url),
                canonical_url=strip_credentials(article.canonical_url),
                title=article.title,
                outlet=article.outlet.key if article.outlet else None,
                published=article.published_at,
                received_at=article.received_at,
                linked_at=article.linked_at,
                language=article.language,
                duplicate_of=article.duplicate_of_id,
                title_flags=title_flags(article.title),
                claims=[ClaimOut.model_validate(c, from_attributes=True) for c in claims],
                claims_total=total,
                claims_offset=claims_offset,
                claims_next_offset=claims_offset + len(claims) if claims_offset + len(claims) < total and claims else None,
                claims_cut=article.claims_cut,
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
    def get_event(
        event_id: Annotated[int, Path(ge=0, le=MAX_ID)],
        offset: int = Query(0, ge=0, le=MAX_ID),
        limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX),
    ) -> EventOut:
        """One event and its claim ledger, each list in it (articles, figures, timeline, quotes, ...) a page at a
        time: entries [offset, offset + limit); ledger_page gives each list's total. A merged event answers with merged_into set."""
        with session_scope() as session:
            event = session.get(Event, event_id)
            if event is None:
                raise ApiError(404, "not_found", f"no event {event_id}")
            view = _event_view(event)
            ledger, page = _page_ledger(view.pop("ledger") or {}, offset, limit)
            view = json.loads(json.dumps(view, default=str))
            return EventOut(
                **view, merged_into=event.merged_into_id, date_min=event.date_min, date_max=event.date_max,
                ledger=json.loads(json.dumps(ledger, default=str)), ledger_page=page,
            )  # fmt: skip

    def _feed_out(feed, created: bool | None = None) -> FeedOut:
        return FeedOut(
            id=feed.id, url=strip_credentials(feed.url), title=feed.title, outlet=feed.outlet, active=feed.active, interval_s=feed.interval_s,
            last_polled_at=feed.last_polled_at, next_poll_at=feed.next_poll_at, last_status=feed.last_status, last_error=feed.last_error,
            item_count=feed.item_count, created=created,
        )

    @app.post("/feeds", response_model=FeedOut, status_code=201, responses={200: {"model": FeedOut, "description": "Already registered"}, **ERRORS}, dependencies=[Depends(require_token)], tags=["feeds"])
    def post_feed(payload: FeedIn, response: Response) -> FeedOut:
        """Register an RSS or Atom feed; beat polls it every interval_s seconds."""
        _check_encodable(payload)
        if not is_url(payload.url):
            raise ApiError(422, "bad_url", "url must be an http or https URL")
        url = strip_credentials(payload.url.strip())
        _check_feed_url(url)
        with session_scope() as session:
            feed_id, created = repository.add_feed(
                session, url, title=payload.title, outlet=payload.outlet or outlet_from_url(url),
                interval_s=payload.interval_s or get_settings().feed_default_interval_s,
            )
        with session_scope() as session:
            out = _feed_out(session.get(Feed, feed_id), created)
        response.headers["Location"] = f"/feeds/{feed_id}"
        if not created:
            response.status_code = 200
        return out

    @app.get("/feeds", response_model=list[FeedOut], tags=["feeds"])
    def list_feeds(limit: int = Query(PAGE_MAX, ge=1, le=PAGE_MAX), offset: int = Query(0, ge=0, le=MAX_ID)) -> list[FeedOut]:
        """Registered feeds by id, LIMIT from OFFSET."""
        with session_scope() as session:
            return [_feed_out(feed) for feed in repository.list_feeds(session, limit=limit, offset=offset)]

    @app.get("/healthz", responses={503: {"description": "Database or broker unreachable"}}, tags=["service"])
    async def healthz() -> JSONResponse:
        """200 when the database and the broker answer, else 503 with what failed."""
        database, broker = await anyio.to_thread.run_sync(lambda: (_check_database(), _check_broker()), limiter=health_threads)
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
    host = host or settings.api_host
    uvicorn.run(create_app(bound_host=host), host=host, port=port or settings.api_port, log_level=log_level.lower(), proxy_headers=True, access_log=False)
