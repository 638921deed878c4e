"""RSS and Atom feeds, the pure part: parse a feed document into items (no I/O, no database)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

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
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC).replace(tzinfo=None)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _link(entry) -> str | None:
    link = entry.get("link")
    if isinstance(link, str) and is_url(link):
        return link.strip()
    for candidate in entry.get("links") or []:
        if not isinstance(candidate, Mapping):  # a <links> element of a malformed feed comes through as text
            continue
        href = candidate.get("href")
        if isinstance(href, str) and is_url(href) and candidate.get("rel", "alternate") == "alternate":
            return href.strip()
    guid = entry.get("id")
    if isinstance(guid, str) and is_url(guid) and entry.get("guidislink", True):
        return guid.strip()
    return None


_FIRST_ELEMENT = re.compile(rb"<\w")
_ENTITY_DECL = re.compile(rb"<!ENTITY([^>]*?)>")
# what feedparser would keep and substitute itself (a name and a literal value), capped in size
_SMALL_ENTITY = re.compile(rb'\s+\w+\s+"(?:&#\w+;|[^&"%]{0,32})"\s*$')


def defuse(body: bytes) -> bytes:
    """Drop the DTD entity declarations feedparser would expand by string replacement.

    feedparser never resolves external entities and drops nested ones (no billion laughs), but it
    keeps every declaration with a literal value and replaces each reference with it: a 100 kB
    feed declaring one 50 kB entity referenced 2,000 times became a 100 MB title ("quadratic
    blow-up").  Only short literal values (character references, up to 32 characters) stay.
    """
    first = _FIRST_ELEMENT.search(body)
    head_end = first.start() if first else len(body)
    head = body[:head_end]
    if b"<!ENTITY" not in head:
        return body
    head = _ENTITY_DECL.sub(lambda m: m.group(0) if _SMALL_ENTITY.match(m.group(1)) else b"", head)
    return head + body[head_end:]


def parse_feed(body: bytes, *, base_url: str | None = None) -> ParsedFeed:
    """Items of an RSS 0.9x/1.0/2.0 or Atom document, in document order, each URL once."""
    response_headers = {"content-location": base_url} if base_url else None
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise InputError("bad_feed", f"a feed is bytes, not {type(body).__name__}")
    try:
        # feedparser is a loose parser over untrusted bytes: anything it raises (a NUL in the
        # declared encoding name gives ValueError from codecs) means the document is unreadable.
        # It does not expand DTD entities (no billion laughs) nor load external ones.
        parsed = feedparser.parse(defuse(bytes(body)), response_headers=response_headers)
    except (ValueError, LookupError, TypeError, UnicodeError, RecursionError, OverflowError) as error:
        raise InputError("bad_feed", f"not a readable feed: {type(error).__name__}: {error}") from error
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
