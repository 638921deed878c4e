"""Reading input items: files (.txt, .html, .htm, .html.gz, .jsonl, .jsonl.gz) and URLs."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from claimwire.errors import InputError

URL = "url"
HTML = "html"
TEXT = "text"

_ARCHIVE_PREFIX = re.compile(r"^https?://web\.archive\.org/web/\d+[a-z_]*/", re.IGNORECASE)
_TRACKING_PARAMS = re.compile(r"^(utm_[a-z]+|fbclid|gclid|ocid|cmpid)$", re.IGNORECASE)


@dataclass(slots=True)
class RawItem:
    """One article as it arrives, before anything is stored."""

    kind: str  # url | html | text
    ref: str  # where it came from: a path, a path#line, or the URL
    body: bytes | None = None
    url: str | None = None
    title: str | None = None
    published: datetime | None = None
    outlet: str | None = None
    external_id: str | None = None

    def identity(self) -> str:
        """What makes two arrivals the same article: the canonical URL, else the external id, else the body."""
        if self.url:
            basis = "url:" + canonical_url(self.url)
        elif self.external_id:
            basis = "id:" + self.external_id
        else:
            basis = "body:" + hashlib.sha256(self.body or b"").hexdigest()
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class BadItem:
    """An input that could not even be read; recorded as a failure."""

    ref: str
    error: InputError


def original_url(url: str) -> str:
    """The page's own address, with an archive.org wrapper taken off."""
    return _ARCHIVE_PREFIX.sub("", url.strip())


_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The URL an article is known by: https, lower-case host without www., no credentials, tracking
    parameters, fragment or trailing slash, the query sorted; a port kept unless it is the scheme's default."""
    parts = urlsplit(original_url(url))
    host = (parts.hostname or "").lower().removeprefix("www.")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    query = "&".join(pair for pair in sorted(parts.query.split("&")) if pair and not _TRACKING_PARAMS.match(pair.split("=", 1)[0]))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https" if parts.scheme in ("http", "https") else parts.scheme, host, path, query, ""))


_CREDENTIALS = re.compile(r"(?i)\b(https?://)[^/?#@\s]*@")


def strip_credentials(url: str | None) -> str | None:
    """URL without the user name and password it may carry (``https://user:pass@host/`` -> ``https://host/``),
    also where a URL is part of a longer reference ("api:https://..."): they are never stored nor shown."""
    if not url or "@" not in url:
        return url
    return _CREDENTIALS.sub(r"\1", url)


def outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(original_url(url)).hostname or "").lower().removeprefix("www.")
    return host or None


def parse_published(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # "0001-01-01T00:00+01:00" overflows when moved to UTC
        return None
    return parsed


_URL_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_url(value: str) -> bool:
    """An http(s) URL with a host that urlsplit can take apart; control characters (CR/LF
    header injection, NUL) and malformed hosts ("http://[::1") are not URLs."""
    if not isinstance(value, str) or not re.match(r"^https?://", value, re.IGNORECASE):
        return False
    value = value.strip()
    if _URL_CONTROL.search(value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return bool(parts.hostname)


def _read_bytes(path: Path) -> bytes:
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as handle:
            return handle.read()
    return path.read_bytes()


def _jsonl_items(path: Path) -> Iterator[RawItem | BadItem]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            ref = f"{path}#{number}"
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("line is not a JSON object")
            except ValueError as error:
                yield BadItem(ref, InputError("bad_json", f"line {number} is not a JSON object: {error}"))
                continue
            text = record.get("text")
            if not isinstance(text, str):
                yield BadItem(ref, InputError("bad_json", f"line {number} has no 'text' string"))
                continue
            url = strip_credentials(record.get("url")) if isinstance(record.get("url"), str) else None
            yield RawItem(
                kind=TEXT,
                ref=ref,
                body=text.encode("utf-8"),
                url=url,
                title=record.get("title") if isinstance(record.get("title"), str) else None,
                published=parse_published(record.get("published") if isinstance(record.get("published"), str) else None),
                outlet=outlet_from_url(url),
                external_id=str(record["id"]) if record.get("id") is not None else None,
            )


def iter_items(targets: list[str]) -> Iterator[RawItem | BadItem]:
    """Expand CLI arguments into items: URLs, files, and the files of directories."""
    for target in targets:
        if is_url(target):
            url = strip_credentials(target)
            yield RawItem(kind=URL, ref=url, url=url, outlet=outlet_from_url(url))
            continue
        path = Path(target)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            yield from iter_items([str(p) for p in files if p.suffix != ".json"])
            continue
        if not path.exists():
            yield BadItem(target, InputError("not_found", f"{target}: no such file or directory"))
            continue
        name = path.name.lower()
        try:
            if name.endswith((".jsonl", ".jsonl.gz")):
                yield from _jsonl_items(path)
            elif name.endswith((".html", ".htm", ".html.gz", ".htm.gz")):
                yield RawItem(kind=HTML, ref=str(path), body=_read_bytes(path))
            elif name.endswith((".txt", ".txt.gz")):
                yield RawItem(kind=TEXT, ref=str(path), body=_read_bytes(path))
            else:
                yield BadItem(
                    target,
                    InputError(
                        "unsupported_type", f"{target}: unknown file type (expected .txt, .html, .htm, .html.gz, .jsonl or .jsonl.gz)"
                    ),
                )
        except (OSError, EOFError) as error:
            yield BadItem(target, InputError("unreadable", f"{target}: {error}"))
