"""`claimwire bench load`: the whole service under load, against the real Redis and PostgreSQL.

    claimwire bench load [--articles N] [--workers W] [--rate R] [--data FILE] [--intake api|stream|both] [--reference K] --json

Creates a PostgreSQL database of its own (CREATE DATABASE claimwire_bench_<random>, migrated, dropped at the
end) and uses a Redis key prefix of its own (CLAIMWIRE_BROKER_PREFIX), starts the API (`claimwire serve`),
W workers (`claimwire worker`, --concurrency C processes each) and beat as subprocesses, posts N articles of
FILE (gvc-dev; repeated with fresh ids, URLs and a last line naming the copy where N is larger) through
POST /articles (as fast as the API accepts them from --posters connections, or paced at R articles/s),
waits until every article is final, reads the outcome from the database and stops everything.

--intake stream feeds the same articles through the intake stream instead (docs/INTEGRATION.md): the bench
XADDs their envelopes to claimwire:intake (under the run's prefix) and `claimwire consume` stores them;
--intake both runs the API leg, then the stream leg, each on a database and a prefix of its own, and adds
`stream_vs_api`: the stream leg's rates divided by the API leg's (1.0: the same); --rounds R runs R rounds of
the two legs, alternating, and compares their medians.

Output (JSON with --json):

    articles         posted (N)
    accepted         answered 202 (new) / already_stored: answered 200 (the same article again)
    stored           ended `stored` (cleaned, extracted, linked, in its event's ledger)
    content_duplicates, skipped   ended `duplicate` (same cleaned text as an earlier article) / `skipped` (not English)
    failed           ended `failed` (with their reasons in failure_reasons)
    lost             posted articles with no final row at the end (never stored, or stuck on the way)
    duplicates       anything written twice: more than one row for one posted article, an article's claims
                     written twice, an article twice in an event's ledger, an event count that disagrees
                     with its links
    articles_per_s   end to end: final articles / (last one final - first receipt), times as stored in the DB
    received_per_s   intake: articles received / (last receipt - first receipt), times as stored in the DB
    latency_ms_p50/p99   per stored article: linked_at - received_at (both written by the service)
    worker_rss_mb_max    the largest RSS of one worker's process tree (main process + pool children), sampled
                         every 0.5 s; worker_rss_mb_total_max sums the trees; worker_pss_mb_max the same in PSS
                         (the pages a pool process shares with its main process, loaded before the fork, counted
                         once: what the tree takes; RSS counts them in each process)
    load_avg         the machine's 1-minute load average before and after (the machine may be shared)

The scaling figures (docs/SCALING.md):

    serial_ms_per_article   wall time per posted article that locks only one worker in the deployment can hold
                     were held (summed over the workers' multiprocess directories), serial_ms_by_lock per lock:
                     the hottest event's (the store's event-lock hold, claimwire_event_lock_hold_seconds,
                     times the share of the articles linked to the event with the most, hottest_event: its
                     articles are stored one at a time; the change feed takes no lock), the
                     hottest link key's (the key-lock hold time times the share of the articles that
                     lock that key, hottest_link_key: articles with no key in common link in parallel, those
                     sharing it one after the other)
    ceiling_articles_per_s  1000 / serial_ms_per_article: no number of workers goes faster (different locks can be
                     held at once by different workers: ceiling_if_locks_overlap = 1000 / the slowest one's ms)
    parallel_efficiency     articles_per_s / (stage_processes x reference.per_s); stage_processes = workers x
                     concurrency (stage_processes_seen: the pool processes that did run stages); the reference is
                     the posted articles (all of them, or the first --reference K) through bench throughput's in-process pipeline
                     (embedded SQLite store, tasks in-process), pinned to one CPU, in this run, before the service
    cpu_vs_reference        the service's CPU per article (total_service below) over the reference's (its
                     process's CPU per article): the service's overhead, independent of the machine's load
    cpu_ms_per_article      CPU per posted article by process tree: each worker (by_worker) with its pool, the
                     API, the consumer, PostgreSQL's backends of the run's database (postgres_bench: the part of
                     them serving this bench's own connections, its wait loop's counts), this bench process (posting);
                     machine: the whole machine's busy CPU over the same span, machine_other what none of those
                     accounts for (Redis, PostgreSQL's background processes, the kernel, other tenants),
                     machine_idle_share the share of all cores' time nobody used, machine_by_name the most of
                     the machine's CPU by process name; machine_other_share: machine_other's share of the
                     machine's CPU (above a few per cent, something else ran: the run's figures are not a quiet
                     machine's)
    clean_vs_in_process  the clean stage's results on the reference's articles against the in-process run's (same
                     articles): content duplicates found by each, whether the duplicate groups are the same
                     articles and each group's original its lowest id (receipt order: concurrent posters do
                     not keep the file's order), how many cleaned texts and, outside the groups, final statuses
                     differ (docs/SCALING.md: the bound)
    stages           per stage, ms per posted article: CPU (the pool processes' own accounting, CLAIMWIRE_PROFILE_DIR)
                     and wall time (claimwire_stage_duration_seconds), and the runs
    statements_per_article  SQL statements the workers sent per posted article (counted by their PostgreSQL
                     connections, CLAIMWIRE_PROFILE_DIR): in the stages (by_stage; transactions_by_stage: each one a
                     BEGIN and a COMMIT more) and in all (workers_all: with the change publisher and the sweep)
    link_key_lock_ms_per_article   the link stage's per-key advisory locks (serial only between articles that
                     share a key: in serial_ms_per_article for the hottest key's share): `hold` from getting them
                     to the link's commit, `wait` for them, summed over the workers, per posted article
    link_redecided   articles decided again because an article received before them was linked after them,
                     by outcome (kept, merged, moved; skipped: the pair too weak to decide it again; tasks/link.py)
    link_restarts    link transactions started again: a key the frequencies read under the guessed locks added was
                     held by another link (tasks/link.py)
    linking_vs_in_process  the run's events against the in-process pipeline's on the same bodies in the run's
                     receipt order (after the service leg; bench/linkcompare.py): B-cubed and pairwise over the
                     articles linked by both (1.0: the same events); --no-compare-linking skips it
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import percentile, run_cli
from bench.harness import (
    DEFAULT_GVC,
    RssSampler,
    clean_digest,
    clean_versus,
    cpu_by_name,
    free_port,
    fresh_broker_connections,
    gvc_records,
    machine_cpu_s,
    ping_workers,
    processes_cpu_s,
    repeated_payloads,
    start,
    start_api,
    start_beat,
    start_worker,
    stop,
    use_environment,
)
from bench.linkcompare import against_in_process, receipt_events
from claimwire.settings import get_settings
from storage import db as storage_db

PG_ADMIN_URL = get_settings().bench_pg_url
REDIS_URL = get_settings().bench_redis_url
RETRY_FOR_S = 300.0  # a post is retried (connection refused, 5xx) for this long: the API may be restarting


# --- the database and the broker of one run -------------------------------------------------------------


def create_database(admin_url: str = PG_ADMIN_URL, prefix: str = "claimwire_bench") -> str:
    return storage_db.create_database(admin_url, prefix)


def drop_database(url: str, admin_url: str = PG_ADMIN_URL) -> None:
    storage_db.drop_database(url, admin_url)


def delete_keys(redis_url: str, prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        return len(keys)
    finally:
        client.close()


BENCH_APPLICATION = "claimwire-bench"  # the application_name of the bench's own connections (its wait loop, its reads)


def database_backends(database_url: str):
    """A callable giving the PostgreSQL backend processes serving the run's database (when they are on this machine)."""
    name = database_url.rsplit("/", 1)[1]

    def backends() -> dict[int, str]:
        from sqlalchemy import text

        from storage.db import session_scope

        with session_scope() as session:
            rows = session.execute(text("SELECT pid, application_name FROM pg_stat_activity WHERE datname = :name"), {"name": name})
            return {int(pid): "postgres_bench" if app == BENCH_APPLICATION else "postgres" for pid, app in rows}

    return backends


