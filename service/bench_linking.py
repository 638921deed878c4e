"""`claimwire bench linking`: linking quality and speed through the real, storage-backed linker in process.

    claimwire bench linking FILE [--seeds DIR] [--seed-date 2018-02-08] [--limit N] --json
        Streams FILE (.jsonl / .jsonl.gz with id, event, title, published, text) in publication order
        through tasks.link.link_article on a fresh SQLite store in a temporary directory, and prints
        pairwise and B-cubed precision/recall/F1 against the `event` labels, articles_per_s and the
        per-article link latency (p50/p99, ms). Texts are cleaned first with the real cleaner
        (claimwire.cleaning.clean_document), outside the timed part. With --seeds, the .txt files of DIR
        are interleaved evenly into the stream, dated --seed-date (plus one day each), labelled as one
        event; the output then also says how many events hold them and how many other articles joined.

    claimwire bench linking --scale N [--probes 200] --json
        Fills a fresh SQLite store with N events (real gvc-dev articles, their dates shifted back in time
        at 50 events a day and their names and places suffixed per copy, bulk-inserted straight into the
        index tables), then links --probes real articles dated at the newest end of the store and prints
        link_ms_p50 and link_ms_p99.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "gvc-dev.jsonl.gz"
EVENTS_PER_DAY = 50


# ------------------------------------------------------------------------------------------------ metrics


def pairwise(gold: dict, predicted: dict) -> tuple[float, float, float]:
    def pairs(counts) -> int:
        return sum(c * (c - 1) // 2 for c in counts)

    both = Counter((gold[i], predicted[i]) for i in gold)
    true_pairs = pairs(both.values())
    gold_pairs = pairs(Counter(gold.values()).values())
    predicted_pairs = pairs(Counter(predicted[i] for i in gold).values())
    precision = true_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = true_pairs / gold_pairs if gold_pairs else 1.0
    return precision, recall, _f1(precision, recall)


def bcubed(gold: dict, predicted: dict) -> tuple[float, float, float]:
    both = Counter((gold[i], predicted[i]) for i in gold)
    gold_size = Counter(gold.values())
    predicted_size = Counter(predicted[i] for i in gold)
    precision = sum(both[(gold[i], predicted[i])] / predicted_size[predicted[i]] for i in gold) / len(gold)
    recall = sum(both[(gold[i], predicted[i])] / gold_size[gold[i]] for i in gold) / len(gold)
    return precision, recall, _f1(precision, recall)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * (len(ordered) - 1)))))
    return ordered[index]


# ------------------------------------------------------------------------------------------------ store


def fresh_store() -> tempfile.TemporaryDirectory:
    """A fresh embedded store in a temporary directory, for this process."""
    from claimwire.settings import get_settings
    from storage.db import migrate, reset_engines

    tmp = tempfile.TemporaryDirectory(prefix="claimwire-bench-")
    os.environ["CLAIMWIRE_HOME"] = tmp.name
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("BROKER_URL", None)
    get_settings.cache_clear()
    reset_engines()
    try:
        from workers.app import configure

        configure()
    except Exception:  # the bench does not need Celery
        pass
    migrate()
    return tmp


def read_records(path: Path) -> list[dict]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    records.sort(key=lambda r: (r.get("published") or "", ))  # stable: keeps file order within a day
    return records


def clean(record: dict) -> str:
    from claimwire.cleaning import clean_document

    try:
        cleaned = clean_document(record["text"].encode("utf-8"), content_type="text", title=record.get("title"), url=record.get("url"))
        if not cleaned.is_empty:
            return cleaned.text
    except Exception:
        pass
    return record["text"]


def insert_articles(records: list[dict], status: str) -> list[int]:
    """Store the records as articles ready for the link stage (cleaned and extracted)."""
    from storage.db import session_scope
    from storage.models import Article, utcnow

    ids = []
    with session_scope() as session:
        for number, record in enumerate(records):
            published = datetime.fromisoformat(record["published"]) if record.get("published") else None
            article = Article(
                identity=f"bench:{number}:{record['id']}"[:64],
                source_kind="text",
                content_type="text",
                external_id=str(record["id"]),
                title=record.get("title"),
                published_at=published,
                clean_text=record["clean_text"],
                status=status,
                received_at=utcnow(),
                updated_at=utcnow(),
            )
            session.add(article)
            session.flush()
            ids.append(article.id)
    return ids


def seed_records(directory: Path, seed_date: date) -> list[dict]:
    records = []
    for number, path in enumerate(sorted(directory.glob("*.txt"))):
        records.append(
            {"id": path.name, "event": "__seeds__", "title": None, "published": (seed_date + timedelta(days=number % 3)).isoformat(), "text": path.read_text("utf-8")}
        )
    return records


def interleave(records: list[dict], extra: list[dict]) -> list[dict]:
    if not extra:
        return records
    out = list(records)
    step = max(1, len(out) // (len(extra) + 1))
    for number, record in enumerate(extra):
        out.insert((number + 1) * step + number, record)
    return out


def run_quality(args) -> dict:
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import ArticleEvent, ArticleStatus
    from tasks.link import link_article

    records = read_records(Path(args.file))
    if args.limit:
        records = records[: args.limit]
    if getattr(args, "last", None):
        records = records[-args.last :]
    if args.seeds:
        records = interleave(records, seed_records(Path(args.seeds), date.fromisoformat(args.seed_date)))
    for record in records:
        record["clean_text"] = clean(record)
    tmp = fresh_store()
    try:
        ids = insert_articles(records, ArticleStatus.EXTRACTED)
        timings = []
        started = time.perf_counter()
        for article_id in ids:
            t0 = time.perf_counter()
            link_article(article_id)
            timings.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - started
        with session_scope() as session:
            event_of = dict(session.execute(select(ArticleEvent.article_id, ArticleEvent.event_id)).all())
    finally:
        from storage.db import reset_engines

        reset_engines()
        tmp.cleanup()
    gold = {article_id: str(record["event"]) for article_id, record in zip(ids, records)}
    predicted = {article_id: event_of[article_id] for article_id in ids}
    pp, pr, pf = pairwise(gold, predicted)
    bp, br, bf = bcubed(gold, predicted)
    result = {
        "file": str(args.file),
        "articles": len(ids),
        "gold_events": len(set(gold.values())),
        "predicted_events": len(set(predicted.values())),
        "pairwise_precision": round(pp, 4),
        "pairwise_recall": round(pr, 4),
        "pairwise_f1": round(pf, 4),
        "bcubed_precision": round(bp, 4),
        "bcubed_recall": round(br, 4),
        "bcubed_f1": round(bf, 4),
        "articles_per_s": round(len(ids) / elapsed, 1) if elapsed else None,
        "link_ms_p50": round(percentile(timings, 50), 2),
        "link_ms_p99": round(percentile(timings, 99), 2),
    }
    if args.seeds:
        seed_ids = [a for a in ids if gold[a] == "__seeds__"]
        seed_events = {predicted[a] for a in seed_ids}
        result["seed_articles"] = len(seed_ids)
        result["seed_events"] = len(seed_events)
        result["seed_event_other_articles"] = sum(1 for a in ids if predicted[a] in seed_events and gold[a] != "__seeds__")
    return result


# ------------------------------------------------------------------------------------------------ scale


def _shifted(features, copy: int, offset: int):
    """The same article as another incident: dates shifted, names and places made its own."""
    from claimwire.linking import UNDATED, ArticleFeatures

    keys = frozenset(k if k[0] not in "pcs" else f"{k}~{copy}" for k in features.keys)
    dates = frozenset(d + offset for d in features.dates)
    day = features.day + offset if features.day != UNDATED else UNDATED
    return ArticleFeatures(keys=keys, day=day, dates=dates)


def fill(n_events: int, records: list[dict], end_day: int) -> None:
    """Bulk-insert n_events one-article events, their features, index postings and frequencies."""
    from sqlalchemy import insert

    from claimwire import linking
    from storage.db import session_scope
    from storage.models import Article, ArticleEvent, ArticleLinkFeatures, Event, EventIndexEntry, TermFrequency

    base = [linking.article_features(r.get("title"), r["clean_text"], date.fromisoformat(r["published"])) for r in records]
    df: Counter[int] = Counter()
    for features in base:
        df.update(features.keys)
    documents = max(1, len(base))
    chunk = 5000
    hashes: Counter[int] = Counter()
    with session_scope() as session:
        for start in range(0, n_events, chunk):
            articles, events, links, feats, postings = [], [], [], [], []
            for i in range(start, min(n_events, start + chunk)):
                source = base[i % len(base)]
                copy = i // len(base)
                day = end_day - (n_events - 1 - i) // EVENTS_PER_DAY
                shifted = _shifted(source, copy, day - source.day)
                when = datetime.fromordinal(shifted.day)
                aid = eid = i + 1
                articles.append({"id": aid, "identity": f"scale:{aid}", "source_kind": "text", "content_type": "text", "status": "stored",
                                 "title": records[i % len(records)].get("title"), "published_at": when, "received_at": when, "updated_at": when})
                events.append({"id": eid, "headline": articles[-1]["title"], "first_seen": when, "last_seen": when, "date_min": when,
                               "date_max": when, "article_count": 1, "profile": {}, "ledger": {}, "created_at": when, "updated_at": when})
                links.append({"article_id": aid, "event_id": eid, "decision": "new", "score": 0.0, "features": {}, "linker": "bench-fill", "linked_at": when})
                # index keys chosen with the frequencies of the base corpus (what a live linker would have seen)
                weights = linking.Weights({k: df[k.split("~")[0]] for k in shifted.keys}, documents)
                keys = linking.index_keys(shifted, weights)
                feats.append({"article_id": aid, "event_id": eid, "day": shifted.day, "features": shifted.to_dict(), "index_keys": keys})
                bucket = linking.bucket_of(shifted.day)
                for h in sorted({linking.key_hash(k) for k in keys}):
                    postings.append({"key_hash": h, "bucket": bucket, "article_id": aid})
                for key in shifted.keys:
                    hashes[linking.key_hash(key)] += 1
            session.execute(insert(Article), articles)
            session.execute(insert(Event), events)
            session.execute(insert(ArticleEvent), links)
            session.execute(insert(ArticleLinkFeatures), feats)
            session.execute(insert(EventIndexEntry), postings)
        hashes[0] += n_events
        rows = [{"key_hash": h, "df": c} for h, c in hashes.items()]
        for start in range(0, len(rows), 20000):
            session.execute(insert(TermFrequency), rows[start : start + 20000])


def settle() -> None:
    """After the bulk fill: fold the write-ahead log into the database and refresh planner statistics,
    so that the timed links do not pay for the fill's checkpoint."""
    from sqlalchemy import text

    from storage.db import get_engine

    with get_engine().connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute(text("ANALYZE"))
        connection.commit()


