"""Fetching a page over HTTP with the guards a public-facing fetcher needs.

- connect/read timeouts and a total deadline (a server that drips bytes is cut off too);
- a body size cap (declared Content-Length and bytes actually read), a redirect limit, content-type checks;
- per-host politeness: at most `fetch_host_concurrency` requests in flight per host and at least
  `fetch_host_interval_s` between the starts of two requests to the same host (per fetching process:
  the fetch worker is one process with a thread pool). The pipeline's fetch stage does not wait for a
  slot (`host_wait_s`, CLAIMWIRE_FETCH_HOST_WAIT_S = 0): a host whose slots are taken answers
  `host_busy` at once, and the article is asked again later, so a slow host holds at most its own slots'
  threads of the pool, never the whole pool;
- conditional GET (If-None-Match / If-Modified-Since; a 304 comes back as `not_modified`);
- an address guard: private, loopback, link-local (cloud metadata), reserved, multicast and unspecified
  addresses are refused after DNS resolution and again on every redirect, and the connection goes to the
  very address that was checked (no second lookup that a rebinding DNS server could answer differently),
  unless `allow_private` (CLAIMWIRE_FETCH_ALLOW_PRIVATE) is set. IPv6 forms that carry an IPv4 address
  (IPv4-mapped, 6to4 2002::/16, Teredo 2001::/32, NAT64 64:ff9b::/96 and 64:ff9b:1::/48) are judged by
  the IPv4 address they carry too.

Errors: `InputError` (permanent: recorded as a failure) or `TransientError` (retried with backoff).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from claimwire.errors import InputError, TransientError
from claimwire.settings import get_settings

PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
    "application/feed+json",
)
ACCEPTED_TYPES = PAGE_TYPES
USER_AGENT = "claimwire/0.1 (+newsroom claim ledger)"
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}
)
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


@dataclass(slots=True)
class FetchedPage:
    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: 6to4, Teredo (server and client), NAT64."""
    carried = []
    if address.sixtofour is not None:
        carried.append(address.sixtofour)
    if address.teredo is not None:
        carried.extend(address.teredo)
    if any(address in prefix for prefix in NAT64_PREFIXES):
        carried.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return carried


def refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for every address a public fetcher must not reach."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv6Address):
        carried = embedded_ipv4(address)
        if any(refused_address(v4) for v4 in carried):
            return True
        if carried and any(address in prefix for prefix in NAT64_PREFIXES):
            return False  # a NAT64 address stands for the IPv4 one it carries, public as checked
    return (
        address in METADATA_ADDRESSES
        or not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to (a separate function so that tests can stand in a resolver)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [info[4][0] for info in infos]


def _split(url: str):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InputError("bad_url", f"{url}: only http and https URLs are fetched")
    if not parts.hostname:
        raise InputError("bad_url", f"{url}: no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise InputError("bad_url", f"{url}: {error}") from error
    return parts, parts.hostname, port


def check_address(url: str, allow_private: bool) -> str | None:
    """Refuse a URL whose host is, or resolves to, a non-public address.

    Returns the checked address to connect to (None when private addresses are allowed and the
    host is connected to by name).
    """
    _parts, host, port = _split(url)
    if allow_private:
        return None
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = resolve(host, port)
        except (socket.gaierror, UnicodeError) as error:
            raise InputError("dns_failed", f"{host}: {getattr(error, 'strerror', None) or error}") from error
    if not addresses:
        raise InputError("dns_failed", f"{host}: no address")
    for value in addresses:
        address = ipaddress.ip_address(value.split("%")[0])
        if refused_address(address):
            raise InputError("address_refused", f"{host} resolves to {address}, a private, loopback, link-local or reserved address")
    return addresses[0]


class _HostGate:
    """Per-host politeness within one process: a concurrency limit and a minimum interval between starts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._semaphores: dict[tuple[str, int], threading.BoundedSemaphore] = {}  # by host and limit
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str, concurrency: int, interval: float, deadline: float, wait_s: float | None = None) -> Iterator[None]:
        """One of HOST's CONCURRENCY slots, waiting for one until DEADLINE (or at most WAIT_S; 0: not at all)."""
        limit = max(1, concurrency)
        with self._lock:
            semaphore = self._semaphores.get((host, limit))
            if semaphore is None:
                semaphore = self._semaphores[(host, limit)] = threading.BoundedSemaphore(limit)
        wait = max(0.0, deadline - time.monotonic())
        if wait_s is not None:
            wait = min(wait, max(0.0, wait_s))
        if not (semaphore.acquire(blocking=False) if wait == 0 else semaphore.acquire(timeout=wait)):
            raise TransientError("host_busy", f"{host}: all {limit} fetch slots of the host are taken")
        try:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, 0.0))
                self._next_start[host] = start + max(0.0, interval)
            if start > now:
                if start > deadline:
                    raise TransientError("host_busy", f"{host}: politeness interval runs past the deadline")
                time.sleep(start - now)
            yield
        finally:
            semaphore.release()