# --- posting ---------------------------------------------------------------------------------------------


class Poster:
    """Posts bodies from several connections, in order of index, optionally paced at RATE per second.

    A post that meets a connection error, a 5xx or a 429 (rate limited) is sent again (the same body: the API
    answers an article it already holds with 200 and the same id) until it gets an answer or RETRY_FOR_S has passed.
    """

    def __init__(self, base_url: str, token: str, bodies: list[dict], *, connections: int = 8, rate: float = 0.0) -> None:
        self.base_url, self.token, self.bodies = base_url, token, bodies
        self.connections, self.rate = max(1, connections), rate
        self.results: list[dict | None] = [None] * len(bodies)
        self.retries = 0
        self._next = 0
        self._lock = threading.Lock()
        self.started = self.finished = 0.0

    def _take(self) -> int | None:
        with self._lock:
            if self._next >= len(self.bodies):
                return None
            index, self._next = self._next, self._next + 1
            return index

    def _post(self, client: httpx.Client, index: int) -> dict:
        body = self.bodies[index]
        give_up = time.monotonic() + RETRY_FOR_S
        delay = 0.2
        while True:
            try:
                response = client.post("/articles", json=body)
                if response.status_code < 500 and response.status_code != 429:
                    answer = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
                    return {**answer, "http": response.status_code}
                error = f"{response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            if time.monotonic() > give_up:
                return {"http": 0, "error": error}
            with self._lock:
                self.retries += 1
            time.sleep(delay)
            delay = min(2.0, delay * 2)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {self.token}"}, timeout=60) as client:
            while (index := self._take()) is not None:
                if self.rate > 0:
                    wait = self.started + index / self.rate - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                self.results[index] = self._post(client, index)

    def run(self) -> float:
        self.started = time.monotonic()
        threads = [threading.Thread(target=self._run, name=f"poster-{n}", daemon=True) for n in range(self.connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.finished = time.monotonic()
        return self.finished - self.started


# --- the outcome, from the database ------------------------------------------------------------------------


def wait_for_final(timeout: float, expected: int, watch=()) -> bool:
    from sqlalchemy import func, select

    from storage.db import session_scope
    from storage.models import Article, ArticleStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in watch:
            if process.poll() is not None:
                raise RuntimeError(f"a service process exited with {process.returncode}")
        try:
            with session_scope() as session:
                total = session.scalar(select(func.count()).select_from(Article))
                pending = session.scalar(select(func.count()).select_from(Article).where(Article.status.not_in(ArticleStatus.FINAL)))
        except Exception:  # noqa: BLE001 - the database may be restarting (drills)
            time.sleep(1)
            continue
        if total >= expected and pending == 0:
            return True
        time.sleep(0.5)
    return False


def wait_for_intake(timeout: float, watch=()) -> bool:
    """Wait until the intake stream's consumer group has read and acknowledged every entry."""
    from workers import streams

    deadline = time.monotonic() + timeout
    client = streams.client(timeout=5)
    while time.monotonic() < deadline:
        for process in watch:
            if process.poll() is not None:
                raise RuntimeError(f"a service process exited with {process.returncode}")
        try:
            groups = client.xinfo_groups(streams.intake_key())
        except Exception:  # noqa: BLE001 - the group is made by the consumer as it starts
            groups = []
        if groups and all(g["pending"] == 0 and g["lag"] == 0 for g in groups):
            return True
        time.sleep(0.2)
    return False


def count_articles() -> int:
    from sqlalchemy import func, select

    from storage.db import session_scope
    from storage.models import Article

    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(Article))


def outcome(bodies: list[dict]) -> dict:
    """What became of the posted articles: counts by final status, lost, written twice, speed and latency."""
    from sqlalchemy import func, select, text

    from storage.db import session_scope
    from storage.models import Article, ArticleEvent, ArticleStatus, Event, Failure

    with session_scope() as session:
        rows = session.execute(
            select(Article.id, Article.external_id, Article.status, Article.received_at, Article.linked_at, Article.updated_at)
        ).all()
        reasons = Counter(f"{stage}:{reason}" for stage, reason in session.execute(select(Failure.stage, Failure.reason)))
        twice_claimed = session.scalar(
            text(
                "SELECT count(*) FROM (SELECT article_id, min(n) AS least FROM (SELECT article_id, count(*) AS n FROM claims "
                'GROUP BY article_id, kind, measure, value_min, value_max, start, "end", extractor, text, sentence) AS g '
                "GROUP BY article_id) AS a WHERE least >= 2"
            )
        )
        link_counts = dict(session.execute(select(ArticleEvent.event_id, func.count()).group_by(ArticleEvent.event_id)).all())
        events = session.execute(select(Event.id, Event.article_count, Event.ledger).where(Event.merged_into_id.is_(None))).all()
    by_external: dict[str, list] = {}
    for row in rows:
        by_external.setdefault(row.external_id, []).append(row)
    posted = {body["external_id"] for body in bodies}
    statuses = Counter(row.status for row in rows)
    lost = sum(1 for ext in posted if not any(r.status in ArticleStatus.FINAL for r in by_external.get(ext, [])))
    rows_twice = sum(len(found) - 1 for found in by_external.values() if len(found) > 1)
    ledger_twice = count_mismatch = 0
    for event_id, article_count, ledger in events:
        ids = [a.get("id") for a in (ledger or {}).get("articles", [])]
        ledger_twice += len(ids) - len(set(ids))
        if article_count != link_counts.get(event_id, 0):
            count_mismatch += 1
    final = [r for r in rows if r.status in ArticleStatus.FINAL]
    stored = [r for r in rows if r.status == ArticleStatus.STORED and r.linked_at is not None]
    latencies = [(r.linked_at - r.received_at).total_seconds() * 1000 for r in stored]
    first = min((r.received_at for r in rows), default=None)
    last = max(((r.linked_at if r.status == ArticleStatus.STORED and r.linked_at else r.updated_at) for r in final), default=None)
    span = (last - first).total_seconds() if first and last else 0.0
    received_span = (max(r.received_at for r in rows) - first).total_seconds() if rows else 0.0
    return {
        "stored": statuses.get(ArticleStatus.STORED, 0),
        "duplicates": rows_twice + twice_claimed + ledger_twice + count_mismatch,
        "lost": lost,
        "failed": statuses.get(ArticleStatus.FAILED, 0),
        "content_duplicates": statuses.get(ArticleStatus.DUPLICATE, 0),
        "skipped": statuses.get(ArticleStatus.SKIPPED, 0),
        "articles_per_s": round(len(final) / span, 2) if span > 0 else 0.0,
        "received_per_s": round(len(rows) / received_span, 2) if received_span > 0 else 0.0,
        "latency_ms_p50": round(percentile(latencies, 50), 1),
        "latency_ms_p99": round(percentile(latencies, 99), 1),
        "latency_ms_max": round(max(latencies, default=0.0), 1),
        "end_to_end_s": round(span, 2),
        "duplicate_detail": {
            "rows_for_one_article": rows_twice,
            "claims_written_twice": int(twice_claimed or 0),
            "ledger_entries_twice": ledger_twice,
            "event_counts_off": count_mismatch,
        },
        "not_final": {status: count for status, count in statuses.items() if status not in ArticleStatus.FINAL},
        "failure_reasons": dict(reasons.most_common(10)),
        "events": len(events),
    }


def account(bodies: list[dict], answers: list[dict | None] | None = None) -> dict:
    """`outcome` plus what a fault drill checks article by article (ids, so that a failure names them).

    Every posted article (BODIES, by external id) must end final exactly once: `stored`, or `duplicate` /
    `skipped` / `failed` with at least one recorded failure giving the reason where it failed. Adds
    lost_ids (no final row), not_final_ids (a row stuck on the way), failed_without_reason, stored_unlinked
    (stored without an event link), missing_from_ledger (stored but absent from its event's ledger) and,
    given the API's ANSWERS (Poster.results), unanswered (posts that never got an answer) and
    id_mismatch (one external id answered with different article ids).
    """
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import Article, ArticleEvent, ArticleStatus, Event, Failure

    result = outcome(bodies)
    with session_scope() as session:
        rows = session.execute(select(Article.id, Article.external_id, Article.status)).all()
        with_reason = {
            article_id
            for (article_id,) in session.execute(select(Failure.article_id).where(Failure.article_id.is_not(None), Failure.reason != ""))
        }
        links = dict(session.execute(select(ArticleEvent.article_id, ArticleEvent.event_id)).all())
        ledgers = {
            event_id: {a.get("id") for a in (ledger or {}).get("articles", [])}
            for event_id, ledger in session.execute(select(Event.id, Event.ledger))
        }
    by_external: dict[str, list] = {}
    for row in rows:
        by_external.setdefault(row.external_id, []).append(row)
    posted = [body["external_id"] for body in bodies]
    result["lost_ids"] = [ext for ext in posted if not any(r.status in ArticleStatus.FINAL for r in by_external.get(ext, []))]
    result["not_final_ids"] = sorted(r.id for r in rows if r.status not in ArticleStatus.FINAL)
    result["failed_without_reason"] = sorted(r.id for r in rows if r.status == ArticleStatus.FAILED and r.id not in with_reason)
    stored = [r.id for r in rows if r.status == ArticleStatus.STORED]
    result["stored_unlinked"] = sorted(i for i in stored if i not in links)
    result["missing_from_ledger"] = sorted(i for i in stored if i in links and i not in ledgers.get(links[i], set()))
    if answers is not None:
        result["unanswered"] = sum(1 for a in answers if not a or not a.get("http"))
        ids: dict[str, set] = {}
        for body, answer in zip(bodies, answers):
            if answer and answer.get("id") is not None:
                ids.setdefault(body["external_id"], set()).add(answer["id"])
        rows_by_ext = {ext: {r.id for r in found} for ext, found in by_external.items()}
        result["id_mismatch"] = sorted(ext for ext, found in ids.items() if len(found) > 1 or not found <= rows_by_ext.get(ext, set()))
    return result


# --- the run -------------------------------------------------------------------------------------------------


class StreamProducer:
    """XADDs the bodies' envelopes to the intake stream, in order, in pipelined batches (or paced at RATE per second)."""

    def __init__(self, redis_url: str, bodies: list[dict], *, rate: float = 0.0, batch: int = 100) -> None:
        self.redis_url, self.bodies, self.rate, self.batch = redis_url, bodies, rate, batch

    def run(self) -> float:
        import redis

        from service.intake import envelope_json
        from workers import streams

        client = redis.Redis.from_url(self.redis_url)
        key = streams.intake_key()
        started = time.monotonic()
        try:
            for first in range(0, len(self.bodies), self.batch):
                if self.rate > 0:
                    wait = started + first / self.rate - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                with client.pipeline(transaction=False) as pipe:
                    for body in self.bodies[first : first + self.batch]:
                        pipe.xadd(key, {"envelope": envelope_json(body, source="bench")})
                    pipe.execute()
        finally:
            client.close()
        return time.monotonic() - started


def run(args) -> dict:
    records = gvc_records(Path(args.data))
    bodies = repeated_payloads(records, args.articles)
    reference = one_core_reference(bodies if args.reference is None else bodies[: args.reference])
    if args.intake != "both":
        return run_leg(args, bodies, args.intake, reference)
    legs: dict[str, list[dict]] = {"api": [], "stream": []}
    for _ in range(args.rounds):  # alternating, so that a shared machine's load falls on both alike
        for intake in legs:
            legs[intake].append(run_leg(args, bodies, intake, reference))
    keys = ("articles_per_s", "received_per_s", "latency_ms_p50")
    medians = {intake: {key: statistics.median(leg[key] for leg in runs) for key in keys} for intake, runs in legs.items()}
    ratios = {key: round(medians["stream"][key] / medians["api"][key], 3) if medians["api"][key] else None for key in keys}
    every = [leg for runs in legs.values() for leg in runs]
    return {
        "stream_vs_api": ratios,
        "rounds": args.rounds,
        "lost": sum(leg["lost"] for leg in every),
        "duplicates": sum(leg["duplicates"] for leg in every),
        **{intake: {**medians[intake], "legs": runs} for intake, runs in legs.items()},
    }


# --- the scaling figures: the serial part, the one-core reference, CPU by stage and by process ----------------


def one_core_reference(bodies: list[dict]) -> dict:
    """The in-process pipeline (bench throughput's) on BODIES, pinned to one CPU, in a process of its own (so
    that neither the pinning nor its embedded store touches this one); {} for no bodies."""
    if not bodies:
        return {}
    import multiprocessing

    from bench.throughput import pipeline_reference

    load_before = os.getloadavg()[0]
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result = pool.apply(pipeline_reference, (bodies, None, True))
    stages = ("receive", "clean", "extract", "link", "store")
    stage_ms = {stage: 1000 * result[stage]["items"] / result[stage]["per_s"] if result[stage]["per_s"] else 0.0 for stage in stages}
    return {
        "articles": len(bodies),
        "per_s": result["whole"]["per_s"],
        "wall_s": result["whole"]["wall_s"],
        "cpu_ms_per_article": round(1000 * result["cpu_s"] / len(bodies), 1),
        "stage_ms_per_article": {stage: round(total / len(bodies), 2) for stage, total in stage_ms.items()},
        "load_avg": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "digest": result["digest"],
    }


def hottest_lock_key() -> dict:
    """The link key locked by most articles of the run's database: each linked article's locked keys as it chose
    them (`linking.choose_keys`, with the document frequencies of the articles linked before it, as the link
    stage weighs them), counted over the articles. {} when nothing was linked."""
    from collections import Counter

    from claimwire import linking
    from storage import eventindex
    from storage.db import session_scope

    with session_scope(read_only=True) as session:
        linked = eventindex.linked_from(session, 0, limit=1 << 31)
    df: Counter[str] = Counter()
    locked: Counter[str] = Counter()
    for documents, (_, features) in enumerate(linked):
        locked.update(linking.choose_keys(features, df, documents).locked())
        df.update(linking.counted_keys(features.keys))
    if not locked:
        return {}
    key, holders = locked.most_common(1)[0]
    return {"key": key, "articles": holders, "share": round(holders / len(linked), 4)}


def hottest_event() -> dict:
    """The event most articles of the run's database were linked to, and their share. {} when nothing was linked."""
    from storage import reads
    from storage.db import session_scope

    with session_scope(read_only=True) as session:
        event_id, articles, total = reads.largest_event(session)
    return {"event_id": event_id, "articles": articles, "share": round(articles / total, 4)} if articles else {}


def serial_seconds(event_hold_s: float, hottest: dict, key_hold_s: float, hottest_key: dict) -> dict[str, float]:
    """Seconds spent holding each lock that only one worker in the deployment can hold at a time, for the articles
    that take the same one: the row lock of the event most articles were stored into (the store's event-lock hold
    time times its articles' share: the ledger's rebuild and its change rows, one article of an event at a time),
    and the link key that most articles lock (the key-lock hold time times its holders' share: articles with no
    key in common link in parallel, those sharing it one after the other). The change feed itself takes no lock
    (storage/changefeed.py)."""
    return {"hottest_event": event_hold_s * hottest.get("share", 0.0), "hottest_link_key": key_hold_s * hottest_key.get("share", 0.0)}


def scaling_figures(
    articles: int, serial_s: dict[str, float], articles_per_s: float, stage_processes: int, reference_per_s: float | None
) -> dict:
    """The serial part and what it allows: ms per article spent holding a lock that only one worker at a time
    holds (summed over SERIAL_S, `serial_seconds`), the ceiling it sets (1000 / serial ms: no number of workers
    goes faster), and the parallel efficiency (the rate over STAGE_PROCESSES times the one-core in-process rate
    of the same articles)."""
    by_lock = {lock: round(1000 * held / articles, 3) if articles else 0.0 for lock, held in sorted(serial_s.items())}
    serial = 1000 * sum(serial_s.values()) / articles if articles else 0.0
    slowest = max(by_lock.values(), default=0.0)
    efficiency = articles_per_s / (stage_processes * reference_per_s) if stage_processes and reference_per_s else None
    return {
        "serial_ms_per_article": round(serial, 2),
        "serial_ms_by_lock": by_lock,
        "ceiling_articles_per_s": round(1000 / serial, 1) if serial else None,
        "ceiling_if_locks_overlap": round(1000 / slowest, 1) if slowest else None,
        "parallel_efficiency": round(efficiency, 3) if efficiency is not None else None,
        "stage_processes": stage_processes,
        "reference_per_s": reference_per_s,
    }


def read_metrics(directories: list[Path]) -> dict[str, dict[str, float]]:
    """Sums over the workers' Prometheus multiprocess directories: the stages' seconds and runs (wall time,
    claimwire_stage_duration_seconds), the locks' hold (and wait) seconds, the link stage's re-decisions."""
    from prometheus_client import CollectorRegistry, multiprocess

    wanted = {
        "claimwire_stage_duration_seconds_sum": ("stage_wall_s", "stage"),
        "claimwire_stage_duration_seconds_count": ("stage_runs", "stage"),
        "claimwire_link_key_lock_hold_seconds_sum": ("key_lock_s", "hold"),
        "claimwire_link_key_lock_wait_seconds_sum": ("key_lock_s", "wait"),
        "claimwire_link_redecided_total": ("link_redecided", "outcome"),
        "claimwire_link_restarts_total": ("link_restarts", ""),
        "claimwire_event_lock_hold_seconds_sum": ("event_lock_s", "hold"),
    }
    out: dict[str, dict[str, float]] = {name: {} for name, _ in wanted.values()}
    for directory in directories:
        if not directory.is_dir() or not any(directory.glob("*.db")):
            continue
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(directory))
        for family in registry.collect():
            for sample in family.samples:
                if sample.name in wanted:
                    name, label = wanted[sample.name]
                    key = sample.labels.get(label, label)  # a metric without labels: the name given in `wanted`
                    out[name][key] = out[name].get(key, 0.0) + sample.value
    return out


