"""Casualty figures: killed, injured, shot, missing, killed_or_injured -- with bounds, hedge,
group and source -- in news of any kind: shootings, bombings, disasters, accidents, war.

Rule-based (compiled regexes over sentences; no parser).  Each rule is a function over one
sentence that adds typed hits (`Hit`); RULES runs them in order, and a span taken by an earlier
rule is not read again.  The patterns are in casualty_patterns.py, the noun-phrase helpers (who
and how many a phrase counts) in casualty_people.py.  Patterns:

* subject + passive/adjectival verb: "seven members of pro-government forces were killed",
  "27 wounded", "The four miners trapped by the flood died", "All 157 people on board were
  killed"; joined subjects summed ("a 12-year-old and three others were shot" -> 4 shot, "Capt.
  Tom Ruiz and Trooper Ann Lee, both 51, died" -> 2);
* verb + object: "airstrikes kill 100 Assad-backed forces", "killed a fire department captain and
  a gas company engineer" (2), "left 12 dead and about 40 hurt", "shot Lena Berg in the leg";
* "two people were shot, one fatally" -> 1 killed and 1 injured;
* negatives: "no US forces were injured", "no one was hurt", "no casualties" -> 0;
* singular victims: "a man was shot and killed", "Smith, 25, died", "the victim died" -> 1;
* nouns: "three deaths", "the death toll rose to 5", "the deaths of two women", "Flynn's death",
  "the bodies of two divers were recovered", "12 bodies were recovered", "rescuers found a body"; relative and inverted forms ("the nurse who died",
  "Among the dead were two firefighters").

Figures dated to another incident ("In 2009, a bombing killed 80", "so far this year") are left
out; other background words mark a claim ``extra.background`` (not read as the event's toll).
Claims found in the title carry ``extra={"in_title": True}``; their span and ``sentence``
then refer to the title, every other span to the cleaned body text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, NamedTuple

from claimwire.actors import actor_key
from claimwire.claims import CASUALTY, Claim
from claimwire.extractors import register
from claimwire.extractors._folded import finditer_folded, found_folded, lowered
from claimwire.extractors._lexicon import ANIMAL_NOUNS, MONTHS, PERSON_NOUNS, THING_NOUNS
from claimwire.extractors._starts import finditer_where
from claimwire.extractors._text import attribution_for, sentence_at, sentence_spans
from claimwire.extractors.casualty_patterns import (
    ACCUSED_OF,
    ACTIVE_VERB_FIRST,
    AFTER_SUBJECT,
    ALSO_FIGURE,
    ATTACKER_NOUN,
    BACKGROUND,
    BACKGROUND_FIRST,
    BARE_AGES,
    BODIES_FOUND,
    CASUALTY_VERB,
    CASUALTY_WORD,
    CLAUSE_BREAK,
    DATED,
    DESCRIBED_BY,
    DIED_AFTER_RELATIVE,
    DIED_TAIL,
    EVENT_GENITIVE,
    EVENT_OF,
    EVENT_OF_COUNT,
    FATAL_ADVERB,
    FATAL_BEFORE,
    FATAL_BEFORE_TITLE,
    FATAL_NOUN,
    FATALLY_TAIL,
    FOUND_BODIES,
    FOUND_BODY,
    FWD_ITEM,
    GERUND_AS_NOUN_BEFORE,
    HEADLINE,
    HEADLINE_DOING,
    HEADLINE_KIN,
    HEADLINE_OBJECT_FOLLOWS,
    HEADLINE_SHOT_PREFIX,
    HEADLINE_WHERE_DIED,
    HIT_WORD,
    INJURED_ONLY,
    INJURED_WORD,
    INTRANSITIVE_DEATH,
    INVERTED,
    KILLED_WORD,
    LEAD_CHARS,
    LEFT_JOINED,
    LEFT_STATE,
    LEGAL,
    MISSING_WORD,
    MULTIPLIER,
    MULTIPLIERS,
    NAMED_OBJECT,
    NAMED_SINGULAR,
    NEAR_MISS,
    NEGATED_ADVERB,
    NONFATAL_WOUND,
    NOT_SUBJECTS,
    NOT_WORD,
    NOUN_FIGURE,
    NP_STOP_SUBJ,
    NP_TOK,
    OBJECT,
    OBJECT_NUMBER_FOLLOW,
    OBJECT_START,
    OBJECT_WORDS,
    ORDINAL_VICTIM,
    ORDINALS,
    OTHER_INCIDENT,
    OTHERS_FIGURE,
    OTHERS_GAP,
    PART_DIED,
    PART_DIED_HURT,
    PARTITIVE,
    PARTITIVE_WHOLE,
    PASSIVE_FOLLOW,
    PLACE_HEADS,
    PLURAL_APPOSITIVE,
    PRONOUN_EVENT,
    QUANTITY,
    QUANTITY_FIRST,
    RELATIVE_AFTER,
    RELATIVE_VICTIM,
    RETRACTED_AFTER,
    RETRACTED_BEFORE,
    ROLE_RUN_BEFORE,
    ROUNDUP,
    ROUNDUP_FIRST,
    SEVERITY,
    SHOT_KILLED,
    SINCE_CLAUSE,
    SINCE_SUPERLATIVE,
    SINGULAR_AUX,
    SUBJECT,
    SUBJECT_FIRST,
    SURVIVED_TAIL,
    TITLE_BODY_FOUND,
    TITLE_OBJECT,
    TOLL,
    TRAILING_AGE,
    TREATED,
    TRIGGER,
    UNBORN,
    UNCERTAIN,
    VIDEO_LINK,
    WORD,
    ZERO,
    ZERO_EVERYONE,
    ZERO_NOT_VICTIMS,
    ZERO_NOUN,
)
from claimwire.extractors.casualty_people import (
    clean_group,
    context_ok,
    coordinated,
    head,
    is_name,
    is_person,
    is_person_word,
    item_value,
    items_after,
    items_before,
    mention,
    np_before,
    singular_person,
)
from claimwire.extractors.casualty_unnumbered import (
    _rule_alive_after,
    _rule_found_one_dead,
    _rule_identified_victim,
    _rule_named_with_wounds,
    _rule_not_saved,
    _rule_self_inflicted,
    _rule_title_with_wounds,
    _rule_to_hospital,
    _rule_with_wounds,
    apposed_to_thing,
)
from claimwire.numbers import quantity_bounds

NAME = "casualties"
VERSION = "2.25.0"

_AFTER_SUBJECT_LOWER = lowered(AFTER_SUBJECT)
_EVENT_OF_LOWER = lowered(EVENT_OF)
_LEGAL_LOWER = lowered(LEGAL)


def _legal(text: str) -> bool:
    return found_folded(LEGAL, _LEGAL_LOWER, text)


class Hit(NamedTuple):
    """One casualty figure found in a sentence, before it becomes a Claim."""

    measure: str
    low: float | None
    high: float | None
    hedge: str | None
    group: str | None
    start: int
    end: int
    confidence: float
    extra: dict[str, Any]


@dataclass
class _Sentence:
    """The state the rules share over one sentence: its hits and the spans they took."""

    text: str
    title: bool
    hits: list[Hit] = field(default_factory=list)
    taken: list[tuple[int, int]] = field(default_factory=list)
    active: list[int] = field(default_factory=list)  # hits of an active verb and its objects ("Man shot wife, 3 kids")

    def overlaps(self, start: int, end: int) -> bool:
        return any(start < te and ts < end for ts, te in self.taken)

    def add(
        self, measure: str, low: float | None, high: float | None, hedge: str | None, group: str | None, start: int, end: int,
        confidence: float, extra: dict[str, Any] | None = None, victim: str | None = None,
    ) -> None:  # fmt: skip
        """Add a hit; a hit of one person records how the text names them (extra "one", see
        casualty_people.mention), `victim` being that phrase when the hit does not start with it."""
        extra = extra or {}
        if measure == "killed" and low and UNBORN.search(self.text, start, end):
            extra = {**extra, "unborn": len(UNBORN.findall(self.text, start, end))}  # counted, as news counts them
        if low == high == 1 and "one" not in extra:
            kind = mention(self.text[start:end] if victim is None else victim)
            if kind is not None:
                extra = {**extra, "one": kind}
        self.hits.append(Hit(measure, low, high, hedge, group, start, end, confidence, extra))
        self.taken.append((start, end))

    def add_with_tail(
        self, measure: str, low: float | None, high: float | None, hedge: str | None, group: str | None, start: int, end: int,
        confidence: float, extra: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        """ "two people were shot, one fatally" -> 1 killed and 1 injured."""
        if measure == "shot" and high is not None and low == high:
            tail = FATALLY_TAIL.match(self.text, end)
            if tail:
                knum = tail.group("knum") or tail.group("k")
                k_lo, k_hi, _ = quantity_bounds(knum, tail.group("khedge") if tail.group("knum") else None)
                if k_lo is not None and k_lo == k_hi and k_lo <= low:
                    derived = {"derived_from": "shot", "shot": low}
                    self.add("killed", k_lo, k_lo, None, group, start, tail.end(), confidence, dict(derived))
                    self.add("injured", low - k_lo, low - k_lo, None, group, start, tail.end(), confidence, dict(derived))
                    return
        self.add(measure, low, high, hedge, group, start, end, confidence, extra)


# --- measures ------------------------------------------------------------------------------------


def _verb_measure(verb: str | None) -> str | None:
    if not verb:
        return None
    verb = verb.lower()
    if KILLED_WORD.fullmatch(verb):
        return "killed"
    if INJURED_WORD.fullmatch(verb):
        return "injured"
    if MISSING_WORD.fullmatch(verb):
        return "missing"
    if HIT_WORD.fullmatch(verb):
        return "killed_or_injured"
    return "shot"


def _measure(v1: str, v2: str | None, adv: str) -> str:
    """The measure of a passive verb chain: "shot and killed" -> killed, "killed or wounded" ->
    killed_or_injured, "fatally shot" -> killed."""
    k1, k2 = _verb_measure(v1), _verb_measure(v2)
    adv = (adv or "").lower()
    if k1 in ("shot", "injured", "killed_or_injured") and FATAL_ADVERB.search(adv):
        k1 = "killed"
    if k2 is None or k2 == k1:
        return k1 or "shot"
    pair = {k1, k2}
    if pair == {"killed", "injured"}:
        return "killed_or_injured"
    if "shot" in pair:
        return (pair - {"shot"}).pop()
    if "killed_or_injured" in pair and pair & {"killed", "injured"}:
        return (pair & {"killed", "injured"}).pop()  # "stabbed and killed"
    if "missing" in pair:
        return "killed_or_injured" if pair != {"missing"} else "missing"
    return k1


def _active_measure(av: str, av2: str | None) -> str:
    """The measure of an active verb (and a second one joined to it): "kills", "killed and wounded"."""
    a = av.lower()
    if "dead" in a or a.startswith(("kill", "claim", "tak", "took", "gunned", "guns", "murder", "slay", "slew", "executed", "massacred")):
        base = "killed"
    else:
        base = "shot" if a.startswith("sho") else "killed_or_injured" if a.startswith("stab") else "injured"
    if not av2:
        return base
    b = "killed" if av2.lower().startswith("kill") else "injured"
    if base == "shot":
        return b
    return base if base == b else "killed_or_injured"


# --- rules: zero figures ---------------------------------------------------------------------------

_ZERO_MEASURES = {"killed": "killed", "dead": "killed", "shot": "shot", "struck": "shot", "hit": "shot"}
_ZERO_NOUN_MEASURES = {"injuries": "injured", "deaths": "killed", "fatalities": "killed"}


def _rule_zero(sent: _Sentence) -> None:
    """ "No U.S. forces were injured", "no one was hurt"."""
    for m in ZERO.finditer(sent.text):
        measure = _ZERO_MEASURES.get(m.group("v").lower(), "injured")
        np = (m.group("np") or "").strip()
        neg = m.group("neg").lower()
        if neg == "no" and (not np or not is_person(np) and actor_key(np) is None):
            continue
        if ZERO_NOT_VICTIMS.search(np):
            continue
        # "no one else was hurt", "neither officer was injured", "no officers were hurt": zero for
        # a part of the people involved, not the event's figure
        partial = bool(m.group("else")) or neg == "neither" or (bool(np) and not ZERO_EVERYONE.fullmatch(np))
        sent.add(measure, 0, 0, None, clean_group(np) if np else None, m.start(), m.end(), 0.85, {"partial": True} if partial else None)


def _rule_zero_noun(sent: _Sentence) -> None:
    """ "There were no injuries", "no other casualties"."""
    for m in ZERO_NOUN.finditer(sent.text):
        if sent.overlaps(m.start(), m.end()):
            continue
        measure = _ZERO_NOUN_MEASURES.get(m.group("v").lower(), "killed_or_injured")
        sent.add(measure, 0, 0, None, None, m.start(), m.end(), 0.75, {"partial": True} if m.group("other") else None)


def _rule_ordinal_victim(sent: _Sentence) -> None:
    """ "third victim dies" -> 3 killed."""
    for m in ORDINAL_VICTIM.finditer(sent.text):
        if sent.overlaps(m.start(), m.end()):
            continue
        if m.group("noun") and not (is_person_word(m.group("noun")) or m.group("noun").lower() == "body"):
            continue
        n = ORDINALS[(m.group("ord") or m.group("ord2") or m.group("ord3")).lower()]
        sent.add("killed", n, n, None, m.group("noun"), m.start(), m.end(), 0.7)


def _rule_part_died(sent: _Sentence) -> None:
    """ "One of two girls critically shot Wednesday has died", "1 of 2 Students Wounded Has Died": the
    part died, the rest are wounded (as "two people were shot, one fatally")."""
    for m in PART_DIED.finditer(sent.text):
        np = m.group("np")
        people = [w for w in re.findall(r"[\w'’-]+", np) if is_person_word(w)]
        if not people or not PART_DIED_HURT.search(np) or sent.overlaps(m.start(), m.end()):
            continue
        k, _, _ = quantity_bounds(m.group("k"), None)
        n, _, _ = quantity_bounds(m.group("n"), None)
        if k is None or n is None or not 0 < k < n:
            continue
        sent.add("killed", k, k, None, people[0], m.start(), m.end(), 0.8, {"shot": n})  # said: the rest are derived
        sent.add("injured", n - k, n - k, None, people[0], m.start(), m.end(), 0.8, {"derived_from": "shot", "shot": n})


# --- rules: verb + object ---------------------------------------------------------------------------


def _gerund_as_noun(text: str, m: re.Match[str], obj: str) -> bool:
    """ "After the shooting the suspect fled", "Mukilteo shooting suspect pleads not guilty": "shooting" names the
    event (after a determiner), or modifies the attacker who did it; it takes no object."""
    if not m.group("av").lower().endswith("ing"):
        return False
    return bool(GERUND_AS_NOUN_BEFORE.search(text, 0, m.start("av")) or ATTACKER_NOUN.match(obj.strip()))


def _object_measure(m: re.Match[str]) -> str | None:
    """ "killed ...", "shot ...", "left N dead" (None: "left" with no state after its object)."""
    left = (m.group("left") or "").strip().lower()
    if m.group("av").lower() in ("left", "leaves", "leaving", "leave"):
        if not left:
            return None
        return "killed" if left == "dead" or left.startswith(("fatally", "mortally")) else "injured"
    if left and left != "dead":
        return None  # "1 killed 3 injured": two figures side by side, not a verb and its object
    return _active_measure(m.group("av"), m.group("av2")) if not left else "killed"


def _object_count(text: str, m: re.Match[str], counted_before: float = 0) -> tuple[float | None, float | None, str | None, str] | None:
    """(low, high, hedge, noun phrase) of a verb's object, or None when it counts no people;
    `counted_before`: the people the sentence counted before ("killing two soldiers and wounding another")."""
    np = m.group("np") or ""
    if m.group("age"):
        return 1, 1, None, m.group("age") + np
    if counted_before and _another_alone(m.group("one"), np, counted_before):
        return 1, 1, None, "another" if m.group("one").lower() == "another" else np.strip()
    if m.group("one") or m.group("det") or m.group("poss"):
        if not is_person(np):
            return None
        if not m.group("one"):
            return (*quantity_bounds(m.group("num"), m.group("hedge")), np)
        if m.group("one").lower() in ("the", "his", "her") and not singular_person(np):
            return None
        return 1, 1, None, np
    if not context_ok(text, m.start("num") if not m.group("hedge") else m.start("hedge"), m.group("num"), np):
        return None
    if not np.strip() and OBJECT_NUMBER_FOLLOW.match(text[m.end() : m.end() + 12]):
        return None
    return (*quantity_bounds(m.group("num"), m.group("hedge")), np)


_PLACE_AFTER = re.compile(r"\s(?:in|inside|at|near|on|outside|after|during|before)\s.*", re.IGNORECASE | re.DOTALL)


def _another_alone(one: str | None, np: str, counted: float = 0) -> bool:
    """ "another" with no noun after it, or "a" and the ordinal just past the people counted before
    (`counted`: "killed two soldiers and wounded a third"): one more of the people just counted."""
    one = (one or "").lower()
    if counted <= 0:
        return False
    np = _PLACE_AFTER.sub("", np).strip()  # a title's "Shooting Another Inside Kensington Home"
    if one == "another":
        return not np
    return one in ("a", "an") and ORDINALS.get(np.lower()) == counted + 1


_JOINED_BEFORE = re.compile(r"(?:\band|,)\s+(?:\w+\s+)?$")


def _counted_before(sent: _Sentence, pos: int) -> float:
    """The most people one figure of the sentence counted before `pos`, with "and" or a comma
    just before it ("... and [wounding] another", "Murdering 3 People, Shooting Another"); 0: none."""
    if _JOINED_BEFORE.search(sent.text, max(0, pos - 30), pos) is None:
        return 0
    return max((h.low for h in sent.hits if h.end <= pos and h.low), default=0)


def _rule_object(sent: _Sentence) -> None:
    """ "killed 100 fighters", "left two dead", "killed his wife, her mother and two children"."""
    text = sent.text
    for m in finditer_where(OBJECT, text, ACTIVE_VERB_FIRST):
        qs = m.start("num") if m.group("num") else (m.start("one") if m.group("one") else m.start("age"))
        if sent.overlaps(qs, m.end()):
            continue
        if _gerund_as_noun(text, m, "" if m.group("one") or m.group("det") or m.group("num") else m.group("np") or ""):
            continue
        measure = _object_measure(m)
        count = _object_count(text, m, _counted_before(sent, m.start())) if measure is not None else None
        if count is None or count[0] is None:
            continue
        lo, hi, hedge, np = count
        if measure in ("shot", "injured") and FATAL_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            measure = "killed"
        whole = _partitive_whole(text, m, np)  # "killed six of his grandchildren": the grandchildren are who
        if whole is not None:
            np = whole.group("np")
        conf = 0.9 if is_person(np) else 0.75
        s = m.start("hedge") if m.group("hedge") else qs
        end = m.end() if whole is None else whole.end()
        n_self = add_n = 0
        if hi is not None and (is_person(np) or not np.strip()):
            # "killed man, grandmother, 2-month-old baby", "killing 2, then himself"
            pos = end if whole is not None else m.end("np") if np.strip() and not m.group("left") else m.end()
            indefinite = (m.group("one") or "").lower() in ("a", "an")
            add_n, n_self, list_end = items_after(text, pos, measure, sent.title, first_indefinite=indefinite)
            if list_end > pos:
                lo, hi, end = lo + add_n, hi + add_n, max(end, list_end)
        extra = {"self": n_self} if n_self else {}
        if add_n > n_self:
            extra["list"] = True  # "killed a police officer and a bomb technician"
        n_before = len(sent.hits)
        sent.add_with_tail(measure, lo, hi, hedge, clean_group(np), s, end, conf, extra)
        if m.group("av").lower() not in ("left", "leaves", "leaving", "leave"):
            sent.active.extend(range(n_before, len(sent.hits)))  # "left two dead" is the toll, not his victims


def _plural_head_follows(text: str, pos: int) -> bool:
    nxt = _NEXT_WORD.match(text, pos)
    return nxt is not None and is_person_word(nxt.group(1)) and not singular_person(nxt.group(1))


_NEXT_WORD = re.compile(r"\s+([\w'’-]+)")


def _partitive_whole(text: str, m: re.Match[str], np: str) -> re.Match[str] | None:
    """ "killed six of his grandchildren, his daughter and himself": the people the number is a part of."""
    if np.strip().lower() != "of" or m.group("left"):
        return None
    whole = PARTITIVE_WHOLE.match(text, m.end())
    return whole if whole is not None and is_person_word(whole.group("noun")) else None


def _rule_named_object(sent: _Sentence) -> None:
    """A named or pronoun object: "Simpson shot Flynn twice", "killing her and her fetus"."""
    text = sent.text
    for m in finditer_where(NAMED_OBJECT, text, ACTIVE_VERB_FIRST):
        obj = m.group("obj")
        if sent.overlaps(m.start("obj"), m.end()) or sent.title or not m.group("av")[0].islower():
            continue  # "Accidental Shooting Death Date": title case, not a verb and its object
        if obj.lower() not in ("him", "her") and not is_name(obj.split()):
            continue
        measure = "killed" if m.group("left") else _active_measure(m.group("av"), m.group("av2"))
        if measure in ("shot", "injured") and FATAL_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            measure = "killed"
        add_n, n_self, end = items_after(text, m.end(), measure, sent.title, first_is_name=obj[:1].isupper())
        if m.group("av").lower().startswith(("leav", "left")) and not m.group("left"):
            continue  # "left him stunned"; "left him and his two daughters dead" is _rule_left_joined's
        n = 1 + add_n
        extra = {"singular": True} if n == 1 else {"list": True}
        if len(obj.split()) == 1 and obj[:1].isupper():
            extra["surname"] = obj  # a name alone must be introduced in full somewhere in the article
        if n_self:
            extra["self"] = n_self
        sent.add(measure, n, n, None, text[m.start("obj") : max(end, m.end())], m.start("obj"), max(end, m.end()), 0.55, extra)


def _rule_left_joined(sent: _Sentence) -> None:
    """ "left him and his two daughters dead": a person left in the state of the people counted right
    after him, joined by "and", is counted with them."""
    for m in finditer_where(NAMED_OBJECT, sent.text, ACTIVE_VERB_FIRST):
        if not m.group("av").lower().startswith(("leav", "left")) or m.group("left") or sent.overlaps(m.start("obj"), m.end("obj")):
            continue
        for i, h in enumerate(sent.hits):
            if h.measure in ("killed", "injured") and h.high is not None and LEFT_JOINED.fullmatch(sent.text, m.end("obj"), h.start):
                group = sent.text[m.start("obj") : h.start] + (h.group or "")
                sent.hits[i] = h._replace(
                    low=h.low + 1, high=h.high + 1, start=m.start("obj"), group=group, extra={**h.extra, "list": True}
                )
                sent.taken.append((m.start("obj"), h.start))
                break


# --- rules: subject + verb --------------------------------------------------------------------------


def _subject_count(text: str, m: re.Match[str]) -> tuple[float | None, float | None, str | None] | None:
    """(low, high, hedge) of a counted subject before a casualty verb, or None when the match is
    no passive casualty statement ("two men had shot ...", "two gunmen shot a man")."""
    np = m.group("np") or ""
    aux = m.group("aux")
    v1 = m.group("v1").lower()
    if not aux and v1 == "dead" and not PASSIVE_FOLLOW.match(text, m.end()):
        return None  # "the last one in a dead man's phone"
    if not aux and v1 not in ("dead", "died", "dies", "missing", "perished"):
        if OBJECT_START.match(text, m.end()):
            return None
        if v1 in ("shot", "killed", "injured", "wounded", "hurt") and not np.strip() and m.group("one"):
            return None
    if aux and aux.strip().lower() in ("have", "had", "has") and not INTRANSITIVE_DEATH.fullmatch(v1):
        return None  # "two men had shot ..." is active
    if m.group("paren") and BARE_AGES.match(text, m.start("paren")) and not _counted_with_ages(m, np):
        return None  # "A woman, 18, was killed", "One of the robbers, 34, was shot": the one person's rule reads them
    if m.group("both"):
        return (2, 2, None) if is_person(np) or (not np.strip() and aux) else None  # "both were killed"
    if m.group("one") or m.group("det"):
        if not is_person(np) and not (m.group("det") and m.group("num") and not np.strip() and aux):
            return None
        return (1, 1, None) if m.group("one") else quantity_bounds(m.group("num"), m.group("hedge"))
    qs = m.start("hedge") if m.group("hedge") else m.start("num")
    if not context_ok(text, qs, m.group("num"), np):
        return None
    lo, hi, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
    return None if lo is None else (lo, hi, hedge)


def _counted_with_ages(m: re.Match[str], np: str) -> bool:
    """ "Two men, 24 and 31", "One man, 45": a count before bare ages (not "a woman, 18", "another man, 21")."""
    first = (m.group("one") or m.group("num") or "").lower()
    return first not in ("a", "an", "another", "the", "") and not (
        first == "one" and (np + (m.group("tail") or "")).strip().lower().startswith("of ")
    )


def _joined_subjects(sent: _Sentence, qs: int, lo: float, hi: float | None, aux: str | None) -> tuple[float, float | None, int]:
    """Add the people joined before a counted subject: "three men and [a woman were wounded]",
    "Mother, [2 children found dead]" -> (low, high, start).  A verb that agrees with one subject
    ("... and a woman was wounded") joins nothing."""
    start = qs
    if aux and aux.split()[0].lower() in SINGULAR_AUX:
        return lo, hi, start
    coord = coordinated(sent.text, qs)
    while coord is not None:
        c_lo, c_hi, start = coord
        lo = lo + c_lo
        hi = None if (hi is None or c_hi is None) else hi + c_hi
        coord = coordinated(sent.text, start)
    # items without a number before it: "Mother, 2 children found dead", "his wife and two sons"
    for c_val, _, c_start in items_before(sent.text, start, sent.title, need_sep=True, right_is_name=False):
        lo += c_val
        hi = None if hi is None else hi + c_val
        start = c_start
    return lo, hi, start


_JOINED_TAIL = re.compile(r"[\s,]*(?:\band\b|&)?[\s,]*$", re.I)


def _rule_subject(sent: _Sentence) -> None:
    """ "seven members of ... were killed", "27 wounded", "a 12-year-old and three others were shot"."""
    text = sent.text
    for m in finditer_where(SUBJECT, text, SUBJECT_FIRST):
        qs = m.start("hedge") if m.group("hedge") else (m.start("num") if m.group("num") else m.start("one"))
        qs = m.start("both") if m.group("both") else qs
        if sent.overlaps(qs, m.end()):
            continue
        count = _subject_count(text, m)
        if count is None and _another_alone(m.group("one"), m.group("np") or "", _counted_before(sent, qs)):
            count = (1, 1, None)  # "one man was killed and another wounded", "three dead and a fourth wounded"
        if count is None:
            continue
        lo, hi, hedge = count
        finite = m.group("aux") or m.group("v1").lower() in ("died", "dies")
        part = PARTITIVE.search(text, max(0, qs - 30), qs) if finite else None
        if part:  # "one of five victims ... dies" ("one of eight shot at a party": the eight were shot)
            n = quantity_bounds(part.group("part"))[0]
            if n is None or sent.overlaps(part.start(), qs):
                continue
            lo = hi = n
            hedge, qs = None, part.start()
        np = m.group("np") or ""
        if NEAR_MISS.search(m.group("adv") or ""):
            continue  # "two nearly killed"
        if m.group("v1").lower() == "feared dead":
            lo = 0  # "15 feared dead": up to 15
        measure = _measure(m.group("v1"), m.group("v2"), (m.group("adv") or "") + (m.group("adv2") or ""))
        conf = 0.9 if is_person(np) or (np.strip() == "" and not m.group("one")) else 0.7
        if m.group("one") and not np.strip():
            conf = 0.6
        group = clean_group(np)
        total_lo, total_hi, start = _joined_subjects(sent, qs, lo, hi, m.group("aux"))
        extra = {}
        if start != qs:
            group = text[start : m.start("np") + len(np)].strip() if np else group
            conf = min(conf, 0.8)
            extra["list"] = True
            if sent.overlaps(start, qs):
                total_lo, total_hi, start, group, extra = lo, hi, qs, clean_group(np), {}
            elif head(np) in ANIMAL_NOUNS:  # "two farmers and 300 cattle drowned": the people joined before it
                total_lo, total_hi = total_lo - lo, None if total_hi is None or hi is None else total_hi - hi
                group = _JOINED_TAIL.sub("", text[start:qs])
        if NEGATED_ADVERB.search(m.group("adv") or ""):  # "two officers were not injured"
            sent.add(measure, 0, 0, None, group, start, m.end(), conf, {"partial": True})
            continue
        if total_lo == 0 and total_hi == 0:
            continue
        sent.add_with_tail(measure, total_lo, total_hi, hedge, group, start, m.end(), conf, extra)


def _rule_joined_subject(sent: _Sentence) -> None:
    """Joined subjects without a number: "A man and his son were killed", "Husband and wife dead"."""
    text = sent.text
    for m in finditer_folded(AFTER_SUBJECT, _AFTER_SUBJECT_LOWER, text):
        vs = m.start()
        v1 = m.group("v1").lower()
        aux = (m.group("aux") or "").strip().lower()
        if sent.overlaps(vs, m.end()) or NOT_WORD.search(m.group("adv") or ""):
            continue
        if (
            not aux
            and v1 not in ("dead", "died", "dies", "missing", "perished", "slain", "found dead")
            and (OBJECT_START.match(text, m.end()) or not PASSIVE_FOLLOW.match(text, m.end()))
        ):
            continue  # "Wife and husband each shot murder suspect" is active
        if aux in ("have", "had", "has") and not INTRANSITIVE_DEATH.fullmatch(v1) or aux and aux.split()[0] in SINGULAR_AUX:
            continue  # active ("have shot"), or a verb that agrees with one subject
        items = items_before(text, vs, sent.title, need_sep=False)
        if len(items) < 2 or all(v == 0 for v, _, _ in items):
            continue
        start = items[-1][2]
        if sent.overlaps(start, m.end()):
            continue
        total = sum(v for v, _, _ in items)
        measure = _measure(m.group("v1"), m.group("v2"), (m.group("adv") or "") + (m.group("adv2") or ""))
        sent.add_with_tail(measure, total, total, None, text[start:vs].strip(), start, m.end(), 0.75, {"list": True})


# --- rules: nouns ----------------------------------------------------------------------------------

_NOUN_MEASURES = {"casualties": "killed_or_injured", "injuries": "injured", "people injured": "injured", "gunshot victims": "shot"}


def _noun_measure(noun: str) -> str:
    """ "three deaths" -> killed, "27 casualties" -> killed_or_injured, "six people with gunshot injuries" -> shot."""
    if "with" in noun:
        return "shot" if "gunshot" in noun else "injured"
    return _NOUN_MEASURES.get(noun, "killed")


_CRIME_NOUNS = frozenset({"killings", "slayings", "murders"})
OTHER_WORD = re.compile(r"\bother\b", re.IGNORECASE)


def _rule_noun_figure(sent: _Sentence) -> None:
    """ "three deaths", "27 casualties", "five killings" (each killing is a death)."""
    for m in finditer_where(NOUN_FIGURE, sent.text, QUANTITY_FIRST):
        s = m.start("hedge") if m.group("hedge") else m.start("num")
        if sent.overlaps(s, m.end()) or not context_ok(sent.text, s, m.group("num"), ""):
            continue
        noun = m.group("noun").lower()
        if noun == "victims" or noun in _CRIME_NOUNS and OTHER_WORD.search(m.group(0)):
            continue  # "he ordered four other murders": crimes of their own, not this event's dead
        lo, hi, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
        if lo is None:
            continue
        group = sent.text[m.end("num") : m.end()].strip() if noun == "gunshot victims" else None  # "two other gunshot victims"
        sent.add(_noun_measure(noun), lo, hi, hedge, group, s, m.end(), 0.7)


def _rule_death_toll(sent: _Sentence) -> None:
    """ "the death toll rose to 5"."""
    for m in TOLL.finditer(sent.text):
        s = m.start("hedge") if m.group("hedge") else m.start("num")
        if sent.overlaps(s, m.end()):
            continue
        hedge = m.group("hedge")
        if not hedge and (m.group("verb") or "").lower() in _TOLL_PASSED:
            hedge = "more than"  # "the death toll passed 7,000"
        lo, hi, hedge = quantity_bounds(m.group("num"), hedge)
        if lo is None:
            continue
        rising = m.group("verb") is None or m.group("verb").lower() in _TOLL_RISING  # None: "bringing the death toll to"
        sent.add("killed", lo, hi, hedge, None, m.start(), m.end(), 0.85, {"rising": True} if rising else {})


def _rule_treated(sent: _Sentence) -> None:
    """ "doctors treated 87 people for injuries"."""
    for m in TREATED.finditer(sent.text):
        s = m.start("hedge") if m.group("hedge") else m.start("num")
        np = m.group("np") or ""
        if sent.overlaps(s, m.end()) or np.strip() and not is_person(np):
            continue
        lo, hi, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
        if lo is not None:
            sent.add("injured", lo, hi, hedge, clean_group(np), s, m.end(), 0.8)


# "the death toll rose to 21": an update of a lower toll told before (the ledger: a revision, not a dispute)
_TOLL_RISING = frozenset(("rose", "risen", "climbed", "increased", "jumped", "rises", "climbs", "soared"))
_TOLL_PASSED = frozenset(("passed", "passes", "surpassed", "surpasses", "exceeded", "exceeds", "topped", "tops"))


# --- rules: headlines (they drop articles) ---------------------------------------------------------

_HEADLINE_ACTIVE = ("killed", "shot", "wounded", "injured", "hurt", "murdered", "shot and killed")


def _rule_headline_subject(sent: _Sentence) -> None:
    """ "11-year-old girl fatally shot", "Ligonier boy killed", "Woman walking dog killed"."""
    if not sent.title:
        return
    text = sent.text
    for m in (*HEADLINE_WHERE_DIED.finditer(text), *HEADLINE.finditer(text), *HEADLINE_DOING.finditer(text)):
        if sent.overlaps(m.start("np"), m.end()) or not singular_person(m.group("head")):
            continue
        if m.group("kin_of") and m.group("head").lower() not in HEADLINE_KIN:
            continue
        if m.group("v").lower() in _HEADLINE_ACTIVE and HEADLINE_OBJECT_FOLLOWS.match(text[m.end() :]):
            continue
        v = HEADLINE_SHOT_PREFIX.sub("", m.group("v"))
        measure = _measure(v, None, m.group("adv") or "")
        sent.add(measure, 1, 1, None, m.group("np").strip(), m.start("np"), m.end(), 0.7, {"headline": True})


def _rule_headline_object(sent: _Sentence) -> None:
    """ "Man kills wife, 2 children", "Neighbor kills woman, her son, himself"."""
    if not sent.title:
        return
    text = sent.text
    for m in finditer_where(TITLE_OBJECT, text, ACTIVE_VERB_FIRST):
        words = m.group("np").split()
        if words and not singular_person(words[-1]) and singular_person(words[0]):
            words = words[:1]
        if (
            sent.overlaps(m.start("np"), m.end())
            or not singular_person(words[-1])
            or words[0].lower() in ("a", "an", "the", "his", "her", "their")
            or _gerund_as_noun(text, m, words[-1])
        ):
            continue
        pos = end = m.start("np") + len(" ".join(words))
        if _plural_head_follows(text, pos):
            continue  # "Man Kills Ex-Girlfriend's Teen Daughters": "Teen" is no one, the daughters are
        measure = _active_measure(m.group("av"), m.group("av2"))
        if measure in ("shot", "injured") and FATAL_BEFORE_TITLE.search(text[max(0, m.start() - 12) : m.start()]):
            measure = "killed"
        n = 1
        if m.group("av").lower().startswith(("leav", "left")):
            state = LEFT_STATE.match(text, pos)  # "Shooting Leaves Teen Dead": the state says the measure
            if state is None:
                continue
            measure, end = ("killed" if state.group("state").lower() == "dead" else "injured"), state.end()
        add_n, n_self, list_end = items_after(text, pos, measure, True)
        if list_end > pos:
            n, end = n + add_n, list_end
        sent.active.append(len(sent.hits))
        sent.add(measure, n, n, None, " ".join(words), m.start("np"), end, 0.7, {"headline": True, **({"self": n_self} if n_self else {})})


# --- rules: multipliers, implied and singular victims ----------------------------------------------


def _rule_multiplier(sent: _Sentence) -> None:
    """ "double homicide", "triple shooting", "murder-suicide"."""
    for m in MULTIPLIER.finditer(sent.text):
        if sent.overlaps(m.start(), m.end()):
            continue
        if m.group("ms"):
            sent.add("killed", 2, None, "murder-suicide", None, m.start(), m.end(), 0.5, {"self": 1})
            continue
        n = MULTIPLIERS[m.group("mult").lower()]
        noun = m.group("noun").lower()
        if m.group("suicide") and noun != "shooting":
            # "double murder-suicide": two victims and the killer
            sent.add("killed", n + 1, n + 1, None, None, m.start(), m.end(), 0.7, {"self": 1})
            continue
        sent.add("shot" if noun == "shooting" else "killed", n, n, None, None, m.start(), m.end(), 0.7)


def _rule_murder_suicide_objects(sent: _Sentence) -> None:
    """ "Man shot wife, 3 kids in murder-suicide": the people he shot are dead, and so is he."""
    if not any(m.group("ms") for m in MULTIPLIER.finditer(sent.text)):
        return
    for i in sent.active:
        h = sent.hits[i]
        if h.measure in ("shot", "killed") and h.low == h.high and not h.extra.get("self") and not h.extra.get("derived_from"):
            sent.hits[i] = h._replace(measure="killed", low=h.low + 1, high=h.high + 1, extra={**h.extra, "self": 1})


def _rule_fatal_noun(sent: _Sentence) -> None:
    """ "a fatal shooting", "the shooting death of" -> at least one killed."""
    for m in FATAL_NOUN.finditer(sent.text):
        if sent.overlaps(m.start(), m.end()):
            continue
        sent.add("killed", 1, None, "fatal", None, m.start(), m.end(), 0.35, {"implied": True})


def _singular_confidence(subj: str) -> float | None:
    """How sure a named or definite subject is one victim ("Smith", "the victim", "he"); None: no victim."""
    words = subj.split()
    first = words[0].lower()
    if first in NOT_SUBJECTS or subj.lower() in NOT_SUBJECTS:
        return None
    if first in ("the", "a", "an", "his", "her"):
        if not is_person(" ".join(words[1:])) or head(subj) in ("people", "men", "women", "victims", "others", "children"):
            return None
        return 0.6
    if first in ("he", "she"):
        return 0.45
    if any(w.lower() in MONTHS or w.lower() in ("police", "officials", "authorities") for w in words):
        return None
    if words[-1].lower() in PLACE_HEADS:
        return None  # "Yuma High School"
    if words[-1].lower() in PERSON_NOUNS and words[-1].lower().endswith("s"):
        return None
    return 0.55


def _with_role(text: str, start: int, name: str) -> tuple[int, str]:
    """A name with the role words right before it: "Bridge inspector Carlos Mendez" (kept when a role
    noun is among them, so that who the victim is can be told from other victims)."""
    run = ROLE_RUN_BEFORE.search(text, max(0, start - 50), start)
    words = list(WORD.finditer(text, run.start(), start)) if run else []
    k = len(words)
    while k > 0 and (is_person_word(w := words[k - 1].group(0)) or w[:1].isupper() and w.lower() not in NOT_SUBJECTS):
        k -= 1
    if k == len(words) or not any(is_person_word(w.group(0)) for w in words[k:]):
        return start, name
    return words[k].start(), text[words[k].start() : start] + name


def _rule_singular(sent: _Sentence) -> None:
    """Singular named / definite victims: "Smith, 25, was shot and killed", "the victim died"."""
    for m in NAMED_SINGULAR.finditer(sent.text):
        subj = m.group("subj") or m.group("subj2")
        v = (m.group("v") or m.group("v2")).lower()
        s, e = (m.start("subj") if m.group("subj") else m.start("subj2")), m.end()
        if sent.overlaps(s, e) or PLURAL_APPOSITIVE.search(sent.text, s + len(subj), e) or apposed_to_thing(sent.text, s, s + len(subj)):
            continue
        words = subj.split()
        if len(words) > 1 and words[0].lower() in NOT_SUBJECTS and words[1][:1].isupper():
            offset = subj.index(words[1], len(words[0]))  # "Police Chief Scott Russell" -> "Chief Scott Russell"
            subj, s = subj[offset:], s + offset
        if subj.strip().lower() == "both":
            measure = (
                "injured"
                if INJURED_ONLY.fullmatch(v) and not FATAL_ADVERB.search(m.group("adv") or "")
                else _measure(v, None, m.group("adv") or "")
            )
            sent.add(measure, 2, 2, None, subj.strip(), s, e, 0.6)  # "Both suffered minor injuries": two people
            continue
        conf = _singular_confidence(subj)
        if conf is None:
            continue
        if subj[:1].isupper():
            s, subj = _with_role(sent.text, s, subj)
        if v.startswith("shot and "):
            v = v[len("shot and ") :]
        adv = m.group("adv") or ""
        measure = "injured" if INJURED_ONLY.fullmatch(v) and not FATAL_ADVERB.search(adv) else _measure(v, None, adv)
        sent.add(measure, 1, 1, None, subj.strip(), s, e, conf, {"singular": True})


# --- rules: event nouns, relative clauses and inverted lists ---------------------------------------


def _event_measure(noun: str) -> str:
    """ "the death of" -> killed, "the shooting of" -> shot, "the stabbing of" -> killed_or_injured."""
    n = noun.lower()
    if n.startswith(("injur", "wound")):
        return "injured"
    if "death" in n or n.startswith(("fatal", "deadly", "murder", "killing", "slaying", "assassination", "bod", "remains")):
        return "killed"
    return "shot" if "shooting" in n else "killed_or_injured"


def _victims_after(sent: _Sentence, pos: int, measure: str) -> tuple[int, int] | None:
    """The people listed from `pos` ("two women", "his mother and sister"): (count, end)."""
    im = FWD_ITEM.match(sent.text, pos)
    if not im:
        return None
    got = item_value(TRAILING_AGE.sub("", im.group(0)), sent.title, whole=True)
    if got is None or got[1]:
        return None
    add_n, _, end = items_after(
        sent.text, im.end(), measure, sent.title, first_is_name=got[2], first_indefinite=im.group(0).lower().startswith(("a ", "an "))
    )
    return got[0] + add_n, max(im.end(), end)


def _rule_event_of(sent: _Sentence) -> None:
    """ "the deaths of two women", "the murder of his mother and sister", "the bodies of A and B were found"."""
    text = sent.text
    for m in finditer_folded(EVENT_OF, _EVENT_OF_LOWER, text):
        noun = m.group("noun").lower()
        if sent.overlaps(m.start(), m.end()) or noun.startswith(("bod", "remains")) and not FOUND_BODY.search(text):
            continue
        measure = _event_measure(noun)
        got = _victims_after(sent, m.end(), measure)
        bare = EVENT_OF_COUNT.match(text, m.end()) if got is None and not noun.startswith(("bod", "remains", "injur")) else None
        if bare is not None:
            got = (quantity_bounds(bare.group("num"), None)[0] or 0, bare.end())  # "the shooting of five in ..."
        if got is None or got[0] == 0 or sent.overlaps(m.start(), got[1]):
            continue
        n, end = got
        extra = {"singular": True} if n == 1 else {"list": True}
        if measure == "killed" and "shooting" in noun:
            extra["shot"] = n  # "the shooting death of a teen": as many shot as killed
        sent.add(measure, n, n, None, text[m.end() : end].strip(), m.start(), end, 0.6, extra, victim=text[m.end() : end])


def _bodies_count(m: re.Match[str]) -> tuple[float, float | None, str | None] | None:
    """The bounds of the bodies a phrase counts: "a body", "the body", "another body" 1, "12 bodies" 12, "at least
    30 bodies" 30 or more, a headline's bare "Body" 1; None for "the bodies" (no count) and a number that disagrees
    with its noun ("one bodies")."""
    plural = m.group("noun").lower() == "bodies"
    found = m.groupdict()
    if found.get("det"):
        return None if plural else (1, 1, None)
    if found.get("num"):
        low, high, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
        if low is None or plural != (high is None or high > 1):
            return None
        return low, high, hedge
    return 1, 1, None


def _rule_bodies_found(sent: _Sentence) -> None:
    """ "12 bodies were recovered from the river", "rescuers found a body", "the body was recovered", a headline's
    "Body found in burned motel" -> the dead they count."""
    text = sent.text
    title_found = TITLE_BODY_FOUND.finditer(text) if sent.title else ()
    for m in (*BODIES_FOUND.finditer(text), *FOUND_BODIES.finditer(text), *title_found):
        start = min(m.start(), m.start("np"))
        bounds = _bodies_count(m)
        if bounds is None or sent.overlaps(start, m.end()):
            continue
        low, high, hedge = bounds
        extra = None
        if low == high == 1:  # a headline's bare "Body" is "a body"
            extra = {"singular": True} if m.groupdict().get("det") else {"singular": True, "one": "indefinite"}
        sent.add("killed", low, high, hedge, m.group("np"), start, m.end(), 0.6, extra)


def _rule_event_genitive(sent: _Sentence) -> None:
    """ "Flynn's death", "the boy's death", "his daughter's murder", "Buckley's body was recovered"."""
    text = sent.text
    for m in EVENT_GENITIVE.finditer(text):
        noun = m.group("noun").lower()
        if noun in ("body", "remains") and not FOUND_BODY.search(text, m.end()):
            continue
        np = np_before(text, m.start(), sent.title)
        if np is None or np[0] < 1 or sent.overlaps(np[1], m.end()):
            continue
        n, start, _ = np
        sent.add(_event_measure(noun), n, n, None, text[start : m.start()], start, m.end(), 0.55, {"singular": True} if n == 1 else None)


def _rule_pronoun_event(sent: _Sentence) -> None:
    """ "her death", "his murder", "His body was found" -> one killed."""
    text = sent.text
    for m in PRONOUN_EVENT.finditer(text):
        noun = m.group("noun").lower()
        if sent.overlaps(m.start(), m.end()) or noun == "body" and not FOUND_BODY.search(text, m.end()):
            continue
        sent.add("killed", 1, 1, None, m.group("pron"), m.start(), m.end(), 0.45, {"singular": True}, victim=m.group("pron"))


def _rule_relative_victim(sent: _Sentence) -> None:
    """ "the Woodburn police officer who died", "Capt. Tennant, who also was killed"."""
    text = sent.text
    for m in RELATIVE_VICTIM.finditer(text):
        v = m.group("v1").lower()
        if not m.group("aux") and not INTRANSITIVE_DEATH.fullmatch(v) and v not in ("dead", "missing"):
            continue  # "the man who killed four people" is active
        if NEGATED_ADVERB.search(m.group("adv") or ""):
            continue  # "the victim, who was not injured, told officers"
        np = np_before(text, m.start(), sent.title)
        if np is None or np[0] < 1 or sent.overlaps(np[1], m.end()):
            continue
        n, start, _ = np
        measure = _measure(m.group("v1"), m.group("v2"), (m.group("adv") or "") + (m.group("adv2") or ""))
        if measure != "killed" and DIED_AFTER_RELATIVE.match(text, m.end()):
            measure = "killed"  # "a woman who was wounded in the attack has died"
        sent.add(measure, n, n, None, text[start : m.start()].strip(" ,"), start, m.end(), 0.6, {"singular": True} if n == 1 else None)


_INVERTED_MEASURES = {"dead": "killed", "killed": "killed", "shot": "shot"}


def _rule_inverted(sent: _Sentence) -> None:
    """ "Also shot were a woman and an 11-year-old girl", "Among the dead were two children"."""
    for m in INVERTED.finditer(sent.text):
        v = (m.group("v") or m.group("v2")).lower()
        measure = _INVERTED_MEASURES.get(v, "injured")
        got = _victims_after(sent, m.end(), measure)
        start = m.start("v") if m.group("v") else m.start()
        if got is None or got[0] == 0 or sent.overlaps(start, got[1]):
            continue
        n, end = got
        sent.add(measure, n, n, None, sent.text[m.end() : end].strip(), start, end, 0.7, victim=sent.text[m.end() : end])


#: "that number was later raised to five": a count the sentence gave, put higher or lower by its source
NUMBER_CHANGED = re.compile(
    rf"\b(?:that|the|this)\s+(?:number|count|figure|total|tally)\s+(?:was|has been|had been|is)\s+(?:later\s+|since\s+|now\s+)?"
    rf"(?:raised|revised|increased|updated|lowered|reduced|upped|corrected)\s+to\s+{QUANTITY}\b",
    re.IGNORECASE,
)


def _rule_number_changed(sent: _Sentence) -> None:
    """ "LMPD originally reported that four other people were injured; that number was later raised to five" -> 5
    injured: the changed number replaces the sentence's figure before it, and counts what it counted."""
    for m in NUMBER_CHANGED.finditer(sent.text):
        before = [h for h in sent.hits if h.end <= m.start() and h.low is not None]
        if not before or sent.overlaps(m.start(), m.end()):
            continue
        last = max(before, key=lambda h: h.end)
        lo, hi, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
        if lo is None:
            continue
        at = sent.hits.index(last)
        extra = {k: v for k, v in last.extra.items() if k not in ("one", "singular")}
        sent.hits[at] = last._replace(low=lo, high=hi, hedge=hedge, end=m.end(), extra={**extra, "changed_from": last.low})
        sent.taken.append((m.start(), m.end()))


