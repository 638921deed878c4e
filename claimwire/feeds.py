"""RSS and Atom feeds, the pure part: parse a feed document into items (no I/O, no database)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timezone

import feedparser

from claimwire.errors import InputError
from claimwire.sources import canonical_url, is_url


@dataclass(slots=True, frozen=True)
class FeedEntry:
    url: str
    title: str | None
    published: datetime | None  # naive UTC
    guid: str | None

    @property
    def key(self) -> str:
        """What makes two entries the same item: the canonical URL (guids are too often unstable)."""
        return canonical_url(self.url)


@dataclass(slots=True)
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry]


def _when(entry) -> datetime | None:
    for field in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(field)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc).replace(tzinfo=None)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _link(entry) -> str | None:
    link = entry.get("link")
    if isinstance(link, str) and is_url(link):
        return link.strip()
    for candidate in entry.get("links") or []:
        href = candidate.get("href")
        if isinstance(href, str) and is_url(href) and candidate.get("rel", "alternate") == "alternate":
            return href.strip()
    guid = entry.get("id")
    if isinstance(guid, str) and is_url(guid) and entry.get("guidislink", True):
        return guid.strip()
    return None


def parse_feed(body: bytes, *, base_url: str | None = None) -> ParsedFeed:
    """Items of an RSS 0.9x/1.0/2.0 or Atom document, in document order, each URL once."""
    response_headers = {"content-location": base_url} if base_url else None
    parsed = feedparser.parse(body, response_headers=response_headers)
    if parsed.bozo and not parsed.entries:
        raise InputError("bad_feed", f"not a feed: {parsed.get('bozo_exception') or 'unreadable'}")
    if not parsed.get("version") and not parsed.entries:
        raise InputError("bad_feed", "not an RSS or Atom document")
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        url = _link(entry)
        if not url:
            continue
        item = FeedEntry(url=url, title=(entry.get("title") or None), published=_when(entry), guid=entry.get("id") or None)
        if item.key in seen:
            continue
        seen.add(item.key)
        entries.append(item)
    return ParsedFeed(title=parsed.feed.get("title") or None, entries=entries)
