"""The embedded server's pipeline: the stages of tasks/, driven in the `claimwire serve` process (no broker).

`claimwire serve` on the embedded default (no BROKER_URL) runs one `Runner` (started and stopped with the app,
service/api.py). What the broker, the workers and the ordering sweep do in a deployment, it does in-process:

- fetching off the API's request threads: URL articles go to a pool of CLAIMWIRE_FETCH_WORKERS threads, at
  most CLAIMWIRE_FETCH_HOST_CONCURRENCY of them per host; the others of a host wait in its line (first come,
  first fetched), not in a pool thread: a slow host holds its own slots, never the pool (a redirect to a
  busy host answers `host_busy` and waits on a timer);
- one pipeline thread runs clean -> extract -> link -> store for one article at a time, the earliest
  received first (receipt order: what each article links against is what was received before it); the CPU stages run in worker processes
  (claimwire.budget.BoundedPool, CLAIMWIRE_CPU_WORKERS), killed past their budget, so that the budget holds
  although the API works in threads (SIGALRM only works in a main thread);
- transient errors (a host that refused or timed out, 429/5xx, the database locked) are retried with
  backoff (tasks.base.backoff_seconds) up to CLAIMWIRE_MAX_RETRIES, then recorded as a transient failure
  with the retry count; permanent ones are recorded at once;
- resuming: at start, and every CLAIMWIRE_RESUME_INTERVAL_S, every article not in a final status that the
  runner does not hold is driven on from where it stopped, in receipt order (what the ordering sweep does
  with a broker): a server killed mid-batch leaves nothing half-way. Every stage commits with a
  conditional status change, so an article driven twice is written once.

An article the runner holds is in `_active` from `submit` until it is final (or left for the next resume);
`wait` lets a request thread answer with the article's final status (text and HTML posts).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

from claimwire.budget import BoundedPool, install_pool
from claimwire.errors import InputError, TransientError
from claimwire.settings import get_settings
from claimwire.sources import URL
from storage import repository
from storage.db import STORE_ERRORS, session_scope, store_error_reason
from storage.models import ArticleStatus, utcnow
from tasks import receive
from tasks.base import WORK, Skip, backoff_seconds, fail_article, host_busy_delay, may_wait_for_host
from tasks.pipeline import BY_TASK, NEXT_TASK
from workers import metrics
from workers.logs import log

logger = logging.getLogger("claimwire.embedded")
PAGE = 1000  # articles read by one query of the resume pass
RESUME_GRACE_S = 5.0  # the periodic pass leaves alone what changed this recently (a post being handed on)

_runner: Runner | None = None


def current() -> Runner | None:
    """The running Runner of this process, if any."""
    return _runner


def start() -> Runner:
    global _runner
    if _runner is None:
        _runner = Runner()
        receive.use_runner(_runner)  # what is received from now on goes to this runner
        _runner.start()
    return _runner


def stop(timeout: float = 10.0) -> None:
    global _runner
    runner, _runner = _runner, None
    if runner is not None:
        receive.use_runner(None)
        runner.stop(timeout)


class Runner:
    def __init__(self) -> None:
        settings = get_settings()
        self._cond = threading.Condition()
        self._ready: list[int] = []  # heap: article ids for the pipeline thread, earliest received first
        self._timers: list[tuple[float, int, int]] = []  # heap: (when, seq, article id) to route again
        self._seq = itertools.count()
        self._active: set[int] = set()
        self._finished: dict[int, threading.Event] = {}
        self._retries: dict[int, int] = {}
        self._host_fetches: dict[str, int] = {}  # fetches in flight per host
        self._host_lines: dict[str, deque[int]] = {}  # articles waiting for a slot of their host
        self._stopping = threading.Event()
        self._fetchers = ThreadPoolExecutor(max_workers=max(1, settings.fetch_workers), thread_name_prefix="claimwire-fetch")
        self._pool = BoundedPool(settings.cpu_workers)
        self._previous_pool: BoundedPool | None = None
        self._threads = [
            threading.Thread(target=self._pipeline_loop, name="claimwire-pipeline", daemon=True),
            threading.Thread(target=self._schedule_loop, name="claimwire-scheduler", daemon=True),
        ]

    # --- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> None:
        import tasks.clean  # noqa: F401 - registers the stage
        import tasks.extract  # noqa: F401 - registers the stage
        import tasks.fetch  # noqa: F401 - registers the stage
        import tasks.link  # noqa: F401 - registers the stage
        import tasks.store  # noqa: F401 - registers the stage

        self._previous_pool = install_pool(self._pool)
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking work; what is half-way stays where it is (the next start resumes it)."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        self._fetchers.shutdown(wait=False, cancel_futures=True)
        for thread in self._threads:
            thread.join(timeout)
        install_pool(self._previous_pool)
        self._pool.close()
        with self._cond:
            for event in self._finished.values():
                event.set()

    # --- what the API calls --------------------------------------------------------------------------

    def submit(self, article_id: int) -> None:
        """Drive the article on from where it is (no-op when the runner holds it already)."""
        with self._cond:
            if article_id in self._active or self._stopping.is_set():
                return
            self._active.add(article_id)
        self._route(article_id)

    def wait(self, article_id: int, timeout: float) -> bool:
        """Wait until the runner lets go of the article (final, or left for the next resume); False on timeout."""
        with self._cond:
            if article_id not in self._active:
                return True
            event = self._finished.setdefault(article_id, threading.Event())
        return event.wait(timeout)

    def holds(self, article_id: int) -> bool:
        with self._cond:
            return article_id in self._active

    # --- routing -------------------------------------------------------------------------------------

    def _route(self, article_id: int) -> None:
        """Send a held article where its status says: the fetch pool, the pipeline thread, or let go (final)."""
        try:
            with session_scope(read_only=True) as session:
                state = repository.article_state(session, article_id)
        except Exception:  # noqa: BLE001 - the database is down: try again later
            logger.warning("route_failed", exc_info=True)
            self._later(article_id, 5.0)
            return
        if state is None or state.status in ArticleStatus.FINAL:
            self._finish(article_id)
        elif state.status == ArticleStatus.RECEIVED and state.source_kind == URL:
            self._queue_fetch(article_id, (urlsplit(state.url or "").hostname or "").lower())
        else:
            with self._cond:
                heapq.heappush(self._ready, article_id)
                self._cond.notify_all()

    def _queue_fetch(self, article_id: int, host: str) -> None:
        """Fetch now if the host has a free slot, else line up behind the host's fetches in flight."""
        with self._cond:
            if self._host_fetches.get(host, 0) >= max(1, get_settings().fetch_host_concurrency):
                self._host_lines.setdefault(host, deque()).append(article_id)
                return
            self._host_fetches[host] = self._host_fetches.get(host, 0) + 1
        try:
            self._fetchers.submit(self._fetch, article_id, host)
        except RuntimeError:  # shut down
            self._finish(article_id)

    def _host_done(self, host: str) -> None:
        """A fetch of HOST ended: its slot goes to the next article in the host's line."""
        with self._cond:
            line = self._host_lines.get(host)
            if line:
                next_id = line.popleft()
                if not line:
                    del self._host_lines[host]
            else:
                next_id = None
                self._host_fetches[host] -= 1
                if not self._host_fetches[host]:
                    del self._host_fetches[host]
        if next_id is not None:
            try:
                self._fetchers.submit(self._fetch, next_id, host)
            except RuntimeError:
                self._finish(next_id)

    def _later(self, article_id: int, delay: float) -> None:
        with self._cond:
            heapq.heappush(self._timers, (time.monotonic() + delay, next(self._seq), article_id))
            self._cond.notify_all()

    def _finish(self, article_id: int) -> None:
        with self._cond:
            self._active.discard(article_id)
            self._retries.pop(article_id, None)
            event = self._finished.pop(article_id, None)
        if event is not None:
            event.set()

    # --- running a stage -----------------------------------------------------------------------------

    def _run(self, task_name: str, article_id: int) -> bool:
        """Run one stage; True when the article is still held (go on), False when it was let go or waits."""
        stage = BY_TASK[task_name]
        work = WORK[stage.name]
        started = time.perf_counter()
        try:
            work(article_id)
            return True
        except Skip:
            return True
        except (TransientError, *STORE_ERRORS) as error:
            if self._stopping.is_set():
                return False
            reason = error.reason if isinstance(error, TransientError) else store_error_reason(error)
            message = error.message if isinstance(error, TransientError) else (str(error).splitlines() or [reason])[0]
            self._transient(stage, article_id, reason, message)
            return False
        except InputError as error:
            if self._stopping.is_set() and error.reason == "crashed":  # the worker processes went with the shutdown
                return False
            fail_article(stage, article_id, error.reason, error.message)
        except Exception as error:  # noqa: BLE001 - a bug must not block the line: recorded, and the next article goes on
            if self._stopping.is_set():
                return False
            logger.exception("stage_crashed", extra={"fields": {"article_id": article_id, "stage": stage.name}})
            fail_article(stage, article_id, "internal_error", f"{type(error).__name__}: {error}")
        finally:
            metrics.STAGE_DURATION.labels(stage=stage.name).observe(time.perf_counter() - started)
        self._finish(article_id)
        return False

    def _transient(self, stage, article_id: int, reason: str, message: str) -> None:
        if reason == "host_busy" and may_wait_for_host(article_id):  # not a retry: the host is busy with our own requests
            self._later(article_id, host_busy_delay())
            return
        with self._cond:
            retries = self._retries.get(article_id, 0)
        if retries < get_settings().max_retries:
            with self._cond:
                self._retries[article_id] = retries + 1
            metrics.STAGE_RETRIES.labels(stage=stage.name).inc()
            log(logger, logging.INFO, "stage_retry", article_id=article_id, stage=stage.name, reason=reason, retries=retries)
            self._later(article_id, backoff_seconds(retries))
            return
        fail_article(stage, article_id, reason, message, transient=True, retries=retries)
        self._finish(article_id)

    def _fetch(self, article_id: int, host: str) -> None:
        try:
            if self._stopping.is_set():
                return
            going_on = self._run("claimwire.fetch", article_id)
        finally:
            self._host_done(host)
        if going_on:
            self._route(article_id)

    def _drive(self, article_id: int) -> None:
        """Run the article's stages from its status until it is final, waits (a retry) or is fetched."""
        tried: set[tuple[str, str]] = set()
        while not self._stopping.is_set():
            with session_scope(read_only=True) as session:
                state = repository.article_state(session, article_id)
            if state is None or state.status in ArticleStatus.FINAL:
                self._finish(article_id)
                return
            if state.status == ArticleStatus.RECEIVED and state.source_kind == URL:
                self._route(article_id)
                return
            step = (NEXT_TASK[state.status], state.status)
            if step in tried:  # the stage did not move it (another process holds it): the next resume looks again
                self._finish(article_id)
                return
            tried.add(step)
            if not self._run(step[0], article_id):
                return

    # --- the threads ---------------------------------------------------------------------------------

    def _pipeline_loop(self) -> None:
        while not self._stopping.is_set():
            with self._cond:
                while not self._ready and not self._stopping.is_set():
                    self._cond.wait(1.0)
                if self._stopping.is_set():
                    return
                article_id = heapq.heappop(self._ready)
            try:
                self._drive(article_id)
            except Exception:  # noqa: BLE001 - the database went away mid-article: it is tried again later
                logger.warning("drive_failed", exc_info=True)
                self._later(article_id, 5.0)

    def _schedule_loop(self) -> None:
        next_resume = time.monotonic()
        first = True
        while not self._stopping.is_set():
            now = time.monotonic()
            due: list[int] = []
            with self._cond:
                while self._timers and self._timers[0][0] <= now:
                    due.append(heapq.heappop(self._timers)[2])
            for article_id in due:
                self._route(article_id)
            if now >= next_resume:
                try:
                    self.resume(grace_s=None if first else RESUME_GRACE_S)
                    first = False
                except Exception:  # noqa: BLE001 - the database is down: the next pass
                    logger.warning("resume_failed", exc_info=True)
                next_resume = time.monotonic() + max(1.0, get_settings().resume_interval_s)
            with self._cond:
                wake_at = min(next_resume, self._timers[0][0]) if self._timers else next_resume
                if not self._stopping.is_set():
                    self._cond.wait(max(0.01, wake_at - time.monotonic()))

    def resume(self, grace_s: float | None = RESUME_GRACE_S) -> int:
        """Hand every article not in a final status that the runner does not hold to the runner, in receipt
        order; GRACE_S: leave those changed this recently (None: all). Returns how many were handed on."""
        updated_before = utcnow() - timedelta(seconds=grace_s) if grace_s else None
        handed, after = [], 0
        while not self._stopping.is_set():
            with session_scope(read_only=True) as session:
                rows = repository.unfinished_articles(session, after_id=after, limit=PAGE, updated_before=updated_before)
            for row in rows:
                if not self.holds(row.id):
                    self.submit(row.id)
                    handed.append(row.id)
            if len(rows) < PAGE:
                break
            after = rows[-1].id
        if handed:
            log(logger, logging.WARNING, "articles_resumed", articles=len(handed), first=handed[0], last=handed[-1])
        return len(handed)
