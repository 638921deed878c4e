"""Number expressions in news text: digits, number words, vague quantities, hedges.

Pure functions, no dependencies.  The extractors use `QUANTITY` (a regex
fragment with named groups ``hedge`` and ``num``) and `quantity_bounds()`
to turn "about 100" into (90, 110), "at least 45" into (45, None),
"more than 100" into (101, None) and "dozens" into (24, None).
"""

from __future__ import annotations

import math
import re

from claimwire.vocabulary import SCALES, TENS, UNITS

# Vague quantities: (min, max) with max None for open-ended.
VAGUE = {
    "a couple of": (2, 2),
    "a couple": (2, 2),
    "a pair of": (2, 2),
    "a dozen": (12, 12),
    "half a dozen": (6, 6),
    "a half-dozen": (6, 6),
    "a handful of": (2, 5),
    "several": (3, None),
    "a few": (2, None),
    "dozens": (24, None),
    "dozens of": (24, None),
    "scores of": (40, None),
    "hundreds": (200, None),
    "hundreds of": (200, None),
    "thousands": (2000, None),
    "thousands of": (2000, None),
    "tens of thousands of": (20000, None),
}

# Hedge word -> kind of bound.
HEDGES = {
    "about": "approx",
    "around": "approx",
    "approximately": "approx",
    "roughly": "approx",
    "some": "approx",
    "an estimated": "approx",
    "estimated": "approx",
    "nearly": "below",
    "almost": "below",
    "close to": "below",
    "just under": "below",
    "at least": "min",
    "no fewer than": "min",
    "a minimum of": "min",
    "more than": "above",
    "over": "above",
    "in excess of": "above",
    "upwards of": "above",
    "greater than": "above",
    "above": "above",
    "up to": "max",
    "as many as": "max",
    "at most": "max",
    "no more than": "max",
    "fewer than": "under",
    "less than": "under",
    "under": "under",
}

_WORD = r"(?:" + "|".join(sorted(list(UNITS) + list(TENS), key=len, reverse=True)) + r")"
_NUMBER_WORDS = rf"{_WORD}(?:[- ]{_WORD})?(?:\s+(?:hundred|thousand|million)(?:\s+(?:and\s+)?{_WORD}(?:-{_WORD})?)?)?"
# Digits: "100", "2,000", "1.5 million"; never part of a date, time, phone number,
# ordinal ("100th"), decade ("1990s"), age ("12-year-old") or a code ("T-72").
_DIGITS = (
    r"(?<![\w$#/.,:-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s+(?:million|billion))?"
    r"(?![\w%]|[.,:/-]\d|-(?:year|month|week|day)|\s*-\s*\d|\s+(?:years?|months?)[- ]old)"
)
_VAGUE = r"(?:" + "|".join(re.escape(v) for v in sorted(VAGUE, key=len, reverse=True)) + r")"
_HEDGE = r"(?:" + "|".join(re.escape(h) for h in sorted(HEDGES, key=len, reverse=True)) + r")"

#: A quantity: optional hedge, then a number or vague quantity.  Named groups
#: ``hedge`` and ``num``; case-insensitive use expected.
QUANTITY = (
    rf"(?:(?P<hedge>{_HEDGE})\s+['\"‘“]?)?"
    rf"(?P<num>{_VAGUE}(?![\w-])|{_DIGITS}|\b{_NUMBER_WORDS}\b(?!-(?:year|month|week|day)))"
)
QUANTITY_RE = re.compile(QUANTITY, re.IGNORECASE)


def parse_number(text: str) -> float | None:
    """Value of a number written in digits or words; None if not a number.

    >>> parse_number("2,000"), parse_number("twenty-one"), parse_number("one hundred and five")
    (2000, 21, 105)
    """
    t = text.strip().lower().replace(",", "")
    if not t:
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:\s+(million|billion))?", t)
    if m:
        value = float(m.group(1))
        if m.group(2):
            value *= SCALES[m.group(2)]
        return int(value) if value == int(value) else value
    total = 0
    current = 0
    seen = False
    for word in re.split(r"[\s-]+", t):
        if word == "and":
            continue
        if word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word in SCALES:
            scale = SCALES[word]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def quantity_bounds(num: str, hedge: str | None = None) -> tuple[float | None, float | None, str | None]:
    """Bounds (min, max) of a quantity and the hedge as written (None if exact).

    "about 100" -> (90, 110); "at least 45" -> (45, None); "more than 100" -> (101, None);
    "dozens" -> (24, None); "seven" -> (7, 7); "more than a dozen" -> (13, None).
    """
    key = " ".join(num.lower().split())
    vague_hedge = None
    if key in VAGUE:
        low, high = VAGUE[key]
        vague_hedge = None if low == high else key.removesuffix(" of")
        value = low
        if high is None and not hedge:
            return low, None, vague_hedge
    else:
        value = parse_number(num)
        if value is None:
            return None, None, hedge
        low = high = value
    if not hedge:
        return low, high, vague_hedge
    kind = HEDGES.get(" ".join(hedge.lower().split()))
    if kind == "approx":
        delta = max(1, math.ceil(value * 0.1)) if value else 0
        return value - delta, value + delta, hedge
    if kind == "below":
        return math.floor(value * 0.9), max(value - 1, 0), hedge
    if kind == "min":
        return value, None, hedge
    if kind == "above":
        return value + 1, None, hedge
    if kind == "max":
        return 0, value, hedge
    if kind == "under":
        return 0, max(value - 1, 0), hedge
    return low, high, hedge


def stated_value(value_min: float | None, value_max: float | None, hedge: str | None) -> float | None:
    """The single number a claim states: the midpoint of an approximate range,
    the upper bound of "up to N", else the lower bound."""
    if value_min is None:
        return value_max
    if value_max is None:
        return value_min
    if hedge and HEDGES.get(hedge.lower()) == "approx":
        return (value_min + value_max) / 2
    if hedge and HEDGES.get(hedge.lower()) in ("max", "under", "below"):
        return value_max
    return value_min
