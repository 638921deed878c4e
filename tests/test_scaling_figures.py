"""The scaling figures of `bench load`: the hold time of the locks only one worker can hold at a time is
accounted, and the figures follow from it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO


def test_the_event_lock_hold_is_summed_over_processes(tmp_path):
    """Prometheus multiprocess mode (prefork workers): the store's event-lock holds reported in two processes (as
    tasks/store.py reports them) are read back as one sum."""
    directory = tmp_path / "metrics"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "PYTHONPATH": str(REPO)}
    child = textwrap.dedent(
        """
        from workers import metrics
        metrics.EVENT_LOCK_HOLD.observe(0.03)
        """
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", child], env=env, check=True, cwd=REPO)
    from bench.load import read_metrics

    figures = read_metrics([directory, tmp_path / "absent"])
    assert figures["event_lock_s"]["hold"] == pytest.approx(0.06)


def test_scaling_figures_follow_from_the_hold_time_and_the_reference():
    from bench.load import scaling_figures

    figures = scaling_figures(
        2000, {"hottest_event": 4.0, "hottest_link_key": 6.0}, articles_per_s=30.0, stage_processes=2, reference_per_s=20.0
    )
    assert figures["serial_ms_per_article"] == 5.0  # (4 + 6) s over 2000 articles
    assert figures["serial_ms_by_lock"] == {"hottest_event": 2.0, "hottest_link_key": 3.0}
    assert figures["ceiling_articles_per_s"] == 200.0  # 1000 / 5 ms
    assert figures["ceiling_if_locks_overlap"] == pytest.approx(333.3, abs=0.1)  # 1000 / the slowest lock's 3 ms
    assert figures["parallel_efficiency"] == 0.75  # 30 / (2 x 20)
    assert figures["stage_processes"] == 2


def test_scaling_figures_without_a_reference_or_holds_give_no_ratio():
    from bench.load import scaling_figures

    figures = scaling_figures(100, {}, articles_per_s=10.0, stage_processes=2, reference_per_s=None)
    assert figures["serial_ms_per_article"] == 0.0
    assert figures["ceiling_articles_per_s"] is None
    assert figures["parallel_efficiency"] is None


def test_statements_are_counted_per_thread_and_read_back_per_article(pg_url, tmp_path, monkeypatch):
    """With CLAIMWIRE_PROFILE_DIR, every statement a PostgreSQL connection sends (through the ORM or straight to the
    driver) and every transaction it commits is counted; `bench load` reads them back per stage and per article."""
    import json

    from sqlalchemy import text

    from bench.load import read_stage_cpu, statement_figures
    from storage import db
    from tests.conftest import apply_env

    apply_env(monkeypatch, DATABASE_URL=pg_url, CLAIMWIRE_PROFILE_DIR=str(tmp_path / "profile"))
    before = (db.SQL_COUNTS.statements, db.SQL_COUNTS.transactions)
    with db.session_scope() as session:
        session.execute(text("SELECT 1"))
        session.connection().connection.driver_connection.execute("SELECT 2")
    with db.session_scope(read_only=True) as session:
        session.execute(text("SELECT 3"))  # autocommit: no transaction
    assert (db.SQL_COUNTS.statements - before[0], db.SQL_COUNTS.transactions - before[1]) == (3, 1)

    directory = tmp_path / "profile"
    directory.mkdir()
    (directory / "1.json").write_text(json.dumps({"stages": {"link": [4, 0.1, 24, 4]}, "sql": {"statements": 30, "transactions": 6}}))
    (directory / "2.json").write_text(json.dumps({"stages": {"link": [2, 0.05], "store": [2, 0.02, 8, 2]}}))  # a process of before
    figures = statement_figures(read_stage_cpu(directory), 4)
    assert figures["by_stage"] == {"link": 6.0, "store": 2.0} and figures["stages"] == 8.0
    assert figures["transactions_by_stage"] == {"link": 1.0, "store": 0.5}
    assert figures["workers_all"] == 7.5


def test_the_serial_part_is_the_hottest_event_and_the_hottest_link_key():
    """What only one worker can do at a time: store the articles of the event with the most (for their share of
    the event-lock hold time), and link the articles that share the most-locked key (for their share of the
    key-lock hold time). The change feed takes no lock of its own."""
    from bench.load import scaling_figures, serial_seconds

    hottest = {"key": "p:athens", "articles": 100, "share": 0.05}
    held = serial_seconds(event_hold_s=10.0, hottest={"event_id": 3, "articles": 400, "share": 0.2}, key_hold_s=20.0, hottest_key=hottest)
    assert held == {"hottest_event": 2.0, "hottest_link_key": 1.0}  # 10 s x 20 %, 20 s of key-lock hold x 5 %
    figures = scaling_figures(2000, held, articles_per_s=30.0, stage_processes=2, reference_per_s=20.0)
    assert figures["serial_ms_by_lock"] == {"hottest_event": 1.0, "hottest_link_key": 0.5}
    assert figures["serial_ms_per_article"] == 1.5
    assert figures["ceiling_articles_per_s"] == pytest.approx(666.7, abs=0.1)


def test_the_hottest_link_key_is_counted_as_the_link_stage_locks_it(sqlite_store, seeds_dir):
    """Read back from a store: the seeds' five articles on one strike all lock the key they share most, and all
    go to one event."""
    from bench.load import hottest_event, hottest_lock_key
    from claimwire.sources import iter_items
    from service.ingest import receive_all

    assert hottest_lock_key() == {} and hottest_event() == {}
    receipts = list(receive_all(iter_items([str(seeds_dir)])))
    assert [r.status for r in receipts] == ["stored"] * 5
    hottest = hottest_lock_key()
    assert hottest["articles"] == 5 and hottest["share"] == 1.0, hottest  # one event: every article has its key
    event = hottest_event()
    assert event["articles"] == 5 and event["share"] == 1.0 and event["event_id"], event


def test_a_process_trees_pss_counts_the_pages_its_processes_share_once():
    """A main process that loaded 200 MB before forking its child (as a worker warms up before forking its pool):
    RSS counts those pages in both processes, PSS once."""
    from bench.harness import tree_pss_mb, tree_rss_mb

    script = textwrap.dedent(
        """
        import os, sys, time
        loaded = bytearray(200 * 1024 * 1024)
        for i in range(0, len(loaded), 4096):
            loaded[i] = 1
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        print("forked", flush=True)
        time.sleep(30)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert process.stdout.readline().strip() == "forked"
        rss, pss = tree_rss_mb(process.pid), tree_pss_mb(process.pid)
        assert rss >= 400, rss
        assert 200 <= pss < 0.7 * rss, (pss, rss)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the child too
        process.wait()


