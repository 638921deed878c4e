"""The broker's per-message bookkeeping in a worker's consumer, kombu's Redis transport against ours (issue 18).

    python -m bench.broker_acks [--messages 5000] [--rounds 6] [--redis URL] [--json]

Each round publishes --messages small task-sized messages to a queue of its own, then takes them back one at a
time as a consumer with acknowledgements does (a delivery recorded as unacknowledged, then acknowledged), with
three transports in turns (the order reversed every other round):
    kombu         kombu's stock Redis transport
    one_client    workers/broker.py's channel (one client per pool) with kombu's transactions (MULTI/EXEC)
    claimwire     workers/broker.py's transport as the workers use it (its scripts instead of the transactions)
Prints the CPU of this process per message taken (`time.process_time`: the client's side; the Redis server's CPU is
not in it) for each, best against best, and that every round emptied its queue and left no unacknowledged record.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid


def _transports() -> dict[str, object]:
    from kombu.transport import redis as kombu_redis

    from workers import broker

    class OneClientChannel(broker.Channel):
        QoS = kombu_redis.QoS

    class OneClientTransport(broker.Transport):
        Channel = OneClientChannel

    return {"kombu": "redis", "one_client": OneClientTransport, "claimwire": broker.TRANSPORT}


def _round(redis_url: str, transport, messages: int) -> tuple[float, bool]:
    """CPU seconds to take and acknowledge MESSAGES messages; whether the queue and the unacked records were left empty."""
    import redis
    from kombu import Connection, Exchange, Producer, Queue

    prefix = f"cwbench-{uuid.uuid4().hex[:8]}:"
    name = "acks"
    with Connection(redis_url, transport=transport, transport_options={"global_keyprefix": prefix}) as connection:
        channel = connection.default_channel
        queue = Queue(name, Exchange(name), routing_key=name)(channel)
        queue.declare()
        producer = Producer(channel)
        body = {"args": [123456], "kwargs": {}}
        for _ in range(messages):
            producer.publish(body, exchange=name, routing_key=name)
        started = time.process_time()
        for _ in range(messages):
            queue.get(no_ack=False).ack()
        spent = time.process_time() - started
        raw = redis.Redis.from_url(redis_url)
        clean = queue.get() is None and raw.hlen(f"{prefix}unacked") == 0 and raw.zcard(f"{prefix}unacked_index") == 0
        queue.delete()
        for key in raw.scan_iter(f"{prefix}*"):
            raw.delete(key)
    return spent, clean


def compare(redis_url: str, messages: int, rounds: int) -> dict:
    transports = _transports()
    spent: dict[str, list[float]] = {label: [] for label in transports}
    clean = True
    for index in range(rounds):
        order = list(transports.items()) if index % 2 == 0 else list(reversed(transports.items()))
        for label, transport in order:
            seconds, emptied = _round(redis_url, transport, messages)
            spent[label].append(seconds)
            clean = clean and emptied
    best = {label: min(values) * 1000 / messages for label, values in spent.items()}
    return {
        "messages": messages,
        "rounds": rounds,
        "ms_per_message": {label: round(value, 4) for label, value in best.items()},
        "claimwire_vs_kombu": round(best["claimwire"] / best["kombu"], 3),
        "claimwire_vs_one_client": round(best["claimwire"] / best["one_client"], 3),
        "all_rounds_ms_per_message": {label: [round(s * 1000 / messages, 4) for s in values] for label, values in spent.items()},
        "queues_and_records_left_empty": clean,
    }


def main(argv: list[str] | None = None) -> None:
    from claimwire.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--redis", default=get_settings().bench_redis_url)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = compare(args.redis, args.messages, args.rounds)
    print(json.dumps(result, indent=1 if args.json else None))


if __name__ == "__main__":
    main()
