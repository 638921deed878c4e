"""Memory of the link features a pool process keeps for candidates (storage/eventindex.py `parsed_features`).

    python -m bench.feature_memory --gvc FILE [--articles 4000]

The features of the first --articles of `bench load`'s stream (bench/link_cpu.py `make_stream`) are stored as the
link stage stores them (`features_json`), then parsed back through the process's cache with their shapes made, as
candidates are when later articles are scored. Prints one JSON object: the resident memory the cache grew by
(MB, and KB per entry), measured from /proc after a full collection before and after; the cache holds at most
`eventindex.FEATURE_CACHE` entries. A pool process is replaced once its resident memory passes
CLAIMWIRE_WORKER_MAX_MEMORY_MB, so this is much of how long it lives (docs/SCALING.md).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
from pathlib import Path

from bench.harness import rss_mb
from bench.link_cpu import make_stream
from storage import eventindex


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.feature_memory")
    parser.add_argument("--gvc", required=True, type=Path)
    parser.add_argument("--articles", type=int, default=4000)
    args = parser.parse_args(argv)
    stored = [eventindex.features_json(features) for _, features in make_stream(args.gvc, args.articles)]
    gc.collect()
    before = rss_mb(os.getpid())
    for text in stored:
        eventindex.parsed_features(text).shaped()
    gc.collect()
    grown = rss_mb(os.getpid()) - before
    entries = min(len(set(stored)), eventindex.FEATURE_CACHE)
    print(json.dumps({"entries": entries, "grown_mb": round(grown, 1), "kb_per_entry": round(1024 * grown / max(1, entries), 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