#: people let go from hospital were hurt: "7 victims of Sunday shooting released from area hospitals", "three
#: passengers were treated and released" (not "two suspects were released": from custody)
RELEASED = re.compile(
    rf"(?<![\w'’-]){QUANTITY}(?P<np>(?:\s+(?!{NP_STOP_SUBJ}\b|{CASUALTY_WORD}\b){NP_TOK}){{1,3}}?)"
    r"(?:\s+(?:of|from|in)\s+(?:[\w'’.-]+\s+){0,4}?[\w'’.-]+)?\s*,?\s+"
    r"(?:(?:were|was|are|have\s+been|had\s+been|has\s+been)\s+)?(?:all\s+|since\s+|later\s+|also\s+)?"
    r"(?:(?P<treated>(?:treated|hospitali[sz]ed)\s+(?:and|&)\s+released)\b"
    r"|released\s+from\s+(?:the\s+|area\s+|local\s+|nearby\s+|two\s+|several\s+)?(?:hospitals?|medical\s+cent(?:er|re)s?)\b)",
    re.IGNORECASE,
)


#: the ones released a part of the hurt: "One victim was released while the other remains hospitalized"
_RELEASED_PART = re.compile(r"\b(?:remains?|remained|still|others?|rest)\b", re.IGNORECASE)


