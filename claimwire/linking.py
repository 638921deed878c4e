"""Event linking, the decision: which earlier event an article joins, or whether it opens a new one.

No database here. The linker talks to an *index* (see `LinkIndex`): the storage-backed one lives in
`storage/eventindex.py`, an in-memory one in `claimwire/linkmemory.py` serves tests and tuning. Both give the
same answers for the same stream, so the decision depends only on the input order.

An article's keys come from `claimwire.linkfeatures`; the score of a pair from `claimwire.linkscore`. The
article is looked up by its most telling keys, the best candidates are scored, and it joins the event of its
best-matching earlier article (single link, raised by further matching articles of that event) when the score
clears JOIN_THRESHOLD; when it clears MERGE_THRESHOLD against articles of two different events, the events
are merged.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from claimwire.linkfeatures import RESERVED_HASHES, UNDATED, ArticleFeatures, article_features, key_hash
from claimwire.linkscore import (
    SharedMass,
    Weights,
    coarse_bound,
    counted,
    key_contributions,
    pair_bound,
    pair_breakdown,
    pair_score,
    pair_value,
    shared_mass,
)

__all__ = [
    "RESERVED_HASHES",
    "UNDATED",
    "ArticleFeatures",
    "Candidate",
    "FrequencyHint",
    "LinkDecision",
    "LinkIndex",
    "Weights",
    "article_features",
    "bucket_of",
    "bucket_range",
    "choose_keys",
    "counted_keys",
    "decide",
    "index_keys",
    "key_hash",
    "lookup_keys",
    "rank_candidates",
    "worth_deciding_again",
]

LINKER = "keys-v14"  # keys-v14: two pages months apart tied by their headlines alone (late_headlines), numbers at odds not counted against one street within 45 days; keys-v13: "Ave", "Rd", "Ln", "Blvd" (with or without a period) end a street, a plural kind of street ("Streets") is no c: name; keys-v12: a headline toll revised upward within two days is no facts conflict, one body under two headlines months apart (late_twin); keys-v11: pictures' credits and reporters' contact lines are not prose; keys-v10: 40 candidates scored, not 25; keys-v9: keys-v8 (times of day at odds, furniture pages vouched by two headline words), times of day from the lead (CLOCK_SENTENCES)

JOIN_THRESHOLD = 0.6
EVIDENCE_SHARE = 0.25  # how much each further matching article of an event adds (noisy-or)
MERGE_THRESHOLD = 0.9
BOUND_SLACK = 1e-9  # an event bound's own rounding: an event within this of the best is scored in full
AGREEMENT = 0.5  # how much an event score follows the mean of its pairs rather than the best one
INDEX_KEYS = 40  # keys per article kept in the inverted index
LOOKUP_KEYS = 40  # keys per article looked up at link time
POSTINGS_PER_KEY = 40  # newest postings per key read at link time
CANDIDATES = 40  # candidate articles scored in full (keys-v10; 25 before: a long report's background outvoted its first report)
# a posting's vote is its key's weight rounded to a multiple of this: the votes' sums (at most a few hundred keys of
# weight under 2**10) are then exact whatever order they are added in, in Python and in PostgreSQL's sum alike
VOTE_QUANTUM = 2.0**-20
SHORT_WINDOW_DAYS = 45  # window for ordinary keys
LONG_WINDOW_DAYS = 730  # window for names, streets and dates (follow-up coverage)
BUCKET_DAYS = 7
LONG_KEYS = ("p", "s", "d", "c")


def bucket_of(day: int) -> int:
    return day // BUCKET_DAYS


def _telling_keys(features: ArticleFeatures, weights: Weights) -> list[str]:
    """The keys an article can be filed under and looked up by (names, places, dates, numbers, words; not common),
    most telling first."""
    usable = [k for k in features.keys if k[0] in "pcsdnt" and not weights.common(k)]
    usable.sort()
    usable.sort(key=weights.weight, reverse=True)  # stable: keys of one weight stay in their order
    return usable


def index_keys(features: ArticleFeatures, weights: Weights, limit: int = INDEX_KEYS) -> list[str]:
    """The article's most telling keys: what it is filed under in the inverted index and retrieved by."""
    return _telling_keys(features, weights)[:limit]


def lookup_keys(features: ArticleFeatures, weights: Weights, limit: int = LOOKUP_KEYS, telling: list[str] | None = None) -> list[str]:
    """The keys the article looks candidates up by: its most telling keys that earlier articles have too
    (a key only this article has can have no postings yet; it is worth filing under, not looking up).
    TELLING: `_telling_keys`, when the caller has them."""
    df = weights.df
    return [k for k in (_telling_keys(features, weights) if telling is None else telling) if df.get(k, 0) > 1][:limit]


