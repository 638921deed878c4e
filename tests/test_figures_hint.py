"""The figures extractor's sentence gate: `_number_hint` is a search of `\\d|<number word>` ignoring case."""

from __future__ import annotations

import re

from claimwire.extractors import figures


def test_number_words_are_lower_case() -> None:
    # an ASCII sentence is read lower-cased with a case-sensitive pattern: exact only while its words are lower case
    assert figures._NUMBER_WORD.lower() == figures._NUMBER_WORD


def test_number_hint_is_the_pattern_ignoring_case() -> None:
    whole = re.compile(rf"\d|{figures._NUMBER_WORD}", re.IGNORECASE)
    sentences = [
        "Two people died.", "TWENTY-ONE", "someone", "Often", "tend", "oneself", "Police said", "", "٣ killed",
        "Ｔhree", "ſix men", "K", "Über Twelve", "in 2019", "a Dozen", "the hundredth", "none", "Seven’s",
    ]  # fmt: skip
    for sent in sentences:
        assert figures._number_hint(sent) == (whole.search(sent) is not None), sent
