"""Starting the service's processes for integration tests: the API (`claimwire serve`) and Celery workers."""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import httpx
from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import Article, ArticleStatus
from tests.conftest import REPO

TOKEN = "integration-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(tmp_path: Path, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    log = open(tmp_path / f"{name}.log", "wb")
    return subprocess.Popen([sys.executable, "-m", "service.cli", *argv], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_api(tmp_path: Path, env: dict[str, str], port: int) -> subprocess.Popen:
    process = start(tmp_path, "api", ["serve", "--port", str(port), "--loglevel", "warning"], env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the API exited: {(tmp_path / 'api.log').read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the API did not become healthy: {(tmp_path / 'api.log').read_text()[-3000:]}")


def start_worker(tmp_path: Path, env: dict[str, str], name: str, *, queues: str = "fetch,process,link", concurrency: int = 1, pool: str = "prefork", metrics_port: int | None = None) -> subprocess.Popen:
    argv = ["worker", "--queues", queues, "--concurrency", str(concurrency), "--pool", pool, "--hostname", f"{name}@%h", "--loglevel", "WARNING"]
    if metrics_port:
        argv += ["--metrics-port", str(metrics_port)]
    return start(tmp_path, f"worker-{name}", argv, env)


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def gvc_records(path: Path, count: int) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in islice(handle, count)]


def payload(record: dict) -> dict:
    """An API body carrying what a .jsonl line carries (sources._jsonl_items)."""
    return {"text": record["text"], "title": record.get("title"), "url": record.get("url"), "published": record.get("published"), "external_id": str(record["id"])}


def wait_until_final(expected: int, timeout: float, watch: list[subprocess.Popen] = ()) -> float:
    started = time.monotonic()
    deadline = started + timeout
    last = None
    while time.monotonic() < deadline:
        for process in watch:
            assert process.poll() is None, f"a service process exited with {process.returncode}"
        with session_scope() as session:
            total = session.scalar(select(func.count()).select_from(Article))
            pending = session.scalar(select(func.count()).select_from(Article).where(Article.status.not_in(ArticleStatus.FINAL)))
        last = (total, pending)
        if total >= expected and pending == 0:
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"not all articles finished in {timeout} s: (articles, pending) = {last}")