@dataclass(frozen=True, slots=True)
class KeyChoice:
    """An article's keys, weighed by the document frequencies as of its receipt."""

    weights: Weights
    index: list[str]  # filed under in the inverted index
    lookup: list[str]  # candidates looked up by

    def locked(self) -> list[str]:
        """The keys whose locks the article links under (several workers: tasks/link.py)."""
        return sorted(set(self.index) | set(self.lookup))


def choose_keys(features: ArticleFeatures, df: dict[str, int], documents: int) -> KeyChoice:
    # count the article itself, so that a key only it has is rare rather than unknown
    weights = Weights({k: df.get(k, 0) + 1 for k in features.keys}, documents + 1)
    telling = _telling_keys(features, weights)
    return KeyChoice(weights, telling[:INDEX_KEYS], lookup_keys(features, weights, telling=telling))


def counted_keys(keys: Iterable[str]) -> list[str]:
    """The keys whose document frequencies an index keeps and `decide` reads (`linkscore.counted`): every other key
    weighs the same with any frequency, so it is neither counted nor read (fewer rows to update per article)."""
    return [k for k in keys if counted(k)]


def window_days(key: str) -> int:
    return LONG_WINDOW_DAYS if key[0] in LONG_KEYS else SHORT_WINDOW_DAYS


def bucket_range(key: str, day: int) -> tuple[int, int]:
    """The buckets a key is looked up in around `day`; an undated article looks everywhere (newest first)."""
    if day == UNDATED:
        return UNDATED, 1 << 30
    span = window_days(key)
    return bucket_of(day - span), bucket_of(day + span)


@dataclass(slots=True)
class Candidate:
    article_id: int
    event_id: int
    features: ArticleFeatures


@dataclass(slots=True)
class LinkDecision:
    event_id: int | None  # None: open a new event
    score: float
    features: dict = field(default_factory=dict)
    merge: list[int] = field(default_factory=list)  # further events that this article shows are the same one
    opened: bool = False  # set once the new event has been given its id

    @property
    def decision(self) -> str:
        return "new" if self.event_id is None or self.opened else ("merged" if self.merge else "joined")


class LinkIndex(Protocol):
    def document_frequencies(self, keys: Iterable[str]) -> tuple[dict[str, int], int]: ...

    def candidates(self, keys: Sequence[str], day: int, limit_per_key: int) -> list[tuple[str, int]]:
        """(key, article_id) postings for these keys within each key's window around `day`."""
        ...

    def load(self, article_ids: Sequence[int]) -> list[Candidate]: ...


@dataclass(slots=True)
class EventMatch:
    event_id: int
    score: float  # the event's: best pair, noisy-or of further articles, times the agreement factor
    best_pair: float
    article_id: int | None  # the best-matching article of the event
    breakdown: dict


def score_events(features: ArticleFeatures, candidates: Iterable[Candidate], weights: Weights) -> list[EventMatch]:
    """The candidates' events, best first. An event's score is its best pair, raised by further matching
    articles (noisy-or at EVIDENCE_SHARE), times (mean pair / best pair) ** AGREEMENT: the article must agree
    with the event, not with one of its articles (one article of another incident that mentions this one
    as background would otherwise bridge two incidents of a kind). Every event is scored in full: `decide`
    reads the same of `contending_events`."""
    matches = [_event_match(features, event_id, pairs, weights) for event_id, pairs in _by_event(features, candidates, weights).items()]
    matches.sort(key=_best_first)
    return matches


@dataclass(slots=True)
class _Pair:
    candidate: Candidate
    shared: frozenset[str]
    mass: SharedMass | None  # None: the pair shares no key (it scores 0)
    bound: float = 0.0  # at least the pair's score (`linkscore.coarse_bound`, then `linkscore.pair_bound`)


def _by_event(features: ArticleFeatures, candidates: Iterable[Candidate], weights: Weights) -> dict[int, list[_Pair]]:
    """The candidates by event, in their order, with what their pairs share."""
    events: dict[int, list[_Pair]] = defaultdict(list)
    keys = features.keys
    for candidate in candidates:
        shared = keys & candidate.features.keys
        events[candidate.event_id].append(_Pair(candidate, shared, shared_mass(shared, weights) if shared else None))
    return events


def _bound_pairs(features: ArticleFeatures, pairs: list[_Pair], weights: Weights, bound) -> float:
    """Each pair's BOUND (`coarse_bound` or `pair_bound`), and the event's: at least its score (the agreement factor is
    at most 1, the rest grows with each pair's score)."""
    missing = 1.0
    highest = 0.0  # a pair's bound is not negative
    for pair in pairs:
        if pair.mass is not None:
            pair.bound = value = bound(features, pair.candidate.features, weights, pair.mass)
        else:
            value = pair.bound
        missing *= 1.0 - EVIDENCE_SHARE * min(1.0, value)
        if value > highest:
            highest = value
    return max(highest, 1.0 - missing) + BOUND_SLACK