def run_scale(args) -> dict:
    import random

    from storage.models import ArticleStatus
    from tasks.link import link_article

    records = read_records(Path(args.file))
    for record in records:
        record["clean_text"] = clean(record)
    end_day = date(2020, 1, 1).toordinal()
    tmp = fresh_store()
    try:
        t0 = time.perf_counter()
        fill(args.scale, records, end_day)
        settle()
        fill_s = time.perf_counter() - t0
        rng = random.Random(7)
        probes = [dict(r) for r in rng.sample(records, min(args.probes, len(records)))]
        for number, probe in enumerate(probes):
            shift = end_day - number % 7 - date.fromisoformat(probe["published"]).toordinal()
            probe["published"] = date.fromordinal(date.fromisoformat(probe["published"]).toordinal() + shift).isoformat()
            probe["id"] = f"probe-{number}"
        ids = insert_articles(probes, ArticleStatus.EXTRACTED)
        for article_id in ids[:10]:  # warm-up: caches, prepared statements
            link_article(article_id)
        timings = []
        for article_id in ids[10:]:
            t1 = time.perf_counter()
            link_article(article_id)
            timings.append((time.perf_counter() - t1) * 1000)
    finally:
        from storage.db import reset_engines

        reset_engines()
        tmp.cleanup()
    return {
        "scale_events": args.scale,
        "probes": len(timings),
        "fill_s": round(fill_s, 1),
        "link_ms_p50": round(percentile(timings, 50), 2),
        "link_ms_p99": round(percentile(timings, 99), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="claimwire bench linking", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", default=str(DEFAULT_DATA), help="JSONL(.gz) with id, event, title, published, text")
    parser.add_argument("--scale", type=int, help="fill the store with N events and time linking new articles against it")
    parser.add_argument("--probes", type=int, default=400, help="--scale: articles linked and timed")
    parser.add_argument("--seeds", help="a directory of .txt articles on one event to interleave into the stream")
    parser.add_argument("--seed-date", default="2018-02-08", help="publication date given to the --seeds articles")
    parser.add_argument("--limit", type=int, help="only the first N articles of FILE")
    parser.add_argument("--last", type=int, help="only the last N articles of FILE")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("claimwire").setLevel(logging.WARNING)
    result = run_scale(args) if args.scale else run_quality(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:28} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
