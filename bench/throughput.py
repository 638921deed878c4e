"""`claimwire bench throughput`: how fast each stage runs, in process, on one core.

    claimwire bench throughput [--articles N] [--data FILE] [--pages DIR] [--cpu K] --json

Pinned to one CPU (sched_setaffinity, CPU K, default the last), in one process:

    clean_html   clean_document() on the extraction-dev pages (DIR/html/*.html.gz), pages/s; the reference,
                 trafilatura's default extract() on the same pages, timed in the same run, interleaved page by
                 page with the order alternating (trafilatura_extract)
    clean_text   clean_document() on the first N gvc-dev texts
    extract      extract_claims() on their cleaned texts (the configured extractors)
    pipeline     the N articles through the whole pipeline on the embedded default (a fresh SQLite store in a
                 temporary directory, tasks in-process): `whole` is N / wall time from receipt to the last one
                 stored; each stage (clean, extract, link, store) is timed with its storage work, so that
                 `link` and `store` are the storage-bound stages as they run in the service

Every figure is in articles (or pages) per second, with the per-item p50/p99 in ms.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import time
from pathlib import Path

from bench import percentile, run_cli
from bench.harness import DEFAULT_GVC, clean_digest, gvc_records, payload, use_environment

DEFAULT_PAGES = DEFAULT_GVC.parent / "extraction-dev"


def summary(timings: list[float]) -> dict:
    total = sum(timings)
    return {
        "items": len(timings),
        "per_s": round(len(timings) / total, 1) if total else 0.0,
        "ms_p50": round(1000 * percentile(timings, 50), 2),
        "ms_p99": round(1000 * percentile(timings, 99), 2),
    }


def pin_to_one_cpu(cpu: int | None) -> int | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    chosen = cpu if cpu is not None and cpu in allowed else allowed[-1]
    os.sched_setaffinity(0, {chosen})
    return chosen


def bench_html(pages_dir: Path) -> dict:
    """Ours and trafilatura's default extract() on the same pages, interleaved, order alternating."""
    import trafilatura

    from claimwire.cleaning import HTML, clean_document
    from claimwire.errors import InputError

    pages = [gzip.decompress(path.read_bytes()).decode("utf-8", "replace") for path in sorted((pages_dir / "html").glob("*.html.gz"))]
    if not pages:
        return {"pages": 0}

    def ours(html: str) -> None:
        try:
            clean_document(html, content_type=HTML)
        except InputError:
            pass

    def reference(html: str) -> None:
        trafilatura.extract(html)

    from claimwire import language

    language._identifier()  # warm up: the classifier's model (plainly English text does not load it), imports and caches
    ours(pages[0]), reference(pages[0])  # outside the timings
    timings: dict[str, list[float]] = {"ours": [], "reference": []}
    for index, html in enumerate(pages):
        runs = [("ours", ours), ("reference", reference)]
        if index % 2:
            runs.reverse()
        for name, fn in runs:
            started = time.perf_counter()
            fn(html)
            timings[name].append(time.perf_counter() - started)
    return {"clean_html": summary(timings["ours"]), "trafilatura_extract": summary(timings["reference"])}


def bench_text_and_extract(records: list[dict]) -> tuple[dict, dict]:
    from claimwire import language
    from claimwire.cleaning import TEXT, clean_document
    from claimwire.errors import InputError
    from claimwire.extractors import extract_claims

    language._identifier()  # the classifier's model, outside the timings (plainly English text does not load it)
    clean_document(records[0]["text"], content_type=TEXT, title=records[0].get("title"))
    extract_claims(records[0]["text"], title=records[0].get("title"))
    clean_times, extract_times, cleaned = [], [], []
    for record in records:
        started = time.perf_counter()
        try:
            doc = clean_document(record["text"].encode("utf-8"), content_type=TEXT, title=record.get("title"))
        except InputError:
            doc = None
        clean_times.append(time.perf_counter() - started)
        if doc is not None and not doc.is_empty:
            cleaned.append((doc.text, doc.title))
    for text, title in cleaned:
        started = time.perf_counter()
        extract_claims(text, title=title)
        extract_times.append(time.perf_counter() - started)
    return summary(clean_times), summary(extract_times)


def bench_pipeline(records: list[dict]) -> dict:
    """The articles through every stage in process on a fresh embedded store, each stage timed with its storage work."""
    return bench_bodies([payload(record) for record in records])


