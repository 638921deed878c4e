"""What an operator installs, run the way the README runs it.

The wheel, built from the sources, goes into a fresh virtual environment with requirements.lock and nothing
else (no test extras, no pip or setuptools in it: a package the service imports and does not declare is
missing here). `pip check`, then against the real Redis and PostgreSQL (a new, never-migrated database and a
Redis key prefix of this run's own): `claimwire doctor`, `claimwire migrate`, one worker on every queue, beat
and `claimwire serve`; the five seed articles go in through the HTTP API, and one event's ledger must come to
hold the seeds' figures 100, 45, 7 and 27. Every process is ended at the end, passed or failed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import httpx
import pytest

from bench.harness import free_port, log_tail, stop
from tests.conftest import REDIS_HOST, REDIS_PORT, REPO, SEEDS
from tests.dbhelp import empty_postgres_database
from tests.lockfile import LOCK, read_lock

pytestmark = [pytest.mark.services, pytest.mark.slow]

WHEEL_SOURCES = ("pyproject.toml", "README.md", "claimwire", "storage", "tasks", "workers", "service", "bench")
SEED_FIGURES = {100.0, 45.0, 7.0, 27.0}
TOKEN = "production-install-token"
LEDGER_TIMEOUT_S = 240


def run(argv: list[str], *, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, argv))} exited with {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The claimwire wheel, built from a copy of the sources (the checkout gets no build/ or egg-info)."""
    source = tmp_path_factory.mktemp("source")
    for name in WHEEL_SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, source / name)
    out = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", out, source])
    (built,) = out.glob("claimwire-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment holding the locked runtime set (hashes checked) and the wheel, nothing else."""
    root = tmp_path_factory.mktemp("prod") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", root])
    pip = [sys.executable, "-m", "pip", "--python", root / "bin" / "python"]
    run([*pip, "install", "--quiet", "--require-hashes", "-r", LOCK])
    run([*pip, "install", "--quiet", "--no-deps", wheel])
    run([*pip, "check"])
    frozen = run([*pip, "list", "--format", "json"]).stdout
    installed = {entry["name"].lower().replace("_", "-"): entry["version"] for entry in json.loads(frozen)}
    expected = {entry.name: entry.version for entry in read_lock() if entry.applies_here()} | {"claimwire": "0.1.0"}
    assert installed == expected, "the environment holds more or less than the lock and the wheel"
    return root


def service_env(bin_dir: Path, home: Path, database_url: str, prefix: str) -> dict[str, str]:
    """What an operator's shell would hold: the README's variables, and no PYTHONPATH or test settings."""
    return {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "DATABASE_URL": database_url,
        "BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/0",
        "CLAIMWIRE_BROKER_PREFIX": prefix,
        "CLAIMWIRE_HOME": str(home / "claimwire"),
        "CLAIMWIRE_API_TOKEN": TOKEN,
    }


def numbers_in(node, key: str = "") -> set[float]:
    """Every number in an event's JSON, wherever the ledger keeps it (values, bounds, ranges; numeric strings too),
    but not ids and article counts."""
    if re.search(r"(^|_)ids?$|^articles?$|^article_count$", key):
        return set()
    if isinstance(node, bool) or node is None:
        return set()
    if isinstance(node, int | float):
        return {float(node)}
    if isinstance(node, str):
        return {float(node)} if re.fullmatch(r"\d+(\.\d+)?", node.strip()) else set()
    if isinstance(node, dict):
        return set().union(*(numbers_in(value, str(name)) for name, value in node.items()))
    if isinstance(node, list):
        return set().union(*(numbers_in(value, key) for value in node))
    return set()


def test_numbers_in_walks_any_shape():
    event = {
        "id": 7,
        "article_count": 5,
        "ledger": {"articles": [{"id": 27}], "claims": [{"bounds": {"low": 45, "high": None}}, {"value": "100"}], "x": [[7.0]]},
    }
    assert numbers_in(event) == {45.0, 100.0, 7.0}


def wait_for_event_with(client: httpx.Client, figures: set[float], processes: dict[str, subprocess.Popen], logdir: Path) -> dict:
    deadline = time.monotonic() + LEDGER_TIMEOUT_S
    seen: dict[int, set[float]] = {}
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{log_tail(logdir, name)}")
        for summary in client.get("/events", params={"limit": 50}).json()["events"]:
            event = client.get(f"/events/{summary['id']}").json()
            seen[summary["id"]] = numbers_in(event)
            if figures <= seen[summary["id"]]:
                return event
        time.sleep(1)
    logs = "\n".join(f"--- {name}\n{log_tail(logdir, name)}" for name in processes)
    raise AssertionError(f"no event's ledger came to hold {sorted(figures)} in {LEDGER_TIMEOUT_S} s; seen {seen}\n{logs}")


def wait_for_statuses(client: httpx.Client, article_ids: list[int], timeout: float = 120) -> list[str]:
    """The articles' statuses once none is still on its way through the pipeline."""
    deadline = time.monotonic() + timeout
    while True:
        statuses = [client.get(f"/articles/{article_id}").json()["status"] for article_id in article_ids]
        if all(status in ("stored", "duplicate", "skipped", "failed") for status in statuses) or time.monotonic() > deadline:
            return statuses
        time.sleep(0.5)


def doctor_verdicts(output: str) -> dict[str, str]:
    verdicts = {}
    for line in output.splitlines()[:-1]:
        word, name, detail = re.split(r"\s{2,}", line, maxsplit=2)
        verdicts[name] = f"{word} {detail}"
    return verdicts


def test_the_wheel_ships_no_benchmarks_and_bench_says_so(wheel, venv, tmp_path):
    names = zipfile.ZipFile(wheel).namelist()
    assert any(name.startswith("service/") for name in names)
    assert not [name for name in names if name.startswith("bench/")], "the benchmarks went into the wheel"
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    done = subprocess.run(
        [venv / "bin" / "claimwire", "bench", "claims"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "checkout" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_the_installed_wheel_runs_the_service(venv, tmp_path):
    import redis

    home = tmp_path / "operator"
    home.mkdir()
    bin_dir = venv / "bin"
    assert (bin_dir / "claimwire").is_file()
    assert subprocess.run([bin_dir / "python", "-c", "import pytest"], capture_output=True).returncode != 0  # no test extras
    # the workers' broker replies are parsed in C (hiredis, a runtime dependency, not a test extra)
    parser = "import redis.connection as c; print(c.DefaultParser.__name__)"
    assert subprocess.run([bin_dir / "python", "-c", parser], capture_output=True, text=True).stdout.strip() == "_HiredisParser"
    prefix = f"cwprod-{uuid.uuid4().hex[:10]}:"
    processes: dict[str, subprocess.Popen] = {}
    logdir = tmp_path / "logs"
    logdir.mkdir()

    def claimwire(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([bin_dir / "claimwire", *argv], cwd=home, env=env, capture_output=True, text=True, timeout=300)
        if check:
            assert done.returncode == 0, f"claimwire {' '.join(argv)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def start(name: str, *argv: str) -> subprocess.Popen:
        with open(logdir / f"{name}.log", "ab") as log:
            processes[name] = subprocess.Popen(
                [bin_dir / "claimwire", *argv], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return processes[name]

    with empty_postgres_database("claimwire_prod") as database_url:
        env = service_env(bin_dir, home, database_url, prefix)
        try:
            before = claimwire("doctor", check=False)
            verdicts = doctor_verdicts(before.stdout)
            assert before.returncode == 1, before.stdout + before.stderr
            assert [name for name, line in verdicts.items() if line.startswith("FAIL")] == ["database"], before.stdout
            assert "not migrated" in verdicts["database"] and "kombu.transport.redis" in verdicts["transport"]

            claimwire("migrate")
            after = claimwire("doctor")
            assert "FAIL" not in after.stdout and "reachable" in doctor_verdicts(after.stdout)["broker"], after.stdout

            port = free_port()
            worker_args = ["--queues", "fetch,process,link", "--concurrency", "1", "--hostname", f"prod-{uuid.uuid4().hex[:6]}@%h"]
            start("worker", "worker", *worker_args, "--loglevel", "WARNING", "--metrics-port", str(free_port()))
            start("beat", "beat", "--schedule", str(home / "celerybeat-schedule"), "--loglevel", "WARNING")
            start("api", "serve", "--port", str(port), "--loglevel", "warning")

            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
                deadline = time.monotonic() + 60
                while True:
                    assert processes["api"].poll() is None, log_tail(logdir, "api")
                    try:
                        if client.get("/healthz").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    assert time.monotonic() < deadline, "the API did not answer /healthz: " + log_tail(logdir, "api")
                    time.sleep(0.3)

                seeds = sorted(path for path in SEEDS.glob("*.txt"))
                assert len(seeds) == 5
                article_ids = []
                for path in seeds:
                    response = client.post("/articles", json={"text": path.read_text(encoding="utf-8"), "external_id": path.stem})
                    assert response.status_code == 202, response.text
                    article_ids.append(response.json()["id"])

                event = wait_for_event_with(client, SEED_FIGURES, processes, logdir)
                assert numbers_in(event) >= SEED_FIGURES
                assert wait_for_statuses(client, article_ids) == ["stored"] * 5
            for name, process in processes.items():
                assert process.poll() is None, f"{name} exited:\n{log_tail(logdir, name)}"
        finally:
            stop(*processes.values(), timeout=20)
            client_redis = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
            for key in client_redis.scan_iter(match=prefix + "*"):
                client_redis.delete(key)
            client_redis.close()
