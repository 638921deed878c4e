"""The clean and extract stages' domain CPU of two checkouts, A/B in one run on one core.

    python -m bench.extract_ab TREE_A TREE_B [--chunk 50] [--articles N] [--cpu 1]

Two long-lived processes, one per checkout (its own `claimwire` on PYTHONPATH, this interpreter), pinned to the same
CPU, take turns over the same chunks of gvc-dev articles then ecb-dev documents (order A B, then B A, ...): each
chunk is cleaned as tasks/clean.py does it (candidate junk line keys, `clean_document`, the content hash) and
extracted as tasks/extract.py does it (`extract_claims_capped`), and its CPU time (`time.process_time`) counted.
Prints CPU ms per article of each side, and B/A of the sums and the median of the per-chunk ratios: on a shared
machine only the ratios mean something. The claims themselves are compared by bench/claims_digest.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time

from bench import shared_dir


def _records() -> list[dict]:
    records: list[dict] = []
    for name in ("gvc-dev.jsonl.gz", "ecb-dev.jsonl.gz"):
        with gzip.open(shared_dir() / "data" / name, "rt", encoding="utf-8") as handle:
            records += [json.loads(line) for line in handle]
    return records


def _chunk_cpu(records: list[dict]) -> tuple[float, float]:
    from claimwire import junk
    from claimwire.cleaning import TEXT, clean_document, decode_body
    from claimwire.extractors import extract_claims_capped
    from tasks.clean import content_hash

    started = time.process_time()
    docs = []
    for record in records:
        raw = record["text"].encode("utf-8")
        junk.candidate_line_keys(decode_body(raw))
        doc = clean_document(raw, content_type=TEXT, title=record.get("title"))
        content_hash(doc.text)
        docs.append(doc)
    cleaned = time.process_time()
    for doc in docs:
        if not doc.is_empty:
            extract_claims_capped(doc.text, doc.title, max_claims=1000)
    return cleaned - started, time.process_time() - cleaned


def serve() -> None:
    """A side: 'START END' lines in, 'CLEAN_S EXTRACT_S' lines out."""
    from claimwire import warmup

    records = _records()
    warmup.warm_up()
    print("ready", flush=True)
    for line in sys.stdin:
        start, end = map(int, line.split())
        print(*_chunk_cpu(records[start:end]), flush=True)


def _start(tree: str, cpu: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=tree, CLAIMWIRE_SHARED=str(shared_dir()))
    # this file, run in the other checkout (whose claimwire, tasks and bench are on its path): it need not have it
    serve_here = f"import runpy, sys; sys.argv = ['extract_ab', '--serve']; runpy.run_path({__file__!r}, run_name='__main__')"
    argv = ["taskset", "-c", cpu, sys.executable, "-c", serve_here]
    side = subprocess.Popen(argv, cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if side.stdout.readline().strip() != "ready":
        raise RuntimeError(f"{tree}: the side did not start")
    return side


def _ask(side: subprocess.Popen, start: int, end: int) -> list[float]:
    side.stdin.write(f"{start} {end}\n")
    side.stdin.flush()
    return [float(value) for value in side.stdout.readline().split()]


def compare(tree_a: str, tree_b: str, chunk: int, articles: int | None, cpu: str) -> dict:
    total = articles or len(_records())
    sides = {"A": _start(tree_a, cpu), "B": _start(tree_b, cpu)}
    sums = {name: [0.0, 0.0] for name in sides}
    ratios: dict[str, list[float]] = {"clean": [], "extract": []}
    for index, start in enumerate(range(0, total, chunk)):
        end = min(total, start + chunk)
        got = {name: _ask(sides[name], start, end) for name in ("AB" if index % 2 == 0 else "BA")}
        for name, (clean_s, extract_s) in got.items():
            sums[name][0] += clean_s
            sums[name][1] += extract_s
        for i, stage in enumerate(("clean", "extract")):
            if got["A"][i] > 0:
                ratios[stage].append(got["B"][i] / got["A"][i])
    for side in sides.values():
        side.stdin.close()
        side.wait()
    return {
        "articles": total,
        "cpu_ms_per_article": {name: {"clean": 1000 * c / total, "extract": 1000 * e / total} for name, (c, e) in sums.items()},
        "b_over_a": {"clean": sums["B"][0] / sums["A"][0], "extract": sums["B"][1] / sums["A"][1], "both": sum(sums["B"]) / sum(sums["A"])},
        "b_over_a_median_chunk": {stage: statistics.median(values) for stage, values in ratios.items()},
        "load_avg_after": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", help="TREE_A TREE_B: two checkouts")
    parser.add_argument("--chunk", type=int, default=50)
    parser.add_argument("--articles", type=int, default=None, help="the first N (default: all of gvc-dev and ecb-dev)")
    parser.add_argument("--cpu", default="1", help="the CPU both sides are pinned to")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return 0
    if len(args.trees) != 2:
        parser.error("two checkouts: TREE_A TREE_B")
    print(json.dumps(compare(args.trees[0], args.trees[1], args.chunk, args.articles, args.cpu), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
