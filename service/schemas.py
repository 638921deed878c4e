"""The API's request and response models, its error type and the limits on ids and pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_ID = 2**63 - 1  # ids are 64-bit: a larger one in a path is a 422, not an OverflowError from the driver
PAGE_DEFAULT, PAGE_MAX = 100, 1000  # claims of an article and entries of each ledger list, per answer


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.reason, self.message, self.headers = status, reason, message, headers


def error_body(reason: str, message: str) -> dict[str, str]:
    return {"error": reason, "message": message}


class ArticleIn(BaseModel):
    """One article: `url` alone (fetched by the service), or `html` or `text` (with `url` as metadata)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"url": "https://example.org/news/story.html"},
                {"text": "Two people were shot...", "title": "Two shot", "outlet": "example.org", "published": "2024-05-01"},
            ]
        },
    )

    url: str | None = Field(None, max_length=4096, description="The article's address; fetched when neither html nor text is given")
    html: str | None = Field(None, description="The page's HTML")
    text: str | None = Field(None, description="The article's plain text")
    title: str | None = Field(None, max_length=2000)
    outlet: str | None = Field(None, max_length=255, description="Outlet key; default: the URL's host")
    published: str | None = Field(None, max_length=64, description="ISO 8601 date or time (UTC if no zone)")
    external_id: str | None = Field(None, max_length=255, description="The sender's id: the same id again is the same article")


class ArticleAccepted(BaseModel):
    id: int
    status: str
    duplicate: bool
    error: str | None = None


class FeedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(..., max_length=4096)
    title: str | None = Field(None, max_length=2000)
    outlet: str | None = Field(None, max_length=255)
    interval_s: int | None = Field(None, ge=60, le=86400, description="Seconds between polls")


class FeedOut(BaseModel):
    id: int
    url: str
    title: str | None
    outlet: str | None
    active: bool
    interval_s: int
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    last_status: str | None
    last_error: str | None
    item_count: int
    created: bool | None = None


class ClaimOut(BaseModel):
    kind: str
    measure: str | None
    value_min: float | None
    value_max: float | None
    hedge: str | None
    group: str | None
    source: str | None
    text: str | None
    sentence: str
    start: int
    end: int
    confidence: float
    extractor: str
    extractor_version: str


class FailureOut(BaseModel):
    stage: str
    reason: str
    message: str
    at: datetime
    transient: bool = Field(False, description="The cause may pass: posting the article again tries it again")
    retries: int = Field(0, description="Retries made before the failure was recorded")


class EventRef(BaseModel):
    id: int
    headline: str | None
    decision: str
    score: float
    merged_into: int | None = None


class ArticleOut(BaseModel):
    id: int
    status: str
    error: str | None
    failures: list[FailureOut]
    source_kind: str
    url: str | None
    canonical_url: str | None
    title: str | None
    outlet: str | None
    published: datetime | None
    received_at: datetime
    linked_at: datetime | None
    language: str | None
    duplicate_of: int | None
    title_flags: list[str] = Field(
        default_factory=list, description="What in the title may disguise it: mixed_script, compatibility_characters"
    )
    claims: list[ClaimOut] = Field(description="A page of the claims, in text order (claims_offset, claims_limit)")
    claims_total: int = 0
    claims_offset: int = 0
    claims_next_offset: int | None = None
    claims_cut: dict[str, int] | None = Field(
        None, description="What the cap on claims per article left out (cap, found, kept, read_chars, text_chars)"
    )
    event: EventRef | None


class TollOut(BaseModel):
    label: str
    value: float | None
    disputed: bool


class EventSummary(BaseModel):
    id: int
    headline: str | None
    first_seen: datetime
    last_seen: datetime
    article_count: int
    toll: dict[str, TollOut] = {}


class LedgerRowOut(BaseModel):
    key: str
    headline: str
    disputed: bool


class EventPage(BaseModel):
    events: list[EventSummary]
    limit: int
    offset: int
    next_offset: int | None


class LedgerPage(BaseModel):
    offset: int
    limit: int
    totals: dict[str, int] = Field(description="Entries of each list of the ledger in all")
    next_offset: int | None = Field(None, description="The offset of the next page, if a list has more")


class EventOut(EventSummary):
    merged_into: int | None
    date_min: datetime | None
    date_max: datetime | None
    lead: str | None = None
    rows: list[LedgerRowOut] = []
    ledger: dict[str, Any]
    ledger_page: LedgerPage | None = None


class ErrorOut(BaseModel):
    error: str
    message: str


ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 404, 413, 422, 429, 503)}
