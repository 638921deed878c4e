"""A pattern tried only where a match can start: the matches of `pattern.finditer(text)`, with fewer attempts.

Most of the big extraction patterns start at the beginning of a word, with one of a few words: a number or a
hedge ("about", "at least"), an article ("a", "the"), a casualty verb ("killed", "shot"). `finditer_where`
walks the runs of word characters of the text and asks `pattern.match` only at the runs that `FirstWords`
admits, in order, each past the end of the last match, as `finditer` would: the same matches (spans, groups),
provided that every match of the pattern starts at a run that `FirstWords` admits. The patterns that use it
start with a look-behind or `\\b` that puts a match at the start of a run (`tests/test_extraction_starts.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

_RUN = re.compile(r"\w+")
_ASCII_DIGITS = "0123456789"


@dataclass(frozen=True, slots=True)
class FirstWords:
    """The runs of word characters (\\w+) at which a match may start: those whose lower-cased form is one of WORDS
    or starts with one of PREFIXES, or (DIGITS) that start with a digit; and every run with a character beyond
    ASCII (case-insensitive matching folds more than `str.lower` does there: "ſ" matches "s", "ı" matches "i");
    and (TEXT_START) the start of the text, for a pattern with a `^` branch."""

    words: frozenset[str]
    prefixes: tuple[str, ...] = ()
    digits: bool = False
    text_start: bool = False

    def admits(self, run: str) -> bool:
        if not run.isascii():
            return True
        return self.admits_ascii(run.lower())

    def admits_ascii(self, low: str) -> bool:
        """`admits` of an ASCII run, given lower-cased."""
        if self.digits and low[0] in _ASCII_DIGITS:
            return True
        return low in self.words or (bool(self.prefixes) and low.startswith(self.prefixes))

    def __or__(self, other: FirstWords) -> FirstWords:
        return FirstWords(
            self.words | other.words, self.prefixes + other.prefixes, self.digits or other.digits, self.text_start or other.text_start
        )


def first_words(phrases: Iterable[str], *, digits: bool = False, text_start: bool = False) -> FirstWords:
    """FirstWords of phrases written out (lower case): each phrase's first run of word characters."""
    return FirstWords(frozenset(_RUN.match(phrase).group(0) for phrase in phrases), digits=digits, text_start=text_start)


@lru_cache(maxsize=8)
def _runs(text: str) -> tuple[tuple[int, str | None], ...]:
    """The runs of word characters of TEXT: each one's start and its lower-cased form (None beyond ASCII). Several
    patterns scan one sentence, most of them with the same FirstWords: the runs are read once."""
    if text.isascii():  # lower-casing keeps every position and every run (nearly every sentence)
        return tuple((run.start(), run.group()) for run in _RUN.finditer(text.lower()))
    return tuple((run.start(), word.lower() if word.isascii() else None) for run in _RUN.finditer(text) for word in (run.group(),))


@lru_cache(maxsize=32)
def _admitted_starts(text: str, first: FirstWords) -> tuple[int, ...]:
    admits = first.admits_ascii
    return tuple(start for start, low in _runs(text) if low is None or admits(low))


def finditer_where(pattern: re.Pattern[str], text: str, first: FirstWords) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` for a PATTERN that never matches empty and whose matches start only at runs of
    word characters that FIRST admits (or at the text's start, where FIRST says so)."""
    end = 0
    if first.text_start:
        m = pattern.match(text)
        if m is not None:
            yield m
            end = m.end()
    for start in _admitted_starts(text, first):
        if start < end:
            continue
        m = pattern.match(text, start)
        if m is not None:
            yield m
            end = m.end()
