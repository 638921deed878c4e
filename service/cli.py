"""The `claimwire` command line."""

from __future__ import annotations

import argparse
import gc
import json
import sys

from claimwire.ledgerview import event_fields, fmt_time, stored_event_json, stored_event_text, toll_text, truncate
from claimwire.settings import get_settings


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from claimwire.sources import iter_items
    from service.ingest import prepare_store, receive_all

    prepare_store()
    settings = get_settings()
    counts = {"new": 0, "duplicate": 0, "failed": 0}
    bar = tqdm(desc="ingest", unit="item", file=sys.stderr, disable=args.quiet or None, leave=False)
    for receipt in receive_all(iter_items(args.targets)):
        bar.update(1)
        if not receipt.ok:
            counts["failed"] += 1
            bar.write(f"error: {receipt.ref}: {receipt.error}", file=sys.stderr)
        elif not receipt.created:
            counts["duplicate"] += 1
            if not args.quiet:
                bar.write(f"already stored: {receipt.ref} is article {receipt.article_id} ({receipt.status})", file=sys.stderr)
        else:
            counts["new"] += 1
            if receipt.status == "duplicate" and not args.quiet:
                bar.write(f"duplicate: {receipt.ref}: {receipt.error}", file=sys.stderr)
    bar.close()
    mode = "processed in-process" if settings.embedded else "queued"
    print(f"ingested: {counts['new']} new ({mode}), {counts['duplicate']} already stored, {counts['failed']} failed")
    return 0 if counts["failed"] == 0 or args.keep_going_status else 1


def cmd_demo(args: argparse.Namespace) -> int:
    """Ingest a directory of articles in-process and print the events table and their events' ledgers."""
    from claimwire.sources import iter_items
    from service.ingest import prepare_store, receive_all
    from storage import reads, repository
    from storage.db import session_scope

    prepare_store()
    receipts = list(receive_all(iter_items([args.directory])))
    for receipt in receipts:
        if not receipt.ok:
            print(f"error: {receipt.ref}: {receipt.error}", file=sys.stderr)
    ids = [r.article_id for r in receipts if r.article_id is not None]
    print(f"ingested {len(ids)} articles from {args.directory} into {get_settings().database_url}\n")
    cmd_events(argparse.Namespace(limit=20, json=False))
    with session_scope() as session:
        for event_id in repository.events_of_articles(session, ids):
            event = reads.event(session, event_id)
            print()
            print(stored_event_text(event))
    return 0 if all(r.ok for r in receipts) else 1


def cmd_events(args: argparse.Namespace) -> int:
    from storage import repository
    from storage.db import session_scope

    with session_scope() as session:
        events = repository.list_events(session, limit=args.limit)
        if args.json:
            print(json.dumps([{**event_fields(e), "toll": stored_event_json(e)["toll"]} for e in events], indent=2, default=str))
            return 0
        print(f"{'id':>6}  {'first seen':16}  {'last seen':16}  {'articles':>8}  {'toll':40}  headline")
        for event in events:
            toll = truncate(toll_text(event.ledger), 40) or "-"
            print(
                f"{event.id:>6}  {fmt_time(event.first_seen, '-'):16}  {fmt_time(event.last_seen, '-'):16}  {event.article_count:>8}  {toll:40}  {truncate(event.headline, 70)}"
            )
    return 0


def cmd_event(args: argparse.Namespace) -> int:
    from storage import reads
    from storage.db import session_scope

    with session_scope() as session:
        event = reads.event(session, args.event_id)
        if event is None:
            print(f"error: no event {args.event_id}", file=sys.stderr)
            return 1
        if event.merged_into_id:
            print(f"event {event.id} was merged into event {event.merged_into_id}")
        if args.json:
            print(json.dumps(stored_event_json(event), indent=2, default=str))
            return 0
        print(stored_event_text(event))
    return 0


def cmd_failures(args: argparse.Namespace) -> int:
    from storage import repository
    from storage.db import session_scope

    with session_scope() as session:
        for failure in repository.failures(session, limit=args.limit):
            where = f"article {failure.article_id}" if failure.article_id else failure.item
            kind = "transient" if failure.transient else "permanent"
            print(
                f"{fmt_time(failure.created_at, '-')}  {failure.stage:8}  {failure.reason:20}  {kind:9}  {where}: {truncate(failure.message, 100)}"
            )
    return 0


