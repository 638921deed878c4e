"""Running the service's own processes from Python, for `claimwire bench load`, the integration tests and the
fault drills: the API (`claimwire serve`), Celery workers and beat as subprocesses, the resident memory of
their process trees, and gvc-dev articles as API request bodies.

Each process is started in a session of its own (so that a drill can SIGKILL a worker together with its pool
children) with its output in LOGDIR/NAME.log; `stop` ends them (SIGTERM, then SIGKILL after a grace period).
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

import httpx

from bench import REPO, shared_dir

DEFAULT_GVC = shared_dir() / "data" / "gvc-dev.jsonl.gz"


# --- processes ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(logdir: Path, name: str, chars: int = 3000) -> str:
    path = Path(logdir) / f"{name}.log"
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def start(logdir: Path, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    """`python -m service.cli ARGV...` with its output in LOGDIR/NAME.log, in a process group of its own."""
    Path(logdir).mkdir(parents=True, exist_ok=True)
    with open(Path(logdir) / f"{name}.log", "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "service.cli", *argv], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_healthy(
    port: int, process: subprocess.Popen | None = None, *, timeout: float = 60, logdir: Path | None = None, name: str = "api"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the API exited with {process.returncode}: {log_tail(logdir, name) if logdir else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the API did not become healthy in {timeout:g} s: {log_tail(logdir, name) if logdir else ''}")


def start_api(logdir: Path, env: dict[str, str], port: int, *, name: str = "api", timeout: float = 60) -> subprocess.Popen:
    """`claimwire serve` on 127.0.0.1:PORT; returns once /healthz answers 200. The benches and drills measure the
    service, not the API's per-client post limit: it is off unless ENV sets CLAIMWIRE_API_POST_RATE."""
    env = {"CLAIMWIRE_API_POST_RATE": "0", **env}
    process = start(logdir, name, ["serve", "--port", str(port), "--loglevel", "warning"], env)
    try:
        wait_healthy(port, process, timeout=timeout, logdir=logdir, name=name)
    except RuntimeError:
        stop(process)
        raise
    return process


def start_worker(
    logdir: Path,
    env: dict[str, str],
    name: str,
    *,
    queues: str = "fetch,process,link",
    concurrency: int = 1,
    pool: str = "prefork",
    metrics_port: int | None = None,
) -> subprocess.Popen:
    argv = [
        "worker",
        "--queues",
        queues,
        "--concurrency",
        str(concurrency),
        "--pool",
        pool,
        "--hostname",
        f"{name}@%h",
        "--loglevel",
        "WARNING",
    ]
    if metrics_port:
        argv += ["--metrics-port", str(metrics_port)]
    return start(logdir, f"worker-{name}", argv, env)


def start_beat(logdir: Path, env: dict[str, str], *, name: str = "beat") -> subprocess.Popen:
    schedule = Path(logdir) / f"{name}-schedule"
    return start(logdir, name, ["beat", "--schedule", str(schedule), "--loglevel", "WARNING"], env)


