"""Casualty figures: killed, injured, shot, missing -- with bounds, hedge, group and source.

Rule-based (compiled regexes over sentences; no parser).  Patterns:

* subject + passive/adjectival verb: "seven members of pro-government forces were killed",
  "27 wounded", "at least 45 pro-government fighters, which included ..., were killed",
  coordinated subjects summed ("a 12-year-old and three others were shot" -> 4 shot);
* verb + object: "airstrikes kill 100 Assad-backed forces", "killed in excess of 100 fighters",
  "killed and wounded dozens of tribal fighters" (killed_or_injured), "left two dead";
* "two people were shot, one fatally" -> 1 killed and 1 injured;
* negatives: "no US forces were injured", "no one was hurt", "no injuries" -> 0;
* singular victims: "a man was shot and killed", "Smith, 25, died", "the victim died" -> 1;
* nouns: "three deaths", "the death toll rose to 5".

Claims found in the title carry ``extra={"in_title": True}``; their span and ``sentence``
then refer to the title, every other span to the cleaned body text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from claimwire.actors import actor_key
from claimwire.claims import CASUALTY, Claim
from claimwire.extractors import register
from claimwire.extractors._lexicon import (
    CONTEXT_BEFORE_REJECT,
    MONTHS,
    PAIR_NOUNS,
    PERSON_NOUNS,
    PLURAL_PERSON_NOUNS,
    UNIT_NOUNS,
)
from claimwire.extractors._text import attribution_for, sentence_at, sentence_spans
from claimwire.numbers import QUANTITY, quantity_bounds

NAME = "casualties"
VERSION = "1.0.0"

_KILLED = (
    r"killed|dead|died|dies|slain|murdered|perished|shot dead|shot to death|gunned down|"
    r"pronounced dead|found dead|declared dead|lost (?:their|his|her) li(?:ves|fe)|fatally (?:shot|wounded|injured|struck)|"
    r"mortally wounded|executed|massacred"
)
_INJURED = r"injured|wounded|hurt|hospitali[sz]ed|critically injured|seriously injured"
_SHOT = r"shot|struck by gunfire|hit by gunfire|struck by (?:a )?bullets?|hit by (?:a )?bullets?|grazed"
_MISSING = r"missing|unaccounted for"
_VERB = rf"(?:{_KILLED}|{_INJURED}|{_MISSING}|{_SHOT})"
_ADV = r"(?:(?:all|also|reportedly|allegedly|later|each|both|then|now|still|eventually|ultimately|subsequently|apparently|initially|just|not|critically|seriously|fatally|gravely|severely|mortally|badly|slightly|non-fatally|nonfatally|[a-z]+ly)\s+)"
_AUX = r"(?:(?:were|was|have been|has been|had been|are|is|got|get|being|been|remain|remains|remained|lay|lie|were left|are now|were later|have|had|has|will be|would be)\s+(?:(?:found|discovered)\s+)?|(?:found|discovered)\s+)"
_VERB_CHAIN = (
    rf"(?P<aux>{_AUX})?(?P<adv>{_ADV}{{0,2}})(?P<v1>{_VERB})"
    rf"(?:(?:\s*,\s*|\s+(?:and|or)\s+|\s*/\s*)(?P<adv2>{_ADV}?)(?P<v2>{_VERB}))?\b"
)
_NP_TOK = r"(?:-[A-Za-z]+(?:-[\w'’]+)*|[A-Za-z](?:\.[A-Za-z])+\.?|\d+-year-olds?|[A-Za-z][\w'’]*(?:-[\w'’]+)*)"
_NP_STOP = (
    r"(?:said|says|say|told|tell|was|were|is|are|had|has|have|will|would|could|can|may|might|after|"
    r"before|when|because|while|since|but|if|than|then|that|who|which|whom|whose|and|or|been|being|as|"
    r"where|there|to|not|no|did|do|does|in|on|at|by|during|for|with|from|into|since|near|according|"
    r"over|under|including|about|around|against|he|she|it|they|we|i|you|his|her|its|their)"
)
_NUMBER_TOKEN = r"(?:\d[\d,.]*(?![\w-])|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens|a|an|the)"
_NP_STOP_SUBJ = "(?:" + _NP_STOP + "|" + _NUMBER_TOKEN + ")"
_CASUALTY_WORD = rf"(?:{_VERB})"
_PARENTHETICAL = r"(?:\s*,\s*(?:which|who|whose|including|among them|most of them|many of them|all of them|aged|ages|both|all)\b[^,.;]{0,90},|\s*\([^)]{0,80}\))?"

_Q = QUANTITY
_SUBJECT = re.compile(
    rf"(?<![\w'’-])(?:(?P<det>the|his|her|their)\s+)?(?:{_Q}|(?P<one>an?|one|another)\b)"
    rf"(?P<np>(?:\s+(?!{_NP_STOP_SUBJ}\b|{_CASUALTY_WORD}\b){_NP_TOK}){{0,7}}?)"
    rf"(?P<paren>{_PARENTHETICAL})\s+{_VERB_CHAIN}",
    re.IGNORECASE,
)
_ACTIVE_VERB = (
    r"(?P<av>kill(?:s|ed|ing)?|shot|shoot(?:s|ing)?|wound(?:s|ed|ing)?|injur(?:e|es|ed|ing)|"
    r"hurt(?:s|ing)?|leav(?:es|ing)|left|claim(?:s|ed|ing)? the lives of|gunned down|guns down|"
    r"murder(?:s|ed|ing)|executed|massacred)"
    r"(?:\s+(?:and|or)\s+(?P<av2>kill(?:s|ed|ing)?|wound(?:s|ed|ing)?|injur(?:e|es|ed|ing)|"
    r"(?:critically\s+|seriously\s+)?(?:wound|injur)(?:ed|ing)))?"
)
_OBJECT = re.compile(
    rf"\b{_ACTIVE_VERB}\s+(?:['\"‘“]\s*)?(?:(?P<det>the|his|her|their)\s+)?(?:(?P<poss>[\w.-]+(?:['’]s|s['’]))\s+(?=\d|(?:two|three|four|five|six|seven|eight|nine|ten|several|dozens)\b))?(?:{_Q}|(?P<one>an?|one|another|the|his|her)\b|(?P<age>\d+-year-old\b))['\"’”]?"
    rf"(?P<np>(?:\s+(?!{_NP_STOP}\b|dead\b|injured\b|wounded\b|hurt\b){_NP_TOK}){{0,5}})"
    rf"(?P<left>\s+(?:dead|injured|wounded|hurt|critically injured|seriously injured|in critical condition))?",
    re.IGNORECASE,
)
_ZERO = re.compile(
    r"\b(?P<neg>no one|nobody|none|neither|not one|not a single|no)\b(?! (?:one|body) else)"
    rf"(?P<np>(?:\s+(?!was\b|were\b|has\b|have\b|had\b|is\b|are\b|else\b){_NP_TOK}){{0,6}}?)"
    r"(?P<else>\s+else)?\s+(?:(?:was|were|has been|have been|had been|is|are|got|appeared to be|appears to be|reported)\s+)"
    r"(?:[a-z]+ly\s+)?(?:reported\s+)?(?P<v>injured|hurt|wounded|killed|harmed|shot|struck|hit|dead)\b",
    re.IGNORECASE,
)
_ZERO_NOUN = re.compile(
    r"\b(?:there\s+(?:were|was|are|have been)\s+no|no\s+(?P<other>other\s+|additional\s+|further\s+)?(?:serious\s+)?(?:reported\s+)?)"
    r"(?P<v>injuries|deaths|fatalities|casualties)\b",
    re.IGNORECASE,
)
_NOUN_FIGURE = re.compile(
    rf"(?<![\w'’-]){_Q}\s+(?:(?:people|persons|confirmed|reported|more|other|civilian|total)\s+)?"
    r"(?P<noun>deaths|fatalities|dead|casualties|injuries|people dead|people injured|victims)\b",
    re.IGNORECASE,
)
_TOLL = re.compile(
    rf"\bdeath toll\s+(?:(?:has|had)\s+)?(?:rose|risen|climbed|increased|jumped|rises|climbs|stands|stood|reached|is|was|now stands|of|at|to|hit)"
    rf"(?:\s+(?:to|at|of))?\s+{_Q}",
    re.IGNORECASE,
)
_FATALLY_TAIL = re.compile(
    rf"\s*(?:,|;|--|—|–)?\s*(?:including\s+|and\s+|with\s+)?(?P<k>{_Q.replace('?P<hedge>', '?P<khedge>').replace('?P<num>', '?P<knum>')}|one)"
    r"(?:\s+of\s+(?:them|whom|which|those|the victims|the men|the women))?\s+"
    r"(?:fatally|mortally|dying|who died|who later died|later died|died|was killed|were killed|killed|has died|have died)\b",
    re.IGNORECASE,
)
_NAMED_SINGULAR = re.compile(
    r"(?P<subj>\b(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]+|\b(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er)\s+(?:[\w'’-]+\s+){0,2}?[\w'’-]+|\b[Hh]e|\b[Ss]he)"
    r"(?:\s*,\s*(?:\d{1,3}|[^,]{2,70}),)?"
    r"\s+(?:(?:was|has been|had been|is|later|then|eventually|subsequently)\s+)+(?:[a-z]+ly\s+)?"
    rf"(?P<v>shot and killed|shot and wounded|shot and injured|shot and critically (?:wounded|injured)|{_KILLED}|{_INJURED}|shot)\b"
    r"|(?P<subj2>\b(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]+|\b(?:[Tt]he|[Hh]is|[Hh]er)\s+(?:[\w'’-]+\s+){0,2}?[\w'’-]+|\b[Hh]e|\b[Ss]he)"
    r"(?:\s*,\s*(?:\d{1,3}|[^,]{2,70}),)?\s+(?:later\s+|then\s+|eventually\s+|also\s+)?(?P<v2>died|dies)\b",
)
_MULT = {"double": 2, "triple": 3, "quadruple": 4, "quintuple": 5, "two": 2, "three": 3, "four": 4}
_MULTIPLIER = re.compile(
    r"\b(?P<mult>double|triple|quadruple|quintuple)[- ](?P<noun>homicide|murder|killing|slaying|fatal shooting|shooting)s?\b"
    r"(?P<suicide>(?:\s*[-,/]\s*|\s+and\s+|\s+)suicide\b(?!\s+attempt))?"
    r"|(?<!attempted )(?<!attempted\s)(?P<ms>\bmurder[- /]suicide\b)(?!\s+attempt)",
    re.IGNORECASE,
)
_ORDINAL = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
            "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6}
_ORDINAL_VICTIM = re.compile(
    r"\b(?P<ord>second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|2nd|3rd|4th|5th|6th)\s+(?:[\w'’-]+\s+)?"
    r"(?P<noun>victim|person|man|woman|child|teen|teenager|boy|girl|officer|student|deputy|body)\s+"
    r"(?:has\s+|had\s+|have\s+)?(?:also\s+)?(?:dies|died|succumbs|succumbed|killed|found dead|is dead|was killed|dead)\b"
    r"|\bclaims?\s+(?:a\s+|the\s+|its\s+)?(?P<ord2>second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+"
    r"(?:victim|life)\b",
    re.IGNORECASE,
)
_FATAL_NOUN = re.compile(
    r"\b(?:fatal|deadly|fatally)\s+(?:shooting|shootout|gunfire|accidental shooting|hunting accident|police shooting|drive-by)\b"
    r"|\bshooting death\b",
    re.IGNORECASE,
)
_HEADLINE = re.compile(
    r"(?:^|[:|–—]\s*|\s-\s|\b(?:after|as|when|where)\s+)(?P<np>(?:[\w'’.-]+\s+){0,3}?(?P<head>[\w'’-]+))"
    r"(?:,\s*\d{1,3},?)?\s+(?:is\s+|was\s+|has\s+been\s+|found\s+)?(?P<adv>fatally\s+|critically\s+|seriously\s+|accidentally\s+)?"
    r"(?P<v>shot,? (?:and )?killed|shot,? (?:and )?wounded|shot,? (?:and )?injured|shot dead|shot to death|killed|slain|dies|died|dead|shot|wounded|injured|hurt|murdered)\b",
    re.IGNORECASE,
)
_OBJECT_ITEM = re.compile(
    r"(?:\s*,\s*(?:and\s+|then\s+|before\s+)?|\s+and\s+(?:then\s+)?|\s+(?:then|before)\s+)"
    r"(?:(?P<self>(?:(?:killing|shooting|turning the gun on)\s+)?(?:himself|herself|self|themselves)\b|"
    r"(?:taking|took|takes) (?:his|her|their) own li(?:fe|ves)\b|(?:committing|committed|commits) suicide\b)"
    r"|(?:(?:killing|shooting)\s+)?(?P<det>(?:his|her|their|a|an|the|one)\s+)?(?P<num>(?:\d+|two|three|four|five)(?![\w-]))?\s*"
    r"(?P<w>(?:[\w'’-]+\s+){0,2}?[\w'’-]+)(?=\s*(?:,|\band\b|\bin\b|\bat\b|\bon\b|\bbefore\b|\.|$)))",
    re.IGNORECASE,
)
_UNCERTAIN = re.compile(
    r"\b(?:if|whether|not known|unclear|unknown|possible|possibly|feared|(?:may|might|could|should|would)(?:\s+not)?\s*(?:have|'ve))\b[^,.;]{0,40}$"
    r"|\b(?:should|would|could|might)(?:'ve|\s+have)\s+been\s*$", re.IGNORECASE)
_TITLE_OBJECT = re.compile(rf"\b{_ACTIVE_VERB}\s+(?P<np>(?:[\w'’-]+\s+)?[\w'’-]+)\b", re.IGNORECASE)
_NOT_SUBJECTS = {
    "no", "nobody", "none", "it", "this", "that", "there", "who", "everyone", "anyone", "police",
    "what", "which", "one", "nothing", "everybody", "someone", "somebody", "something",
}
_OBJECT_START = re.compile(
    r"\s+(?:a|an|the|his|her|their|its|him|them|it|my|our|your|me|us|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|\d+|several|dozens|at least|more than|about|[A-Z][a-z]+(?<!Monday)(?<!Tuesday)"
    r"(?<!Wednesday)(?<!Thursday)(?<!Friday)(?<!Saturday)(?<!Sunday)(?<!Overnight)(?<!Last))\b"
)


def _measure(v1: str, v2: str | None, adv: str) -> str:
    def kind(v: str | None) -> str | None:
        if not v:
            return None
        v = v.lower()
        if re.fullmatch(_KILLED, v):
            return "killed"
        if re.fullmatch(_INJURED, v):
            return "injured"
        if re.fullmatch(_MISSING, v):
            return "missing"
        return "shot"

    k1, k2 = kind(v1), kind(v2)
    adv = (adv or "").lower()
    if k1 == "shot" and re.search(r"(?<![\w-])(?:fatally|mortally)\b", adv):
        k1 = "killed"
    if k1 == "injured" and re.search(r"(?<![\w-])(?:fatally|mortally)\b", adv):
        k1 = "killed"
    if k2 is None or k2 == k1:
        return k1 or "shot"
    pair = {k1, k2}
    if pair == {"killed", "injured"}:
        return "killed_or_injured"
    if "shot" in pair:
        return (pair - {"shot"}).pop()
    if "missing" in pair:
        return "killed_or_injured" if pair != {"missing"} else "missing"
    return k1


def _active_measure(av: str, av2: str | None) -> str:
    a = av.lower()
    base = ("killed" if a.startswith(("kill", "claim", "gunned", "guns", "murder", "executed", "massacred"))
            else "shot" if a.startswith("sho") else "injured")
    if not av2:
        return base
    b = "killed" if av2.lower().startswith("kill") else "injured"
    if base == "shot":
        return b
    return base if base == b else "killed_or_injured"


def _head(np: str) -> str:
    words = np.split()
    return words[-1].lower().strip("'’") if words else ""


def _is_person_word(word: str) -> bool:
    w = word.lower().strip("'’,.")
    return w in PERSON_NOUNS or (w.endswith("s") and w[:-1] in PERSON_NOUNS) or w.endswith(("year-old", "year-olds", "month-old", "week-old"))


def _is_person(np: str) -> bool:
    return any(_is_person_word(w) for w in np.split()[:5])


def _singular_person(np: str) -> bool:
    words = [w.lower().strip("'’,.") for w in np.split()[:4]]
    return any((w in PERSON_NOUNS and not (w.endswith("s") and w[:-1] in PERSON_NOUNS) and w not in
                ("people", "men", "women", "children", "police", "personnel", "troops", "forces", "others",
                 "militiamen", "gunmen", "policemen", "kids", "teens"))
               or w.endswith(("year-old", "month-old", "week-old")) for w in words)


def _person_np(np: str) -> str:
    """The noun phrase cut after its last person noun ("11-year-old last Friday" -> "11-year-old")."""
    words = np.split()
    idx = [i for i, w in enumerate(words[:5]) if _is_person_word(w)]
    return " ".join(words[: idx[-1] + 1]) if idx else np


def _context_ok(text: str, start: int, num: str | None, np: str) -> bool:
    """Reject dates, addresses, codes, years, units."""
    before = text[max(0, start - 16): start]
    prev = re.search(r"([\w.#]+)\W*$", before)
    if prev:
        word = prev.group(1).lower()
        if word in CONTEXT_BEFORE_REJECT or word.rstrip(".") in CONTEXT_BEFORE_REJECT:
            return False
        if (word in MONTHS or word.rstrip(".") in MONTHS) and num and num[:1].isdigit():
            if word != "may" or prev.group(1)[0] == "M":
                return False
        if before.rstrip().endswith(("#", "$", "No.", "no.")):
            return False
    words = np.split()
    if any(w in ("News", "NEWS") for w in words[:4]):
        return False  # a station name: "7 Action News"
    if words:
        first = words[0].lower().strip(".")
        if first in UNIT_NOUNS or first + "." in UNIT_NOUNS:
            return False
        if _head(np) in UNIT_NOUNS and not _is_person(np):
            return False
    if num and re.fullmatch(r"(?:1[89]|20)\d\d", num.strip()):
        return False
    if num and num[:1].isdigit() and not np.strip() and re.search(r"[A-Z][\w'’-]*,\s*$", before):
        return False  # an age: "Ginger Reeves, 64 were found dead"
    if re.search(r"\b(?:age|ages|aged|under|call|dial|dialed|called)\s+(?:of\s+)?$", before, re.IGNORECASE):
        return False
    if re.search(r"\b(?:father|mother|dad|mom|parent|grandfather|grandmother|grandpa|grandma)\s+of\s+$", before, re.IGNORECASE):
        return False  # "father of 5 killed": his children, not a toll
    if words and words[0].lower() in ("a", "an", "the"):
        return False
    return True


def _clean_group(np: str) -> str | None:
    np = _person_np(np.strip())
    np = re.sub(r"^(?:of\s+)?(?:the|those|them)\s*$", "", np, flags=re.IGNORECASE)
    np = re.split(r"\s+(?:in|on|at|during|near|from|after|according)\b", np)[0].strip(" ,'\"’”")
    return np or None


@lru_cache(maxsize=64)
def _scan(text: str, title: bool = False) -> tuple[tuple, ...]:
    """Casualty hits in `text`: (measure, min, max, hedge, group, start, end, confidence, extra)."""
    hits: list[tuple] = []
    for s, e in sentence_spans(text):
        sent = text[s:e]
        if not _TRIGGER.search(sent):
            continue
        for h in _scan_sentence(sent, title):
            hits.append(h[:5] + (h[5] + s, h[6] + s) + h[7:])
    return tuple(hits)


_TRIGGER = re.compile(r"kill|dead|die|slain|slay|homicide|suicide|murder|perish|shot|shoot|gunned|guns down|wound|injur|hurt|hospitali|missing|"
                      r"unaccounted|fatal|casualt|death|struck|grazed|harmed|hit\b|execut|massacre|lost (?:their|his|her) li",
                      re.IGNORECASE)


def _scan_sentence(text: str, title: bool = False) -> list[tuple]:
    hits: list[tuple] = []
    active: list[int] = []  # hits of an active verb and its objects ("Man shot wife, 3 kids")
    taken: list[tuple[int, int]] = []

    def overlaps(s: int, e: int) -> bool:
        return any(s < te and ts < e for ts, te in taken)

    def add(measure, lo, hi, hedge, group, s, e, conf, extra=None, span=None):
        span = span or (s, e)
        hits.append((measure, lo, hi, hedge, group, s, e, conf, extra or {}))
        taken.append(span)

    # negatives first: "no U.S. forces were injured"
    for m in _ZERO.finditer(text):
        v = m.group("v").lower()
        measure = {"killed": "killed", "dead": "killed", "shot": "shot", "struck": "shot", "hit": "shot"}.get(v, "injured")
        np = (m.group("np") or "").strip()
        if m.group("neg").lower() == "no" and not np:
            continue
        if m.group("neg").lower() == "no" and np and not _is_person(np) and actor_key(np) is None:
            continue
        if re.search(r"\b(?:doubt|question|sign|word|evidence|indication|suspects?|arrests?)\b", np, re.IGNORECASE):
            continue
        # "no one else was hurt", "neither officer was injured", "no officers were hurt": zero for
        # a part of the people involved, not the event's figure
        partial = bool(m.group("else")) or m.group("neg").lower() == "neither" or (
            bool(np) and not re.fullmatch(r"(?:one|body|people|persons?|victims?|(?:one|body) else)", np, re.IGNORECASE))
        add(measure, 0, 0, None, _clean_group(np) if np else None, m.start(), m.end(), 0.85, {"partial": True} if partial else None)
    for m in _ZERO_NOUN.finditer(text):
        if overlaps(m.start(), m.end()):
            continue
        v = m.group("v").lower()
        measure = {"injuries": "injured", "deaths": "killed", "fatalities": "killed"}.get(v, "killed_or_injured")
        partial = bool(m.group("other"))
        add(measure, 0, 0, None, None, m.start(), m.end(), 0.75, {"partial": True} if partial else None)

    # "third victim dies" -> 3 killed
    for m in _ORDINAL_VICTIM.finditer(text):
        if overlaps(m.start(), m.end()):
            continue
        n = _ORDINAL[(m.group("ord") or m.group("ord2")).lower()]
        add("killed", n, n, None, m.group("noun"), m.start(), m.end(), 0.7)

    # verb + object: "killed 100 fighters", "left two dead"
    for m in _OBJECT.finditer(text):
        qs = m.start("num") if m.group("num") else (m.start("one") if m.group("one") else m.start("age"))
        if overlaps(qs, m.end()):
            continue
        np = m.group("np") or ""
        av = m.group("av").lower()
        left = (m.group("left") or "").strip().lower()
        if av in ("left", "leaves", "leaving", "leave"):
            if not left:
                continue
            measure = "killed" if left == "dead" else "injured"
        else:
            measure = _active_measure(m.group("av"), m.group("av2"))
            if left:
                measure = "killed" if left == "dead" else measure
        if m.group("age"):
            np = m.group("age") + np
            lo = hi = 1
            hedge = None
        elif m.group("one") or m.group("det") or m.group("poss"):
            if not _is_person(np):
                continue
            if m.group("one"):
                if m.group("one").lower() in ("the", "his", "her") and not _singular_person(np):
                    continue
                lo = hi = 1
                hedge = None
            else:
                lo, hi, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
        else:
            if not _context_ok(text, m.start("num") if not m.group("hedge") else m.start("hedge"), m.group("num"), np):
                continue
            if not np.strip():
                after = text[m.end(): m.end() + 12]
                if re.match(r"\s*(?:of\b|times?\b|[a-z]+\b(?<!according)(?<!and)(?<!in)(?<!at)(?<!on))", after):
                    continue
            lo, hi, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
        if lo is None:
            continue
        if measure in ("shot", "injured") and re.search(r"(?<![\w-])(?:fatally|mortally)\s+$", text[max(0, m.start() - 12):m.start()]):
            measure = "killed"
        conf = 0.9 if _is_person(np) else 0.75
        s = m.start("hedge") if m.group("hedge") else qs
        end = m.end()
        n_self = 0
        if hi is not None and (_is_person(np) or re.fullmatch(r"\s*", np)):
            # "killed man, grandmother, 2-month-old baby", "killing 2, then himself"
            pos = m.end("np") if np.strip() and not left else m.end()
            add_n, n_self, list_end = _items_after(text, pos, measure, title)
            if list_end > pos:
                lo, hi, end = lo + add_n, hi + add_n, max(end, list_end)
        n_before = len(hits)
        _emit_with_tail(text, add, measure, lo, hi, hedge, _clean_group(np), s, end, conf, {"self": n_self} if n_self else None)
        active.extend(range(n_before, len(hits)))

    # subject + verb: "seven members of ... were killed", "27 wounded"
    for m in _SUBJECT.finditer(text):
        qs = m.start("hedge") if m.group("hedge") else (m.start("num") if m.group("num") else m.start("one"))
        if overlaps(qs, m.end()):
            continue
        np = m.group("np") or ""
        aux = m.group("aux")
        v1 = m.group("v1")
        if not aux and v1.lower() not in ("dead", "died", "dies", "missing", "perished"):
            if _OBJECT_START.match(text, m.end()):
                continue
            if v1.lower() in ("shot", "killed", "injured", "wounded", "hurt") and not np.strip() and m.group("one"):
                continue
        if aux and aux.strip().lower() in ("have", "had", "has") and v1.lower() not in ("died", "dies"):
            continue  # "two men had shot ..." is active
        if m.group("one") or m.group("det"):
            if not _is_person(np) and not (m.group("det") and m.group("num") and not np.strip() and aux):
                continue
            lo, hi, hedge = (1, 1, None) if m.group("one") else quantity_bounds(m.group("num"), m.group("hedge"))
            if m.group("one") and m.group("one").lower() == "another":
                pass
        else:
            if not _context_ok(text, qs, m.group("num"), np):
                continue
            lo, hi, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
            if lo is None:
                continue
        if re.search(r"\bunborn\b", np, re.IGNORECASE):
            lo = hi = 0  # the archive counts people born: "five adults and an unborn child were killed" -> 5
        measure = _measure(v1, m.group("v2"), (m.group("adv") or "") + (m.group("adv2") or ""))
        negated = bool(re.search(r"(?<![\w-])not\b", m.group("adv") or "", re.IGNORECASE))
        conf = 0.9 if _is_person(np) or (np.strip() == "" and not m.group("one")) else 0.7
        if m.group("one") and not np.strip():
            conf = 0.6
        group = _clean_group(np)
        start = qs
        # coordination: "three men and a woman were wounded", "a 12-year-old and three others"
        total_lo, total_hi = lo, hi
        pre_end = qs
        coord = _coordinated(text, pre_end)
        while coord is not None:
            c_lo, c_hi, c_start = coord
            total_lo = total_lo + c_lo
            total_hi = None if (total_hi is None or c_hi is None) else total_hi + c_hi
            start = c_start
            coord = _coordinated(text, c_start)
        # items without a number before it: "Mother, 2 children found dead", "his wife and two sons"
        for c_val, _, c_start in _items_before(text, start, title, need_sep=True):
            total_lo += c_val
            total_hi = None if total_hi is None else total_hi + c_val
            start = c_start
        if start != qs:
            group = text[start: m.start("np") + len(np)].strip() if np else group
            conf = min(conf, 0.8)
            if overlaps(start, qs):
                total_lo, total_hi, start, group = lo, hi, qs, _clean_group(np)
        if negated:  # "two officers were not injured"
            add(measure, 0, 0, None, group, start, m.end(), conf, {"partial": True})
            continue
        if total_lo == 0 and total_hi == 0:
            continue
        _emit_with_tail(text, add, measure, total_lo, total_hi, hedge, group, start, m.end(), conf)

    # coordinated subjects without a number: "A man and his son were killed", "Husband and wife dead"
    for m in _AFTER_SUBJECT.finditer(text):
        vs = m.start()
        v1 = m.group("v1").lower()
        aux = (m.group("aux") or "").strip().lower()
        if overlaps(vs, m.end()) or re.search(r"\bnot\b", m.group("adv") or "", re.IGNORECASE):
            continue
        if not aux and v1 not in ("dead", "died", "dies", "missing", "perished", "slain", "found dead") and (
                _OBJECT_START.match(text, m.end()) or not _PASSIVE_FOLLOW.match(text, m.end())):
            continue  # "Wife and husband each shot murder suspect" is active
        if aux in ("have", "had", "has") and v1 not in ("died", "dies"):
            continue
        items = _items_before(text, vs, title, need_sep=False)
        if len(items) < 2 or all(v == 0 for v, _, _ in items):
            continue
        start = items[-1][2]
        if overlaps(start, m.end()):
            continue
        total = sum(v for v, _, _ in items)
        measure = _measure(m.group("v1"), m.group("v2"), (m.group("adv") or "") + (m.group("adv2") or ""))
        _emit_with_tail(text, add, measure, total, total, None, text[start:vs].strip(), start, m.end(), 0.75)

    # nouns: "three deaths", "death toll rose to 5"
    for m in _NOUN_FIGURE.finditer(text):
        s = m.start("hedge") if m.group("hedge") else m.start("num")
        if overlaps(s, m.end()) or not _context_ok(text, s, m.group("num"), ""):
            continue
        noun = m.group("noun").lower()
        if noun == "victims":
            continue
        measure = {"casualties": "killed_or_injured", "injuries": "injured", "people injured": "injured"}.get(noun, "killed")
        lo, hi, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
        if lo is None:
            continue
        add(measure, lo, hi, hedge, None, s, m.end(), 0.7)
    for m in _TOLL.finditer(text):
        s = m.start("hedge") if m.group("hedge") else m.start("num")
        if overlaps(s, m.end()):
            continue
        lo, hi, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
        if lo is None:
            continue
        add("killed", lo, hi, hedge, None, m.start(), m.end(), 0.85)

    # headlines drop articles: "11-year-old girl fatally shot", "Ligonier boy killed"
    if title:
        for m in _HEADLINE.finditer(text):
            if overlaps(m.start("np"), m.end()) or not _singular_person(m.group("head")):
                continue
            if m.group("v").lower() in ("killed", "shot", "wounded", "injured", "hurt", "murdered", "shot and killed") and \
                    re.match(r"\s+(?!(?:in|at|on|after|during|by|near|outside|inside|while|as|over|following|overnight|early|late|last|this|with|from|for|when|and)\b)[\w'’]", text[m.end():]):
                continue
            v = re.sub(r"^shot,? (?:and )?(?=killed|wounded|injured)", "", m.group("v"), flags=re.IGNORECASE)
            measure = _measure(v, None, m.group("adv") or "")
            add(measure, 1, 1, None, m.group("np").strip(), m.start("np"), m.end(), 0.7, {"headline": True})

        for m in _TITLE_OBJECT.finditer(text):
            words = m.group("np").split()
            if words and not _singular_person(words[-1]) and _singular_person(words[0]):
                words = words[:1]
            if overlaps(m.start("np"), m.end()) or not _singular_person(words[-1]) or words[0].lower() in ("a", "an", "the", "his", "her", "their"):
                continue
            measure = _active_measure(m.group("av"), m.group("av2"))
            if measure in ("shot", "injured") and re.search(r"(?<![\w-])(?:fatally|mortally|fatal|deadly)\s+$", text[max(0, m.start() - 12):m.start()]):
                measure = "killed"
            n = 1
            pos = end = m.start("np") + len(" ".join(words))
            add_n, n_self, list_end = _items_after(text, pos, measure, True)
            if list_end > pos:
                n, end = n + add_n, list_end
            active.append(len(hits))
            add(measure, n, n, None, " ".join(words), m.start("np"), end, 0.7, {"headline": True, **({"self": n_self} if n_self else {})})

    # multipliers: "double homicide", "triple shooting", "murder-suicide"
    for m in _MULTIPLIER.finditer(text):
        if overlaps(m.start(), m.end()):
            continue
        if m.group("ms"):
            add("killed", 2, None, "murder-suicide", None, m.start(), m.end(), 0.5, {"self": 1})
            continue
        n = _MULT[m.group("mult").lower()]
        noun = m.group("noun").lower()
        if m.group("suicide") and noun != "shooting":
            # "double murder-suicide": two victims and the killer
            add("killed", n + 1, n + 1, None, None, m.start(), m.end(), 0.7, {"self": 1})
            continue
        add("shot" if noun == "shooting" else "killed", n, n, None, None, m.start(), m.end(), 0.7)
    # "Man shot wife, 3 kids in murder-suicide": the people he shot are dead, and so is he
    if any(m.group("ms") for m in _MULTIPLIER.finditer(text)):
        for i in active:
            measure, lo, hi, hedge, group, s, e, conf, extra = hits[i]
            if measure in ("shot", "killed") and lo == hi and not extra.get("self") and not extra.get("derived_from"):
                hits[i] = ("killed", lo + 1, hi + 1, hedge, group, s, e, conf, {**extra, "self": 1})

    # "a fatal shooting", "the shooting death of" -> at least one killed
    for m in _FATAL_NOUN.finditer(text):
        if overlaps(m.start(), m.end()):
            continue
        add("killed", 1, None, "fatal", None, m.start(), m.end(), 0.35, {"implied": True})

    # singular named / definite victims: "Smith, 25, was shot and killed", "the victim died"
    for m in _NAMED_SINGULAR.finditer(text):
        subj = m.group("subj") or m.group("subj2")
        v = (m.group("v") or m.group("v2")).lower()
        s, e = (m.start("subj") if m.group("subj") else m.start("subj2")), m.end()
        if overlaps(s, e):
            continue
        words = subj.split()
        first = words[0].lower()
        if first in _NOT_SUBJECTS or subj.lower() in _NOT_SUBJECTS:
            continue
        if first in ("the", "a", "an", "his", "her"):
            if not _is_person(" ".join(words[1:])) or _head(subj) in ("people", "men", "women", "victims", "others", "children"):
                continue
            conf = 0.6
        elif first in ("he", "she"):
            conf = 0.45
        else:
            if any(w.lower() in MONTHS or w.lower() in ("police", "officials", "authorities") for w in words):
                continue
            if words[-1].lower() in PERSON_NOUNS and words[-1].lower().endswith("s"):
                continue
            conf = 0.55
        if v.startswith("shot and "):
            v = v[len("shot and "):]
        measure = _measure(v, None, "")
        if re.fullmatch(r"(?:critically |seriously )?(?:wounded|injured)", v):
            measure = "injured"
        add(measure, 1, 1, None, subj.strip(), s, e, conf, {"singular": True})
    hits = [h for h in hits if not _UNCERTAIN.search(text[max(0, h[5] - 60): h[5]])]
    hits.sort(key=lambda h: h[5])
    return hits


_PASSIVE_FOLLOW = re.compile(
    r"\s*(?:$|[,.;:!?)\]'\"’”|–—-]|\b(?:in|at|on|by|after|during|near|outside|inside|while|over|following|overnight|early|"
    r"late|last|this|with|from|for|when|and|as|before|since|into|amid|along|across|behind|under|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|yesterday|today|tonight)\b)",
    re.IGNORECASE,
)
_AFTER_SUBJECT = re.compile(rf"(?<=[\w'’.)])(?P<age>\s*,\s*\d{{1,3}}\s*,)?(?P<sp>\s+){_VERB_CHAIN}", re.IGNORECASE)
_COORD_RE = re.compile(
    rf"(?:^|(?<=[\s,;(]))(?:{_Q}|(?P<one>an?|one|another)\b)"
    rf"(?P<np>(?:\s+(?!{_NP_STOP}\b|{_CASUALTY_WORD}\b){_NP_TOK}){{0,4}}?)\s*(?:,\s*(?:and\s+)?|\s+and\s+)$",
    re.IGNORECASE,
)


def _coordinated(text: str, pos: int) -> tuple[float, float | None, int] | None:
    window_start = max(0, pos - 80)
    m = _COORD_RE.search(text, window_start, pos)
    if not m:
        return None
    np = m.group("np") or ""
    if m.group("one"):
        if not _is_person(np):
            return None
        return 1, 1, m.start()
    if not _is_person(np):
        return None
    lo, hi, _ = quantity_bounds(m.group("num"), m.group("hedge"))
    if lo is None:
        return None
    return lo, hi, m.start("hedge") if m.group("hedge") else m.start("num")


# -- lists of people: "his wife, her mother and two children", "Mother, 2 children found dead" --------

_SMALL_NUM = r"(?:\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_ITEM_RE = re.compile(
    r"(?:(?P<det>his|her|their|the|a|an|one|another|its|both|my|our)\s+)?"
    r"(?:(?P<poss>[\w.-]+(?:['’]s|s['’]))\s+)?"
    rf"(?:(?P<num>{_SMALL_NUM})\s+)?"
    r"(?P<adj>(?:[\w'’-]+\s+){0,2}?)"
    r"(?P<head>[\w'’-]+)",
    re.IGNORECASE,
)
_LIST_SEP = re.compile(r"\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+")
_SELF_ITEM = re.compile(r"(?:him|her|them)sel(?:f|ves)|self", re.IGNORECASE)
_ADJ_REJECT = frozenset(_NP_STOP.strip("(?:)").split("|")) | {"a", "an", "the", "one", "also", "only", "police", "who"}
_VERBISH = re.compile(r"(?:ing|ed)$|^(?:kill|shoot|shot|wound|injur|hurt|stab|murder|slay|slew|gun)", re.IGNORECASE)
_TAIL_REJECT_BEFORE = frozenset(
    "including among of with by besides plus like than killing killed shooting shot wounding injuring left leaving "
    "to from except".split())
_NAME_REJECT = MONTHS | {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "police", "officials",
    "authorities", "investigators", "deputies", "he", "she", "they", "it", "we", "i", "but", "and", "the",
}


def _person_kind(word: str) -> str | None:
    """'sg' / 'pl' for a person noun ("wife", "3-year-old" / "daughters"), else None."""
    w = word.lower().strip("'’,.")
    if re.search(r"\d-(?:year|month|week|day)-olds?$|^(?:[a-z]+-)+(?:year|month|week|day)-olds?$", w):
        return "pl" if w.endswith("s") else "sg"
    if w in PLURAL_PERSON_NOUNS:
        return "pl"
    if w in PERSON_NOUNS:
        if w.endswith("s") and (w[:-1] in PERSON_NOUNS or w[:-3] + "y" in PERSON_NOUNS or w in PAIR_NOUNS):
            return "pl"
        return "sg"
    if w.endswith("ies") and w[:-3] + "y" in PERSON_NOUNS:
        return "pl"
    if w.endswith("s") and w[:-1] in PERSON_NOUNS:
        return "pl"
    return None


def _item_value(part: str, title: bool, whole: bool = True) -> tuple[int, bool, bool] | None:
    """The number of people one list item names, and whether it is the perpetrator himself.

    `whole`: the item is all the text between two separators (bare nouns and names allowed);
    otherwise it is the tail of a longer stretch and needs a determiner, possessive or number
    (bare nouns only in headlines)."""
    part = part.strip(" \t\"'“”‘’")
    if not part:
        return None
    if _SELF_ITEM.fullmatch(part):
        return 1, True, False
    if part.lower() in ("he", "she"):
        return (1, False, False) if whole else None
    m = _ITEM_RE.fullmatch(part)
    if not m:
        return None
    adj = m.group("adj").split()
    if any(a.lower() in _ADJ_REJECT or _VERBISH.search(a) for a in adj):
        return None
    head = m.group("head")
    kind = _person_kind(head)
    marked = bool(m.group("det") or m.group("poss") or m.group("num"))
    if any(a.lower() == "unborn" for a in adj):
        return (0, False, False) if kind else None  # the archive counts people born
    if kind == "sg" and not m.group("num"):
        if not (marked or whole or title):
            return None
        if m.group("det") and m.group("det").lower() == "both":
            return None
        return 1, False, False
    if kind == "pl":
        if m.group("num"):
            n = quantity_bounds(m.group("num"))[0]
            return (int(n), False, False) if n else None
        if head.lower() in PAIR_NOUNS and not adj:
            return PAIR_NOUNS[head.lower()], False, False
        return None
    # a name: "Smith", "Tina Shelton" (body text only: headlines capitalise every word)
    words = part.split()
    if (not title and whole and not marked and 1 <= len(words) <= 3
            and all(re.fullmatch(r"[A-Z][a-z'’.-]+", w) for w in words)
            and not any(w.lower() in _NAME_REJECT for w in words)):
        return 1, False, True
    return None


def _items_before(text: str, end: int, title: bool, need_sep: bool) -> list[tuple[int, bool, int]]:
    """List items that end at `end` (value, is_self, start), right to left.

    With `need_sep`, text[:end] must end with a separator (", ", " and "), and the items are the
    ones before it ("Mother, " + "2 children found dead").  A name next to a noun with only a
    comma between them is an apposition ("the shop's owner, James Baker, 64,") and counts once."""
    ws = max(0, end - 160)
    chunk = text[ws:end]
    seps = list(_LIST_SEP.finditer(chunk))
    items: list[tuple[int, bool, int]] = []
    cur = len(chunk)
    if need_sep:
        if not seps or seps[-1].end() != cur:
            return items
        cur = seps.pop().start()
    prev_name: bool | None = None  # kind of the item to the right, when only a comma separates them
    while True:
        while seps and seps[-1].end() > cur:
            seps.pop()
        sep = seps[-1] if seps else None
        start = sep.end() if sep else 0
        part = chunk[start:cur]
        if re.fullmatch(r"\s*\d{1,3}\s*", part) and sep and sep.group(0).strip() == ",":
            # an age: "Tina Shelton, 37, and ..." -> merge with the name before it
            seps.pop()
            sep = seps[-1] if seps else None
            start = sep.end() if sep else 0
            part = re.sub(r",\s*\d{1,3}\s*$", "", chunk[start:cur])
        got = _item_value(part, title, whole=sep is not None or ws + start == 0)
        if got is None:
            # the leftmost item may be preceded by other words: "Police said a man"
            words = list(re.finditer(r"\S+", part))
            for k in range(len(words) - 1, max(-1, len(words) - 6), -1):
                tail = part[words[k].start():]
                got = _item_value(tail, title, whole=False)
                if got is not None:
                    before = part[:words[k].start()].split()
                    if before and before[-1].lower().strip(",") in _TAIL_REJECT_BEFORE:
                        got = None  # "two people were killed, including the suspect, and six others"
                    elif not (prev_name is not None and got[2] != prev_name):
                        items.append((got[0], got[1], ws + start + words[k].start()))
                    break
            break
        value = got[0]
        if prev_name is not None and got[2] != prev_name:
            value = 0  # apposition
        items.append((value, got[1], ws + start))
        if sep is None:
            break
        prev_name = got[2] if sep.group(0).strip() == "," else None
        cur = sep.start()
    return items


_ITEM_BOUNDARY = (
    r"(?=\s*(?:[,;.&:)(]|\s-\s|$|\b(?:and|in|at|on|before|after|then|who|as|during|while|with|near|inside|outside|"
    r"from|over|for|when|but|said|says|according|by|early|late|last|this|that|was|were|is|are|has|have|had|will|would|"
    r"could|can|may|might|did|does|to|of|because|since|until|or|so|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b))"
)
_FWD_SEP = re.compile(
    r"(?:\s*,\s*(?:and\s+|&\s+)?(?:then\s+)?|\s+(?:and|&)\s+(?:then\s+)?|\s+(?:then|before|as well as)\s+)"
    r"(?:(?:also\s+)?(?P<verb>killing|shooting|turning the gun on)\s+)?",
    re.IGNORECASE,
)
_FWD_SELF = re.compile(
    r"(?:turn(?:ed|s|ing)? (?:the|a) (?:gun|weapon|rifle|shotgun|handgun) on )?(?:(?:him|her|them)sel(?:f|ves)|self)\b|(?:taking|took|takes) (?:his|her|their) own li(?:fe|ves)\b"
    r"|(?:committing|committed|commits) suicide\b",
    re.IGNORECASE,
)
_FWD_ITEM = re.compile(
    r"(?:(?:his|her|their|the|a|an|one|another|its|my|our)\s+)?(?:[\w.-]+(?:['’]s|s['’])\s+)?"
    rf"(?:{_SMALL_NUM}\s+)?(?:[\w'’-]+\s+){{0,2}}?[\w'’-]+(?:,\s*\d{{1,3}}(?=\s*,))?{_ITEM_BOUNDARY}",
    re.IGNORECASE,
)


_OTHER_CLAUSE = re.compile(
    r"\s+(?:(?:were|was|are|is|had been|have been)\s+)?(?:[a-z]+ly\s+)?(?:injured|wounded|hurt|shot|dead|killed|died|hospitali[sz]ed)\b"
    r"|\s+(?:in|at)\s+(?:the\s+|a\s+|an\s+)?(?:critical|serious|stable|fair|good|grave|hospital|area hospital|local hospital)\b",
    re.IGNORECASE,
)


def _items_after(text: str, pos: int, measure: str, title: bool) -> tuple[int, int, int]:
    """More objects after the first one: "killed his wife, her mother and two children, then himself".

    Returns (people added, perpetrator counted (self), end).  A name right after a noun with only a
    comma between them is an apposition ("his cousin, Joshua Hagrin, 17,") and is not counted."""
    added = n_self = 0
    end = pos
    prev_name: bool | None = False  # the first object is a noun phrase or a number
    while True:
        sep = _FWD_SEP.match(text, pos)
        if not sep:
            break
        verb = (sep.group("verb") or "").lower()
        sm = _FWD_SELF.match(text, sep.end())
        if verb == "shooting" and measure == "killed" and not sm:
            break  # "killing his wife and shooting his son": the son is not among the killed
        if sm:
            if measure not in ("killed", "shot"):
                break
            added += 1
            n_self += 1
            pos = end = sm.end()
            prev_name = None
            continue
        im = _FWD_ITEM.match(text, sep.end())
        if not im:
            break
        part = re.sub(r",\s*\d{1,3}$", "", im.group(0))
        got = _item_value(part, title, whole=True)
        if got is None or got[0] == 0 and not re.search(r"unborn", part, re.IGNORECASE):
            break
        if _OTHER_CLAUSE.match(text, im.end()):
            break  # "left one dead and three others wounded"
        comma_only = sep.group(0).strip() == ","
        if comma_only and prev_name is not None and got[2] != prev_name:
            prev_name = None  # apposition: counted once
        else:
            added += got[0]
            prev_name = got[2]
        pos = end = im.end()
    return added, n_self, end


def _emit_with_tail(text, add, measure, lo, hi, hedge, group, s, e, conf, extra=None):
    """"two people were shot, one fatally" -> 1 killed and 1 injured."""
    if measure == "shot" and hi is not None and lo == hi:
        tail = _FATALLY_TAIL.match(text, e)
        if tail:
            knum = tail.group("knum") or tail.group("k")
            k_lo, k_hi, _ = quantity_bounds(knum, tail.group("khedge") if tail.group("knum") else None)
            if k_lo is not None and k_lo == k_hi and k_lo <= lo:
                extra = {"derived_from": "shot", "shot": lo}
                add("killed", k_lo, k_lo, None, group, s, tail.end(), conf, dict(extra), span=(s, tail.end()))
                add("injured", lo - k_lo, lo - k_lo, None, group, s, tail.end(), conf, dict(extra), span=(s, tail.end()))
                return
    add(measure, lo, hi, hedge, group, s, e, conf, extra)


_BACKGROUND = re.compile(
    r"\b(?:this|last|past|previous) (?:year|month|decade)\b|\byears? (?:ago|earlier|before|later)\b|\bso far\b|"
    r"\b(?:in|since|during|of|the) (?:19|20)\d\d\b|\bnationwide\b|\bcitywide\b|\bannually\b|\bper year\b|"
    r"\ba year\b|\bin history\b|\bdeadliest\b|\bsince (?:January|the start)\b|\bthis weekend\b|\bover the weekend\b|\bacross the city\b|"
    r"\blast (?:summer|spring|fall|winter|autumn)\b|\b(?:weeks|months) (?:earlier|ago|before)\b|"
    r"^\W*(?:In|Back in|Earlier in|Since)\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\b(?!\s+\d)|"
    r"\bin (?:that|a separate|an unrelated|another|a similar|an earlier|a previous|a prior) (?:case|incident|shooting|attack)s?\b|"
    r"\b(?:a )?previous (?:shooting|incident|attack)\b",
    re.IGNORECASE,
)


_SHOT_KILLED = re.compile(
    r"\bshot(?:,\s*|\s+and\s+)(?:\w+ly\s+)?killed\b|\bfatally\s+sho(?:t|oting)\b|\bshot\s+(?:to death|dead)\b|"
    r"\bshooting\s+and\s+killing\b|\bgunned\s+down\b",
    re.IGNORECASE,
)
_SEVERITY = re.compile(r"\b(?:critically|seriously|severely|gravely|badly|critical|serious|life-threatening)\b", re.IGNORECASE)


def _claims(text: str, in_title: bool) -> Iterator[Claim]:
    background: dict[tuple[int, int], bool] = {}  # per sentence: a long sentence with many figures is scanned once
    for measure, lo, hi, hedge, group, s, e, conf, extra in _scan(text, in_title):
        ss, se = sentence_at(text, s)
        if (ss, se) not in background:
            background[(ss, se)] = not in_title and _BACKGROUND.search(text[ss:se]) is not None
        if background[(ss, se)]:
            extra = {**extra, "background": True}
        if measure == "killed" and lo == hi and lo and "shot" not in extra and _SHOT_KILLED.search(text[s:e]):
            # "a man was shot and killed": as many shot as killed
            extra = {**extra, "shot": lo}
        if measure == "injured" and _SEVERITY.search(text[s:e]):
            # "one critically": often a part of the wounded ("four shot, one critically wounded")
            extra = {**extra, "severity": True}
        att = attribution_for(text, s, e)
        source = att.source if att else None
        extra = dict(extra)
        if in_title:
            extra["in_title"] = True
        yield Claim(
            kind=CASUALTY,
            measure=measure,
            value_min=lo,
            value_max=hi,
            hedge=hedge,
            group=group,
            group_key=actor_key(group) if group else None,
            source=source,
            source_key=actor_key(source) if source else None,
            sentence=text[ss:se] if se > ss else text,
            start=s,
            end=e,
            extractor=NAME,
            extractor_version=VERSION,
            confidence=conf,
            extra=extra,
        )


_NUM_WORD = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a dozen|dozens of)"
_DAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_ROUNDUP = re.compile(
    rf"\b(?:separate|multiple|several|different|unrelated|{_NUM_WORD})\s+(?:[\w'’-]+\s+){{0,3}}?(?:shootings|incidents|attacks)\b"
    rf"|\b(?:weekend|overnight|over-night|city|citywide|night|morning|afternoon|evening|holiday|{_DAY})\s+shootings\b"
    r"|\b(?:shootings|shot|killed|wounded|violence|gunfire)\s+(?:across|around|throughout)\s+(?:the\s+)?(?:city|area|county|state)\b"
    rf"|\bspate of\b|\bstring of shootings\b|\bviolent\s+(?:night|weekend|day|stretch|holiday|week|{_DAY})\b|\bcitywide\b"
    r"|\bdeadliest (?:weekend|day|month|night)\b",
    re.IGNORECASE,
)
_LEAD_CHARS = 400


def is_roundup(text: str | None, title: str | None = None) -> bool:
    """The headline or the lead reports several incidents ("4 dead, 10 wounded in weekend shootings",
    "... in separate shootings across the city"): its figures are totals, not one event's."""
    if title and _ROUNDUP.search(title):
        return True
    if not text:
        return False
    ends = [e for _, e in sentence_spans(text)[:2] if e <= _LEAD_CHARS]
    return bool(_ROUNDUP.search(text[: ends[-1] if ends else _LEAD_CHARS]))


@register(NAME, VERSION)
def extract(text: str, title: str | None = None) -> Iterator[Claim]:
    roundup = is_roundup(text, title)
    for c in ((_claims(title, in_title=True) if title else ()), _claims(text, in_title=False)):
        for claim in c:
            if roundup:
                claim.extra["roundup"] = True
            yield claim


def casualty_spans(text: str) -> list[tuple[int, int]]:
    """Spans of casualty figures in `text` (used by the figures extractor to skip them)."""
    return [(h[5], h[6]) for h in _scan(text)]


__all__ = ["extract", "casualty_spans", "NAME", "VERSION", "sentence_spans"]
