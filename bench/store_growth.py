"""The store stage's own CPU on events that grow, as `bench load --articles 10000` makes them (issue 18).

    python -m bench.store_growth digest INPUTS [--articles 10000]           # sha256 of every stored ledger and change
    python -m bench.store_growth profile INPUTS [--articles N] [--top 40]   # cProfile of the replay
    python -m bench.store_growth ab TREE_A TREE_B --inputs INPUTS [--articles N] [--passes 3] [--cpu 1]

INPUTS: `python -m bench.ledger_digest inputs` (gvc-dev cleaned and extracted once). The stream is the one
`bench load` posts (bench/harness.py `repeated_payloads`): gvc-dev in order, then again as new articles (new ids,
later arrivals, the same claims: a copy's last line names the copy and holds no figure), up to --articles. Each
article joins its gold incident's event with the copies before it, so that an event that held 2-10 articles in
gvc-dev holds 6-40 by the fourth copy. For each article in stream order, the store stage's work less its SQL
(tasks/store.py, storage/changefeed.py `rebuild_ledger`): the event's ledger before read back from its stored JSON,
the ledger rebuilt from the event's stored articles and their claims (as storage/repository.py `ledger_inputs`
gives them, `extra` included), its link change and the ledger's changes (claimwire/changes.py `diff_ledgers`), the
ledger and the change rows written as JSON (claimwire/jsontext.py). Each tree's own code does it
(`claimwire.ledger.LedgerCache` where the tree has it: the store's per-process cache of what each claim gives).

`ab`: two long-lived processes, one per checkout, pinned to one CPU, replay the whole stream in turns (A B, then
B A, ...), each pass from the start with its process's caches as a pool process keeps them; the CPU seconds of each
pass (`time.process_time`), best against best, and each side's digest (they must be equal).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import pickle
import pstats
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

COPY_EVERY = timedelta(seconds=1)  # arrivals of the stream, one a second (as ledger_digest's inputs)


def stream(inputs: dict, count: int) -> list[tuple[str, int, int]]:
    """(event key, record index, article id) of each of COUNT articles in posting order: the records, then copies."""
    total = len(inputs["articles"])
    event_of = {n: key for key, members in inputs["events"].items() for n in members}
    return [(event_of[k % total], k % total, k + 1) for k in range(count)]


def article_row(inputs: dict, record: int, article_id: int) -> dict:
    """The article as the store reads it (storage/repository.py `_ledger_article`)."""
    base = inputs["articles"][record]
    arrived = datetime.fromisoformat(inputs["articles"][0]["arrived"]) + COPY_EVERY * (article_id - 1)
    return {**base, "id": article_id, "arrived": arrived.isoformat()}


def claim_rows(inputs: dict, record: int, article_id: int) -> list[dict]:
    """The article's claims as the store reads them: fresh dicts (JSON `extra` included) at every read."""
    return [{**claim, "article_id": article_id, "extra": dict(claim["extra"])} for claim in inputs["claims"][record]]


class Replay:
    """The store stage's steps over the stream, with the events' stored ledgers (JSON text) between them."""

    def __init__(self, inputs: dict, count: int) -> None:
        self.inputs, self.steps = inputs, stream(inputs, count)

    def run(self, start: int = 0, end: int | None = None, sha=None) -> None:
        if start == 0:
            self.stored: dict[str, str | None] = defaultdict(lambda: None)
            self.members: dict[str, list[tuple[int, int]]] = defaultdict(list)
            self.cache = _new_cache()
        for key, record, article_id in self.steps[start:end]:
            self.members[key].append((record, article_id))
            text, changes = store_step(self.inputs, self.members[key], self.stored[key], self.cache)
            self.stored[key] = text
            if sha is not None:
                sha.update(text.encode())
                sha.update(changes.encode())


def _new_cache():
    from claimwire import ledger

    maker = getattr(ledger, "LedgerCache", None)
    return maker() if maker is not None else None


