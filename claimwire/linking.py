"""Event linking: an article's features, an event's profile, and the decision to join or open.

Plain similarity between an article's salient terms (names, places, numbers,
content words) and the aggregated terms of recent events within a time window.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

LINKER = "similarity-v1"
JOIN_THRESHOLD = 0.30
PROFILE_TERMS = 200

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]+|\d[\d,]*")
_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
    now of off on once only or other our ours out over own said same says she should so some such than that the
    their theirs them then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours told according reported report news new one two
    three four five six seven eight nine ten year years day days time people man woman police monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july august september october
    november december""".split()
)


@dataclass(slots=True)
class ArticleFeatures:
    terms: Counter[str]
    published: datetime | None
    title: str | None = None

    def to_dict(self) -> dict:
        return {"terms": dict(self.terms.most_common(PROFILE_TERMS)), "published": self.published.isoformat() if self.published else None}


@dataclass(slots=True)
class LinkDecision:
    event_id: int | None  # None: open a new event
    score: float
    features: dict = field(default_factory=dict)

    @property
    def decision(self) -> str:
        return "new" if self.event_id is None else "joined"


def article_features(title: str | None, text: str, published: datetime | None) -> ArticleFeatures:
    terms: Counter[str] = Counter()
    for source, weight in ((title or "", 2.0), (text, 1.0)):
        for match in _TOKEN.finditer(source):
            token = match.group()
            lower = token.lower()
            if lower in _STOPWORDS or len(lower) < 3:
                continue
            if token[0].isdigit():
                terms["#" + lower.replace(",", "")] += weight
            elif token[0].isupper():
                terms[lower] += 2.0 * weight
            else:
                terms[lower] += weight
    return ArticleFeatures(terms=terms, published=published, title=title)


def _cosine(left: Mapping[str, float], right: Mapping[str, float]) -> float:
    if not left or not right:
        return 0.0
    shared = set(left) & set(right)
    dot = sum(math.log1p(left[t]) * math.log1p(right[t]) for t in shared)
    norm = math.sqrt(sum(math.log1p(v) ** 2 for v in left.values())) * math.sqrt(sum(math.log1p(v) ** 2 for v in right.values()))
    return dot / norm if norm else 0.0


def score(features: ArticleFeatures, profile: Mapping) -> tuple[float, dict]:
    profile_terms = profile.get("terms", {})
    similarity = _cosine(features.terms, profile_terms)
    shared = sorted(set(features.terms) & set(profile_terms), key=lambda t: -features.terms[t])[:10]
    return similarity, {"cosine": round(similarity, 4), "shared_terms": shared}


def decide(features: ArticleFeatures, candidates: Iterable[tuple[int, Mapping]], threshold: float = JOIN_THRESHOLD) -> LinkDecision:
    best = LinkDecision(event_id=None, score=0.0, features={"candidates": 0})
    count = 0
    for event_id, profile in candidates:
        count += 1
        value, breakdown = score(features, profile)
        if value > best.score:
            best = LinkDecision(event_id=event_id, score=value, features=breakdown)
    best.features["candidates"] = count
    if best.score < threshold:
        return LinkDecision(event_id=None, score=best.score, features=best.features)
    return best


def updated_profile(profile: Mapping, features: ArticleFeatures) -> dict:
    terms = Counter(profile.get("terms", {}))
    terms.update(features.terms)
    return {"terms": dict(terms.most_common(PROFILE_TERMS)), "articles": int(profile.get("articles", 0)) + 1}
