"""The API's plain ASGI middlewares besides the door (service/auth.py): the body cap, the answer cap, the
request counter; and the refusal every one of them answers with."""

from __future__ import annotations

import logging
import time

from fastapi.responses import JSONResponse

from claimwire.settings import get_settings
from service.schemas import error_body

logger = logging.getLogger("claimwire.api")


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


def refusal(status: int, reason: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    from workers import metrics

    metrics.API_REFUSED.labels(reason=reason).inc()
    return JSONResponse(error_body(reason, message), status_code=status, headers=headers)


class HTTPMiddleware:
    """A plain ASGI middleware that sees only HTTP requests (lifespan and others pass straight through)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope, receive, send) -> None:
        raise NotImplementedError


class ResponseCap(HTTPMiddleware):
    """Refuse a JSON answer over CLAIMWIRE_API_MAX_RESPONSE_BYTES (400 response_too_large) instead of sending it."""

    async def handle(self, scope, receive, send) -> None:
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
                    response = refusal(
                        400, "response_too_large", f"the answer is {int(declared)} bytes, over {limit}: ask for a smaller page (limit)"
                    )
                    await response(scope, receive, send)
                    return
            await send(message)

        await self.app(scope, receive, capped)


class RequestCounter(HTTPMiddleware):
    """Count each request by method, route and status (a plain ASGI middleware: no task group or stream per request)."""

    async def handle(self, scope, receive, send) -> None:
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
                logger.debug(
                    "request",
                    extra={
                        "fields": {
                            "method": scope["method"],
                            "path": path,
                            "status": status,
                            "ms": round(1000 * (time.perf_counter() - started), 1),
                        }
                    },
                )
