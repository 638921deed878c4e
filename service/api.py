"""The HTTP API for newsroom systems (FastAPI; `claimwire serve` runs it under uvicorn).

    POST /articles       a URL, raw HTML or raw text (+ title, outlet, published, external_id): 202 + id;
                         the same URL / external id / body again: 200 with "duplicate": true, same id
    GET  /articles/{id}  status, error and failures, claims (claims_offset/claims_limit paging), event
    GET  /events         events, newest activity first (limit/offset paging)
    GET  /events/{id}    one event with its claim ledger (each list in it paged by offset/limit)
    POST /feeds          register an RSS/Atom feed for polling (201, or 200 if it was known)
    GET  /feeds          registered feeds and their poll state (limit/offset paging)
    GET  /changes        the change feed (every ledger update), resumable; /changes/stream as Server-Sent Events
    POST /webhooks       subscribe a URL to changes (signed, retried deliveries); GET/DELETE /webhooks/{id}
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

from contextlib import asynccontextmanager

from fastapi import FastAPI

from claimwire.settings import get_settings

VERSION = "0.1.0"
GRACEFUL_SHUTDOWN_S = 5


def create_app(bound_host: str | None = None) -> FastAPI:
    """The API. BOUND_HOST: the address the server listens on (default CLAIMWIRE_API_HOST): reads need the
    token when it is not loopback, unless CLAIMWIRE_API_READ_AUTH says otherwise."""
    import anyio

    from service import changes_api, embedded, errorhandlers, live, routes_articles, routes_events, routes_feeds, routes_health, web
    from service.auth import Guard
    from service.ingest import prepare_store
    from service.middleware import BodyLimit, RequestCounter, ResponseCap
    from tasks.base import load_task_modules

    @asynccontextmanager
    async def lifespan(_app):
        prepare_store()
        if not get_settings().embedded:  # the first post would import them (half a second of CPU) while others wait
            load_task_modules()
        runner = embedded.start() if get_settings().embedded else None  # the pipeline, resumed where it stopped
        stop_delivering = _start_webhook_deliverer() if get_settings().embedded else None
        try:
            yield
        finally:
            if stop_delivering is not None:
                stop_delivering()
            if runner is not None:
                await anyio.to_thread.run_sync(embedded.stop)

    app = FastAPI(
        lifespan=lifespan,
        title="claimwire",
        version=VERSION,
        summary="News claims ledger: articles in, claims and events out.",
        description=__doc__,
    )
    app.state.health_threads = anyio.CapacityLimiter(4)  # /healthz never waits behind posts for a worker thread
    app.add_middleware(BodyLimit, limit=get_settings().api_max_body_bytes)
    app.add_middleware(ResponseCap)
    app.add_middleware(Guard, bound_host=bound_host)  # before the body is read
    app.add_middleware(RequestCounter)
    errorhandlers.install(app)
    for module in (routes_articles, routes_events, routes_feeds, routes_health):
        app.include_router(module.router)
    app.include_router(changes_api.router)  # the change feed and webhooks (service/changes_api.py)
    app.include_router(web.router)  # the newsroom pages (service/web.py): / and /ui/...
    app.include_router(live.router)  # the pages' live streams (service/live.py)
    return app


def _start_webhook_deliverer():
    """The embedded mode has no worker: webhook deliveries are made by a thread of this process."""
    import threading

    from tasks.webhooks import run_forever
    from workers.changefeed import WEBHOOK_WAKE

    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(stop,), name="webhook-deliverer", daemon=True)
    thread.start()

    def stop_delivering() -> None:
        stop.set()
        WEBHOOK_WAKE.set()
        thread.join(timeout=10)

    return stop_delivering


def serve(host: str | None = None, port: int | None = None, log_level: str = "info") -> None:
    import uvicorn

    settings = get_settings()
    host = host or settings.api_host
    # open event streams (service/live.py) would hold a shutdown for ever: they get GRACEFUL_SHUTDOWN_S, then their
    # clients reconnect (to this or another replica) and resume with Last-Event-ID
    uvicorn.run(
        create_app(bound_host=host),
        host=host,
        port=port or settings.api_port,
        log_level=log_level.lower(),
        proxy_headers=True,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
