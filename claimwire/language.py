"""Language identification (py3langid) for cleaned text.

Returns an ISO 639-1 code, or None when the text is too short to tell (under
``MIN_CHARS`` letters) or the classifier is unsure.  Only the first ``SAMPLE_CHARS``
characters are classified: enough for a stable answer, and bounded in time.
"""

from __future__ import annotations

from functools import lru_cache

MIN_CHARS = 20
SAMPLE_CHARS = 1500
MIN_CONFIDENCE = 0.5
ENGLISH = "en"


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True)


def _has_letters(sample: str, count: int) -> bool:
    """At least COUNT characters of SAMPLE are letters (str.isalpha); stops counting at COUNT."""
    seen = 0
    for ch in sample:
        if ch.isalpha():
            seen += 1
            if seen >= count:
                return True
    return False


def detect_language(text: str) -> str | None:
    sample = text[:SAMPLE_CHARS]
    if not _has_letters(sample, MIN_CHARS):
        return None
    lang, prob = _identifier().classify(sample)
    if prob < MIN_CONFIDENCE:
        return None
    return lang


def is_english(language: str | None) -> bool:
    """Whether the English extractors should run (unknown language counts as English)."""
    return language in (None, ENGLISH)
