"""Bad input: a clear InputError with a reason code, or an empty result marked as such."""

from __future__ import annotations

import threading

import pytest

from claimwire.cleaning import HTML, TEXT, clean_document
from claimwire.errors import InputError


def reason(body, content_type=HTML, **kw):
    with pytest.raises(InputError) as info:
        clean_document(body, content_type=content_type, **kw)
    return info.value.reason


@pytest.mark.parametrize("content_type", [HTML, TEXT])
@pytest.mark.parametrize("body", ["", b"", "   \n\t  ", b"  \r\n "])
def test_empty_and_whitespace(body, content_type):
    assert reason(body, content_type) == "empty"


def test_binary_bytes():
    assert reason(bytes(range(256)) * 50) == "binary"


def test_png_and_pdf():
    assert reason(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100) == "binary"
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
    assert reason(pdf) == "binary"
    assert reason(pdf.decode("latin-1"), TEXT) == "binary"


def test_invalid_utf8_garbage_is_refused():
    garbage = bytes([0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x28, 0x8C, 0xBC, 0x81]) * 500
    assert reason(garbage, TEXT) in {"binary", "invalid_encoding"}


def test_legacy_encoding_is_decoded_not_refused():
    body = "<html><head><meta charset='windows-1252'></head><body><p>Caf\xe9 owner said the fire started at noon.</p></body></html>"
    doc = clean_document(body.encode("cp1252"), content_type=TEXT)
    assert "Café" in doc.text


def test_lone_surrogates_refused():
    assert reason("abc \ud800 def ghi", TEXT) == "invalid_encoding"


def test_fifty_megabyte_page_refused_before_parsing():
    page = b"<html><body>" + b"<p>word word word word</p>" * (50 * 1024 * 1024 // 26) + b"</body></html>"
    assert reason(page) == "too_large"
    assert reason(page.decode("ascii")) == "too_large"


def test_ten_thousand_nested_divs():
    page = "<html><body>" + "<div>" * 10_000 + "<p>deep text</p>" + "</div>" * 10_000 + "</body></html>"
    assert reason(page) == "too_deep"


def test_unsupported_content_type():
    assert reason("hello there", "application/pdf") == "unsupported_type"


def test_page_without_article_is_empty_result():
    page = "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav></body></html>"
    doc = clean_document(page, content_type=HTML)
    assert doc.text == ""
    assert doc.empty_reason == "no_article"


def test_text_of_only_junk_is_empty_result():
    doc = clean_document("Adjust Comment Print\nRecommended News\n", content_type=TEXT)
    assert doc.text == "" and doc.empty_reason == "no_article"
    assert "Recommended News" in doc.removed_lines


def test_timeout_is_a_recorded_failure(monkeypatch):
    import claimwire.htmlclean as htmlclean

    def slow(*args, **kwargs):
        while True:
            pass

    monkeypatch.setattr(htmlclean, "extract_html", slow)
    assert reason("<html><body><p>x</p></body></html>", timeout_s=0.2) == "timeout"


def test_works_outside_the_main_thread():
    out = {}

    def work():
        out["doc"] = clean_document(
            "<html><body><article><p>"
            + "The council approved the budget on Monday after a long debate. " * 5
            + "</p></article></body></html>",
            content_type=HTML,
        )

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert "council approved the budget" in out["doc"].text
