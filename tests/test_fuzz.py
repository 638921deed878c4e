"""Property tests (hypothesis) on the cleaners, the decoder and the extractors (issue 7).

Arbitrary unicode, news-like word salad, random HTML and random bytes.  Properties:

* only ``claimwire.errors.InputError`` (with a documented reason) escapes, never anything else;
* every claim's span lies inside its text, quotes/statements say what their span holds,
  figures are non-negative with min <= max (fuzz/properties.py);
* each example finishes within a deadline (no catastrophic regex backtracking);
* text cleaning is idempotent: cleaning cleaned text again changes nothing.

More examples: ``CLAIMWIRE_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
import re
import time

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from claimwire import decoding
from claimwire.cleaning import HTML, TEXT, clean_document
from claimwire.errors import InputError
from fuzz.properties import INPUT_REASONS, check_extract, clean_or_refuse

# what scrub() removes and what must never reach the cleaned text (controls lxml refuses, invisible
# characters that split names)
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\u200b\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069]")
EXAMPLES = int(os.environ.get("CLAIMWIRE_FUZZ_EXAMPLES", "150"))
FAST = settings(max_examples=EXAMPLES, deadline=1500, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(
    max_examples=max(20, EXAMPLES // 3), deadline=4000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# --- text ------------------------------------------------------------------------------------------

# words that drive the extractors' patterns: numbers, hedges, casualty verbs, speech verbs, names
NEWS_WORDS = [
    "1",
    "2",
    "3",
    "12",
    "45",
    "100",
    "1,000",
    "2.5",
    "0",
    "007",
    "99999999999999999999",
    "1e9",
    "one",
    "two",
    "three",
    "seven",
    "dozens",
    "hundreds",
    "a",
    "an",
    "the",
    "at",
    "least",
    "about",
    "more",
    "than",
    "killed",
    "dead",
    "died",
    "wounded",
    "injured",
    "hurt",
    "shot",
    "missing",
    "fatally",
    "were",
    "was",
    "people",
    "men",
    "women",
    "children",
    "fighters",
    "forces",
    "troops",
    "soldiers",
    "civilians",
    "police",
    "officers",
    "said",
    "told",
    "Reuters",
    "according",
    "to",
    "he",
    "she",
    "they",
    "it",
    "Smith",
    "John",
    "U.S.",
    "SDF",
    "Col.",
    "Mr.",
    "Dr.",
    "officials",
    "spokesman",
    "and",
    "or",
    "of",
    "in",
    "on",
    "by",
    "miles",
    "percent",
    "%",
    "year-old",
    "12-year-old",
    "deaths",
    "death",
    "toll",
    "rose",
    "no",
    "one",
    "was",
    "hurt",
    "left",
    "kill",
    "kills",
    "attack",
    "Monday",
    "January",
    "2018",
    "5:05",
    "PM",
    "By",
    "Published:",
    "Updated",
    "|",
    "-",
    "--",
    "–",
    "(",
    ")",
    ",",
    ".",
    ";",
    ":",
    "!",
    "?",
    '"',
    "“",
    "”",
    "'",
    "’",
    "‘",
    "\n",
    "\n\n",
    " ",
    "\t",
    "\u200b",
    "\u200d",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\u00ad",
    "\u2028",
    "\r\n",
    "\x0b",
    "Photo",
    "Share",
    "Advertisement",
    "Recommended",
    "Comments",
    "Print",
    "Subscribe",
]

news_text = st.lists(st.sampled_from(NEWS_WORDS), max_size=120).map(" ".join)
# any code point but lone surrogates (those are covered separately)
unicode_text = st.text(max_size=400)
mixed_text = st.lists(st.one_of(news_text, unicode_text), min_size=1, max_size=4).map(" ".join)
surrogate_text = st.text(alphabet=st.characters(codec=None, categories=("Cs", "Ll", "Zs")), max_size=60)

# --- HTML ------------------------------------------------------------------------------------------

TAGS = [
    "div",
    "p",
    "span",
    "a",
    "article",
    "main",
    "section",
    "nav",
    "header",
    "footer",
    "aside",
    "h1",
    "h2",
    "ul",
    "li",
    "table",
    "tr",
    "td",
    "script",
    "style",
    "b",
    "i",
    "br",
    "img",
    "figure",
    "figcaption",
    "blockquote",
    "iframe",
    "svg",
    "math",
    "template",
    "noscript",
    "time",
    "meta",
    "link",
    "title",
    "head",
    "body",
    "html",
    "form",
    "input",
    "textarea",
    "pre",
]
ATTRS = [
    "class",
    "id",
    "href",
    "src",
    "content",
    "property",
    "name",
    "itemprop",
    "charset",
    "type",
    "datetime",
    "rel",
    "style",
    "onclick",
    "lang",
    "dir",
]
attr_value = st.one_of(
    st.sampled_from(
        [
            "article",
            "content",
            "nav",
            "comments",
            "related",
            "og:title",
            "author",
            "application/ld+json",
            "javascript:alert(1)",
            "https://ex.org/a",
            "../../etc/passwd",
            "2024-05-01",
            "rtl",
            "utf-8",
            "cp1252",
            "x-unknown",
            "description",
            "",
        ]
    ),
    st.text(max_size=30),
)
attrs = st.dictionaries(st.sampled_from(ATTRS), attr_value, max_size=3)


def _attr_string(values: dict[str, str]) -> str:
    return "".join(f' {k}="{v.replace(chr(34), "&quot;")}"' for k, v in values.items())


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, a, kids, close: f"<{tag}{_attr_string(a)}>{''.join(kids)}" + (f"</{tag}>" if close else ""),
        st.sampled_from(TAGS),
        attrs,
        st.lists(children, max_size=4),
        st.booleans(),
    )


html_leaf = st.one_of(
    news_text,
    unicode_text,
    st.sampled_from(
        [
            "&amp;",
            "&lt;",
            "&#0;",
            "&#x110000;",
            "&#xD800;",
            "&nbsp;",
            "&bogus;",
            "<!--",
            "-->",
            "<![CDATA[x]]>",
            "<?php ?>",
            "<!DOCTYPE html>",
            "</",
            "<",
            ">",
            "<<p>>",
            "\x00",
            '<script type="application/ld+json">{"articleBody": "Three people were killed."}</script>',
            '<script type="application/ld+json">{"@graph": [[[{"articleBody": 5}]]]}</script>',
            '<meta charset="x-mac-klingon">',
            '<?xml version="1.0" encoding="utf-16"?>',
        ]
    ),
)
html_fragment = st.recursive(html_leaf, _element, max_leaves=40)
html_page = (
    st.builds(lambda head, body: f"<html><head>{head}</head><body>{body}</body></html>", html_fragment, html_fragment) | html_fragment
)


@pytest.fixture(autouse=True, scope="module")
def _warm_up():
    """Load the language model, trafilatura and the extractor tables once, outside the deadlines."""
    text = "Two people were killed and three wounded on Monday, police said. " * 3
    clean_document(text, content_type=TEXT)
    clean_document(f"<html><body><article><p>{text}</p></article></body></html>", content_type=HTML)
    check_extract(text, "Two killed")


# --- decoding ----------------------------------------------------------------------------------------


def decoded_or_refused(body: bytes | str) -> str | None:
    """decode_body's text, or None when it refuses the body for one of the known input reasons."""
    try:
        return decoding.decode_body(body, max_bytes=1 << 20)
    except InputError as error:
        assert error.reason in INPUT_REASONS
        return None


