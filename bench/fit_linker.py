"""`python -m bench.fit_linker`: evaluate the linker in memory and refit its pair model.

    python -m bench.fit_linker FILE [FILE ...] [--seeds DIR] [--eval] [--fit [--fit-on NAMES] [--write]]
                                 [--split 0.5] [--cache DIR]

Each FILE (.jsonl(.gz) with id, event, title, published, text; `published` may be null) is read in publication
order as `claimwire bench linking` reads it, the --seeds articles interleaved into the first FILE's stream,
cleaned with the real cleaner and linked through `claimwire.linkmemory.MemoryIndex`, which gives the same
decisions as the storage-backed index.

--eval    prints pairwise and B-cubed precision/recall/F1 per FILE (with --split also each part).
--fit     refits the logistic pair model. Training pairs are what the linker actually scores: for each article
          of a stream, the candidates retrieval returns (up to CANDIDATES), each labelled 1 when the two
          articles report the same gold event. The stream is linked with the gold events (teacher forcing), so
          the pairs do not depend on the weights being fitted. The pairs of the files named by --fit-on
          (default all) are pooled; logistic regression with an L2 penalty (Newton's method, numpy), features
          standardised for the fit and the weights mapped back. Every FILE is then scored with the fitted
          weights: with --fit-on naming one file, the others are the cross-fit check. With --split F the fit
          uses only pairs whose article lies in the first F of each stream.
--write   with --fit or --set: writes the weights to claimwire/data/linker-weights.json (what the linker loads).
--set NAME=VALUE  (repeatable) a weight set by hand over the current or just fitted ones: for features whose
          weight is chosen by the linking it gives on both dev streams (--eval) rather than by the fit.

The features are `claimwire.linkscore.PAIR_FEATURES`, documented in docs/LINKING.md: generic evidence only
(shared and conflicting names, places, dates, numbers, rare words, headline and lead facts, time gap), no word
lists fitted to the data.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from datetime import date, datetime
from pathlib import Path


def load_stream(path: str, seeds: str | None, seed_date: str, cache: str | None):
    """[(gold event, ArticleFeatures)] in stream order."""
    from claimwire import linking

    stream = []
    for gold, title, text, published in cleaned_texts(path, seeds, seed_date, cache):
        when = datetime.fromisoformat(published) if published else None
        stream.append((gold, linking.article_features(title, text, when)))
    return stream


def cleaned_texts(path: str, seeds: str | None, seed_date: str, cache: str | None) -> list[tuple]:
    """[(gold event, title, cleaned text, published)] in stream order (kept in CACHE, a pickle, when given)."""
    from bench import linking as bench

    if cache and Path(cache).exists():
        with open(cache, "rb") as handle:
            texts = pickle.load(handle)
    else:
        records = bench.read_records(Path(path))
        if seeds:
            records = bench.interleave(records, bench.seed_records(Path(seeds), date.fromisoformat(seed_date)))
        texts = [(str(r["event"]), r.get("title"), bench.clean(r), r.get("published")) for r in records]
        if cache:
            with open(cache, "wb") as handle:
                pickle.dump(texts, handle)
    return texts


def link_stream(stream, weights=None):
    """Link the stream in memory; returns the predicted event per position."""
    from claimwire import linkmemory, linkscore

    saved = linkscore.PAIR_WEIGHTS
    if weights is not None:
        linkscore.PAIR_WEIGHTS = tuple(weights)
    try:
        index = linkmemory.MemoryIndex()
        return [index.link(number + 1, features).event_id for number, (_, features) in enumerate(stream)]
    finally:
        linkscore.PAIR_WEIGHTS = saved


def scores(gold: list[str], predicted: list[int]) -> dict:
    from bench.linking import bcubed, pairwise

    g = dict(enumerate(gold))
    p = dict(enumerate(predicted))
    pp, pr, pf = pairwise(g, p)
    bp, br, bf = bcubed(g, p)
    seeds = [p[i] for i in g if g[i] == "__seeds__"]
    out = {
        "articles": len(g),
        "gold_events": len(set(gold)),
        "predicted_events": len(set(predicted)),
        "pairwise_f1": round(pf, 4),
        "pairwise_p": round(pp, 4),
        "pairwise_r": round(pr, 4),
        "bcubed_f1": round(bf, 4),
        "bcubed_p": round(bp, 4),
        "bcubed_r": round(br, 4),
    }
    if seeds:
        out["seed_events"] = len(set(seeds))
        out["seed_event_other_articles"] = sum(1 for i in g if p[i] in set(seeds) and g[i] != "__seeds__")
    return out


def evaluate(stream, weights=None, split: float | None = None) -> dict:
    """Scores of the whole stream linked once; with `split`, also each part of the stream linked on its own
    (a fresh store per part, as a deployment that starts there would see it)."""
    gold = [g for g, _ in stream]
    result = {"all": scores(gold, link_stream(stream, weights))}
    if split:
        cut = int(len(stream) * split)
        for name, part in (("first", stream[:cut]), ("second", stream[cut:])):
            result[name] = scores([g for g, _ in part], link_stream(part, weights))
    return result


def training_pairs(stream):
    """(feature vectors, labels, position of the article in the stream) over retrieved candidate pairs,
    with the index fed the gold events."""
    from collections import defaultdict

    from claimwire import linking, linkmemory, linkscore

    index = linkmemory.MemoryIndex()
    rows, labels, positions = [], [], []
    for number, (gold, features) in enumerate(stream):
        article_id = number + 1
        df, documents = index.document_frequencies(features.keys)
        weights = linking.Weights({k: df.get(k, 0) + 1 for k in features.keys}, documents + 1)
        keys = linking.index_keys(features, weights)
        lookup = linking.lookup_keys(features, weights)
        votes: dict[int, float] = defaultdict(float)
        for key, other in index.candidates(lookup, features.day, linking.POSTINGS_PER_KEY):
            votes[other] += weights.weight(key)
        ranked = sorted(votes, key=lambda a: (-votes[a], -a))[: linking.CANDIDATES]
        for candidate in index.load(ranked):
            if not (features.keys & candidate.features.keys):
                continue
            vector, _ = linkscore.pair_vector(features, candidate.features, weights)
            rows.append(vector)
            labels.append(float(stream[candidate.article_id - 1][0] == gold))
            positions.append(number)
        # file the article under its gold event (teacher forcing)
        index.event_of[article_id] = hash(gold)
        index.articles[article_id] = features
        index.documents += 1
        index.df.update(features.keys)
        for key in keys:
            index.postings[key].append((features.day, article_id))
    return rows, labels, positions


def fit_logistic(rows, labels, l2: float = 1.0, iterations: int = 50, sample_weights=None) -> list[float]:
    import numpy as np

    x = np.asarray(rows, dtype=float)
    y = np.asarray(labels, dtype=float)
    s = np.ones(len(y)) if sample_weights is None else np.asarray(sample_weights, dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0  # the bias column
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -50, 50)))
        gradient = z.T @ (s * (p - y)) + penalty * w
        hessian = (z * (s * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = w / scale
    weights[0] = w[0] - float((w[1:] * mean[1:] / scale[1:]).sum())
    return [round(float(v), 3) for v in weights]


def fit_streams(
    streams: dict[str, list], names: list[str], l2: float, split: float | None, balance: bool = False
) -> tuple[list[float], str]:
    """Fit on the pairs of the named streams (with `split`, only those of each stream's leading share), each
    stream's pairs weighted so that every stream counts as much as the largest: one domain's volume does not
    drown another's evidence."""
    pooled: list[tuple[list, list, int]] = []
    for name in names:
        rows, labels, positions = training_pairs(streams[name])
        cut = int(len(streams[name]) * split) if split else len(streams[name])
        chosen = [i for i, position in enumerate(positions) if position < cut]
        pooled.append(([rows[i] for i in chosen], [labels[i] for i in chosen], cut))
    largest = max(len(rows) for rows, _, _ in pooled) if balance else 0
    rows_all, labels_all, weights_all = [], [], []
    for rows, labels, _ in pooled:
        rows_all += rows
        labels_all += labels
        weights_all += [largest / len(rows) if balance else 1.0] * len(rows)
    weights = fit_logistic(rows_all, labels_all, l2=l2, sample_weights=weights_all)
    summary = "; ".join(
        f"{name}: {len(rows)} pairs ({int(sum(labels))} positive) of the first {cut} articles"
        for name, (rows, labels, cut) in zip(names, pooled)
    )
    return weights, summary


def set_weights(weights: list[float], settings: list[str]) -> list[float]:
    """The weights with NAME=VALUE settings applied (a feature whose weight is chosen by the decision it
    gives on the dev streams rather than by the logistic fit)."""
    from claimwire import linkscore

    chosen = list(weights)
    for setting in settings:
        name, _, value = setting.partition("=")
        chosen[linkscore.PAIR_FEATURES.index(name.strip())] = float(value)
    return chosen


def write_weights(weights: list[float], names: list[str], path: Path) -> None:
    """Store the fitted weights as the package's data file (`claimwire.linkscore.WEIGHTS_FILE`)."""
    import json

    from claimwire import linkscore

    record = {
        "about": "Logistic weights of the linker's pair model over claimwire.linkscore.PAIR_FEATURES; written by "
        "python -m bench.fit_linker --fit --write (docs/LINKING.md).",
        "fitted_on": names,
        "weights": dict(zip(linkscore.PAIR_FEATURES, weights)),
    }
    path.write_text(json.dumps(record, indent=1) + "\n", "utf-8")


def main(argv: list[str] | None = None) -> int:
    import json

    from bench.linking import DEFAULT_DATA
    from claimwire import linkscore

    parser = argparse.ArgumentParser(
        prog="python -m bench.fit_linker", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", default=[str(DEFAULT_DATA)])
    parser.add_argument("--seeds", help="a directory of .txt articles on one event to interleave into the first FILE's stream")
    parser.add_argument("--seed-date", default="2018-02-08")
    parser.add_argument("--cache", help="keep the cleaned texts in pickles in this directory (cleaning is the slow part)")
    parser.add_argument("--eval", action="store_true")
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--fit-on", help="comma-separated FILE names (or parts of them) to fit on; default all (cross-fit check)")
    parser.add_argument("--write", action="store_true", help="with --fit: write the weights to " + str(linkscore.WEIGHTS_FILE))
    parser.add_argument("--split", type=float, help="fit on this leading share of each stream; evaluate both parts")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a pair weight set by hand over the current (or just fitted) ones, for --eval and --write",
    )
    args = parser.parse_args(argv)
    streams = {}
    for number, file in enumerate(args.files):
        cache = str(Path(args.cache) / (Path(file).name + ".pkl")) if args.cache else None
        streams[Path(file).name] = load_stream(file, args.seeds if number == 0 else None, args.seed_date, cache)
    weights = None
    names = [Path(f).name for f in args.files]
    if args.fit:
        parts = args.fit_on.split(",") if args.fit_on else None
        names = [name for name in streams if parts is None or any(part in name for part in parts)]
        weights, summary = fit_streams(streams, names, args.l2, args.split)
        print(f"# fitted on {summary}", file=sys.stderr)
    if args.set:
        weights = set_weights(weights or list(linkscore.PAIR_WEIGHTS), args.set)
    if args.write and weights is not None:
        write_weights(weights, names, linkscore.WEIGHTS_FILE)
    if args.eval or args.fit:
        result = {name: evaluate(stream, weights, args.split) for name, stream in streams.items()}
        print(json.dumps({"weights": "fitted" if weights else "current", **result}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
