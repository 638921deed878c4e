"""Prometheus metrics for every pipeline stage.

Under prefork workers set PROMETHEUS_MULTIPROC_DIR (an empty directory per
deployment): each child process writes its samples there and `collect()`
aggregates them for the /metrics endpoint.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900)

ARTICLES_RECEIVED = Counter("claimwire_articles_received_total", "Articles received", ["kind", "outcome"])
ARTICLES_PROCESSED = Counter("claimwire_articles_processed_total", "Articles that completed the pipeline", ["outcome"])
ARTICLES_FAILED = Counter("claimwire_articles_failed_total", "Articles recorded as failed", ["stage", "reason"])
STAGE_DURATION = Histogram("claimwire_stage_duration_seconds", "Time spent in a pipeline stage", ["stage"], buckets=STAGE_BUCKETS)
STAGE_RETRIES = Counter("claimwire_stage_retries_total", "Transient errors retried", ["stage"])
END_TO_END = Histogram("claimwire_end_to_end_seconds", "From receipt to linked", buckets=LATENCY_BUCKETS)
LINK_DECISIONS = Counter("claimwire_link_decisions_total", "Linker decisions", ["decision"])
CLAIMS_EXTRACTED = Counter("claimwire_claims_extracted_total", "Claims extracted", ["kind"])
EVENTS_OPEN = Gauge("claimwire_events_open", "Events in the store", multiprocess_mode="livemax")
QUEUE_DEPTH = Gauge("claimwire_queue_depth", "Messages waiting in a broker queue", ["queue"], multiprocess_mode="livemax")


def collect() -> bytes:
    """The exposition text, aggregated over worker processes in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()
