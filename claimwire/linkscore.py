"""Event linking, the scoring: how likely two articles report the same incident.

Keys are weighted by IDF (document frequencies of the store) x a type weight. A pair of articles becomes a
vector of generic evidence (`PAIR_FEATURES`: shared names, places, dates, numbers, rare words, headline
facts, conflicting specifics, the time gap), and a logistic model turns it into a probability. The model's
weights are data (`claimwire/data/linker-weights.json`), written by `python -m bench.fit_linker --fit --write`.
"""

from __future__ import annotations

import heapq
import json
import math
import operator
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimwire.linkfeatures import UNDATED, UNRELATED, ArticleFeatures, is_place

COMMON_FRACTION = 0.05
# a fresh store has seen too few articles to tell a rare name from a common word: until it has seen this
# many, the IDF counts the missing ones as documents that hold none of the keys (news names are mostly rare)
PRIOR_DOCUMENTS = 500

TYPE_WEIGHTS = {
    "p": 2.5,
    "c": 1.2,
    "s": 2.5,
    "a": 0.8,
    "d": 1.5,
    "n": 0.8,
    "t": 0.5,
    "h": 0.6,
    "x": 0.0,
    "y": 0.0,
    "m": 0.0,
    "l": 0.0,
    "q": 0.0,
    "g": 0.0,
    "z": 0.0,
    "o": 0.0,
}  # y, m: read by their own features
# kinds that weigh nothing: scoring reads neither their IDF nor their document frequency (only whether a pair shares
# them), so their frequencies are not kept (`counted`)
UNWEIGHED_KINDS = frozenset(kind for kind, weight in TYPE_WEIGHTS.items() if not weight)


def counted(key: str) -> bool:
    """Whether scoring reads the key's document frequency: keys of UNWEIGHED_KINDS are neither counted nor read."""
    return key[0] not in UNWEIGHED_KINDS


class Weights:
    """IDF x type weight of keys, given document frequencies and the number of documents."""

    def __init__(self, df: Mapping[str, int], documents: int):
        self.df = df
        self.documents = max(1, documents)
        self._top = math.log(max(self.documents, PRIOR_DOCUMENTS) + 1)
        self._idf: dict[str, float] = {}
        self._stats: dict[int, tuple] = {}
        self._info: dict[str, tuple[str, float, float, bool, bool]] = {}
        self._weight: dict[str, float] = {}
        self._coarse: tuple | None = None  # (left article, PAIR_WEIGHTS, its `_coarse_plan`), as last made

    def idf(self, key: str) -> float:
        value = self._idf.get(key)
        if value is None:
            value = self._idf[key] = self._top - math.log(self.df.get(key, 0) + 1) + 1.0
        return value

    def weight(self, key: str) -> float:
        value = self._weight.get(key)
        if value is None:
            value = self._weight[key] = TYPE_WEIGHTS.get(key[0], 0.5) * self.idf(key)
        return value

    def info(self, key: str) -> tuple[str, float, float, bool, bool]:
        """(kind, IDF, squared weight, a person's name, at most 3 earlier articles have it) of a key: what
        scoring reads of it, once per key and set of weights (a key is read again for every candidate)."""
        found = self._info.get(key)
        if found is None:
            kind = key[0]
            idf = self.idf(key)
            found = (kind, idf, (TYPE_WEIGHTS.get(kind, 0.5) * idf) ** 2, kind == "p" and not is_place(key), self.df.get(key, 0) <= 3)
            self._info[key] = found
        return found

    def _full_stats(self, features: "ArticleFeatures") -> tuple[float, dict[str, float], float, float]:
        """(norm of the weighted vector, IDF total per key type, IDF total of person names, sum of the squared IDFs
        of the headline keys) of an article, once per article and set of weights. Only the keys the weights know
        (that have a document frequency) are looked at one by one: every other key has the top IDF."""
        found = self._stats.get(id(features))
        if found is None or found[0] is not features:
            shape = features.shaped()
            df, keys = self.df, features.keys
            known = keys.intersection(df) if len(df) <= len(keys) or isinstance(df, (set, frozenset)) else [k for k in keys if k in df]
            totals: dict[str, float] = {}
            known_counts: dict[str, int] = {}
            squares = person = title = 0.0
            known_persons = 0
            info_of, info = self._info.get, self.info
            for key in known:
                kind, idf, squared, is_person, _ = info_of(key) or info(key)
                totals[kind] = totals.get(kind, 0.0) + idf
                known_counts[kind] = known_counts.get(kind, 0) + 1
                squares += squared
                if is_person:
                    person += idf
                    known_persons += 1
                elif kind == "h":
                    title += idf * idf
            unknown_idf = self._top + 1.0  # a key no earlier article has: the top IDF
            for kind, count in shape.kind_counts.items():
                unknown = count - known_counts.get(kind, 0)
                if unknown:
                    totals[kind] = totals.get(kind, 0.0) + unknown * unknown_idf
                    squares += unknown * (TYPE_WEIGHTS.get(kind, 0.5) * unknown_idf) ** 2
                    if kind == "h":
                        title += unknown * unknown_idf * unknown_idf
            if shape.persons > known_persons:
                person += (shape.persons - known_persons) * unknown_idf
            found = (features, (math.sqrt(squares), totals, person, title))
            self._stats[id(features)] = found
        return found[1]

    def common(self, key: str) -> bool:
        return self.documents >= 50 and self.df.get(key, 0) > COMMON_FRACTION * self.documents


