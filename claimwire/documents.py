"""What the cleaning stage hands to the rest of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(slots=True)
class CleanedDocument:
    text: str
    title: str | None = None
    author: str | None = None
    published: date | None = None
    outlet: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    method: str = "text"  # trafilatura | fallback | text
    removed_lines: list[str] = field(default_factory=list)
    empty_reason: str | None = None  # set when no article text was found

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()
