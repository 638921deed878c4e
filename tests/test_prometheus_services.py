"""A real Prometheus server (Debian's `prometheus`) scrapes a prefork worker (multiprocess mode) and the API
during a run; its HTTP API then reports as many processed articles as were ingested."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import httpx
import pytest
import yaml

from bench.harness import free_port, gvc_records, payload, start_api, start_worker, stop, wait_until_final
from tests.conftest import REPO, apply_env
from tests.helpers import env_for
from tests.servicehelp import TOKEN

pytestmark = [pytest.mark.services, pytest.mark.slow]

COUNT = 40


def prometheus_binary() -> str:
    """Debian's prometheus; installed with apt-get when missing and we are root (.ci/services installs it too)."""
    found = shutil.which("prometheus") or ("/usr/bin/prometheus" if os.path.exists("/usr/bin/prometheus") else None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=600", "prometheus"], env=env, capture_output=True, timeout=900
        )
        found = shutil.which("prometheus")
        if found:
            return found
    pytest.skip("Prometheus is not installed and could not be installed with apt-get (Debian package `prometheus`)")


def query(base: str, expr: str) -> float | None:
    answer = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=5).json()
    assert answer["status"] == "success", answer
    result = answer["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def test_prometheus_scrapes_worker_and_api(sqlite_store, data_dir, pg_url, redis_url, tmp_path, monkeypatch):
    binary = prometheus_binary()
    api_port, metrics_port, prom_port = free_port(), free_port(), free_port()
    home = str(tmp_path / "svc")
    env = env_for(BROKER_URL=redis_url, DATABASE_URL=pg_url, CLAIMWIRE_HOME=home, CLAIMWIRE_API_TOKEN=TOKEN, CLAIMWIRE_LOG_LEVEL="WARNING")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the worker makes its own (multiprocess mode for prefork)

    config = yaml.safe_load((REPO / "deploy" / "prometheus.yml").read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(REPO / "deploy" / "alerts.yml")]
    config["scrape_configs"] = [
        {"job_name": "claimwire-api", "static_configs": [{"targets": [f"127.0.0.1:{api_port}"]}]},
        {"job_name": "claimwire-worker", "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}]},
    ]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))

    api = start_api(tmp_path, env, api_port)
    worker = start_worker(tmp_path, env, "prom", concurrency=2, pool="prefork", metrics_port=metrics_port)
    prometheus = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ],
        stdout=open(tmp_path / "prometheus.log", "wb"),
        stderr=subprocess.STDOUT,
    )
    prom = f"http://127.0.0.1:{prom_port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{prom}/-/ready", timeout=2).status_code == 200 and query(prom, 'sum(up{job=~"claimwire-.*"})') == 2:
                    break
            except httpx.HTTPError:
                pass
            assert prometheus.poll() is None, (tmp_path / "prometheus.log").read_text()[-2000:]
            time.sleep(0.5)
        else:
            raise AssertionError(f"Prometheus did not see both targets up: {(tmp_path / 'prometheus.log').read_text()[-2000:]}")

        records = gvc_records(data_dir / "gvc-dev.jsonl.gz", COUNT)
        created = 0
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as client:
            for record in records:
                response = client.post("/articles", json=payload(record))
                assert response.status_code in (200, 202), response.text
                created += not response.json()["duplicate"]
        apply_env(monkeypatch, BROKER_URL=redis_url, DATABASE_URL=pg_url)
        wait_until_final(created, timeout=300, watch=[api, worker])

        deadline = time.monotonic() + 30
        processed = received = None
        while time.monotonic() < deadline:
            processed = query(prom, 'sum(claimwire_articles_processed_total{job="claimwire-worker"})')
            received = query(prom, 'sum(claimwire_articles_received_total{job="claimwire-api",outcome="new"})')
            if processed == created and received == created:
                break
            time.sleep(1)
        assert (processed, received) == (created, created)
        assert query(prom, 'sum(claimwire_stage_duration_seconds_count{job="claimwire-worker",stage="link"})') >= 1
        assert query(prom, 'sum(claimwire_end_to_end_seconds_count{job="claimwire-worker"})') >= 1
        assert query(prom, 'max(claimwire_queue_depth{job="claimwire-api"})') is not None
        assert query(prom, 'max(claimwire_events_open{job="claimwire-api"})') >= 1
        rules = httpx.get(f"{prom}/api/v1/rules", timeout=5).json()["data"]["groups"]
        assert {rule["name"] for group in rules for rule in group["rules"]} >= {
            "ClaimwireFailureRateHigh",
            "ClaimwireQueueBacklog",
            "ClaimwireLatencyHigh",
        }
    finally:
        prometheus.terminate()
        try:
            prometheus.wait(timeout=20)
        except subprocess.TimeoutExpired:
            prometheus.kill()
        stop(worker, api)
