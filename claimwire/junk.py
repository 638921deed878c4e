"""Per-outlet junk learning: a line seen in many articles of one outlet is junk there."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

MIN_OUTLET_ARTICLES = 5
MIN_SHARE = 0.3
MIN_ARTICLES_WITH_LINE = 3


def line_key(line: str) -> str:
    normalised = re.sub(r"\W+", " ", line).strip().lower()
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()[:32]


def candidate_line_keys(text: str) -> set[str]:
    return {line_key(line) for line in text.splitlines() if line.strip() and len(line.strip()) < 300}


def outlet_junk_keys(counts: Mapping[str, int], outlet_articles: int) -> set[str]:
    if outlet_articles < MIN_OUTLET_ARTICLES:
        return set()
    return {
        key for key, seen in counts.items() if seen >= MIN_ARTICLES_WITH_LINE and seen / outlet_articles >= MIN_SHARE
    }
