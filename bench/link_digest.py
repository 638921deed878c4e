"""`python -m bench.link_digest`: a digest of everything the linker decides over dev streams, in memory, and its CPU.

    python -m bench.link_digest FILE [FILE ...] [--seeds DIR] [--cache DIR]

Each FILE is read and cleaned as `bench.fit_linker` reads it (the --seeds interleaved into the first), then linked
through `claimwire.linkmemory.MemoryIndex`. Per FILE it prints three digests (SHA-256, 16 hex digits): of every
article's features (keys, date, mentioned dates), of the keys each article is filed under, and of every
decision (event, kind, score, merges, the stored features as JSON); and the CPU per article of the features and
of the linking. A change meant for speed only must leave all three digests as they are.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path


def digest(stream) -> dict:
    """STREAM: [(gold event, title, cleaned text, published)] as `bench.fit_linker.load_stream` caches them."""
    from datetime import datetime

    from claimwire import linking, linkmemory

    started = time.process_time()
    features = [
        linking.article_features(title, text, datetime.fromisoformat(published) if published else None)
        for _, title, text, published in stream
    ]
    featured = time.process_time()
    index = linkmemory.MemoryIndex()
    filed: list[list[str]] = []
    decide = linkmemory.decide

    def keeping_keys(article, link_index, lock=None):
        decision, keys = decide(article, link_index, lock)
        filed.append(keys)
        return decision, keys

    linkmemory.decide = keeping_keys
    try:
        decisions = []
        for number, article in enumerate(features, 1):
            made = index.link(number, article)
            decisions.append((made.event_id, made.decision, made.score, made.merge, made.features))
    finally:
        linkmemory.decide = decide
    linked = time.process_time()
    count = max(1, len(stream))
    return {
        "articles": len(stream),
        "features": _sha([f.to_dict() for f in features]),
        "filed": _sha(filed),
        "decisions": _sha(decisions),
        "features_ms": round((featured - started) / count * 1000, 3),
        "link_ms": round((linked - featured) / count * 1000, 3),
    }


def _sha(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    from bench.fit_linker import cleaned_texts

    parser = argparse.ArgumentParser(prog="python -m bench.link_digest", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--seeds", help="seed articles interleaved into the first FILE")
    parser.add_argument("--seed-date", default="2018-02-08")
    parser.add_argument("--cache", help="keep the cleaned texts in pickles in this directory (cleaning is the slow part)")
    args = parser.parse_args(argv)
    for number, file in enumerate(args.files):
        cache = str(Path(args.cache) / (Path(file).name + ".pkl")) if args.cache else None
        stream = cleaned_texts(file, args.seeds if number == 0 else None, args.seed_date, cache)
        print(json.dumps({"file": Path(file).name, **digest(stream)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
