"""A local HTTP server for fetch and feed tests: real pages, and the ways a web server misbehaves."""

from __future__ import annotations

import functools
import gzip
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a client hanging up mid-answer is what the time-out and size-cap tests do on purpose
        super().handle_error(request, client_address)


class LocalServer:
    """Routes: /page/ID.html (the extraction-dev pages), /slow, /drip, /big, /big-chunked, /loop/N,
    /redirect?to=URL, /pdf, /etag, /status/CODE, /gzip, /bomb, /hold, /feed.xml (set .feed / .feed_etag),
    /plain.txt, /sleep/SECONDS/NAME (a news page of its own after SECONDS), /flaky/K/NAME (503 for the first K
    requests, then a news page of its own). Counts hits per path and records request headers."""

    def __init__(self, pages_dir: Path | None = None, port: int = 0, host: str = "127.0.0.1") -> None:
        self.pages_dir = pages_dir
        self.hits: Counter[str] = Counter()
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.feed: bytes = b""
        self.feed_type = "application/rss+xml"
        self.feed_etag = '"v1"'
        self.extra: dict[str, tuple[str, bytes]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = urlsplit(self.path).path
                query = urlsplit(self.path).query
                with server.lock:
                    server.hits[path] += 1
                    server.headers.append({k.lower(): v for k, v in self.headers.items()} | {"path": path})
                try:
                    server.route(self, path, query)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = _Server((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "LocalServer":
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def page_ids(self) -> list[str]:
        return sorted(p.name.removesuffix(".html.gz") for p in self.pages_dir.glob("*.html.gz"))

    @staticmethod
    def send(handler, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", headers: dict | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    def route(self, h, path: str, query: str) -> None:
        if path.startswith("/page/") and self.pages_dir is not None:
            self._page(h, path)
        elif path in self.extra:
            content_type, body = self.extra[path]
            self.send(h, 200, body, content_type)
        elif path in self._EXACT:
            getattr(self, self._EXACT[path])(h, path, query)
        else:
            prefix = next((p for p in self._PREFIX if path.startswith(p)), None)
            if prefix is None:
                self.send(h, 404, b"not found")
            else:
                getattr(self, self._PREFIX[prefix])(h, path, query)

    _EXACT = {
        "/plain.txt": "_plain",
        "/slow": "_slow",
        "/drip": "_drip",
        "/big": "_big",
        "/big-chunked": "_big_chunked",
        "/redirect": "_redirect",
        "/pdf": "_pdf",
        "/etag": "_etag",
        "/gzip": "_gzip",
        "/bomb": "_bomb",
        "/hold": "_hold",
        "/feed.xml": "_feed",
    }
    _PREFIX = {"/sleep/": "_sleep", "/flaky/": "_flaky", "/loop/": "_loop", "/status/": "_status"}

    def _page(self, h, path: str) -> None:
        file = self.pages_dir / (path.removeprefix("/page/").removesuffix(".html") + ".html.gz")
        if not file.is_file():
            self.send(h, 404, b"not found")
            return
        self.send(h, 200, gzip.decompress(file.read_bytes()))

    def _held(self, seconds: float) -> None:
        """Sleep SECONDS, counted in flight (the most answered at the same time is max_in_flight)."""
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        time.sleep(seconds)
        with self.lock:
            self.in_flight -= 1

    def _sleep(self, h, path: str, _query: str) -> None:
        _, _, seconds, name = path.split("/", 3)
        self._held(float(seconds))
        self.send(h, 200, news_page(name))

    def _flaky(self, h, path: str, _query: str) -> None:
        _, _, failures, name = path.split("/", 3)
        if self.hits[path] <= int(failures):
            self.send(h, 503, b"try again later", "text/plain", headers={"Retry-After": "1"})
        else:
            self.send(h, 200, news_page(name))

    def _plain(self, h, _path: str, _query: str) -> None:
        self.send(h, 200, b"Two people were shot on Main Street on Sunday night, police said.\n", "text/plain; charset=utf-8")

    def _slow(self, h, _path: str, _query: str) -> None:  # headers only after the read timeout
        time.sleep(3)
        self.send(h, 200, b"<html><body>late</body></html>")

    def _drip(self, h, _path: str, _query: str) -> None:  # headers at once, then a byte every 0.2 s: no single read times out
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.2)

    def _big(self, h, _path: str, _query: str) -> None:  # declares more than the cap
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(50 * 1024 * 1024))
        h.end_headers()
        h.wfile.write(b"<html>" + b"x" * 65536)

    def _big_chunked(self, h, _path: str, _query: str) -> None:  # no Content-Length, keeps sending
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"y" * 65536
        for _ in range(200):
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        h.wfile.write(b"0\r\n\r\n")

    def _loop(self, h, path: str, _query: str) -> None:
        step = int(path.rsplit("/", 1)[1])
        self.send(h, 302, b"", headers={"Location": f"/loop/{(step + 1) % 2}"})

    def _redirect(self, h, _path: str, query: str) -> None:
        self.send(h, 302, b"", headers={"Location": query.removeprefix("to=")})

    def _pdf(self, h, _path: str, _query: str) -> None:
        self.send(h, 200, b"%PDF-1.4 not a page", "application/pdf")

    def _etag(self, h, _path: str, _query: str) -> None:
        if h.headers.get("If-None-Match") == '"abc"':
            self.send(h, 304, b"", headers={"ETag": '"abc"'})
        else:
            self.send(
                h,
                200,
                b"<html><body><p>etag page</p></body></html>",
                headers={"ETag": '"abc"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"},
            )

    def _status(self, h, path: str, _query: str) -> None:
        self.send(h, int(path.rsplit("/", 1)[1]), b"status")

    def _gzip(self, h, _path: str, _query: str) -> None:
        body = gzip.compress(b"<html><body><p>compressed page</p></body></html>")
        self.send(h, 200, body, headers={"Content-Encoding": "gzip"})

    def _bomb(self, h, _path: str, _query: str) -> None:  # 64 kB on the wire, 64 MB decoded
        self.send(h, 200, gzip_bomb(), headers={"Content-Encoding": "gzip"})

    def _hold(self, h, _path: str, _query: str) -> None:  # counts the requests being answered at the same time
        self._held(0.3)
        self.send(h, 200, b"<html><body>held</body></html>")

    def _feed(self, h, _path: str, _query: str) -> None:
        if self.feed_etag and h.headers.get("If-None-Match") == self.feed_etag:
            self.send(h, 304, b"", self.feed_type, headers={"ETag": self.feed_etag})
        else:
            self.send(h, 200, self.feed, self.feed_type, headers={"ETag": self.feed_etag, "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})


def news_page(name: str) -> bytes:
    """A small news page whose text is its own (NAME in every paragraph: never a duplicate of another)."""
    paragraphs = [
        f"Two people were injured in a collision on the harbour road near the {name} depot on Tuesday morning, the fire service said.",
        f"Emergency crews reached the {name} site within minutes, and both drivers were taken to the regional hospital.",
        f'"The road will stay closed until the wreckage of the {name} crash is cleared," a police spokeswoman said.',
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>Collision near {name}</title></head><body><article><h1>Collision near {name}</h1>{body}</article></body></html>".encode()


@functools.cache
def gzip_bomb() -> bytes:
    """Made once (a second of CPU on a loaded machine, which a fetch's read timeout of 1 s would count)."""
    return gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
