"""What linking costs the gvc ledger: the gold incidents whose headline killed / injured equals the record on
their gold cluster but not through the real linking (`bench ledger`'s event_*_accuracy against its
ledger_on_gold_clusters), each classed by what the linker did to it.

    python -m bench.link_ledger --gvc FILE --incidents FILE [--cache FILE] [--memory] [--measure killed|injured] [--out FILE]

Links and extracts as `bench ledger` does (cleaned records, tasks.link.link_article on a fresh store, the
configured extractors). --cache keeps the cleaned texts, claims and predicted events in FILE (pickle): a later
run with the same FILE only rebuilds the ledgers (for work on claimwire/ledger.py; delete it after a change
to the extractors; a change to the linker needs none with --memory). --memory links again on every run, in
memory (claimwire.linkmemory, the decisions of the storage-backed linker: see docs/LINKING.md) and in seconds.

Per loss: the record, the headline on the gold cluster and through linking, the chosen predicted event's
articles (their gold incident, main killed / injured, title) and where the incident's other articles went.
Classes (one per loss, the first that holds):
    over_merge_only   the chosen event holds every article of the incident, and articles of other incidents
    split_only        the chosen event holds only the incident's articles, but not all of them
    merge_and_split   both: other incidents' articles in it, and some of the incident's articles elsewhere
    same_articles     the chosen event holds exactly the gold cluster (the ledger differs by arrival order only)
Under over_merge, `foreign_figure` says whether the linked headline equals a main figure of a foreign article
(another incident's figure won), and under split, `missing_figure` whether the record's figure is a main figure
of an article left outside the chosen event. The last line is one JSON object: both accuracies and the counts.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from bench.ledger import TOLLS, _chosen, _main_value, event_ledgers, extract_all, headline_value, link_stream


def load(gvc: str, cache: str | None) -> tuple[list[dict], list, dict[int, Any]]:
    """The records (cleaned), their claims and their predicted events: from CACHE when it exists."""
    from bench.linking import clean, read_records

    if cache and Path(cache).exists():
        with open(cache, "rb") as handle:
            return pickle.load(handle)
    records = read_records(Path(gvc))
    for record in records:
        record["clean_text"] = clean(record)
    loaded = (records, extract_all(records), link_stream(records))
    if cache:
        with open(cache, "wb") as handle:
            pickle.dump(loaded, handle)
    return loaded


def link_in_memory(records: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """The records linked in order by the in-memory index: record index -> event id."""
    from datetime import datetime

    from bench.fit_linker import link_stream as link_features_in_memory
    from claimwire import linking

    stream = []
    for record in records:
        published = record.get("published")
        when = datetime.fromisoformat(published) if published else None
        stream.append((None, linking.article_features(record.get("title"), record["clean_text"], when)))
    return dict(enumerate(link_features_in_memory(stream)))


def classify(members: Sequence[int], chosen_members: Sequence[int]) -> str:
    inside = set(members) & set(chosen_members)
    foreign = set(chosen_members) - set(members)
    if foreign and inside != set(members):
        return "merge_and_split"
    if foreign:
        return "over_merge_only"
    if inside != set(members):
        return "split_only"
    return "same_articles"


def _detail(kind: str, measure: str, wanted: float, linked: float, members, chosen_members, claims) -> str:
    notes = []
    if kind in ("over_merge_only", "merge_and_split"):
        foreign = [n for n in chosen_members if n not in set(members)]
        notes.append("foreign_figure" if any(_main_value(claims[n], measure) == linked for n in foreign) else "own_figure")
    if kind in ("split_only", "merge_and_split"):
        outside = [n for n in members if n not in set(chosen_members)]
        notes.append("missing_figure" if any(_main_value(claims[n], measure) == wanted for n in outside) else "figure_inside")
    return ",".join(notes)


def _article_line(number: int, record: Mapping[str, Any], claims, incident: str) -> str:
    killed, injured = (_main_value(claims[number], m) for m in TOLLS)
    mark = " " if str(record["event"]) == incident else "*"
    return f"  {mark} art {number} gold={record['event']} {record.get('published')} k={killed} i={injured} | {record.get('title')}\n"


def losses(records, claims, predicted_of, incidents, measure: str | None, out: IO[str]) -> dict[str, Any]:
    gold_of = {n: str(r["event"]) for n, r in enumerate(records)}
    gold: dict[str, list[int]] = defaultdict(list)
    predicted: dict[Any, list[int]] = defaultdict(list)
    for number in range(len(records)):
        gold[gold_of[number]].append(number)
        predicted[predicted_of[number]].append(number)
    linked, _ = event_ledgers(records, claims, predicted)
    on_gold, _ = event_ledgers(records, claims, gold)
    counts: Counter = Counter()
    right: Counter = Counter()
    total = 0
    for incident, members in gold.items():
        record = incidents.get(incident)
        if record is None:
            continue
        total += 1
        chosen = _chosen(members, predicted_of)
        for m in TOLLS:
            gold_ok = headline_value(on_gold[incident], m) == record[m]
            link_ok = headline_value(linked[chosen], m) == record[m]
            right[f"{m}_gold"] += gold_ok
            right[f"{m}_linked"] += link_ok
            if gold_ok == link_ok or (measure and m != measure):
                continue
            kind = classify(members, predicted[chosen])
            detail = _detail(kind, m, record[m], headline_value(linked[chosen], m), members, predicted[chosen], claims)
            sign = "lost" if gold_ok else "won"
            counts[f"{m}:{sign}:{kind}:{detail}"] += 1
            out.write("=" * 100 + "\n")
            out.write(
                f"INCIDENT {incident} {m} {sign} {kind} {detail} record={record[m]} "
                f"gold_head={headline_value(on_gold[incident], m)} linked_head={headline_value(linked[chosen], m)} "
                f"gold_articles={len(members)} event_articles={len(predicted[chosen])}\n"
            )
            for number in predicted[chosen]:
                out.write(_article_line(number, records[number], claims, incident))
            elsewhere = Counter(predicted_of[n] for n in members if predicted_of[n] != chosen)
            for event, count in elsewhere.items():
                out.write(f"  elsewhere: event {event} holds {count} of its articles (of {len(predicted[event])})\n")
                for number in predicted[event]:
                    if gold_of[number] == incident:
                        out.write(_article_line(number, records[number], claims, incident))
    accuracy = {k: round(v / total, 4) for k, v in sorted(right.items())} if total else {}
    return {"accuracy": accuracy, "classes": dict(sorted(counts.items()))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.link_ledger", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gvc", required=True)
    parser.add_argument("--incidents", required=True)
    parser.add_argument("--cache", help="pickle of the cleaned records, claims and predicted events (read if present)")
    parser.add_argument("--memory", action="store_true", help="link in memory again (the cache keeps texts and claims)")
    parser.add_argument("--measure", choices=TOLLS)
    parser.add_argument("--out", help="write the losses here (default: standard output)")
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("claimwire").setLevel(logging.WARNING)
    records, claims, predicted_of = load(args.gvc, args.cache)
    if args.memory:
        predicted_of = link_in_memory(records)
    incidents = json.loads(Path(args.incidents).read_text("utf-8"))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            result = losses(records, claims, predicted_of, incidents, args.measure, out)
    else:
        result = losses(records, claims, predicted_of, incidents, args.measure, sys.stdout)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
