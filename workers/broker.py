"""The Redis broker transport, with one Redis client per channel instead of one per operation.

kombu's Redis channel makes a new `redis.Redis` client for each operation it runs outside the event loop
(`conn_or_acquire`: acknowledging a message, recording an unacknowledged delivery, publishing a task), and
each new client builds its table of ~200 response callbacks (about 0.2 ms of CPU): two or three times per
article in a worker's consumer, once per task sent by the API. The client holds no connection of its own
(it takes one from the channel's pool per command, and pipelines are separate objects), so one client per
pool serves every such operation; a new pool (after the channel reconnects) gets a new client.

Its acknowledgement bookkeeping (`QoS`) writes the same keys as kombu's, in one scripted command each where kombu
sends a transaction (MULTI, two commands, EXEC: four replies, and a pipeline object per message): recording a
delivery as unacknowledged, and removing it when it is acknowledged or rejected. A script runs whole, as the
transaction did; the keys, their values and kombu's restoring of unacknowledged messages are unchanged.
"""

from __future__ import annotations

from time import time

from kombu.transport import redis as kombu_redis, virtual
from kombu.utils.json import dumps

# KEYS: the unacknowledged index (a sorted set by delivery time), the unacknowledged messages (a hash by tag)
_RECORD_DELIVERY = "redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) return 1"
_FORGET_DELIVERY = "redis.call('ZREM', KEYS[1], ARGV[1]) redis.call('HDEL', KEYS[2], ARGV[1]) return 1"


class QoS(kombu_redis.QoS):
    """kombu's Redis QoS with its two per-message transactions as one script each (EVAL: the prefixing client
    leaves its keys alone, so they are given whole here, the broker key prefix included)."""

    def _keys(self) -> tuple[str, str]:
        prefix = self.channel.global_keyprefix or ""
        return prefix + self.unacked_index_key, prefix + self.unacked_key

    def append(self, message, delivery_tag):
        delivery = message.delivery_info
        record = dumps([message._raw, delivery["exchange"], delivery["routing_key"]])
        with self.channel.conn_or_acquire() as client:
            client.execute_command("EVAL", _RECORD_DELIVERY, 2, *self._keys(), repr(time()), delivery_tag, record)
        virtual.QoS.append(self, message, delivery_tag)

    def ack(self, delivery_tag):
        self._forget(delivery_tag)
        virtual.QoS.ack(self, delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        if requeue:
            self.restore_by_tag(delivery_tag, leftmost=True)
        else:
            self._forget(delivery_tag)
        virtual.QoS.ack(self, delivery_tag)

    def _forget(self, delivery_tag) -> None:
        with self.channel.conn_or_acquire() as client:
            client.execute_command("EVAL", _FORGET_DELIVERY, 2, *self._keys(), delivery_tag)


class Channel(kombu_redis.Channel):
    QoS = QoS
    _client_pool = None
    _pool_client = None

    def _create_client(self, asynchronous: bool = False):
        if asynchronous:
            return super()._create_client(asynchronous=True)
        pool = self.pool
        if self._pool_client is None or self._client_pool is not pool:
            self._pool_client, self._client_pool = super()._create_client(), pool
        return self._pool_client


class Transport(kombu_redis.Transport):
    Channel = Channel


#: `broker_transport` for a redis:// or rediss:// broker URL (the URL still gives the host, the database, TLS)
TRANSPORT = "workers.broker:Transport"
