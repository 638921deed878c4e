"""Metrics: multiprocess aggregation as under prefork, and queue depth from Redis with the key prefix."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO


def test_multiprocess_counters_are_summed_and_dead_children_drop_their_gauges(tmp_path):
    directory = tmp_path / "metrics"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "PYTHONPATH": str(REPO)}
    child = textwrap.dedent(
        """
        import os, sys
        from workers import metrics
        metrics.ARTICLES_PROCESSED.labels(outcome="stored").inc(int(sys.argv[1]))
        metrics.STAGE_DURATION.labels(stage="clean").observe(0.2)
        metrics.QUEUE_DEPTH.labels(queue="process").set(int(sys.argv[1]))
        if sys.argv[2] == "dead":
            from prometheus_client import multiprocess
            multiprocess.mark_process_dead(os.getpid())
        """
    )
    for count, state in ((3, "alive"), (4, "dead")):
        subprocess.run([sys.executable, "-c", child, str(count), state], env=env, check=True, cwd=REPO)
    aggregate = subprocess.run(
        [sys.executable, "-c", "from workers import metrics; import sys; sys.stdout.write(metrics.collect().decode())"],
        env=env,
        check=True,
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout
    assert 'claimwire_articles_processed_total{outcome="stored"} 7.0' in aggregate
    assert 'claimwire_stage_duration_seconds_count{stage="clean"} 2.0' in aggregate
    # livemax: only the gauge of the child that was not marked dead counts (its pid is gone too, but files stay until marked)
    assert 'claimwire_queue_depth{queue="process"} 3.0' in aggregate


@pytest.mark.services
def test_queue_depth_reads_the_prefixed_redis_lists(redis_url, monkeypatch):
    import redis

    from tests.conftest import apply_env
    from workers import metrics
    from workers.queues import redis_list_keys

    apply_env(monkeypatch, BROKER_URL=redis_url)
    prefix = os.environ["CLAIMWIRE_BROKER_PREFIX"]
    client = redis.Redis.from_url(redis_url)
    client.rpush(redis_list_keys("process", prefix)[0], *[b"m"] * 5)
    client.rpush(redis_list_keys("process", prefix)[2], b"m")  # a priority-6 message
    client.rpush(redis_list_keys("link", prefix)[0], b"m", b"m")
    other = "other-" + prefix + "process"  # another deployment's queue under another prefix
    client.rpush(other, b"m")
    try:
        assert metrics.sample_queue_depths() == {"fetch": 0, "process": 6, "link": 2, "webhooks": 0}
        assert metrics.QUEUE_DEPTH.labels(queue="process")._value.get() == 6
    finally:
        client.delete(other)
        apply_env(monkeypatch, BROKER_URL=None)