PAIR_FEATURES = (
    "bias",
    "cosine",
    "p",
    "c",
    "s",
    "t",
    "h",
    "a",
    "n",
    "d",
    "same_date",
    "date_near",
    "log_gap",
    "gap45",
    "p_frac",
    "c_frac",
    "t_frac",
    "rare_names",
    "rare_words",
    "title_cosine",
    "place_time",
    "person",
    "place",
    "max_name",
    "title_names",
    "ages",
    "person_frac",
    "place_near",
    "incident_near",
    "title_place_near",
    "person_late",
    "second_name",
    "person_max",
    "facts_agree",
    "facts_conflict",
    "person_conflict",
    "age_conflict",
    "street_conflict",
    "title_name_miss",
    "title_name_miss_max",
    "title_name_shared",
    "year_agree",
    "year_conflict",
    "monthday_agree",
    "monthday_conflict",
    "number_conflict",
    "lead_names_shared",
    "lead_name_miss",
    "lead_name_miss_max",
    "lead_numbers_shared",
    "lead_number_conflict",
    "lead_age_conflict",
    "late_unanchored",
    "rare_title_words",
    "unrelated_page",
    "clock_conflict",
    "late_twin",
    "late_headlines",
)
WEIGHTS_FILE = Path(__file__).resolve().parent / "data" / "linker-weights.json"


def load_pair_weights(path: Path = WEIGHTS_FILE) -> tuple[float, ...]:
    """The fitted logistic weights, in PAIR_FEATURES order (a feature the file lacks weighs nothing)."""
    fitted = json.loads(path.read_text("utf-8"))["weights"]
    return tuple(float(fitted.get(name, 0.0)) for name in PAIR_FEATURES)


PAIR_WEIGHTS = load_pair_weights()


@dataclass(slots=True)
class SharedMass:
    """What the keys two articles share weigh, by kind and by what they name."""

    by_type: dict[str, float]
    dot: float
    title_dot: float
    rare_names: int
    rare_words: int
    ages: int
    facts_agree: int
    person: float
    place: float
    max_name: float
    title_names: float
    title_place: float
    second: float
    person_max: float
    shared_kinds: dict[str, int]  # how many shared keys of each kind
    agreed_facts: set[str]
    rare_titles: int  # shared headline words that at most 3 earlier articles have


def shared_mass(shared: frozenset[str], weights: Weights) -> SharedMass:
    by_type: dict[str, float] = defaultdict(float)
    dot = title_dot = 0.0
    rare_names = rare_words = ages = facts_agree = rare_titles = 0
    person = place = max_name = title_names = title_place = second = person_max = 0.0
    shared_kinds: dict[str, int] = {}
    agreed_facts: set[str] = set()
    words, words_total = 0, 0.0  # the words ("t"), most of the shared keys, are summed apart (the same sums)
    info_of, info = weights._info.get, weights.info
    for key in shared:
        kind, idf, w, is_person, rare = info_of(key) or info(key)
        dot += w
        if kind == "t":
            words += 1
            words_total += idf
            if rare:
                rare_words += 1
            continue
        by_type[kind] = by_type.get(kind, 0.0) + idf  # not `+=`: a kind's first key would go through `__missing__`
        shared_kinds[kind] = shared_kinds.get(kind, 0) + 1
        if kind in "pcs":
            if rare:
                rare_names += 1
            if is_person:
                person += idf
                if idf > person_max:
                    person_max = idf
            elif kind != "c":
                place += idf
            if idf > max_name:
                max_name, second = idf, max_name
            elif idf > second:
                second = idf
        elif kind == "n":
            if rare:
                rare_words += 1
        elif kind == "h":
            title_dot += idf**2
            if rare:
                rare_titles += 1
            if "c:" + key[2:] in shared:
                title_names += idf
                if idf > title_place:
                    title_place = idf
        elif kind == "a":
            ages += 1
        elif kind == "x":
            facts_agree += 1
            agreed_facts.add(key.split(":")[1])
    if words:
        by_type["t"] = words_total
        shared_kinds["t"] = words
    return SharedMass(
        by_type,
        dot,
        title_dot,
        rare_names,
        rare_words,
        ages,
        facts_agree,
        person,
        place,
        max_name,
        title_names,
        title_place,
        second,
        person_max,
        shared_kinds,
        agreed_facts,
        rare_titles,
    )


def pair_vector(
    left: ArticleFeatures, right: ArticleFeatures, weights: Weights, shared: frozenset[str] | None = None, mass: SharedMass | None = None
) -> tuple[list[float], list[tuple[float, str]]]:
    """SHARED: left.keys & right.keys, when the caller has it (and MASS, its `shared_mass`)."""
    if shared is None:
        shared = left.keys & right.keys
    if mass is None:
        mass = shared_mass(shared, weights)
    return _pair_terms(left, right, weights, mass, weights._full_stats(right), exact=True), key_contributions(shared, weights)


