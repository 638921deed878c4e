"""Cleaning: HTML extraction, metadata, raw-text junk removal, language marking."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from bench import shared_dir
from bench.clean import page_scores, run_seeds
from claimwire.cleaning import HTML, TEXT, clean_document, decode_body, detect_language
from claimwire.language import is_english

SHARED = shared_dir()
SEEDS = SHARED / "seeds"
DEV = SHARED / "data" / "extraction-dev"

ARTICLE = " ".join(
    [
        "Police said three people were wounded in a shooting on Main Street late on Friday night.",
        "The victims, two men and a woman, were taken to the county hospital in stable condition.",
        "Investigators are asking anyone who saw the shooting to call the tip line.",
    ]
)

PAGE = f"""<!doctype html><html lang="en"><head>
<title>Three wounded in Main Street shooting | Springfield Gazette</title>
<meta property="og:title" content="Three wounded in Main Street shooting">
<meta property="og:site_name" content="Springfield Gazette">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2019-11-18T08:30:00Z">
<link rel="canonical" href="https://gazette.example/news/shooting-main-street">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Three wounded in Main Street shooting</h1>
<p>{ARTICLE}</p>
<p>The shooting is the third on Main Street this year, police records show, and residents have asked for more patrols.</p>
<p>Share this article</p>
<ul class="related"><li><a href="/a">Council approves new budget for parks</a></li><li><a href="/b">Mayor opens bridge</a></li></ul>
</article>
<footer>Copyright 2019 Springfield Gazette. All rights reserved.</footer>
</body></html>"""


def test_html_article_and_metadata():
    doc = clean_document(PAGE, content_type=HTML, url="https://gazette.example/news/shooting-main-street?x=1")
    assert "three people were wounded" in doc.text
    assert "third on Main Street this year" in doc.text
    assert "Share this article" not in doc.text
    assert "Council approves" not in doc.text
    assert not doc.text.startswith("Three wounded")  # headline is metadata, not body
    assert doc.title == "Three wounded in Main Street shooting"
    assert doc.author == "Jane Reporter"
    assert doc.published == date(2019, 11, 18)
    assert doc.outlet == "Springfield Gazette"
    assert doc.canonical_url == "https://gazette.example/news/shooting-main-street"
    assert doc.language == "en"
    assert doc.method == "trafilatura"
    assert doc.empty_reason is None


def test_html_bytes_and_given_title_win():
    doc = clean_document(PAGE.encode("utf-8"), content_type=HTML, title="Given title")
    assert doc.title == "Given title"
    assert "three people were wounded" in doc.text


def test_jsonld_fallback_when_body_is_not_in_markup():
    body = "The storm destroyed 40 homes in the valley, officials said on Tuesday. " * 6
    page = (
        '<html><head><script type="application/ld+json">'
        + json.dumps({"@type": "NewsArticle", "headline": "Storm", "articleBody": body, "datePublished": "2020-01-02"})
        + "</script></head><body><div id='app'>Loading...</div></body></html>"
    )
    doc = clean_document(page, content_type=HTML)
    assert "destroyed 40 homes" in doc.text
    assert doc.method in {"jsonld", "trafilatura"}  # trafilatura also reads JSON-LD
    assert doc.published == date(2020, 1, 2)


def test_decode_body_keeps_text():
    assert decode_body("plain text") == "plain text"
    assert decode_body("naïve café".encode()) == "naïve café"


def test_language_marking():
    french = "Le conseil municipal a approuvé hier soir le budget de la ville après un long débat."
    doc = clean_document(french, content_type=TEXT)
    assert doc.language == "fr"
    assert not is_english(doc.language)
    assert doc.text  # stored, not dropped
    assert detect_language("ok") is None


def test_text_cleaning_rules():
    raw = "\n".join(
        [
            "World Media",
            "Flood closes bridge in town",
            "Flood closes bridge in town",
            "Published: Mon, February 12, 2018",
            "News | By Rosalie Gross",
            "The bridge over the river was closed on Monday after the flood, the mayor said.",
            "Adjust Comment Print",
            "A photo of the bridge under water",
            "A photo of the bridge under water",
            "More news: Something else happened somewhere",
            "Engineers will inspect the bridge on Tuesday.",
            "Recommended News",
            "Thank you for taking the time to offer your thoughts.",
        ]
    )
    doc = clean_document(raw, content_type=TEXT)
    lines = doc.text.split("\n\n")
    assert doc.title == "Flood closes bridge in town"
    assert lines == [
        "The bridge over the river was closed on Monday after the flood, the mayor said.",
        "A photo of the bridge under water",
        "Engineers will inspect the bridge on Tuesday.",
    ]
    assert "Adjust Comment Print" in doc.removed_lines


def test_text_given_title_removes_headline_copies():
    raw = "Flood closes bridge\nFlood closes bridge\nThe bridge was closed on Monday after heavy rain fell all weekend."
    doc = clean_document(raw, content_type=TEXT, title="Flood closes bridge")
    assert doc.text == "The bridge was closed on Monday after heavy rain fell all weekend."


def test_outlet_junk_keys_are_applied():
    from claimwire.junk import line_key

    raw = "Watch this report on your mobile device\nShe was shot twice, police said, and died at the scene on Sunday.\nStay with WXYZ for updates"
    doc = clean_document(raw, content_type=TEXT, outlet_junk={line_key("Stay with WXYZ for updates")})
    assert doc.text == "She was shot twice, police said, and died at the scene on Sunday."


@pytest.mark.skipif(not SEEDS.exists(), reason="shared seeds not available")
def test_seeds_junk_gone_and_sentences_kept():
    result = run_seeds(SEEDS)
    assert result["junk_lines_left"] == 0, result["junk_lines_left_detail"]
    assert result["article_sentences_lost"] == 0, result["article_sentences_lost_detail"]


def test_page_scores_match_benchmark_rule():
    assert page_scores("a b c d e", "a b c d e") == (1.0, 1.0)
    p, r = page_scores("a b c d x", "a b c d e")
    assert (p, r) == (0.5, 0.5)
    assert page_scores("", "") == (1.0, 1.0)


@pytest.mark.skipif(not DEV.exists(), reason="extraction-dev not available")
def test_dev_sample_beats_default_trafilatura():
    import trafilatura

    from bench.clean import aggregate

    truth = json.loads((DEV / "ground-truth.json").read_text())
    ours, base = [], []
    for page_id in sorted(truth)[:20]:
        html = gzip.decompress((DEV / "html" / f"{page_id}.html.gz").read_bytes()).decode()
        gold = truth[page_id]["articleBody"]
        ours.append(page_scores(clean_document(html, content_type=HTML).text, gold))
        base.append(page_scores(trafilatura.extract(html) or "", gold))
    assert aggregate(ours)["f1"] >= aggregate(base)["f1"]
