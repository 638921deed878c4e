"""The fetcher against a local HTTP server: real pages of extraction-dev, and misbehaving responses."""

from __future__ import annotations

import gzip
import ipaddress
import threading
import time

import pytest

from claimwire import fetching
from claimwire.errors import InputError, TransientError
from tests.conftest import DATA, apply_env
from tests.localhttp import LocalServer, gzip_bomb

PAGES = DATA / "extraction-dev" / "html"


@pytest.fixture
def server():
    if not PAGES.is_dir():
        pytest.skip(f"{PAGES} is not present")
    with LocalServer(PAGES) as local:
        yield local


@pytest.fixture
def allow_local(monkeypatch):
    apply_env(
        monkeypatch,
        CLAIMWIRE_FETCH_ALLOW_PRIVATE="1",
        CLAIMWIRE_FETCH_TIMEOUT_S="1",
        CLAIMWIRE_FETCH_TOTAL_TIMEOUT_S="3",
        CLAIMWIRE_FETCH_MAX_BYTES=str(2 * 1024 * 1024),
        CLAIMWIRE_FETCH_MAX_REDIRECTS="5",
        CLAIMWIRE_FETCH_HOST_INTERVAL_S="0",
        CLAIMWIRE_FETCH_HOST_CONCURRENCY="8",
    )
    yield
    apply_env(monkeypatch, CLAIMWIRE_FETCH_ALLOW_PRIVATE=None)


def test_fetches_every_extraction_dev_page(server, allow_local):
    ids = server.page_ids()
    assert len(ids) >= 90
    for page_id in ids:
        page = fetching.fetch(f"{server.base}/page/{page_id}.html")
        assert page.status == 200 and page.content_type == "text/html"
        assert page.body == gzip.decompress((PAGES / f"{page_id}.html.gz").read_bytes())


@pytest.mark.parametrize(
    ("path", "within_s"),
    [("/slow", 2.5), ("/drip", 5)],
    ids=["slow headers time out at the read timeout", "a dripping body is cut at the total deadline"],
)
def test_a_slow_answer_times_out_as_transient(server, allow_local, path, within_s):
    started = time.monotonic()
    with pytest.raises(TransientError) as error:
        fetching.fetch(f"{server.base}{path}")
    assert error.value.reason == "timeout"
    assert time.monotonic() - started < within_s


@pytest.mark.parametrize("path", ["/big", "/big-chunked", "/bomb"])
def test_oversized_bodies_are_refused(server, allow_local, path):
    gzip_bomb()  # made before the request: only the fetch's own work runs against its timeout
    with pytest.raises(InputError) as error:
        fetching.fetch(server.base + path)
    assert error.value.reason == "too_large"


def test_gzip_content_encoding_is_decoded(server, allow_local):
    assert b"compressed page" in fetching.fetch(f"{server.base}/gzip").body


def test_a_redirect_loop_stops_at_the_limit(server, allow_local):
    with pytest.raises(InputError) as error:
        fetching.fetch(f"{server.base}/loop/0")
    assert error.value.reason == "too_many_redirects"
    assert server.hits["/loop/0"] + server.hits["/loop/1"] == 6  # the first request and five redirects


def test_redirects_are_followed_and_the_final_url_kept(server, allow_local):
    ids = server.page_ids()
    page = fetching.fetch(f"{server.base}/redirect?to=/page/{ids[0]}.html")
    assert page.final_url == f"{server.base}/page/{ids[0]}.html"


def test_wrong_content_type_is_refused(server, allow_local):
    with pytest.raises(InputError) as error:
        fetching.fetch(f"{server.base}/pdf")
    assert error.value.reason == "wrong_content_type"
    assert fetching.fetch(f"{server.base}/plain.txt").content_type == "text/plain"


def test_http_errors_permanent_and_transient(server, allow_local):
    with pytest.raises(InputError):
        fetching.fetch(f"{server.base}/status/404")
    for code in (429, 503):
        with pytest.raises(TransientError):
            fetching.fetch(f"{server.base}/status/{code}")