def _rule_released(sent: _Sentence) -> None:
    """ "7 victims of Sunday shooting released from area hospitals", "Three passengers were treated and
    released" -> 7, 3 injured."""
    for m in RELEASED.finditer(sent.text):
        start = m.start("hedge") if m.group("hedge") else m.start("num")
        np = m.group("np").strip()
        if sent.overlaps(start, m.end()) or not is_person(np) or _RELEASED_PART.search(sent.text, m.end()):
            continue
        low, high, hedge = quantity_bounds(m.group("num"), m.group("hedge"))
        if low is not None and low >= 1:
            sent.add("injured", low, high, hedge, clean_group(np), start, m.end(), 0.7, {"survived": True})


#: one more group counted beside the sentence's figure just before it: "The two were shot, along with another
#: woman", "Four officers were wounded, along with two bystanders" (people only: "along with his dog" adds none)
ALONG_WITH = re.compile(
    rf"\s*,?\s*along\s+with\s+(?:(?P<one>another|an?|one\s+other|his|her|their)|{QUANTITY}(?:\s+others?)?)"
    rf"(?P<np>(?:\s+(?!{NP_STOP_SUBJ}\b|{CASUALTY_WORD}\b){NP_TOK}){{0,3}})",
    re.IGNORECASE,
)