def read_stage_cpu(directory: Path) -> dict:
    """The worker processes' CPU seconds per stage (CLAIMWIRE_PROFILE_DIR files, written as each process exits)."""
    import json

    stages: dict[str, float] = {}
    runs: dict[str, int] = {}
    statements: dict[str, int] = {}
    transactions: dict[str, int] = {}
    everywhere = {"statements": 0, "transactions": 0}
    collector = {"cpu_s": 0.0, "collections": 0}
    processes = 0
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            found = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        spent = found.get("stages") or {}
        processes += 1 if spent else 0
        for stage, (count, cpu, *sql) in spent.items():
            stages[stage] = stages.get(stage, 0.0) + cpu
            runs[stage] = runs.get(stage, 0) + count
            if sql:
                statements[stage] = statements.get(stage, 0) + sql[0]
                transactions[stage] = transactions.get(stage, 0) + sql[1]
        for what in everywhere:
            everywhere[what] += (found.get("sql") or {}).get(what, 0)
        for what in collector:
            collector[what] += (found.get("gc") or {}).get(what, 0)
    return {
        "cpu_s": stages,
        "runs": runs,
        "statements": statements,
        "transactions": transactions,
        "sql_all": everywhere,
        "gc": collector,
        "processes_running_stages": processes,
    }


