"""Patterns read on lower-cased ASCII text without IGNORECASE find what they find in the text ignoring case."""

from __future__ import annotations

import re

import pytest

from claimwire.extractors import _folded, casualties, casualty_patterns as patterns

SENTENCES = [
    "A Man And His Son Were Killed, Police Said.",
    "Husband and wife DEAD after the crash; Smith, 25, was Shot And Killed and later Died.",
    "The deaths of two women and THE MURDER OF his mother were reported.",
    "He was Charged With Murder in the killing of Lena Berg, who was sentenced in 2019.",
    "John and Mary, both 51, Were Critically Injured and later died at the hospital.",
]


@pytest.mark.parametrize(
    ("pattern", "lowered"),
    [
        (patterns.AFTER_SUBJECT, casualties._AFTER_SUBJECT_LOWER),
        (patterns.EVENT_OF, casualties._EVENT_OF_LOWER),
        (patterns.LEGAL, casualties._LEGAL_LOWER),
    ],
)
def test_the_same_spans(pattern: re.Pattern[str], lowered: re.Pattern[str]) -> None:
    for sentence in SENTENCES:
        want = [(m.span(), [m.span(g) for g in range(1, pattern.groups + 1)]) for m in pattern.finditer(sentence)]
        got = [(m.span(), [m.span(g) for g in range(1, pattern.groups + 1)]) for m in lowered.finditer(sentence.lower())]
        assert got == want, sentence


def test_a_pattern_with_a_capital_or_its_own_flags_is_refused() -> None:
    with pytest.raises(ValueError):
        _folded.lowered(re.compile(r"\b[A-Z]\w+ died", re.IGNORECASE))
    with pytest.raises(ValueError):
        _folded.lowered(re.compile(r"(?-i:the) victim", re.IGNORECASE))
    with pytest.raises(ValueError):
        _folded.lowered(re.compile(r"victim"))
    assert _folded.lowered(re.compile(r"(?P<who>\w+)\s+\S+ died", re.IGNORECASE)).flags & re.IGNORECASE == 0