def key_contributions(shared: frozenset[str], weights: Weights) -> list[tuple[float, str]]:
    """Each shared key's part of the pair's dot product (for `pair_breakdown`)."""
    return [(weights.info(key)[2], key) for key in shared]


def _days_apart(left: ArticleFeatures, right: ArticleFeatures) -> tuple[bool, int, bool]:
    """(either article undated: neither a penalty nor evidence, the days between their dates (0 when undated),
    whether either names a date within a day of the other's): what `_pair_terms` and `_coarse_terms` read alike."""
    left_day, right_day = left.day, right.day
    undated = left_day == UNDATED or right_day == UNDATED
    near = not (
        left.dates.isdisjoint((right_day - 1, right_day, right_day + 1)) and right.dates.isdisjoint((left_day - 1, left_day, left_day + 1))
    )
    return undated, 0 if undated else abs(left_day - right_day), near


def _streets_at_odds(left_shape, right_shape, shared) -> float:
    """street_conflict: both name streets, share no street key, and no street of one is a street of the other
    (`linkfeatures.street_core`): what `_pair_terms` and `_coarse_terms` read alike."""
    left_streets, right_streets = left_shape.streets, right_shape.streets
    return float(bool(left_streets and right_streets) and "s" not in shared and left_streets.isdisjoint(right_streets))


def _pair_terms(
    left: ArticleFeatures, right: ArticleFeatures, weights: Weights, mass: SharedMass, right_stats: tuple, exact: bool
) -> list[float]:
    """The pair vector in PAIR_FEATURES order: the one table of the features, read by `pair_vector` (EXACT) and by
    `pair_bound`. For the bound, RIGHT_STATS are reckoned from the shared keys (`_right_stats`, without the person
    names' total) and the features that cannot be told cheaply take the end of their range that adds the most
    (`_most`): the names both headlines hold, the lead's persons of a late pair, the page checks (`_unrelated_pages`, `late_twin`, `late_headlines`) and
    what needs the right article's person names."""
    left_norm, left_totals, left_person, left_title = weights._full_stats(left)
    right_norm, right_totals, right_person, right_title = right_stats
    left_shape, right_shape = left.shaped(), right.shaped()
    by_type = mass.by_type
    undated, gap, near = _days_apart(left, right)
    cosine = mass.dot / (left_norm * right_norm) if left_norm and right_norm else 0.0
    p_frac = by_type["p"] / (min(left_totals.get("p", 0.0), right_totals.get("p", 0.0)) + 3.0)
    c_frac = by_type["c"] / (min(left_totals.get("c", 0.0), right_totals.get("c", 0.0)) + 3.0)
    t_frac = by_type["t"] / (min(left_totals.get("t", 0.0), right_totals.get("t", 0.0)) + 3.0)
    if left_shape.titles and right_shape.titles:
        title_norm = math.sqrt(left_title * right_title)
        title_cosine = mass.title_dot / title_norm if title_norm else 0.0
    else:
        title_cosine = 0.0
    top = weights.idf("")  # the IDF of a key no earlier article has
    near3 = float(gap <= 3)
    incident_near = abs(left_shape.incident - right_shape.incident) <= 1
    # evidence of two different incidents: both articles name people but none in common (the smaller side's
    # person-name mass, relative to the top IDF); both give ages but none in common; both name streets but
    # none in common. And the headline facts: those both state alike, the kinds on which they disagree.
    both_kinds = left_shape.kinds & right_shape.kinds
    shared = mass.shared_kinds
    revised = revised_tolls(left, right)
    person_low = mass.person / (left_person + 3.0)
    vector = [
        1.0,
        cosine,
        by_type["p"],
        by_type["c"],
        by_type["s"],
        by_type["t"],
        by_type["h"],
        by_type["a"],
        by_type["n"],
        by_type["d"],
        float(not left.dates.isdisjoint(right.dates)),
        float(near),
        math.log1p(gap),
        float(gap > 45),
        p_frac,
        c_frac,
        t_frac,
        float(min(4, mass.rare_names)),
        float(min(4, mass.rare_words)),
        title_cosine,
        near3 * min(1.0, c_frac * 2),
        mass.person,
        mass.place,
        mass.max_name / top,
        mass.title_names,
        float(min(mass.ages, 3)),
        mass.person / (min(left_person, right_person) + 3.0)
        if exact
        else _most("person_frac", person_low, max(person_low, min(1.0, mass.person / (mass.person + 3.0)))),
        near3 * min(1.0, (mass.place + by_type["c"]) / 20.0),
        float(not undated and incident_near),
        mass.title_place / top * float(gap <= 3 or incident_near),
        min(mass.person, 20.0) / 20.0 * float(gap > 45),
        mass.second / top,
        mass.person_max / top,
        float(mass.facts_agree),
        float(len((left_shape.fact_kinds & right_shape.fact_kinds) - mass.agreed_facts - revised)),
        (
            min(min(left_person, right_person) / top if mass.person == 0 else 0.0, 4.0)
            if exact
            else _most("person_conflict", 0.0, 4.0 if mass.person == 0 else 0.0)
        ),
        float("a" in both_kinds and "a" not in shared),
        _streets_at_odds(left_shape, right_shape, shared),
    ]
    vector += specific_evidence(left, right, shared, late=gap > 45, exact=exact, both_kinds=both_kinds)
    vector.append(float(min(mass.rare_titles, 3)))
    # both pages' bodies are not their stories and their headlines share too little: what they share is furniture
    if exact:
        vector.append(_unrelated_pages(left, right, weights))
    else:
        vector.append(_most("unrelated_page", 0.0, float(UNRELATED in left.keys and UNRELATED in right.keys)))
    vector.append(clock_conflict(left_shape.clocks, right_shape.clocks))
    vector.append(late_twin(left, right, weights) if exact else _most("late_twin", 0.0, float(gap > 45)))
    vector.append(late_headlines(left, right) if exact else _most("late_headlines", 0.0, float(gap > 45)))
    return vector