@FAST
@given(st.binary(max_size=3000))
def test_decode_random_bytes(data):
    text = decoded_or_refused(data)
    if text is None:
        return
    assert text.strip() and "\x00" not in text[:8192]
    text.encode("utf-8")


@FAST
@given(st.one_of(unicode_text, surrogate_text, mixed_text))
def test_decode_str_is_unchanged_or_refused(text):
    out = decoded_or_refused(text)
    assert out is None or out == text


@FAST
@given(mixed_text, st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "utf-16", "cp1252", "latin-1", "utf-8-sig"]))
def test_decode_encoded_text(text, codec):
    out = decoded_or_refused(text.encode(codec, errors="replace"))
    if out is None:
        return
    out.encode("utf-8")
    if codec in ("utf-8", "utf-8-sig", "utf-16") and text.strip() and "\x00" not in text:
        # a text that itself starts with U+FEFF, written as plain UTF-8, starts with a UTF-8 byte order mark
        expected = text[1:] if codec == "utf-8" and text.startswith("\ufeff") else text
        assert out == expected


@FAST
@given(
    st.one_of(
        unicode_text,
        mixed_text,
        st.text(alphabet=st.characters(codec=None, exclude_categories=("Cs",), max_codepoint=0x3000), max_size=200),
    )
)
def test_scrub_is_idempotent_and_leaves_no_invisible_characters(text):
    once = decoding.scrub(text)
    assert decoding.scrub(once) == once
    assert not INVISIBLE.search(once)


# --- cleaning ----------------------------------------------------------------------------------------


@FAST
@given(st.one_of(unicode_text, news_text, mixed_text, surrogate_text), st.none() | news_text)
def test_clean_text_any_unicode(text, title):
    doc = clean_or_refuse(text, TEXT, title=title)
    if doc is not None:
        assert not INVISIBLE.search(doc.text) and not INVISIBLE.search(doc.title or "")


