"""Shared text analysis for the rule-based extractors: sentence spans, quote
spans and attributions ("X said", "according to X", "X told Reuters").

Everything is cached per text so several extractors over one article pay once.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from claimwire.extractors._lexicon import COLLECTIVES
from claimwire.vocabulary import MONTH_ABBREVIATIONS, WEEKDAYS, capitalised

# --- sentences -----------------------------------------------------------------

_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "sen",
    "rep",
    "gov",
    "col",
    "gen",
    "lt",
    "sgt",
    "capt",
    "cpt",
    "maj",
    "cpl",
    "pvt",
    "det",
    "ofc",
    "off",
    "insp",
    "supt",
    "cmdr",
    "adm",
    "st",
    "ave",
    "blvd",
    "rd",
    *MONTH_ABBREVIATIONS,
    "jr",
    "sr",
    "no",
    "inc",
    "co",
    "corp",
    "ltd",
    "vs",
    "etc",
    "mt",
    "ft",
    "pres",
    "atty",
    "dist",
    "hon",
    "rev",
    "fr",
    "prof",
    "dept",
    "sgts",
    "lts",
    "cpls",
    "u.s",
    "u.n",
    "u.k",
    "d.c",
    "a.m",
    "p.m",
    "e.g",
    "i.e",
    "approx",
    "est",
    "hwy",
    "cir",
    "ct",
    "ln",
    "pl",
    "pkwy",
}
_STARTERS = {
    "the",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "a",
    "an",
    "in",
    "but",
    "police",
    "his",
    "her",
    "their",
    "this",
    "that",
    "there",
    "on",
    "at",
    "after",
    "when",
    "officers",
    "authorities",
}
_WORD_BEFORE_BREAK = re.compile(r"([\w.]+)$")
_WORD_AFTER_BREAK = re.compile(r"\s+[\"“‘(]?(\w+)")
_BREAK = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])|\n+")


@lru_cache(maxsize=64)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """[start, end) spans of the sentences of `text` (newlines always break)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BREAK.finditer(text):
        if m.group(0)[0] != "\n":
            before = text[max(0, m.start() - 12) : m.start()]
            word = _WORD_BEFORE_BREAK.search(before)
            if word:
                w = word.group(1).lower()
                if w in _ABBREV or (len(w) == 1 and w.isalpha() and m.group(0) == "."):
                    nxt = _WORD_AFTER_BREAK.match(text, m.end())  # not a copy of the rest of the text per abbreviation
                    if not (w in ("u.s", "u.n", "u.k", "d.c", "a.m", "p.m", "etc") and nxt and nxt.group(1).lower() in _STARTERS):
                        continue
        end = m.end() if m.group(0)[0] != "\n" else m.start()
        _add(text, start, end, spans)
        start = m.end()
    _add(text, start, len(text), spans)
    return tuple(spans)


# Longest sentence: a run without a break longer than this is cut at a space (the longest
# sentence in gvc-dev and the seeds is 1,296 characters).  The extractors do per-sentence work
# that grows with the square of a sentence's figures, so an unbounded "sentence" (a 100 kB
# paragraph without a full stop) would stall a worker.
MAX_SENTENCE_CHARS = 2000


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        _add(text, start, cut, spans)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append((start, end))


@lru_cache(maxsize=64)
def _sentence_starts(text: str) -> tuple[int, ...]:
    return tuple(s for s, _ in sentence_spans(text))


def sentence_at(text: str, pos: int) -> tuple[int, int]:
    # binary search: the spans are sorted and disjoint (a linear scan made long texts quadratic)
    spans = sentence_spans(text)
    i = bisect_right(_sentence_starts(text), pos) - 1
    if i >= 0:
        s, e = spans[i]
        if s <= pos < e:
            return s, e
    return pos, pos


# --- attribution ---------------------------------------------------------------

SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|reported|reports|stated|announced|announces|"
    r"confirmed|confirms|claimed|explained|explains|noted|wrote|writes|"
    r"pointed out|points out|estimated|according|insisted|insists|declared|"
    r"continued|recalled|asked|acknowledged|acknowledges|indicated|indicates|"
    r"revealed|warned|warns|argued|argues|replied|responded|remarked|"
    r"alleged|alleges|testified|admitted|announced|counted|tallied|put the toll|put the number"
)
_SPEECH = re.compile(rf"\b(?:{SPEECH_VERBS})\b", re.IGNORECASE)
# words that end a noun phrase when scanning backwards from a speech verb
_CLAUSE_WORDS = {
    "although",
    "though",
    "but",
    "while",
    "and",
    "because",
    "as",
    "when",
    "whereas",
    "after",
    "before",
    "since",
    "if",
    "that",
    "so",
    "yet",
    "where",
    "then",
    "also",
    "meanwhile",
    "however",
    "elsewhere",
}
_TRAIL_WORDS = {
    "had",
    "has",
    "have",
    "earlier",
    "later",
    "also",
    "previously",
    "initially",
    "first",
    "then",
    "on",
    *WEEKDAYS,
    "today",
    "yesterday",
    "recently",
    "last",
    "night",
    "week",
    "would",
    "will",
    "could",
    "did",
    "does",
    "do",
    "further",
    "subsequently",
    "again",
    "already",
    "repeatedly",
    "publicly",
    "privately",
    "late",
    "early",
    "separately",
    "once",
    "all",
    "both",
    "is",
    "was",
    "been",
}
_NP_TOKEN = re.compile(r"[\w'’.-]+|[,;:()\"“”]")
_NOT_SPEAKERS = {"it", "this", "that", "there", "what", "which", "who", "investigators", "reports", "report"}
PRONOUNS = {"he", "she", "it", "they", "we", "i"}


def clean_np(np: str) -> str | None:
    np = np.strip(" ,;:\"“”'‘’")
    np = re.split(r",|\s+(?:who|which|that|whose)\s+|\s+\(|\s+-{1,2}\s+|\s+–\s+", np)[0].strip()
    np = re.sub(rf"\s+(?:on|in|at)\s+(?:condition|{capitalised(WEEKDAYS)})\b.*$", "", np)
    np = np.strip(" ,;:\"“”'‘’")
    return np or None


_PAREN_BEFORE = re.compile(r",\s*(?:who|which|whose|a|an|the)\b[^,]{3,160},\s*$")


def speaker_before(text: str, start: int, verb_start: int) -> str | None:
    """The noun phrase right before a speech verb at `verb_start`, not reaching before `start`."""
    seg = text[start:verb_start]
    paren = _PAREN_BEFORE.search(seg)
    if paren:
        # "A military official, who provided ..., said" -> the phrase before the parenthetical
        seg = seg[: paren.start()]
    toks = [m for m in _NP_TOKEN.finditer(seg)]
    # drop trailing auxiliaries/adverbs/days ("had earlier", "on Thursday")
    while toks and toks[-1].group(0).lower() in _TRAIL_WORDS:
        toks.pop()
    picked: list[re.Match[str]] = []
    for tok in reversed(toks):
        word = tok.group(0)
        low = word.lower()
        if word in ',;:"“”()' or low in _CLAUSE_WORDS or _SPEECH.fullmatch(word):
            # a "who ..." relative clause: keep looking further back
            break
        picked.append(tok)
        if len(picked) >= 14:
            return None
    if not picked:
        return None
    picked.reverse()
    phrase = seg[picked[0].start() : picked[-1].end()]
    phrase = clean_np(phrase)
    if not phrase:
        return None
    first = phrase.split()[0]
    # a noun phrase starts with a capital, a determiner or a number; not a lowercase verb
    if not (
        first[0].isupper()
        or first.lower()
        in ("a", "an", "the", "one", "two", "three", "some", "its", "his", "her", "their", "several", "state", "local", "federal")
    ):
        return None
    if len(phrase.split()) > 10:
        return None
    return phrase


_AFTER_NP = re.compile(r"[\w'’.-]+(?:\s+[\w'’.-]+){0,11}")


def speaker_after(text: str, pos: int, end: int) -> str | None:
    """The noun phrase right after an inverted speech verb ("said Army Col. X, a spokesman")."""
    m = _AFTER_NP.match(text, pos, end)
    if not m:
        return None
    np = m.group(0)
    np = re.split(r"\s+(?:in|on|at|during|after|before|when|while|according|adding|to|of the|about|that)\s+", np)[0]
    if np.endswith(".") and not re.search(r"\b(?:[A-Z][a-z]{0,3}|[A-Z])\.$", np):
        np = np[:-1]
    np = clean_np(np)
    if not np:
        return None
    return np


@dataclass(frozen=True, slots=True)
class Attribution:
    source: str
    verb_start: int  # absolute offset of the speech verb
    verb_end: int
    content_start: int  # where the attributed content starts / ends (absolute)
    content_end: int