REVISION_DAYS = 2  # a toll raised within this many days is one story's toll revised


def revised_tolls(left: ArticleFeatures, right: ArticleFeatures) -> frozenset[str]:
    """The kinds of casualty count ("killed", "hurt", "shot") whose headline figures differ as a toll revised upward:
    the later report (by date; the same day, the one that came later, LEFT) gives more, within REVISION_DAYS. "4 shot"
    then "5 shot" at a party, "2 dead" then "3 dead" in a flood: the first report's count is often raised by the next."""
    left_tolls, right_tolls = left.shaped().tolls, right.shaped().tolls
    if not left_tolls or not right_tolls or left.day == UNDATED or right.day == UNDATED:
        return frozenset()
    if abs(left.day - right.day) > REVISION_DAYS:
        return frozenset()
    later, earlier = (left_tolls, right_tolls) if left.day >= right.day else (right_tolls, left_tolls)
    return frozenset(kind for kind, count in later.items() if count > earlier.get(kind, count))


CLOCK_TOLERANCE = 60  # minutes: "shortly after 8 p.m." and "8:18 p.m." are one time


def clock_conflict(left: frozenset[int], right: frozenset[int]) -> float:
    """1 when both articles give times of day and none of one is near one of the other: two incidents."""
    if not left or not right:
        return 0.0
    for a in left:
        for b in right:
            gap = abs(a - b)
            if min(gap, 1440 - gap) <= CLOCK_TOLERANCE:
                return 0.0
    return 1.0


def numbers_at_odds(both_kinds: frozenset[str], shared: Mapping[str, int], late: bool) -> float:
    """number_conflict: both state numbers of three or more digits (`n:`) and none alike; not when the two name one
    street (a shared `s:` key) within 45 days: one report gives the block ("the 4900 block of First Street"), the
    other a telephone or case number, and the street already says where (keys-v14). Months apart, one street is
    often a neighbourhood's main road, and numbers at odds count again."""
    return float("n" in both_kinds and "n" not in shared and ("s" not in shared or late))


def _missing_share(names: frozenset[str], other: frozenset[str]) -> float:
    return len(names.difference(other)) / len(names) if names else 0.0


def specific_evidence(
    left: ArticleFeatures,
    right: ArticleFeatures,
    shared: dict[str, int],
    late: bool = False,
    exact: bool = True,
    both_kinds: frozenset[str] | None = None,
) -> list[float]:
    """What tells two incidents of one kind apart in any domain, date or no date: whether the names each
    headline is about appear in the other article at all, whether the years, month-days and numbers both
    state agree or conflict, whether both leads give ages and none alike (two victims, not one), and, months
    apart, whether anything of the incident itself is shared (`late_unanchored`). Not EXACT (`pair_bound`): the
    names both headlines hold and the lead's persons of a late pair are left at the end of their ranges."""
    left_shape, right_shape = left.shaped(), right.shaped()
    if both_kinds is None:
        both_kinds = left_shape.kinds & right_shape.kinds
    left_titles, right_titles = left_shape.title_names, right_shape.title_names
    left_miss = _missing_share(left_titles, right.keys)
    right_miss = _missing_share(right_titles, left.keys)
    left_lead, right_lead = left_shape.lead_names, right_shape.lead_names
    left_lead_miss = _missing_share(left_lead, right.keys)
    right_lead_miss = _missing_share(right_lead, left.keys)
    if exact:
        title_shared = float(min(len(left_titles & right.keys) + len(right_titles & left.keys), 4))
        unanchored = late_unanchored(left, right, shared, late)
    else:
        title_shared = _most("title_name_shared", 0.0, 4.0)
        unanchored = _most("late_unanchored", 0.0, float(late and not ("d" in shared or "m" in shared or "s" in shared)))
    return [
        min(left_miss, right_miss) if left_titles and right_titles else 0.0,
        max(left_miss, right_miss),
        title_shared,
        float(min(shared.get("y", 0), 3)),
        float("y" in both_kinds and "y" not in shared),
        float(min(shared.get("m", 0), 3)),
        float("m" in both_kinds and "m" not in shared),
        numbers_at_odds(both_kinds, shared, late),
        float(min(shared.get("l", 0), 3)),
        min(left_lead_miss, right_lead_miss) if left_lead and right_lead else 0.0,
        max(left_lead_miss, right_lead_miss),
        float(min(shared.get("q", 0), 3)),
        float("q" in both_kinds and "q" not in shared),
        float("g" in both_kinds and "g" not in shared),
        unanchored,
    ]


