"""Error analysis for `bench ledger`'s gvc figures: the gold incidents whose event headline killed / injured
differs from the record, on the gold clusters, with each article's casualty claims and the ledger's stories.

    python -m bench.ledger_misses --gvc FILE --incidents FILE [--measure killed|injured] [--only ID,ID] [--out FILE]

Prints the accuracy on the gold clusters (as `ledger_on_gold_clusters`), then per miss: the record (and its
participants' type and status), the headline, each article's main figures and casualty claims (measure,
bounds, hedge, group, extra, sentence), and the scene and party rows' stories.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from bench.ledger import TOLLS, event_ledgers, extract_all, headline_value
from claimwire.claims import CASUALTY, Claim
from claimwire.extractors import main_figures


def _bounds(claim: Claim | None) -> tuple | None:
    return None if claim is None else (claim.value_min, claim.value_max)


def print_article(out: IO[str], number: int, record: Mapping[str, Any], claims: Sequence[Claim]) -> None:
    main = main_figures(list(claims))
    out.write(
        f"  -- art {number} {record.get('published')} main k={_bounds(main.get('killed'))} "
        f"i={_bounds(main.get('injured'))} | {record.get('title')}\n"
    )
    for claim in claims:
        if claim.kind != CASUALTY:
            continue
        extra = {k: v for k, v in (claim.extra or {}).items() if k != "group_key"}
        out.write(f"     {claim.measure:8} {claim.value_min}-{claim.value_max} h={claim.hedge} g={claim.group!r} ex={extra}\n")
        out.write(f"        | {claim.sentence.replace(chr(10), ' ')[:300]}\n")


def print_rows(out: IO[str], ledger: Mapping[str, Any]) -> None:
    for key in ("scene", "rows"):
        for row in ledger.get(key) or []:
            if row["measure"] in TOLLS and row.get("headline"):
                stories = [(s["value"], s["articles"], s["status"]) for s in row["stories"]]
                out.write(f"  {key} {row['key']}: head={row['headline']['value']} stories={stories}\n")


def misses(records, claims, incidents, clusters, measure: str | None, out: IO[str]) -> dict[str, float]:
    ledgers, _ = event_ledgers(records, claims, clusters)
    right: Counter = Counter()
    total = 0
    for event, members in clusters.items():
        record = incidents.get(event)
        if record is None:
            continue
        total += 1
        ledger = ledgers[event]
        wrong = [m for m in TOLLS if headline_value(ledger, m) != record[m]]
        right.update(m for m in TOLLS if m not in wrong)
        wrong = [m for m in wrong if measure in (None, m)]
        if not wrong:
            continue
        people = [f"{p.get('type', '?')[:4]}:{p.get('status')}" for p in record.get("participants", [])]
        out.write("=" * 100 + "\n")
        out.write(
            f"INCIDENT {event} miss={wrong} record k={record['killed']} i={record['injured']} "
            f"headline k={headline_value(ledger, 'killed')} i={headline_value(ledger, 'injured')} "
            f"articles={len(members)} participants={people}\n"
        )
        for number in members:
            print_article(out, number, records[number], claims[number])
        print_rows(out, ledger)
    return {m: round(right[m] / total, 4) for m in TOLLS} if total else {}


def main(argv: list[str] | None = None) -> int:
    from bench.linking import clean, read_records

    parser = argparse.ArgumentParser(
        prog="python -m bench.ledger_misses", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gvc", required=True)
    parser.add_argument("--incidents", required=True)
    parser.add_argument("--measure", choices=TOLLS)
    parser.add_argument("--only", help="incident ids, comma-separated")
    parser.add_argument("--out", help="write the misses here (default: standard output)")
    args = parser.parse_args(argv)
    records = read_records(Path(args.gvc))
    incidents = json.loads(Path(args.incidents).read_text("utf-8"))
    clusters: dict[str, list[int]] = defaultdict(list)
    for number, record in enumerate(records):
        clusters[str(record["event"])].append(number)
    if args.only:
        keep = set(args.only.split(","))
        clusters = defaultdict(list, {k: v for k, v in clusters.items() if k in keep})
    needed = sorted(n for members in clusters.values() for n in members)
    for number in needed:
        records[number]["clean_text"] = clean(records[number])
    claims: list[list[Claim]] = [[] for _ in records]
    for number, found in zip(needed, extract_all([records[n] for n in needed])):
        claims[number] = found
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            accuracy = misses(records, claims, incidents, clusters, args.measure, out)
    else:
        accuracy = misses(records, claims, incidents, clusters, args.measure, sys.stdout)
    print(json.dumps({"ledger_on_gold_clusters": accuracy}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
