"""The Redis transport keeps one client per channel pool (workers/broker.py) and still delivers, acknowledges and
prefixes as kombu's own does."""

from __future__ import annotations

import pytest

from tests.conftest import apply_env

pytestmark = pytest.mark.services


@pytest.fixture
def channel(redis_url, monkeypatch):
    apply_env(monkeypatch, BROKER_URL=redis_url)
    from workers.app import app, configure

    configure()
    try:
        with app.connection_for_write() as connection:
            yield connection.default_channel
    finally:
        apply_env(monkeypatch, BROKER_URL=None)
        configure()


def test_a_redis_broker_url_uses_the_transport_that_keeps_its_client(channel):
    from workers import broker

    assert isinstance(channel, broker.Channel)
    first = channel._create_client()
    with channel.conn_or_acquire() as acquired:
        assert acquired is first
    assert channel._create_client(asynchronous=True) is not first  # the event loop's client stays kombu's own


def test_a_new_pool_gets_a_new_client(channel):
    first = channel._create_client()
    channel._pool = None  # what kombu does when the channel reconnects
    second = channel._create_client()
    assert second is not first
    assert second.connection_pool is channel.pool


def test_messages_go_through_and_are_acknowledged_under_the_key_prefix(channel, redis_url):
    import redis
    from kombu import Exchange, Producer, Queue

    from claimwire.settings import get_settings

    queue = Queue("cw-broker-test", Exchange("cw-broker-test"), routing_key="cw-broker-test")
    bound = queue(channel)
    bound.declare()
    producer = Producer(channel)
    for n in range(3):
        producer.publish({"n": n}, exchange=queue.exchange, routing_key="cw-broker-test", declare=[queue])
    received = []
    for _ in range(3):
        message = bound.get(no_ack=False)
        received.append(message.payload["n"])
        message.ack()
    assert received == [0, 1, 2]
    assert bound.get() is None
    prefix = get_settings().broker_key_prefix
    raw = redis.Redis.from_url(redis_url)
    assert raw.exists(f"{prefix}cw-broker-test") == 0  # emptied, under the prefix
    assert raw.hlen(f"{prefix}unacked") == 0  # every delivery acknowledged
    bound.delete()
