"""Fault drills: a private Redis and PostgreSQL to break, and the whole service around them.

- `PrivateRedis`: a redis-server of its own (free port, temporary directory, no persistence: a restart loses
  every queued message, the worst case), started, killed and started again on the same port.
- `PrivatePostgres`: a cluster of its own (initdb into a temporary directory owned by postgres, trust
  auth, a free port, a socket directory of its own), started and stopped with pg_ctl as the postgres user.
- `Drill`: a fresh database (on the system PostgreSQL or a private cluster), the API, workers and beat as
  subprocesses (bench/harness.py) pointed at it and at a private Redis, posting through the API with the
  load bench's `Poster` (a post meeting a connection error or a 5xx is sent again), waiting until every
  article is final and reading the outcome with the load bench's accounting (`bench_load.account`).

Short recovery settings (see tasks/sweep.py and workers/app.py): the ordering sweep re-sends a stage that made no
progress for ORDER_WAIT_S, a message a dead worker took unacknowledged is delivered again after
VISIBILITY_TIMEOUT_S.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench import load as bench_load
from bench.harness import free_port, fresh_broker_connections, log_tail, ping_workers, start_api, start_beat, start_worker, stop
from tests.conftest import apply_env

PG_BIN = Path(os.environ.get("CLAIMWIRE_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

ORDER_WAIT_S = 6.0
VISIBILITY_TIMEOUT_S = 10.0
RECOVERY_ENV = {"CLAIMWIRE_ORDER_WAIT_S": str(ORDER_WAIT_S), "CLAIMWIRE_VISIBILITY_TIMEOUT_S": str(VISIBILITY_TIMEOUT_S)}


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - the thing waited for may be down right now
            value = None
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


# --- Redis --------------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server on a free port with its own directory; `restart` keeps the port (and loses the data)."""

    def __init__(self, workdir: Path) -> None:
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20) -> None:
        argv = [
            REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir), "--save", "",
            "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no", "--logfile", "",
        ]  # fmt: skip
        with open(self.dir / "redis.log", "ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self.ping, timeout, f"redis-server on port {self.port}: {(self.dir / 'redis.log').read_text(errors='replace')[-1000:]}")

    def ping(self) -> bool:
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def messages(self) -> dict[str, int]:
        """Messages waiting in each queue, and taken by a worker but not acknowledged yet (what a restart loses)."""
        import redis

        from workers.queues import queue_depths

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)
        try:
            return {**queue_depths(client), "unacked": int(client.hlen("unacked"))}
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL: the server goes without saving anything (it keeps nothing on disk anyway)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self, down_s: float = 3.0) -> None:
        self.kill()
        time.sleep(down_s)
        self.start()

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# --- PostgreSQL ------------------------------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL cluster of its own, run by the postgres user (the server refuses to run as root)."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="claimwire-drill-pg-"))
        self.data = self.base / "data"
        self.sockets = self.base / "sock"
        self.logfile = self.base / "postgres.log"
        self.port = free_port()
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        user = pwd.getpwnam("postgres")
        self.sockets.mkdir()
        for path in (self.base, self.sockets):
            os.chown(path, user.pw_uid, user.pw_gid)

    def _as_postgres(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
        runas = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*runas, *argv], capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv)} exited with {done.returncode}: {done.stdout[-2000:]} {done.stderr[-2000:]}\n{self.log_tail()}"
            )
        return done

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.logfile.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def init(self) -> None:
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\n# claimwire fault drill\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.sockets}'\n"
                "max_connections = 200\nfsync = off\nfull_page_writes = off\nshared_buffers = 64MB\n"
            )
        # synchronous_commit stays on, as deployed: an intake commit the API answered must survive a crash of the
        # server (the stages' engine turns it off per connection, storage/db.py stage_engine, which is what the crash
        # drill tries); off for the whole server, an answered article could be taken back and the drill count it lost.
        # fsync off is safe here: the drill kills the server's processes, not the machine's kernel that holds the WAL.

    def start(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def close(self) -> None:
        try:
            if self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


# --- the service ----------------------------------------------------------------------------------------


class Drill:
    """A fresh database, the API, WORKERS workers and beat, pointed at a private Redis; this test process too."""

    def __init__(
        self,
        logdir: Path,
        redis: PrivateRedis,
        admin_url: str,
        monkeypatch,
        *,
        workers: int = 2,
        concurrency: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        self.logdir, self.redis, self.admin_url, self.monkeypatch = Path(logdir), redis, admin_url, monkeypatch
        self.n_workers, self.concurrency = workers, concurrency
        self.extra_env = env or {}
        self.run_id = uuid.uuid4().hex[:8]
        self.token = secrets.token_hex(16)
        self.processes: dict[str, subprocess.Popen] = {}
        self.database_url: str | None = None
        self.api_port = free_port()
        self.poster: bench_load.Poster | None = None
        self._poster_thread: threading.Thread | None = None
        self.events: list[tuple[float, str]] = []  # (seconds since start, what the drill did) for the report
        self.started = time.monotonic()

    # set-up and tear-down

    def __enter__(self) -> Drill:
        self.database_url = bench_load.create_database(self.admin_url, prefix="claimwire_drill")
        self.env = dict(os.environ)
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.env.update(
            DATABASE_URL=self.database_url,
            BROKER_URL=self.redis.url,
            CLAIMWIRE_BROKER_PREFIX="",
            CLAIMWIRE_API_TOKEN=self.token,
            CLAIMWIRE_HOME=str(self.logdir / "home"),
            CLAIMWIRE_LOG_LEVEL="WARNING",
            **RECOVERY_ENV,
            **self.extra_env,
        )
        apply_env(
            self.monkeypatch,
            DATABASE_URL=self.database_url,
            BROKER_URL=self.redis.url,
            CLAIMWIRE_BROKER_PREFIX="",
            CLAIMWIRE_API_TOKEN=self.token,
            **RECOVERY_ENV,
            **self.extra_env,
        )
        fresh_broker_connections()
        try:
            self.start_api()
            for n in range(self.n_workers):
                self.start_worker(f"w{n + 1}")
            self.processes["beat"] = start_beat(self.logdir, self.env)
            from workers.app import app

            ready = 0
            deadline = time.monotonic() + 90
            while ready < self.n_workers and time.monotonic() < deadline:
                dead = [name for name, process in self.processes.items() if process.poll() is not None]
                if dead:
                    raise RuntimeError(f"{', '.join(dead)} exited at start: {self.logs()}")
                ready = ping_workers(app, self.n_workers, timeout=3)
            if ready < self.n_workers:
                raise RuntimeError(f"only {ready} of {self.n_workers} workers answered: {self.logs()}")
        except BaseException:
            self.close()
            raise
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            if self._poster_thread is not None:
                self._poster_thread.join(timeout=5)
            stop(*self.processes.values(), timeout=15)
            fresh_broker_connections()
        finally:
            if self.database_url is not None:
                try:
                    bench_load.drop_database(self.database_url, self.admin_url)
                except Exception:  # noqa: BLE001 - the cluster may be down after a failed drill; it goes with its fixture
                    pass
                self.database_url = None

    # processes

    def start_api(self, name: str = "api") -> subprocess.Popen:
        self.processes["api"] = start_api(self.logdir, self.env, self.api_port, name=name, timeout=90)
        return self.processes["api"]

    def start_worker(self, name: str) -> subprocess.Popen:
        self.processes[f"worker-{name}"] = start_worker(self.logdir, self.env, f"{name}-{self.run_id}", concurrency=self.concurrency)
        return self.processes[f"worker-{name}"]

    def note(self, what: str) -> None:
        self.events.append((round(time.monotonic() - self.started, 1), what))

    def logs(self, chars: int = 1500) -> str:
        out = []
        for path in sorted(self.logdir.glob("*.log")):
            tail = log_tail(self.logdir, path.stem, chars)
            if tail.strip():
                out.append(f"--- {path.name}\n{tail}")
        return "\n".join(out)

    # posting

    def post(self, bodies: list[dict], *, rate: float = 0.0, connections: int = 4, background: bool = True) -> bench_load.Poster:
        self.bodies = bodies
        self.poster = bench_load.Poster(f"http://127.0.0.1:{self.api_port}", self.token, bodies, connections=connections, rate=rate)
        if background:
            self._poster_thread = threading.Thread(target=self.poster.run, name="drill-poster", daemon=True)
            self._poster_thread.start()
        else:
            self.poster.run()
        return self.poster

    def posted(self) -> int:
        """How many posts got an answer so far."""
        return sum(1 for answer in (self.poster.results if self.poster else []) if answer is not None)

    def count(self, *statuses: str) -> int:
        """Articles in the database (with one of STATUSES, when given)."""
        from sqlalchemy import func, select

        from storage.db import session_scope
        from storage.models import Article

        query = select(func.count()).select_from(Article)
        if statuses:
            query = query.where(Article.status.in_(statuses))
        with session_scope() as session:
            return session.scalar(query)

    def wait_stored(self, count: int, timeout: float = 120) -> int:
        return wait_for(lambda: (n := self.count("stored")) >= count and n, timeout, f"{count} articles stored")

    # the outcome

    def finish(self, timeout: float = 240) -> dict:
        """Wait for the poster and until every article is final; the accounting, with the run's timings."""
        if self._poster_thread is not None:
            self._poster_thread.join(timeout=bench_load.RETRY_FOR_S + 30)
            assert not self._poster_thread.is_alive(), "the poster did not finish"
        answered = [a for a in self.poster.results if a and a.get("http") in (200, 202)]
        finished = bench_load.wait_for_final(timeout, len({a["id"] for a in answered}), watch=[])
        self.note("all final" if finished else f"not all final after {timeout:g} s")
        from storage.db import reset_engines

        reset_engines()  # connections from before a database restart
        result = bench_load.account(self.bodies, self.poster.results)
        result["finished_in_time"] = finished
        result["post_retries"] = self.poster.retries
        result["drill_s"] = round(time.monotonic() - self.started, 1)
        result["timeline"] = self.events
        return result


def assert_nothing_lost_or_twice(result: dict, drill: Drill | None = None) -> None:
    """Every posted article final exactly once; every failure with its reason; nothing written twice."""
    problems = {
        key: result[key]
        for key in ("lost_ids", "not_final_ids", "failed_without_reason", "stored_unlinked", "missing_from_ledger", "id_mismatch")
        if result.get(key)
    }
    if result.get("duplicates"):
        problems["duplicates"] = result["duplicate_detail"]
    if result.get("unanswered"):
        problems["unanswered"] = result["unanswered"]
    if not result.get("finished_in_time"):
        problems["finished_in_time"] = False
    # the drill's articles are all good input: a failure is the fault's doing (or a bug), never the article's
    if result.get("failure_reasons"):
        problems["failure_reasons"] = result["failure_reasons"]
    summary = {
        k: result.get(k)
        for k in (
            "stored",
            "failed",
            "content_duplicates",
            "skipped",
            "lost",
            "duplicates",
            "failure_reasons",
            "post_retries",
            "drill_s",
            "timeline",
        )
    }
    assert not problems, f"{problems}\nsummary: {summary}\n{drill.logs() if drill else ''}"
    if drill is not None:
        accounted = result["stored"] + result["failed"] + result["content_duplicates"] + result["skipped"]
        assert accounted == len(drill.bodies), f"{accounted} final articles for {len(drill.bodies)} posted: {summary}"


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL the worker's main process and its pool children (its process group) at once."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
