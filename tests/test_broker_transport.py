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


def _unacked(redis_url):
    import redis

    from claimwire.settings import get_settings

    prefix = get_settings().broker_key_prefix
    raw = redis.Redis.from_url(redis_url)
    return raw, f"{prefix}unacked", f"{prefix}unacked_index"


def _recorded(redis_url, tag) -> tuple[bool, bool]:
    """Whether the delivery TAG is in the unacknowledged messages, and in their index."""
    raw, unacked, index = _unacked(redis_url)
    return raw.hget(unacked, tag) is not None, raw.zscore(index, tag) is not None


def _queue(channel, name):
    from kombu import Exchange, Producer, Queue

    queue = Queue(name, Exchange(name), routing_key=name)
    bound = queue(channel)
    bound.declare()
    bound.purge()
    producer = Producer(channel)
    return bound, lambda body: producer.publish(body, exchange=queue.exchange, routing_key=name, declare=[queue])


def test_a_delivery_is_recorded_unacknowledged_as_kombu_records_it_until_acknowledged(channel, redis_url):
    from kombu.utils.json import dumps, loads

    from workers import broker

    raw, unacked, index = _unacked(redis_url)
    bound, publish = _queue(channel, "cw-broker-qos")
    publish({"n": 1})
    assert isinstance(channel.qos, broker.QoS)
    message = bound.get(no_ack=False)
    tag = message.delivery_tag
    record = loads(raw.hget(unacked, tag))  # what kombu's restore reads: [the raw message, exchange, routing key]
    assert record[1:] == ["cw-broker-qos", "cw-broker-qos"]
    assert record[0] == loads(dumps(message._raw))
    assert _recorded(redis_url, tag) == (True, True)
    message.ack()
    assert _recorded(redis_url, tag) == (False, False)
    bound.delete()


def test_a_rejected_delivery_is_forgotten_or_put_back_on_its_queue(channel, redis_url):
    bound, publish = _queue(channel, "cw-broker-reject")
    publish({"n": 1})
    first = bound.get(no_ack=False)
    first.reject(requeue=True)
    again = bound.get(no_ack=False)
    assert again.payload == {"n": 1}  # back on its queue, delivered again
    again.reject(requeue=False)
    assert _recorded(redis_url, again.delivery_tag) == (False, False)
    assert bound.get() is None  # dropped
    bound.delete()


def test_an_unacknowledged_delivery_goes_back_to_its_queue_when_its_consumer_goes(channel, redis_url):
    """What a worker that dies holding a message relies on: kombu's restore reads the record this QoS wrote."""
    bound, publish = _queue(channel, "cw-broker-restore")
    publish({"n": 7})
    message = bound.get(no_ack=False)
    assert _recorded(redis_url, message.delivery_tag) == (True, True)
    channel.qos.restore_unacked()
    assert _recorded(redis_url, message.delivery_tag) == (False, False)
    back = bound.get(no_ack=False)
    assert back.payload == {"n": 7}
    back.ack()
    bound.delete()