def _rule_along_with(sent: _Sentence) -> None:
    """ "The two were shot, along with another woman" -> 3 shot; "Two soldiers were killed along with three
    civilians" -> 5 killed: the people "along with" are counted in the figure that ends just before them."""
    for hit in list(sent.hits):
        m = ALONG_WITH.match(sent.text, hit.end)
        if m is None or hit.low is None or hit.low != hit.high or hit.measure == "killed_or_injured":
            continue
        np = m.group("np").strip()
        if m.group("one"):
            more = 1 if np and is_person(np) and not np.lower().endswith("s") else None
        else:
            more, high, _ = quantity_bounds(m.group("num"), m.group("hedge"))
            if more != high or not (np and is_person(np) or not np and m.group(0).rstrip().lower().endswith(("other", "others"))):
                more = None
        if not more or sent.overlaps(hit.end + 1, m.end()):
            continue
        extra = {k: v for k, v in hit.extra.items() if k not in ("one", "singular")}
        sent.hits[sent.hits.index(hit)] = hit._replace(
            low=hit.low + more, high=hit.high + more, end=m.end(), extra={**extra, "along_with": more}
        )
        sent.taken.append((hit.end, m.end()))


#: The rules, in the order they run: a span taken by an earlier rule is not read again.  Each rule
#: comes with what its pattern needs, so that it runs only where it can match: the words (lower case)
#: one of which it needs, CASUALTY_VERB (a casualty verb), or None (nothing to check first).
RULES: tuple[tuple[Callable[[_Sentence], None], tuple[str, ...] | re.Pattern[str] | None], ...] = (
    (_rule_zero, ("no", "neither")),
    (_rule_zero_noun, ("no",)),
    (_rule_ordinal_victim, tuple(ORDINALS)),
    (_rule_part_died, (" of ",)),
    (_rule_object, OBJECT_WORDS),
    (_rule_named_object, OBJECT_WORDS),
    (_rule_subject, CASUALTY_VERB),
    (_rule_joined_subject, CASUALTY_VERB),
    (_rule_noun_figure, ("death", "fatalit", "dead", "casualt", "injur", "victim", "killings", "slayings", "murders", "wounds")),
    (_rule_death_toll, ("toll", "number of")),
    (_rule_treated, ("treat",)),
    (_rule_headline_subject, None),
    (_rule_headline_object, OBJECT_WORDS),
    (_rule_multiplier, ("double", "triple", "quadruple", "quintuple", "suicide")),
    (_rule_murder_suicide_objects, ("suicide",)),
    (_rule_inverted, ("were", "was", "are", "is")),
    (_rule_event_of, (" of ",)),
    (_rule_relative_victim, ("who",)),
    (_rule_fatal_noun, ("fatal", "deadly", "shooting death", "homicide")),
    (_rule_singular, CASUALTY_VERB),
    (_rule_event_genitive, ("'", "’")),
    (_rule_bodies_found, ("body", "bodies")),
    (_rule_pronoun_event, ("his", "her")),
    (_rule_self_inflicted, ("himself", "herself", "shoots self", "shot self", "own leg", "own foot", "own hand", "own arm", "own life")),
    (_rule_left_joined, ("left", "leav")),
    (_rule_to_hospital, ("taken", "transported", "rushed", "airlifted", "flown", "carried", "driven", "brought")),
    (_rule_with_wounds, (" wound",)),
    (_rule_named_with_wounds, (" wound",)),
    (_rule_title_with_wounds, (" wound",)),
    (_rule_alive_after, ("stable", "recovering", "hospitali", "airlifted", "expected to", "hospital", "condition")),
    (_rule_not_saved, ("save", "saved")),
    (_rule_found_one_dead, ("dead", "deceased")),
    (_rule_identified_victim, ("victim",)),
    (_rule_number_changed, ("number", "count", "figure", "total", "tally")),
    (_rule_released, ("released",)),
    (_rule_along_with, ("along with",)),
)


