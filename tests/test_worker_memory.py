"""The pool processes' memory bound (CLAIMWIRE_WORKER_MAX_MEMORY_MB, workers/app.py); the drill that replaces them
is tests/test_drills.py::test_pool_processes_replaced_for_their_memory_lose_nothing."""

from __future__ import annotations

import logging

from tests.conftest import apply_env
from workers import app as worker_app


def test_the_bound_reaches_celery_and_zero_means_none(monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_WORKER_MAX_MEMORY_MB="300")
    assert worker_app.app.conf.worker_max_memory_per_child == 300 * 1024
    apply_env(monkeypatch, CLAIMWIRE_WORKER_MAX_MEMORY_MB="0")
    assert worker_app.app.conf.worker_max_memory_per_child is None
    apply_env(monkeypatch, CLAIMWIRE_WORKER_MAX_MEMORY_MB=None)  # the app as the other tests have it
    assert worker_app.app.conf.worker_max_memory_per_child == 280 * 1024


def test_a_bound_below_the_warm_main_process_is_told_at_start(monkeypatch, caplog):
    apply_env(monkeypatch, CLAIMWIRE_WORKER_MAX_MEMORY_MB="1")
    with caplog.at_level(logging.INFO, logger="claimwire.worker"):
        worker_app._warm_up()
        worker_app._check_memory_bound()
    apply_env(monkeypatch, CLAIMWIRE_WORKER_MAX_MEMORY_MB=None)
    assert any("pool_memory_bound_near_start bound_mb=1" in r.getMessage() for r in caplog.records)