def stop(*processes: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM (a Celery worker finishes its current task), then SIGKILL to the group after TIMEOUT seconds."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            process.wait(timeout=10)
        kill_group(process)  # pool children the main process left behind


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Send SIG to the process group started with PROCESS (the process and its children)."""
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def children_of(pid: int) -> list[int]:
    """Every descendant of PID (from /proc), children first."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        stat = _proc_stat(entry) if entry.isdigit() else None
        if stat is not None:
            parents.setdefault(int(stat[1][1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _proc_mb(path: str, field: str) -> float:
    """A size in kB that a /proc file gives on its line FIELD, in MB (0 when the process is gone)."""
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss_mb(pid: int) -> float:
    """VmRSS of one process in MB (0 when it is gone)."""
    return _proc_mb(f"/proc/{pid}/status", "VmRSS:")


def pss_mb(pid: int) -> float:
    """Proportional set size of one process in MB: its private pages, and its share of the pages it shares (a
    pool process shares what its worker's main process loaded before forking it). 0 when it is gone."""
    return _proc_mb(f"/proc/{pid}/smaps_rollup", "Pss:")


def _proc_stat(pid: int | str) -> tuple[str, list[str]] | None:
    """A process's name and the fields of /proc/PID/stat after it (state first), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            head, _, tail = handle.read().decode("ascii", "replace").rpartition(")")
    except OSError:
        return None
    return head.partition("(")[2], tail.split()


def cpu_s(pid: int, *, with_waited_children: bool = True) -> float:
    """CPU seconds (user + system) of one process, with its children that have exited and been waited for."""
    stat = _proc_stat(pid)
    if stat is None:
        return 0.0
    fields = stat[1]
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if with_waited_children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_s(pid: int) -> float:
    """CPU seconds used so far by a process tree (live descendants and the children it has waited for)."""
    return cpu_s(pid) + sum(cpu_s(child) for child in children_of(pid))


def tree_rss_mb(pid: int) -> float:
    """The resident memory of a process and all its descendants, in MB (a page they share counted in each)."""
    return rss_mb(pid) + sum(rss_mb(child) for child in children_of(pid))


def tree_pss_mb(pid: int) -> float:
    """The memory a process and all its descendants take together, in MB (a page they share counted once)."""
    return pss_mb(pid) + sum(pss_mb(child) for child in children_of(pid))


def processes_cpu_s() -> dict[int, tuple[str, float]]:
    """Every process's name and own CPU seconds (user + system, without its children): pid -> (name, seconds)."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else []:
        stat = _proc_stat(entry.name) if entry.name.isdigit() else None
        if stat is not None:
            name, fields = stat
            found[int(entry.name)] = (name, (int(fields[11]) + int(fields[12])) / tick)
    return found


def cpu_by_name(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds each process name used between two `processes_cpu_s` readings (a process that started meanwhile:
    all of its time; one that ended meanwhile is not counted)."""
    used: dict[str, float] = {}
    for pid, (name, seconds) in after.items():
        earlier = before.get(pid)
        spent = seconds - earlier[1] if earlier is not None and earlier[0] == name else seconds
        used[name] = used.get(name, 0.0) + spent
    return used


def machine_cpu_s() -> tuple[float, float]:
    """The whole machine's CPU seconds since boot, (busy, idle), all cores summed (/proc/stat; iowait counts as
    idle; (0, 0) where there is no /proc): what the service's own processes do not account for shows up here."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(value) for value in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / tick, idle / tick


class RssSampler(threading.Thread):
    """Samples the RSS of each process tree every INTERVAL seconds; `peak` is the largest tree seen, per name
    (`peak_pss` the same in PSS: what the tree takes, pages shared between its processes counted once)."""

    def __init__(self, processes: dict[str, subprocess.Popen], interval: float = 0.5, servers=None) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.processes, self.interval = processes, interval
        self.servers = servers  # optional: a callable giving {pid: name} of server processes (database backends) to count CPU for
        self.server_cpu: dict[int, tuple[str, float, float]] = {}  # pid: (name, first seen, last seen)
        self.peak: dict[str, float] = {}
        self.peak_pss: dict[str, float] = {}
        self.cpu: dict[str, float] = {}  # CPU seconds used by each tree, at the last sample
        self.samples = 0
        self._stopped = threading.Event()

    def sample(self) -> None:
        for name, process in list(self.processes.items()):
            if process.poll() is None:
                self.peak[name] = max(self.peak.get(name, 0.0), tree_rss_mb(process.pid))
                self.peak_pss[name] = max(self.peak_pss.get(name, 0.0), tree_pss_mb(process.pid))
                self.cpu[name] = max(self.cpu.get(name, 0.0), tree_cpu_s(process.pid))
        if self.servers is not None:
            try:
                for pid, name in self.servers().items():
                    used = cpu_s(pid, with_waited_children=False)
                    if used:
                        first = self.server_cpu.get(pid, (name, used, used))[1]
                        self.server_cpu[pid] = (name, first, used)
            except Exception:  # noqa: BLE001 - diagnostics only
                pass
        self.samples += 1

    def server_cpu_s(self) -> dict[str, float]:
        """CPU seconds the server processes used while sampled, by name."""
        out: dict[str, float] = {}
        for name, first, last in self.server_cpu.values():
            out[name] = out.get(name, 0.0) + (last - first)
        return out

    def run(self) -> None:
        while not self._stopped.is_set():
            self.sample()
            self._stopped.wait(self.interval)

    def stop(self) -> dict[str, float]:
        self._stopped.set()
        self.sample()
        self.join(timeout=5)
        return self.peak


# --- articles -------------------------------------------------------------------------------------


def gvc_records(path: Path, count: int | None = None) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        lines = islice(handle, count) if count is not None else handle
        return [json.loads(line) for line in lines]


def payload(record: dict) -> dict:
    """An API body carrying what a .jsonl line carries (sources._jsonl_items)."""
    return {
        "text": record["text"],
        "title": record.get("title"),
        "url": record.get("url"),
        "published": record.get("published"),
        "external_id": str(record["id"]),
    }


def repeated_payloads(records: list[dict], count: int) -> list[dict]:
    """COUNT bodies: the records in order, then again and again with fresh ids where COUNT is larger.

    A repeat is a new article for the service: its external id and URL get a copy number, and its text a
    last line naming the copy and the record (a different cleaned text: not a duplicate by content, and a
    line no two articles share, so that per-outlet junk learning does not take it out again).
    """
    out: list[dict] = []
    copy = 0
    while len(out) < count:
        for record in records:
            if len(out) >= count:
                break
            body = payload(record)
            if copy:
                body["external_id"] = f"{record['id']}~{copy}"
                if body.get("url"):
                    body["url"] = body["url"] + ("&" if "?" in body["url"] else "?") + f"cwcopy={copy}"
                body["text"] = body["text"].rstrip() + f"\n\n(Filed again: copy {copy} of report {record['id']}.)\n"
            out.append(body)
        copy += 1
        if not records:
            break
    return out


# --- waiting for the pipeline -----------------------------------------------------------------------


def wait_until_final(expected: int, timeout: float, watch: Iterable[subprocess.Popen] = ()) -> float:
    """Wait until the configured database holds EXPECTED articles and none is still on its way; returns the seconds waited."""
    from sqlalchemy import func, select

    from storage.db import session_scope
    from storage.models import Article, ArticleStatus

    started = time.monotonic()
    deadline = started + timeout
    last = None
    while time.monotonic() < deadline:
        for process in watch:
            if process.poll() is not None:
                raise AssertionError(f"a service process exited with {process.returncode}")
        with session_scope() as session:
            total = session.scalar(select(func.count()).select_from(Article))
            pending = session.scalar(select(func.count()).select_from(Article).where(Article.status.not_in(ArticleStatus.FINAL)))
        last = (total, pending)
        if total >= expected and pending == 0:
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"not all articles finished in {timeout} s: (articles, pending) = {last}")


def ping_workers(app, expected: int, timeout: float = 60) -> int:
    """Wait until EXPECTED Celery workers answer a ping; returns how many did."""
    deadline = time.monotonic() + timeout
    replies: list = []
    while time.monotonic() < deadline:
        try:
            replies = app.control.ping(timeout=1.0) or []
        except Exception:  # noqa: BLE001 - broker not ready yet
            replies = []
        if len(replies) >= expected:
            break
        time.sleep(0.5)
    return len(replies)


def fresh_broker_connections() -> None:
    """Make this process's Celery app connect anew with its current configuration.

    `workers.app.configure()` (called by apply_env) changes broker_url, but the app keeps the connection pool
    and the producer pools (its own and its control mailbox's) it made for the broker it used first: without
    this, `app.control.ping` and `send_task` in a second drill (or bench leg) of one process would
    still talk to the first one's Redis or key prefix.
    """
    from workers.app import app

    # the old pool is dropped, not closed: producers made from it elsewhere (eager tasks of later tests still
    # acquire one) would fail on a closed pool
    app._pool = None
    app.amqp._producer_pool = None
    try:
        del app.control.mailbox.producer_pool
    except Exception:  # noqa: BLE001 - not made yet
        pass


def use_environment(values: dict[str, str | None]) -> None:
    """Point this process (settings, engines, the Celery app) at the run's database and broker."""
    from claimwire.settings import get_settings
    from storage.db import reset_engines
    from workers.app import configure

    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()
    reset_engines()
    configure()


# --- what the clean stage decided, to compare a deployment with the in-process run ----------------------------


def clean_digest() -> dict[str, tuple]:
    """Per external id, from the current store: (status, a digest of the cleaned text, the content hash, the id)."""
    import hashlib

    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import Article

    with session_scope(read_only=True) as session:
        rows = session.execute(select(Article.external_id, Article.status, Article.clean_text, Article.content_hash, Article.id)).all()
    digest = {}
    for external_id, status, clean_text, content_hash, article_id in rows:
        text_digest = hashlib.sha1(clean_text.encode("utf-8")).hexdigest()[:16] if clean_text is not None else None
        digest[external_id] = (status, text_digest, content_hash, article_id)
    return digest


def clean_versus(reference: dict[str, tuple], found: dict[str, tuple]) -> dict:
    """The clean stage's results on the reference's articles, against the reference's (the in-process run): content
    duplicates found by each, whether the duplicate groups are the same articles, whether each group's original is
    its lowest id (receipt order: with concurrent posters it is not the file's order, so the original of a group
    may be another member than in-process), and how many cleaned texts and statuses (outside the groups) differ."""
    ids = [ext for ext in reference if ext in found]

    def groups(digest: dict[str, tuple]) -> list[list[str]]:
        by_hash: dict[str, list] = {}
        for ext in ids:
            if digest[ext][2] is not None:
                by_hash.setdefault(digest[ext][2], []).append(ext)
        return [group for group in by_hash.values() if len(group) > 1]

    found_groups = groups(found)
    in_groups = {ext for group in found_groups for ext in group}
    not_lowest = sum(1 for group in found_groups if found[min(group, key=lambda ext: found[ext][3])][0] == "duplicate")
    differing = [ext for ext in ids if reference[ext][1] != found[ext][1] or (reference[ext][0] != found[ext][0] and ext not in in_groups)]
    return {
        "articles": len(ids),
        "content_duplicates": sum(1 for ext in ids if found[ext][0] == "duplicate"),
        "content_duplicates_in_process": sum(1 for ext in ids if reference[ext][0] == "duplicate"),
        "duplicate_groups_same": {frozenset(g) for g in groups(reference)} == {frozenset(g) for g in found_groups},
        "groups_whose_original_is_not_the_lowest_id": not_lowest,
        "cleaned_text_differs": sum(1 for ext in ids if reference[ext][1] != found[ext][1]),
        "status_differs_outside_groups": sum(1 for ext in ids if reference[ext][0] != found[ext][0] and ext not in in_groups),
        "differing": [(ext, reference[ext][0], found[ext][0]) for ext in differing][:5],
    }
