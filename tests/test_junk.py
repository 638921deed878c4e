"""Per-outlet junk learning (pure part) and generic junk patterns."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from urllib.parse import urlsplit

import pytest

from bench import shared_dir
from claimwire.cleaning import TEXT, clean_document
from claimwire.junk import OutletJunkLearner, candidate_line_keys, counts_before, is_generic_junk, line_key, outlet_junk_keys

GVC = shared_dir() / "data" / "gvc-dev.jsonl.gz"


def test_line_key_normalises():
    assert line_key("  12 Comments!! ") == line_key("3 comments")
    assert line_key("Watch this report on your MOBILE device.") == line_key("watch this report on your mobile device")
    assert len(line_key("x" * 1000)) == 32 and line_key("  ") == ""


def test_candidate_keys_skip_long_lines():
    text = "Share this\n" + " ".join(["word"] * 40) + "\n\nok\n"
    assert candidate_line_keys(text) == {line_key("share this")}


def test_outlet_junk_thresholds():
    counts = {"watch": 9, "rare": 2, "sometimes": 3}
    assert outlet_junk_keys(counts, 4) == set()  # too few articles
    assert outlet_junk_keys(counts, 10) == {"watch", "sometimes"}
    assert outlet_junk_keys(counts, 40) == {"watch"}  # 3/40 under the 0.2 share


def test_learner():
    learner = OutletJunkLearner()
    for name in ["fire", "flood", "storm", "crash", "strike", "vote"]:
        learner.observe("a.example", f"A story about the {name} in town, with many details.\nSign in to comment\n")
    learner.observe("b.example", "Sign in to comment")
    assert learner.junk_keys("a.example") == {line_key("Sign in to comment")}
    assert learner.junk_keys("b.example") == set()


@pytest.mark.parametrize(
    "line",
    [
        "Adjust Comment Print",
        "More news: Consumer Reports' Says Roku, Samsung Smart TVs Have Security Vulnerabilities",
        "Recommended News",
        "Some of the comments may be reprinted elsewhere in the site or in the newspaper.",
        "Watch this report on your mobile device",
        "Share this:",
        # the patterns that scan the line for their first words, whatever the case
        "Readers' COMMENTS that contain links will not be published.",
        "Stay informed: Download the free Channel 9 App",
        "Comentários: comments which insult others não serão approved",
    ],
)
def test_generic_junk(line):
    assert is_generic_junk(line)


@pytest.mark.parametrize(
    "line",
    [
        "More than 100 people were killed, the ministry said.",
        "Comments by the mayor angered residents.",
        "Share prices fell 3% on Monday.",
        "Print shop owner Tom Lee was shot on Friday.",
        "Police said comments that he made were not approved by the board, and he may get the job back.",
        "Download the report from the city's website.",
    ],
)
def test_not_generic_junk(line):
    assert not is_generic_junk(line)


def _outlet(url: str) -> str:
    inner = url.find("http", 8)
    host = urlsplit(url[inner:] if inner > 0 else url).hostname or ""
    return host.removeprefix("www.")


@pytest.mark.skipif(not GVC.exists(), reason="GVC data not available")
def test_gvc_learning_removes_repeated_junk_not_sentences():
    with gzip.open(GVC, "rt", encoding="utf-8") as fh:
        articles = [json.loads(line) for _, line in zip(range(1500), fh)]
    learner = OutletJunkLearner()
    for art in articles:
        learner.observe(_outlet(art["url"]), art["text"])
    repeats = Counter((_outlet(a["url"]), key) for a in articles for key in {line_key(line) for line in a["text"].splitlines()})
    removed_total = 0
    for art in articles[:400]:
        outlet = _outlet(art["url"])
        doc = clean_document(art["text"], content_type=TEXT, title=art["title"], outlet_junk=learner.junk_keys(outlet))
        junk = learner.junk_keys(outlet)
        for line in doc.removed_lines:
            removed_total += line_key(line) in junk
            # long lines only go as the headline (kept as the title) or as the second copy
            # of a duplicate (one copy stays)
            if len(line.split()) > 25 and line_key(line) != line_key(art["title"]) and not is_generic_junk(line):
                assert line in doc.text, line
        assert "Watch this report on your mobile device" not in doc.text
        # every long sentence line of the article survives, unless it is boilerplate the
        # outlet repeated across articles (checked against the raw counts, not the learner)
        for line in art["text"].splitlines():
            line = " ".join(line.split())
            if repeats[(outlet, line_key(line))] >= 3:
                continue
            if len(line.split()) >= 12 and line.endswith((".", '"', "”")) and not is_generic_junk(line):
                kept = {line_key(x) for x in doc.text.splitlines()} | {line_key(doc.title or "")}
                assert line_key(line) in kept, line
    assert removed_total > 0


def test_counts_before_takes_out_the_later_articles():
    counts = {"watch": 7, "follow": 2, "rare": 1}
    later = [["watch", "follow", "other"], ["watch"]]
    assert counts_before(counts, 9, later) == ({"watch": 5, "follow": 1, "rare": 1}, 7)
    assert counts_before(counts, 9, []) == (counts, 9)


def test_generic_junk_reads_as_one_pattern():
    """The scanning patterns checked only where the line holds their words: the answers of the file's patterns as
    one case-insensitive regex, on lines that hold the words in any case, beyond ASCII too ("ſ" folds to "s")."""
    import re
    from pathlib import Path

    from claimwire import junk

    data = (Path(junk.__file__).parent / "data" / "junk_patterns.txt").read_text(encoding="utf-8")
    parts = [line.strip() for line in data.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    whole = re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)
    lines = [
        f"{a} {b} {c}"
        for a in ("Comments", "COMMENTS that", "comments with links", "Get the", "DOWNLOAD THE", "ſhare")
        for b in ("free", "rude", "news", "")
        for c in ("app", "APP!", "will not be approved", "won't be published.", "aren't approved", "")
    ]
    assert {line for line in lines if whole.fullmatch(junk.normalise_line(line))} <= {line for line in lines if is_generic_junk(line)}
    assert [is_generic_junk(line) or junk.is_toolbar(line) for line in lines] == [
        bool(whole.fullmatch(junk.normalise_line(line))) or junk.is_toolbar(line) for line in lines
    ]
    assert junk._alternatives_at_top(r".*\bcomment|x") and not junk._alternatives_at_top(r".*\b(get|download) the [|]")