def late_unanchored(left: ArticleFeatures, right: ArticleFeatures, shared: dict[str, int], late: bool) -> float:
    """Months apart, a report of the same incident is a follow-up (an arrest, a trial, a funeral): it gives the
    incident's date again (resolved, or as a month-day), its street, or a person one lead names in full. 1 when
    a pair more than 45 days apart has none of these: the names it shares are then often the outlets' page
    furniture (a reporter's newsletter, a hospital, a sign-up form) or another incident of the kind."""
    if not late or "d" in shared or "m" in shared or "s" in shared:
        return 0.0
    return float(not (left.shaped().lead_persons & right.keys or right.shaped().lead_persons & left.keys))


VOUCHING_WORDS = 2  # headline words both pages hold (not common): one is often the place or the kind of news


def _unrelated_pages(left: ArticleFeatures, right: ArticleFeatures, weights: Weights) -> float:
    """1 when both pages' bodies repeat none of their headlines (`z:unrelated`: page furniture, an outlet's sign-up
    form or video list) and their headlines share fewer than VOUCHING_WORDS words that are not common: only the
    headlines tell these pages' stories, and what else they share is furniture."""
    if UNRELATED not in left.keys or UNRELATED not in right.keys:
        return 0.0
    keys, common = right.keys, weights.common
    vouching = sum(1 for key in left.keys if key[0] == "h" and key in keys and not common(key))
    return float(vouching < VOUCHING_WORDS)


TWIN_SHARE = 0.9  # of each body's keys shared: one body under two headlines
TWIN_BODY = 5  # keys a body needs to be told a twin


def late_twin(left: ArticleFeatures, right: ArticleFeatures, weights: Weights) -> float:
    """1 when two pages more than 45 days apart have one body (each shares TWIN_SHARE of its body's keys with the
    other) under headlines that share fewer than VOUCHING_WORDS uncommon words: months apart, two stories do not
    have one text; what the crawl kept of both is the outlet's furniture (a reporters' box, a video list)."""
    if left.day == UNDATED or right.day == UNDATED or abs(left.day - right.day) <= 45:
        return 0.0
    left_body, right_body = left.body(), right.body()
    if len(left_body) < TWIN_BODY or len(right_body) < TWIN_BODY:
        return 0.0
    common_body = len(left_body & right_body)
    if common_body < TWIN_SHARE * min(len(left_body), len(right_body)):
        return 0.0
    keys, common = right.keys, weights.common
    vouching = sum(1 for key in left.keys if key[0] == "h" and key in keys and not common(key))
    return float(vouching < VOUCHING_WORDS)


def late_headlines(left: ArticleFeatures, right: ArticleFeatures) -> float:
    """1 when two pages more than 45 days apart share nothing their bodies say: neither body (`ArticleFeatures.body`, what the
    headline does not hold) has a key of the other page, so only headline words tie them (a place, the kind of news:
    "found dead in Fort Worth home" a year apart, each page a caption or a dateline). A follow-up months later (an
    arrest, a trial) tells in its body whom or where it is about, and the first report names them too."""
    if left.day == UNDATED or right.day == UNDATED or abs(left.day - right.day) <= 45:
        return 0.0
    return float(left.body().isdisjoint(right.keys) and right.body().isdisjoint(left.keys))


def _strongest_first(item: tuple[float, str]) -> tuple[float, str]:
    return -item[0], item[1]


def similarity(left: ArticleFeatures, right: ArticleFeatures, weights: Weights) -> tuple[float, dict[str, Any]]:
    """The probability-like score that two articles report the same event."""
    shared = left.keys & right.keys
    if not shared:
        return 0.0, {"shared": []}
    value, vector, contributions = pair_score(left, right, weights, shared)
    return value, pair_breakdown(left, right, vector, contributions)


def pair_score(
    left: ArticleFeatures, right: ArticleFeatures, weights: Weights, shared: frozenset[str], mass: SharedMass | None = None
) -> tuple[float, list[float], list[tuple[float, str]]]:
    """`similarity`'s score of a pair that shares keys, with its vector and key contributions (for `pair_breakdown`)."""
    vector, contributions = pair_vector(left, right, weights, shared, mass)
    return logistic(sum(map(operator.mul, PAIR_WEIGHTS, vector))), vector, contributions


def pair_value(left: ArticleFeatures, right: ArticleFeatures, weights: Weights, mass: SharedMass) -> tuple[float, list[float]]:
    """`pair_score` without the key contributions, given the pair's MASS: what scoring all of an event's pairs reads."""
    vector = _pair_terms(left, right, weights, mass, weights._full_stats(right), exact=True)
    return logistic(sum(map(operator.mul, PAIR_WEIGHTS, vector))), vector


def logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def pair_breakdown(
    left: ArticleFeatures, right: ArticleFeatures, vector: list[float], contributions: list[tuple[float, str]]
) -> dict[str, Any]:
    """What a link stores of its pair (article_events.features)."""
    top = heapq.nsmallest(12, contributions, key=_strongest_first)  # = sorted(...)[:12]
    return {
        "cosine": round(vector[1], 4),
        "gap_days": left.day - right.day,
        "same_date": bool(vector[10]),
        "date_near": bool(vector[11]),
        "shared": [k for _, k in top],
    }


