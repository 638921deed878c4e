"""All configuration, read from environment variables in one place.

Every other module asks `get_settings()`; tests call `get_settings.cache_clear()`
after changing the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _env_list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    broker_url: str | None
    broker_key_prefix: str
    extractors: tuple[str, ...]
    max_input_bytes: int
    max_html_depth: int
    clean_timeout_s: float
    extract_timeout_s: float
    log_level: str
    log_json: bool
    api_token: str | None
    fetch_allow_private: bool
    fetch_timeout_s: float
    fetch_max_bytes: int
    fetch_max_redirects: int
    prometheus_multiproc_dir: str | None
    extra: dict[str, str] = field(default_factory=dict)
    # the service (API, fetching politeness, feeds, metrics, ordering); defaults keep older constructors working
    fetch_total_timeout_s: float = 60.0
    sqlite_synchronous: str = "NORMAL"  # the embedded store's PRAGMA synchronous (storage/db.py)
    # PostgreSQL: synchronous_commit of the stages' own writes (clean, extract, link), which the pipeline can compute
    # again from the received article (storage/db.py stage_engine); every other write waits for its WAL flush
    stage_synchronous_commit: str = "off"
    fetch_host_concurrency: int = 2
    fetch_host_interval_s: float = 1.0
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_max_body_bytes: int = 6 * 1024 * 1024
    metrics_port: int | None = None
    feed_poll_interval_s: float = 60.0
    feed_default_interval_s: int = 900
    order_wait_s: float = 600.0
    visibility_timeout_s: float = 3600.0
    chain_stages: bool = True  # run the next stage in the same task when it is routed to the same queue (tasks/base.py)
    # issue 19: retries, budgets, bounded answers, the API's guards (docs/RELIABILITY.md, "Settings")
    max_retries: int = 6
    retry_base_s: float = 2.0
    fetch_host_wait_s: float = 0.0
    fetch_queue_max_s: float = 3600.0
    max_claims_per_article: int = 1000
    cpu_workers: int = 1
    fetch_workers: int = 16
    resume_interval_s: float = 30.0
    api_read_auth: str = "auto"
    api_max_response_bytes: int = 4 * 1024 * 1024
    api_post_rate: float = 100.0
    api_post_burst: int = 1000
    api_auth_failures: int = 20
    task_time_limit_s: float = 0.0  # 0: computed from the budgets (tasks/base.py cpu_task_options)
    # a pool process is replaced after the task that took its resident memory past this (0: never; workers/app.py)
    worker_max_memory_mb: int = 280
    # workers' heartbeat events (every 2 s, for monitors such as Flower), their gossip about one another's and their
    # exchange of revoked tasks as they start (mingle); off: none of the three (service/cli.py cmd_worker)
    worker_heartbeat: bool = False
    # the cyclic garbage collector's first threshold in the service's processes (0: Python's own, 700; service/cli.py)
    gc_threshold: int = 20_000
    # newsroom systems in and out (docs/INTEGRATION.md): the intake stream, the change feed, webhooks
    stream_url: str | None = None  # the Redis of the intake stream and the change stream; default: BROKER_URL when it is Redis
    intake_stream: str = "claimwire:intake"
    intake_group: str = "claimwire"
    intake_dead_letter_stream: str = "claimwire:intake:dead"
    intake_batch: int = 64
    intake_block_ms: int = 1000
    intake_claim_idle_s: float = 60.0
    intake_max_deliveries: int = 5
    changes_stream: str = "claimwire:changes"
    changes_stream_maxlen: int = 100_000
    changes_stream_max_age_s: float = 7 * 86400.0
    webhook_allow_private: bool = False
    webhook_timeout_s: float = 10.0
    webhook_max_attempts: int = 8
    webhook_backoff_s: float = 2.0
    webhook_backoff_max_s: float = 600.0
    # diagnostics, benchmarks and fuzzing (docs/CONFIGURATION.md)
    metrics_addr: str = "0.0.0.0"  # the address the worker's and the intake consumer's /metrics listen on
    profile_dir: str | None = None  # each worker process writes its CPU seconds per stage there (workers/app.py)
    profile_cprofile: bool = False  # and a cProfile of itself (needs profile_dir)
    shared_dir: str | None = None  # the benchmarks' and tests' data (bench/__init__.py shared_dir): default ../shared
    bench_pg_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"  # `bench load` creates its database here
    bench_redis_url: str = "redis://127.0.0.1:6379/0"  # and uses this Redis
    fuzz_instrument: bool = True  # the fuzzers instrument claimwire's modules for coverage

    @property
    def embedded(self) -> bool:
        """True when no broker is configured: tasks run in-process."""
        return not self.broker_url


def _sqlite_synchronous(value: str) -> str:
    level = value.strip().upper()
    if level not in ("NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"CLAIMWIRE_SQLITE_SYNCHRONOUS must be NORMAL, FULL or EXTRA, not {value!r}")
    return level


_SYNCHRONOUS_COMMIT = ("on", "off", "local", "remote_write", "remote_apply")


def _synchronous_commit(value: str) -> str:
    level = value.strip().lower()
    if level not in _SYNCHRONOUS_COMMIT:
        raise ValueError(f"CLAIMWIRE_STAGE_SYNCHRONOUS_COMMIT must be one of {', '.join(_SYNCHRONOUS_COMMIT)}, not {value!r}")
    return level


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    home = Path(os.environ.get("CLAIMWIRE_HOME") or Path.home() / ".claimwire").expanduser()
    return Settings(
        home=home,
        database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{home / 'claimwire.db'}",
        sqlite_synchronous=_sqlite_synchronous(os.environ.get("CLAIMWIRE_SQLITE_SYNCHRONOUS", "NORMAL")),
        stage_synchronous_commit=_synchronous_commit(os.environ.get("CLAIMWIRE_STAGE_SYNCHRONOUS_COMMIT", "off")),
        broker_url=os.environ.get("BROKER_URL") or None,
        broker_key_prefix=os.environ.get("CLAIMWIRE_BROKER_PREFIX", ""),
        extractors=_env_list("CLAIMWIRE_EXTRACTORS", ("casualties", "figures", "quotes")),
        max_input_bytes=_env_int("CLAIMWIRE_MAX_INPUT_BYTES", 5 * 1024 * 1024),
        max_html_depth=_env_int("CLAIMWIRE_MAX_HTML_DEPTH", 400),
        clean_timeout_s=_env_float("CLAIMWIRE_CLEAN_TIMEOUT_S", 20.0),
        extract_timeout_s=_env_float("CLAIMWIRE_EXTRACT_TIMEOUT_S", 30.0),
        log_level=os.environ.get("CLAIMWIRE_LOG_LEVEL", "INFO"),
        log_json=_env_bool("CLAIMWIRE_LOG_JSON", False),
        api_token=os.environ.get("CLAIMWIRE_API_TOKEN") or None,
        fetch_allow_private=_env_bool("CLAIMWIRE_FETCH_ALLOW_PRIVATE", False),
        fetch_timeout_s=_env_float("CLAIMWIRE_FETCH_TIMEOUT_S", 15.0),
        fetch_max_bytes=_env_int("CLAIMWIRE_FETCH_MAX_BYTES", 5 * 1024 * 1024),
        fetch_max_redirects=_env_int("CLAIMWIRE_FETCH_MAX_REDIRECTS", 5),
        prometheus_multiproc_dir=os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None,
        metrics_addr=os.environ.get("CLAIMWIRE_METRICS_ADDR", "0.0.0.0"),
        profile_dir=os.environ.get("CLAIMWIRE_PROFILE_DIR") or None,
        profile_cprofile=bool(os.environ.get("CLAIMWIRE_PROFILE_CPROFILE")),
        shared_dir=os.environ.get("CLAIMWIRE_SHARED") or None,
        bench_pg_url=os.environ.get(
            "CLAIMWIRE_BENCH_PG", os.environ.get("CLAIMWIRE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
        ),
        bench_redis_url=os.environ.get("CLAIMWIRE_BENCH_REDIS", "redis://127.0.0.1:6379/0"),
        fuzz_instrument=os.environ.get("CLAIMWIRE_FUZZ_INSTRUMENT", "1") == "1",
        fetch_total_timeout_s=_env_float("CLAIMWIRE_FETCH_TOTAL_TIMEOUT_S", 60.0),
        fetch_host_concurrency=_env_int("CLAIMWIRE_FETCH_HOST_CONCURRENCY", 2),
        fetch_host_interval_s=_env_float("CLAIMWIRE_FETCH_HOST_INTERVAL_S", 1.0),
        api_host=os.environ.get("CLAIMWIRE_API_HOST", "127.0.0.1"),
        api_port=_env_int("CLAIMWIRE_API_PORT", 8000),
        api_max_body_bytes=_env_int("CLAIMWIRE_API_MAX_BODY_BYTES", 6 * 1024 * 1024),
        metrics_port=_env_int("CLAIMWIRE_METRICS_PORT", 0) or None,
        feed_poll_interval_s=_env_float("CLAIMWIRE_FEED_POLL_INTERVAL_S", 60.0),
        feed_default_interval_s=_env_int("CLAIMWIRE_FEED_DEFAULT_INTERVAL_S", 900),
        order_wait_s=_env_float("CLAIMWIRE_ORDER_WAIT_S", 600.0),
        visibility_timeout_s=_env_float("CLAIMWIRE_VISIBILITY_TIMEOUT_S", 3600.0),
        chain_stages=_env_bool("CLAIMWIRE_CHAIN_STAGES", True),
        max_retries=_env_int("CLAIMWIRE_MAX_RETRIES", 6),
        retry_base_s=_env_float("CLAIMWIRE_RETRY_BASE_S", 2.0),
        fetch_host_wait_s=_env_float("CLAIMWIRE_FETCH_HOST_WAIT_S", 0.0),
        fetch_queue_max_s=_env_float("CLAIMWIRE_FETCH_QUEUE_MAX_S", 3600.0),
        max_claims_per_article=_env_int("CLAIMWIRE_MAX_CLAIMS_PER_ARTICLE", 1000),
        cpu_workers=_env_int("CLAIMWIRE_CPU_WORKERS", 1),
        fetch_workers=_env_int("CLAIMWIRE_FETCH_WORKERS", 16),
        resume_interval_s=_env_float("CLAIMWIRE_RESUME_INTERVAL_S", 30.0),
        api_read_auth=os.environ.get("CLAIMWIRE_API_READ_AUTH", "auto").strip().lower() or "auto",
        api_max_response_bytes=_env_int("CLAIMWIRE_API_MAX_RESPONSE_BYTES", 4 * 1024 * 1024),
        api_post_rate=_env_float("CLAIMWIRE_API_POST_RATE", 100.0),
        api_post_burst=_env_int("CLAIMWIRE_API_POST_BURST", 1000),
        api_auth_failures=_env_int("CLAIMWIRE_API_AUTH_FAILURES", 20),
        task_time_limit_s=_env_float("CLAIMWIRE_TASK_TIME_LIMIT_S", 0.0),
        worker_max_memory_mb=_env_int("CLAIMWIRE_WORKER_MAX_MEMORY_MB", 280),
        worker_heartbeat=_env_bool("CLAIMWIRE_WORKER_HEARTBEAT", False),
        gc_threshold=_env_int("CLAIMWIRE_GC_THRESHOLD", 20_000),
        stream_url=os.environ.get("CLAIMWIRE_STREAM_URL") or _redis_broker(os.environ.get("BROKER_URL")),
        intake_stream=os.environ.get("CLAIMWIRE_INTAKE_STREAM") or "claimwire:intake",
        intake_group=os.environ.get("CLAIMWIRE_INTAKE_GROUP") or "claimwire",
        intake_dead_letter_stream=os.environ.get("CLAIMWIRE_INTAKE_DEAD_LETTER_STREAM") or "claimwire:intake:dead",
        intake_batch=_env_int("CLAIMWIRE_INTAKE_BATCH", 64),
        intake_block_ms=_env_int("CLAIMWIRE_INTAKE_BLOCK_MS", 1000),
        intake_claim_idle_s=_env_float("CLAIMWIRE_INTAKE_CLAIM_IDLE_S", 60.0),
        intake_max_deliveries=_env_int("CLAIMWIRE_INTAKE_MAX_DELIVERIES", 5),
        changes_stream=os.environ.get("CLAIMWIRE_CHANGES_STREAM") or "claimwire:changes",
        changes_stream_maxlen=_env_int("CLAIMWIRE_CHANGES_STREAM_MAXLEN", 100_000),
        changes_stream_max_age_s=_env_float("CLAIMWIRE_CHANGES_STREAM_MAX_AGE_S", 7 * 86400.0),
        webhook_allow_private=_env_bool("CLAIMWIRE_WEBHOOK_ALLOW_PRIVATE", False),
        webhook_timeout_s=_env_float("CLAIMWIRE_WEBHOOK_TIMEOUT_S", 10.0),
        webhook_max_attempts=_env_int("CLAIMWIRE_WEBHOOK_MAX_ATTEMPTS", 8),
        webhook_backoff_s=_env_float("CLAIMWIRE_WEBHOOK_BACKOFF_S", 2.0),
        webhook_backoff_max_s=_env_float("CLAIMWIRE_WEBHOOK_BACKOFF_MAX_S", 600.0),
    )


def _redis_broker(url: str | None) -> str | None:
    return url if url and url.startswith(("redis://", "rediss://", "unix://")) else None