def _event_match(features: ArticleFeatures, event_id: int, pairs: list[_Pair], weights: Weights) -> EventMatch:
    """The event's score from its pairs' scores (see `score_events`); the breakdown of its best pair only."""
    missing = 1.0  # the chance that none of its articles matches (noisy-or)
    total = 0.0
    best: tuple[float, int, tuple | None] | None = None
    for pair in pairs:
        article_id = pair.candidate.article_id
        if pair.mass is None:
            value, detail = 0.0, None
        else:
            value, vector = pair_value(features, pair.candidate.features, weights, pair.mass)
            detail = (pair.candidate.features, vector, pair.shared)
        missing *= 1.0 - EVIDENCE_SHARE * value
        total += value
        if best is None or (value, -article_id) > (best[0], -best[1]):
            best = (value, article_id, detail)
    assert best is not None
    value, article_id, detail = best
    if detail is None:
        breakdown: dict = {"shared": []}
    else:
        right, vector, shared = detail
        breakdown = pair_breakdown(features, right, vector, key_contributions(shared, weights))
    combined = max(value, 1.0 - missing)
    if value > 0:
        combined *= (total / len(pairs) / value) ** AGREEMENT
    return EventMatch(event_id, combined, value, article_id, {**breakdown, "best_pair": round(value, 4)})


def _best_first(match: EventMatch) -> tuple[float, int]:
    return -match.score, match.event_id


def contending_events(features: ArticleFeatures, candidates: Iterable[Candidate], weights: Weights) -> tuple[list[EventMatch], int]:
    """What `decide` reads of `score_events`, for less: its first event and every event that reaches
    MERGE_THRESHOLD, scored alike, best first; and how many events the candidates have. Every event gets a coarse
    bound (`coarse_bound`), the one of the highest is scored at once (some event always is, and the best score so
    far needs one); the others are taken from the highest bound down, an event with a coarse bound getting its
    precise one (`pair_bound`) and going back, one with a precise bound being scored. Scoring stops at the first
    bound below both the best score so far and MERGE_THRESHOLD: no event left (its bound at most that one) can be
    first, tie or be merged. WEIGHTS must know the article's keys and no others (`choose_keys`); with any others
    every event is scored."""
    if weights.df.keys() != features.keys:  # the bound reckons the candidates' totals as `decide`'s weights have them
        ordered = score_events(features, candidates, weights)
        return ordered, len(ordered)
    events = _by_event(features, candidates, weights)
    # (-bound, 0 for a coarse bound or 1 for a precise one, event): a coarse bound is refined before a precise bound
    # it ties with is read
    bounded = [(-_bound_pairs(features, pairs, weights, coarse_bound), 0, event_id) for event_id, pairs in events.items()]
    heapq.heapify(bounded)
    matches: list[EventMatch] = []
    best = None
    while bounded:
        bound, precise, event_id = heapq.heappop(bounded)
        if best is not None and -bound < best and -bound < MERGE_THRESHOLD:
            break
        if not precise and best is not None:
            heapq.heappush(bounded, (-_bound_pairs(features, events[event_id], weights, pair_bound), 1, event_id))
            continue
        match = _event_match(features, event_id, events[event_id], weights)
        matches.append(match)
        best = match.score if best is None else max(best, match.score)
    matches.sort(key=_best_first)
    return matches, len(events)


def vote(weight: float) -> float:
    """A posting's vote for its article: its key's WEIGHT on the grid of VOTE_QUANTUM (sums of votes are exact)."""
    return round(weight / VOTE_QUANTUM) * VOTE_QUANTUM


def rank_candidates(features: ArticleFeatures, index: LinkIndex, weights: Weights, lookup: Sequence[str]) -> tuple[list[Candidate], int]:
    """The CANDIDATES earlier articles the postings of the LOOKUP keys vote for the most (each posting its key's
    `vote`; ties: the newest), loaded, and how many were ranked. An index with `ranked_candidates` (PostgreSQL: in
    the statement that reads the postings) ranks them itself, alike: the sums are exact, so in any order the same."""
    votes_of = {key: vote(weights.weight(key)) for key in lookup}
    ranked_by_index = getattr(index, "ranked_candidates", None)
    if ranked_by_index is not None:
        found = ranked_by_index(lookup, features.day, POSTINGS_PER_KEY, [votes_of[k] for k in lookup], CANDIDATES)
        if found is not None:
            return found
    votes: dict[int, float] = defaultdict(float)
    for key, article_id in index.candidates(lookup, features.day, POSTINGS_PER_KEY):
        votes[article_id] += votes_of[key]
    ranked = sorted(votes, key=lambda a: (-votes[a], -a))[:CANDIDATES]
    return index.load(ranked), len(ranked)


