"""When two figures tell one story: hedges, round numbers and the bounds a reader takes from them.

A figure's *reading* is the range of true values it is compatible with:

* the bounds the extractor gave ("about 100" -> 90-110, "at least 45" -> 45 and up,
  "more than 100" -> 101 and up, "dozens" -> 24 and up);
* widened by a round-number tolerance: a number of 20 or more that ends in 0 is often a
  rounded one, so "100" is read as 90-110 and "more than 100" as 91 and up. Small
  numbers and numbers that are not round ("7", "45", "27") are taken as stated.

Two figures *agree* when their readings overlap: "100", "about 100", "more than 100" and
"at least 45" tell one story; "7" and "about 100" do not. `stories()` groups the figures
of one ledger row into such stories (each a set of figures that share a common value).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from claimwire.numbers import HEDGES

#: numbers at or above this that end in 0 count as round
ROUND_FROM = 20
#: a round number is read as +-10 %
ROUND_TOLERANCE = 0.10

INF = math.inf


@dataclass(frozen=True, slots=True)
class Reading:
    """The range of true values a figure is compatible with (high = inf when open)."""

    low: float
    high: float
    stated: float | None  # the number as said: 100 for "more than 100", 45 for "at least 45"
    exact: bool  # stated without hedge or range ("7", "100")


def hedge_kind(hedge: str | None) -> str | None:
    """approx | below | min | above | max | under, or None for no hedge or a word that is not one."""
    return HEDGES.get(" ".join(hedge.lower().split())) if hedge else None


def stated_number(value_min: float | None, value_max: float | None, hedge: str | None) -> float | None:
    """The number as said: "more than 100" (101, open) -> 100, "about 100" (90, 110) -> 100."""
    if value_min is None:
        return value_max
    kind = hedge_kind(hedge)
    if kind == "above":
        return value_min - 1
    if kind == "approx" and value_max is not None:
        return (value_min + value_max) / 2
    if kind in ("max", "under", "below") and value_max is not None:
        return value_max + (1 if kind in ("under", "below") else 0)
    return value_min


def is_round(number: float | None) -> bool:
    return number is not None and number >= ROUND_FROM and float(number).is_integer() and int(number) % 10 == 0


def round_tolerance(number: float | None) -> float:
    return ROUND_TOLERANCE * number if is_round(number) else 0.0


@lru_cache(maxsize=16384)
def reading(value_min: float | None, value_max: float | None, hedge: str | None) -> Reading | None:
    """How a reader takes a figure; None when it states no number."""
    if value_min is None and value_max is None:
        return None
    low = float(value_min) if value_min is not None else 0.0
    high = float(value_max) if value_max is not None else INF
    stated = stated_number(value_min, value_max, hedge)
    kind = hedge_kind(hedge)
    exact = kind is None and value_max is not None and low == high
    if kind != "approx":  # an approximation already carries its margin
        slack = round_tolerance(stated)
        low = max(0.0, low - slack) if kind not in ("max", "under") else low
        high = high + slack if high != INF else high
    return Reading(low=low, high=high, stated=stated, exact=exact)


def agree(left: Reading, right: Reading) -> bool:
    """Do two readings tell one story (their ranges overlap)?"""
    return left.low <= right.high and right.low <= left.high


def contains(outer: Reading, value: float) -> bool:
    return outer.low <= value <= outer.high


T = TypeVar("T")


#: a row of more figures than this, stating more values than this, keeps each value's weight between rounds
#: (`_stories_of_many`); a smaller one weighs every value again in every round, which costs less there
KEEP_WEIGHTS_FROM = 32


def stories(items: Sequence[T], read: Callable[[T], Reading], weight: Callable[[Sequence[T]], tuple]) -> list[list[T]]:
    """Group items into stories: each story shares one value that all its readings admit.

    Greedy: among the values the items state, take the one whose supporters weigh most
    (`weight` of the supporting items, compared as a tuple; on a tie the lowest value), add the items that
    still share a value with all of them, make them a story, repeat on the rest. Open bounds ("at least 45")
    join the story they admit; a value nobody else admits is a story alone.
    """
    if len(items) > KEEP_WEIGHTS_FROM:
        readings = [read(item) for item in items]
        anchors = [_anchor(r) for r in readings]
        if len(set(anchors)) > KEEP_WEIGHTS_FROM:
            return _stories_of_many(list(items), readings, anchors, weight)
    left = list(items)
    out: list[list[T]] = []
    while left:
        readings = [read(item) for item in left]
        candidates = sorted({_anchor(r) for r in readings})
        best: list[T] = []
        best_weight: tuple | None = None
        for value in candidates:
            support = [item for item, r in zip(left, readings) if r.low <= value <= r.high]  # contains(r, value)
            score = weight(support)
            if best_weight is None or score > best_weight:
                best, best_weight = support, score
        supporting = {id(item) for item in best}
        best = _widen(best, [item for item in left if id(item) not in supporting], read)
        out.append(best)
        chosen = {id(item) for item in best}
        left = [item for item in left if id(item) not in chosen]
    return out


def _stories_of_many(left: list[T], readings: list[Reading], anchors: list[float], weight: Callable[[Sequence[T]], tuple]) -> list[list[T]]:
    """`stories` for a row of many values (a long war's "other figures", a page of block numbers): a value is
    weighed again only when a story took one of its supporters, a pass per story instead of one per story and value.
    READINGS and ANCHORS: each item's, in item order."""
    values = _KeptWeights(left, readings, anchors, weight)
    out: list[list[T]] = []
    while values.alive:
        support = values.best()
        supporting = {id(left[i]) for i in support}
        story = _widen(list(support), [i for i in values.alive if id(left[i]) not in supporting], readings.__getitem__)
        values.take({id(left[i]) for i in story})
        out.append([left[i] for i in story])
    return out


class _Desc:
    """A weight compared the other way round: a min-heap of these pops the heaviest first."""

    __slots__ = ("score",)

    def __init__(self, score: tuple) -> None:
        self.score = score

    def __lt__(self, other: _Desc) -> bool:
        return self.score > other.score

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.score == other.score


class _KeptWeights:
    """The values the items left state, each with the weight of its supporters kept (in a heap, heaviest then
    lowest first) until a story takes an item whose reading admits it; a value no item left states is no
    candidate any more (its stale heap entries are skipped when they come up)."""

    def __init__(self, items: list, readings: list[Reading], anchors: list[float], weight: Callable[[Sequence], tuple]) -> None:
        self.items, self.readings, self.anchors, self.weight = items, readings, anchors, weight
        self.stating = Counter(anchors)  # value -> how many items left state it
        self.values = sorted(self.stating)
        self.alive = list(range(len(items)))  # the indices of the items no story took yet, in item order
        self.supports: dict[float, list[int]] = {}  # value -> the items left whose readings admit it
        self.heap: list[tuple[_Desc, float, list[int]]] = []  # an entry is true while its support is the value's
        for value in self.values:
            self._weigh(value)

    def _weigh(self, value: float) -> None:
        readings = self.readings
        support = self.supports[value] = [i for i in self.alive if readings[i].low <= value <= readings[i].high]
        heapq.heappush(self.heap, (_Desc(self.weight([self.items[i] for i in support])), value, support))

    def best(self) -> list[int]:
        """The supporters (indices, in item order) of the heaviest value still stated."""
        while True:
            _, value, support = self.heap[0]
            if self.stating[value] > 0 and self.supports[value] is support:
                return support
            heapq.heappop(self.heap)

    def take(self, chosen: set[int]) -> None:
        """A story took the items of these ids (an item named twice goes with both its places)."""
        taken = [i for i in self.alive if id(self.items[i]) in chosen]
        self.alive = [i for i in self.alive if id(self.items[i]) not in chosen]
        dirty: set[float] = set()
        for i in taken:
            self.stating[self.anchors[i]] -= 1
            reading = self.readings[i]
            dirty.update(self.values[bisect_left(self.values, reading.low) : bisect_right(self.values, reading.high)])
        for value in sorted(dirty):
            if self.stating[value] > 0:
                self._weigh(value)


def _widen(story: list[T], rest: list[T], read: Callable[[T], Reading]) -> list[T]:
    """Add the figures that still admit a value every member of the story admits ("at least 120"
    joins "about 100": both admit 108-110)."""
    low = max(read(item).low for item in story)
    high = min(read(item).high for item in story)
    for item in rest:
        value = read(item)
        if value.low <= high and low <= value.high:
            story.append(item)
            low, high = max(low, value.low), min(high, value.high)
    return story


def _anchor(value: Reading) -> float:
    """The value a figure points at: what it states, else the nearest end of its range."""
    if value.stated is not None and value.low <= value.stated <= value.high:
        return value.stated
    return value.low if value.high == INF else (value.low + value.high) / 2
