"""Casualty rules for victims that no number counts: a person who shot himself ("a boy accidentally shot
himself", "4-year-old fatally shoots self") and people taken to hospital ("Four people were taken to
the hospital", "a woman was rushed to a hospital"), and a headline's one victim identified ("Crash victim identified":
the dead are identified).  Rules of casualties.RULES, each over one sentence
(`casualties._Sentence`), each run only where its words are (the words are in RULES beside it).

A reflexive object says who and how many by itself: one person (himself, herself, self); "themselves"
says no number and is left out.  Being taken to hospital says the people were hurt, unless the sentence
says they died there ("was taken to a hospital, where he died": that death is another rule's).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from claimwire.extractors.casualty_patterns import CASUALTY_WORD, NP_STOP_SUBJ, NP_TOK, ORDINALS, Q
from claimwire.extractors.casualty_people import (
    context_ok,
    coordinated,
    is_person,
    is_person_word,
    items_before,
    np_before,
    singular_person,
)
from claimwire.numbers import quantity_bounds
from claimwire.vocabulary import number_words

if TYPE_CHECKING:
    from claimwire.extractors.casualties import Hit, _Sentence

# "accidentally shot himself", "fatally shoots self", "shot herself in the leg", "killed himself", "took his own life"
SELF_INFLICTED = re.compile(
    r"(?<!\bto )(?<!\bcould )(?<!\bwould )(?<!\bmight )(?<!\bwill )"
    r"\b(?P<had>had\s+)?(?P<adv>(?:[a-z]+ly\s+){0,2})(?P<v>shot|shoots|shooting|killed|kills|(?:took|takes|taking|take)(?=\s+(?:his|her)\s+own\s+life\b))"
    r"\s+(?P<obj>himself|herself|self|(?:(?:his|her)\s+)?own\s+(?:leg|foot|hand|arm|life))\b"
    r"(?P<dead>\s+(?:to death|dead)\b)?",
    re.IGNORECASE,
)
#: what tells a gerund's shooting done: "after accidentally shooting himself", "after finding a gun and shooting herself"
_DONE_BEFORE = re.compile(r"\b(?:after|before)\b[^.;,:]*$", re.IGNORECASE)
#: how the one who shot himself fared, told before it: the other rules read that ("recovering after ...": hurt)
_FARED = re.compile(
    r"\b(?:hospitali[sz]ed|hospital|recovering|recovers|surviv\w*|alive|injured|wounded|hurt|stable|condition|dies|died|dead|killed)\b",
    re.IGNORECASE,
)


def _gerund_done(text: str, start: int) -> bool:
    """ "Hunter hurt his pride after accidentally shooting himself": the shooting is told done (not "thought
    about shooting himself") and how he fared is not told before it (another rule reads "dies after ...")."""
    done = _DONE_BEFORE.search(text, max(0, start - 60), start)
    return done is not None and not _FARED.search(text, 0, start)


#: after "shot himself ...": the same clause says he died
DIED_AFTER = re.compile(r"[^.;]{0,80}?\b(?:and|,)\s+(?:later\s+)?(?:died|was pronounced dead|was killed)\b", re.IGNORECASE)
#: someone else hurt before the reflexive: "struck a friend in the chest, then fatally shot himself"
OTHER_VICTIM = re.compile(
    r"\b(?:shot|shoots|shooting|struck|strikes|striking|killed|kills|killing|wounded|wounding|stabbed|stabbing|hit|hitting)\s+"
    r"(?!(?:him|her|them)sel(?:f|ves)\b|self\b|by\b|in\b|at\b|on\b|and\b|with\b|to\b|into\b|out\b|up\b|off\b)[\w'’-]+",
    re.IGNORECASE,
)
#: "had shot himself" tells an earlier shooting, unless it is what someone reports of this one
REPORTED = re.compile(r"\b(?:said|says|told|according)\b", re.IGNORECASE)
FATAL = re.compile(r"\b(?:fatally|mortally)\b", re.IGNORECASE)

_TO_HOSPITAL = (
    r"(?:taken|transported|rushed|airlifted|flown|carried|driven|brought)\s+"
    r"(?:by\s+(?:[\w'’-]+\s+){0,2}?(?:ambulance|helicopter|medics|paramedics|vehicle|car|boat|friends?|relatives|family(?:\s+members?)?)\s+)?"
    r"to\s+(?:a\s+|an\s+|the\s+|area\s+|local\s+|nearby\s+)?(?:[\w'’.-]+\s+){0,4}?"
    r"(?:hospitals?|medical cent(?:er|re)s?|trauma cent(?:er|re)s?)\b"
)
# "Four people were taken to the hospital", "a woman was rushed to a local hospital", "4 taken to hospital"
TO_HOSPITAL = re.compile(
    rf"(?<![\w'’-])(?:{Q}|(?P<one>an?|one|another|the)\b)"
    rf"(?P<np>(?:\s+(?!{NP_STOP_SUBJ}\b|{CASUALTY_WORD}\b){NP_TOK}){{0,6}}?)"
    r"\s+(?:(?:were|was|have been|has been|had been|are|is)\s+)?(?:(?:all|also|later|then|each|both)\s+)?"
    rf"{_TO_HOSPITAL}",
    re.IGNORECASE,
)
HOSPITAL_WORD = re.compile(r"hospital|medical cent|trauma cent", re.IGNORECASE)
#: the people taken to hospital died there: their death is told by another rule, they are no wounded
DIED_THERE = re.compile(r"\b(?:died|dead|succumbed|killed|passed away|deaths?|bod(?:y|ies))\b", re.IGNORECASE)
#: taken to hospital to be checked, not hurt
PRECAUTION = re.compile(
    r"\b(?:as a precaution|precautionary|for (?:evaluation|observation|a check-?up)|to be (?:checked|evaluated))\b", re.IGNORECASE
)


# "doctors were not able to save her", "he could not be saved": one person died of the wounds
NOT_SAVED = re.compile(
    r"\b(?:(?:could|were|was)\s+(?:not|unable)\s+(?:able\s+)?(?:to\s+)?save|couldn['’]t\s+save|failed\s+to\s+save)\s+(?P<obj>him|her)\b"
    r"|\b(?P<subj>[Hh]e|[Ss]he)\b(?:[^.;]{0,60}?\bbut)?\s+(?:could\s+not|couldn['’]t)\s+be\s+saved\b"
)


def _rule_not_saved(sent: _Sentence) -> None:
    """ "She was taken to the hospital, but doctors were not able to save her" -> 1 killed (the person named
    before, a pronoun: never a second victim); not where the sentence already counts the dead."""
    if any(h.measure == "killed" for h in sent.hits):
        return
    for m in NOT_SAVED.finditer(sent.text):
        who = m.group("obj") or m.group("subj")
        sent.add("killed", 1, 1, None, who, m.start(), m.end(), 0.5, {"singular": True, "one": "pronoun"})
        return


# "deputies located a deceased white male", "officers found a dead man in the car": one dead person
FOUND_ONE_DEAD = re.compile(
    r"\b(?:found|finds|find|located|locate|discovered|discover)\s+(?:a|an|one)\s+(?:dead|deceased)\s+"
    r"(?P<np>(?:[\w-]+\s+){0,2}?(?:male|female|man|woman|person|child|boy|girl|teen|teenager|juvenile|victim|adult))\b",
    re.IGNORECASE,
)


def _rule_found_one_dead(sent: _Sentence) -> None:
    """ "Upon arrival, deputies located a deceased white male" -> 1 killed."""
    for m in FOUND_ONE_DEAD.finditer(sent.text):
        if not sent.overlaps(m.start("np"), m.end()):
            sent.add("killed", 1, 1, None, m.group("np"), m.start(), m.end(), 0.6, {"one": "indefinite"})


def _self_word(m: re.Match[str]) -> str:
    """Who the reflexive names: "took his own life" is "himself", "her own life" "herself"."""
    obj = m.group("obj")
    if not obj.lower().endswith(" life"):
        return obj
    return "herself" if obj.lower().startswith("her") else "himself"


def _self_measure(m: re.Match[str], text: str) -> str:
    if m.group("v").lower().startswith(("kill", "t")) or m.group("dead") or FATAL.search(m.group("adv")):
        return "killed"
    return "killed" if DIED_AFTER.match(text, m.end()) else "shot"


def _rule_self_inflicted(sent: _Sentence) -> None:
    """ "A boy accidentally shot himself" -> 1 shot, "4-year-old fatally shoots self" -> 1 killed."""
    text = sent.text
    for m in SELF_INFLICTED.finditer(text):
        if _after_his_victims(sent, m):
            continue
        if m.group("v").lower() == "shooting" and not _gerund_done(text, m.start()):
            continue
        if sent.hits or m.group("had") and not REPORTED.search(text) or OTHER_VICTIM.search(text, 0, m.start()):
            # a hit already in the sentence ("killed his wife and then himself": the objects' rule counted him), an
            # earlier shooting ("had shot himself"), or someone else hurt first: the attacker's end, told with his victims
            continue
        np = np_before(text, m.start(), sent.title)
        if np is not None and np[0] != 1:
            continue  # "two men shot themselves"? a plural subject: not one person
        measure = _self_measure(m, text)
        if np is None:  # "he found a gun and shot himself": someone the article names elsewhere
            sent.add(measure, 1, 1, None, _self_word(m), m.start("v"), m.end(), 0.5, {"singular": True, "one": "pronoun"})
            continue
        group = text[np[1] : m.start()].strip()
        sent.add(measure, 1, 1, None, group, np[1], m.end(), 0.6, {"singular": True}, victim=group)


#: between a killing and the reflexive: "killed his two daughters in the car before shooting himself", "then he shot himself"
_THEN_BEFORE = re.compile(r"\b(?:then|before)\s+(?:(?:he|she)\s+)?$", re.IGNORECASE)
#: after the reflexive, the attacker told alive or hurt: "before shooting himself in the leg", "... and survived"
_SELF_SURVIVED = re.compile(
    r"[^.;]*?\b(?:surviv\w*|alive|hospitali[sz]ed|hospital|condition|critical|stable|injur\w*|wound\w*|leg|arm|foot|hand|shoulder)\b",
    re.IGNORECASE,
)


def _shot_himself_after_killing(sent: _Sentence, hit: Hit, m: re.Match[str]) -> bool:
    """ "Man killed 2 daughters in car before shooting himself": after his killing, "then" or "before" shooting
    himself is his death, as the list rule reads "killed three people and then shot himself" (not where the
    sentence tells him alive or hurt: "before shooting himself in the leg")."""
    return (
        hit.measure == "killed"
        and hit.low == hit.high
        and _THEN_BEFORE.search(sent.text, hit.end, m.start()) is not None
        and not _SELF_SURVIVED.match(sent.text, m.end())
    )


def _after_his_victims(sent: _Sentence, m: re.Match[str]) -> bool:
    """ "wounded an officer and then killed himself", "killed three people before killing himself": the
    attacker's own death, told after the victims his verb counted, is counted with them (a killed count
    gains him, as "killed his wife and himself" does; beside a wounded count he is one dead). True when
    it was counted so."""
    if m.group("had") or sent.overlaps(m.start(), m.end()) or any(h.extra.get("self") for h in sent.hits):
        return False
    before = [i for i in sent.active if sent.hits[i].end <= m.start() and sent.hits[i].low]
    if not before or _self_measure(m, sent.text) != "killed" and not _shot_himself_after_killing(sent, sent.hits[before[-1]], m):
        return False
    i = before[-1]
    hit = sent.hits[i]
    if hit.measure == "killed" and hit.low == hit.high:
        sent.hits[i] = hit._replace(low=hit.low + 1, high=hit.high + 1, extra={**hit.extra, "self": 1})
        sent.taken.append((m.start(), m.end()))
    else:
        sent.add("killed", 1, 1, None, _self_word(m), m.start("v"), m.end(), 0.5, {"singular": True, "one": "pronoun", "self": 1})
    return True


def _hospital_count(text: str, m: re.Match[str]) -> tuple[float, float | None, str | None] | None:
    np = m.group("np") or ""
    if m.group("one"):
        return (1, 1, None) if singular_person(np) else None
    if (
        np.strip()
        and not is_person(np)
        or not context_ok(text, m.start("hedge") if m.group("hedge") else m.start("num"), m.group("num"), np)
    ):
        return None
    if np.strip() and not any(is_person_word(w) for w in np.split()):
        return None
    lo, hi, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
    return None if lo is None else (lo, hi, hedge)


class _People(NamedTuple):
    lo: int
    hi: int | None
    hedge: str | None
    group: str | None
    start: int
    joined: bool  # people coordinated before the match were added ("three women and two men were ...")


def _people(sent: _Sentence, m: re.Match[str], *, join_after_one: bool) -> _People | None:
    """The people a TO_HOSPITAL or WITH_WOUNDS match counts, with those coordinated before it ("three women and two
    men were taken to hospital"; after "a man" or "the victim" too when JOIN_AFTER_ONE); None when another rule
    read that span or there is no one."""
    text = sent.text
    start = m.start("hedge") if m.group("hedge") else (m.start("num") if m.group("num") else m.start("one"))
    if sent.overlaps(start, m.end()):
        return None
    count = _hospital_count(text, m)
    if count is None or not count[0]:
        return None
    lo, hi, hedge = count
    group = (m.group("np") or "").strip() or None
    joined = coordinated(text, start) if join_after_one or not m.group("one") else None
    if joined is not None and not sent.overlaps(joined[2], start):
        lo, hi, start = lo + joined[0], None if hi is None or joined[1] is None else hi + joined[1], joined[2]
        group = text[start : m.start("np") + len(m.group("np") or "")].strip()
    return _People(lo, hi, hedge, group, start, joined is not None)


def _rule_to_hospital(sent: _Sentence) -> None:
    """ "Four people were taken to the hospital" -> 4 injured; not where the sentence tells a death."""
    text = sent.text
    if not HOSPITAL_WORD.search(text) or DIED_THERE.search(text) or PRECAUTION.search(text):
        return
    for m in TO_HOSPITAL.finditer(text):
        people = _people(sent, m, join_after_one=False)
        if people is None:
            continue
        definite = (m.group("one") or "").lower() == "the"  # "the victim was taken to hospital": one named back
        extra = {"singular": True} if definite else None
        sent.add("injured", people.lo, people.hi, people.hedge, people.group, people.start, m.end(), 0.6, extra)


# "Boy stable after accidental shooting", "a teen remains in the hospital following an accidental shooting",
# "Woman airlifted after crash": one person told alive and hurt after the event, no casualty verb
ALIVE_AFTER = re.compile(
    r"\s+(?:(?:is|was|remains|remained)\s+)?(?:(?:now|still|listed)\s+)?"
    r"(?:in\s+(?:stable|critical|serious|fair|good|grave)(?:\s+but\s+stable)?\s+condition|stable|recovering|hospitali[sz]ed|airlifted"
    r"|expected\s+to\s+(?:recover|survive)|in\s+(?:the\s+)?hospital)"
    r"\s+(?:after|following)\s+(?:an?\s+|the\s+)?(?:[\w'’-]+\s+){0,4}?"
    r"(?:shooting|accident|crash|attack|explosion|blast|bombing|fire|stabbing|fall|collision|assault)\b",
    re.IGNORECASE,
)


def _rule_alive_after(sent: _Sentence) -> None:
    """ "Woman recovering after accidental shooting", "A female victim is expected to recover after the
    shooting" -> 1 injured (one person, told alive; "Man killed, woman hospitalized after shooting": the woman)."""
    for m in ALIVE_AFTER.finditer(sent.text):
        np = np_before(sent.text, m.start(), sent.title)
        if np is None or np[0] != 1 or np[2] or sent.overlaps(np[1], m.end()):
            continue
        group = sent.text[np[1] : m.start()].strip()
        if not singular_person(group):
            continue
        definite = group.split()[0].lower() in ("the", "his", "her", "their")
        extra = {"survived": True, **({"singular": True} if definite else {})}
        sent.add("injured", 1, 1, None, group, np[1], m.end(), 0.5, extra)
        return


# "officers found two women with gunshot wounds", "a man walked into the hospital with a gunshot wound":
# the people were shot (or stabbed), the outcome not told
_WOUND_KIND = r"(?P<kind>gunshot|gun\s+shot|bullet|stab|knife)"
_ARRIVED = (
    r"(?:(?:(?:was|were|had\s+been|has\s+been|had|have)\s+)?(?:later\s+|also\s+)?"
    r"(?:walked|showed\s+up|arrived|came|went|turned\s+up|(?:dropped|dumped)\s+off|found|discovered|located|"
    r"taken|transported|rushed|brought|driven|airlifted|flown)"
    r"(?:\s+(?:in|into|at|to)\s+(?:[\w'’.-]+\s+){0,5}?[\w'’.-]+)?\s+)"
)
WITH_WOUNDS = re.compile(
    rf"(?<![\w'’-])(?:{Q}|(?P<one>an?|one|another|the)\b)"
    rf"(?P<np>(?:\s+(?!{NP_STOP_SUBJ}\b|{CASUALTY_WORD}\b){NP_TOK}){{0,6}}?)"
    rf"(?:\s*,\s*\d{{1,3}}\s*,)?\s*,?\s+{_ARRIVED}?with\s+(?:an?\s+|multiple\s+|several\s+|various\s+)?"
    rf"(?:(?!self-inflicted\b)[\w-]+\s+){{0,2}}?{_WOUND_KIND}\s+wounds?\b",
    re.IGNORECASE,
)


def _rule_with_wounds(sent: _Sentence) -> None:
    """ "Police found a man with a gunshot wound to the leg" -> 1 shot; "three people walked into the hospital
    with gunshot wounds" -> 3 shot; "with stab wounds" -> hurt, the outcome not told."""
    for m in WITH_WOUNDS.finditer(sent.text):
        people = _people(sent, m, join_after_one=True)  # "found a 48-year-old man and a 15-year-old with ..."
        if people is None:
            continue
        definite = (m.group("one") or "").lower() == "the" and not people.joined
        measure = "shot" if m.group("kind").lower() in ("gunshot", "gun shot", "bullet") else "killed_or_injured"
        extra = {"singular": True} if definite else None
        sent.add(measure, people.lo, people.hi, people.hedge, people.group, people.start, m.end(), 0.6, extra)


# a person named, arriving somewhere with wounds: "Tony Reyes, 38, of Calais, had arrived at Calais Regional Hospital
# with a gunshot wound" (the arrival told: "police found Reyes with ..." is another rule's)
NAMED_WITH_WOUNDS = re.compile(
    r"(?<![\w'’.-])(?P<name>(?-i:[A-Z][a-z][\w'’-]*(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z]*[A-Z]?[a-z][\w'’-]*){1,2}))"
    r"(?:\s*,\s*\d{1,3}\s*,)?(?:\s+of\s+(?-i:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2})\s*,)?"
    rf"\s+(?={_ARRIVED}with\b){_ARRIVED}with\s+(?:an?\s+|multiple\s+|several\s+)?"
    rf"(?:(?!self-inflicted\b)[\w-]+\s+){{0,2}}?{_WOUND_KIND}\s+wounds?\b",
    re.IGNORECASE,
)


def _rule_named_with_wounds(sent: _Sentence) -> None:
    """ "Tony Reyes, 38, had arrived at Calais Regional Hospital with a gunshot wound" -> 1 shot (one person, named)."""
    for m in NAMED_WITH_WOUNDS.finditer(sent.text):
        name = m.group("name")
        if sent.overlaps(m.start(), m.end()) or name.split()[0].lower() in _NOT_A_NAME:
            continue
        measure = "shot" if m.group("kind").lower() in ("gunshot", "gun shot", "bullet") else "killed_or_injured"
        sent.add(measure, 1, 1, None, name, m.start(), m.end(), 0.6, {"singular": True, "one": "name"})


#: capitalised words that start a sentence's noun phrase, no name: "Police later learned ...", "The Driver arrived ..."
_NOT_A_NAME = frozenset("the a an police officers officer his her their two three four five six one another both".split())


# a headline's arrival in the present tense, its people bare nouns: "Boy, girl walk into Wichita hospital with gunshot
# wounds", "Man shows up at ER with stab wound"
TITLE_WITH_WOUNDS = re.compile(
    r"\s+(?:walks?|shows?\s+up|arrives?|turns?\s+up|comes?|(?:is|are)\s+(?:found|taken|rushed|dropped\s+off))"
    r"(?:\s+(?:in|into|at|to)\s+(?:[\w'’.-]+\s+){0,5}?[\w'’.-]+)?\s+with\s+(?:an?\s+|multiple\s+|several\s+)?"
    rf"(?:(?!self-inflicted\b)[\w-]+\s+){{0,2}}?{_WOUND_KIND}\s+wounds?\b",
    re.IGNORECASE,
)


def _rule_title_with_wounds(sent: _Sentence) -> None:
    """A headline's "Boy, girl walk into hospital with gunshot wounds" -> 2 shot (as WITH_WOUNDS in a sentence)."""
    if not sent.title:
        return
    for m in TITLE_WITH_WOUNDS.finditer(sent.text):
        items = items_before(sent.text, m.start(), True, need_sep=False)
        if not items or any(is_self for _, is_self, _ in items) or sent.overlaps(items[-1][2], m.end()):
            continue
        total = sum(value for value, _, _ in items)
        start = items[-1][2]
        measure = "shot" if m.group("kind").lower() in ("gunshot", "gun shot", "bullet") else "killed_or_injured"
        sent.add(
            measure,
            total,
            total,
            None,
            sent.text[start : m.start()].strip(),
            start,
            m.end(),
            0.6,
            {"list": True} if len(items) > 1 else None,
        )


#: words that count or order victims: "Fifth victim in Chesapeake shooting identified", "1 victim identified" (a part of a toll)
_COUNTING = re.compile(
    rf"(?:\d+\w*|{number_words(1, 10)}|first|{'|'.join(word for word in ORDINALS if word.isalpha())}|last|latest|another|other|of|and|&)$",
    re.IGNORECASE,
)
_VICTIM_NP = r"(?:[\w'’.-]+\s+){0,4}?victim"
#: a headline's one victim identified: "Helena shooting victim identified", "Victim of Dhaka bus crash identified as
#: student", "Police identify victim in Sylhet blast", "Ferry victim named" (news identifies the dead; the hurt it names)
IDENTIFIED_VICTIM = re.compile(
    rf"(?P<np>{_VICTIM_NP})(?:,\s*\d{{1,3}},)?(?:\s+(?:of|in)\s+[^,;:|]{{1,60}}?)?,?\s+(?:(?:is|was|has\s+been)\s+)?"
    r"(?:identified|id['’]?d|named(?=\s+as\b|\s*$|\s*[,;:|–—-]))"
    rf"|\b(?:identif(?:y|ies|ied)|IDs?|names?)\s+(?P<np2>(?:the\s+)?{_VICTIM_NP})\b(?![s'’])",
    re.IGNORECASE,
)


def _rule_identified_victim(sent: _Sentence) -> None:
    """A headline's one victim identified: "Crash victim identified as Dhaka student", "Helena shooting victim
    identified" -> 1 killed (the police and the coroner identify the dead; "shooting victim" alone is one shot);
    not where the headline counts anyone else, not "Fifth victim ... identified" or "1 victim identified" (a part
    of a toll), nor "victims" (how many is not said)."""
    if not sent.title:
        return
    for m in IDENTIFIED_VICTIM.finditer(sent.text):
        group = "np" if m.group("np") else "np2"
        start = m.start(group)
        before = sent.text[:start].split()
        if before and _COUNTING.match(before[-1]) or any(_COUNTING.match(w) for w in m.group(group).split()):
            continue
        inside = [i for i, h in enumerate(sent.hits) if start <= h.start and h.end <= m.end()]
        others = [h for i, h in enumerate(sent.hits) if i not in inside and not h.extra.get("implied")]
        if others or any(sent.hits[i].low != 1 or sent.hits[i].high != 1 for i in inside):
            return
        if inside:  # "shooting victim" read as one shot: the one identified, dead
            hit = sent.hits[inside[0]]
            shot = {"shot": 1} if hit.measure == "shot" else {}
            sent.hits[inside[0]] = hit._replace(measure="killed", extra={**hit.extra, **shot, "identified": hit.measure})
            return
        sent.add("killed", 1, 1, None, m.group(group), start, m.end(), 0.5, {"headline": True, "one": "definite", "identified": True})
        return


# "The family's pet collie, Fenn, was also killed": a name set beside a noun that is no person
_APPOSED_TO = re.compile(r"\b(?P<noun>[a-z][\w'’-]*)\s*,\s*$")
_APPOSITION_END = re.compile(r"\s*,\s*(?:is|was|remains)\b")


def apposed_to_thing(text: str, start: int, end: int) -> bool:
    """Is the name at [start, end) set beside a noun that names no person ("his dog, Rex, was killed")?"""
    before = _APPOSED_TO.search(text, max(0, start - 40), start)
    return bool(before and _APPOSITION_END.match(text, end) and not is_person_word(before.group("noun")))


__all__ = [
    "ALIVE_AFTER",
    "apposed_to_thing",
    "FOUND_ONE_DEAD",
    "NOT_SAVED",
    "SELF_INFLICTED",
    "TITLE_WITH_WOUNDS",
    "TO_HOSPITAL",
    "WITH_WOUNDS",
]
