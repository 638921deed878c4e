"""A digest of every event's ledger as the store stage builds it, one article at a time (a speed change's proof).

    python -m bench.ledger_digest inputs --gvc FILE --out INPUTS.pickle   # clean + extract once (claims frozen)
    python -m bench.ledger_digest digest INPUTS.pickle [--passes N]       # sha256 over every step's ledger JSON
    python -m bench.ledger_digest digest INPUTS.pickle --grouping chunks --chunk 300 --limit 2   # two long events

The events are the gold incidents of the file (or, --grouping chunks, runs of 10 consecutive articles: larger
ledgers mixing incidents), their articles in stream order (publication order); for each event
the ledger is built after each of its articles, as `tasks/store.py` does, and every ledger's JSON (sorted keys)
goes into one digest (with --changes, the changes each step emits too, as the store stage: claimwire/changes.py
`diff_ledgers` against the ledger before, read back from its JSON). The claims are as storage's ledger inputs give them (storage/repository.py `_CLAIM_FIELDS`:
without `extra`), or with --extra as the extractors made them. Prints the digest, the ledgers built and the CPU seconds ledger building took (best pass).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from claimwire.changes import diff_ledgers
from claimwire.ledger import build_ledger

CHUNK = 10  # the second grouping: runs of consecutive articles as one event (larger, mixed ledgers)
CLAIM_FIELDS = (
    "kind", "measure", "value_min", "value_max", "hedge", "group", "group_key", "source", "source_key",
    "text", "sentence", "start", "end", "confidence", "extractor", "extractor_version", "extra",
)  # fmt: skip


def make_inputs(gvc: Path) -> dict:
    from bench.linking import clean, read_records
    from claimwire.extractors import extract_claims

    records = read_records(gvc)
    base = datetime(2026, 1, 1)
    articles, claims, events = [], [], defaultdict(list)
    for number, record in enumerate(records):
        text = clean(record)
        published = record.get("published")
        articles.append(
            {
                "id": number + 1,
                "title": record.get("title"),
                "outlet": urlsplit(record.get("url") or "").netloc or None,
                "url": record.get("url"),
                "source_ref": None,
                "published": published + "T00:00:00+00:00" if published else None,
                "arrived": (base + timedelta(seconds=number)).isoformat() + "+00:00",
            }
        )
        found = extract_claims(text, record.get("title"))
        claims.append([{"article_id": number + 1, **{k: c.to_dict()[k] for k in CLAIM_FIELDS}} for c in found])
        events[str(record["event"])].append(number)
    return {"articles": articles, "claims": claims, "events": dict(events), "chunks": chunked(len(records), CHUNK)}


def chunked(count: int, size: int) -> dict[str, list[int]]:
    """Runs of SIZE consecutive articles, each taken as one event."""
    return {f"chunk{n // size:04d}": list(range(n, min(n + size, count))) for n in range(0, count, size)}


def digest(inputs: dict, grouping: str, extra: bool, changes: bool = False) -> tuple[str, int, float]:
    articles, events = inputs["articles"], inputs[grouping]
    claims = inputs["claims"] if extra else [[{k: v for k, v in c.items() if k != "extra"} for c in cs] for cs in inputs["claims"]]
    sha = hashlib.sha256()
    built = 0
    cpu = 0.0
    for key in sorted(events):
        members = events[key]
        old = None
        for k in range(1, len(members) + 1):
            step = members[:k]
            started = time.process_time()
            ledger = build_ledger([dict(articles[n]) for n in step], [dict(c) for n in step for c in claims[n]])
            if changes:  # the store's diff against the ledger before, as stored (JSON) and read back
                ledger = json.loads(json.dumps(ledger))
                found = diff_ledgers(old, ledger, event_id=1, article_id=step[-1] + 1)
                old = ledger
            cpu += time.process_time() - started
            sha.update(key.encode())
            sha.update(json.dumps(ledger, sort_keys=True, default=str).encode())
            if changes:
                sha.update(json.dumps([(c.kind, c.data) for c in found], sort_keys=True, default=str).encode())
            built += 1
    return sha.hexdigest(), built, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.ledger_digest")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("inputs")
    make.add_argument("--gvc", required=True)
    make.add_argument("--out", required=True)
    run = sub.add_parser("digest")
    run.add_argument("inputs")
    run.add_argument("--passes", type=int, default=1)
    run.add_argument("--grouping", choices=("events", "chunks"), default="events")
    run.add_argument("--changes", action="store_true", help="each step's changes too (claimwire/changes.py diff_ledgers), as the store")
    run.add_argument("--extra", action="store_true", help="the claims with their `extra` (storage's ledger inputs leave it out)")
    run.add_argument("--chunk", type=int, help="with --grouping chunks: runs of this many articles (a long event's ledger)")
    run.add_argument("--limit", type=int, help="only the first N events (or chunks)")
    args = parser.parse_args(argv)
    if args.command == "inputs":
        Path(args.out).write_bytes(pickle.dumps(make_inputs(Path(args.gvc))))
        return 0
    inputs = pickle.loads(Path(args.inputs).read_bytes())
    if args.chunk:
        inputs["chunks"] = chunked(len(inputs["articles"]), args.chunk)
    if args.limit:
        inputs[args.grouping] = {key: inputs[args.grouping][key] for key in sorted(inputs[args.grouping])[: args.limit]}
    results = [digest(inputs, args.grouping, args.extra, args.changes) for _ in range(args.passes)]
    assert len({r[0] for r in results}) == 1, "the digest differs between passes"
    print(json.dumps({"digest": results[0][0], "ledgers": results[0][1], "cpu_s": [round(r[2], 3) for r in results]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