def _scan_sentence(text: str, title: bool = False) -> list[Hit]:
    sent = _Sentence(text, title)
    low = text.lower()
    has_verb = CASUALTY_VERB.search(low) is not None
    has = low.__contains__
    for rule, needs in RULES:
        if needs is None or (has_verb if needs is CASUALTY_VERB else any(map(has, needs))):
            rule(sent)
    hits = [h for h in sent.hits if not UNCERTAIN.search(text[max(0, h.start - 60) : h.start]) and not _retracted(text, h)]
    hits = [_died_later(text, _survived(text, h)) for h in hits]
    hits.sort(key=lambda h: h.start)
    return _with_others_added(text, [_less_the_one_who_died(text, h, hits) for h in hits])


_INCLUDING_ONE_WHO_DIED = re.compile(
    r"[^,;.]{0,60}?,?\s+including\s+(?:a|an|one|the)\b[^,;.]{0,60}?\s+who\s+(?:later\s+|since\s+|has\s+(?:since\s+)?|had\s+)?"
    r"(?:died|succumbed|passed away|was pronounced dead)\b",
    re.IGNORECASE,
)


def _less_the_one_who_died(text: str, hit: Hit, hits: list[Hit]) -> Hit:
    """ "Three people were injured, including a 17-year-old who succumbed to her injuries": the hurt counted with one
    who died (another hit reads the death) -- the rest are the wounded."""
    if hit.measure != "injured" or not hit.low or hit.low < 2 or hit.high != hit.low:
        return hit
    m = _INCLUDING_ONE_WHO_DIED.match(text, hit.end)
    if m is None or not any(h.measure == "killed" and h.low == 1 and hit.end <= h.start < m.end() for h in hits):
        return hit
    n = hit.low - 1
    return hit._replace(low=n, high=n, extra={**hit.extra, "less_dead": 1})