# the bound's own rounding: it reckons the right article's totals in another order than `Weights._full_stats`
_SLACK = 1e-6


def _right_stats(right: ArticleFeatures, weights: Weights, mass: SharedMass) -> tuple[float, dict[str, float], None, float]:
    """(norm, IDF total per kind, -, sum of the squared headline IDFs) of the right article, as `Weights._full_stats`
    has them (up to rounding) when the weights know only the left article's keys (as in `decide`): the shared
    keys weigh as the left article has them, every other key has the top IDF. The person names' total is not
    reckoned (None): the features that read it are left at their ranges."""
    unknown = weights._top + 1.0
    by_type = mass.by_type
    shared = mass.shared_kinds
    shape = right.shaped()
    counts = shape.kind_counts
    totals = {kind: by_type[kind] + (counts.get(kind, 0) - shared.get(kind, 0)) * unknown for kind in "pct"}
    title = mass.title_dot + (shape.titles - shared.get("h", 0)) * unknown * unknown
    return _right_norm(right, weights, mass), totals, None, title


def _right_norm(right: ArticleFeatures, weights: Weights, mass: SharedMass) -> float:
    """The right article's norm, as `_right_stats` has it."""
    unknown = weights._top + 1.0
    squared = _SQUARED_TYPE_WEIGHTS
    rest_squares = right.shaped().weighted_squares(TYPE_WEIGHTS) - sum(
        count * squared.get(kind, 0.25) for kind, count in mass.shared_kinds.items()
    )
    return math.sqrt(mass.dot + max(0.0, rest_squares) * (unknown * unknown))


_SQUARED_TYPE_WEIGHTS = {kind: weight * weight for kind, weight in TYPE_WEIGHTS.items()}


def pair_bound(left: ArticleFeatures, right: ArticleFeatures, weights: Weights, mass: SharedMass) -> float:
    """An upper bound of `similarity(left, right)` from what the pair shares (MASS), the articles' shapes and the
    left article's totals, when WEIGHTS know only the left article's keys (as in `decide`): cheaper than the
    score, and never below it, whatever the signs of the fitted weights. The same features as the score
    (`_pair_terms`), each one reckoned or given a range [low, high] at whose end it weighs the most."""
    vector = _pair_terms(left, right, weights, mass, _right_stats(right, weights, mass), exact=False)
    return logistic(sum(map(operator.mul, PAIR_WEIGHTS, vector)) + _SLACK)


_POSITION = {name: index for index, name in enumerate(PAIR_FEATURES)}


def _most(feature: str, low: float, high: float) -> float:
    """The end of a feature's range [LOW, HIGH] at which it adds the most to the score (the weights as they are
    now: `bench/fit_linker.py` sets its own)."""
    return high if PAIR_WEIGHTS[_POSITION[feature]] > 0 else low


# the features `coarse_bound` leaves at an end of their range, whatever the pair: (low, high)
_COARSE_RANGES = {
    "p_frac": (0.0, 1.0),
    "c_frac": (0.0, 1.0),
    "t_frac": (0.0, 1.0),
    "title_cosine": (0.0, 1.0),
    "person_frac": (0.0, 1.0),
    "person_conflict": (0.0, 4.0),
    "title_name_miss": (0.0, 1.0),
    "title_name_miss_max": (0.0, 1.0),
    "title_name_shared": (0.0, 4.0),
    "lead_name_miss": (0.0, 1.0),
    "lead_name_miss_max": (0.0, 1.0),
    "late_unanchored": (0.0, 1.0),
    "unrelated_page": (0.0, 1.0),
    "late_twin": (0.0, 1.0),
    "late_headlines": (0.0, 1.0),
}
_coarse_cache: list = [None, None]  # (the weights, their (ends, place_time's end)) as last reckoned


def _coarse_ends() -> tuple[dict[str, float], float]:
    """For the current weights: the end of each range in `_COARSE_RANGES` that adds the most, and place_time's (0 or 1:
    the feature is at most 1 within three days and 0 beyond)."""
    if _coarse_cache[0] is not PAIR_WEIGHTS:
        ends = {name: _most(name, low, high) for name, (low, high) in _COARSE_RANGES.items()}
        _coarse_cache[:] = [PAIR_WEIGHTS, (ends, _most("place_time", 0.0, 1.0))]
    return _coarse_cache[1]


def coarse_bound(left: ArticleFeatures, right: ArticleFeatures, weights: Weights, mass: SharedMass) -> float:
    """A looser upper bound of `similarity(left, right)` than `pair_bound`, for less: `_coarse_terms` weighed, as
    `_coarse_plan` sums them (what the left article and the weights give made once per left article and WEIGHTS)."""
    plan = weights._coarse
    if plan is None or plan[0] is not left or plan[1] is not PAIR_WEIGHTS:
        plan = weights._coarse = (left, PAIR_WEIGHTS, _coarse_plan(left, weights))
    return plan[2](right, mass)


_CONFLICT_KINDS = {  # kind of key: the feature that is 1 when both articles have such keys and share none
    "a": "age_conflict",
    "y": "year_conflict",
    "m": "monthday_conflict",
    "n": "number_conflict",
    "q": "lead_number_conflict",
    "g": "lead_age_conflict",
}


