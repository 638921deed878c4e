"""The queues (which task goes to which: the pipeline table, tasks/pipeline.py).

fetch: I/O-bound (fetching URLs and feeds), run with a thread pool and high concurrency.
process: CPU-bound (clean, extract), run with prefork, one process per core.
link: linking and ledger updates. Linking runs in parallel under per-key locks with the events of the
receipt-order run (tasks/link.py), so it scales with its consumers as far as the database does.
webhooks: webhook deliveries and the change stream's catch-up (tasks/webhooks.py), I/O-bound, kept apart so
that a slow receiver never holds up the pipeline.
"""

from kombu import Exchange, Queue

FETCH = "fetch"
PROCESS = "process"
LINK = "link"
WEBHOOKS = "webhooks"
NAMES = (FETCH, PROCESS, LINK, WEBHOOKS)
QUEUES = tuple(Queue(name, Exchange(name, type="direct"), routing_key=name) for name in NAMES)

# kombu's Redis transport keeps a queue's messages in one list per priority step
# (the name itself for priority 0, then name + "\x06\x16" + step): queue depth sums them.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)


def redis_list_keys(queue: str, prefix: str = "") -> list[str]:
    """The Redis keys holding a queue's waiting messages, with the global key prefix (CLAIMWIRE_BROKER_PREFIX)."""
    return [prefix + (queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}") for step in PRIORITY_STEPS]


def queue_depths(redis_client, prefix: str = "") -> dict[str, int]:
    """Messages waiting in each queue (LLEN; messages taken by a worker but not yet acknowledged are not counted)."""
    depths = {}
    with redis_client.pipeline(transaction=False) as pipe:
        for name in NAMES:
            for key in redis_list_keys(name, prefix):
                pipe.llen(key)
        values = pipe.execute()
    for index, name in enumerate(NAMES):
        depths[name] = int(sum(values[index * len(PRIORITY_STEPS) : (index + 1) * len(PRIORITY_STEPS)]))
    return depths
