"""Webhook deliveries and the change publisher, on a queue of their own (`webhooks`): never in a pipeline stage.

`deliver_due` sends each subscription's changes in order, one POST per change, signed (claimwire/webhooks.py),
to an address checked by the fetcher's guard (claimwire/fetching.py `check_address`: no private, loopback,
link-local or reserved address unless CLAIMWIRE_WEBHOOK_ALLOW_PRIVATE; the connection goes to the address that
was checked; no redirects followed). A 2xx answer is delivered; anything else (an error status, a timeout, a
refused connection or address) is retried with exponential backoff (CLAIMWIRE_WEBHOOK_BACKOFF_S doubling up to
CLAIMWIRE_WEBHOOK_BACKOFF_MAX_S) until CLAIMWIRE_WEBHOOK_MAX_ATTEMPTS attempts, then recorded failed and the
subscription goes on with its next change. Every attempt is recorded (status, attempts, last code and error).

With a broker the tasks run on a worker consuming `webhooks` (compose: worker-webhooks), kicked after changes
are published (workers/changefeed.py) and every few seconds by beat. In the embedded mode `claimwire serve`
runs `run_forever` in a thread of its own.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx

from claimwire import webhooks as signing
from claimwire.errors import InputError
from claimwire.fetching import USER_AGENT, check_address
from claimwire.settings import get_settings
from storage import reads, webhooks
from storage.changefeed import as_change
from storage.db import session_scope
from storage.models import utcnow
from workers import changefeed, metrics
from workers.app import app
from workers.logs import log

logger = logging.getLogger("claimwire.webhooks")
LEASE_S = 120.0
BUDGET_S = 20.0


def check_url(url: str) -> None:
    """Refuse a webhook URL the fetcher's guard refuses (InputError): at subscription time and before each POST."""
    check_address(url, get_settings().webhook_allow_private)


def _pinned(url: str, address: str | None) -> tuple[str, dict[str, str], dict]:
    """The URL to connect to (the checked address in place of the host), the Host header and the TLS name."""
    if address is None:
        return url, {}, {}
    parts = urlsplit(url)
    ip = ipaddress.ip_address(address.split("%")[0])
    netloc = (f"[{ip}]" if ip.version == 6 else str(ip)) + (f":{parts.port}" if parts.port else "")
    host = parts.hostname or ""
    return (
        urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        {"Host": host + (f":{parts.port}" if parts.port else "")},
        {"sni_hostname": host},
    )


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    """POST BODY to URL through the address guard. Returns (HTTP status or None, error or None)."""
    settings = get_settings()
    try:
        address = check_address(url, settings.webhook_allow_private)
    except InputError as error:
        return None, f"{error.reason}: {error.message}"
    target, host_header, extensions = _pinned(url, address)
    try:
        with httpx.Client(timeout=settings.webhook_timeout_s, follow_redirects=False, trust_env=False) as client:
            request = client.build_request("POST", target, content=body, headers={**headers, **host_header}, extensions=extensions)
            response = client.send(request)
            response.close()
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


def _attempt(webhook: dict, delivery_id: int, attempts_before: int, change: dict) -> str:
    """One POST of CHANGE to the subscription, recorded. Returns delivered | pending | failed."""
    settings = get_settings()
    body = json.dumps(change, separators=(",", ":"), default=str).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.SIGNATURE_HEADER: signing.sign(webhook["secret"], body),
        "X-Claimwire-Change-Id": str(change["id"]),
        "X-Claimwire-Delivery-Id": str(delivery_id),
        "X-Claimwire-Webhook-Id": str(webhook["id"]),
        "X-Claimwire-Attempt": str(attempts_before + 1),
    }
    started = time.perf_counter()
    status_code, error = post(webhook["url"], body, headers)
    metrics.WEBHOOK_SECONDS.observe(time.perf_counter() - started)
    attempts = attempts_before + 1
    retry_at = None
    if error is not None and attempts < settings.webhook_max_attempts:
        retry_at = utcnow() + timedelta(seconds=signing.retry_delay_s(attempts, settings.webhook_backoff_s, settings.webhook_backoff_max_s))
    with session_scope() as session:
        status = webhooks.record_attempt(session, delivery_id, ok=error is None, status_code=status_code, error=error, retry_at=retry_at)
    metrics.WEBHOOK_DELIVERIES.labels(outcome="retry" if status == webhooks.PENDING else status).inc()
    level = logging.DEBUG if status == webhooks.DELIVERED else logging.WARNING
    log(
        logger,
        level,
        "webhook_attempt",
        webhook=webhook["id"],
        change=change["id"],
        attempt=attempts,
        status=status,
        code=status_code,
        error=error,
    )
    return status