HINT_KEYS = 30_000  # keys a FrequencyHint holds before it forgets them all


class FrequencyHint:
    """The document frequencies one process read last, to guess an article's key locks before its own read
    (several workers: tasks/link.py). Only a guess: `decide` weighs the keys by the frequencies it reads under the
    locks, and when it missed a key, the key is locked and the frequencies read again. Forgotten whole at HINT_KEYS
    keys (the common keys, those worth knowing, are read again by the next articles)."""

    def __init__(self, limit: int = HINT_KEYS):
        self.limit = limit
        self.df: dict[str, int] = {}
        self.documents = 0

    def remember(self, df: Mapping[str, int], documents: int) -> None:
        if len(self.df) + len(df) > self.limit:
            self.df.clear()
        self.df.update(df)
        self.documents = documents


def _choice_under_locks(features: ArticleFeatures, index: LinkIndex, lock, hint: FrequencyHint) -> KeyChoice:
    """The article's keys chosen by frequencies read while their locks are held: the keys HINT's frequencies choose
    are locked first, then the frequencies read; when these choose a key the locks missed, it is locked and they are
    read again (a missed key's count could have moved before its lock)."""
    counted = counted_keys(features.keys)
    held = set(choose_keys(features, hint.df, hint.documents).locked())
    lock(sorted(held))
    while True:
        df, documents = index.document_frequencies(counted)
        hint.remember(df, documents)
        chosen = choose_keys(features, df, documents)
        missed = set(chosen.locked()) - held
        if not missed:
            return chosen
        lock(chosen.locked())
        held |= missed


def decide(features: ArticleFeatures, index: LinkIndex, lock=None, hint: FrequencyHint | None = None) -> tuple[LinkDecision, list[str]]:
    """Score the article against the candidates the index retrieves. Returns the decision and the keys
    to file the article under. `lock(keys)`, when given, is called with the retrieval keys before the
    index's postings are read: with several workers it serialises articles that could meet the same events.
    HINT (with LOCK): the frequencies are read under the keys' locks (`_choice_under_locks`); without, they are read
    first. The decision is the same either way for the same frequencies."""
    if lock is not None and hint is not None:
        chosen = _choice_under_locks(features, index, lock, hint)
    else:
        chosen = choose_keys(features, *index.document_frequencies(counted_keys(features.keys)))
        if lock is not None:
            lock(chosen.locked())
    weights, keys, lookup = chosen.weights, chosen.index, chosen.lookup
    candidates, ranked = rank_candidates(features, index, weights, lookup)
    ordered, events = contending_events(features, candidates, weights)
    info: dict[str, Any] = {"linker": LINKER, "candidates": ranked, "events": events, "index_keys": keys[:15]}
    if not ordered or ordered[0].score < JOIN_THRESHOLD:
        best = ordered[0] if ordered else EventMatch(0, 0.0, 0.0, None, {})
        info.update(best_article=best.article_id, **best.breakdown)
        return LinkDecision(event_id=None, score=round(best.score, 4), features=info), keys
    top = ordered[0]
    event_id, value = top.event_id, top.score
    info.update(best_article=top.article_id, **top.breakdown)
    merge = sorted(m.event_id for m in ordered[1:] if m.score >= MERGE_THRESHOLD and value >= MERGE_THRESHOLD)
    if merge:
        scores = {m.event_id: m.score for m in ordered}
        info["merge_scores"] = {str(e): round(scores[e], 4) for e in merge}
        # the surviving event is the oldest one
        survivors = sorted([event_id, *merge])
        event_id, merge = survivors[0], survivors[1:]
    return LinkDecision(event_id=event_id, score=round(value, 4), features=info, merge=merge), keys


REDECIDE_PAIR = 0.3  # the least pair score with an earlier article that gets a later article decided again


def worth_deciding_again(later: ArticleFeatures, earlier: ArticleFeatures, df: Mapping[str, int], documents: int) -> bool:
    """Whether LATER, linked before EARLIER was (received ahead of it, quicker through the stages), could decide
    otherwise now that EARLIER is linked: their pair scores at least REDECIDE_PAIR under LATER's weights (DF: the
    index's frequencies as they are, LATER counted). A weaker pair cannot be joined (JOIN_THRESHOLD) and adds at
    most EVIDENCE_SHARE * REDECIDE_PAIR to its event's score; what skipping it leaves out (EARLIER's event pulled
    below or past the threshold by that, one count more in the frequencies) is measured against the in-process
    run (docs/SCALING.md)."""
    shared = later.keys & earlier.keys
    if not shared:
        return False
    weights = Weights({key: max(1, df.get(key, 0)) for key in later.keys}, documents)
    value, _, _ = pair_score(later, earlier, weights, shared)
    return value >= REDECIDE_PAIR
