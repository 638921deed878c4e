"""Casualty figures: a number shortly before a killed/injured verb."""

from __future__ import annotations

import re
from collections.abc import Iterator

from claimwire.claims import CASUALTY, Claim
from claimwire.extractors import register

NAME = "casualties"
VERSION = "0.1.0"

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozens": 24,
}
_MEASURES = {"killed": "killed", "dead": "killed", "died": "killed", "injured": "injured", "wounded": "injured", "hurt": "injured"}
_PATTERN = re.compile(
    r"\b(?P<num>\d[\d,]*|" + "|".join(_NUMBER_WORDS) + r")\b(?P<between>(?:\W+\w+){0,6}?)\W+(?P<verb>" + "|".join(_MEASURES) + r")\b",
    re.IGNORECASE,
)


def _value(token: str) -> int:
    token = token.lower().replace(",", "")
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


@register(NAME, VERSION)
def extract(text: str, title: str | None = None) -> Iterator[Claim]:
    for match in _PATTERN.finditer(text):
        value = _value(match.group("num"))
        hedge = "dozens" if match.group("num").lower() == "dozens" else None
        yield Claim(
            kind=CASUALTY,
            measure=_MEASURES[match.group("verb").lower()],
            value_min=value,
            value_max=None if hedge else value,
            hedge=hedge,
            sentence=text[max(0, match.start() - 80): match.end() + 80],
            start=match.start(),
            end=match.end(),
            extractor=NAME,
            extractor_version=VERSION,
            confidence=0.5,
        )
