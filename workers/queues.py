"""Queues and routing, in one place.

fetch: I/O-bound (fetching URLs and feeds), run with a thread pool and high concurrency.
process: CPU-bound (clean, extract), run with prefork, one process per core.
link: linking and ledger updates; a queue of its own so that it can be given a single consumer.
"""

from kombu import Exchange, Queue

FETCH = "fetch"
PROCESS = "process"
LINK = "link"
QUEUES = tuple(Queue(name, Exchange(name, type="direct"), routing_key=name) for name in (FETCH, PROCESS, LINK))

ROUTES = {
    "claimwire.fetch": {"queue": FETCH},
    "claimwire.clean": {"queue": PROCESS},
    "claimwire.extract": {"queue": PROCESS},
    "claimwire.link": {"queue": LINK},
    "claimwire.store": {"queue": LINK},
}
