"""HTML pages: article text and metadata.

Pipeline (settings chosen by measurement on extraction-dev, see docs/CLEANING.md):

1. ``parse_html``: parse once with lxml; libxml2's "Excessive depth" error (256 levels) or
   a tree deeper than ``max_html_depth`` is refused (``too_deep``) before trafilatura runs.
2. Metadata from the tree (``htmlmeta``); the tree is shared by every stage.
3. trafilatura ``bare_extraction`` with ``fast=True`` (no readability/jusText pass),
   ``include_comments=False``, ``include_tables=True``, ``include_links=True`` (links are
   kept only to measure link density, then stripped) and metadata on.
4. Post-processing of trafilatura's output tree: headings before the first paragraph
   (headline, standfirst) go, blocks matching the generic junk patterns go, and blocks
   whose text is mostly link text (> ``MAX_LINK_DENSITY``: "related stories" lists,
   teaser links) go.
5. Fallback when the result is empty or short: the schema.org JSON-LD ``articleBody`` when
   it is clearly longer, else trafilatura's full mode (readability + jusText), else
   trafilatura's ``baseline`` (paragraph text).  The method used is recorded.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from lxml import etree, html as lxml_html

from claimwire.budget import Deadline
from claimwire.errors import InputError
from claimwire.htmlmeta import PageMeta, extract_metadata
from claimwire.junk import is_generic_junk, line_key

MAX_LINK_DENSITY = 0.7
JSONLD_MIN_RATIO = 1.3  # JSON-LD body replaces trafilatura's when this much longer
JSONLD_MIN_CHARS = 200
SHORT_TEXT_CHARS = 250  # below this, try the fallbacks
MAX_TREE_ELEMENTS = 200_000

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


@dataclass
class HtmlResult:
    text: str
    meta: PageMeta
    method: str = "trafilatura"
    removed: list[tuple[str, str]] = field(default_factory=list)


def _text(elem: etree._Element) -> str:
    return " ".join("".join(elem.itertext()).split())


def _link_chars(elem: etree._Element) -> int:
    return sum(len(" ".join("".join(ref.itertext()).split())) for ref in elem.iter("ref"))


def _remove(elem: etree._Element) -> None:
    parent = elem.getparent()
    if parent is None:
        return
    tail = elem.tail
    if tail and tail.strip():
        prev = elem.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(elem)


def postprocess_body(body: etree._Element, title: str | None, removed: list[tuple[str, str]]) -> etree._Element:
    """Drop headline/standfirst headings, junk blocks and link-dense blocks from trafilatura's tree."""
    children = list(body)
    if any(child.tag != "head" for child in children):
        for child in children:
            if child.tag != "head":
                break
            removed.append(("leading_heading", _text(child)))
            _remove(child)
    title_key = line_key(title) if title else None
    for elem in list(body.iter("p", "head", "item", "quote", "row")):
        if elem.getparent() is None:
            continue
        text = _text(elem)
        if not text:
            continue
        if len(text) < 400 and is_generic_junk(text):
            removed.append(("generic_junk", text))
            _remove(elem)
        elif title_key and abs(len(text) - len(title)) < 20 and line_key(text) == title_key:
            removed.append(("headline", text))
            _remove(elem)
        elif elem.tag != "row" and _link_chars(elem) > MAX_LINK_DENSITY * len(text):
            removed.append(("link_dense", text))
            _remove(elem)
    for lst in list(body.iter("list")):
        if lst.getparent() is not None and not _text(lst):
            _remove(lst)
    etree.strip_tags(body, "ref")
    return body


_LOCAL = threading.local()
LIBXML2_MAX_DEPTH = 255  # libxml2 stops building the tree at 256 levels without XML_PARSE_HUGE


def _parser() -> lxml_html.HTMLParser:
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = lxml_html.HTMLParser(
            collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
        )
    return parser


def _tree_depth_exceeds(tree: etree._Element, max_depth: int) -> bool:
    stack = [(tree, 1)]
    while stack:
        elem, depth = stack.pop()
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in elem)
    return False


# libxml2's HTML parser checks each attribute of a tag against all the earlier ones: a tag with
# 50,000 attributes took 22 s, inside one C call that the SIGALRM budget cannot interrupt.  A
# start tag longer than LONG_TAG_CHARS with more than MAX_ATTRIBUTES attribute-like tokens
# loses its attributes before parsing (no real page has such a tag; its text is kept).
MAX_ATTRIBUTES = 500
LONG_TAG_CHARS = 8000
_LONG_TAG = re.compile(r"<([A-Za-z][\w:.-]{0,40})(\s[^<>]{%d,})>" % LONG_TAG_CHARS)