def test_conditional_get(server, allow_local):
    first = fetching.fetch(f"{server.base}/etag")
    assert first.status == 200 and first.etag == '"abc"' and first.last_modified
    again = fetching.fetch(f"{server.base}/etag", etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    sent = [h for h in server.headers if h["path"] == "/etag"][-1]
    assert sent["if-none-match"] == '"abc"' and sent["if-modified-since"] == first.last_modified


def test_per_host_concurrency_and_rate(server, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_FETCH_ALLOW_PRIVATE="1", CLAIMWIRE_FETCH_HOST_CONCURRENCY="2", CLAIMWIRE_FETCH_HOST_INTERVAL_S="0")
    threads = [threading.Thread(target=fetching.fetch, args=(f"{server.base}/hold",)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.hits["/hold"] == 6
    assert server.max_in_flight == 2

    apply_env(monkeypatch, CLAIMWIRE_FETCH_HOST_CONCURRENCY="4", CLAIMWIRE_FETCH_HOST_INTERVAL_S="0.25")
    fetching.HOST_GATE = fetching._HostGate()
    started = time.monotonic()
    for _ in range(4):
        fetching.fetch(f"{server.base}/plain.txt")
    assert time.monotonic() - started >= 0.7  # three intervals between four starts
    apply_env(monkeypatch, CLAIMWIRE_FETCH_ALLOW_PRIVATE=None, CLAIMWIRE_FETCH_HOST_CONCURRENCY=None, CLAIMWIRE_FETCH_HOST_INTERVAL_S=None)


# --- the address guard --------------------------------------------------------------------------


@pytest.fixture
def guarded(monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_FETCH_ALLOW_PRIVATE=None, CLAIMWIRE_FETCH_TIMEOUT_S="1", CLAIMWIRE_FETCH_HOST_INTERVAL_S="0")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://[fe80::1]/",
    ],
)
def test_address_guard_refuses_private_addresses(guarded, url):
    with pytest.raises(InputError) as error:
        fetching.fetch(url)
    assert error.value.reason == "address_refused"


def test_address_guard_refuses_the_local_server_itself(server, guarded):
    with pytest.raises(InputError) as error:
        fetching.fetch(f"{server.base}/plain.txt")
    assert error.value.reason == "address_refused"
    assert server.hits["/plain.txt"] == 0


def test_address_guard_applies_after_dns_and_on_every_redirect(server, guarded, monkeypatch):
    """A public-looking name resolving to the test server is let through (the test treats 127.0.0.1 as public),
    and the connection goes to the address that was checked, with the name in the Host header; its redirects
    to 10.0.0.1 and to the metadata address are refused before any connection is made."""
    resolved: list[str] = []

    def resolve(host, port):
        resolved.append(host)
        if host == "news.example":
            return ["127.0.0.1"]
        if host == "metadata.example":
            return ["169.254.169.254"]
        raise AssertionError(f"unexpected lookup of {host}")

    real_refused = fetching.refused_address
    monkeypatch.setattr(fetching, "resolve", resolve)
    monkeypatch.setattr(
        fetching, "refused_address", lambda address: False if address == ipaddress.ip_address("127.0.0.1") else real_refused(address)
    )

    page = fetching.fetch(f"http://news.example:{server.port}/plain.txt")
    assert page.status == 200 and page.final_url == f"http://news.example:{server.port}/plain.txt"
    assert server.headers[-1]["host"] == f"news.example:{server.port}"

    for target in ("http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/", "http://metadata.example/computeMetadata/v1/"):
        with pytest.raises(InputError) as error:
            fetching.fetch(f"http://news.example:{server.port}/redirect?to={target}")
        assert error.value.reason == "address_refused", target
    assert "metadata.example" in resolved


def test_only_http_and_https(guarded):
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/"):
        with pytest.raises(InputError) as error:
            fetching.fetch(url)
        assert error.value.reason == "bad_url"


# --- through the pipeline -----------------------------------------------------------------------


def test_url_articles_through_the_pipeline(server, sqlite_store, allow_local):
    """In-process: a page is fetched, cleaned, extracted and stored; a wrong content type and a 404
    are recorded as failures with their reasons, visible on the article."""
    from claimwire.sources import URL, RawItem
    from service.ingest import receive
    from storage.db import session_scope
    from storage.models import Article, Failure

    page_id = server.page_ids()[0]
    ok = receive(RawItem(kind=URL, ref="t", url=f"{server.base}/page/{page_id}.html"))
    pdf = receive(RawItem(kind=URL, ref="t", url=f"{server.base}/pdf"))
    missing = receive(RawItem(kind=URL, ref="t", url=f"{server.base}/status/404"))
    again = receive(RawItem(kind=URL, ref="t", url=f"{server.base}/page/{page_id}.html"))
    assert not again.created and again.article_id == ok.article_id
    assert server.hits[f"/page/{page_id}.html"] == 1
    with session_scope() as session:
        article = session.get(Article, ok.article_id)
        assert article.raw and article.clean_text and article.content_type == "html"
        assert article.status in ("stored", "skipped", "failed") and article.status != "received"
        failures = {f.article_id: (f.stage, f.reason) for f in session.query(Failure)}
    assert failures[pdf.article_id] == ("fetch", "wrong_content_type")
    assert failures[missing.article_id] == ("fetch", "http_error")
