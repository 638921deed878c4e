"""`claimwire bench ledger`: what the editor sees, measured: the event ledger on the seeds and on gvc.

    claimwire bench ledger --seeds DIR --gvc FILE --incidents FILE --json

seeds (DIR/gold.json, its `ledger` section; the five articles built into one event's ledger):
    row_fragmentation  over the required gold rows (party x measure): the number of ledger rows that hold
                       that row's figures (1.0 is perfect); rows_missing: required rows with no figure found
    rows_mixed         ledger rows holding figures of two gold parties
    dispute_recall     required gold disputes shown as a dispute between those values on one row
    false_disputes     disputes shown between figures that `consistent` or `figures_consistent` lists
    headline_ok        the event's headline is the gold headline's measure and party, about its value
                       (within the gold story's bounds), with the gold dissent (7) named as disputing it
    A ledger figure stands for a gold figure when it is in the same article, has the same measure and its
    [min, max] lies inside the gold [min, max] (an open gold max admits any max).

gvc (FILE in publication order, linked as `bench linking` does: cleaned, then tasks.link.link_article on a
fresh embedded store; claims by the configured extractors; every predicted event's ledger built):
    for each gold incident with a record, the predicted event holding most of its articles:
    event_killed_accuracy / event_injured_accuracy   the ledger's headline killed / injured (the sum of its
                       parties' headlines: victims, suspects, bystanders) equals the record; no figure counts as 0
    ..._2plus          the same on incidents with two or more articles
    disputed_events    share of predicted events whose ledger shows a dispute
    references, on the gold clusters in the same run (main_figures of each article, no figure counts as 0):
    first_killed / first_injured     the first article with a figure
    frequent_killed / frequent_injured   the most frequent figure (ties: the latest)
    ledger_on_gold_clusters          the ledger's accuracy with the gold clusters instead of the linker's
    references_linked                the same two references through the real linking: over the predicted event
                                     holding most of the incident's articles (what event_*_accuracy scores)
events_per_s: ledger building alone (build_ledger), over the predicted events, one process.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench import print_result
from claimwire.claims import Claim
from claimwire.extractors import extract_claims, main_figures
from claimwire.ledger import build_ledger
from claimwire.numbers import stated_value

TOLLS = ("killed", "injured")


# ------------------------------------------------------------------------------------------------ seeds


def _inside(figure: Mapping[str, Any], low: float, high: float | None) -> bool:
    lo, hi = figure.get("value_min"), figure.get("value_max")
    if lo is None or lo < low:
        return False
    return high is None or (hi is not None and hi <= high)


def seeds_ledger(seeds_dir: Path, gold: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """The seeds' event ledger, built from the articles gold calls one event; and each file's article id."""
    from claimwire.cleaning import clean_document

    articles, claims, ids = [], [], {}
    for number, name in enumerate(gold["same_event"], start=1):
        raw = (seeds_dir / name).read_bytes()
        cleaned = clean_document(raw, content_type="text")
        ids[name] = number
        articles.append({"id": number, "title": cleaned.title, "outlet": None, "source_ref": name, "arrived": "2018-02-08T12:00:00"})
        for claim in extract_claims(cleaned.text, cleaned.title):
            claims.append({**claim.to_dict(), "article_id": number})
    return build_ledger(articles, claims), ids


def _gold_figures(gold: Mapping[str, Any], ids: Mapping[str, int]) -> list[dict[str, Any]]:
    out = []
    for name, annotation in gold["articles"].items():
        for figure in annotation.get("casualties", []):
            out.append({**figure, "article_id": ids[name]})
    return out


def _holders(ledger: Mapping[str, Any], gold_figure: Mapping[str, Any]) -> list[str]:
    """Keys of the ledger rows holding a figure that stands for this gold figure."""
    keys = []
    for row in ledger["rows"]:
        if row["measure"] != gold_figure["measure"]:
            continue
        if any(f["article_id"] == gold_figure["article_id"] and _inside(f, gold_figure["min"], gold_figure["max"]) for f in row["figures"]):
            keys.append(row["key"])
    return keys


def _story_has(row: Mapping[str, Any], story_id: int, low: float, high: float | None) -> bool:
    figures = {f["id"]: f for f in row["figures"]}
    story = next(s for s in row["stories"] if s["id"] == story_id)
    return any(_inside(figures[i], low, high) for i in story["figures"])


def _story_exact(row: Mapping[str, Any], story_id: int, values: Sequence) -> bool:
    figures = {f["id"]: f for f in row["figures"]}
    story = next(s for s in row["stories"] if s["id"] == story_id)
    wanted = {(float(lo), None if hi is None else float(hi)) for lo, hi in values}
    return any((figures[i]["value_min"], figures[i]["value_max"]) in wanted for i in story["figures"])


def bench_seeds(seeds_dir: str | Path) -> dict[str, Any]:
    seeds_dir = Path(seeds_dir)
    gold = json.loads((seeds_dir / "gold.json").read_text("utf-8"))
    ledger, ids = seeds_ledger(seeds_dir, gold)
    figures = _gold_figures(gold, ids)
    fragmentation, missing = _fragmentation(ledger, gold["ledger"], figures)
    return {
        "row_fragmentation": fragmentation,
        "rows_missing": missing,
        "rows_mixed": _rows_mixed(ledger, figures),
        "dispute_recall": _dispute_recall(ledger, gold["ledger"]),
        "false_disputes": _false_disputes(ledger, gold["ledger"]),
        "headline_ok": _headline_ok(ledger, gold["ledger"], figures),
        "headline": ledger["headline"].get("text"),
        "rows": len(ledger["rows"]),
    }


def _fragmentation(ledger, gold_ledger, figures) -> tuple[float | None, int]:
    counts, missing = [], 0
    for row in gold_ledger["rows"]:
        if row.get("optional"):
            continue
        members = [f for f in figures if f.get("actor") == row["actor"] and f["measure"] == row["measure"] and not f.get("optional")]
        holders = {key for f in members for key in _holders(ledger, f)}
        if holders:
            counts.append(len(holders))
        else:
            missing += 1
    return (round(sum(counts) / len(counts), 4) if counts else None), missing


def _rows_mixed(ledger, figures) -> int:
    actors_of: dict[str, set[str]] = defaultdict(set)
    for figure in figures:
        if figure.get("actor"):
            for key in _holders(ledger, figure):
                actors_of[key].add(figure["actor"])
    return sum(1 for actors in actors_of.values() if len(actors) > 1)


def _dispute_recall(ledger, gold_ledger) -> float | None:
    required = [d for d in gold_ledger["disputes"] if not d.get("optional")]
    found = 0
    for dispute in required:
        left, right = dispute["sides"]
        shown = False
        for row in ledger["rows"]:
            if row["measure"] != dispute["measure"]:
                continue
            for pair in row["disputes"]:
                a, b = pair["stories"]
                if (_story_has(row, a, left["min"], left["max"]) and _story_has(row, b, right["min"], right["max"])) or (
                    _story_has(row, b, left["min"], left["max"]) and _story_has(row, a, right["min"], right["max"])
                ):
                    shown = True
        found += shown
    return round(found / len(required), 4) if required else None


def _false_disputes(ledger, gold_ledger) -> int:
    count = 0
    for consistent in gold_ledger.get("consistent", []):
        values = consistent["values"]
        for row in ledger["rows"]:
            if row["measure"] != consistent["measure"]:
                continue
            for pair in row["disputes"]:
                a, b = pair["stories"]
                count += _story_exact(row, a, values) and _story_exact(row, b, values)
    for consistent in gold_ledger.get("figures_consistent", []):
        values = [(v, v) for v in consistent["values"]]
        for row in ledger["other_figures"]:
            for pair in row["disputes"]:
                stories = {s["id"]: s for s in row["stories"]}
                anchors = [stories[n]["anchor"] for n in pair["stories"]]
                count += all(any(abs(anchor - v) <= 0.1 * v for v, _ in values) for anchor in anchors)
    return count


def _headline_ok(ledger, gold_ledger, figures) -> bool:
    gold_head = gold_ledger["headline"]
    lead_key = ledger["headline"].get("lead")
    row = next((r for r in ledger["rows"] if r["key"] == lead_key), None)
    if row is None or row["measure"] != gold_head["measure"] or row["headline"] is None:
        return False
    members = [f for f in figures if f.get("actor") == gold_head["actor"] and f["measure"] == gold_head["measure"]]
    if not any(row["key"] in _holders(ledger, f) for f in members):
        return False
    majority = next(d for d in gold_ledger["disputes"] if d["measure"] == gold_head["measure"] and d["actor"] == gold_head["actor"])
    dissent, story = majority["sides"][0], majority["sides"][1]
    if not story["min"] <= row["headline"]["anchor"] <= (story["max"] or float("inf")):
        return False
    return any(_story_has(row, n, dissent["min"], dissent["max"]) for n in row["headline"]["disputed_by"])


# ------------------------------------------------------------------------------------------------ gvc


def link_stream(records: list[dict]) -> dict[int, int]:
    """Link the records in order through the real link stage on a fresh store: record index -> event id."""
    from sqlalchemy import select

    from bench.linking import fresh_store, insert_articles
    from storage.db import reset_engines, session_scope
    from storage.models import ArticleEvent, ArticleStatus
    from tasks.link import link_article

    tmp = fresh_store()
    try:
        ids = insert_articles(records, ArticleStatus.EXTRACTED)
        for article_id in ids:
            link_article(article_id)
        with session_scope() as session:
            event_of = dict(session.execute(select(ArticleEvent.article_id, ArticleEvent.event_id)).all())
    finally:
        reset_engines()
        tmp.cleanup()
    return {number: event_of[article_id] for number, article_id in enumerate(ids)}


def extract_all(records: list[dict]) -> list[list[Claim]]:
    return [extract_claims(r["clean_text"], r.get("title")) for r in records]


def event_ledgers(records: list[dict], claims: list[list[Claim]], clusters: Mapping[Any, list[int]]) -> tuple[dict[Any, dict], float]:
    """Every cluster's ledger (articles in stream order); and the seconds ledger building took."""
    ledgers = {}
    elapsed = 0.0
    for key, members in clusters.items():
        articles = [
            {
                "id": n,
                "title": records[n].get("title"),
                "outlet": None,
                "published": records[n].get("published"),
                "arrived": records[n].get("published"),
            }
            for n in members
        ]
        event_claims = [{**c.to_dict(), "article_id": n} for n in members for c in claims[n]]
        started = time.perf_counter()
        ledgers[key] = build_ledger(articles, event_claims)
        elapsed += time.perf_counter() - started
    return ledgers, elapsed