def cpu_by_process(
    sampler, cpu_before: dict[str, float], articles: int, self_cpu_s: float, machine: tuple, by_name: dict[str, float]
) -> dict:
    """CPU ms per article of each process tree (each worker with its pool, the API, the consumer), PostgreSQL's
    backends of the run's database, this bench process (posting, polling), and the whole machine's over the same
    span (MACHINE: busy and idle CPU seconds, all cores): `machine_other` is what none of those accounts for
    (Redis, PostgreSQL's background processes, the kernel, other tenants), `machine_idle_share` the share of the
    cores' time nobody used, `machine_by_name` the most of it by process name (BY_NAME: CPU seconds)."""
    per = max(1, articles)
    trees = {name: round(1000 * (used - cpu_before.get(name, 0.0)) / per, 1) for name, used in sorted(sampler.cpu.items())}
    workers = sum(v for k, v in trees.items() if k.startswith("worker"))
    server = sampler.server_cpu_s()
    out = {
        "workers": round(workers, 1),
        "api": trees.get("api", 0.0),
        "consumer": trees.get("consumer", 0.0),
        # every backend of the run's database, the bench's own (its wait loop's counts, its reads) among them, as
        # the figure has always been read; postgres_bench: that part alone
        "postgres": round(1000 * (server.get("postgres", 0.0) + server.get("postgres_bench", 0.0)) / per, 1),
        "postgres_bench": round(1000 * server.get("postgres_bench", 0.0) / per, 1),
        "bench": round(1000 * self_cpu_s / per, 1),
        "by_worker": {k: v for k, v in trees.items() if k.startswith("worker")},
    }
    out["total_service"] = round(out["workers"] + out["api"] + out["consumer"] + out["postgres"], 1)
    busy_s, idle_s = machine
    if busy_s + idle_s > 0:
        out["machine"] = round(1000 * busy_s / per, 1)
        out["machine_other"] = round(out["machine"] - out["total_service"] - out["bench"], 1)
        out["machine_idle_share"] = round(idle_s / (busy_s + idle_s), 3)
        out["machine_other_share"] = round(max(0.0, out["machine_other"]) / out["machine"], 3) if out["machine"] else 0.0
        top = sorted(by_name.items(), key=lambda item: -item[1])[:8]
        out["machine_by_name"] = {name: round(1000 * seconds / per, 2) for name, seconds in top}
    return out