def _limit_attributes(html: str) -> str:
    if len(html) < LONG_TAG_CHARS:
        return html

    def fix(m: re.Match[str]) -> str:
        return m.group(0) if len(m.group(2).split()) <= MAX_ATTRIBUTES else f"<{m.group(1)}>"

    return _LONG_TAG.sub(fix, html)


def parse_html(html: str, max_depth: int) -> lxml_html.HtmlElement | None:
    """Parse once; refuse (``too_deep``) a page nested deeper than ``max_depth``.

    libxml2 itself refuses to nest past 256 levels (and silently drops what lies deeper),
    so its "Excessive depth" error is the cheap check; a configured limit below that is
    checked on the tree.
    """
    parser = _parser()
    data = _limit_attributes(_XML_DECL.sub("", html[:200], count=1) + html[200:])
    try:
        tree = lxml_html.fromstring(data.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return None
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        raise InputError("too_deep", f"HTML nests deeper than {min(max_depth, LIBXML2_MAX_DEPTH + 1)} elements")
    if any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log):
        # a text node or attribute value over libxml2's 10 MB limit: the parser stopped there
        # and the rest of the page is lost, so the page is refused rather than half-read
        raise InputError("too_large", "HTML holds a text or attribute value over libxml2's 10 MB limit")
    if max_depth < LIBXML2_MAX_DEPTH and _tree_depth_exceeds(tree, max_depth):
        raise InputError("too_deep", f"HTML nests more than {max_depth} elements deep")
    return tree


MIN_ARTICLE_WORDS = 10
MIN_SENTENCE_WORDS = 6


def looks_like_article(text: str) -> bool:
    """At least ``MIN_ARTICLE_WORDS`` words and one line of ``MIN_SENTENCE_WORDS`` or more:
    menus and link lists (what the fallbacks return on a page with no article) are not."""
    if len(text.split()) < MIN_ARTICLE_WORDS and len(text) < 100:
        return False
    for line in text.splitlines():
        words = line.split()
        # scripts written without spaces (Chinese, Japanese, Thai): long unspaced lines
        if len(words) >= MIN_SENTENCE_WORDS or (len(line) >= 30 and len(words) <= 2):
            return True
    return False


def extract_html(html: str, *, url: str | None = None, max_depth: int = 400, deadline: Deadline | None = None) -> HtmlResult:
    import trafilatura
    from trafilatura.xml import xmltotxt

    deadline = deadline or Deadline(None)
    tree = parse_html(html, max_depth)
    if tree is None or len(tree) == 0:
        return HtmlResult(text="", meta=PageMeta(canonical_url=url), method="none")
    deadline.check("parse")
    meta = extract_metadata(tree, url)
    doc = trafilatura.bare_extraction(
        tree,
        url=None,  # links are only measured, never output: skip resolving them
        fast=True,
        include_comments=False,
        include_tables=True,
        include_links=True,
        with_metadata=False,
    )
    deadline.check("trafilatura")
    removed: list[tuple[str, str]] = []
    text = ""
    if doc is not None and doc.body is not None:
        body = postprocess_body(doc.body, meta.title, removed)
        text = xmltotxt(body, False).strip()
    method = "trafilatura"

    ld = max(meta.article_bodies, key=len, default="")
    if len(ld) >= JSONLD_MIN_CHARS and len(ld) > JSONLD_MIN_RATIO * len(text):
        text, method = ld, "jsonld"
    if len(text) < SHORT_TEXT_CHARS and not deadline.expired:
        full = trafilatura.extract(tree, url=url, include_comments=False, include_tables=True) or ""
        if len(full.strip()) > len(text):
            text, method = full.strip(), "fallback"
    if len(text) < SHORT_TEXT_CHARS and not deadline.expired:
        _, base, _ = trafilatura.baseline(tree)
        base = (base or "").strip()
        if len(base) > max(len(text), SHORT_TEXT_CHARS):
            text, method = base, "baseline"

    if not looks_like_article(text):
        removed.append(("not_article", text[:200]))
        text, method = "", "none"
    return HtmlResult(text=text, meta=meta, method=method, removed=removed)