def _survived(text: str, hit: Hit) -> Hit:
    """People shot whose own predicate says they live ("was shot in the leg and is expected to recover", "shot
    and taken to a hospital in stable condition", "suffered a non-life-threatening gunshot wound", "was grazed
    by a bullet") are wounded: injured, not shot (whose outcome is open)."""
    if hit.measure != "shot" or not hit.low:
        return hit
    if not (hit.low == hit.high and SURVIVED_TAIL.match(text, hit.end) or NONFATAL_WOUND.search(text, hit.start, hit.end)):
        return hit
    return hit._replace(measure="injured", extra={**hit.extra, "survived": True})


def _with_others_added(text: str, hits: list[Hit]) -> list[Hit]:
    """ "2 shot and wounded, 3 others grazed", "two are in critical condition and four others hurt": a figure of
    "others" right after a figure of the same state counts more people in it -- one figure of their sum."""
    out: list[Hit] = []
    for hit in hits:
        prev = out[-1] if out else None
        if prev is not None and _adds_others(text, prev, hit):
            extra = {k: v for k, v in prev.extra.items() if k in ("in_title", "survived") and hit.extra.get(k) == v}
            low = (prev.low or 0) + (hit.low or 0)
            measure = "shot" if "shot" in (prev.measure, hit.measure) else "injured"  # one outcome open: all open
            out[-1] = prev._replace(measure=measure, low=low, high=low, end=hit.end, extra={**extra, "summed": True})
            continue
        out.append(hit)
    return out


