"""Every error the API answers is JSON {"error": reason, "message": ...}: the handlers that make it so."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.schemas import ApiError, error_body

logger = logging.getLogger("claimwire.api")


def unavailable(error: BaseException) -> bool:
    """Whether ERROR means the database or the broker could not be reached (a 503, not a 500)."""
    from kombu.exceptions import OperationalError as BrokerUnavailable
    from redis.exceptions import ConnectionError as RedisUnavailable
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(error, (OperationalError, BrokerUnavailable, RedisUnavailable, ConnectionError)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


async def api_error(_request: Request, error: ApiError) -> JSONResponse:
    return JSONResponse(error_body(error.reason, error.message), status_code=error.status, headers=error.headers)


async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
    problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg')}" for e in error.errors())
    reason = "bad_json" if any(e.get("type") == "json_invalid" for e in error.errors()) else "invalid_request"
    return JSONResponse(error_body(reason, problems or "invalid request"), status_code=422)


async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
    if error.status_code == 400 and str(error.detail).startswith("There was an error parsing the body"):
        # not UTF-8, nested too deep for the parser, an integer of thousands of digits: bad JSON, a 422
        return JSONResponse(
            error_body("bad_json", "the body is not JSON that can be read (encoding, depth or number size)"), status_code=422
        )
    reasons = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}
    return JSONResponse(
        error_body(reasons.get(error.status_code, "http_error"), str(error.detail)),
        status_code=error.status_code,
        headers=getattr(error, "headers", None),
    )


async def crash(_request: Request, error: Exception) -> JSONResponse:
    if unavailable(error):  # the database or the broker is down: nothing was accepted, post again later
        logger.warning("api_unavailable", extra={"fields": {"error": type(error).__name__}})
        return JSONResponse(
            error_body("unavailable", f"{type(error).__name__}: the store or the queue is not reachable; retry"),
            status_code=503,
            headers={"Retry-After": "5"},
        )
    logger.exception("api_error")
    return JSONResponse(error_body("internal_error", type(error).__name__), status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, crash)
