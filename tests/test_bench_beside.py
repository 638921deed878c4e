"""`python -m bench.beside`: two trees' `bench load` at once, each pinned to its core, compared part by part."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from bench import beside

_FAKE_CLI = textwrap.dedent(
    """
    import json, os, sys
    import hiredis_probe
    cpu = {"old": {"workers": 40.0, "api": 4.0, "postgres": 16.0}, "new": {"workers": 20.0, "api": 3.0, "postgres": 7.0}}
    tree = os.path.basename(os.getcwd())
    print(json.dumps({
        "cpu_ms_per_article": {**cpu[tree], "bench": 3.0},
        "stored": 97, "lost": 0, "duplicates": 0, "worker_rss_mb_max": 400.0, "end_to_end_s": 1.0,
        "argv": sys.argv[1:], "cores": sorted(os.sched_getaffinity(0)), "blocked": hiredis_probe.BLOCKED,
    }))
    """
)
_PROBE = "try:\n    import hiredis\n    BLOCKED = False\nexcept ImportError:\n    BLOCKED = True\n"


def _checkout(root: Path, name: str) -> Path:
    """A checkout whose `service.cli` prints what `bench load --json` prints, with where and how it ran."""
    tree = root / name
    (tree / "service").mkdir(parents=True)
    (tree / "service" / "__init__.py").write_text("")
    (tree / "service" / "cli.py").write_text(_FAKE_CLI)
    (tree / "hiredis_probe.py").write_text(_PROBE)
    return tree


def test_compare_gives_each_part_and_the_sum_new_over_old():
    old = {"cpu_ms_per_article": {"workers": 40.0, "api": 4.0, "postgres": 16.0, "bench": 3.0}, "stored": 9797, "lost": 0}
    new = {"cpu_ms_per_article": {"workers": 20.0, "api": 3.0, "postgres": 7.0, "bench": 4.0}, "stored": 9797, "lost": 0}
    compared = beside.compare(old, new)
    assert compared["old"]["all"] == 60.0 and compared["new"]["all"] == 30.0  # the bench's own CPU is not counted
    assert compared["ratio"] == {"workers": 0.5, "api": 0.75, "postgres": 0.438, "all": 0.5}
    assert compared["new"]["stored"] == 9797 and compared["old"]["lost"] == 0


def test_pooled_sums_each_side_over_the_runs_before_dividing():
    first = beside.compare(
        {"cpu_ms_per_article": {"workers": 26.1, "api": 1.8, "postgres": 7.1}},
        {"cpu_ms_per_article": {"workers": 14.0, "api": 1.3, "postgres": 5.4}},
    )
    second = beside.compare(
        {"cpu_ms_per_article": {"workers": 28.4, "api": 2.0, "postgres": 7.9}},
        {"cpu_ms_per_article": {"workers": 16.2, "api": 1.3, "postgres": 6.6}},
    )
    both = beside.pooled([first, second])
    assert both["old"]["all"] == 73.3 and both["new"]["all"] == 44.8
    assert both["ratio"]["all"] == 0.611  # 44.8 / 73.3, not the mean of 0.591 and 0.629
    assert both["ratio"]["workers"] == round(30.2 / 54.5, 3)
    assert both["every_run_all"] == [0.591, 0.629] and both["runs"] == 2


@pytest.fixture
def two_trees(tmp_path) -> tuple[dict[str, beside.Tree], Path]:
    """The old tree (hiredis blocked) and the new one, as fake checkouts, and the directory of the blockers."""
    trees = {
        "old": beside.Tree(_checkout(tmp_path, "old"), beside.OLD_ARGS, ("hiredis",)),
        "new": beside.Tree(_checkout(tmp_path, "new"), beside.NEW_ARGS),
    }
    blockers = tmp_path / "blockers"
    blockers.mkdir()
    beside.write_blockers(blockers, trees["old"].blocked)
    return trees, blockers


_TWO_CORES = pytest.mark.skipif(shutil.which("taskset") is None or len(os.sched_getaffinity(0)) < 2, reason="needs taskset and two cores")


@_TWO_CORES
def test_both_trees_run_at_once_each_on_its_core_from_its_checkout(two_trees):
    cores = sorted(os.sched_getaffinity(0))[:2]
    trees, blockers = two_trees
    servers = {"old": beside.Servers("postgresql://old-admin", "redis://o"), "new": beside.Servers("postgresql://new-admin", "redis://n")}
    run = beside.run_beside(trees, {"old": cores[0], "new": cores[1]}, 97, servers, blockers)
    assert run["ratio"]["all"] == 0.5 and run["ratio"]["postgres"] == 0.438
    assert run["old"]["stored"] == run["new"]["stored"] == 97


@_TWO_CORES
def test_each_bench_is_pinned_given_its_server_and_blocks_only_the_old_trees_modules(two_trees, monkeypatch):
    cores = sorted(os.sched_getaffinity(0))[:2]
    seen = {}
    real_compare = beside.compare

    def keep(old, new):
        seen.update(old=old, new=new)
        return real_compare(old, new)

    monkeypatch.setattr(beside, "compare", keep)
    trees, blockers = two_trees
    servers = {"old": beside.Servers("pg://o", "redis://o"), "new": beside.Servers("pg://n", "redis://n")}
    beside.run_beside(trees, {"old": cores[1], "new": cores[0]}, 50, servers, blockers)
    assert seen["old"]["cores"] == [cores[1]] and seen["new"]["cores"] == [cores[0]]
    assert seen["old"]["blocked"] is True
    assert seen["new"]["blocked"] is (importlib.util.find_spec("hiredis") is None)
    assert seen["new"]["argv"][:8] == ["bench", "load", "--articles", "50", "--workers", "2", "--pg-admin", "pg://n"]
    assert "--no-compare-linking" in seen["new"]["argv"] and "--no-compare-linking" not in seen["old"]["argv"]
    assert seen["new"]["argv"][8:10] == ["--redis", "redis://n"]
    assert seen["old"]["argv"][7] == "pg://o" and seen["old"]["argv"][9] == "redis://o"


@_TWO_CORES
def test_the_json_of_a_swapped_pair_gives_both_runs_and_their_pooled_ratio(tmp_path, capsys):
    old, new = _checkout(tmp_path, "old"), _checkout(tmp_path, "new")
    cores = sorted(os.sched_getaffinity(0))[:2]
    beside.main([str(old), str(new), "--articles", "20", "--cores", f"{cores[0]},{cores[1]}", "--swap", "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert [run["cores"] for run in printed["runs"]] == [{"old": cores[0], "new": cores[1]}, {"old": cores[1], "new": cores[0]}]
    assert printed["pooled"]["old"]["all"] == 120.0 and printed["pooled"]["new"]["all"] == 60.0
    assert printed["pooled"]["ratio"]["all"] == 0.5 and printed["pooled"]["every_run_all"] == [0.5, 0.5]


def test_a_failed_bench_stops_the_comparison(tmp_path):
    tree = _checkout(tmp_path, "old")
    (tree / "service" / "cli.py").write_text("raise SystemExit(3)\n")
    new = _checkout(tmp_path, "new")
    trees = {"old": beside.Tree(tree, ""), "new": beside.Tree(new, "")}
    core = sorted(os.sched_getaffinity(0))[0]
    with pytest.raises(SystemExit, match="old tree's bench failed"):
        servers = {"old": beside.Servers("a", "r"), "new": beside.Servers("b", "r")}
        beside.run_beside(trees, {"old": core, "new": core}, 10, servers, tmp_path)


def test_the_report_line_names_both_trees_figures():
    run = {
        "cores": {"old": 1, "new": 0},
        "started": "05:53:31",
        "ended": "06:05:44",
        **beside.compare(
            {"cpu_ms_per_article": {"workers": 46.5, "api": 3.2, "postgres": 16.6}, "stored": 9797, "lost": 0},
            {"cpu_ms_per_article": {"workers": 23.8, "api": 2.7, "postgres": 9.4}, "stored": 9797, "lost": 0},
        ),
    }
    line = beside._report(run)
    assert "new 23.8 / 2.7 / 9.4 = 35.9, old 46.5 / 3.2 / 16.6 = 66.3" in line
    assert "x 0.541" in line and json.dumps(run)


def _pg_bin() -> Path | None:
    try:
        return beside.newest_pg_bin()
    except SystemExit:
        return None


@pytest.mark.skipif(_pg_bin() is None or shutil.which("taskset") is None, reason="needs PostgreSQL's server binaries")
def test_a_cluster_of_its_own_runs_on_the_trees_core_and_stops():
    import psycopg

    scratch = Path(tempfile.mkdtemp(prefix="claimwire-beside-test-"))  # under /tmp: the postgres user must reach it
    scratch.chmod(0o755)
    root = scratch / "cluster"
    core = sorted(os.sched_getaffinity(0))[-1]
    url, stop = beside.start_cluster(root, _pg_bin(), core)
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
            assert connection.execute("SHOW autovacuum").fetchone()[0] == "off"
            assert os.sched_getaffinity(backend) == {core}
    finally:
        stop()
        shutil.rmtree(scratch, ignore_errors=True)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)


@pytest.mark.skipif(shutil.which("redis-server") is None or shutil.which("taskset") is None, reason="needs redis-server")
def test_a_redis_of_its_own_runs_on_the_trees_core_and_stops(tmp_path):
    import redis

    core = sorted(os.sched_getaffinity(0))[-1]
    url, stop = beside.start_redis(tmp_path / "redis", core)
    try:
        client = redis.Redis.from_url(url)
        assert client.ping()
        assert os.sched_getaffinity(int(client.info("server")["process_id"])) == {core}
    finally:
        stop()
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()


_AUTOVACUUM_LOG = """\
2026-12-04 20:40:01.120 UTC [4242] LOG:  automatic vacuum of table "claimwire_bench_1.public.event_index": index scans: 0
\tpages: 0 removed, 1790 remain, 1790 scanned (100.00% of total)
\tbuffer usage: 3650 hits, 0 misses, 1802 dirtied
\tsystem usage: CPU: user: 0.04 s, system: 0.01 s, elapsed: 0.11 s
2026-12-04 20:40:01.300 UTC [4242] LOG:  automatic analyze of table "claimwire_bench_1.public.event_index"
\tavg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s
\tsystem usage: CPU: user: 0.12 s, system: 0.00 s, elapsed: 0.13 s
2026-12-04 20:40:01.500 UTC [4243] LOG:  automatic aggressive vacuum to prevent wraparound of table "template1.pg_catalog.pg_depend": index scans: 0
\tsystem usage: CPU: user: 0.01 s, system: 0.01 s, elapsed: 0.02 s
2026-12-04 20:40:02.000 UTC [4250] LOG:  checkpoint starting: time
"""


def test_the_autovacuum_part_is_the_cpu_its_runs_logged_per_article():
    assert beside.autovacuum_cpu_s(_AUTOVACUUM_LOG) == pytest.approx(0.19)
    assert beside.autovacuum_cpu_s("LOG:  checkpoint starting: time\n") == 0.0
    result = {"articles": 100, "cpu_ms_per_article": {"workers": 20.0, "api": 3.0, "postgres": 7.0, "bench": 1.0}}
    counted = beside.with_autovacuum(result, _AUTOVACUUM_LOG)
    assert counted["cpu_ms_per_article"]["autovacuum"] == 1.9
    old = {"articles": 100, "cpu_ms_per_article": {"workers": 40.0, "api": 4.0, "postgres": 16.0, "autovacuum": 3.8}}
    compared = beside.compare(old, counted)
    assert compared["new"]["all"] == 31.9 and compared["old"]["all"] == 63.8
    assert compared["ratio"]["autovacuum"] == 0.5 and compared["ratio"]["all"] == 0.5
    assert beside.pooled([compared, compared])["new"]["autovacuum"] == 3.8
    assert "7.0 + 1.9 = 31.9" in beside._report({"cores": {"old": 0, "new": 1}, "started": "", "ended": "", **compared})


@pytest.mark.skipif(_pg_bin() is None or shutil.which("taskset") is None, reason="needs PostgreSQL's server binaries")
def test_a_cluster_with_autovacuum_runs_it_and_logs_its_cpu():
    import psycopg

    scratch = Path(tempfile.mkdtemp(prefix="claimwire-beside-test-"))
    scratch.chmod(0o755)
    root = scratch / "cluster"
    url, stop = beside.start_cluster(root, _pg_bin(), sorted(os.sched_getaffinity(0))[-1], autovacuum=True)
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            assert connection.execute("SHOW autovacuum").fetchone()[0] == "on"
            assert connection.execute("SHOW log_autovacuum_min_duration").fetchone()[0] == "0"
            offset = beside.cluster_log(root).stat().st_size
            connection.execute("ALTER SYSTEM SET autovacuum_naptime = 1")  # the default waits a minute
            connection.execute("SELECT pg_reload_conf()")
            connection.execute("CREATE TABLE t (n int)")
            connection.execute("INSERT INTO t SELECT generate_series(1, 20000)")
            deadline = time.monotonic() + 120  # a new cluster's autovacuum visits the templates first
            while time.monotonic() < deadline and not _automatic_runs(root, offset, '"postgres.public.t"'):
                time.sleep(0.5)
        assert _automatic_runs(root, offset, '"postgres.public.t"')  # each run of it logged as the part reads it
        logged = beside.log_from(beside.cluster_log(root), offset)
        assert len(_automatic_runs(root, offset, "")) == len(re.findall(r"LOG:  automatic .* of table", logged))  # none missed
    finally:
        stop()
        shutil.rmtree(scratch, ignore_errors=True)


def _automatic_runs(root: Path, offset: int, table: str) -> list[str]:
    """The automatic vacuums and analyzes of TABLE the cluster in ROOT logged past OFFSET, each with its CPU."""
    runs = beside._AUTOVACUUM_CPU.finditer(beside.log_from(beside.cluster_log(root), offset))
    return [run.group(0) for run in runs if table in run.group(0)]