def _adds_others(text: str, first: Hit, second: Hit) -> bool:
    return (
        {first.measure, second.measure} <= {"injured", "shot"}
        and all(h.low and h.low == h.high and h.hedge is None and "derived_from" not in h.extra for h in (first, second))
        and OTHERS_GAP.fullmatch(text, first.end, second.start) is not None
        and (
            OTHERS_FIGURE.match(text, second.start, second.end) is not None
            or ALSO_FIGURE.search(text, second.start, second.end) is not None
        )
    )


def _died_later(text: str, hit: Hit) -> Hit:
    """One person hurt whose own predicate goes on to their death ("was shot in the chest and later died",
    "a juvenile injured in a shooting Monday has died") is dead: killed, not wounded."""
    if hit.measure not in ("shot", "injured", "killed_or_injured") or hit.low != 1 or hit.high != 1 or not DIED_TAIL.match(text, hit.end):
        return hit
    extra = {k: v for k, v in hit.extra.items() if k not in ("survived", "severity")}
    return hit._replace(measure="killed", extra={**extra, "shot": 1} if hit.measure == "shot" else extra)


def _retracted(text: str, hit: Hit) -> bool:
    """A death first reported and withdrawn in the same sentence ("Early reports said one person had died,
    but that proved to be incorrect", "Police initially said one person died, but later said ..."); a
    withdrawn wound still tells of someone hurt ("initially reported that a deputy was shot, but later
    said his injuries were not caused by gunfire")."""
    return (
        hit.measure == "killed"
        and RETRACTED_BEFORE.search(text, max(0, hit.start - 80), hit.end + 40) is not None
        and RETRACTED_AFTER.match(text, hit.end) is not None
    )


@lru_cache(maxsize=64)
def _scan(text: str, title: bool = False) -> tuple[Hit, ...]:
    """Casualty hits in `text`, with spans in `text`."""
    hits: list[Hit] = []
    for s, e in sentence_spans(text):
        sent = text[s:e]
        if not TRIGGER.search(sent.lower()) and not (title and "victim" in sent.lower()):
            continue  # a headline's victim may be told only as identified ("Crash victim identified")
        if not title and _shouted(sent):
            sent = sent[:1] + sent[1:].lower()  # "THE CHILD HAS PASSED AWAY": read as a sentence (same length)
        for h in _scan_sentence(sent, title):
            hits.append(h._replace(start=h.start + s, end=h.end + s))
    return tuple(hits)


