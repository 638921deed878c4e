"""Cleaning entry point: raw HTML or raw text in, a CleanedDocument out."""

from __future__ import annotations

from collections.abc import Collection

from claimwire.documents import CleanedDocument
from claimwire.errors import InputError
from claimwire.settings import get_settings

HTML = "html"
TEXT = "text"


def decode_body(body: str | bytes) -> str:
    settings = get_settings()
    if isinstance(body, str):
        data = body.encode("utf-8", "surrogatepass")
        text = body
    else:
        data = body
        text = None
    if len(data) > settings.max_input_bytes:
        raise InputError("too_large", f"input is {len(data)} bytes, over the {settings.max_input_bytes}-byte cap")
    if not data.strip():
        raise InputError("empty", "input is empty")
    if data.startswith(b"%PDF"):
        raise InputError("binary", "input is a PDF, not HTML or text")
    if b"\x00" in data[:8192]:
        raise InputError("binary", "input is binary (contains NUL bytes)")
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return text


def detect_language(text: str) -> str | None:
    import py3langid

    if len(text.strip()) < 20:
        return None
    lang, _ = py3langid.classify(text[:5000])
    return lang


def clean_document(
    body: str | bytes,
    *,
    content_type: str,
    title: str | None = None,
    url: str | None = None,
    outlet_junk: Collection[str] = (),
) -> CleanedDocument:
    text = decode_body(body)
    if content_type == HTML:
        import trafilatura

        doc = trafilatura.bare_extraction(text, url=url, with_metadata=True, include_comments=False)
        if doc is None or not (doc.text or "").strip():
            return CleanedDocument(text="", title=title, method="trafilatura", empty_reason="no_article")
        cleaned = CleanedDocument(
            text=doc.text,
            title=title or doc.title,
            author=doc.author,
            outlet=doc.sitename,
            canonical_url=doc.url,
            method="trafilatura",
        )
    elif content_type == TEXT:
        lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
        from claimwire.junk import line_key

        kept = [line for line in lines if line and line_key(line) not in outlet_junk]
        cleaned = CleanedDocument(text="\n\n".join(kept), title=title, method="text")
    else:
        raise InputError("unsupported_type", f"unknown content type {content_type!r}")
    if cleaned.is_empty:
        cleaned.empty_reason = "no_article"
    cleaned.language = detect_language(cleaned.text)
    return cleaned
