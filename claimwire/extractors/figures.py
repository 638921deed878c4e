"""Other figures: a number with the unit or noun it counts ("500 personnel", "2,000 troops",
"eight miles").  Numbers already taken by a casualty claim, dates, years, times, ages,
addresses, phone numbers and codes ("Route 66", "Page 2") are skipped."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

from claimwire.claims import FIGURE, Claim
from claimwire.extractors import register
from claimwire.extractors._folded import found_folded, lowered
from claimwire.extractors._lexicon import CONTEXT_BEFORE_REJECT, MONTHS
from claimwire.extractors._starts import finditer_where
from claimwire.extractors._text import sentence_spans
from claimwire.extractors.casualties import casualty_spans
from claimwire.extractors.casualty_patterns import QUANTITY_FIRST
from claimwire.numbers import QUANTITY, quantity_bounds
from claimwire.vocabulary import number_words

NAME = "figures"
VERSION = "1.0.0"
# a sentence without a digit or one of these words holds no figure
_NUMBER_WORD = rf"\b(?:{number_words(1, 12)}|{number_words(20, 50)}|hundred|thousand|dozen)"
_DIGIT = re.compile(r"\d")
_NUMBER_WORD_ANY_CASE = re.compile(_NUMBER_WORD, re.IGNORECASE)
_NUMBER_WORD_LOWER = lowered(_NUMBER_WORD_ANY_CASE)
_WORD_BEFORE = re.compile(r"([\w.#]+)\W*$")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_MEASURE_WORD = re.compile(r"[a-z][a-z'’-]*s?|%")

_UNITS = {
    "mile",
    "miles",
    "km",
    "kilometers",
    "kilometres",
    "kilometer",
    "meters",
    "metres",
    "meter",
    "feet",
    "foot",
    "yards",
    "yard",
    "inches",
    "percent",
    "%",
    "dollars",
    "pounds",
    "kilograms",
    "kg",
    "tons",
    "tonnes",
    "hours",
    "minutes",
    "days",
    "weeks",
    "months",
    "years",
    "rounds",
    "shots",
    "times",
}
_STOP = (
    r"(?:said|says|told|was|were|is|are|had|has|have|will|would|could|after|before|when|because|while|"
    r"but|if|than|then|that|who|which|and|or|as|where|to|in|on|at|by|during|for|with|from|into|of|near|"
    r"according|including|about|a|an|the|his|her|its|their|ago|earlier|later|east|west|north|south|away)"
)
_FIGURE = re.compile(
    rf"(?<![\w'’-]){QUANTITY}(?P<np>(?:[ \t]+(?!{_STOP}\b)(?:[a-z][\w'’]*(?:-[\w'’]+)*|[A-Z][\w'’]*-[\w'’-]+|[A-Z]{{2,}})){{1,3}})",
    re.IGNORECASE,
)


def _number_hint(sent: str) -> bool:
    """A digit or a number word in SENT: the digit looked for first (a third of sentences have one), the words of an
    ASCII sentence read lower-cased (claimwire/extractors/_folded.py; IGNORECASE is slow)."""
    return _DIGIT.search(sent) is not None or found_folded(_NUMBER_WORD_ANY_CASE, _NUMBER_WORD_LOWER, sent)


@register(NAME, VERSION)
def extract(text: str, title: str | None = None) -> Iterator[Claim]:
    taken = sorted(casualty_spans(text))
    taken_starts = [ts for ts, _ in taken]
    for s, e in sentence_spans(text):
        sent = text[s:e]
        # casualty spans lie inside one sentence: only this sentence's (all of them per figure was quadratic)
        local = taken[bisect_left(taken_starts, s) : bisect_left(taken_starts, e)]
        if not _number_hint(sent):
            continue
        for m in finditer_where(_FIGURE, sent, QUANTITY_FIRST):
            qs = s + (m.start("hedge") if m.group("hedge") else m.start("num"))
            qe = s + m.end()
            if any(qs < te and ts < qe for ts, te in local):
                continue
            num = m.group("num")
            words = m.group("np").split()
            if num.lower() in ("one",) and words and words[0].lower() in ("of", "day", "another"):
                continue
            prev = _WORD_BEFORE.search(sent[max(0, m.start() - 16) : m.start()])
            if prev:
                w = prev.group(1).lower().rstrip(".")
                if w in CONTEXT_BEFORE_REJECT or (w in MONTHS and num[:1].isdigit()):
                    continue
            if _YEAR.fullmatch(num):
                continue
            first = words[0].lower()
            if first in MONTHS:
                continue
            if first in _UNITS:
                measure, np_words = first, words[:1]
            else:
                # the counted noun: last word of the lowercase run
                np_words = words
                measure = words[-1].lower()
            if not _MEASURE_WORD.fullmatch(measure) or measure in ("a.m", "p.m", "am", "pm"):
                continue
            lo, hi, hedge = quantity_bounds(num, m.group("hedge"))
            if lo is None:
                continue
            found = sent.find(np_words[-1], qs - s)  # not split(): that copied the rest of the sentence per figure
            end = s + (found if found >= 0 else len(sent)) + len(np_words[-1])
            yield Claim(
                kind=FIGURE,
                measure=measure,
                value_min=lo,
                value_max=hi,
                hedge=hedge,
                group=" ".join(np_words),
                sentence=sent,
                start=qs,
                end=end,
                extractor=NAME,
                extractor_version=VERSION,
                confidence=0.7 if first in _UNITS else 0.6,
            )
