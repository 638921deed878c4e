"""A worker process starts warm: what the first article would load (the language model, the extractors) is
loaded in the worker's main process before its pool is forked (claimwire/warmup.py, workers/app.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO
from tests.helpers import env_for

PROBE = """
import json, sys
from claimwire import language
import claimwire.extractors as extractors
before = {"identifier": language._identifier.cache_info().currsize, "extractors": len(extractors._REGISTRY)}
from claimwire.warmup import warm_up
warm_up()
after = {"identifier": language._identifier.cache_info().currsize, "extractors": len(extractors._REGISTRY)}
print(json.dumps({"before": before, "after": after}))
"""


def test_warm_up_loads_the_language_model_and_every_extractor():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out)
    assert loaded["before"] == {"identifier": 0, "extractors": 0}, "a fresh process loads them on first use"
    assert loaded["after"]["identifier"] == 1
    from claimwire.extractors import registered

    assert loaded["after"]["extractors"] == len(registered()) > 0


@pytest.mark.services
def test_a_worker_warms_up_before_it_is_ready(tmp_path, pg_url, redis_url):
    log_path = tmp_path / "worker.log"
    env = env_for(BROKER_URL=redis_url, DATABASE_URL=pg_url, CLAIMWIRE_HOME=str(tmp_path / "svc"))
    argv = [sys.executable, "-m", "service.cli", "worker", "--concurrency", "1", "--loglevel", "INFO", "--hostname", "warm@%h"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and " ready." not in log_path.read_text(errors="replace"):
            assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
            time.sleep(0.3)
        text = log_path.read_text(errors="replace")
        assert " ready." in text, text[-3000:]
        assert "warmed_up" in text and text.index("warmed_up") < text.index(" ready."), text[-3000:]
    finally:
        process.terminate()
        process.wait(timeout=30)