def stage_figures(metrics: dict, stage_cpu: dict, articles: int) -> dict:
    """Per stage, ms per posted article: CPU (the workers' own accounting) and wall time (the stage metric)."""
    per = max(1, articles)
    return {
        "cpu_ms_per_article": {stage: round(1000 * s / per, 2) for stage, s in sorted(stage_cpu["cpu_s"].items())},
        "wall_ms_per_article": {stage: round(1000 * s / per, 2) for stage, s in sorted(metrics["stage_wall_s"].items())},
        "runs": {stage: int(n) for stage, n in sorted(metrics["stage_runs"].items())},
        # the cyclic garbage collector's CPU in the worker processes (main and pool), and how many collections it ran
        "gc_ms_per_article": round(1000 * stage_cpu["gc"]["cpu_s"] / per, 3),
        "gc_collections": int(stage_cpu["gc"]["collections"]),
    }


def statement_figures(stage_cpu: dict, articles: int) -> dict:
    """SQL statements per posted article sent by the workers (CLAIMWIRE_PROFILE_DIR's counts, PostgreSQL): per stage
    (with the transactions, each a BEGIN and a COMMIT more), in all (the stages, the change publisher, the sweep)."""
    per = max(1, articles)
    by_stage = {stage: round(n / per, 2) for stage, n in sorted(stage_cpu.get("statements", {}).items())}
    return {
        "stages": round(sum(stage_cpu.get("statements", {}).values()) / per, 2),
        "by_stage": by_stage,
        "transactions_by_stage": {stage: round(n / per, 2) for stage, n in sorted(stage_cpu.get("transactions", {}).items())},
        "workers_all": round(stage_cpu.get("sql_all", {}).get("statements", 0) / per, 2),
        "workers_all_transactions": round(stage_cpu.get("sql_all", {}).get("transactions", 0) / per, 2),
    }


