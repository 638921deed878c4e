"""Cleaning entry point: raw HTML or raw text in, a CleanedDocument out.

Refusals raise ``InputError`` (reason codes: empty, binary, too_large, too_deep, timeout,
invalid_encoding, unsupported_type; see docs/CLEANING.md).  A page or text in which no
article is found is not an error: it returns text "" and ``empty_reason="no_article"``.
Text that is not English is returned with its ``language`` set; callers store it and skip
the English extractors (``language.is_english``).
"""

from __future__ import annotations

from collections.abc import Collection

from claimwire import decoding, language
from claimwire.budget import time_limit
from claimwire.documents import CleanedDocument
from claimwire.errors import InputError
from claimwire.settings import get_settings

HTML = "html"
TEXT = "text"


def decode_body(body: str | bytes, *, max_bytes: int | None = None) -> str:
    """Decode and vet a body (size cap, empty, binary, encoding)."""
    if max_bytes is None:
        max_bytes = get_settings().max_input_bytes
    return decoding.decode_body(body, max_bytes=max_bytes)


def detect_language(text: str) -> str | None:
    return language.detect_language(text)


def clean_document(
    body: str | bytes,
    *,
    content_type: str,
    title: str | None = None,
    url: str | None = None,
    outlet_junk: Collection[str] = (),
    timeout_s: float | None = None,
) -> CleanedDocument:
    settings = get_settings()
    if content_type not in (HTML, TEXT):
        raise InputError("unsupported_type", f"unknown content type {content_type!r}")
    text = decoding.scrub(decode_body(body, max_bytes=settings.max_input_bytes))
    if not text.strip():
        raise InputError("empty", "input is empty once control and invisible characters are removed")
    title = decoding.scrub(title) if title else title
    budget = settings.clean_timeout_s if timeout_s is None else timeout_s
    with time_limit(budget) as deadline:
        if content_type == HTML:
            cleaned = _clean_html(text, title=title, url=url, outlet_junk=outlet_junk, deadline=deadline)
        else:
            cleaned = _clean_text(text, title=title, outlet_junk=outlet_junk)
        cleaned.title = decoding.scrub(cleaned.title) if cleaned.title else cleaned.title
        cleaned.author = decoding.scrub(cleaned.author) if cleaned.author else cleaned.author
        if cleaned.is_empty:
            cleaned.text = ""
            cleaned.empty_reason = cleaned.empty_reason or "no_article"
        else:
            cleaned.language = detect_language(cleaned.text)
    return cleaned


def _clean_html(text, *, title, url, outlet_junk, deadline) -> CleanedDocument:
    from claimwire.htmlclean import extract_html

    result = extract_html(text, url=url, max_depth=get_settings().max_html_depth, deadline=deadline)
    removed = [line for _, line in result.removed]
    body = result.text
    if outlet_junk and body:
        # learned outlet junk applies to HTML pages too; the text rules are idempotent on
        # trafilatura's output apart from these learned keys
        from claimwire.junk import line_key

        junk = set(outlet_junk)
        kept = []
        for line in body.split("\n"):
            if line.strip() and line_key(line) in junk:
                removed.append(line)
            else:
                kept.append(line)
        body = "\n".join(kept).strip()
    return CleanedDocument(
        text=body,
        title=title or result.meta.title,
        author=result.meta.author,
        published=result.meta.published,
        outlet=result.meta.outlet,
        canonical_url=result.meta.canonical_url,
        method=result.method if body else "none",
        removed_lines=removed,
    )


def _clean_text(text, *, title, outlet_junk) -> CleanedDocument:
    from claimwire.textclean import clean_text

    result = clean_text(text, title=title, outlet_junk=outlet_junk)
    return CleanedDocument(text=result.text, title=title or result.title, method="text", removed_lines=result.removed_lines)