HOST_GATE = _HostGate()


def _pinned_request(client: httpx.Client, url: str, address: str | None):
    """Build a request to `url` that connects to the checked `address`, keeping the Host header and TLS name."""
    parts = urlsplit(url)
    if address is None:
        return client.build_request("GET", url)
    host = parts.hostname or ""
    ip = ipaddress.ip_address(address.split("%")[0])
    netloc_host = f"[{ip}]" if ip.version == 6 else str(ip)
    netloc = netloc_host + (f":{parts.port}" if parts.port else "")
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = host + (f":{parts.port}" if parts.port else "")
    request = client.build_request("GET", target, headers={"Host": host_header}, extensions={"sni_hostname": host})
    return request


def fetch(
    url: str,
    *,
    allow_private: bool | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: tuple[str, ...] = PAGE_TYPES,
    host_wait_s: float | None = None,
) -> FetchedPage:
    """GET URL with every guard above. HOST_WAIT_S: how long to wait for a slot of the host (None: until the deadline)."""
    settings = get_settings()
    allow = settings.fetch_allow_private if allow_private is None else allow_private
    timeout = httpx.Timeout(settings.fetch_timeout_s, connect=min(5.0, settings.fetch_timeout_s))
    deadline = time.monotonic() + settings.fetch_total_timeout_s
    headers = {"User-Agent": USER_AGENT, "Accept": ", ".join(accept) + ";q=0.9, */*;q=0.1", "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers, trust_env=False) as client:
        for _ in range(settings.fetch_max_redirects + 1):
            address = check_address(current, allow)
            host = (urlsplit(current).hostname or "").lower()
            try:
                with HOST_GATE.slot(host, settings.fetch_host_concurrency, settings.fetch_host_interval_s, deadline, host_wait_s):
                    request = _pinned_request(client, current, address)
                    response = client.send(request, stream=True)
                    try:
                        if response.status_code == 304:
                            return FetchedPage(
                                url,
                                current,
                                304,
                                "",
                                b"",
                                response.headers.get("etag") or etag,
                                response.headers.get("last-modified") or last_modified,
                            )
                        if response.status_code in (301, 302, 303, 307, 308):
                            location = response.headers.get("location")
                            if not location:
                                raise InputError("bad_redirect", f"{current}: redirect without a Location")
                            current = urljoin(current, location)
                            continue
                        if response.status_code in (408, 425, 429) or response.status_code >= 500:
                            raise TransientError("http_error", f"{current}: HTTP {response.status_code}")
                        if response.status_code >= 400:
                            raise InputError("http_error", f"{current}: HTTP {response.status_code}")
                        return _read_page(response, url, current, accept, deadline)
                    finally:
                        response.close()
            except httpx.TimeoutException as error:
                raise TransientError("timeout", f"{current}: timed out ({type(error).__name__})") from error
            except httpx.TransportError as error:
                raise TransientError("unreachable", f"{current}: {error or type(error).__name__}") from error
    raise InputError("too_many_redirects", f"{url}: more than {settings.fetch_max_redirects} redirects")


def _read_page(response: httpx.Response, url: str, current: str, accept: tuple[str, ...], deadline: float) -> FetchedPage:
    """The page of a 2xx RESPONSE, its type checked and its body read under the size cap and the deadline."""
    settings = get_settings()
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in accept:
        raise InputError("wrong_content_type", f"{current}: content type {content_type} is not one of {', '.join(accept)}")
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.fetch_max_bytes:
        raise InputError("too_large", f"{current}: {declared} bytes, over the {settings.fetch_max_bytes}-byte cap")
    chunks, size = [], 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > settings.fetch_max_bytes:
            raise InputError("too_large", f"{current}: body over the {settings.fetch_max_bytes}-byte cap")
        if time.monotonic() > deadline:
            raise TransientError("timeout", f"{current}: body not complete within {settings.fetch_total_timeout_s:g} s")
        chunks.append(chunk)
    body = _decode_content(b"".join(chunks), response.headers.get("content-encoding", ""), settings.fetch_max_bytes, current)
    return FetchedPage(
        url=url,
        final_url=current,
        status=response.status_code,
        content_type=content_type or accept[0],
        body=body,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def _decode_content(raw: bytes, encoding: str, cap: int, url: str) -> bytes:
    """Undo gzip/deflate content encoding with the size cap applied to the decoded bytes (no zip bombs)."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    import zlib

    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = zlib.decompressobj()
    else:
        raise InputError("bad_encoding", f"{url}: content encoding {encoding} is not supported")
    try:
        out = decoder.decompress(raw, cap + 1)
    except zlib.error as error:
        raise InputError("bad_encoding", f"{url}: {error}") from error
    if len(out) > cap or decoder.unconsumed_tail:
        raise InputError("too_large", f"{url}: decoded body over the {cap}-byte cap")
    return out
