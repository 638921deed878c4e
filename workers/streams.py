"""The Redis streams newsroom systems talk to: where they are and what they are called.

The intake stream (claimwire:intake), its dead-letter stream and the change stream (claimwire:changes) live
on the Redis of CLAIMWIRE_STREAM_URL (default: BROKER_URL when it is Redis). Their names are settings;
CLAIMWIRE_BROKER_PREFIX, when set, goes before each of them as it does before the broker's own keys.
"""

from __future__ import annotations

import functools
import os

from claimwire.settings import get_settings


def enabled() -> bool:
    return bool(get_settings().stream_url)


def key(name: str) -> str:
    return get_settings().broker_key_prefix + name


def intake_key() -> str:
    return key(get_settings().intake_stream)


def dead_letter_key() -> str:
    return key(get_settings().intake_dead_letter_stream)


def changes_key() -> str:
    return key(get_settings().changes_stream)


@functools.lru_cache(maxsize=4)
def _client_for(url: str, pid: int, timeout: float | None):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=timeout, health_check_interval=30)


def client(timeout: float | None = 10.0):
    """A client of the streams' Redis (one connection pool per process and URL). TIMEOUT: the socket timeout
    (a blocking XREADGROUP needs more than its BLOCK time)."""
    url = get_settings().stream_url
    if not url:
        raise RuntimeError("no Redis for the streams: set CLAIMWIRE_STREAM_URL (or BROKER_URL to a redis:// URL)")
    return _client_for(url, os.getpid(), timeout)


def text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
