"""Page metadata from the parsed tree: title, author, publication date, outlet, canonical URL.

Cheap XPath lookups of the usual declarations first (Open Graph, article:*, schema.org
JSON-LD, <link rel=canonical>, <time datetime>); htmldate (``extensive_search=False``) only
when no date is declared.  trafilatura's own metadata pass costs ~14 ms/page, more than
half its extraction, and found the same fields on the dev pages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from urllib.parse import urlsplit

from lxml import etree

_TAGS = re.compile(r"<[^>]+>")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—·»:-]\s+")


@dataclass
class PageMeta:
    title: str | None = None
    author: str | None = None
    published: date | None = None
    outlet: str | None = None
    canonical_url: str | None = None
    article_bodies: list[str] = field(default_factory=list)


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(unescape(value).split())
    return value or None


def _meta_table(tree: etree._Element) -> dict[str, str]:
    table: dict[str, str] = {}
    for elem in tree.iter("meta"):
        content = elem.get("content")
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = elem.get(attr)
            if key and key.lower() not in table:
                table[key.lower()] = content
    return table


def _meta(table: dict[str, str], *names: str) -> str | None:
    for name in names:
        value = _clean(table.get(name.lower()))
        if value:
            return value
    return None


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        return None
    try:
        found = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return found if 1990 <= found.year <= date.today().year + 1 else None


def _walk(node: object, out: list[dict]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, out)
    elif isinstance(node, dict):
        out.append(node)
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(node.get(key), (list, dict)):
                _walk(node[key], out)


def _name(value: object) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(dict.fromkeys(names)) or None
    if isinstance(value, dict):
        return _clean(value.get("name"))
    return _clean(value)


def _jsonld(tree: etree._Element) -> list[dict]:
    nodes: list[dict] = []
    for block in tree.xpath('//script[contains(@type, "ld+json")]/text()'):
        try:
            _walk(json.loads(block.strip().rstrip(";"), strict=False), nodes)
        except ValueError:
            continue
    return nodes


def _is_article(node: dict) -> bool:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and ("Article" in k or k in ("BlogPosting", "Report")) for k in kinds) or "articleBody" in node


def _title_from_title_tag(tree: etree._Element) -> str | None:
    raw = _clean(" ".join(tree.xpath("//head/title//text()")) or None)
    if not raw:
        return None
    parts = _TITLE_SEPARATORS.split(raw)
    return max(parts, key=len) if len(parts) > 1 else raw


def extract_metadata(tree: etree._Element, url: str | None = None) -> PageMeta:
    meta = PageMeta()
    table = _meta_table(tree)
    articles = [node for node in _jsonld(tree) if _is_article(node)]
    for node in articles:
        body = node.get("articleBody")
        if isinstance(body, str) and body.strip():
            text = unescape(_TAGS.sub("\n", unescape(body)))
            meta.article_bodies.append("\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip()))

    h1 = [t for t in (_clean(" ".join(h.itertext())) for h in tree.xpath("//h1")) if t]
    meta.title = (
        _meta(table, "og:title", "twitter:title")
        or next((_clean(n.get("headline")) for n in articles if _clean(n.get("headline"))), None)
        or (h1[0] if len(h1) == 1 else None)
        or _title_from_title_tag(tree)
    )
    author = _meta(table, "author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "DC.creator")
    if author and author.startswith("http"):
        author = None
    meta.author = (
        author
        or next((_name(n.get("author")) for n in articles if _name(n.get("author"))), None)
        or _clean(" ".join(tree.xpath('(//*[@rel="author"])[1]//text()')) or None)
    )
    if meta.author and len(meta.author) > 120:
        meta.author = None

    published = parse_date(
        _meta(
            table,
            "article:published_time",
            "datePublished",
            "og:published_time",
            "pubdate",
            "publishdate",
            "publish-date",
            "date",
            "dc.date",
            "DC.date.issued",
            "dcterms.date",
            "parsely-pub-date",
            "sailthru.date",
            "article.published",
        )
    )
    if published is None:
        published = next((parse_date(n.get("datePublished")) for n in articles if parse_date(n.get("datePublished"))), None)
    if published is None:
        times = tree.xpath("//time/@datetime")
        published = parse_date(times[0]) if times else None
    if published is None:
        try:
            from htmldate import find_date

            published = parse_date(find_date(tree, url=url, extensive_search=False, original_date=True))
        except Exception:  # noqa: BLE001 - a date is optional
            published = None
    meta.published = published

    publisher = next((_name(n.get("publisher")) for n in articles if _name(n.get("publisher"))), None)
    host = urlsplit(url).hostname if url else None
    meta.outlet = _meta(table, "og:site_name", "application-name") or publisher or (host.removeprefix("www.") if host else None)

    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    meta.canonical_url = (
        (_clean(canonical[0]) if canonical and _clean(canonical[0]) and canonical[0].startswith("http") else None)
        or _meta(table, "og:url")
        or url
    )
    return meta
