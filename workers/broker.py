"""The Redis broker transport, with one Redis client per channel instead of one per operation.

kombu's Redis channel makes a new `redis.Redis` client for each operation it runs outside the event loop
(`conn_or_acquire`: acknowledging a message, recording an unacknowledged delivery, publishing a task), and
each new client builds its table of ~200 response callbacks (about 0.2 ms of CPU): two or three times per
article in a worker's consumer, once per task sent by the API. The client holds no connection of its own
(it takes one from the channel's pool per command, and pipelines are separate objects), so one client per
pool serves every such operation; a new pool (after the channel reconnects) gets a new client.
"""

from __future__ import annotations

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
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