def headline_value(ledger: Mapping[str, Any], measure: str) -> float:
    head = ledger.get("headline", {}).get(measure)
    return head["value"] if head else 0


def _main_value(claims: list[Claim], measure: str) -> float | None:
    main = main_figures(claims).get(measure)
    return None if main is None else stated_value(main.value_min, main.value_max, main.hedge)


def references(
    records, claims, gold_clusters: Mapping[str, list[int]], incidents, predicted_of: Mapping[int, Any] | None = None
) -> dict[str, float]:
    """The first and the most frequent main figure per gold incident with a record: over its gold cluster,
    or (with `predicted_of`) over the predicted event holding most of its articles, as `accuracy` takes it."""
    predicted: dict[Any, list[int]] = defaultdict(list)
    for number, event in (predicted_of or {}).items():
        predicted[event].append(number)
    right: Counter = Counter()
    total = 0
    for event, members in gold_clusters.items():
        record = incidents.get(event)
        if record is None:
            continue
        total += 1
        if predicted_of is not None:
            members = sorted(predicted[_chosen(members, predicted_of)])
        for measure in TOLLS:
            values = [v for v in (_main_value(claims[n], measure) for n in members) if v is not None]
            first = values[0] if values else 0
            counts = Counter(values)
            frequent = max(counts, key=lambda v: (counts[v], max(i for i, x in enumerate(values) if x == v))) if values else 0
            right[f"first_{measure}"] += first == record[measure]
            right[f"frequent_{measure}"] += frequent == record[measure]
    return {k: round(v / total, 4) for k, v in sorted(right.items())} if total else {}


