"""Reported speech: "X said (that) ...", "..., X said", "according to X, ..." as statement claims.

The content is what is attributed (text), the speaker is the source.  Content that is
itself a direct quotation is left to the quotes extractor.
"""

from __future__ import annotations

from collections.abc import Iterator

from claimwire.actors import actor_key
from claimwire.claims import STATEMENT, Claim
from claimwire.extractors import register
from claimwire.extractors._speech import quotation_segments
from claimwire.extractors._text import PRONOUNS, attributions, sentence_at

NAME = "statements"
VERSION = "1.1.0"


@register(NAME, VERSION)
def extract(text: str, title: str | None = None) -> Iterator[Claim]:
    quotes = [(q.start, q.end) for q in quotation_segments(text)]
    for att in attributions(text):
        cs, ce = att.content_start, att.content_end
        if att.verb_start < cs and text[att.verb_start : att.verb_end].lower() == "according":
            # content is the sentence without the "according to X" phrase
            pass
        content = text[cs:ce].strip(" ,.;:\n")
        if len(content.split()) < 4:
            continue
        # skip content that is mostly a direct quotation
        quoted = sum(max(0, min(qe, ce) - max(qs, cs)) for qs, qe in quotes)
        if quoted > 0.5 * max(1, ce - cs):
            continue
        ss, se = sentence_at(text, att.verb_start)
        offset = text.find(content, cs)
        start = offset if offset >= 0 else cs
        source = att.source
        yield Claim(
            kind=STATEMENT,
            text=content,
            source=source,
            source_key=actor_key(source),
            sentence=text[ss:se],
            start=start,
            end=start + len(content),
            extractor=NAME,
            extractor_version=VERSION,
            confidence=0.5 if source.lower() in PRONOUNS else 0.75,
            extra={"verb": text[att.verb_start : att.verb_end]},
        )
