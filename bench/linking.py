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
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

from bench import percentile, print_result, shared_dir

DEFAULT_DATA = shared_dir() / "data" / "gvc-dev.jsonl.gz"
EVENTS_PER_DAY = 100  # --scale: copied events per day (US gun violence alone runs at ~150 incidents a day)


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


# ------------------------------------------------------------------------------------------------ reference

REFERENCE_THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def tfidf_vectors(texts: list[str]) -> list[dict[str, float]]:
    """Sublinear-tf x smooth-IDF vectors, L2-normalised (as scikit-learn's TfidfVectorizer(sublinear_tf=True)),
    over lower-cased words without stop words (the linker's list)."""
    from claimwire.linkfeatures import STOPWORDS

    counts = [Counter(t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS) for text in texts]
    df = Counter(term for c in counts for term in c)
    n = len(texts)
    vectors = []
    for c in counts:
        v = {t: (1 + math.log(k)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({t: x / norm for t, x in v.items()})
    return vectors


def tfidf_reference(records: list[dict], thresholds=REFERENCE_THRESHOLDS) -> dict:
    """The simple reference of ../shared/data/README.md with no date window: each article, in stream order,
    joins the event of its most similar earlier article when the cosine clears the threshold, else opens one.
    Scored at each threshold; the best (by B-cubed F1) is the reference."""
    vectors = tfidf_vectors([(r.get("title") or "") + "\n" + r["clean_text"] for r in records])
    postings: dict[str, list[tuple[int, float]]] = {}
    best_match: list[tuple[float, int]] = []
    for number, vector in enumerate(vectors):
        dots: Counter = Counter()
        for term, x in vector.items():
            for other, y in postings.get(term, ()):
                dots[other] += x * y
            postings.setdefault(term, []).append((number, x))
        best_match.append(max(((v, -o) for o, v in dots.items()), default=(0.0, 0)))
    gold = {i: str(r["event"]) for i, r in enumerate(records)}
    by_threshold = {}
    for threshold in thresholds:
        event: dict[int, int] = {}
        for number, (value, other) in enumerate(best_match):
            event[number] = event[-other] if value >= threshold else number
        _, _, pf = pairwise(gold, event)
        _, _, bf = bcubed(gold, event)
        by_threshold[threshold] = {"bcubed_f1": round(bf, 4), "pairwise_f1": round(pf, 4)}
    best = max(by_threshold, key=lambda t: by_threshold[t]["bcubed_f1"])
    return {"threshold": best, **by_threshold[best], "by_threshold": {str(t): v for t, v in by_threshold.items()}}


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
    records.sort(key=lambda r: (r.get("published") or "",))  # stable: keeps file order within a day
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
            {
                "id": path.name,
                "event": "__seeds__",
                "title": None,
                "published": (seed_date + timedelta(days=number % 3)).isoformat(),
                "text": path.read_text("utf-8"),
            }
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
    if not getattr(args, "no_reference", False):
        reference = tfidf_reference(records)
        result["tfidf_reference"] = {k: v for k, v in reference.items() if k != "by_threshold"}
        result["tfidf_by_threshold"] = reference["by_threshold"]
        result["beats_reference"] = bf > reference["bcubed_f1"] and pf > reference["pairwise_f1"]
    if args.seeds:
        seed_ids = [a for a in ids if gold[a] == "__seeds__"]
        seed_events = {predicted[a] for a in seed_ids}
        result["seed_articles"] = len(seed_ids)
        result["seed_events"] = len(seed_events)
        result["seed_event_other_articles"] = sum(1 for a in ids if predicted[a] in seed_events and gold[a] != "__seeds__")
    return result


# ------------------------------------------------------------------------------------------------ scale


_SUFFIXED = "pcsn"  # names, places, streets and numbers: made the copy's own


def _copy_of(features, copy: int, shift: int):
    """The same article as another incident: names, places, streets, numbers made its own (`~copy`), its
    date and the dates it mentions moved by `shift` days; words stay (they are what makes the index deep)."""
    from claimwire.linking import UNDATED, ArticleFeatures

    if copy == 0 and shift == 0:
        return features
    keys = []
    for key in features.keys:
        if key[0] in _SUFFIXED:
            keys.append(f"{key}~{copy}")
        elif key[0] == "d":
            keys.append("d:" + date.fromordinal(date.fromisoformat(key[2:]).toordinal() + shift).isoformat())
        else:
            keys.append(key)
    return ArticleFeatures(
        keys=frozenset(keys),
        day=features.day + shift if features.day != UNDATED else UNDATED,
        dates=frozenset(d + shift for d in features.dates),
    )


def scale_plan(records: list[dict], n_events: int, probes: int, events_per_day: int, seed: int = 7):
    """Split the dev stream: its newest `probes` articles are linked and timed; the rest fill the store.
    The fill is copy 0 (the older articles as they are, grouped into their gold events, newest events first,
    so that some probes join an event already stored and others open one) and then copies 1, 2, ... in
    which every event gets its own names and places and a new date: laid out backwards from the newest
    stored day at `events_per_day`, in shuffled order. Returns (base records, probe records, units) where a
    unit is (event number, copy, gold event, [record indexes], shift in days)."""
    import random

    ordered = sorted(range(len(records)), key=lambda i: (records[i]["published"], i))
    probe_ids = ordered[len(ordered) - probes :]
    base_ids = ordered[: len(ordered) - probes]
    by_event: dict[str, list[int]] = {}
    for i in base_ids:
        by_event.setdefault(str(records[i]["event"]), []).append(i)
    groups = sorted(by_event.items(), key=lambda item: max(records[i]["published"] for i in item[1]), reverse=True)
    newest = date.fromisoformat(records[base_ids[-1]]["published"]).toordinal()
    units = []
    for gold, members in groups[:n_events]:
        units.append((len(units) + 1, 0, gold, members, 0))
    rng = random.Random(seed)
    copy = 0
    while len(units) < n_events:
        copy += 1
        shuffled = list(groups)
        rng.shuffle(shuffled)
        for gold, members in shuffled:
            if len(units) >= n_events:
                break
            placed = len(units) - len(groups)  # how many copied events come before this one
            day = newest - placed // events_per_day
            first = min(date.fromisoformat(records[i]["published"]).toordinal() for i in members)
            units.append((len(units) + 1, copy, gold, members, day - first))
    return [records[i] for i in base_ids], [records[i] for i in probe_ids], units


def fill(units, records: list[dict]) -> dict:
    """Bulk-insert the planned events: articles, events, links, link features, index postings, document
    frequencies, through storage.bulkwrite (COPY on PostgreSQL)."""
    from claimwire import linking
    from storage import bulkwrite
    from storage.db import session_scope
    from storage.models import Article, ArticleEvent, Event

    used = sorted({i for _, _, _, members, _ in units for i in members})
    base = {
        i: linking.article_features(records[i].get("title"), records[i]["clean_text"], date.fromisoformat(records[i]["published"]))
        for i in used
    }
    copies = max(copy for _, copy, _, _, _ in units) + 1
    root_df: Counter[str] = Counter()
    for features in base.values():
        root_df.update(features.keys)
    # index keys as a live linker would choose them: words are `copies` times as frequent as in one copy
    documents = len(base) * copies
    chosen = {}
    for i, features in base.items():
        weights = linking.Weights({k: root_df[k] * (1 if k[0] in _SUFFIXED + "d" else copies) for k in features.keys}, documents)
        chosen[i] = linking.index_keys(features, weights)
    hashes: dict[str, int] = {}

    def hashed(key: str) -> int:
        value = hashes.get(key)
        if value is None:
            value = linking.key_hash(key)
            if key[0] not in _SUFFIXED:  # suffixed keys are each seen once or twice: do not keep them
                hashes[key] = value
        return value

    df: Counter[int] = Counter()
    article_id = 0
    chunk: list = []
    articles = 0

    def flush(session) -> None:
        if not chunk:
            return
        rows_a, rows_e, rows_l, links, seen_events = [], [], [], [], set()
        for aid, eid, i, features, keys in chunk:
            when = datetime.fromordinal(features.day) if features.day else datetime(2000, 1, 1)
            title = records[i].get("title")
            rows_a.append(_scale_article_row(aid, title, when))
            if eid not in seen_events:
                seen_events.add(eid)
                rows_e.append(_scale_event_row(eid, title, when))
            rows_l.append(_scale_link_row(aid, eid, when))
            links.append((aid, eid, features, keys))
        counts = Counter(r["event_id"] for r in rows_l)
        for row in rows_e:
            row["article_count"] = counts[row["id"]]
        bulkwrite.bulk_rows(session, Event, rows_e)
        bulkwrite.bulk_rows(session, Article, rows_a)
        bulkwrite.bulk_rows(session, ArticleEvent, rows_l)
        bulkwrite.bulk_file(session, links)
        chunk.clear()

    with session_scope() as session:
        for event_id, copy, _gold, members, shift in units:
            for i in members:
                article_id += 1
                features = _copy_of(base[i], copy, shift)
                keys = [k if copy == 0 else _copy_of_key(k, copy, shift) for k in chosen[i]]
                for key in linking.counted_keys(features.keys):
                    df[hashed(key)] += 1
                chunk.append((article_id, event_id, i, features, keys))
            if len(chunk) >= 5000:
                flush(session)
        flush(session)
        articles = article_id
        bulkwrite.bulk_count(session, df, articles)
    return {"articles": articles, "copies": copies}


def _scale_article_row(article_id: int, title: str | None, when: datetime) -> dict:
    return {
        "id": article_id, "identity": f"scale:{article_id}", "source_kind": "text", "content_type": "text", "status": "stored",
        "title": title, "published_at": when, "received_at": when, "updated_at": when,
    }  # fmt: skip


def _scale_event_row(event_id: int, title: str | None, when: datetime) -> dict:
    return {
        "id": event_id, "headline": title, "first_seen": when, "last_seen": when, "date_min": when, "date_max": when,
        "article_count": 0, "profile": {}, "ledger": {}, "created_at": when, "updated_at": when,
    }  # fmt: skip


def _scale_link_row(article_id: int, event_id: int, when: datetime) -> dict:
    return {
        "article_id": article_id,
        "event_id": event_id,
        "decision": "new",
        "score": 0.0,
        "features": {},
        "linker": "bench-fill",
        "linked_at": when,
    }


def _copy_of_key(key: str, copy: int, shift: int) -> str:
    if key[0] in _SUFFIXED:
        return f"{key}~{copy}"
    if key[0] == "d":
        return "d:" + date.fromordinal(date.fromisoformat(key[2:]).toordinal() + shift).isoformat()
    return key


def settle() -> None:
    """After the bulk fill: fold SQLite's write-ahead log into the database, vacuum and analyse, so that
    the timed links see a store in its steady state (planner statistics, visibility map)."""
    from storage.db import get_engine

    engine = get_engine()
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        # the fill wrote ids itself: move the sequences past them
        for name in ("articles", "events"):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
            )


def postgres_store(admin_url: str):
    """A throwaway PostgreSQL database claimwire_scale_<random>; returns its name and a function that drops it."""
    from claimwire.settings import get_settings
    from storage.db import create_database, drop_database, reset_engines

    url = create_database(admin_url, "claimwire_scale")
    os.environ["DATABASE_URL"] = url
    os.environ.pop("BROKER_URL", None)
    get_settings.cache_clear()
    reset_engines()
    return url.rsplit("/", 1)[1], lambda: drop_database(url, admin_url)


def run_scale(args) -> dict:
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import ArticleEvent, ArticleStatus
    from tasks.link import link_article

    records = read_records(Path(args.file))
    base, probes, units = scale_plan(records, args.scale, args.probes, args.events_per_day)
    for record in [*(base[i] for i in sorted({i for _, _, _, members, _ in units for i in members})), *probes]:
        record["clean_text"] = clean(record)
    if args.store == "postgres":
        store_name, cleanup = postgres_store(args.admin_url)
    else:
        tmp = fresh_store()
        store_name, cleanup = "sqlite", tmp.cleanup
    try:
        from storage.db import get_engine

        t0 = time.perf_counter()
        filled = fill(units, base)
        settle()
        fill_s = time.perf_counter() - t0
        probes = [{**probe, "id": f"probe-{number}"} for number, probe in enumerate(probes)]
        ids = insert_articles(probes, ArticleStatus.EXTRACTED)
        warm = min(10, len(ids) // 10)
        timings = []
        for number, article_id in enumerate(ids):
            t1 = time.perf_counter()
            link_article(article_id)
            if number >= warm:  # the first few warm caches and prepared statements
                timings.append((time.perf_counter() - t1) * 1000)
        with session_scope() as session:
            event_of = dict(
                session.execute(select(ArticleEvent.article_id, ArticleEvent.event_id).where(ArticleEvent.article_id.in_(ids))).all()
            )
            store_bytes = None
            if get_engine().dialect.name == "postgresql":
                from sqlalchemy import text

                store_bytes = session.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    finally:
        cleanup()
    filled_events = len(units)
    outcome = _probe_outcome(units, ids, probes, event_of)
    return {
        "store": args.store,
        "database": store_name,
        "scale_events": filled_events,
        "scale_articles": filled["articles"],
        "copies": filled["copies"],
        "events_per_day": args.events_per_day,
        "store_mb": round(store_bytes / 1e6, 1) if store_bytes else None,
        "fill_s": round(fill_s, 1),
        "probes": len(ids),
        "probes_timed": len(timings),
        **outcome,
        "link_ms_p50": round(percentile(timings, 50), 2),
        "link_ms_p99": round(percentile(timings, 99), 2),
        "link_ms_max": round(max(timings), 2) if timings else 0.0,
        "loadavg": open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else None,
    }


def _probe_outcome(units, ids: list[int], probes: list[dict], event_of: dict[int, int]) -> dict:
    """Did the probes land where they belong? (a stored event of their own incident, or one they opened)"""
    gold_of_event = {event_id: gold for event_id, copy, gold, _, _ in units if copy == 0}
    filled_events = len(units)
    opened_by: dict[int, str] = {}
    joined = joined_right = opened = opened_right = 0
    stored_golds = set(gold_of_event.values())
    for article_id, probe in zip(ids, probes):
        event_id, gold = event_of[article_id], str(probe["event"])
        if event_id <= filled_events:
            joined += 1
            joined_right += gold_of_event.get(event_id) == gold
        elif event_id in opened_by:
            joined += 1
            joined_right += opened_by[event_id] == gold
        else:
            opened += 1
            opened_by[event_id] = gold
            opened_right += gold not in stored_golds
    return {
        "probes_joined": joined,
        "probes_joined_right_event": joined_right,
        "probes_opened": opened,
        "probes_opened_rightly": opened_right,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="claimwire bench linking", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file", nargs="?", default=str(DEFAULT_DATA), help="JSONL(.gz) with id, event, title, published, text")
    parser.add_argument("--scale", type=int, help="fill the store with N events and time linking new articles against it")
    parser.add_argument("--probes", type=int, default=400, help="--scale: the newest N articles of FILE, linked and timed")
    parser.add_argument(
        "--store",
        choices=("postgres", "sqlite"),
        default="postgres",
        help="--scale: the store to fill (default: a throwaway PostgreSQL database)",
    )
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("CLAIMWIRE_SCALE_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="--scale: PostgreSQL database to connect to for CREATE/DROP DATABASE claimwire_scale_<random>",
    )
    parser.add_argument("--events-per-day", type=int, default=EVENTS_PER_DAY, help="--scale: density of the copied events in time")
    parser.add_argument("--seeds", help="a directory of .txt articles on one event to interleave into the stream")
    parser.add_argument("--seed-date", default="2018-02-08", help="publication date given to the --seeds articles")
    parser.add_argument("--limit", type=int, help="only the first N articles of FILE")
    parser.add_argument("--last", type=int, help="only the last N articles of FILE")
    parser.add_argument("--no-reference", action="store_true", help="skip the TF-IDF reference (no date window) of the same run")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("claimwire").setLevel(logging.WARNING)
    result = run_scale(args) if args.scale else run_quality(args)
    print_result(result, args.json, key_width=28)
    return 0


if __name__ == "__main__":
    sys.exit(main())
