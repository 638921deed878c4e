"""`claimwire bench load`: the whole service under load, against the real Redis and PostgreSQL.

    claimwire bench load [--articles N] [--workers W] [--rate R] [--data FILE] [--intake api|stream|both] --json

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
                         every 0.5 s; worker_rss_mb_total_max sums the trees
    load_avg         the machine's 1-minute load average before and after (the machine may be shared)
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
from pathlib import Path

import httpx

from bench import percentile, print_result
from bench.harness import (
    DEFAULT_GVC,
    RssSampler,
    free_port,
    fresh_broker_connections,
    gvc_records,
    ping_workers,
    repeated_payloads,
    start,
    start_api,
    start_beat,
    start_worker,
    stop,
    use_environment,
)
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


def database_backends(database_url: str):
    """A callable giving the PostgreSQL backend processes serving the run's database (when they are on this machine)."""
    name = database_url.rsplit("/", 1)[1]

    def backends() -> dict[int, str]:
        from sqlalchemy import text

        from storage.db import session_scope

        with session_scope() as session:
            pids = session.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :name"), {"name": name}).scalars()
            return {int(pid): "postgres" for pid in pids}

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
        rows = session.execute(select(Article.id, Article.external_id, Article.status, Article.received_at, Article.linked_at, Article.updated_at)).all()
        reasons = Counter(f"{stage}:{reason}" for stage, reason in session.execute(select(Failure.stage, Failure.reason)))
        twice_claimed = session.scalar(
            text(
                "SELECT count(*) FROM (SELECT article_id, min(n) AS least FROM (SELECT article_id, count(*) AS n FROM claims "
                "GROUP BY article_id, kind, measure, value_min, value_max, start, \"end\", extractor, text, sentence) AS g "
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
        "duplicate_detail": {"rows_for_one_article": rows_twice, "claims_written_twice": int(twice_claimed or 0), "ledger_entries_twice": ledger_twice, "event_counts_off": count_mismatch},
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
        with_reason = {article_id for (article_id,) in session.execute(select(Failure.article_id).where(Failure.article_id.is_not(None), Failure.reason != ""))}
        links = dict(session.execute(select(ArticleEvent.article_id, ArticleEvent.event_id)).all())
        ledgers = {event_id: {a.get("id") for a in (ledger or {}).get("articles", [])} for event_id, ledger in session.execute(select(Event.id, Event.ledger))}
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
    if args.intake != "both":
        return run_leg(args, bodies, args.intake)
    legs: dict[str, list[dict]] = {"api": [], "stream": []}
    for _ in range(args.rounds):  # alternating, so that a shared machine's load falls on both alike
        for intake in legs:
            legs[intake].append(run_leg(args, bodies, intake))
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


def run_leg(args, bodies: list[dict], intake: str) -> dict:
    load_before = os.getloadavg()[0]
    run_id = uuid.uuid4().hex[:10]
    prefix = f"cwbench-{run_id}:"
    token = secrets.token_hex(16)
    logdir = Path(args.logdir or tempfile.mkdtemp(prefix="claimwire-bench-load-"))
    database_url = create_database(args.pg_admin)
    saved = {key: os.environ.get(key) for key in ("DATABASE_URL", "BROKER_URL", "CLAIMWIRE_BROKER_PREFIX", "CLAIMWIRE_API_TOKEN")}
    env = dict(os.environ)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(
        DATABASE_URL=database_url,
        BROKER_URL=args.redis,
        CLAIMWIRE_BROKER_PREFIX=prefix,
        CLAIMWIRE_API_TOKEN=token,
        CLAIMWIRE_HOME=str(logdir / "home"),
        CLAIMWIRE_LOG_LEVEL=os.environ.get("CLAIMWIRE_LOG_LEVEL", "WARNING"),  # passed on: the bench's own default is quieter
    )
    processes: dict = {}
    result: dict = {}
    try:
        use_environment({"DATABASE_URL": database_url, "BROKER_URL": args.redis, "CLAIMWIRE_BROKER_PREFIX": prefix, "CLAIMWIRE_API_TOKEN": token})
        fresh_broker_connections()  # a second leg: the Celery app's pools still carry the first leg's key prefix
        port = free_port()
        processes["api"] = start_api(logdir, env, port)
        if intake == "stream":
            processes["consumer"] = start(logdir, "consumer", ["consume", "--name", f"bench-{run_id}"], env)
        for n in range(args.workers):
            processes[f"worker{n + 1}"] = start_worker(logdir, env, f"bench{n + 1}-{run_id}", concurrency=args.concurrency)
        if args.beat:
            processes["beat"] = start_beat(logdir, env)
        from workers.app import app

        ready = ping_workers(app, args.workers, timeout=90)
        if ready < args.workers:
            raise RuntimeError(f"only {ready} of {args.workers} workers answered (logs in {logdir})")
        sampler = RssSampler({name: p for name, p in processes.items() if name.startswith("worker") or name in ("api", "consumer")}, servers=database_backends(database_url))
        sampler.sample()
        cpu_before = dict(sampler.cpu)
        sampler.start()
        answers = Counter()
        post_retries = 0
        if intake == "stream":
            post_s = StreamProducer(args.redis, bodies, rate=args.rate).run()
            drained = wait_for_intake(args.timeout, watch=list(processes.values()))
            answers["accepted"] = count_articles() if drained else len(bodies)  # the same article twice is one
        else:
            poster = Poster(f"http://127.0.0.1:{port}", token, bodies, connections=args.posters, rate=args.rate)
            post_s = poster.run()
            post_retries = poster.retries
            for answer in poster.results:
                status = (answer or {}).get("http", 0)
                answers["accepted" if status == 202 else "already_stored" if status == 200 else "refused"] += 1
        expected = answers["accepted"]
        finished = wait_for_final(args.timeout, expected, watch=list(processes.values()))
        peaks = sampler.stop()
        result = {
            "articles": len(bodies),
            **outcome(bodies),
            "accepted": answers["accepted"],
            "already_stored": answers["already_stored"],
            "refused": answers["refused"],
            "finished_in_time": finished,
            "workers": args.workers,
            "concurrency": args.concurrency,
            "rate": args.rate or None,
            "post_s": round(post_s, 2),
            "posted_per_s": round(len(bodies) / post_s, 2) if post_s else 0.0,
            "post_retries": post_retries,
            "intake": intake,
            "worker_rss_mb_max": round(max((v for k, v in peaks.items() if k.startswith("worker")), default=0.0), 1),
            "worker_rss_mb_total_max": round(sum(v for k, v in peaks.items() if k.startswith("worker")), 1),
            "api_rss_mb_max": round(peaks.get("api", 0.0), 1),
            "rss_samples": sampler.samples,
            "cpu_ms_per_article": {
                "workers": round(1000 * sum(v - cpu_before.get(k, 0.0) for k, v in sampler.cpu.items() if k.startswith("worker")) / max(1, len(bodies)), 1),
                "api": round(1000 * (sampler.cpu.get("api", 0.0) - cpu_before.get("api", 0.0)) / max(1, len(bodies)), 1),
                "consumer": round(1000 * (sampler.cpu.get("consumer", 0.0) - cpu_before.get("consumer", 0.0)) / max(1, len(bodies)), 1),
                "postgres": round(1000 * sampler.server_cpu_s().get("postgres", 0.0) / max(1, len(bodies)), 1),
            },
            "load_avg": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()},
        }
        ordered = ["intake", "articles", "stored", "duplicates", "lost", "failed", "articles_per_s", "received_per_s", "latency_ms_p50", "latency_ms_p99", "worker_rss_mb_max"]
        result = {**{key: result[key] for key in ordered}, **{k: v for k, v in result.items() if k not in ordered}}
    finally:
        stop(*processes.values())
        try:
            delete_keys(args.redis, prefix)
        finally:
            if not args.keep_database:
                drop_database(database_url, args.pg_admin)
            elif result:
                result["database_url"] = database_url
            use_environment(saved)
    result["logs"] = str(logdir)
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimwire bench load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, metavar="N")
    parser.add_argument("--workers", type=int, default=2, metavar="W", help="worker processes (claimwire worker), default 2")
    parser.add_argument("--concurrency", type=int, default=1, metavar="C", help="pool processes per worker (default 1)")
    parser.add_argument("--rate", type=float, default=0.0, metavar="R", help="post at R articles/s (default: as fast as the API accepts them)")
    parser.add_argument("--posters", type=int, default=4, metavar="P", help="concurrent HTTP connections posting (default 4)")
    parser.add_argument("--data", default=str(DEFAULT_GVC), metavar="FILE", help="gvc-style .jsonl.gz (default ../shared/data/gvc-dev.jsonl.gz)")
    parser.add_argument("--timeout", type=float, default=1800.0, metavar="S", help="longest wait for the pipeline to finish after posting")
    parser.add_argument("--pg-admin", default=PG_ADMIN_URL, help="PostgreSQL URL allowed to CREATE/DROP DATABASE")
    parser.add_argument("--redis", default=REDIS_URL)
    parser.add_argument("--no-beat", dest="beat", action="store_false", help="do not start beat (the sweep that re-sends stalled articles)")
    parser.add_argument("--keep-database", action="store_true", help="do not drop the run's database (its URL is printed)")
    parser.add_argument("--logdir", help="where the processes' logs go (default: a temporary directory)")
    parser.add_argument("--intake", choices=["api", "stream", "both"], default="api", help="feed through POST /articles (default), the intake stream, or both legs in one run")
    parser.add_argument("--rounds", type=int, default=1, metavar="R", help="with --intake both: R rounds of the two legs, alternating; medians compared")
    parser.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result = run(args)
    print_result(result, args.json)
    return 0 if result.get("lost") == 0 and result.get("duplicates") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
