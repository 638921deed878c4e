"""Direct quotes with their speaker.

Quotations are found with a small state machine over straight and curly marks
(a quotation left open at a paragraph end continues into the next paragraph when
that opens with a mark).  The speaker is, in order:

1. after the quote: '"...", the official said' / '", said Army Col. Thomas Veale, a spokesman'
   / '", a US military official told Reuters' / '" Veale pointed out';
2. before it: 'X said: "..."' / 'according to X, "..."';
3. a quote in the same paragraph right after an attributed one gets the same speaker;
4. pronouns ("he said", "it added") resolve to the nearest earlier named speaker or source;
   the pronoun as written is kept in extra["speaker_mention"].

Quotations under three words are skipped (scare quotes like "unprovoked");
embedded partial quotes are kept with extra["partial"] = True and lower confidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from claimwire.actors import actor_key
from claimwire.claims import QUOTE, Claim
from claimwire.extractors import register
from claimwire.extractors._text import (
    PRONOUNS, SPEECH_VERBS, attributions, clean_np, quote_spans, sentence_at, speaker_after,
)

NAME = "quotes"
VERSION = "1.0.0"

_AFTER = re.compile(
    rf"\s*[,.]?\s*(?:(?P<np>[^.,;!?\"“”\n]{{1,90}}?)\s+)?(?P<v>{SPEECH_VERBS})\b",
)
_BEFORE = re.compile(
    rf"(?P<v>\b(?:{SPEECH_VERBS}))\b(?P<mid>[^\"“”.!?]{{0,60}}?)\s*[:,]?\s*$",
)
_WORDS = re.compile(r"[\w'’-]+")
_PERSONISH = re.compile(
    r"\b(?:[A-Z][a-z]+|official|officials|spokesman|spokeswoman|spokesperson|officer|commander|minister|"
    r"chief|sheriff|president|secretary|senator|captain|lieutenant|sergeant|detective|witness|resident|"
    r"neighbor|mother|father|friend)\b"
)


def _resolve_pronoun(text: str, pos: int, known: list[tuple[int, str]]) -> str | None:
    candidates = [(p, s) for p, s in known if p < pos]
    for att in attributions(text):
        if att.verb_start < pos:
            candidates.append((att.verb_start, att.source))
    candidates.sort(key=lambda ps: ps[0], reverse=True)
    for _, speaker in candidates:
        if speaker.lower() not in PRONOUNS and speaker.split()[0].lower() not in PRONOUNS:
            return speaker
    return None


def _speaker(text: str, qs: int, qe: int) -> tuple[str | None, float]:
    line_end = text.find("\n", qe)
    line_end = len(text) if line_end < 0 else line_end
    m = _AFTER.match(text, qe, min(line_end, qe + 160))
    if m:
        verb_end = m.end("v")
        if m.group("np"):
            np = m.group("np").strip()
            if m.group("v").lower() == "according":
                np = None
            elif len(np.split()) <= 10 and not re.search(r"\b(?:that|which|because)\b", np):
                np = clean_np(re.sub(r"^(?:and|but)\s+", "", np))
                if np:
                    return np, 0.9
        if m.group("v").lower() == "according":
            am = re.match(r"\s+to\s+", text[verb_end:])
            if am:
                sp = speaker_after(text, verb_end + am.end(), line_end)
                if sp:
                    return sp, 0.85
        elif not m.group("np"):
            sp = speaker_after(text, verb_end + 1, line_end)
            if sp:
                return sp, 0.9
    ss, _ = sentence_at(text, qs)
    par_start = text.rfind("\n", 0, qs) + 1
    start = min(ss, qs) if ss <= qs else par_start
    before = text[max(par_start, start): qs]
    b = _BEFORE.search(before)
    if b:
        from claimwire.extractors._text import speaker_before

        base = max(par_start, start)
        if b.group("v").lower() == "according":
            am = re.match(r"\s+to\s+", before[b.end("v"):])
            if am:
                sp = speaker_after(text, base + b.end("v") + am.end(), qs)
                if sp:
                    return sp.rstrip(","), 0.85
        else:
            sp = speaker_before(text, base, base + b.start("v"))
            if sp:
                return sp, 0.85
    return None, 0.0


@register(NAME, VERSION)
def extract(text: str, title: str | None = None) -> Iterator[Claim]:
    known: list[tuple[int, str]] = []
    prev: tuple[int, int, str | None] | None = None  # (end, paragraph start, speaker)
    for qs, qe in quote_spans(text):
        inner = text[qs + 1: qe - 1].strip()
        n_words = len(_WORDS.findall(inner))
        if n_words < 3:
            continue
        speaker, conf = _speaker(text, qs, qe)
        par_start = text.rfind("\n", 0, qs) + 1
        extra: dict = {}
        if speaker is None and prev is not None and prev[2]:
            between = text[prev[0]: qs]
            if prev[1] == par_start or re.fullmatch(r"\s*", between):
                speaker, conf = prev[2], 0.7
                extra["speaker_from"] = "previous quote"
            elif re.fullmatch(r"\s*\n\s*", between) and inner[:1].isupper():
                speaker, conf = prev[2], 0.5
                extra["speaker_from"] = "previous paragraph"
        if speaker and (speaker.lower() in PRONOUNS):
            resolved = _resolve_pronoun(text, qs, known)
            extra["speaker_mention"] = speaker
            if resolved:
                speaker = resolved
                conf = min(conf, 0.6)
        before_char = text[qs - 1] if qs > 0 else "\n"
        after_char = text[qe] if qe < len(text) else "\n"
        partial = (before_char.isalnum() or (before_char == " " and re.search(r"[a-z]\s$", text[max(0, qs - 3):qs]) is not None
                   and not re.search(rf"(?:{SPEECH_VERBS})[:,]?\s$", text[max(0, qs - 20):qs])))
        partial = partial or n_words < 4 or inner[:1].islower()
        if partial:
            extra["partial"] = True
            conf = min(conf, 0.5) if speaker else 0.3
        ss, se = sentence_at(text, qs)
        _, se2 = sentence_at(text, max(qs, qe - 1))
        if speaker and speaker.lower() not in PRONOUNS:
            known.append((qs, speaker))
        prev = (qe, par_start, speaker)
        yield Claim(
            kind=QUOTE,
            text=inner,
            source=speaker,
            source_key=actor_key(speaker) if speaker else None,
            sentence=text[ss:max(se, se2)],
            start=qs,
            end=qe,
            extractor=NAME,
            extractor_version=VERSION,
            confidence=conf if speaker else min(conf or 0.4, 0.4),
            extra=extra,
        )