_COARSE_READ = (  # the features `_coarse_plan` reckons pair by pair, as it reads their weights
    "cosine", "same_date", "date_near", "log_gap", "gap45", "p", "c", "s", "t", "h", "a", "n", "d", "rare_names", "rare_words",
    "person", "place", "max_name", "title_names", "ages", "place_near", "incident_near", "title_place_near", "person_late",
    "second_name", "person_max", "facts_agree", "facts_conflict", "street_conflict", "year_agree", "monthday_agree",
    "lead_names_shared", "lead_numbers_shared", "rare_title_words", "clock_conflict",
)  # fmt: skip
_coarse_weights_cache: list = [None, None]  # (the weights, `_coarse_weights`) as last reckoned


def _coarse_weights() -> tuple:
    """For the current weights, what `_coarse_plan` reads of them: the sum of the terms that are the same for every pair
    (the bias, the ends of `_COARSE_RANGES`), late_twin's and late_headlines' weighted ends (summed), place_time's, the weight of each conflict
    kind (`_CONFLICT_KINDS`), then the weights of `_COARSE_READ` in its order."""
    if _coarse_weights_cache[0] is not PAIR_WEIGHTS:
        w = dict(zip(PAIR_FEATURES, PAIR_WEIGHTS))
        ends, place_time = _coarse_ends()
        late = ("late_twin", "late_headlines")  # at their end only more than 45 days apart
        constant = w["bias"] + sum(w[name] * end for name, end in ends.items() if name not in late)
        fixed = (constant, sum(w[name] * ends[name] for name in late), w["place_time"] * place_time)
        conflicts = {kind: w[name] for kind, name in _CONFLICT_KINDS.items()}
        _coarse_weights_cache[:] = [PAIR_WEIGHTS, (*fixed, conflicts, *(w[name] for name in _COARSE_READ))]
    return _coarse_weights_cache[1]


def _coarse_plan(left: ArticleFeatures, weights: Weights):
    """`coarse_bound` against LEFT with WEIGHTS, as a function of (right, mass): the weighted sum of `_coarse_terms`
    (the same terms, up to rounding: tests/test_linking_prune.py) with the features that are the same for every
    pair summed once and the terms that are 0 skipped. A candidate pair is bounded this way ~37 times a decision."""
    (constant, late_pages, place_time, conflict_weights, w_cosine, w_same_date, w_date_near, w_log_gap, w_gap45, w_p, w_c, w_s, w_t,
     w_h, w_a, w_n, w_d, w_rare_names, w_rare_words, w_person, w_place, w_max_name, w_title_names, w_ages, w_place_near,
     w_incident_near, w_title_place_near, w_person_late, w_second, w_person_max, w_facts_agree, w_facts_conflict, w_street, w_year,
     w_monthday, w_lead_names, w_lead_numbers, w_rare_titles, w_clock) = _coarse_weights()  # fmt: skip
    left_norm = weights._full_stats(left)[0]
    shape = left.shaped()
    day, dates, incident = left.day, left.dates, shape.incident
    days_near = (day - 1, day, day + 1)
    left_undated = day == UNDATED
    conflict_kinds = shape.kinds.intersection(_CONFLICT_KINDS)
    facts, streets, clocks = shape.fact_kinds, shape.streets, shape.clocks
    top = weights.idf("")
    unknown_squared = (weights._top + 1.0) ** 2
    squared_weights = _SQUARED_TYPE_WEIGHTS
    sqrt, log1p = math.sqrt, math.log1p

    def bound(right: ArticleFeatures, mass: SharedMass) -> float:
        right_shape = right.shape or right.shaped()
        shared = mass.shared_kinds
        get = mass.by_type.get
        c = get("c", 0.0)
        rest = right_shape.squares
        if rest is None:
            rest = right_shape.weighted_squares(TYPE_WEIGHTS)
        shared_squares = 0.0  # summed in the order of `_right_norm`'s sum
        for kind, count in shared.items():
            shared_squares += count * squared_weights.get(kind, 0.25)
        rest -= shared_squares
        right_norm = sqrt(mass.dot + max(0.0, rest) * unknown_squared)  # `_right_norm`
        z = constant + (w_cosine * (mass.dot / (left_norm * right_norm)) if left_norm and right_norm else 0.0)
        z += w_p * get("p", 0.0) + w_c * c + w_s * get("s", 0.0) + w_t * get("t", 0.0) + w_h * get("h", 0.0)
        z += w_a * get("a", 0.0) + w_n * get("n", 0.0) + w_d * get("d", 0.0)
        right_day, right_dates = right.day, right.dates
        undated = left_undated or right_day == UNDATED
        gap = 0 if undated else abs(day - right_day)  # `_days_apart`
        if not dates.isdisjoint(right_dates):
            z += w_same_date
        if not (dates.isdisjoint((right_day - 1, right_day, right_day + 1)) and right_dates.isdisjoint(days_near)):
            z += w_date_near
        z += w_log_gap * log1p(gap)
        person = mass.person
        late = gap > 45
        if late:
            z += w_gap45 + late_pages + w_person_late * (min(person, 20.0) / 20.0)
        near3 = gap <= 3
        if near3:
            z += place_time + w_place_near * min(1.0, (mass.place + c) / 20.0)
        incident_near = abs(incident - right_shape.incident) <= 1
        if incident_near and not undated:
            z += w_incident_near
        if near3 or incident_near:
            z += w_title_place_near * (mass.title_place / top)
        z += w_rare_names * min(4, mass.rare_names) + w_rare_words * min(4, mass.rare_words) + w_person * person + w_place * mass.place
        z += w_max_name * (mass.max_name / top) + w_title_names * mass.title_names + w_ages * min(mass.ages, 3)
        z += w_second * (mass.second / top) + w_person_max * (mass.person_max / top) + w_facts_agree * mass.facts_agree
        z += w_rare_titles * min(mass.rare_titles, 3)
        if facts:
            both = facts & right_shape.fact_kinds
            if both:
                z += w_facts_conflict * len(both - mass.agreed_facts - revised_tolls(left, right))
        right_kinds = right_shape.kinds
        for kind in conflict_kinds:  # a few kinds: no sets made (a bound's terms are summed in any order: `_SLACK`)
            if kind in right_kinds and kind not in shared and (kind != "n" or late or "s" not in shared):  # `numbers_at_odds`
                z += conflict_weights[kind]
        if streets and right_shape.streets and "s" not in shared and streets.isdisjoint(right_shape.streets):
            z += w_street
        if shared.keys() & "ymlq":
            get = shared.get
            z += w_year * min(get("y", 0), 3) + w_monthday * min(get("m", 0), 3)
            z += w_lead_names * min(get("l", 0), 3) + w_lead_numbers * min(get("q", 0), 3)
        if clocks and right_shape.clocks:
            z += w_clock * clock_conflict(clocks, right_shape.clocks)
        return logistic(z + _SLACK)

    return bound