def cmd_rebuild_ledgers(args: argparse.Namespace) -> int:
    """Rebuild every event's stored ledger from its articles' claims (after an upgrade of the ledger)."""
    from service.ingest import prepare_store
    from storage import repository
    from storage.db import session_scope

    prepare_store()
    with session_scope() as session:
        ids = repository.live_event_ids(session)
    for event_id in ids:
        with session_scope() as session:
            repository.rebuild_ledger(session, event_id)
    print(f"rebuilt {len(ids)} ledgers")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from storage.db import migrate

    migrate()
    print("database is at the newest migration")
    return 0


def _prepare_multiproc_dir(metrics_port: int | None) -> None:
    """Prometheus multiprocess mode must be chosen before prometheus_client is imported; start from an empty directory."""
    import os
    import tempfile
    from pathlib import Path

    directory = get_settings().prometheus_multiproc_dir
    if not directory and metrics_port:
        directory = tempfile.mkdtemp(prefix="claimwire-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory  # for the worker processes this one forks or starts
        get_settings.cache_clear()
    if directory:
        if "prometheus_client" in sys.modules and not sys.modules["prometheus_client"].values.ValueClass.__name__.startswith(
            "MultiProcess"
        ):
            print("warning: prometheus_client was imported before PROMETHEUS_MULTIPROC_DIR was set", file=sys.stderr)
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)


def cmd_worker(args: argparse.Namespace) -> int:
    import os

    if get_settings().embedded:
        print("error: BROKER_URL is not set; the embedded default runs tasks in-process and needs no worker", file=sys.stderr)
        return 2
    if args.metrics_port:
        os.environ["CLAIMWIRE_METRICS_PORT"] = str(args.metrics_port)
        get_settings.cache_clear()
    _prepare_multiproc_dir(get_settings().metrics_port)
    from workers.app import app

    argv = ["worker", "--loglevel", args.loglevel, "-Q", args.queues]
    if args.concurrency:
        argv += ["--concurrency", str(args.concurrency)]
    if args.pool:
        argv += ["--pool", args.pool]
    if args.hostname:
        argv += ["--hostname", args.hostname]
    if not get_settings().worker_heartbeat:
        argv += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    app.worker_main(argv)
    return 0


def cmd_beat(args: argparse.Namespace) -> int:
    """Celery beat: polls the feeds and runs the sweep of stalled articles (one beat per deployment)."""
    from workers.app import app

    if get_settings().embedded:
        print("error: BROKER_URL is not set; beat needs a broker", file=sys.stderr)
        return 2
    schedule = args.schedule or str(get_settings().home / "celerybeat-schedule")
    get_settings().home.mkdir(parents=True, exist_ok=True)
    app.start(["beat", "--loglevel", args.loglevel, "--schedule", schedule])
    return 0


def cmd_consume(args: argparse.Namespace) -> int:
    """The intake stream's consumer (service/intake.py)."""
    if args.metrics_port:
        _prepare_multiproc_dir(None)
    from service.intake import consume

    options = {
        key: value
        for key, value in (("batch", args.batch), ("block_ms", args.block_ms), ("claim_idle_s", args.claim_idle))
        if value is not None
    }
    counts = consume(args.name, metrics_port=args.metrics_port, until_idle=args.until_idle, **options)
    print(json.dumps(counts, sort_keys=True))
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    """The change feed from the table: id, time, kind, event, article and what changed."""
    from service.ingest import prepare_store
    from storage import changefeed
    from storage.db import session_scope

    prepare_store()
    with session_scope(read_only=True) as session:
        changes, _ = changefeed.read_changes(session, args.after, args.limit, event_ids=[args.event] if args.event else None)
    for change in changes:
        if args.json:
            print(json.dumps(change.to_dict(), default=str, ensure_ascii=False))
        else:
            print(
                f"{change.id:>8}  {change.at[:19]}  {change.kind:17}  event {change.event_id or '-':<6}  article {change.article_id or '-':<7}  {truncate(json.dumps(change.data, ensure_ascii=False, default=str), 90)}"
            )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """The HTTP API under uvicorn."""
    from service.api import serve

    serve(host=args.host, port=args.port, log_level=args.loglevel)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """One line per check (service/doctor.py) with its verdict; exit 1 when any check failed."""
    from service import doctor

    names = [name.strip() for name in args.only.split(",") if name.strip()] if args.only else None
    try:
        verdicts = doctor.run(names, doctor.Options(api_host=args.api_host, timeout_s=args.timeout))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for verdict in verdicts:
        print(verdict.line(), flush=True)
    failed = sum(not verdict.ok for verdict in verdicts)
    print(f"doctor: {len(verdicts) - failed} ok, {failed} failed")
    return 1 if failed else 0


