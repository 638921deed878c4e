"""The claim record every extractor produces."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CASUALTY = "casualty"
FIGURE = "figure"
QUOTE = "quote"
STATEMENT = "statement"
KINDS = (CASUALTY, FIGURE, QUOTE, STATEMENT)

CASUALTY_MEASURES = ("killed", "injured", "missing", "shot", "killed_or_injured")
MEASURE_ORDER = ("killed", "injured", "shot", "missing", "killed_or_injured")  # as ledgers and pages list them


@dataclass(slots=True)
class Claim:
    """One claim an article makes.

    kind: casualty | figure | quote | statement
    measure: for casualty claims killed | injured | missing | shot | killed_or_injured;
        for figures the unit or noun counted ("troops", "miles"); None for quotes.
    value_min / value_max: bounds of the figure; value_max None means open-ended
        ("at least 45" -> 45, None); exact figures have min == max.
    hedge: the hedge word as written ("about", "at least", "dozens"), or None.
    group: who the figure is about, as written; group_key its normalised actor key.
    source: who the article attributes it to (or the speaker of a quote), as written;
        source_key its normalised actor key.
    text: the quote text (quote), the reported content (statement), or None.
    sentence, start, end: the sentence holding the claim and the claim's character
        span [start, end) in the cleaned article text.
    """

    kind: str
    sentence: str
    start: int
    end: int
    extractor: str
    extractor_version: str
    measure: str | None = None
    value_min: float | None = None
    value_max: float | None = None
    hedge: str | None = None
    group: str | None = None
    group_key: str | None = None
    source: str | None = None
    source_key: str | None = None
    text: str | None = None
    confidence: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Claim":
        return cls(**data)