# --- one leg: the service started, fed, measured, stopped ----------------------------------------------------


@dataclass
class Leg:
    run_id: str
    prefix: str
    token: str
    logdir: Path
    database_url: str
    env: dict
    processes: dict = field(default_factory=dict)

    def worker_env(self, n: int) -> dict:
        """A worker's environment: metrics to a multiprocess directory of its own, stage CPU to the profile directory."""
        return {**self.env, "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir(n)), "CLAIMWIRE_PROFILE_DIR": str(self.logdir / "profile")}

    def metrics_dir(self, n: int) -> Path:
        return self.logdir / f"metrics-worker{n}"


def prepare_leg(args) -> Leg:
    run_id = uuid.uuid4().hex[:10]
    logdir = Path(args.logdir or tempfile.mkdtemp(prefix="claimwire-bench-load-"))
    leg = Leg(run_id, f"cwbench-{run_id}:", secrets.token_hex(16), logdir, create_database(args.pg_admin), {})
    leg.env = dict(os.environ)
    leg.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    leg.env.pop("CLAIMWIRE_PROFILE_DIR", None)
    leg.env.update(
        DATABASE_URL=leg.database_url,
        BROKER_URL=args.redis,
        CLAIMWIRE_BROKER_PREFIX=leg.prefix,
        CLAIMWIRE_API_TOKEN=leg.token,
        CLAIMWIRE_HOME=str(logdir / "home"),
        CLAIMWIRE_LOG_LEVEL=os.environ.get("CLAIMWIRE_LOG_LEVEL", "WARNING"),  # passed on: the bench's own default is quieter
    )
    return leg


def start_service(args, leg: Leg, intake: str) -> int:
    """The API, the consumer (stream intake), the workers and beat; returns the API's port once all answer."""
    port = free_port()
    leg.processes["api"] = start_api(leg.logdir, leg.env, port)
    if intake == "stream":
        leg.processes["consumer"] = start(leg.logdir, "consumer", ["consume", "--name", f"bench-{leg.run_id}"], leg.env)
    for n in range(1, args.workers + 1):
        leg.processes[f"worker{n}"] = start_worker(leg.logdir, leg.worker_env(n), f"bench{n}-{leg.run_id}", concurrency=args.concurrency)
    if args.beat:
        leg.processes["beat"] = start_beat(leg.logdir, leg.env)
    from workers.app import app

    ready = ping_workers(app, args.workers, timeout=90)
    if ready < args.workers:
        raise RuntimeError(f"only {ready} of {args.workers} workers answered (logs in {leg.logdir})")
    return port


def feed(args, leg: Leg, bodies: list[dict], intake: str, port: int) -> dict:
    """Post (or XADD) the bodies; returns the answers counted, the posting time and its retries."""
    answers = Counter()
    retries = 0
    if intake == "stream":
        post_s = StreamProducer(args.redis, bodies, rate=args.rate).run()
        drained = wait_for_intake(args.timeout, watch=list(leg.processes.values()))
        answers["accepted"] = count_articles() if drained else len(bodies)  # the same article twice is one
    else:
        poster = Poster(f"http://127.0.0.1:{port}", leg.token, bodies, connections=args.posters, rate=args.rate)
        post_s = poster.run()
        retries = poster.retries
        for answer in poster.results:
            status = (answer or {}).get("http", 0)
            answers["accepted" if status == 202 else "already_stored" if status == 200 else "refused"] += 1
    return {"answers": answers, "post_s": post_s, "post_retries": retries}


def run_leg(args, bodies: list[dict], intake: str, reference: dict | None = None) -> dict:
    load_before = os.getloadavg()[0]
    leg = prepare_leg(args)
    saved = {key: os.environ.get(key) for key in ("DATABASE_URL", "BROKER_URL", "CLAIMWIRE_BROKER_PREFIX", "CLAIMWIRE_API_TOKEN")}
    result: dict = {}
    service_events = None
    try:
        use_environment(
            {
                "DATABASE_URL": f"{leg.database_url}?application_name={BENCH_APPLICATION}",
                "BROKER_URL": args.redis,
                "CLAIMWIRE_BROKER_PREFIX": leg.prefix,
                "CLAIMWIRE_API_TOKEN": leg.token,
            }
        )
        fresh_broker_connections()  # a second leg: the Celery app's pools still carry the first leg's key prefix
        port = start_service(args, leg, intake)
        watched = {name: p for name, p in leg.processes.items() if name.startswith("worker") or name in ("api", "consumer")}
        sampler = RssSampler(watched, servers=database_backends(leg.database_url))
        sampler.sample()
        cpu_before, self_before, machine_before = dict(sampler.cpu), time.process_time(), machine_cpu_s()
        processes_before = processes_cpu_s()
        sampler.start()
        fed = feed(args, leg, bodies, intake, port)
        finished = wait_for_final(args.timeout, fed["answers"]["accepted"], watch=list(leg.processes.values()))
        sampler.stop()
        machine = tuple(after - before for after, before in zip(machine_cpu_s(), machine_before))
        by_name = cpu_by_name(processes_before, processes_cpu_s())
        result = {"articles": len(bodies), **outcome(bodies), "finished_in_time": finished}
        service_events = receipt_events() if args.compare_linking else None
        result["hottest_link_key"] = hottest_lock_key()
        result["hottest_event"] = hottest_event()
        if reference and reference.get("digest"):
            result["clean_vs_in_process"] = clean_versus(reference["digest"], clean_digest())
        cpu = cpu_by_process(sampler, cpu_before, len(bodies), time.process_time() - self_before, machine, by_name)
    finally:
        stop(*leg.processes.values())  # before the metrics are read: each pool process writes its stage CPU as it exits
        try:
            delete_keys(args.redis, leg.prefix)
        finally:
            if not args.keep_database:
                drop_database(leg.database_url, args.pg_admin)
            elif result:
                result["database_url"] = leg.database_url
            use_environment(saved)
    result = leg_result(args, leg, result, fed, sampler, cpu, reference or {}, intake, load_before)
    if service_events is not None:
        result["linking_vs_in_process"] = against_in_process(service_events, bodies)
    result["logs"] = str(leg.logdir)
    return result


def leg_result(args, leg: Leg, result: dict, fed: dict, sampler, cpu: dict, reference: dict, intake: str, load_before: float) -> dict:
    """The leg's figures in one record, the headline figures first."""
    peaks, answers, post_s = sampler.peak, fed["answers"], fed["post_s"]
    metrics = read_metrics([leg.metrics_dir(n) for n in range(1, args.workers + 1)])
    stage_cpu = read_stage_cpu(leg.logdir / "profile")
    hottest_key, hottest = result.pop("hottest_link_key", {}), result.pop("hottest_event", {})
    serial_s = serial_seconds(metrics["event_lock_s"].get("hold", 0.0), hottest, metrics["key_lock_s"].get("hold", 0.0), hottest_key)
    scaling = scaling_figures(
        result["articles"], serial_s, result["articles_per_s"], args.workers * args.concurrency, reference.get("per_s")
    )
    result.update(
        {
            **scaling,
            "stage_processes_seen": stage_cpu["processes_running_stages"],
            "hottest_link_key": hottest_key or None,
            "hottest_event": hottest or None,
            "link_key_lock_ms_per_article": {
                k: round(1000 * s / max(1, result["articles"]), 2) for k, s in sorted(metrics["key_lock_s"].items())
            },
            "link_redecided": {k: int(n) for k, n in sorted(metrics["link_redecided"].items())},
            "link_restarts": int(sum(metrics["link_restarts"].values())),
            "accepted": answers["accepted"],
            "already_stored": answers["already_stored"],
            "refused": answers["refused"],
            "workers": args.workers,
            "concurrency": args.concurrency,
            "rate": args.rate or None,
            "post_s": round(post_s, 2),
            "posted_per_s": round(result["articles"] / post_s, 2) if post_s else 0.0,
            "post_retries": fed["post_retries"],
            "intake": intake,
            "worker_rss_mb_max": round(max((v for k, v in peaks.items() if k.startswith("worker")), default=0.0), 1),
            "worker_rss_mb_total_max": round(sum(v for k, v in peaks.items() if k.startswith("worker")), 1),
            "worker_pss_mb_max": round(max((v for k, v in sampler.peak_pss.items() if k.startswith("worker")), default=0.0), 1),
            "api_rss_mb_max": round(peaks.get("api", 0.0), 1),
            "rss_samples": sampler.samples,
            "cpu_ms_per_article": cpu,
            "cpu_vs_reference": round(cpu["total_service"] / reference["cpu_ms_per_article"], 3)
            if reference.get("cpu_ms_per_article")
            else None,
            "stages": stage_figures(metrics, stage_cpu, result["articles"]),
            "statements_per_article": statement_figures(stage_cpu, result["articles"]),
            "reference": {k: v for k, v in reference.items() if k != "digest"} or None,
            "load_avg": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()},
        }
    )
    ordered = [
        "intake",
        "articles",
        "stored",
        "duplicates",
        "lost",
        "failed",
        "articles_per_s",
        "serial_ms_per_article",
        "ceiling_articles_per_s",
        "parallel_efficiency",
        "received_per_s",
        "latency_ms_p50",
        "latency_ms_p99",
        "worker_rss_mb_max",
    ]
    return {**{key: result[key] for key in ordered}, **{k: v for k, v in result.items() if k not in ordered}}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimwire bench load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, metavar="N")
    parser.add_argument("--workers", type=int, default=2, metavar="W", help="worker processes (claimwire worker), default 2")
    parser.add_argument("--concurrency", type=int, default=1, metavar="C", help="pool processes per worker (default 1)")
    parser.add_argument(
        "--rate", type=float, default=0.0, metavar="R", help="post at R articles/s (default: as fast as the API accepts them)"
    )
    parser.add_argument("--posters", type=int, default=4, metavar="P", help="concurrent HTTP connections posting (default 4)")
    parser.add_argument(
        "--data", default=str(DEFAULT_GVC), metavar="FILE", help="gvc-style .jsonl.gz (default ../shared/data/gvc-dev.jsonl.gz)"
    )
    parser.add_argument("--timeout", type=float, default=1800.0, metavar="S", help="longest wait for the pipeline to finish after posting")
    parser.add_argument("--pg-admin", default=PG_ADMIN_URL, help="PostgreSQL URL allowed to CREATE/DROP DATABASE")
    parser.add_argument("--redis", default=REDIS_URL)
    parser.add_argument("--no-beat", dest="beat", action="store_false", help="do not start beat (the sweep that re-sends stalled articles)")
    parser.add_argument("--keep-database", action="store_true", help="do not drop the run's database (its URL is printed)")
    parser.add_argument("--logdir", help="where the processes' logs go (default: a temporary directory)")
    parser.add_argument(
        "--intake",
        choices=["api", "stream", "both"],
        default="api",
        help="feed through POST /articles (default), the intake stream, or both legs in one run",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, metavar="R", help="with --intake both: R rounds of the two legs, alternating; medians compared"
    )
    parser.add_argument(
        "--reference",
        type=int,
        default=None,
        metavar="K",
        help="the first K of the posted articles through the in-process pipeline on one core, for parallel_efficiency (default: all of them, the same articles as the run; 0: none)",
    )
    parser.add_argument(
        "--no-compare-linking",
        dest="compare_linking",
        action="store_false",
        help="do not run the in-process pipeline on the stream in the run's receipt order to compare the events (linking_vs_in_process)",
    )
    parser.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    result = run_cli(build_parser(), run, argv)
    return 0 if result.get("lost") == 0 and result.get("duplicates") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