def cmd_feeds(args: argparse.Namespace) -> int:
    from service.ingest import prepare_store
    from storage import repository
    from storage.db import session_scope

    prepare_store()
    if args.add:
        from claimwire.errors import InputError
        from claimwire.fetching import check_address
        from claimwire.sources import is_url, outlet_from_url, strip_credentials

        if not is_url(args.add):
            print(f"error: {args.add}: not an http(s) URL", file=sys.stderr)
            return 1
        url = strip_credentials(args.add)
        try:
            check_address(url, get_settings().fetch_allow_private)
        except InputError as error:
            if error.reason != "dns_failed":
                print(f"error: {url}: {error}", file=sys.stderr)
                return 1
        with session_scope() as session:
            feed_id, created = repository.add_feed(
                session, url, outlet=args.outlet or outlet_from_url(url), interval_s=args.interval or get_settings().feed_default_interval_s
            )
        print(f"feed {feed_id}: {url} ({'added' if created else 'already registered'})")
        return 0
    if args.poll:
        from tasks.feeds import fetch_feed

        with session_scope() as session:
            ids = repository.active_feed_ids(session)
        for feed_id in ids:
            if get_settings().embedded:
                print(json.dumps(fetch_feed.apply(args=[feed_id]).get(), default=str))
            else:
                fetch_feed.delay(feed_id)
                print(f"feed {feed_id}: poll queued")
        return 0
    with session_scope() as session:
        for feed in repository.list_feeds(session, limit=None):
            print(
                f"{feed.id:>4}  {feed.interval_s:>6}s  {fmt_time(feed.last_polled_at, '-'):16}  {(feed.last_status or '-'):14}  {feed.item_count:>6}  {feed.url}"
            )
    return 0


BENCHMARKS = {
    "claims": "bench.claims",
    "clean": "bench.clean",
    "ledger": "bench.ledger",
    "linking": "bench.linking",
    "load": "bench.load",
    "throughput": "bench.throughput",
}


def _bench_module(name: str):
    """The benchmark module NAME from the checkout's top-level `bench/` package (not shipped in the wheel)."""
    import importlib
    from pathlib import Path

    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "bench" / "__init__.py").is_file() and str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    try:
        return importlib.import_module(BENCHMARKS[name])
    except ModuleNotFoundError as exc:
        if exc.name not in ("bench", BENCHMARKS[name]):
            raise
        return None


def cmd_bench(args: argparse.Namespace, rest: list[str]) -> int:
    module = _bench_module(args.bench)
    if module is None:
        print(
            "error: the benchmarks live in the source checkout's bench/ package, which the installed wheel does not ship;"
            " run `claimwire bench` from a checkout (pip install -e .)",
            file=sys.stderr,
        )
        return 2
    return module.main(rest) or 0


def _add_intake_commands(sub) -> None:
    """The commands that bring coverage in."""
    ingest = sub.add_parser("ingest", help="ingest files (.txt .html .htm .html.gz .jsonl .jsonl.gz), directories or URLs")
    ingest.add_argument("targets", nargs="+", metavar="PATH_OR_URL")
    ingest.add_argument("-q", "--quiet", action="store_true")
    ingest.add_argument("--keep-going-status", action="store_true", help="exit 0 even when some items failed")
    ingest.set_defaults(func=cmd_ingest)

    demo = sub.add_parser("demo", help="ingest a directory in-process and print its events' ledgers")
    demo.add_argument("directory")
    demo.set_defaults(func=cmd_demo)

    feeds = sub.add_parser("feeds", help="list feeds; --add URL registers one; --poll polls them now")
    feeds.add_argument("--add", metavar="URL")
    feeds.add_argument("--outlet")
    feeds.add_argument("--interval", type=int, help="seconds between polls")
    feeds.add_argument("--poll", action="store_true")
    feeds.set_defaults(func=cmd_feeds)

    consume = sub.add_parser("consume", help="consume the intake stream (Redis: CLAIMWIRE_STREAM_URL or BROKER_URL)")
    consume.add_argument(
        "--name",
        help="this consumer's name in the group (default: host-pid); a restart under the same name takes its pending entries at once",
    )
    consume.add_argument("--batch", type=int, help="entries read at a time (default CLAIMWIRE_INTAKE_BATCH, 64)")
    consume.add_argument("--block-ms", type=int, help="longest wait for new entries per read (default CLAIMWIRE_INTAKE_BLOCK_MS, 1000)")
    consume.add_argument(
        "--claim-idle",
        type=float,
        metavar="S",
        help="claim entries pending this long on another consumer (default CLAIMWIRE_INTAKE_CLAIM_IDLE_S, 60)",
    )
    consume.add_argument("--metrics-port", type=int, help="serve Prometheus metrics on this port")
    consume.add_argument("--until-idle", action="store_true", help="stop when nothing is left to read (a batch run)")
    consume.set_defaults(func=cmd_consume)


