"""GET /healthz and GET /metrics: open to everyone (no token), for health checks and the Prometheus scrape."""

from __future__ import annotations

import logging

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from claimwire.settings import get_settings
from storage import repository
from storage.db import session_scope
from workers import metrics

logger = logging.getLogger("claimwire.api")
router = APIRouter()


@router.get("/healthz", responses={503: {"description": "Database or broker unreachable"}}, tags=["service"])
async def healthz(request: Request) -> JSONResponse:
    """200 when the database and the broker answer, else 503 with what failed."""
    limiter = request.app.state.health_threads  # /healthz never waits behind posts for a worker thread
    database, broker = await anyio.to_thread.run_sync(lambda: (check_database(), check_broker()), limiter=limiter)
    body = {
        "status": "ok" if not (database or broker) else "unavailable",
        "database": database or "ok",
        "broker": broker or ("embedded" if get_settings().embedded else "ok"),
    }
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


@router.get("/metrics", tags=["service"], response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def get_metrics() -> Response:
    """Prometheus exposition; queue depths (Redis LLEN) and open events are sampled now."""
    from prometheus_client import CONTENT_TYPE_LATEST

    try:
        metrics.sample_queue_depths()
    except Exception as error:  # noqa: BLE001 - a scrape must not fail because the broker is down
        logger.warning("queue depth not sampled: %s", error)
    try:
        metrics.sample_intake()  # the intake stream's lag, pending and dead letters, seen even with no consumer running
    except Exception as error:  # noqa: BLE001
        logger.warning("intake stream not sampled: %s", error)
    try:
        with session_scope() as session:
            metrics.EVENTS_OPEN.set(repository.count_open_events(session))
    except Exception as error:  # noqa: BLE001
        logger.warning("open events not sampled: %s", error)
    return Response(metrics.collect(), media_type=CONTENT_TYPE_LATEST)


def check_database() -> str | None:
    from storage.db import ping

    try:
        ping()
        return None
    except Exception as error:  # noqa: BLE001 - health reports any failure
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


def check_broker() -> str | None:
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
