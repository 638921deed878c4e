"""What the API and the intake stream accept: a posted article as a RawItem, text that can be stored, feed
addresses that may be polled."""

from __future__ import annotations

from pydantic import BaseModel

from claimwire.settings import get_settings
from claimwire.sources import HTML, TEXT, URL, RawItem, is_url, outlet_from_url, parse_published, strip_credentials
from service.schemas import ApiError, ArticleIn


def check_encodable(payload: BaseModel) -> None:
    """JSON may carry lone surrogates ("\\ud800"): not text, refused before anything stores them."""
    for name, value in payload:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ApiError(422, "invalid_encoding", f"{name} holds a lone surrogate (not valid Unicode text)") from None
            if "\x00" in value and name not in ("html", "text"):
                # PostgreSQL text cannot hold NUL; bodies are stored as bytes and scrubbed when cleaned
                raise ApiError(422, "invalid_text", f"{name} holds a NUL character")


def item_from(payload: ArticleIn) -> RawItem:
    settings = get_settings()
    check_encodable(payload)
    if payload.html is not None and payload.text is not None:
        raise ApiError(422, "ambiguous_body", "give html or text, not both")
    if payload.url is not None and not is_url(payload.url):
        raise ApiError(422, "bad_url", "url must be an http or https URL")
    url = strip_credentials(payload.url)  # never stored nor shown
    published = None
    if payload.published:
        published = parse_published(payload.published)
        if published is None:
            raise ApiError(422, "bad_published", f"published is not an ISO 8601 date or time: {payload.published!r}")
    outlet = (payload.outlet or outlet_from_url(url) or None) if (payload.outlet or url) else None
    common = {"url": url, "title": payload.title, "published": published, "outlet": outlet, "external_id": payload.external_id}
    ref = "api:" + (payload.external_id or url or "body")
    for kind, value in ((HTML, payload.html), (TEXT, payload.text)):
        if value is None:
            continue
        body = value.encode("utf-8")
        if not value.strip():
            raise ApiError(422, "empty", f"the {kind} is empty")
        if len(body) > settings.max_input_bytes:
            raise ApiError(413, "too_large", f"the {kind} is over the {settings.max_input_bytes}-byte cap")
        return RawItem(kind=kind, ref=ref, body=body, **common)
    if url is None:
        raise ApiError(422, "no_article", "give a url, html or text")
    return RawItem(kind=URL, ref=ref, **common)


def check_feed_url(url: str) -> None:
    """A feed URL that points at a private, loopback or metadata address is refused now, not when polled."""
    from claimwire.errors import InputError
    from claimwire.fetching import check_address

    try:
        check_address(url, get_settings().fetch_allow_private)
    except InputError as error:
        if error.reason != "dns_failed":  # a name that does not resolve now may later: polls record it
            raise ApiError(422, error.reason, error.message) from None
