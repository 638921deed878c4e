"""Direct quotes with their speaker.

Quotations come from `_speech.quotation_segments`: straight and curly marks, one segment per
paragraph of a quotation that runs over several paragraphs (the later ones have
extra["continued"] = True).  The speaker of a quotation is, in order:

1. the attribution right after it: '"...," Mr. Podesta said.', '"...," said Rep. Gwen Moore
   (D-Wis.)', '"...," a U.S. official told Reuters', '"...," she tweeted', '"...," according to X';
2. the attribution right before it: 'X said: "...', 'X told reporters, "...', 'Said Ellis: "...',
   'According to X, "...', an introduction ending in a colon ('Mayor John Suthers: "...',
   'The family released a statement:' closing the paragraph before);
3. for a quotation inside the writer's own sentence (a partial quotation, extra["partial"]),
   the speech or framing verb of that sentence ('David Pepper called the ruling a "huge win"',
   '... "reckless conduct," the judge said');
4. the speaker of the quotation or attribution just before it in the same paragraph (the second
   half of '"...," he said. "..."'), or, for a quotation that opens a paragraph without an
   attribution, the last speaker of the paragraph before.

A pronoun ("he said", "it added") resolves to the last compatible person or body named before
the quotation: he/she to a person whose gender the text does not contradict (Mr./Ms., a gendered
role noun, the pronoun that follows a lone mention), it/they to an organisation or a group.
"the mayor" resolves to the one person the article titles Mayor.

Each claim's ``source`` is the speaker's fullest form in the article with the title before the
name ("Sen. Tim Kaine" for a quote attributed to "Kaine"); extra keeps the rest:
``speaker_as_written`` (the words at the attribution: "Kaine", "he"), ``speaker_mention`` (the
pronoun, when there is one), ``speaker_name`` (the person's name without title), ``speaker_role``
(", a coalition spokesman", "D-Wis."), ``speaker_full`` (source and role together),
``speaker_kind`` (person, description, group, org) and ``speaker_from`` when the speaker was
carried over from an earlier quotation.  A quotation under three words is kept only when an
attribution sits right next to it ('"No," he said.') or, in lower case, inside a sentence whose own speaker
says it ('He called the death "tragic"'; not 'sections called "sets"'); a quotation in title case (a song, a book,
an event: "Blessing of the Bikes") is a name, not speech.  A quotation in single marks inside a
quotation, introduced as speech, is a claim of its own (extra["nested"]).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from claimwire.actors import actor_key
from claimwire.claims import QUOTE, Claim
from claimwire.extractors import register
from claimwire.extractors._speech import (
    FRAMING_VERB_FORMS,
    PASSIVE_BEFORE,
    ROLE_WORDS,
    SPEECH_PARTICIPLES,
    SPEECH_VERB_FORMS,
    Article,
    Attribution,
    Segment,
    Speaker,
    inside_quotation,
    is_adverb,
    np_after,
    np_before,
    parse_speaker,
    quotation_segments,
    tokens,
)
from claimwire.extractors._text import sentence_at
from claimwire.vocabulary import WEEKDAYS

NAME = "quotes"
VERSION = "2.2.0"

_WORD = re.compile(r"[^\W_][\w'’-]*")
_NAMING_BEFORE = re.compile(
    r"\b(?:called|dubbed|nicknamed|named|termed|titled|entitled|so-called|labell?ed|branded|(?:know[ns]?|knew|refer(?:s|red)?(?: to)?)\s+(?:[\w'’]+\s+){0,4}?as)\s*"
    r"(?:[“\"][^”\"]{1,30}[”\"],?\s*(?:or\s+|and\s+)?)*$",  # "called “sets,” “decks,” or “branches”"
    re.IGNORECASE,
)
_VERBS = (SPEECH_VERB_FORMS | {"point", "points", "pointed"}) - frozenset(
    """