def _chosen(members: Sequence[int], predicted_of: Mapping[int, Any]) -> Any:
    """The predicted event holding most of a gold incident's articles (ties: the one holding its earliest)."""
    votes = Counter(predicted_of[n] for n in members)
    return max(votes, key=lambda e: (votes[e], -min(n for n in members if predicted_of[n] == e)))


def accuracy(ledgers, predicted_of: Mapping[int, Any], gold_clusters: Mapping[str, list[int]], incidents) -> dict[str, Any]:
    right: Counter = Counter()
    totals: Counter = Counter()
    for event, members in gold_clusters.items():
        record = incidents.get(event)
        if record is None:
            continue
        chosen = _chosen(members, predicted_of)
        for measure in TOLLS:
            ok = headline_value(ledgers[chosen], measure) == record[measure]
            right[measure] += ok
            totals[measure] += 1
            if len(members) >= 2:
                right[f"{measure}_2plus"] += ok
                totals[f"{measure}_2plus"] += 1
    return {
        f"event_{k}_accuracy" if "2plus" not in k else f"event_{k.replace('_2plus', '')}_accuracy_2plus": round(right[k] / totals[k], 4)
        for k in totals
    }


def disputed_share(ledgers: Mapping[Any, Mapping[str, Any]]) -> float:
    shown = sum(1 for ledger in ledgers.values() if any(row["disputes"] for row in ledger["rows"]))
    return round(shown / len(ledgers), 4) if ledgers else 0.0


