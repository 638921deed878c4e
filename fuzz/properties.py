"""Property checks shared by the atheris harnesses (fuzz/) and the hypothesis tests (tests/test_fuzz.py).

No pytest, hypothesis or atheris import here: plain assertions over claimwire's outputs.
"""

from __future__ import annotations

from claimwire.claims import CASUALTY, FIGURE, KINDS, QUOTE, STATEMENT, Claim

# --- property checks -------------------------------------------------------------------------------

OPENERS = "“\"‘`'"
CLOSERS = "”\"’'"


def check_claim(claim: Claim, text: str, title: str | None) -> None:
    """The invariants every claim keeps, whatever the input."""
    assert claim.kind in KINDS, claim
    base = title if (claim.extra or {}).get("in_title") else text
    assert base is not None, claim
    assert 0 <= claim.start <= claim.end <= len(base), (claim.start, claim.end, len(base), claim)
    assert claim.sentence in base, claim
    assert 0.0 <= claim.confidence <= 1.0, claim
    assert claim.extractor and claim.extractor_version
    if claim.kind in (CASUALTY, FIGURE):
        assert claim.end > claim.start, claim
        if claim.value_min is not None:
            assert claim.value_min >= 0, claim
            assert claim.value_min == claim.value_min and claim.value_min != float("inf"), claim
        if claim.value_max is not None:
            assert claim.value_min is not None and claim.value_min <= claim.value_max, claim
    if claim.kind == QUOTE:
        # the span runs from the opening mark to the closing mark, or to the paragraph's end for a
        # quotation left open (extra["unclosed"]); the text is the quoted words inside it
        span = base[claim.start : claim.end]
        assert span[:1] in OPENERS and len(span) >= 2, (span, claim)
        assert (claim.extra or {}).get("unclosed") or span[-1:] in CLOSERS, (span, claim)
        assert claim.text and claim.text == claim.text.strip() and claim.text in span[1:], (span, claim)
    if claim.kind == STATEMENT:
        assert base[claim.start : claim.end] == claim.text, claim
        assert claim.source, claim


def all_extractors() -> list[str]:
    from claimwire.extractors import registered

    return sorted(registered())


def check_extract(text: str, title: str | None = None) -> list[Claim]:
    """Run every registered extractor and main_figures; check each claim and the picked figures."""
    from claimwire.extractors import extract_claims, main_figures

    claims = extract_claims(text, title, names=all_extractors())
    for claim in claims:
        check_claim(claim, text, title)
    figures = main_figures(claims)
    assert set(figures) <= {"killed", "injured"}, figures
    for measure, claim in figures.items():
        assert claim.measure == measure, (measure, claim)
        assert claim.value_min is not None and claim.value_min >= 0, claim
        if claim.value_max is not None:
            assert claim.value_min <= claim.value_max, claim
    return claims


def check_document(doc, content_type: str) -> None:
    """What clean_document returns: text that is a str, empty exactly when empty_reason says so."""
    assert isinstance(doc.text, str)
    if not doc.text.strip():
        assert doc.text == "" and doc.empty_reason, doc
    else:
        assert doc.empty_reason is None, doc
        assert "\x00" not in doc.text
        doc.text.encode("utf-8")  # no lone surrogates get through
    assert all(isinstance(line, str) for line in doc.removed_lines)


def clean_or_refuse(body, content_type: str, **kw):
    """clean_document's only allowed outcomes: a document, or InputError with a known reason."""
    from claimwire.cleaning import clean_document
    from claimwire.errors import InputError

    try:
        doc = clean_document(body, content_type=content_type, **kw)
    except InputError as error:
        assert error.reason in INPUT_REASONS, error
        return None
    check_document(doc, content_type)
    return doc


# reason codes of claimwire.errors.InputError raised by cleaning (docs/CLEANING.md)
INPUT_REASONS = {"empty", "binary", "too_large", "too_deep", "timeout", "invalid_encoding", "unsupported_type"}