def pipeline_reference(bodies: list[dict], cpu: int | None = None, digest: bool = False) -> dict:
    """`bench load`'s one-core reference, in a process of its own: pinned to one CPU, BODIES (API bodies, the
    load run's own articles) through the in-process pipeline (bench_bodies); its `whole` rate is the one-core rate."""
    chosen = pin_to_one_cpu(cpu)
    cpu_started = time.process_time()
    result = bench_bodies(bodies, digest=digest)
    return {"cpu": chosen, "cpu_s": time.process_time() - cpu_started, **result}


def raw_item(body: dict):
    """An API body (bench load's) as the item the API would receive."""
    from claimwire.sources import TEXT, RawItem, outlet_from_url, parse_published

    return RawItem(
        kind=TEXT,
        ref=f"bench:{body['external_id']}",
        body=body["text"].encode("utf-8"),
        url=body["url"],
        title=body["title"],
        published=parse_published(body["published"]),
        outlet=outlet_from_url(body["url"]),
        external_id=body["external_id"],
    )


def bench_bodies(bodies: list[dict], digest: bool = False) -> dict:
    """API BODIES through every stage in process on a fresh embedded store (see bench_pipeline). DIGEST: with
    what the clean stage decided per article (`clean_digest`, for `bench load`'s comparison)."""
    import tempfile

    from storage.db import migrate

    saved = {key: os.environ.get(key) for key in ("CLAIMWIRE_HOME", "DATABASE_URL", "BROKER_URL")}
    home = tempfile.TemporaryDirectory(prefix="claimwire-bench-throughput-")
    use_environment({"CLAIMWIRE_HOME": home.name, "DATABASE_URL": None, "BROKER_URL": None})
    migrate()
    import tasks.clean
    import tasks.extract
    import tasks.link
    import tasks.store
    from service.ingest import receive

    timings: dict[str, list[float]] = {"receive": [], "clean": [], "extract": [], "link": [], "store": []}
    originals = {}

    def timed(module, name: str, stage: str) -> None:
        original = getattr(module, name)
        originals[(module, name)] = original

        def wrapper(article_id: int):
            started = time.perf_counter()
            try:
                return original(article_id)
            finally:
                timings[stage].append(time.perf_counter() - started)

        setattr(module, name, wrapper)

    timed(tasks.clean, "clean_article", "clean")
    timed(tasks.extract, "extract_article", "extract")
    timed(tasks.link, "link_article", "link")
    timed(tasks.store, "store_article", "store")
    items = [raw_item(body) for body in bodies]
    try:
        started = time.perf_counter()
        for item in items:
            before = {stage: len(values) for stage, values in timings.items()}
            began = time.perf_counter()
            receive(item)  # receipt, then every stage in process
            elapsed = time.perf_counter() - began
            in_stages = sum(sum(values[before[stage] :]) for stage, values in timings.items() if stage != "receive")
            timings["receive"].append(max(0.0, elapsed - in_stages))
        wall = time.perf_counter() - started
        found = clean_digest() if digest else None
    finally:
        for (module, name), original in originals.items():
            setattr(module, name, original)
        use_environment(saved)
        home.cleanup()
    out = {stage: summary(values) for stage, values in timings.items()}
    out["whole"] = {"items": len(items), "per_s": round(len(items) / wall, 1) if wall else 0.0, "wall_s": round(wall, 2)}
    if found is not None:
        out["digest"] = found
    return out


def run(args) -> dict:
    cpu = pin_to_one_cpu(args.cpu)
    load_before = os.getloadavg()[0]
    records = gvc_records(Path(args.data), args.articles)
    result: dict = {"cpu": cpu, "articles": len(records)}
    html = bench_html(Path(args.pages)) if Path(args.pages).is_dir() else {}
    clean_text, extract = bench_text_and_extract(records)
    pipeline = bench_pipeline(records)
    result["per_s"] = {
        "clean_html": html.get("clean_html", {}).get("per_s"),
        "trafilatura_extract": html.get("trafilatura_extract", {}).get("per_s"),
        "clean_text": clean_text["per_s"],
        "extract": extract["per_s"],
        "link": pipeline["link"]["per_s"],
        "store": pipeline["store"]["per_s"],
        "whole": pipeline["whole"]["per_s"],
    }
    result["detail"] = {**html, "clean_text": clean_text, "extract": extract, "pipeline": pipeline}
    result["load_avg"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimwire bench throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, metavar="N", help="gvc-dev articles (default 1000)")
    parser.add_argument("--data", default=str(DEFAULT_GVC), metavar="FILE")
    parser.add_argument("--pages", default=str(DEFAULT_PAGES), metavar="DIR", help="extraction-dev directory (html/*.html.gz)")
    parser.add_argument("--cpu", type=int, help="the CPU to run on (default: the last one allowed)")
    parser.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    run_cli(build_parser(), run, argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