def _deliver_for(webhook_id: int, deadline: float) -> int:
    """Send the subscription's due changes in order until one must wait for a retry, none is left, or DEADLINE."""
    sent = 0
    while time.monotonic() < deadline:
        now = utcnow()
        with session_scope() as session:
            webhook = reads.webhook(session, webhook_id)
            if webhook is None or not webhook.active:
                return sent
            found = webhooks.next_delivery(session, webhook, now)
            if found is None:
                return sent
            delivery, record = found
            if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                return sent
            subscription = {"id": webhook.id, "url": webhook.url, "secret": webhook.secret}
            delivery_id, attempts, change = delivery.id, delivery.attempts, as_change(record).to_dict()
        if _attempt(subscription, delivery_id, attempts, change) == webhooks.PENDING:
            return sent
        sent += 1
    return sent


def deliver_due(budget_s: float = BUDGET_S) -> dict:
    """Make the due deliveries of every subscription for up to BUDGET_S seconds, waiting for retries that fall
    within it. Returns {"sent": n, "next_retry_in_s": seconds or None}."""
    deadline = time.monotonic() + budget_s
    sent = 0
    while time.monotonic() < deadline:
        now = utcnow()
        with session_scope() as session:
            due = webhooks.due(session, now)
        for webhook_id in due:
            with session_scope() as session:
                taken = webhooks.lease(session, webhook_id, LEASE_S, now)
            if not taken:
                continue
            try:
                sent += _deliver_for(webhook_id, deadline)
            finally:
                with session_scope() as session:
                    webhooks.release(session, webhook_id)
        with session_scope() as session:
            due_again = webhooks.due(session, utcnow())
            retry_at = webhooks.next_retry_at(session)
        if due_again:
            continue
        wait = (retry_at - utcnow()).total_seconds() if retry_at is not None else None
        if wait is None or time.monotonic() + wait >= deadline:
            return {"sent": sent, "next_retry_in_s": wait}
        time.sleep(max(0.0, wait))
    return {"sent": sent, "next_retry_in_s": 0.0}


@app.task(name="claimwire.deliver_webhooks", ignore_result=True, acks_late=True)
def deliver_webhooks() -> dict:
    """Deliver what is due; a retry due after this task's budget gets a task scheduled for then (one for all the
    deliverers: `changefeed.schedule_once`; beat's run every 10 s covers a schedule that could not be made)."""
    result = deliver_due()
    wait = result.get("next_retry_in_s")
    if wait is not None and changefeed.schedule_once("webhooks", max(0.0, wait)):
        deliver_webhooks.apply_async(countdown=max(0.0, wait))
    return result


@app.task(name="claimwire.publish_changes", ignore_result=True)
def publish_changes() -> int:
    """Beat's catch-up of the change stream (after Redis was down, or a process died before it published)."""
    added = changefeed.publish_pending()
    changefeed.kick_webhooks()
    return added


def run_forever(stop: threading.Event, idle_s: float = 1.0) -> None:
    """The embedded mode's deliverer (a thread of `claimwire serve`): deliver, then wait for new changes."""
    while not stop.is_set():
        try:
            result = deliver_due(budget_s=5.0)
            wait = result.get("next_retry_in_s")
        except Exception:  # noqa: BLE001 - keep delivering after a database hiccup
            logger.exception("webhook_delivery_failed")
            wait = 5.0
        changefeed.WEBHOOK_WAKE.wait(timeout=min(idle_s if wait is None else max(0.05, wait), 5.0))
        changefeed.WEBHOOK_WAKE.clear()
