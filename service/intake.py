"""The intake stream: any newsroom system XADDs articles to a Redis stream; `claimwire consume` stores each once.

An entry carries one field, `envelope`: a JSON object, versioned (docs/schemas/intake-envelope.v1.json,
docs/INTEGRATION.md):

    {"version": 1, "item": {"url": ...} | {"text": ..., "title": ..., "outlet": ..., "published": ..., "external_id": ...},
     "id": "the producer's message id", "source": "cms-7", "sent_at": "2024-05-01T12:00:00Z"}

The item has the fields of `POST /articles` (plus `language`, which is informational: claimwire detects the
language of the text itself). The consumer reads with a consumer group (XREADGROUP) and acknowledges an entry
only once its article is stored: received (new, or the same article again: `receive` is idempotent), or
refused with its reason (recorded as a failure, stage `receive`, item `intake:<entry id>`: the rules of the
API's 413/422 answers). An entry that is not a valid envelope (no `envelope` field, not JSON, an unknown
version, the schema not met), or that was delivered CLAIMWIRE_INTAKE_MAX_DELIVERIES times without being
stored, goes to the dead-letter stream with its reason, atomically with its acknowledgement (MULTI).

A consumer that dies leaves its entries pending: at start a consumer first takes its own pending entries
again (a restart under the same --name), and every few seconds it claims (XAUTOCLAIM) the entries that have
been pending on any consumer for CLAIMWIRE_INTAKE_CLAIM_IDLE_S. An entry stored but not acknowledged when its
consumer died is stored again as the same article: nothing is lost, nothing is taken twice.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from claimwire.errors import InputError
from claimwire.settings import get_settings
from claimwire.sources import BadItem, RawItem
from service.ingest import prepare_store, receive, receive_many
from service.payloads import item_from
from service.schemas import ApiError, ArticleIn
from workers import metrics, streams
from workers.logs import log

logger = logging.getLogger("claimwire.intake")

ENVELOPE_FIELD = "envelope"
VERSION = 1
URL_PATTERN = "^[Hh][Tt][Tt][Pp][Ss]?://"  # the schema's pattern; the full URL rules are the API's (refused: bad_url)
CLAIM_EVERY_S = 5.0
SAMPLE_EVERY_S = 5.0
STALE_CONSUMER_S = 3600.0  # a consumer name idle this long with nothing pending is removed from the group


class IntakeItem(ArticleIn):
    """One article: the fields of `POST /articles`, and the language the producer declares."""

    language: str | None = Field(None, max_length=16, description="The producer's language tag (informational)")


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    item: IntakeItem
    id: str | None = Field(None, max_length=255, description="The producer's id for this message")
    source: str | None = Field(None, max_length=255, description="The producing system")
    sent_at: str | None = Field(None, max_length=64, description="When the producer sent it (ISO 8601)")


@dataclass(slots=True)
class Malformed:
    reason: str
    message: str


def envelope_json(item: dict[str, Any], *, message_id: str | None = None, source: str | None = None, sent_at: str | None = None) -> str:
    """A producer's side: the `envelope` field's value for ITEM (the fields of POST /articles)."""
    body: dict[str, Any] = {"version": VERSION, "item": {k: v for k, v in item.items() if v is not None}}
    for name, value in (("id", message_id), ("source", source), ("sent_at", sent_at)):
        if value is not None:
            body[name] = value
    return json.dumps(body, ensure_ascii=False)


def _field(fields: dict, name: str):
    return fields.get(name.encode()) if name.encode() in fields else fields.get(name)


def _problems(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in error.errors()[:5])


def parse_entry(fields: dict) -> Envelope | Malformed:
    """An entry's envelope, or why it is not a valid one (the schema's verdict, docs/schemas/intake-envelope.v1.json)."""
    raw = _field(fields, ENVELOPE_FIELD)
    if raw is None:
        names = ", ".join(sorted(streams.text(k) for k in fields)[:10]) or "none"
        return Malformed("no_envelope", f"the entry has no '{ENVELOPE_FIELD}' field (fields: {names})")
    try:
        data = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except (UnicodeDecodeError, ValueError) as error:
        return Malformed("bad_json", f"the envelope is not JSON: {error}")
    if not isinstance(data, dict):
        return Malformed("invalid_envelope", f"the envelope is a JSON {type(data).__name__}, not an object")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, (int, float)) or not float(version).is_integer():
        return Malformed("invalid_envelope", "version: an integer is required")
    if version != VERSION:
        return Malformed("unsupported_version", f"envelope version {version} is not supported (this claimwire reads version {VERSION})")
    try:
        envelope = Envelope.model_validate({**data, "version": int(version)})
    except ValidationError as error:
        return Malformed("invalid_envelope", _problems(error))
    item = envelope.item
    if item.url is None and item.html is None and item.text is None:
        return Malformed("invalid_envelope", "item: give a url, html or text")
    if item.html is not None and item.text is not None:
        return Malformed("invalid_envelope", "item: give html or text, not both")
    if item.url is not None and not re.match(URL_PATTERN, item.url):
        return Malformed("invalid_envelope", "item.url: an http or https URL is required")
    return envelope


@dataclass(slots=True)
class Outcome:
    entry_id: str
    outcome: str  # new | duplicate | refused | dead_letter
    article_id: int | None = None
    reason: str | None = None


def _transient(error: BaseException) -> bool:
    """The store or the broker could not be reached: leave the entry pending and try again (not its fault)."""
    from service.errorhandlers import unavailable

    return unavailable(error) or isinstance(error, OSError)


class Consumer:
    """One member of the intake consumer group."""

    def __init__(
        self, name: str | None = None, *, batch: int | None = None, block_ms: int | None = None, claim_idle_s: float | None = None
    ) -> None:
        settings = get_settings()
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.batch = batch or settings.intake_batch
        self.block_ms = settings.intake_block_ms if block_ms is None else block_ms
        self.claim_idle_ms = int(1000 * (settings.intake_claim_idle_s if claim_idle_s is None else claim_idle_s))
        self.max_deliveries = settings.intake_max_deliveries
        self.group = settings.intake_group
        self.key, self.dead_key = streams.intake_key(), streams.dead_letter_key()
        self.client = streams.client(timeout=self.block_ms / 1000 + 15)
        self.stop = threading.Event()
        self.counts: dict[str, int] = {}
        self._claimed_at = self._sampled_at = 0.0

    # --- the group ----------------------------------------------------------------------------------

    def ensure_group(self) -> None:
        """The consumer group, created reading from the stream's start (entries added before any consumer ran count)."""
        from redis.exceptions import ResponseError

        try:
            self.client.xgroup_create(self.key, self.group, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    def _deliveries(self, entry_ids: list) -> dict[str, int]:
        """How many times each of ENTRY_IDS (pending on this consumer) has been delivered."""
        if not entry_ids:
            return {}
        ids = sorted(entry_ids, key=lambda i: tuple(int(p) for p in streams.text(i).split("-")))
        rows = self.client.xpending_range(self.key, self.group, min=ids[0], max=ids[-1], count=len(ids) + 1000, consumername=self.name)
        return {streams.text(row["message_id"]): int(row["times_delivered"]) for row in rows}

    def _own_pending(self) -> list:
        """Entries delivered to this consumer name and not acknowledged (a restart under the same name, or a
        transient error), claimed again by it (XCLAIM: their delivery count goes up, so a poison entry ends in
        the dead-letter stream instead of killing every restart)."""
        rows = self.client.xpending_range(self.key, self.group, min="-", max="+", count=self.batch, consumername=self.name)
        ids = [streams.text(row["message_id"]) for row in rows]
        if not ids:
            return []
        entries = [entry for entry in self.client.xclaim(self.key, self.group, self.name, 0, ids) if entry and entry[1] is not None]
        gone = set(ids) - {streams.text(entry[0]) for entry in entries}
        if gone:  # deleted from the stream while pending: nothing left to store
            self.client.xack(self.key, self.group, *gone)
        return entries

    def _reclaim(self) -> list:
        """Entries pending for CLAIM_IDLE on any consumer (one that died), now this consumer's (XAUTOCLAIM)."""
        claimed, start = [], "0-0"
        while len(claimed) < self.batch:
            reply = self.client.xautoclaim(self.key, self.group, self.name, self.claim_idle_ms, start_id=start, count=self.batch)
            start, entries = reply[0], reply[1]
            claimed += [entry for entry in entries if entry[1] is not None]
            if streams.text(start) == "0-0":
                break
        if claimed:
            metrics.INTAKE_RECLAIMED.inc(len(claimed))
            log(logger, logging.INFO, "intake_reclaimed", consumer=self.name, entries=len(claimed))
        return claimed

    def _forget_stale_consumers(self) -> None:
        for info in self.client.xinfo_consumers(self.key, self.group):
            name = streams.text(info["name"])
            if name != self.name and int(info.get("pending") or 0) == 0 and int(info.get("idle") or 0) > STALE_CONSUMER_S * 1000:
                self.client.xgroup_delconsumer(self.key, self.group, name)

    # --- one entry ------------------------------------------------------------------------------------

    def _dead_letter(self, entry_id: str, fields: dict, reason: str, message: str, deliveries: int) -> None:
        letter: dict[Any, Any] = {
            "reason": reason,
            "error": message[:4000],
            "source_stream": self.key,
            "source_id": entry_id,
            "consumer": self.name,
            "deliveries": deliveries,
            "failed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        for name, value in fields.items():
            letter[b"original:" + (name if isinstance(name, bytes) else str(name).encode())] = value
        with self.client.pipeline(transaction=True) as pipe:  # both or neither: no letter twice, no entry lost
            pipe.xadd(self.dead_key, letter)
            pipe.xack(self.key, self.group, entry_id)
            pipe.execute()
        log(logger, logging.WARNING, "intake_dead_letter", entry=entry_id, reason=reason, error=message[:300])

    def _refuse(self, ref: str, reason: str, message: str, redelivered: bool) -> None:
        """Record a refused entry as a failure, once (a redelivered entry may have been recorded before it died)."""
        if redelivered:
            from storage import repository
            from storage.db import session_scope

            with session_scope(read_only=True) as session:
                if repository.was_refused(session, ref):
                    return
        receive(BadItem(ref, InputError(reason, message)))

    def _prepare(self, entry_id: str, fields: dict, deliveries: int) -> Outcome | RawItem:
        """The entry's article to receive; or, for an entry that is not one, its outcome (dead-lettered or refused now)."""
        if deliveries > self.max_deliveries:
            self._dead_letter(entry_id, fields, "too_many_deliveries", f"delivered {deliveries} times without being stored", deliveries)
            return Outcome(entry_id, "dead_letter", reason="too_many_deliveries")
        parsed = parse_entry(fields)
        if isinstance(parsed, Malformed):
            self._dead_letter(entry_id, fields, parsed.reason, parsed.message, deliveries)
            return Outcome(entry_id, "dead_letter", reason=parsed.reason)
        ref = f"intake:{entry_id}"
        try:
            item = item_from(parsed.item)
        except ApiError as error:
            self._refuse(ref, error.reason, error.message, deliveries > 1)
            return Outcome(entry_id, "refused", reason=error.reason)
        item.ref = ref
        return item

    def _receive(self, batch: list[tuple[str, dict, int, RawItem]]) -> list[Outcome]:
        """Receive the batch's articles in order (one statement on PostgreSQL). Raises on a transient error; an
        entry that crashes the receiver otherwise is a dead letter (`internal_error`), the others go on."""
        try:
            receipts = receive_many([item for *_, item in batch])
        except Exception as error:
            if _transient(error):
                raise
            logger.exception("intake_batch_crashed", extra={"fields": {"entries": len(batch)}})
            receipts = None
        if receipts is not None:
            return [Outcome(entry_id, "new" if r.created else "duplicate", r.article_id) for (entry_id, *_), r in zip(batch, receipts)]
        outcomes = []
        for entry_id, fields, deliveries, item in batch:  # one by one, to find the entry at fault
            try:
                receipt = receive(item)
                outcomes.append(Outcome(entry_id, "new" if receipt.created else "duplicate", receipt.article_id))
            except Exception as error:
                if _transient(error):
                    raise
                self._dead_letter(entry_id, fields, "internal_error", f"{type(error).__name__}: {error}", deliveries)
                outcomes.append(Outcome(entry_id, "dead_letter", reason="internal_error"))
        return outcomes

    def handle(self, entry_id: str, fields: dict, deliveries: int = 1) -> Outcome:
        """Store one entry (or refuse or dead-letter it). Raises on a transient error (the entry stays pending)."""
        prepared = self._prepare(entry_id, fields, deliveries)
        return prepared if isinstance(prepared, Outcome) else self._receive([(entry_id, fields, deliveries, prepared)])[0]

    def process(self, entries: list, redelivered: bool) -> list[Outcome]:
        """Handle ENTRIES and acknowledge those stored, their articles received in one batch in stream order (so
        receipt order is stream order). On a transient error, acknowledge what was stored before it and raise
        (the rest stay pending)."""
        deliveries = self._deliveries([e[0] for e in entries]) if redelivered else {}
        outcomes: list[Outcome] = []
        batch: list[tuple[str, dict, int, RawItem]] = []
        try:
            for raw_id, fields in entries:
                entry_id = streams.text(raw_id)
                prepared = self._prepare(entry_id, fields, deliveries.get(entry_id, 1))
                if isinstance(prepared, Outcome):
                    outcomes.append(prepared)
                else:
                    batch.append((entry_id, fields, deliveries.get(entry_id, 1), prepared))
            outcomes += self._receive(batch) if batch else []
        finally:
            stored = [o.entry_id for o in outcomes if o.outcome != "dead_letter"]
            if stored:
                self.client.xack(self.key, self.group, *stored)
            for outcome in outcomes:
                self.counts[outcome.outcome] = self.counts.get(outcome.outcome, 0) + 1
                metrics.INTAKE_ENTRIES.labels(outcome=outcome.outcome).inc()
        return outcomes

    # --- the loop -------------------------------------------------------------------------------------

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if now - self._sampled_at >= SAMPLE_EVERY_S:
            self._sampled_at = now
            metrics.sample_intake()
        if now - self._claimed_at >= CLAIM_EVERY_S:
            self._claimed_at = now
            while not self.stop.is_set() and (claimed := self._reclaim()):
                self.process(claimed, redelivered=True)
            self._forget_stale_consumers()

    def run_once(self) -> int:
        """One round: own pending entries first, then claims, then new entries. Returns entries handled."""
        pending = self._own_pending()
        if pending:
            return len(self.process(pending, redelivered=True))
        self._housekeeping()
        reply = self.client.xreadgroup(self.group, self.name, {self.key: ">"}, count=self.batch, block=self.block_ms or None)
        entries = reply[0][1] if reply else []
        return len(self.process(entries, redelivered=False)) if entries else 0

    def run(self, until_idle: bool = False) -> dict[str, int]:
        """Consume until stopped (SIGTERM/SIGINT), or with UNTIL_IDLE until a round finds nothing to do."""
        prepare_store()
        self.ensure_group()
        log(logger, logging.INFO, "intake_started", consumer=self.name, stream=self.key, group=self.group)
        failures = 0
        while not self.stop.is_set():
            try:
                handled = self.run_once()
                failures = 0
            except Exception as error:  # noqa: BLE001 - the store or Redis is down: the entries stay pending
                failures += 1
                wait = min(30.0, 0.5 * 2 ** min(failures, 6))
                log(
                    logger,
                    logging.WARNING,
                    "intake_retry",
                    consumer=self.name,
                    error=f"{type(error).__name__}: {str(error)[:300]}",
                    wait_s=wait,
                )
                self.stop.wait(wait)
                continue
            if until_idle and handled == 0:
                break
        metrics.sample_intake()
        return dict(self.counts)


def consume(name: str | None = None, *, metrics_port: int | None = None, until_idle: bool = False, **options) -> dict[str, int]:
    """`claimwire consume`: run a consumer until SIGTERM or SIGINT (finishing the entry at hand)."""
    if not streams.enabled():
        raise SystemExit("error: no Redis for the intake stream: set CLAIMWIRE_STREAM_URL (or BROKER_URL to a redis:// URL)")
    consumer = Consumer(name, **options)
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=get_settings().metrics_addr, registry=metrics.registry())
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: consumer.stop.set())
    counts = consumer.run(until_idle=until_idle)
    from workers import changefeed

    changefeed.flush()
    return counts
