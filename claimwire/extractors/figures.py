"""Other figures: a number followed by the noun it counts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from claimwire.claims import FIGURE, Claim
from claimwire.extractors import register

NAME = "figures"
VERSION = "0.1.0"

_PATTERN = re.compile(r"\b(?P<num>\d{1,3}(?:,\d{3})+|\d+)\s+(?P<noun>[a-z]{3,})\b")


@register(NAME, VERSION)
def extract(text: str, title: str | None = None) -> Iterator[Claim]:
    for match in _PATTERN.finditer(text):
        value = int(match.group("num").replace(",", ""))
        yield Claim(
            kind=FIGURE,
            measure=match.group("noun"),
            value_min=value,
            value_max=value,
            sentence=text[max(0, match.start() - 80): match.end() + 80],
            start=match.start(),
            end=match.end(),
            extractor=NAME,
            extractor_version=VERSION,
            confidence=0.5,
        )
