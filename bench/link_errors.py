"""`python -m bench.link_errors`: which gold incidents the linker splits or merges, and what decided them.

    python -m bench.link_errors FILE [--seeds DIR] [--cache DIR] [--out errors.json] [--show N]

FILE is read and linked in memory as `python -m bench.fit_linker` does (same cache). Every article whose
decision disagrees with the gold events is one error:

- `split/retrieved`: it opened a new event although earlier articles of its incident were among the candidates
  (the pair score, or the event's agreement, was too low);
- `split/not-retrieved`: it opened a new event and retrieval never returned an earlier article of its incident;
- `merge/wrong-event`: it joined an event of another incident although its own incident had earlier articles;
- `merge/first`: the first article of its incident joined another incident's event.

For each, the best-scoring earlier article of its own incident (splits) and the best-matching article of the
event it joined (merges), with the pair's logit and its largest terms (weight x feature), the time gap and the
keys both share. The summary counts the classes and adds up, over the errors, the terms that pushed each way.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class PairTerms:
    article: int
    title: str | None
    gap_days: int
    logit: float
    terms: list[tuple[str, float]]  # (feature, weight x value), largest first
    shared: list[str]


@dataclass
class LinkError:
    kind: str
    article: int
    gold: str
    title: str | None
    score: float
    own_incident: PairTerms | None = None  # the best earlier article of its incident
    joined: PairTerms | None = None  # the best article of the event it joined
    notes: dict = field(default_factory=dict)


def pair_terms(stream, article: int, other: int, weights) -> PairTerms:
    from claimwire import linkscore

    left, right = stream[article - 1][1], stream[other - 1][1]
    vector, _ = linkscore.pair_vector(left, right, weights)
    terms = [(name, w * v) for name, w, v in zip(linkscore.PAIR_FEATURES, linkscore.PAIR_WEIGHTS, vector) if w * v]
    terms.sort(key=lambda t: -abs(t[1]))
    shared = sorted(k for k in left.keys & right.keys if k[0] in "pcsdagxlqm")
    return PairTerms(
        other, right.title, left.day - right.day, round(sum(t for _, t in terms), 2), [(n, round(t, 2)) for n, t in terms[:12]], shared[:30]
    )


def candidates_of(features, index, linking) -> tuple[list[int], object]:
    """What retrieval returns for the article (as `linking.decide` does) and the weights it scores with."""
    df, documents = index.document_frequencies(features.keys)
    chosen = linking.choose_keys(features, df, documents)
    votes: dict[int, float] = defaultdict(float)
    for key, article in index.candidates(chosen.lookup, features.day, linking.POSTINGS_PER_KEY):
        votes[article] += chosen.weights.weight(key)
    return sorted(votes, key=lambda a: (-votes[a], -a))[: linking.CANDIDATES], chosen.weights


def link_errors(stream) -> list[LinkError]:
    from claimwire import linking, linkmemory

    index = linkmemory.MemoryIndex()
    predicted: dict[int, int] = {}
    articles_of_gold: dict[str, list[int]] = defaultdict(list)
    errors = []
    for number, (gold, features) in enumerate(stream):
        article = number + 1
        ranked, weights = candidates_of(features, index, linking)
        decision = index.link(article, features)
        predicted[article] = decision.event_id
        earlier = list(articles_of_gold[gold])
        articles_of_gold[gold].append(article)
        members = [a for a in range(1, article) if predicted[a] == decision.event_id]
        if decision.opened and earlier:
            retrieved = [a for a in earlier if a in ranked]
            kind = "split/retrieved" if retrieved else "split/not-retrieved"
        elif not decision.opened and all(stream[a - 1][0] != gold for a in members):
            retrieved, kind = [a for a in earlier if a in ranked], "merge/wrong-event" if earlier else "merge/first"
        else:
            continue
        error = LinkError(kind, article, gold, features.title, decision.score)
        if earlier:
            pairs = [pair_terms(stream, article, a, weights) for a in (retrieved or earlier[-1:])]
            error.own_incident = max(pairs, key=lambda p: p.logit)
        if kind.startswith("merge"):
            error.joined = max((pair_terms(stream, article, a, weights) for a in members), key=lambda p: p.logit)
        errors.append(error)
    return errors


def summary(errors: list[LinkError]) -> dict:
    """Counts per kind, and per group (splits: the pair with its own incident; merges: the pair that joined
    it) the terms summed over the errors: what held splits apart and what pulled merges together."""
    out: dict = {"errors": dict(Counter(e.kind for e in errors))}
    for group in ("split", "merge"):
        terms: Counter[str] = Counter()
        for error in errors:
            pair = error.joined if group == "merge" else error.own_incident
            if error.kind.startswith(group) and pair:
                terms.update(dict(pair.terms))
        ranked = terms.most_common()
        out[group + "_terms_for"] = {n: round(v, 1) for n, v in ranked[:10] if v > 0}
        out[group + "_terms_against"] = {n: round(v, 1) for n, v in reversed(ranked[-10:]) if v < 0}
    return out


def main(argv: list[str] | None = None) -> int:
    from bench.fit_linker import load_stream

    parser = argparse.ArgumentParser(
        prog="python -m bench.link_errors", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file")
    parser.add_argument("--seeds")
    parser.add_argument("--seed-date", default="2018-02-08")
    parser.add_argument("--cache", help="as for bench.fit_linker: cleaned texts kept in this directory")
    parser.add_argument("--out", help="write every error (JSON) here")
    parser.add_argument("--show", type=int, default=20, help="print this many errors of each kind")
    args = parser.parse_args(argv)
    cache = str(Path(args.cache) / (Path(args.file).name + ".pkl")) if args.cache else None
    stream = load_stream(args.file, args.seeds, args.seed_date, cache)
    errors = link_errors(stream)
    if args.out:
        Path(args.out).write_text(json.dumps([asdict(e) for e in errors], indent=1), "utf-8")
    for kind in sorted({e.kind for e in errors}):
        for error in [e for e in errors if e.kind == kind][: args.show]:
            pair = error.joined if kind.startswith("merge") else error.own_incident
            print(f"{kind} #{error.article} score {error.score}: {error.title!r}")
            if pair:
                print(f"    vs #{pair.article} ({pair.gap_days:+d} d, logit {pair.logit}): {pair.title!r}")
                print(f"    terms {pair.terms[:8]}\n    shared {pair.shared[:16]}")
    print(json.dumps(summary(errors), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