def test_the_machine_cpu_left_unaccounted_is_counted_by_process_name():
    """`bench load`'s machine figures: CPU by process name between two readings (a process started meanwhile
    counts whole, a pid taken by another program counts as the new one), and the machine's busy time grows with
    a process that spins."""
    from bench.harness import cpu_by_name, machine_cpu_s, processes_cpu_s

    before = {10: ("postgres", 1.0), 11: ("python3", 5.0), 12: ("redis-server", 2.0), 13: ("ended", 9.0)}
    after = {10: ("postgres", 1.5), 11: ("ls", 0.25), 12: ("redis-server", 2.0), 14: ("postgres", 0.5)}
    assert cpu_by_name(before, after) == {"postgres": 1.0, "ls": 0.25, "redis-server": 0.0}

    busy_before, _ = machine_cpu_s()
    spinner = subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 0.6\nwhile time.time() < end: pass"])
    spinner.wait()
    busy_after, _ = machine_cpu_s()
    assert busy_after - busy_before >= 0.4
    names = {name for name, _ in processes_cpu_s().values()}
    assert "python3" in names or any(name.startswith("python") for name in names)


def test_the_collectors_cpu_is_counted_per_process_and_read_back_per_article(tmp_path, monkeypatch):
    """With CLAIMWIRE_PROFILE_DIR a worker process times each collection of the cyclic garbage collector and writes the
    sum at its exit; `bench load` adds up the processes' (stages.gc_ms_per_article)."""
    import gc
    import json
    import os

    from bench.load import read_stage_cpu, stage_figures
    from tests.conftest import apply_env
    from workers import app as worker_app

    directory = tmp_path / "profile"
    apply_env(monkeypatch, CLAIMWIRE_PROFILE_DIR=str(directory))
    monkeypatch.setattr(worker_app, "_COLLECTIONS", {"seconds": 0.0, "count": 0, "started": 0.0})
    worker_app._start_profile()
    try:
        garbage = [[] for _ in range(1000)]
        for index, item in enumerate(garbage[:-1]):
            item.append(garbage[index + 1])
        garbage[-1].append(garbage[0])  # a cycle only the collector frees
        del garbage, item
        gc.collect()
        gc.collect()
    finally:
        gc.callbacks.remove(worker_app._collect_timer)
    counted = dict(worker_app._COLLECTIONS)
    assert counted["count"] >= 2 and counted["seconds"] > 0
    worker_app._dump_profile()
    written = json.loads((directory / f"{os.getpid()}.json").read_text())["gc"]
    assert written == {"cpu_s": counted["seconds"], "collections": counted["count"]}
    (directory / "1.json").write_text(json.dumps({"stages": {"link": [4, 0.1]}, "gc": {"cpu_s": 0.5, "collections": 10}}))
    figures = stage_figures({"stage_wall_s": {}, "stage_runs": {}}, read_stage_cpu(directory), 1000)
    assert figures["gc_collections"] == counted["count"] + 10
    assert figures["gc_ms_per_article"] == round(counted["seconds"] + 0.5, 3)


def test_the_benchs_own_database_connections_are_told_apart_and_still_counted(pg_url, monkeypatch):
    """`bench load` opens its own connections (its wait loop's counts, its reads) with application_name
    claimwire-bench: their backends' CPU is reported apart (postgres_bench) and is still part of `postgres`, so that
    the figure reads as it always has against an older commit's bench."""
    import psycopg
    from sqlalchemy import text

    from bench.load import BENCH_APPLICATION, cpu_by_process, database_backends
    from storage.db import session_scope
    from tests.conftest import apply_env

    apply_env(monkeypatch, DATABASE_URL=f"{pg_url}?application_name={BENCH_APPLICATION}")
    with psycopg.connect(pg_url) as service_connection, session_scope() as session:
        bench_pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        service_pid = service_connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        found = database_backends(pg_url)()
    assert found[bench_pid] == "postgres_bench"
    assert found[service_pid] == "postgres"

    class Sampler:
        cpu = {"worker1": 3.0, "api": 1.0}

        def server_cpu_s(self):
            return {"postgres": 2.0, "postgres_bench": 0.5}

    figures = cpu_by_process(Sampler(), {}, 1000, 0.2, (0.0, 0.0), {})
    assert figures["postgres"] == 2.5 and figures["postgres_bench"] == 0.5
    assert figures["total_service"] == 3.0 + 1.0 + 2.5
