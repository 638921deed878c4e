"""Prometheus metrics for every pipeline stage.

Under prefork workers set PROMETHEUS_MULTIPROC_DIR (an empty directory per worker, before the worker
starts: `claimwire worker` empties it): each child process writes its samples there and the worker's
main process serves the aggregate (workers/app.py, CLAIMWIRE_METRICS_PORT). The API process serves its
own registry at GET /metrics, with the queue depths and open events sampled at scrape time.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900)

ARTICLES_RECEIVED = Counter("claimwire_articles_received_total", "Articles received", ["kind", "outcome"])
ARTICLES_PROCESSED = Counter("claimwire_articles_processed_total", "Articles that completed the pipeline", ["outcome"])
ARTICLES_FAILED = Counter("claimwire_articles_failed_total", "Articles recorded as failed", ["stage", "reason"])
STAGE_DURATION = Histogram("claimwire_stage_duration_seconds", "Time spent in a pipeline stage", ["stage"], buckets=STAGE_BUCKETS)
STAGE_RETRIES = Counter("claimwire_stage_retries_total", "Transient errors retried", ["stage"])
END_TO_END = Histogram("claimwire_end_to_end_seconds", "From receipt to linked", buckets=LATENCY_BUCKETS)
LINK_DECISIONS = Counter("claimwire_link_decisions_total", "Linker decisions", ["decision"])
LINK_KEY_LOCK_WAIT = Histogram(
    "claimwire_link_key_lock_wait_seconds",
    "Time a link transaction waited for its retrieval keys' advisory locks (another article sharing a key held them)",
    buckets=STAGE_BUCKETS,
)
LINK_KEY_LOCK_HOLD = Histogram(
    "claimwire_link_key_lock_hold_seconds",
    "Time a link transaction held its retrieval keys' advisory locks, from getting them to its commit: serial only "
    "between articles that share a key",
    buckets=STAGE_BUCKETS,
)
EVENT_LOCK_HOLD = Histogram(
    "claimwire_event_lock_hold_seconds",
    "Time a store transaction held its event's row lock, from getting it to its commit (the ledger's rebuild and "
    "its change rows): serial only between articles of one event",
    buckets=STAGE_BUCKETS,
)
LINK_REDECIDED = Counter(
    "claimwire_link_redecided_total",
    "Articles decided again because an article received before them was linked after them (kept, merged, moved; skipped: their pair with it too weak to change anything, tasks/link.py)",
    ["outcome"],
)
LINK_RESTARTS = Counter(
    "claimwire_link_restarts_total",
    "Link transactions started again because a key their frequencies added to the locks was locked by another link "
    "(taken without waiting, so two links never deadlock on each other's keys)",
)
CLAIMS_EXTRACTED = Counter("claimwire_claims_extracted_total", "Claims extracted", ["kind"])
CLAIMS_CUT = Counter("claimwire_claims_cut_total", "Claims found but not kept: over CLAIMWIRE_MAX_CLAIMS_PER_ARTICLE")
API_REFUSED = Counter("claimwire_api_refused_total", "Requests refused by the API's guards before the handler", ["reason"])
EVENTS_OPEN = Gauge("claimwire_events_open", "Events in the store", multiprocess_mode="livemax")
QUEUE_DEPTH = Gauge("claimwire_queue_depth", "Messages waiting in a broker queue", ["queue"], multiprocess_mode="livemax")
FEED_POLLS = Counter("claimwire_feed_polls_total", "Feed polls", ["outcome"])
FEED_ITEMS = Counter("claimwire_feed_items_total", "New feed items received", [])
INTAKE_ENTRIES = Counter("claimwire_intake_entries_total", "Intake stream entries taken", ["outcome"])
INTAKE_RECLAIMED = Counter("claimwire_intake_reclaimed_total", "Intake entries reclaimed from a consumer that stopped (XAUTOCLAIM)")
CHANGES_HELD_BACK_S = Gauge(
    "claimwire_changes_held_back_seconds",
    "Age of the oldest committed change readers cannot see yet: a transaction that began writing before it still "
    "runs, anywhere on the PostgreSQL server (storage/changefeed.py); 0 when none",
    multiprocess_mode="livemostrecent",
)
INTAKE_LAG = Gauge("claimwire_intake_lag", "Intake stream entries not yet read by the consumer group", multiprocess_mode="livemax")
INTAKE_PENDING = Gauge("claimwire_intake_pending", "Intake stream entries read but not yet acknowledged", multiprocess_mode="livemax")
INTAKE_DEAD_LETTERS = Gauge("claimwire_intake_dead_letters", "Entries in the intake dead-letter stream", multiprocess_mode="livemax")
CHANGES_WRITTEN = Counter("claimwire_changes_written_total", "Change feed records written", ["kind"])
CHANGES_PUBLISHED = Counter("claimwire_changes_published_total", "Change feed records added to the Redis change stream")
WEBHOOK_DELIVERIES = Counter("claimwire_webhook_deliveries_total", "Webhook delivery attempts", ["outcome"])
WEBHOOK_SECONDS = Histogram("claimwire_webhook_delivery_seconds", "Time of one webhook POST", buckets=STAGE_BUCKETS)
API_REQUESTS = Counter("claimwire_api_requests_total", "HTTP API requests", ["method", "route", "status"])


def registry() -> CollectorRegistry:
    """The registry to expose: aggregated over processes in multiprocess mode, else this process's."""
    from claimwire.settings import get_settings

    if get_settings().prometheus_multiproc_dir:
        aggregated = CollectorRegistry()
        multiprocess.MultiProcessCollector(aggregated)
        return aggregated
    return REGISTRY


def collect() -> bytes:
    """The exposition text, aggregated over worker processes in multiprocess mode."""
    return generate_latest(registry())


def sample_queue_depths() -> dict[str, int]:
    """LLEN of each queue's Redis lists (with the CLAIMWIRE_BROKER_PREFIX global key prefix) into the gauge."""
    from claimwire.settings import get_settings
    from workers.queues import queue_depths

    settings = get_settings()
    if not settings.broker_url or not settings.broker_url.startswith(("redis://", "rediss://", "unix://")):
        return {}
    import redis

    client = redis.Redis.from_url(settings.broker_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        depths = queue_depths(client, settings.broker_key_prefix)
    finally:
        client.close()
    for name, depth in depths.items():
        QUEUE_DEPTH.labels(queue=name).set(depth)
    return depths


def sample_intake() -> dict[str, int]:
    """The intake stream's lag, pending entries and dead letters (XINFO GROUPS, XLEN) into their gauges."""
    from workers import streams

    if not streams.enabled():
        return {}
    from claimwire.settings import get_settings

    client = streams.client(timeout=2)
    group = get_settings().intake_group
    sample = {"lag": 0, "pending": 0, "dead_letters": int(client.xlen(streams.dead_letter_key()))}
    try:
        groups = client.xinfo_groups(streams.intake_key())
    except Exception:  # noqa: BLE001 - no stream yet: nothing waits
        groups = []
    for info in groups:
        name = info.get("name")
        if (name.decode() if isinstance(name, bytes) else name) == group:
            lag = info.get("lag")
            sample["pending"] = int(info.get("pending") or 0)
            sample["lag"] = int(lag) if lag is not None else int(client.xlen(streams.intake_key()))
    INTAKE_LAG.set(sample["lag"])
    INTAKE_PENDING.set(sample["pending"])
    INTAKE_DEAD_LETTERS.set(sample["dead_letters"])
    return sample