def _coarse_terms(left: ArticleFeatures, right: ArticleFeatures, weights: Weights, mass: SharedMass) -> list[float]:
    """The terms of `coarse_bound`, in PAIR_FEATURES order: only what the shared keys (MASS), the dates and the articles'
    kinds of keys tell at once is reckoned, as `_pair_terms` has it; the features that need the right article's totals
    or the names each headline and lead holds take the end of a range that holds for every pair (`_COARSE_RANGES`;
    place_time's is [0, 1] within three days) at which they add the most. WEIGHTS as `pair_bound` has them."""
    ends, place_time = _coarse_ends()
    left_norm = weights._full_stats(left)[0]
    right_norm = _right_norm(right, weights, mass)
    left_shape, right_shape = left.shaped(), right.shaped()
    by_type = mass.by_type
    undated, gap, near = _days_apart(left, right)
    top = weights.idf("")
    near3 = float(gap <= 3)
    incident_near = abs(left_shape.incident - right_shape.incident) <= 1
    both_kinds = left_shape.kinds & right_shape.kinds
    shared = mass.shared_kinds
    revised = revised_tolls(left, right)
    return [
        1.0,
        mass.dot / (left_norm * right_norm) if left_norm and right_norm else 0.0,
        by_type["p"],
        by_type["c"],
        by_type["s"],
        by_type["t"],
        by_type["h"],
        by_type["a"],
        by_type["n"],
        by_type["d"],
        float(not left.dates.isdisjoint(right.dates)),
        float(near),
        math.log1p(gap),
        float(gap > 45),
        ends["p_frac"],
        ends["c_frac"],
        ends["t_frac"],
        float(min(4, mass.rare_names)),
        float(min(4, mass.rare_words)),
        ends["title_cosine"],
        near3 * place_time,
        mass.person,
        mass.place,
        mass.max_name / top,
        mass.title_names,
        float(min(mass.ages, 3)),
        ends["person_frac"],
        near3 * min(1.0, (mass.place + by_type["c"]) / 20.0),
        float(not undated and incident_near),
        mass.title_place / top * float(gap <= 3 or incident_near),
        min(mass.person, 20.0) / 20.0 * float(gap > 45),
        mass.second / top,
        mass.person_max / top,
        float(mass.facts_agree),
        float(len((left_shape.fact_kinds & right_shape.fact_kinds) - mass.agreed_facts - revised)),
        ends["person_conflict"],
        float("a" in both_kinds and "a" not in shared),
        _streets_at_odds(left_shape, right_shape, shared),
        ends["title_name_miss"],
        ends["title_name_miss_max"],
        ends["title_name_shared"],
        float(min(shared.get("y", 0), 3)),
        float("y" in both_kinds and "y" not in shared),
        float(min(shared.get("m", 0), 3)),
        float("m" in both_kinds and "m" not in shared),
        numbers_at_odds(both_kinds, shared, gap > 45),
        float(min(shared.get("l", 0), 3)),
        ends["lead_name_miss"],
        ends["lead_name_miss_max"],
        float(min(shared.get("q", 0), 3)),
        float("q" in both_kinds and "q" not in shared),
        float("g" in both_kinds and "g" not in shared),
        ends["late_unanchored"],
        float(min(mass.rare_titles, 3)),
        ends["unrelated_page"],
        clock_conflict(left_shape.clocks, right_shape.clocks),
        ends["late_twin"] * float(gap > 45),
        ends["late_headlines"] * float(gap > 45),
    ]