@FAST
@given(st.binary(max_size=2000))
def test_clean_random_bytes(data):
    clean_or_refuse(data, TEXT)
    clean_or_refuse(data, HTML)


@FAST
@given(st.one_of(news_text, mixed_text))
@example("Photo\nBy John Smith\nTwo people were killed on Monday.\nTwo people were killed on Monday.")
@example("Home | By A\n\u200bBy John\nText")
def test_clean_text_is_idempotent(text):
    doc = clean_or_refuse(text, TEXT)
    if doc is None or not doc.text:
        return
    again = clean_document(doc.text, content_type=TEXT, title=doc.title)
    assert again.text == doc.text


@SLOW
@given(html_page)
def test_clean_random_html(page):
    doc = clean_or_refuse(page, HTML, timeout_s=10)
    if doc is not None:
        assert not INVISIBLE.search(doc.text) and not INVISIBLE.search(doc.title or "")
    if doc is not None and doc.text:
        check_extract(doc.text, doc.title)


@SLOW
@given(html_page)
def test_clean_random_html_bytes(page):
    clean_or_refuse(page.encode("utf-8", "surrogatepass"), HTML, timeout_s=10)


# --- extractors --------------------------------------------------------------------------------------


@FAST
@given(st.one_of(news_text, mixed_text, unicode_text), st.none() | news_text)
def test_extractors_keep_their_invariants(text, title):
    check_extract(text, title)


@FAST
@given(news_text)
def test_extractors_on_cleaned_text(text):
    doc = clean_or_refuse(text, TEXT)
    if doc is not None and doc.text:
        check_extract(doc.text, doc.title)


# long repetitive inputs: the shapes that make backtracking regexes go quadratic or worse
PATHOLOGICAL = [
    "1 " * 4000,
    "1," * 4000,
    "a " * 5000,
    "the " * 4000,
    "killed " * 3000,
    "said " * 3000,
    "at least " * 2000,
    "people, " * 3000,
    "John Smith " * 2000,
    '"' * 5000,
    "“" * 5000,
    '" a' * 3000,
    "." * 10000,
    "U.S. " * 3000,
    "Mr. " * 3000,
    "A" * 20000,
    "1" * 20000,
    "-" * 20000,
    "By " * 3000,
    "one and two and " * 1500,
    "12-year-old " * 2000,
    "(" * 5000,
    ", who " * 3000,
    "according to " * 2000,
    "Two people were shot, one fatally, " * 500,
    "aaaa-" * 4000,
    "\n" * 20000,
    " " * 50000,
    "were were were " * 2000,
    "killed and wounded " * 2000,
    "a a a a a a a a a a killed " * 500,
]


@pytest.mark.parametrize("index", range(len(PATHOLOGICAL)))
def test_pathological_inputs_are_bounded(index):
    text = PATHOLOGICAL[index]
    started = time.perf_counter()
    check_extract(text, text[:300])
    clean_or_refuse(text, TEXT)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"{elapsed:.1f}s on pattern {index} ({text[:30]!r}...)"


# --- the atheris harnesses -----------------------------------------------------------------------------

HARNESSES = ["clean", "extract", "feed"]


@pytest.mark.parametrize("name", HARNESSES)
def test_atheris_harness_runs_clean_for_a_few_seconds(name, tmp_path):
    """libFuzzer drives each harness for 3 s from its seed corpus: no finding (exit 0)."""
    pytest.importorskip("atheris")
    import subprocess
    import sys
    from pathlib import Path

    fuzz_dir = Path(__file__).resolve().parent.parent / "fuzz"
    proc = subprocess.run(
        [
            sys.executable,
            str(fuzz_dir / f"fuzz_{name}.py"),
            "-max_total_time=3",
            "-timeout=10",
            "-rss_limit_mb=2048",
            f"-artifact_prefix={tmp_path}/",
            str(tmp_path),
            str(fuzz_dir / "seeds" / name),
        ],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done" in proc.stderr


@pytest.mark.parametrize("name", HARNESSES)
def test_harness_under_hypothesis(name, monkeypatch):
    """The same TestOneInput, driven by hypothesis bytes (runs where atheris is not installed)."""
    import importlib

    monkeypatch.setenv("CLAIMWIRE_FUZZ_INSTRUMENT", "0")  # claimwire is imported already: no coverage hooks here

    module = importlib.import_module(f"fuzz.fuzz_{name}")

    @settings(max_examples=max(20, EXAMPLES // 3), deadline=4000, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.binary(max_size=2000)
        | news_text.map(lambda t: b"\x0b" + t.encode())
        | html_page.map(lambda p: b"\x09" + p.encode("utf-8", "surrogatepass"))
    )
    def run(data):
        module.TestOneInput(data)

    run()
