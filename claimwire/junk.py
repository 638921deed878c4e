"""Page junk: generic boilerplate patterns and per-outlet learned junk lines.

Two kinds of junk are recognised:

* **Generic junk** (``is_generic_junk``): share/print/comment toolbars, "More news: ..."
  teasers, "Recommended"/"Related" section headers, comment policies, newsletter and
  app prompts, copyright lines.  The patterns live in ``claimwire/data/junk_patterns.txt``
  (one regular expression per line, matched case-insensitively against the whole
  whitespace-normalised line) so they can be extended without touching code.

* **Outlet junk** learned from repetition: a line that appears in many articles of one
  outlet is that outlet's boilerplate ("Watch this report on your mobile device").  The
  pure part lives here: ``line_key`` fingerprints a line, ``candidate_line_keys`` lists the
  keys of one article that may be boilerplate, and ``outlet_junk_keys`` decides, from
  per-outlet counts, which keys are junk.  The storage layer keeps the counts in a table
  ``(outlet_id, line_key, article_count)`` plus the outlet's article count, so every worker
  shares them; ``OutletJunkLearner`` is the in-memory equivalent used by tests and benches.
  The counts commute (each article adds one), and ``counts_before`` takes out those of the
  articles received after the one being cleaned: the decision for an article depends on its
  outlet's earlier articles only, whatever order the workers clean them in.

Thresholds (see ``outlet_junk_keys``): a key is junk for an outlet once the outlet has at
least ``MIN_OUTLET_ARTICLES`` articles, the key was seen in at least ``MIN_KEY_ARTICLES``
of them, and in at least ``MIN_KEY_SHARE`` of them.  Lines longer than
``MAX_CANDIDATE_WORDS`` words are never candidates: article sentences are long and
specific, boilerplate is short.  The same story syndicated twice by one outlet repeats
long sentences, which the word cap and the count threshold keep from being learned.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MIN_OUTLET_ARTICLES = 5
MIN_KEY_ARTICLES = 3
MIN_KEY_SHARE = 0.2
MAX_CANDIDATE_WORDS = 25
MIN_CANDIDATE_CHARS = 4

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")
# key_text of ASCII, byte by byte: a letter lower-cased, a digit as 0, anything else a space
_ASCII_KEY_BYTES = bytes(
    ord("0") if chr(c).isdigit() else ord(chr(c).lower()) if chr(c).isalpha() else ord(" ") for c in range(128)
) + bytes(range(128, 256))


def _nfkc(line: str) -> str:
    return line if line.isascii() else unicodedata.normalize("NFKC", line)  # ASCII is its own NFKC form


def normalise_line(line: str) -> str:
    """Whitespace-normalised, NFKC form of a line (what the junk patterns see)."""
    return " ".join(_nfkc(line).split())  # runs of whitespace (str.isspace, which is the regex \s) as one space


@lru_cache(maxsize=16384)
def key_text(line: str) -> str:
    """The normalised form a key is computed from: case-folded words, digits as ``0``.

    (Whitespace is a non-word character: the first substitution leaves single spaces between words.
    Cached: the cleaner asks for the key of the same line several times.)
    """
    if line.isascii():  # the same without the regexes (ASCII's word characters are the alphanumeric ones)
        words = " ".join(line.encode("ascii").translate(_ASCII_KEY_BYTES).decode("ascii").split())
        while "00" in words:  # a run of digits, each now 0, as one 0
            words = words.replace("00", "0")
        return words
    return _DIGITS.sub("0", _NON_WORD.sub(" ", _nfkc(line).casefold())).strip()


def _key_of(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:32] if text else ""


@lru_cache(maxsize=16384)
def line_key(line: str) -> str:
    """Fingerprint of a line: 32 hex chars of SHA-1 over ``key_text`` ("" for an empty line).

    Two lines that differ only in punctuation, case, spacing or numbers (dates, counts
    of comments) get the same key, so "12 Comments" and "3 comments" match.  Fixed length,
    so it fits the storage column (String(64)).
    """
    return _key_of(key_text(line))


def candidate_line_keys(text: str) -> set[str]:
    """Keys of the lines of one article that could be outlet boilerplate.

    Every non-empty line of at most ``MAX_CANDIDATE_WORDS`` words with at least
    ``MIN_CANDIDATE_CHARS`` characters of key; each key counted once per article.
    """
    keys: set[str] = set()
    for raw in text.splitlines():
        norm = key_text(raw)
        if len(norm) < MIN_CANDIDATE_CHARS or norm.count(" ") >= MAX_CANDIDATE_WORDS:
            continue
        keys.add(line_key(raw))
    return keys


def outlet_junk_keys(
    counts: Mapping[str, int],
    outlet_articles: int,
    *,
    min_outlet_articles: int = MIN_OUTLET_ARTICLES,
    min_key_articles: int = MIN_KEY_ARTICLES,
    min_key_share: float = MIN_KEY_SHARE,
) -> set[str]:
    """The keys that count as junk for one outlet.

    ``counts`` maps a line key to the number of the outlet's articles containing it;
    ``outlet_articles`` is how many of its articles were observed.  Nothing is junk until
    the outlet has ``min_outlet_articles`` articles; then a key is junk when it was seen in
    at least ``min_key_articles`` articles and at least ``min_key_share`` of them.
    """
    if outlet_articles < min_outlet_articles:
        return set()
    need = max(min_key_articles, min_key_share * outlet_articles)
    return {key for key, n in counts.items() if n >= need}


def counts_before(counts: Mapping[str, int], outlet_articles: int, later: Iterable[Iterable[str]]) -> tuple[dict[str, int], int]:
    """The outlet's line counts and article count without the articles received *after* the one being cleaned
    (LATER: the line keys each of them counted): what the outlet's earlier articles say, whatever order the
    articles were cleaned in (their counts commute, so only those of later articles are in the way)."""
    adjusted = dict(counts)
    seen = 0
    for keys in later:
        seen += 1
        for key in keys:
            if key in adjusted:
                adjusted[key] -= 1
    return adjusted, outlet_articles - seen


class OutletJunkLearner:
    """In-memory per-outlet junk learning (the storage layer mirrors it in a table)."""

    def __init__(self, **thresholds: float) -> None:
        self._counts: dict[str, Counter[str]] = defaultdict(Counter)
        self._articles: Counter[str] = Counter()
        self._thresholds = thresholds

    def observe(self, outlet: str, text: str) -> None:
        self._articles[outlet] += 1
        self._counts[outlet].update(candidate_line_keys(text))

    def articles(self, outlet: str) -> int:
        return self._articles[outlet]

    def junk_keys(self, outlet: str) -> set[str]:
        return outlet_junk_keys(self._counts.get(outlet, {}), self._articles[outlet], **self._thresholds)


# --- generic patterns -------------------------------------------------------------


# a pattern that scans the whole line for its first word(s) (".*\\bcomments? ...", ".*\\b(get|download) the ..."): the
# line holds one of them, whatever the case, or the pattern cannot match
_SCANNING_LEAD = re.compile(r"\.\*\\b(?:([a-z]+)|\(([a-z]+(?:\|[a-z]+)*)\))(?![?*+{])")


@dataclass(frozen=True)
class _GenericPatterns:
    """The junk patterns: those anchored at the line's start in one regex, and each scanning one with the words it
    needs (about two thirds of the time went to scanning every line for them)."""

    anchored: re.Pattern[str]
    scanning: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...]


def _alternatives_at_top(pattern: str) -> bool:
    """PATTERN has a "|" outside its groups and classes ("a|b"): its first words are not all it may start with."""
    depth, in_class, escaped = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch in "()":
            depth += 1 if ch == "(" else -1
        elif ch == "|" and depth == 0:
            return True
    return False


@lru_cache(maxsize=1)
def _generic_patterns() -> _GenericPatterns:
    data = (Path(__file__).parent / "data" / "junk_patterns.txt").read_text(encoding="utf-8")
    parts = [line.strip() for line in data.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    anchored: list[str] = []
    scanning: list[tuple[tuple[str, ...], re.Pattern[str]]] = []
    for part in parts:
        lead = _SCANNING_LEAD.match(part)
        if lead is None or _alternatives_at_top(part):
            anchored.append(part)
        else:
            words = (lead.group(1),) if lead.group(1) else tuple(lead.group(2).split("|"))
            scanning.append((words, re.compile(part, re.IGNORECASE)))
    return _GenericPatterns(re.compile("|".join(f"(?:{p})" for p in anchored), re.IGNORECASE), tuple(scanning))


# Words of share/print/comment toolbars: a short line made only of these is a toolbar.
_TOOLBAR_WORDS = frozenset(
    """share shares sharing print email e mail comment comments tweet facebook twitter
    whatsapp linkedin pinterest reddit pin save adjust font size text copy link reprints
    reprint permissions reply like likes follow subscribe flipboard messenger sms more
    a aa bookmark close share this google plus x""".split()
)


def is_toolbar(line: str) -> bool:
    words = key_text(line).split()
    return 0 < len(words) <= 8 and all(w in _TOOLBAR_WORDS or w == "0" for w in words)


def is_generic_junk(line: str) -> bool:
    """True for a line that is page furniture on any site."""
    norm = normalise_line(line)
    if not norm:
        return False
    if is_toolbar(norm):
        return True
    patterns = _generic_patterns()
    if patterns.anchored.fullmatch(norm) is not None:
        return True
    # beyond ASCII, case-insensitive matching folds more than str.lower ("ſ" is "s"): the words are not checked there
    low = norm.lower() if norm.isascii() else None
    return any((low is None or any(w in low for w in words)) and p.fullmatch(norm) is not None for words, p in patterns.scanning)
