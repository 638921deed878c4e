"""The cyclic garbage collector's first threshold (CLAIMWIRE_GC_THRESHOLD, service/cli.py `tune_collector`)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys

import pytest

from service.cli import tune_collector
from tests.conftest import apply_env


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_the_setting_sets_the_first_threshold_and_keeps_the_others(monkeypatch, thresholds):
    gc.set_threshold(700, 11, 12)
    apply_env(monkeypatch, CLAIMWIRE_GC_THRESHOLD="12345")
    tune_collector()
    assert gc.get_threshold() == (12345, 11, 12)


def test_zero_leaves_the_collector_as_python_set_it(monkeypatch, thresholds):
    gc.set_threshold(700, 11, 12)
    apply_env(monkeypatch, CLAIMWIRE_GC_THRESHOLD="0")
    tune_collector()
    assert gc.get_threshold() == (700, 11, 12)


def test_every_command_runs_with_the_default_threshold(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMWIRE_", "DATABASE_URL", "BROKER_URL"))}
    env["CLAIMWIRE_HOME"] = str(tmp_path)
    program = "import gc, json; from service import cli; cli.main(['migrate']); print(json.dumps(gc.get_threshold()))"
    done = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1])[0] == 20_000
