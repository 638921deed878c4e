"""CPU of the in-memory linker over the load bench's stream: a speed change's A/B, run under each tree.

    python -m bench.link_cpu --gvc FILE [--articles 10000] [--passes 3] [--cache FILE]

The stream is `bench load`'s: the file's articles in order, then filed again with the copy line of
bench/harness.py `repeated_payloads` up to --articles (so that events hold several times the articles). Each body
is cleaned as `bench linking` cleans it and its link features are made once (kept in --cache, a pickle, when given:
two trees with the same features compare the decision alone), then the stream is linked in memory in order
(bench/fit_linker.py `link_stream`: retrieval, the key choice and the decision) --passes times. Prints one JSON
object: the CPU seconds of each pass and a digest of the predicted events (equal on two trees that decide alike).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from datetime import datetime
from pathlib import Path

from bench.fit_linker import link_stream
from bench.harness import gvc_records, repeated_payloads
from bench.linking import clean


def make_stream(gvc: Path, articles: int) -> list:
    from claimwire import linking

    stream = []
    for body in repeated_payloads(gvc_records(gvc), articles):
        published = body.get("published")
        when = datetime.fromisoformat(published) if published else None
        stream.append((None, linking.article_features(body.get("title"), clean(body), when)))
    return stream


def load_stream(gvc: Path, articles: int, cache: Path | None) -> list:
    if cache is not None and cache.exists():
        return pickle.loads(cache.read_bytes())
    stream = make_stream(gvc, articles)
    if cache is not None:
        cache.write_bytes(pickle.dumps(stream))
    return stream


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.link_cpu")
    parser.add_argument("--gvc", required=True, type=Path)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--cache", type=Path, help="the stream's features, pickled (made when missing)")
    args = parser.parse_args(argv)
    stream = load_stream(args.gvc, args.articles, args.cache)
    cpu, digests = [], set()
    for _ in range(args.passes):
        started = time.process_time()
        events = link_stream(stream)
        cpu.append(round(time.process_time() - started, 3))
        digests.add(hashlib.sha256(json.dumps(events).encode()).hexdigest()[:16])
    assert len(digests) == 1, "the events differ between passes"
    print(json.dumps({"articles": len(stream), "events": len(set(events)), "digest": digests.pop(), "cpu_s": cpu}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
