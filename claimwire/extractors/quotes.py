"""Direct quotes: text between double quotation marks."""

from __future__ import annotations

import re
from collections.abc import Iterator

from claimwire.claims import QUOTE, Claim
from claimwire.extractors import register

NAME = "quotes"
VERSION = "0.1.0"

_PATTERN = re.compile(r"[\"“](?P<quote>[^\"“”]{15,})[\"”]")
_SPEAKER_AFTER = re.compile(r"^,?\s*(?:(?:said|says|added)\s+(?P<a>[^.,]+)|(?P<b>[^.,]+?)\s+(?:said|says|added))")


@register(NAME, VERSION)
def extract(text: str, title: str | None = None) -> Iterator[Claim]:
    for match in _PATTERN.finditer(text):
        after = _SPEAKER_AFTER.match(text[match.end(): match.end() + 120])
        speaker = (after.group("a") or after.group("b")).strip() if after else None
        yield Claim(
            kind=QUOTE,
            text=match.group("quote").strip(),
            source=speaker,
            sentence=text[match.start(): match.end()],
            start=match.start(),
            end=match.end(),
            extractor=NAME,
            extractor_version=VERSION,
            confidence=0.5,
        )