state report post text message charge quote offer counter answer reason cry joke promise claim comment demand
vow pledge tweet email sigh laugh shrug chant rap sing plead beg wonder
""".split()
)


@dataclass(frozen=True, slots=True)
class Attributed:
    """A speaker found for a quotation: the phrase, where its words are, and how it was found."""

    speaker: Speaker
    pos: int  # where the attribution is (for resolving pronouns and names)
    how: str  # after | before | sentence | previous quote | previous paragraph | colon
    confidence: float


@register(NAME, VERSION)
def extract(text: str, title: str | None = None) -> Iterator[Claim]:
    segments = quotation_segments(text)
    if not segments:
        return
    quotations: list[list[Segment]] = []
    for seg in segments:
        if quotations and quotations[-1][0].quotation == seg.quotation:
            quotations[-1].append(seg)
        else:
            quotations.append([seg])
    context = _Context(text)
    last: Attributed | None = None
    last_end = -1
    for segs in quotations:
        first = segs[0]
        partial = _is_partial(text, first)
        found = _attribute(text, segs, partial, context)
        if found is None:
            found = _carry_over(text, first, last, last_end, context)
        if found is not None:
            last, last_end = found, segs[-1].end
        resolved = context.resolve(found) if found is not None else None
        for seg in segs:
            claim = _claim(text, seg, segs, partial, found, resolved)
            if claim is not None:
                yield claim
            yield from _nested(text, seg, resolved)


def _claim(
    text: str, seg: Segment, segs: list[Segment], partial: bool, found: Attributed | None, resolved: "_Resolved | None"
) -> Claim | None:
    inner = text[seg.inner_start : seg.inner_end].strip()
    words = _WORD.findall(inner)
    if not words:
        return None
    adjacent = found is not None and found.how in ("after", "before", "colon")
    if len(words) < 3 and not (adjacent and not partial and (inner[:1].isupper() or inner[-1:] in ".!?")):
        if not _words_of_the_speaker(text, seg, inner, partial, found):
            return None
    if _title_case(words) and not seg.continued:
        return None  # "Blessing of the Bikes", "So Help Me God,": a name or a title, not speech
    extra: dict = {}
    conf = 0.3
    source = None
    if found is not None and resolved is not None:
        conf = found.confidence
        source = resolved.source
        extra.update(resolved.extra)
        if found.how not in ("after", "before", "colon", "sentence"):
            extra["speaker_from"] = found.how
    elif found is not None:
        extra["speaker_as_written"] = found.speaker.written
        if found.speaker.kind == "pronoun":
            extra["speaker_mention"] = found.speaker.written
        conf = min(found.confidence, 0.4)
    if seg.continued or seg is not segs[0]:
        extra["continued"] = True
    if not seg.closed:
        extra["unclosed"] = True
    if partial:
        extra["partial"] = True
        conf = min(conf, 0.5)
    ss, _ = sentence_at(text, seg.start)
    _, se = sentence_at(text, max(seg.start, seg.end - 1))
    if ss > seg.start:
        ss = seg.start
    return Claim(
        kind=QUOTE,
        text=inner,
        source=source,
        source_key=actor_key(source) if source else None,
        sentence=text[ss : max(se, seg.end)],
        start=seg.start,
        end=seg.end,
        extractor=NAME,
        extractor_version=VERSION,
        confidence=conf if source else min(conf, 0.4),
        extra=extra,
    )


def _words_of_the_speaker(text: str, seg: Segment, inner: str, partial: bool, found: Attributed | None) -> bool:
    """A word or two quoted inside a sentence whose own speaker says them ('He called the death "tragic"',
    'said officers showed "untold valor"'), not a name or term the writer quotes ('sections called "sets"',
    nicknames, titles: capitalised)."""
    if found is not None and found.how == "previous quote" and not partial and inner[:1].isupper() and inner[-1:] in "?!":
        return True  # '"Why now?" asked Sen. Chuck Grassley. "What changed?"'
    if not partial or found is None or found.how != "sentence" or not inner[:1].islower():
        return False
    return not _NAMING_BEFORE.search(text, max(0, seg.start - 80), seg.start)


def _title_case(words: list[str]) -> bool:
    caps = [w for w in words if len(w) > 3 or w[:1].isupper()]
    return len(words) <= 8 and len(caps) >= 2 and all(w[:1].isupper() for w in caps)


# --- a quotation inside a quotation ----------------------------------------------------------

_NESTED_INTRO = re.compile(
    r"(?:[,:]|\b(?:said|says|say|asked|asks|told (?:me|him|her|us|them)|yelled|shouted|"
    r"replied|saying|screamed|added))\s+$"
)
_WORD_CHAR = re.compile(r"[^\W_]")


def _nested(text: str, seg: Segment, outer: "_Resolved | None") -> Iterator[Claim]:
    """Quotations in single marks inside a quotation, introduced as speech ('she said, ‘stay
    down’'): their own claims (extra["nested"]), the speaker named inside the outer quotation;
    "I" is the outer quotation's speaker."""
    lo, hi = seg.inner_start, seg.inner_end
    i = lo
    while True:
        i = _next_single_open(text, i, hi)
        if i < 0:
            return
        close = _single_close(text, i + 1, hi)
        end = close + 1 if close >= 0 else hi
        inner = text[i + 1 : close if close >= 0 else hi].strip()
        words = _WORD.findall(inner)
        if len(words) >= 3:
            source, extra, conf = None, {"nested": True}, 0.3
            verb = re.search(r"(\w+)(?:\s+(?:me|him|her|us|them))?\s*,?\s*$", text[lo:i])
            sp = np_before(text, lo, lo + verb.start(1)) if verb and verb.group(1).lower() in _VERBS | SPEECH_PARTICIPLES else None
            if sp is not None and sp.written.lower() == "i" and outer is not None:
                source, conf = outer.source, 0.5
                extra.update({k: v for k, v in outer.extra.items() if k != "speaker_mention"})
                extra["speaker_as_written"] = sp.written
            elif sp is not None and sp.kind != "pronoun":
                source, conf = sp.written, 0.5
                extra.update({"speaker_as_written": sp.written, "speaker_kind": sp.kind, "speaker_full": sp.written})
            elif sp is not None:
                extra.update({"speaker_as_written": sp.written, "speaker_mention": sp.written})
            if close < 0:
                extra["unclosed"] = True
            ss, se = sentence_at(text, i)
            yield Claim(
                kind=QUOTE,
                text=inner,
                source=source,
                source_key=actor_key(source) if source else None,
                sentence=text[min(ss, i) : max(se, end)],
                start=i,
                end=end,
                extractor=NAME,
                extractor_version=VERSION,
                confidence=conf,
                extra=extra,
            )
        i = end


def _next_single_open(text: str, i: int, hi: int) -> int:
    """The next opening single mark in text[i:hi] that follows a comma, a colon or a speech verb."""
    while i < hi:
        j = min((k for k in (text.find("‘", i, hi), text.find("'", i, hi)) if k >= 0), default=-1)
        if j < 0:
            return -1
        if (
            j + 1 < hi
            and _WORD_CHAR.match(text, j + 1)
            and (j == 0 or not text[j - 1].isalnum())
            and _NESTED_INTRO.search(text[max(0, j - 30) : j])
        ):
            return j
        i = j + 1
    return -1


def _single_close(text: str, i: int, hi: int) -> int:
    """The closing single mark: not an apostrophe inside a word (ma’am, I’d)."""
    while i < hi:
        j = min((k for k in (text.find("’", i, hi), text.find("'", i, hi)) if k >= 0), default=-1)
        if j < 0:
            return -1
        if not text[j - 1].isspace() and not (j + 1 < len(text) and text[j + 1].isalpha()):
            return j
        i = j + 1
    return -1


# --- partial or full -------------------------------------------------------------------------


def _is_partial(text: str, seg: Segment) -> bool:
    """A fragment inside the writer's own sentence, not a sentence of its own."""
    if seg.continued:
        return False
    inner = text[seg.inner_start : seg.inner_end].lstrip(" .…'‘’")
    before = text[_paragraph_start(text, seg.start) : seg.start].rstrip()
    if inner[:1].islower() and not re.match(r"i\b", inner):
        # 'she said "no."' is an answer in full; 'said it "appears accidental."' is not
        said = re.search(r"\b(?:said|says|replied|answered|asked)[,:]?$", before)
        return not (said and len(_WORD.findall(inner)) <= 2 and inner.rstrip()[-1:] in ".!?")
    if not before or before[-1] in ",:;.!?\"“”'’–—-(*•":
        return False
    prev = re.search(r"([\w'’]+)$", before)
    return not (prev and prev.group(1).lower() in _VERBS | SPEECH_PARTICIPLES | {"that"})


def _paragraph_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _paragraph_end(text: str, pos: int) -> int:
    e = text.find("\n", pos)
    return len(text) if e < 0 else e


# --- finding the attribution ----------------------------------------------------------------


def _attribute(text: str, segs: list[Segment], partial: bool, context: "_Context") -> Attributed | None:
    first, last = segs[0], segs[-1]
    if not partial:
        found = _after(text, last)
        if found is None or found.how == "according":
            # 'One of the gunmen said, "...," according to the report': the speaker, not the source
            found = _before(text, first, context) or found
            if found is not None and found.how == "according":
                found = Attributed(found.speaker, found.pos, "after", found.confidence)
        if found is None and len(segs) > 1:
            found = _after(text, first) or _before(text, last, context)
        if found is None:
            found = _inside(text, last)
        if found is not None:
            return found
    return _in_sentence(text, first, context)


def _limit_after(text: str, seg: Segment) -> int:
    """Where the text after a segment stops belonging to it: the next quotation or the paragraph end."""
    end = _paragraph_end(text, seg.end)
    nxt = next((s.start for s in quotation_segments(text) if s.start >= seg.end and not _nickname(text, s)), end)
    return min(end, nxt)


def _nickname(text: str, seg: Segment) -> bool:
    """A quoted nickname inside a name: Ulysses "U.S." Floyd."""
    return (
        len(_WORD.findall(text[seg.inner_start : seg.inner_end])) <= 2
        and re.search(r"[A-Z][\w'’.-]*\s$", text[max(0, seg.start - 30) : seg.start]) is not None
        and re.match(r"\s[A-Z]", text[seg.end : seg.end + 2]) is not None
    )


def _limit_before(text: str, seg: Segment) -> int:
    start = _paragraph_start(text, seg.start)
    prev = [s.end for s in quotation_segments(text) if s.end <= seg.start]
    return max(start, prev[-1]) if prev else start


def _after(text: str, seg: Segment) -> Attributed | None:
    """'"...," X said' / '"...," said X' / '"...," according to X' / '"...," Capt. Stephen Jones.'"""
    if not seg.closed:
        return None
    hi = _limit_after(text, seg)
    m = re.match(r"[ \t]*[,;]?[ \t]*(?:[–—-]{1,2}[ \t]*)?", text[seg.end : hi])
    p = seg.end + (m.end() if m else 0)
    toks = tokens(text, p, min(hi, p + 260))
    if not toks:
        return None
    w0 = toks[0].word.lower()
    if w0 in _VERBS and len(toks) > 1:
        sp = np_after(text, toks[0].end, hi)
        if sp is not None:
            return Attributed(sp, toks[0].start, "after", 0.9)
    if w0 == "according" and len(toks) > 2 and toks[1].word.lower() == "to":
        sp = np_after(text, toks[1].end, hi)
        if sp is not None:
            return Attributed(sp, toks[0].start, "according", 0.85)
    # NP then verb, within the sentence
    for i, t in enumerate(toks[:28]):
        if t.word[0] in ".!?" or t.word in ('"', "“", "”", ";"):
            break
        low = t.word.lower()
        if i > 0 and low in _VERBS and not t.word[0].isupper():
            if text[seg.inner_end - 1 : seg.inner_end] in ".!?" and _introduces_next(text, t.end, hi):
                return None  # '"... room." Reginald, who lives nearby, said, "Well, ...': the next quote's
            start_sp = np_before(text, p, t.start)
            if start_sp is not None and _starts_at(text, p, t.start, start_sp):
                if text[seg.inner_end - 1 : seg.inner_end] in ".!?" and _says_more(text, t.end):
                    return None  # '"... way." The ministry said more rain would come.': that sentence's own words
                return Attributed(start_sp, p, "after", 0.9)
            if toks[i - 1].word == "," and i + 1 < len(toks):
                # '"..." when it went off, said Giannini'
                sp = np_after(text, t.end, hi)
                if sp is not None and sp.kind != "pronoun":
                    return Attributed(sp, t.start, "after", 0.75)
            break
    # '"...," Capt. Stephen Jones.': a name with no verb
    if text[seg.inner_end - 1 : seg.inner_end] in (",", "—") or text[seg.end : seg.end + 1] == ",":
        end = next((i for i, t in enumerate(toks[:10]) if t.word[0] in ".!?"), None)
        if end and end > 1:
            sp = parse_speaker(text[p : toks[end - 1].end])
            if sp is not None and sp.kind == "person" and (sp.title or len(sp.name.split()) >= 2):
                return Attributed(sp, p, "after", 0.7)
    return None


# what may follow the verb of a sentence that only attributes the quotation before it: to whom, when,
# where, how ('Okafor said on Tuesday in a statement.', 'the mayor told reporters at the scene.')
_CIRCUMSTANCE = frozenset(
    """
on in at to a an the by via during after before from of over during later earlier also again then
today yesterday tonight morning afternoon evening night week month year weekend last this late early
statement interview reporters reporter journalists
press release conference briefing news meeting hearing speech phone telephone email e-mail video message
post tweet radio television tv broadcast camera scene site outside inside hospital court home office
told wrote added continued explained
""".split()
) | frozenset(WEEKDAYS)


def _says_more(text: str, verb_end: int) -> bool:
    """The sentence goes on after its speech verb with words of its own (a quotation, 'that', a clause),
    not only a listener, a time, a place or a medium: it is not the attribution of the quotation before it."""
    hi = _paragraph_end(text, verb_end)  # past a quotation that follows: 'said "no dam failed".' says more
    end = re.search(r"[.!?](?:\s|$)|[\"“]", text[verb_end:hi])
    tail = text[verb_end : verb_end + end.start() if end else hi]
    if end is not None and end.group()[0] in '"“':
        return True
    words = _WORD.findall(tail)
    return any(w.lower() not in _CIRCUMSTANCE and not w[0].isupper() and not w[0].isdigit() for w in words)


def _introduces_next(text: str, verb_end: int, hi: int) -> bool:
    """The verb is followed by a colon or comma and the next quotation (it introduces that one)."""
    return re.match(r"[^.!?\"“”]{0,60}?[,:]\s*$", text[verb_end:hi]) is not None and hi < len(text) and text[hi : hi + 1] in ('"', "“")


def _starts_at(text: str, p: int, verb_start: int, sp: Speaker) -> bool:
    """The speaker phrase fills the stretch between the closing mark and the verb."""
    stretch = text[p:verb_start]
    first = sp.written.split()[0] if sp.written else ""
    lead = stretch.lstrip()
    return (
        lead.startswith(first)
        or lead.lower().startswith(("and ", "but "))
        and first in lead[: len(first) + 5]
        or bool(sp.role)
        and lead.startswith(sp.role.split(",")[0].split()[0])
    )


def _before(text: str, seg: Segment, context: "_Context") -> Attributed | None:
    """'X said: "...' / 'X told reporters, "...' / 'Said X: "...' / 'According to X, "...' /
    'Mayor John Suthers: "...' / a colon closing the paragraph before."""
    lo = _limit_before(text, seg)
    head = text[lo : seg.start]
    if _LABEL_ONLY.fullmatch(head):
        # the quotation opens its paragraph: an introduction ending in a colon just before it
        prev_end = lo - 1
        while prev_end > 0 and text[prev_end - 1].isspace():
            prev_end -= 1
        if prev_end > 0 and text[prev_end - 1] == ":" and not inside_quotation(text, prev_end - 1):
            ps = _paragraph_start(text, prev_end - 1)
            found = _introduction(text, ps, prev_end, context)
            if found is not None:
                return Attributed(found.speaker, found.pos, "colon", 0.8)
        return None
    return _introduction(text, lo, seg.start, context)


# what may stand before a quotation that opens its paragraph: a bullet, a time stamp ("4:52 p.m.:")
_LABEL_ONLY = re.compile(r"\s*(?:[*•·▪‣◦-]|\d{1,2}[.)])?\s*(?:\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?\s*:?)?\s*")


def _introduction(text: str, lo: int, hi: int, context: "_Context") -> Attributed | None:
    """The speaker of words introduced by text[lo:hi] (which ends right before them)."""
    s, _ = sentence_at(text, max(lo, hi - 1))
    s = max(lo, min(s, hi))
    head = text[s:hi]
    stripped = head.rstrip()
    toks = tokens(text, s, hi)
    if not toks:
        return None
    # the last speech verb, followed only by a listener, a time, a place or "that"
    for i in range(len(toks) - 1, -1, -1):
        t = toks[i]
        low = t.word.lower()
        if t.word[0] in ".!?" or t.word in ('"', "“", "”"):
            break
        if low not in _VERBS and low not in SPEECH_PARTICIPLES and low != "according":
            continue
        gap = text[t.end : hi]
        if len(gap) > 90 or re.search(r"[\"“”]", gap):
            break
        if low != "according" and gap.strip() and not re.search(r"(?:[,:]|\bthat)\s*$", gap):
            continue
        if low == "according":
            if i + 1 < len(toks) and toks[i + 1].word.lower() == "to":
                sp = np_after(text, toks[i + 1].end, hi)
                if sp is not None:
                    return Attributed(sp, t.start, "before", 0.85)
            continue
        if t.word[0].isupper() and i == 0 and low in _VERBS:
            sp = np_after(text, t.end, hi)  # "Said Ellis: "
            if sp is not None:
                return Attributed(sp, t.start, "before", 0.85)
            continue
        if low in SPEECH_PARTICIPLES:
            sp = _clause_subject(text, s, t.start, context)
            if sp is not None:
                return Attributed(sp, s, "before", 0.75)
            continue
        sp = _subject_of(text, s, toks, i, context)
        if sp is not None:
            return Attributed(sp, t.start, "before", 0.85)
        break
    if stripped.endswith(":") or stripped.endswith(",") and len(toks) > 2:
        # 'Mayor John Suthers: "...', 'Goldsmith addressed his plan ..., "...'
        sp = _clause_subject(text, s, hi, context)
        if sp is not None:
            return Attributed(sp, s, "before", 0.7)
    return None


def _inside(text: str, seg: Segment) -> Attributed | None:
    """An attribution left inside the marks: '"... we contacted the school, Dance said."'"""
    inner = text[seg.inner_start : seg.inner_end]
    for m in _INSIDE.finditer(inner):
        sp = parse_speaker(m.group("np") or m.group("np2"))
        if sp is not None and sp.kind in ("person", "pronoun"):
            return Attributed(sp, seg.inner_start + m.start(), "after", 0.6)
    return None


# a closing mark left out or misplaced: "... a horrific scene,’ said Jones. The victims ..."
_INSIDE = re.compile(
    r"[,?!]['’]?\s+(?:(?:said|says|added)\s+(?P<np>(?:[A-Z][\w'’.-]*\s+){0,4}[A-Z][\w'’-]+)"
    r"|(?P<np2>(?:[A-Z][\w'’.-]*\s+){0,4}[A-Z][\w'’-]+|he|she)\s+(?:said|says|added))(?=[.,]|\s*$)"
)


def _in_sentence(text: str, seg: Segment, context: "_Context") -> Attributed | None:
    """The speaker of a quotation inside the writer's sentence: the subject of the nearest
    speech verb before it ('Gull told White that ... "reckless conduct"'), else of the nearest
    framing verb ('Guglielmi called it "..."'), else an attribution after it in the sentence."""
    s, e = sentence_at(text, seg.start)
    lo = max(s, _paragraph_start(text, seg.start))
    toks = [t for t in tokens(text, lo, seg.start) if not inside_quotation(text, t.start)]
    speech = [i for i, t in enumerate(toks) if t.word.lower() in _VERBS]
    framing = [i for i, t in enumerate(toks) if t.word.lower() in FRAMING_VERB_FORMS]
    for i in [*reversed(speech), *reversed(framing)]:
        if PASSIVE_BEFORE.search(text, max(lo, toks[i].start - 24), toks[i].start):
            sp = _agent(text, toks[i].end, e)  # 'were described as a "defensive" measure by Washington'
        else:
            sp = _subject_of(text, lo, toks, i, context)
        if sp is not None:
            return Attributed(sp, toks[i].start, "sentence", 0.75)
    for i, t in enumerate(toks[:-1]):
        if t.word.lower() == "according" and toks[i + 1].word.lower() == "to":
            sp = np_after(text, toks[i + 1].end, seg.start)
            if sp is not None:
                return Attributed(sp, t.start, "sentence", 0.75)
    hi = min(_paragraph_end(text, seg.end), max(e, seg.end) + 200)
    after = tokens(text, seg.end, hi)
    for i, t in enumerate(after):
        if t.word[0] in ".!?" and i > 0:
            break
        if inside_quotation(text, t.start):
            continue
        low = t.word.lower()
        if low == "according" and i + 1 < len(after) and after[i + 1].word.lower() == "to":
            sp = np_after(text, after[i + 1].end, hi)
            if sp is not None:
                return Attributed(sp, t.start, "sentence", 0.75)
        if low in _VERBS:
            if text[seg.inner_end - 1 : seg.inner_end] in ".!?" and _says_more(text, t.end):
                return None  # the quotation ended its sentence; this verb's sentence says its own words
            sp = np_before(text, seg.end, t.start)
            if sp is None and (i == 0 or after[i - 1].word == ","):
                sp = np_after(text, t.end, hi)
            if sp is not None:
                return Attributed(sp, t.start, "sentence", 0.75)
    return None


def _agent(text: str, verb_end: int, hi: int) -> Speaker | None:
    """The agent of a passive speech or framing verb: 'by X' later in its sentence."""
    m = re.compile(r"\bby\s+").search(text, verb_end, hi)
    return np_after(text, m.end(), hi) if m else None


def _subject_of(text: str, lo: int, toks: list, i: int, context: "_Context") -> Speaker | None:
    """The subject of the verb toks[i]: the noun phrase before it; for a verb coordinated with
    an earlier one ('Suthers says ..., but says'), that verb's subject; else the clause's."""
    sp = np_before(text, lo, toks[i].start)
    if sp is not None or i == 0 or toks[i - 1].word.lower() not in ("and", "but", ",", "also"):
        return sp
    sp = _coordinated_subject(text, lo, toks, i)
    if sp is not None:
        return sp
    for j in range(i - 1, -1, -1):
        w = toks[j].word.lower()
        if w in _VERBS or w in FRAMING_VERB_FORMS:
            sp = np_before(text, lo, toks[j].start)
            if sp is not None:
                return sp
    return _clause_subject(text, lo, toks[i].start, context)


def _coordinated_subject(text: str, lo: int, toks: list, i: int) -> Speaker | None:
    """'Buckley had no numbers but said ...', 'The minister visited the camp and said ...': the subject of the
    first verb of the coordination: the noun phrase that opens its clause (no comma between)."""
    if toks[i - 1].word.lower() not in ("and", "but"):
        return None
    start = i - 1
    while start > 0 and toks[start - 1].word not in (",", ";", ":") and toks[start - 1].word[0] not in '.!?"“”':
        start -= 1
    for j in range(start + 1, i - 1):
        word = toks[j].word
        if word.isalpha() and word.islower() and (word in _COMMON_VERBS or word.endswith(("ed", "s"))):
            sp = np_before(text, toks[start].start, toks[j].start)
            if sp is not None:
                return sp if sp.kind in ("person", "pronoun", "description", "group", "org") else None
    return None


_COMMON_VERBS = frozenset(
    "had has have was were is are did does went came made took gave told spoke met saw left got ran sat stood "
    "would will could can may might should must".split()
)


_SUBJECT_SKIP = re.compile(
    r"\s*(?:(?:[A-Z][a-z]+ly|Also|Then|Later|Earlier|Meanwhile|However|Still|Now|Lastly|Finally|"
    r"(?:On|In|At|During|After|Before|When|While|Asked|Speaking|Earlier|Later)\b[^,]{0,60}),\s*)"
)
_DOCUMENT_SOURCE = re.compile(
    r"\b(?:statements?|tweets?|posts?|messages?|letters?|traffic|comments?|remarks|e-?mails?|texts?|notes?|releases?|"
    r"transcripts?|recordings?|excerpts?|videos?|memos?|responses?|replies)\s+(?:(?:[a-z]+\s+){0,2}?)(?:from|by)\s+",
    re.IGNORECASE,
)
_VERBISH = frozenset(
    """
has have had is was are were will would can could said says told issued issues released releases shared shares
sent sends gave gives made makes put puts published publishes addressed addresses reacted reacts offered offers
spoke speaks posted posts wrote writes read reads
""".split()
)


def _clause_subject(text: str, lo: int, hi: int, context: "_Context") -> Speaker | None:
    """The subject that opens the clause text[lo:hi] ('Lastly, Goldsmith addressed his plan',
    'The family of Noelle has released the following statement'), or the source a
    communication is from ('Radio traffic from police:', 'a statement from the mayor:')."""
    doc = _DOCUMENT_SOURCE.search(text, lo, hi)
    if doc:
        sp = np_after(text, doc.end(), hi)
        if sp is not None and sp.kind != "pronoun":
            return sp
    m = _SUBJECT_SKIP.match(text, lo, hi)
    p = m.end() if m else lo
    while p < hi and text[p].isspace():
        p += 1
    toks = tokens(text, p, hi)
    end = 0
    for i, t in enumerate(toks[:14]):
        w = t.word
        low = w.lower()
        nxt = toks[i + 1].word if i + 1 < len(toks) else ""
        if w in (",", ":", ";", "(", ")") or w[0] in '.!?"“”' or low in _DAY_NAMES or low in _VERBISH:
            break
        if (
            i > 0
            and not w[0].isupper()
            and (
                is_adverb(w)
                or low in ("earlier", "later")
                or low in ("late", "early")
                and nxt.lower() in _DAY_NAMES | {"last", "this", "next", "in", "on"}
                or low.endswith("ed")
                and end > 1
                and not nxt[:1].isupper()
            )
        ):
            break  # "addressed his plan", "later said", "late Saturday"
        end = i + 1
    sp = None
    while end > 0 and sp is None:
        sp = parse_speaker(text[toks[0].start : toks[end - 1].end])
        end -= 1
    if sp is None:
        return None
    if sp.kind == "person" and sp.name and len(sp.name.split()) == 1 and not sp.title and not context.article.known_surname(sp.name):
        return None  # a lone capitalised word nobody is named by ("Radio traffic ...")
    return sp


_DAY_NAMES = frozenset((*WEEKDAYS, "today", "yesterday", "tonight"))


# --- carrying a speaker over -----------------------------------------------------------------


def _carry_over(text: str, seg: Segment, last: Attributed | None, last_end: int, context: "_Context") -> Attributed | None:
    """The speaker of a quotation with no attribution of its own: the latest speaker in its
    paragraph, or, when it opens a paragraph, the last speaker of the paragraph before."""
    ps = _paragraph_start(text, seg.start)
    same = context.attributions_between(ps, seg.start)
    if last is not None and last_end > ps:
        later = [a for a in same if a.pos > last_end]
        return (
            Attributed(later[-1].speaker, later[-1].pos, "previous quote", 0.6)
            if later
            else Attributed(last.speaker, last.pos, "previous quote", 0.7)
        )
    if same:
        return Attributed(same[-1].speaker, same[-1].pos, "previous quote", 0.6)
    if _LABEL_ONLY.fullmatch(text, ps, seg.start):
        prev_end = ps - 1
        while prev_end > 0 and text[prev_end - 1].isspace():
            prev_end -= 1
        if prev_end <= 0:
            return None
        pps = _paragraph_start(text, prev_end - 1)
        if last is not None and last_end > pps:
            later = [a for a in context.attributions_between(pps, prev_end) if a.pos > last_end]
            if later:
                return Attributed(later[-1].speaker, later[-1].pos, "previous paragraph", 0.55)
            return Attributed(last.speaker, last.pos, "previous paragraph", 0.6)
        prev = context.attributions_between(pps, prev_end)
        if prev:
            return Attributed(prev[-1].speaker, prev[-1].pos, "previous paragraph", 0.55)
    return None


# --- resolving pronouns and names ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Resolved:
    source: str | None
    extra: dict


class _Context:
    """Per-article state: the article's speakers and people, read on demand."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.article = Article(text)
        self._roles: dict[str, str] = {}  # the role an attribution gave a person, for their later quotes
        self._titles: dict[str, str] = {}  # the fullest title seen with a person's name, likewise

    def attributions_between(self, lo: int, hi: int) -> list[Attribution]:
        return self.article.attributions_between(lo, hi)

    def resolve(self, found: Attributed) -> _Resolved:
        sp = found.speaker
        extra: dict = {"speaker_as_written": sp.written}
        if sp.kind == "pronoun":
            extra["speaker_mention"] = sp.written
            target = self._antecedent(sp, found.pos)
            if target is None:
                return _Resolved(None, extra)
            sp = target
        return _Resolved(*self._full_form(sp, found.pos, extra))

    def _full_form(self, sp: Speaker, pos: int, extra: dict) -> tuple[str, dict]:
        if sp.kind == "description":
            titled = self._titled(sp)
            sp = titled or sp
        elif sp.kind == "org" and len(sp.written.split()) == 1 and sp.written[:1].isupper():
            # "Park said": a surname that is also a word for a place, when the article names a Park
            as_person = Speaker(written=sp.written, kind="person", name=sp.written, role=sp.role)
            known = self.article.person(as_person, pos)
            if known is not None and len(known.name.split()) > 1:
                sp = as_person
        if sp.kind == "person" and sp.name and " " not in sp.name and sp.title.split()[-1:] in (["Sir"], ["Dame"]):
            # British usage: "Sir Keir" is Keir Starmer
            full = self.article.by_given_name(sp.name, pos)
            if full is not None:
                sp = Speaker(written=sp.written, kind="person", name=full.name, title=sp.title, role=sp.role)
        person = self.article.person(sp, pos)
        role = sp.role
        if person is not None:
            name, title = person.name, person.title
            if sp.name and len(sp.name.split()) > len(name.split()):
                name = sp.name  # the attribution gives more of the name than the mentions read
            if sp.title and (not title or len(sp.title) > len(title) and sp.name and len(sp.name.split()) >= len(name.split())):
                title = sp.title
            role = role or person.role
        elif sp.kind == "person":
            name, title = sp.name or sp.written, sp.title
        else:
            name, title = sp.written, ""
        if sp.kind == "person":
            extra["speaker_name"] = name
            role = self._roles.setdefault(name, role) if role else self._roles.get(name, "")
            if len(title) > len(self._titles.get(name, "")):
                self._titles[name] = title
            title = self._titles.get(name, title)
        source = f"{title} {name}".strip() if title else name
        extra["speaker_kind"] = sp.kind
        if role:
            extra["speaker_role"] = role
            extra["speaker_full"] = f"{source}, {role}"
        else:
            extra["speaker_full"] = source
        return source, extra

    def _titled(self, sp: Speaker) -> Speaker | None:
        """ "the mayor" -> the one person the article titles Mayor."""
        words = sp.written.split()
        if len(words) != 2 or words[0].lower() != "the" or words[1].lower() not in ROLE_WORDS:
            return None
        return self.article.titled(words[1])

    def _antecedent(self, pronoun: Speaker, pos: int) -> Speaker | None:
        """The last person (he, she) or body (it, they) named before `pos` that the pronoun
        can refer to, searching back sentence by sentence."""
        article = self.article
        word = pronoun.written.lower()
        if word in ("i", "we"):
            return None
        sent = article.sentence_index(pos)
        # the nearest sentence with a candidate wins: first looking only at speakers and sentence
        # subjects (and anyone in the sentence just before), then at any person named
        for strong_only in (True, False):
            for k in range(sent, max(-1, sent - 12), -1):
                cands: list[tuple[float, int, Speaker]] = []
                for a in article.attributions_in(k):
                    if a.pos < pos and a.speaker.kind != "pronoun":
                        c = self._compatible(word, a.speaker, a.pos)
                        if c is not None:
                            cands.append((c * 0.25 + 1.0, a.pos, a.speaker))
                for m in article.mentions_in(k):
                    if m.start >= pos or strong_only and not m.subject and k != sent - 1:
                        continue
                    c = self._compatible(word, m.speaker, m.start)
                    if c is not None:
                        cands.append((c * 0.25 + (0.5 if m.subject else 0.0), m.start, m.speaker))
                if cands:
                    return max(cands, key=lambda x: (x[0], -x[1]))[2]
        return None

    def _compatible(self, word: str, sp: Speaker, pos: int) -> float | None:
        """None when the pronoun cannot refer to the speaker; else 1 when the text confirms the
        gender, 0 when it says nothing either way."""
        if word in ("he", "she"):
            if sp.kind not in ("person", "description"):
                return None
            if sp.kind == "description" and not _personal(sp.written):
                return None
            gender = sp.gender
            if sp.kind == "person":
                person = self.article.person(sp, pos)
                if person is None or not person.evidence:
                    return None  # a capitalised run nothing shows to be a person ("South Chicago", "Google")
                gender = person.gender or gender
            want = "m" if word == "he" else "f"
            if gender and gender != want:
                return None
            return 1.0 if gender == want else 0.0
        if word == "it":
            if sp.kind in ("org",) or sp.kind == "description" and not _personal(sp.written):
                return 0.5
            return None
        if word == "they":
            return 0.5 if sp.kind in ("group", "org") else None
        return None


def _personal(description: str) -> bool:
    from claimwire.extractors._lexicon import PERSON_NOUNS

    words = re.split(r"\s+(?:of|for|in|at|from|with|near|inside|outside|on|who|whose)\s+", description.lower())[0].split()
    head = re.sub(r"['’]s$", "", words[-1]) if words else ""
    return head in PERSON_NOUNS or head in ROLE_WORDS
