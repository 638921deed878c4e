"""Fetching a page over HTTP with the guards a public-facing fetcher needs.

Refuses private, loopback, link-local and metadata addresses (checked after
DNS resolution and again on every redirect) unless allow_private is set.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from claimwire.errors import InputError, TransientError
from claimwire.settings import get_settings

ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = "claimwire/0.1 (+newsroom claim ledger)"


@dataclass(slots=True)
class FetchedPage:
    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None


def check_address(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InputError("bad_url", f"{url}: only http and https URLs are fetched")
    host = parts.hostname
    if not host:
        raise InputError("bad_url", f"{url}: no host")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise InputError("dns_failed", f"{host}: {error.strerror or error}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise InputError("address_refused", f"{host} resolves to {address}, a private, loopback, link-local or reserved address")


def fetch(url: str, *, allow_private: bool | None = None, etag: str | None = None, last_modified: str | None = None) -> FetchedPage:
    settings = get_settings()
    allow = settings.fetch_allow_private if allow_private is None else allow_private
    timeout = httpx.Timeout(settings.fetch_timeout_s, connect=min(5.0, settings.fetch_timeout_s))
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers) as client:
        for _ in range(settings.fetch_max_redirects + 1):
            check_address(current, allow)
            try:
                with client.stream("GET", current) as response:
                    if response.is_redirect:
                        location = response.headers.get("location")
                        if not location:
                            raise InputError("bad_redirect", f"{current}: redirect without a Location")
                        current = urljoin(current, location)
                        continue
                    if response.status_code == 304:
                        return FetchedPage(url, current, 304, "", b"", etag, last_modified)
                    if response.status_code in (408, 429) or response.status_code >= 500:
                        raise TransientError("http_error", f"{current}: HTTP {response.status_code}")
                    if response.status_code >= 400:
                        raise InputError("http_error", f"{current}: HTTP {response.status_code}")
                    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if content_type and content_type not in ACCEPTED_TYPES:
                        raise InputError("wrong_content_type", f"{current}: content type {content_type} is not HTML or text")
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > settings.fetch_max_bytes:
                        raise InputError("too_large", f"{current}: {declared} bytes, over the {settings.fetch_max_bytes}-byte cap")
                    chunks, size = [], 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > settings.fetch_max_bytes:
                            raise InputError("too_large", f"{current}: body over the {settings.fetch_max_bytes}-byte cap")
                        chunks.append(chunk)
                    return FetchedPage(
                        url=url,
                        final_url=str(response.url),
                        status=response.status_code,
                        content_type=content_type or "text/html",
                        body=b"".join(chunks),
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                    )
            except httpx.TimeoutException as error:
                raise TransientError("timeout", f"{current}: timed out ({type(error).__name__})") from error
            except httpx.TransportError as error:
                raise TransientError("unreachable", f"{current}: {error or type(error).__name__}") from error
    raise InputError("too_many_redirects", f"{url}: more than {settings.fetch_max_redirects} redirects")