def _shouted(sentence: str) -> bool:
    """A body sentence in capitals ("THE CHILD HAS PASSED AWAY !", a station's update): the rules read case."""
    return sentence.isupper() and len(sentence.split()) >= 3


# --- claims ------------------------------------------------------------------------------------


def _marks(text: str, hit: Hit) -> dict[str, Any]:
    """Marks a hit's own words add: "shot and killed" (as many shot), "critically" (severity)."""
    extra = hit.extra
    if (
        hit.measure == "killed"
        and hit.low == hit.high
        and hit.low
        and "shot" not in extra
        and SHOT_KILLED.search(text[hit.start : hit.end])
    ):
        # "a man was shot and killed": as many shot as killed
        extra = {**extra, "shot": hit.low}
    if hit.measure == "injured" and not extra.get("summed") and SEVERITY.search(text[hit.start : hit.end]):
        # "one critically": often a part of the wounded ("four shot, one critically wounded")
        extra = {**extra, "severity": True}
    return extra


def _applies(m: re.Match[str], sentence: str, start: int, end: int) -> bool:
    """Does a phrase of the sentence (a date, "last year") qualify the figure at [start, end)?  A
    phrase before the figure does, unless it describes a place ("a region devastated by the 2004
    tsunami"); one after it, unless a new clause comes between."""
    if m.end() <= start:  # the date's own clause ("a 2004 tsunami that killed 170,000") is still its figure
        return not DESCRIBED_BY.search(sentence, max(0, m.start() - 30), m.start()) or bool(RELATIVE_AFTER.search(sentence, m.end(), start))
    return not CLAUSE_BREAK.search(sentence, end, m.start())


def _other_incident(text: str, ss: int, se: int, hit: Hit, legal_story: bool) -> bool:
    """Is the figure dated to another incident ("In 2004, a tsunami killed 230,000", "165 people
    were murdered so far this year")?  Trials and arrests recount their killing with its date, so
    in a legal story (or sentence) a date alone does not make a figure another incident's."""
    sentence = text[ss:se]
    legal = legal_story or _legal(sentence)
    for m in OTHER_INCIDENT.finditer(sentence):
        if legal and DATED.search(m.group(0)):
            continue
        if m.group(0).lower().startswith("since") and SINCE_SUPERLATIVE.search(sentence, 0, m.start()):
            # "the deadliest quake since 2005 killed 57", but "the worst since 2008, when 166 were killed"
            if m.end() <= hit.start - ss and SINCE_CLAUSE.match(sentence, m.end()):
                return True
            continue
        if _applies(m, sentence, hit.start - ss, hit.end - ss):
            return True
    return False


def _background(text: str, ss: int, se: int, hit: Hit) -> bool:
    """Words that make a figure unlikely to be the event's toll ("last year", "in 2015", "this
    weekend"): the figure stays a claim, but main_figures does not read it as the toll."""
    sentence = text[ss:se]
    one = hit.low == hit.high == 1 and "one" in hit.extra
    return any(
        _applies(m, sentence, hit.start - ss, hit.end - ss) and not (one and _WEEKEND.fullmatch(m.group(0)))
        for m in _background_phrases(sentence)
    )


#: a weekend's tally ("14 people were shot over the weekend"), not the time of one person's death or wound
#: ("the drowning of a 12-year-old over the weekend")
_WEEKEND = re.compile(r"(?:this|over the) weekend", re.IGNORECASE)


@lru_cache(maxsize=64)
def _background_phrases(sentence: str) -> tuple[re.Match[str], ...]:
    """The background phrases of a sentence (read once for all its figures); "the deadliest since 2005" compares."""
    found = finditer_where(BACKGROUND, sentence, BACKGROUND_FIRST)
    return tuple(m for m in found if not SINCE_SUPERLATIVE.search(sentence, 0, m.start()))


_NOT_PEOPLE = ANIMAL_NOUNS | THING_NOUNS


def _claims(text: str, in_title: bool, legal_story: bool = False) -> Iterator[Claim]:
    for hit in _scan(text, in_title):
        ss, se = sentence_at(text, hit.start)
        if not in_title and _other_incident(text, ss, se, hit, legal_story):
            continue
        if hit.group and head(hit.group) in _NOT_PEOPLE:
            continue  # "injuring one of the family dogs", "would kill 3,000 jobs": no people
        surname = hit.extra.get("surname")
        if surname and not re.search(rf"\b[A-Z][\w'’.-]+\s+{re.escape(surname)}\b", text):
            continue  # "... in Kareem Mano slaying Pause": not a name
        if surname:
            hit = hit._replace(extra={k: v for k, v in hit.extra.items() if k != "surname"})
        other = not in_title and (_background(text, ss, se, hit) or VIDEO_LINK.match(text, ss) is not None)
        extra = {**hit.extra, "background": True} if other else hit.extra
        extra = dict(_marks(text, hit._replace(extra=extra)))
        att = attribution_for(text, hit.start, hit.end)
        source = att.source if att else None
        if in_title:
            extra["in_title"] = True
        yield Claim(
            kind=CASUALTY,
            measure=hit.measure,
            value_min=hit.low,
            value_max=hit.high,
            hedge=hit.hedge,
            group=hit.group,
            group_key=actor_key(hit.group) if hit.group else None,
            source=source,
            source_key=actor_key(source) if source else None,
            sentence=text[ss:se] if se > ss else text,
            start=hit.start,
            end=hit.end,
            extractor=NAME,
            extractor_version=VERSION,
            confidence=hit.confidence,
            extra=extra,
        )


def _first(found: Iterator[re.Match[str]]) -> bool:
    return next(found, None) is not None


def is_roundup(text: str | None, title: str | None = None) -> bool:
    """The headline or the lead reports several incidents ("4 dead, 10 wounded in weekend shootings",
    "... in separate shootings across the city"): its figures are totals, not one event's."""
    if title and _first(finditer_where(ROUNDUP, title, ROUNDUP_FIRST)):
        return True
    if not text:
        return False
    ends = [e for _, e in sentence_spans(text)[:2] if e <= LEAD_CHARS]
    return _first(finditer_where(ROUNDUP, text[: ends[-1] if ends else LEAD_CHARS], ROUNDUP_FIRST))


def is_legal_story(text: str | None, title: str | None = None) -> bool:
    """The headline or the lead is about a trial, an arrest or a sentence: its killing is the story's
    even where dated ("Horton was shot and killed in October 2011")."""
    lead = text[:LEAD_CHARS] if text else ""
    return bool(title and _legal(title) or _legal(lead))


def _identified_as_told(claims: list[Claim]) -> list[Claim]:
    """A headline's victim identified ("Victim of accidental shooting identified") is dead unless the body tells
    someone hurt and no one dead ("Pazdernik was in stable condition"): then it is the headline's reading without
    the identification (a shooting victim is one shot), or none."""
    told = [c for c in claims if not c.extra.get("in_title") and not c.extra.get("background")]
    if not any(c.extra.get("identified") for c in claims) or any(c.measure == "killed" for c in told):
        return claims
    if not any(c.measure in ("injured", "shot", "killed_or_injured") for c in told):
        return claims
    kept = []
    for claim in claims:
        was = claim.extra.get("identified")
        if was is True:
            continue
        if was:
            extra = {k: v for k, v in claim.extra.items() if k not in ("identified", "shot")}
            claim = replace(claim, measure=was, extra=extra)
        kept.append(claim)
    return kept


@register(NAME, VERSION)
def extract(text: str, title: str | None = None) -> Iterator[Claim]:
    roundup = is_roundup(text, title)
    legal = is_legal_story(text, title)
    claims = _identified_as_told([*(_claims(title, in_title=True) if title else ()), *_claims(text, in_title=False, legal_story=legal)])
    # "a fatal shooting" says at least one died: a claim of its own only where no figure says how many
    stated = any(c.measure == "killed" and not c.extra.get("implied") and not c.extra.get("background") for c in claims)
    accused_headline = bool(roundup and title and ACCUSED_OF.search(title))  # "Man charged with shooting 6": one incident's
    for claim in claims:
        if stated and claim.extra.get("implied"):
            continue
        if roundup and not (accused_headline and claim.extra.get("in_title")):
            claim.extra["roundup"] = True
        yield claim


def casualty_spans(text: str) -> list[tuple[int, int]]:
    """Spans of casualty figures in `text` (used by the figures extractor to skip them)."""
    return [(h.start, h.end) for h in _scan(text, False)]  # the same cache key as the extractor's own call


__all__ = ["extract", "casualty_spans", "Hit", "RULES", "NAME", "VERSION", "sentence_spans"]