def bench_gvc(gvc_path: str | Path, incidents_path: str | Path, limit: int | None = None) -> dict[str, Any]:
    from bench.linking import clean, read_records

    records = read_records(Path(gvc_path))[:limit] if limit else read_records(Path(gvc_path))
    incidents = json.loads(Path(incidents_path).read_text("utf-8"))
    for record in records:
        record["clean_text"] = clean(record)
    claims = extract_all(records)
    predicted_of = link_stream(records)
    return score_gvc(records, claims, predicted_of, incidents)


def score_gvc(records, claims, predicted_of: Mapping[int, Any], incidents) -> dict[str, Any]:
    gold_clusters: dict[str, list[int]] = defaultdict(list)
    predicted: dict[Any, list[int]] = defaultdict(list)
    for number, record in enumerate(records):
        gold_clusters[str(record["event"])].append(number)
        predicted[predicted_of[number]].append(number)
    ledgers, elapsed = event_ledgers(records, claims, predicted)
    gold_ledgers, _ = event_ledgers(records, claims, gold_clusters)
    result = accuracy(ledgers, predicted_of, gold_clusters, incidents)
    result["disputed_events"] = disputed_share(ledgers)
    result["predicted_events"] = len(ledgers)
    result["references"] = references(records, claims, gold_clusters, incidents)
    result["references_linked"] = references(records, claims, gold_clusters, incidents, predicted_of)
    on_gold = accuracy(gold_ledgers, {n: str(records[n]["event"]) for n in range(len(records))}, gold_clusters, incidents)
    result["ledger_on_gold_clusters"] = {k: v for k, v in on_gold.items() if "2plus" not in k}
    result["events_per_s"] = round(len(ledgers) / elapsed, 1) if elapsed else None
    return result


# ------------------------------------------------------------------------------------------------ command


def run(seeds: str | None, gvc: str | None, incidents: str | None, limit: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if seeds:
        out["seeds"] = bench_seeds(seeds)
    if gvc and incidents:
        out["gvc"] = bench_gvc(gvc, incidents, limit)
        out["events_per_s"] = out["gvc"].pop("events_per_s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="claimwire bench ledger", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", help="directory with the seed articles and gold.json")
    parser.add_argument("--gvc", help="gvc articles (.jsonl or .jsonl.gz)")
    parser.add_argument("--incidents", help="gvc incident records (.json)")
    parser.add_argument("--limit", type=int, help="only the first N gvc articles (a quick look; not for results)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("claimwire").setLevel(logging.WARNING)
    print_result(run(args.seeds, args.gvc, args.incidents, args.limit), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
