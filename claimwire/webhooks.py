"""Webhook signatures and retry timing (plain Python: the delivery itself is in tasks/webhooks.py).

Every delivery is a POST of one change (its wire form, JSON) with the header

    X-Claimwire-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

A receiver recomputes the HMAC over the timestamp and the raw body with its subscription's secret, compares
in constant time, and refuses a timestamp older than a few minutes (a replayed delivery); the change id
(`X-Claimwire-Change-Id`, also in the body) lets it drop a delivery it has already taken.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import time

SIGNATURE_HEADER = "X-Claimwire-Signature"
TOLERANCE_S = 300


def signature(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def sign(secret: str, body: bytes, now: float | None = None) -> str:
    """The signature header's value for BODY sent now."""
    return signature(secret, body, int(now if now is not None else time.time()))


def verify(secret: str, body: bytes, header: str | None, *, tolerance_s: float = TOLERANCE_S, now: float | None = None) -> bool:
    """True when HEADER signs BODY with SECRET and its timestamp is within TOLERANCE_S of now."""
    if not header:
        return False
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_s:
        return False
    expected = signature(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def retry_delay_s(attempts: int, base_s: float, max_s: float) -> float:
    """Seconds before the next attempt after ATTEMPTS failed ones: base * 2^(attempts-1), capped, with up to 10 % jitter."""
    step = min(max_s, base_s * 2 ** max(0, attempts - 1))
    return step * (1 + random.uniform(0, 0.1))