_ACCORDING = re.compile(r"\baccording to\s+", re.IGNORECASE)
_TOLD = re.compile(r"\s+(?:[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3}|the\s+\w+|reporters|us|me|him|her)\b")


_COLLECTIVE_AFTER_COMMA = re.compile(r",\s*((?:[a-z]+\s+)?([a-z]+))\s*$")


def _collective_after_comma(text: str, start: int, verb_start: int) -> str | None:
    """A bare collective speaking after the words it says: "..., police said", "..., hospital officials said"."""
    m = _COLLECTIVE_AFTER_COMMA.search(text, start, verb_start)
    return m.group(1) if m and m.group(2) in COLLECTIVES else None


@lru_cache(maxsize=64)
def attributions(text: str) -> tuple[Attribution, ...]:
    """Every "X said ..." / "..., X said" / "according to X" in the text, sentence by sentence."""
    return tuple(att for s, e in sentence_spans(text) for att in sentence_attributions(text, s, e))


@lru_cache(maxsize=64)
def _attributions_by_sentence(text: str) -> dict[tuple[int, int], tuple[Attribution, ...]]:
    return {}


def sentence_attributions(text: str, s: int, e: int) -> tuple[Attribution, ...]:
    """The attributions of the sentence [s, e) of TEXT (each read once per text: most sentences are never asked for)."""
    found = _attributions_by_sentence(text)
    key = (s, e)
    if key not in found:
        found[key] = tuple(_read_attributions(text, s, e))
    return found[key]


def _read_attributions(text: str, s: int, e: int) -> Iterator[Attribution]:
    sent = text[s:e]
    for m in _SPEECH.finditer(sent):
        verb = m.group(0).lower()
        vs, ve = s + m.start(), s + m.end()
        if verb == "according":
            am = _ACCORDING.match(sent, m.start())
            if not am:
                continue
            src = speaker_after(text, s + am.end(), e)
            if src:
                # content: the rest of the sentence around it
                yield Attribution(src, vs, s + am.end() + len(src), s, e)
            continue
        src = speaker_before(text, s, vs) or _collective_after_comma(text, s, vs)
        inverted = False
        if src is None:
            # inverted: ', said X' / '", said X'
            pre = sent[: m.start()].rstrip()
            if pre.endswith((",", '"', "”", "’")) or not pre:
                src = speaker_after(text, ve + 1, e)
                inverted = True
        if not src or src.lower() in _NOT_SPEAKERS:
            continue
        if src.split()[-1].lower() in ("i", "you"):
            continue
        if inverted:
            yield Attribution(src, vs, ve, s, vs)
            continue
        yield _content_after(text, s, e, src, vs, ve, verb)


def _content_after(text: str, s: int, e: int, src: str, vs: int, ve: int, verb: str) -> Attribution:
    """The attribution of "X said ..." with its content: after the verb (skipping "told Reuters", "that"), or
    before it ('..., X said.' / '"...", X said')."""
    cstart = ve
    if verb in ("told", "tells"):
        tm = _TOLD.match(text, ve, e)
        if tm:
            cstart = tm.end()
    rest = text[cstart:e]
    lead = re.match(r"\s*(?:earlier|later|previously|on \w+|\w+day|in a statement|in a \w+ statement)?\s*,?\s*(?:that\s+)?", rest)
    cstart += lead.end() if lead else 0
    before = text[s:vs]
    src_at = before.rfind(src)
    lead_text = before[:src_at].rstrip() if src_at >= 0 else ""
    if lead_text.endswith((",", '"', "”", "’")) and (re.match(r"\s*[.,;]?\s*$", text[cstart:e]) or lead_text.endswith(('"', "”"))):
        return Attribution(src, vs, ve, s, s + len(lead_text.rstrip(',"”’')))
    return Attribution(src, vs, ve, cstart, e)


def attribution_for(text: str, start: int, end: int) -> Attribution | None:
    """The attribution covering the span [start, end): in the same sentence, the nearest
    speech verb before it whose content holds the span, else one after it ("..., X said")."""
    s, e = sentence_at(text, start)
    # only the attributions whose verb lies in the sentence: a scan of every attribution per claim made long
    # texts quadratic
    in_sentence = sentence_attributions(text, s, e) if s < e else ()
    best: Attribution | None = None
    for att in in_sentence:
        if att.content_start <= start and end <= att.content_end:
            if best is None or abs(att.verb_start - start) < abs(best.verb_start - start):
                best = att
    if best is None:
        for att in in_sentence:
            if att.verb_start >= end:
                best = att
                break
    return best