def _add_reading_commands(sub) -> None:
    """The commands that read the ledger."""
    events = sub.add_parser("events", help="the table of events, newest activity first")
    events.add_argument("--limit", type=int, default=50)
    events.add_argument("--json", action="store_true")
    events.set_defaults(func=cmd_events)

    event = sub.add_parser("event", help="one event's claim ledger")
    event.add_argument("event_id", type=int, metavar="ID")
    event.add_argument("--json", action="store_true")
    event.set_defaults(func=cmd_event)

    failures = sub.add_parser("failures", help="recorded failures, newest first")
    failures.add_argument("--limit", type=int, default=50)
    failures.set_defaults(func=cmd_failures)

    changes = sub.add_parser("changes", help="the change feed (from the table): what changed, in order")
    changes.add_argument("--after", type=int, default=0, metavar="ID", help="changes after this id (resume)")
    changes.add_argument("--limit", type=int, default=100)
    changes.add_argument("--event", type=int, metavar="ID")
    changes.add_argument("--json", action="store_true")
    changes.set_defaults(func=cmd_changes)


def _add_process_commands(sub) -> None:
    """The long-running processes."""
    worker = sub.add_parser("worker", help="start a Celery worker (needs BROKER_URL)")
    worker.add_argument("--queues", default="fetch,process,link,webhooks")
    worker.add_argument("--concurrency", type=int)
    worker.add_argument("--pool", choices=["prefork", "threads", "solo", "gevent"])
    worker.add_argument("--hostname")
    worker.add_argument("--loglevel", default="INFO")
    worker.add_argument("--metrics-port", type=int, help="serve Prometheus metrics (aggregated over the pool) on this port")
    worker.set_defaults(func=cmd_worker)

    beat = sub.add_parser("beat", help="start Celery beat: feed polling and the ordering sweep (needs BROKER_URL)")
    beat.add_argument("--schedule", help="beat's schedule file (default: $CLAIMWIRE_HOME/celerybeat-schedule)")
    beat.add_argument("--loglevel", default="INFO")
    beat.set_defaults(func=cmd_beat)

    serve = sub.add_parser("serve", help="run the HTTP API (uvicorn)")
    serve.add_argument("--host", help="default: CLAIMWIRE_API_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, help="default: CLAIMWIRE_API_PORT or 8000")
    serve.add_argument("--loglevel", default="info")
    serve.set_defaults(func=cmd_serve)


def _add_admin_commands(sub) -> None:
    """Upkeep and checks."""
    sub.add_parser("migrate", help="bring the database to the newest migration").set_defaults(func=cmd_migrate)
    sub.add_parser("rebuild-ledgers", help="rebuild every event's ledger from its claims").set_defaults(func=cmd_rebuild_ledgers)

    doctor = sub.add_parser(
        "doctor", help="check what going live needs (database, broker, extractors, data, metrics, API token); exit 1 on any failure"
    )
    doctor.add_argument(
        "--only",
        metavar="CHECKS",
        help="comma-separated: imports,database,transport,broker,extractors,data,metrics,api-token (default: all)",
    )
    doctor.add_argument("--api-host", help="the address `claimwire serve` will bind to (default: CLAIMWIRE_API_HOST or 127.0.0.1)")
    doctor.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the database and the broker (default 5)")
    doctor.set_defaults(func=cmd_doctor)

    bench = sub.add_parser("bench", help="benchmarks on the project's data", add_help=False)
    bench.add_argument("bench", choices=sorted(BENCHMARKS))
    bench.set_defaults(func=cmd_bench)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimwire", description="News claims ledger: ingest coverage, extract claims, link events.")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_intake_commands(sub)
    _add_reading_commands(sub)
    _add_process_commands(sub)
    _add_admin_commands(sub)
    return parser


def tune_collector() -> None:
    """The cyclic garbage collector's first threshold from CLAIMWIRE_GC_THRESHOLD, in the process of any command (a
    worker's pool processes inherit it from their main process). At Python's 700 the collector took 0.40 ms of the
    workers' CPU an article in `bench load` (`stages.gc_ms_per_article`), at 20,000 0.11 ms (docs/SCALING.md)."""
    threshold = get_settings().gc_threshold
    if threshold > 0:
        _, middle, oldest = gc.get_threshold()
        gc.set_threshold(threshold, middle, oldest)


def main(argv: list[str] | None = None) -> int:
    from workers.logs import configure_logging

    configure_logging()
    tune_collector()
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command == "bench":
        return args.func(args, rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