def store_step(inputs: dict, members: list[tuple[int, int]], old_text: str | None, cache) -> tuple[str, str]:
    """One store: (the event's new ledger as stored, the change rows as written), both JSON text."""
    from claimwire import changes, jsontext
    from claimwire.ledger import build_ledger

    event_id, article_id = 1, members[-1][1]
    articles = [article_row(inputs, r, a) for r, a in members]
    claims = [c for r, a in members for c in claim_rows(inputs, r, a)]
    old = jsontext.loads(old_text) if old_text is not None else None
    new = build_ledger(articles, claims) if cache is None else build_ledger(articles, claims, cache=cache)
    link = {"score": 0.9, "title": articles[-1]["title"], "url": articles[-1]["url"]}
    opened = not (old or {}).get("articles")
    found = [
        changes.event_opened(event_id, article_id, **link)
        if opened
        else changes.article_linked(event_id, article_id, decision="join", **link),
        *changes.diff_ledgers(old, new, event_id=event_id, article_id=article_id),
    ]
    rows = [{"kind": c.kind, "event_id": c.event_id, "article_id": c.article_id, "data": c.data} for c in found]
    return jsontext.dumps(new), jsontext.dumps(rows)


def digest(inputs: dict, count: int) -> str:
    sha = hashlib.sha256()
    Replay(inputs, count).run(sha=sha)
    return sha.hexdigest()


def serve(inputs_path: str, count: int) -> None:
    """A side of `ab`: 'pass' lines in, 'CPU_S DIGEST' lines out."""
    replay = Replay(pickle.loads(Path(inputs_path).read_bytes()), count)
    print("ready", flush=True)
    for _ in sys.stdin:
        sha = hashlib.sha256()
        started = time.process_time()
        replay.run(sha=sha)
        print(time.process_time() - started, sha.hexdigest(), flush=True)


def _start(tree: str, inputs: str, count: int, cpu: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=tree)
    argv = [sys.executable, "-c", f"import runpy, sys; sys.argv = ['store_growth', 'serve', {inputs!r}, '--articles', '{count}']; "
            f"runpy.run_path({__file__!r}, run_name='__main__')"]  # fmt: skip
    side = subprocess.Popen(["taskset", "-c", cpu, *argv], cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if side.stdout.readline().strip() != "ready":
        raise RuntimeError(f"{tree}: the side did not start")
    return side


def compare(tree_a: str, tree_b: str, inputs: str, count: int, passes: int, cpu: str) -> dict:
    sides = {"A": _start(tree_a, inputs, count, cpu), "B": _start(tree_b, inputs, count, cpu)}
    times: dict[str, list[float]] = {"A": [], "B": []}
    digests: dict[str, set[str]] = {"A": set(), "B": set()}
    for index in range(passes):
        for name in "AB" if index % 2 == 0 else "BA":
            sides[name].stdin.write("pass\n")
            sides[name].stdin.flush()
            seconds, sha = sides[name].stdout.readline().split()
            times[name].append(float(seconds))
            digests[name].add(sha)
    for side in sides.values():
        side.stdin.close()
        side.wait()
    best = {name: min(values) for name, values in times.items()}
    return {
        "articles": count,
        "cpu_s": times,
        "ms_per_article_best": {name: round(1000 * value / count, 3) for name, value in best.items()},
        "b_over_a_best": round(best["B"] / best["A"], 3),
        "digests": {name: sorted(values) for name, values in digests.items()},
        "same_output": len(digests["A"] | digests["B"]) == 1,
        "load_avg_after": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    import json

    parser = argparse.ArgumentParser(prog="bench.store_growth", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("digest", "profile", "serve"):
        one = sub.add_parser(name)
        one.add_argument("inputs")
        one.add_argument("--articles", type=int, default=10000)
        one.add_argument("--top", type=int, default=40)
    ab = sub.add_parser("ab")
    ab.add_argument("trees", nargs=2)
    ab.add_argument("--inputs", required=True)
    ab.add_argument("--articles", type=int, default=10000)
    ab.add_argument("--passes", type=int, default=4)
    ab.add_argument("--cpu", default="1")
    args = parser.parse_args(argv)
    if args.command == "ab":
        result = compare(
            os.path.abspath(args.trees[0]),
            os.path.abspath(args.trees[1]),
            os.path.abspath(args.inputs),
            args.articles,
            args.passes,
            args.cpu,
        )
        print(json.dumps(result, indent=2))
        return 0 if result["same_output"] else 1
    if args.command == "serve":
        serve(args.inputs, args.articles)
        return 0
    inputs = pickle.loads(Path(args.inputs).read_bytes())
    if args.command == "digest":
        started = time.process_time()
        print(
            json.dumps(
                {"digest": digest(inputs, args.articles), "articles": args.articles, "cpu_s": round(time.process_time() - started, 3)}
            )
        )
        return 0
    profile = cProfile.Profile()
    profile.runcall(Replay(inputs, args.articles).run)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
    pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
