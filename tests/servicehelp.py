"""Starting the service's processes for integration tests: the API (`claimwire serve`) and Celery workers.

The process handling lives in bench/harness.py (shared with `claimwire bench load`); this module keeps the
names the tests import.
"""

from __future__ import annotations

from bench.harness import (  # noqa: F401 - re-exported for the tests
    RssSampler,
    free_port,
    gvc_records,
    kill_group,
    payload,
    repeated_payloads,
    start,
    start_api,
    start_beat,
    start_worker,
    stop,
    tree_rss_mb,
    wait_until_final,
)

TOKEN = "integration-token"
