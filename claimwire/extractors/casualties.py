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
from claimwire.extractors._lexicon import CONTEXT_BEFORE_REJECT, MONTHS, PERSON_NOUNS, UNIT_NOUNS
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
_AUX = r"(?:(?:were|was|have been|has been|had been|are|is|got|get|being|been|remain|remains|remained|lay|lie|were left|are now|were later|have|had|has|will be|would be)\s+)"
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
    rf"\b{_ACTIVE_VERB}\s+(?:['\"‘“]\s*)?(?:(?P<det>the|his|her|their)\s+)?(?:{_Q}|(?P<one>an?|one|another|the|his|her)\b|(?P<age>\d+-year-old\b))['\"’”]?"
    rf"(?P<np>(?:\s+(?!{_NP_STOP}\b|dead\b|injured\b|wounded\b|hurt\b){_NP_TOK}){{0,5}})"
    rf"(?P<left>\s+(?:dead|injured|wounded|hurt|critically injured|seriously injured|in critical condition))?",
    re.IGNORECASE,
)
_ZERO = re.compile(
    r"\b(?P<neg>no one|nobody|none|neither|not one|not a single|no)\b(?! (?:one|body) else)"
    rf"(?P<np>(?:\s+(?!was\b|were\b|has\b|have\b|had\b|is\b|are\b|else\b){_NP_TOK}){{0,6}}?)"
    r"(?:\s+else)?\s+(?:(?:was|were|has been|have been|had been|is|are|got|appeared to be|appears to be|reported)\s+)"
    r"(?:[a-z]+ly\s+)?(?:reported\s+)?(?P<v>injured|hurt|wounded|killed|harmed|shot|struck|hit|dead)\b",
    re.IGNORECASE,
)
_ZERO_NOUN = re.compile(
    r"\b(?:there\s+(?:were|was|are|have been)\s+no|no\s+(?:other\s+|additional\s+|further\s+|serious\s+)?(?:reported\s+)?)"
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
    r"(?:\s+of\s+(?:them|whom|those|the victims|the men|the women))?\s+"
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
    r"|(?P<ms>\bmurder[- ]suicide\b)",
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


_TRIGGER = re.compile(r"kill|dead|die|slain|murder|perish|shot|shoot|gunned|guns down|wound|injur|hurt|hospitali|missing|"
                      r"unaccounted|fatal|casualt|death|struck|grazed|harmed|hit\b|execut|massacre|lost (?:their|his|her) li",
                      re.IGNORECASE)


def _scan_sentence(text: str, title: bool = False) -> list[tuple]:
    hits: list[tuple] = []
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
        add(measure, 0, 0, None, _clean_group(np) if np else None, m.start(), m.end(), 0.85)
    for m in _ZERO_NOUN.finditer(text):
        if overlaps(m.start(), m.end()):
            continue
        v = m.group("v").lower()
        measure = {"injuries": "injured", "deaths": "killed", "fatalities": "killed"}.get(v, "killed_or_injured")
        add(measure, 0, 0, None, None, m.start(), m.end(), 0.75)

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
        elif m.group("one") or m.group("det"):
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
            while True:
                item = _OBJECT_ITEM.match(text, pos)
                if not item:
                    break
                add_n = 1
                if item.group("num"):
                    break
                elif item.group("self"):
                    if measure != "killed":
                        break
                    n_self += 1
                elif not (item.group("det") and _singular_person(item.group("w"))):
                    break
                lo, hi = lo + add_n, hi + add_n
                pos = end = item.end()
                extra_list = True
        _emit_with_tail(text, add, measure, lo, hi, hedge, _clean_group(np), s, end, conf, {"self": n_self} if n_self else None)

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
        measure = _measure(v1, m.group("v2"), (m.group("adv") or "") + (m.group("adv2") or ""))
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
        if start != qs:
            group = text[start: m.start("np") + len(np)].strip() if np else group
            conf = min(conf, 0.8)
            if overlaps(start, qs):
                total_lo, total_hi, start, group = lo, hi, qs, _clean_group(np)
        _emit_with_tail(text, add, measure, total_lo, total_hi, hedge, group, start, m.end(), conf)

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
            v = re.sub(r"^shot,? (?:and )?", "", m.group("v"), flags=re.IGNORECASE)
            measure = _measure(v, None, m.group("adv") or "")
            add(measure, 1, 1, None, m.group("np").strip(), m.start("np"), m.end(), 0.7, {"headline": True})

        for m in _TITLE_OBJECT.finditer(text):
            words = m.group("np").split()
            if words and not _singular_person(words[-1]) and _singular_person(words[0]):
                words = words[:1]
            if overlaps(m.start("np"), m.end()) or not _singular_person(words[-1]) or words[0].lower() in ("a", "an", "the", "his", "her", "their"):
                continue
            measure = _active_measure(m.group("av"), m.group("av2"))
            if measure in ("shot", "injured") and re.search(r"(?<![\w-])(?:fatally|mortally)\s+$", text[max(0, m.start() - 12):m.start()]):
                measure = "killed"
            n = 1
            n_self = 0
            pos = end = m.end()
            if measure == "killed":
                while True:
                    item = _OBJECT_ITEM.match(text, pos)
                    if not item or not (item.group("self") or (not item.group("num") and _singular_person(item.group("w")))):
                        break
                    n += 1
                    n_self += bool(item.group("self"))
                    pos = end = item.end()
            add(measure, n, n, None, " ".join(words), m.start("np"), end, 0.7, {"headline": True, **({"self": n_self} if n_self else {})})

    # multipliers: "double homicide", "triple shooting", "murder-suicide"
    for m in _MULTIPLIER.finditer(text):
        if overlaps(m.start(), m.end()):
            continue
        if m.group("ms"):
            add("killed", 2, None, "murder-suicide", None, m.start(), m.end(), 0.5)
            continue
        n = _MULT[m.group("mult").lower()]
        noun = m.group("noun").lower()
        add("shot" if noun == "shooting" else "killed", n, n, None, None, m.start(), m.end(), 0.7)

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
    r"\ba year\b|\bin history\b|\bdeadliest\b|\bsince (?:January|the start)\b|\bthis weekend\b|\bover the weekend\b|\bacross the city\b",
    re.IGNORECASE,
)


def _claims(text: str, in_title: bool) -> Iterator[Claim]:
    for measure, lo, hi, hedge, group, s, e, conf, extra in _scan(text, in_title):
        ss, se = sentence_at(text, s)
        if _BACKGROUND.search(text[ss:se]) and not in_title:
            extra = {**extra, "background": True}
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


@register(NAME, VERSION)
def extract(text: str, title: str | None = None) -> Iterator[Claim]:
    if title:
        yield from _claims(title, in_title=True)
    yield from _claims(text, in_title=False)


def casualty_spans(text: str) -> list[tuple[int, int]]:
    """Spans of casualty figures in `text` (used by the figures extractor to skip them)."""
    return [(h[5], h[6]) for h in _scan(text)]


__all__ = ["extract", "casualty_spans", "NAME", "VERSION", "sentence_spans"]
