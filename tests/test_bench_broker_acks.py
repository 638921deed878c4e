"""`python -m bench.broker_acks` runs the three transports against the real Redis and leaves nothing behind."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.services


def test_each_transport_takes_and_acknowledges_every_message_and_leaves_no_key(redis_url):
    import redis

    from bench import broker_acks

    before = set(redis.Redis.from_url(redis_url).scan_iter("cwbench-*"))
    result = broker_acks.compare(redis_url, messages=30, rounds=2)
    assert set(result["all_rounds_ms_per_message"]) == {"kombu", "one_client", "claimwire"}
    assert all(len(values) == 2 and all(v > 0 for v in values) for values in result["all_rounds_ms_per_message"].values())
    assert result["queues_and_records_left_empty"] is True
    assert set(redis.Redis.from_url(redis_url).scan_iter("cwbench-*")) == before
