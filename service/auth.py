"""The API's door: tokens for writes and (when configured) reads, per-client rate limits on posts and on
failed tokens."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import threading
import time

from fastapi import Depends
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from claimwire.settings import get_settings
from service.middleware import refusal
from service.schemas import ApiError

OPEN_PATHS = ("/healthz", "/metrics")  # never behind the read token: health checks and the Prometheus scrape


def is_loopback(host: str | None) -> bool:
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


def token_problem(headers: dict[bytes, bytes], token: str | None, *, basic: bool) -> tuple[str, str] | None:
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
        return mode in ("1", "on", "true", "yes") or (mode == "auto" and not is_loopback(self.bound_host or get_settings().api_host))

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
                response = refusal(
                    429,
                    "rate_limited",
                    f"over {settings.api_post_rate:g} posts/s from {client}",
                    {"Retry-After": str(max(1, round(wait + 0.5)))},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _check_token(self, scope, client: str, write: bool, path: str, settings) -> JSONResponse | None:
        wait = self.limits.blocked(client, settings.api_auth_failures)
        if wait:
            return refusal(
                429, "too_many_failures", f"too many wrong tokens from {client}; wait", {"Retry-After": str(max(1, round(wait + 0.5)))}
            )
        problem = token_problem(dict(scope.get("headers") or []), settings.api_token, basic=not write)
        if problem is None:
            return None
        if settings.api_token:
            self.limits.failed(client)
        page = not write and (path == "/" or path.startswith("/ui"))
        challenge = 'Basic realm="claimwire"' if page else "Bearer"
        return refusal(401, problem[0], problem[1], {"WWW-Authenticate": challenge})


bearer = HTTPBearer(auto_error=False, description="CLAIMWIRE_API_TOKEN")


async def require_token(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
    """The write routes' bearer token. A coroutine that never waits: FastAPI runs a plain function dependency in its
    thread pool, a hop per request."""
    token = get_settings().api_token
    if not token:
        raise ApiError(
            401, "writes_disabled", "no API token is configured (CLAIMWIRE_API_TOKEN): writes are refused", {"WWW-Authenticate": "Bearer"}
        )
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "unauthorized", "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(credentials.credentials.encode("utf-8"), token.encode("utf-8")):
        raise ApiError(401, "unauthorized", "the bearer token is not valid", {"WWW-Authenticate": "Bearer"})
