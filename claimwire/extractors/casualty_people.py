"""Who a casualty figure counts, and how many: person nouns, the noun phrase's group, lists of
people ("his wife, her mother and two children") and coordinated subjects ("a 12-year-old and
three others").  Helpers of the casualty rules in casualties.py; the patterns are in
casualty_patterns.py."""

from __future__ import annotations

import re

from claimwire.extractors._lexicon import CONTEXT_BEFORE_REJECT, MONTHS, PAIR_NOUNS, PERSON_NOUNS, PLURAL_PERSON_NOUNS, UNIT_NOUNS
from claimwire.extractors.casualty_patterns import (
    ADJ_REJECT,
    AGE_ITEM,
    AGE_NOUN,
    AGE_OR_CALL_BEFORE,
    AGES_RUN_BEFORE,
    CLAUSE_AFTER_ITEM,
    COORDINATED,
    DEMONYMS,
    FWD_ITEM,
    FWD_SELF,
    FWD_SEP,
    GROUP_CUT,
    GROUP_ONLY_ARTICLE,
    ITEM_MARKED,
    ITEM_POSTMODIFIER,
    ITEM_RE,
    ITEM_VERB,
    LIST_RELATIVE,
    LIST_SEP,
    LIST_WORD,
    NAME_AND_COMMA,
    NAME_FIRST_REJECT,
    NAME_REJECT,
    NAME_WORD,
    NOT_IN_ITEM,
    OTHER_CLAUSE,
    PARENT_OF_BEFORE,
    PARTICIPLE,
    PLACE_HEADS,
    PLURAL_ROLE_NOUNS,
    PREVIOUS_WORD,
    ROLE_NOUNS,
    SELF_ITEM,
    TAIL_REJECT_BEFORE,
    TRAILING_AGE,
    VERBISH,
    YEAR,
)
from claimwire.numbers import quantity_bounds

#: "17 y.o killed": an age, not a toll
AGE_UNITS = frozenset({"y.o", "yo", "y/o", "yr", "yrs", "yr-old", "years-old"})
#: Plural person nouns that a singular-victim rule must not read as one person.
NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve".split())
_PLURAL_GROUPS = (
    "people",
    "men",
    "women",
    "children",
    "police",
    "personnel",
    "troops",
    "forces",
    "others",
    "militiamen",
    "gunmen",
    "policemen",
    "kids",
    "teens",
    "crew",
    "crews",
)
VICTIM_NOUNS = PERSON_NOUNS | ROLE_NOUNS
PLURAL_VICTIM_NOUNS = PLURAL_PERSON_NOUNS | PLURAL_ROLE_NOUNS


def head(np: str) -> str:
    words = np.split()
    return words[-1].lower().strip("'’") if words else ""


def _demonym(w: str) -> bool:
    return w in DEMONYMS or (w.endswith("s") and w[:-1] in DEMONYMS)


def is_person_word(word: str) -> bool:
    w = word.lower().strip("'’,.")
    return (
        w in VICTIM_NOUNS or (w.endswith("s") and w[:-1] in VICTIM_NOUNS) or w.endswith(("year-old", "year-olds", "month-old", "week-old"))
    )


def is_person(np: str) -> bool:
    """Does the noun phrase name people?  (A nationality only as its head: "two Britons", not "Iraqi towns".)"""
    words = np.split()
    return any(is_person_word(w) for w in words[:5]) or bool(words) and _demonym(words[-1].lower().strip("'’,."))


def singular_person(np: str) -> bool:
    words = [w.lower().strip("'’,.") for w in np.split()[:4]]
    return any(
        (w in VICTIM_NOUNS and not (w.endswith("s") and w[:-1] in VICTIM_NOUNS) and w not in _PLURAL_GROUPS)
        or w.endswith(("year-old", "month-old", "week-old"))
        for w in words
    ) or (bool(words) and words[-1] in DEMONYMS and not words[-1].endswith(("ese", "swiss")))


def person_np(np: str) -> str:
    """The noun phrase cut after its last person noun ("11-year-old last Friday" -> "11-year-old")."""
    words = np.split()
    idx = [i for i, w in enumerate(words[:5]) if is_person_word(w)]
    return " ".join(words[: idx[-1] + 1]) if idx else np


def context_ok(text: str, start: int, num: str | None, np: str) -> bool:
    """Reject dates, addresses, codes, years, units."""
    before = text[max(0, start - 16) : start]
    prev = PREVIOUS_WORD.search(before)
    if prev and not prev.group(0).rstrip().endswith((",", ";", ":")):  # "Route 66", not "In Aceh district, 10 people"
        word = prev.group(1).lower()
        if word in CONTEXT_BEFORE_REJECT or word.rstrip(".") in CONTEXT_BEFORE_REJECT:
            return False
        if (word in MONTHS or word.rstrip(".") in MONTHS) and num and num[:1].isdigit():
            if word != "may" or prev.group(1)[0] == "M":
                return False
        if before.rstrip().endswith(("#", "$", "No.", "no.")):
            return False
    words = np.split()
    if words and words[0].lower().startswith(("-year", "-month", "-week")):
        return False  # "a three -year-old girl": an age
    if any(w in ("News", "NEWS") for w in words[:4]):
        return False  # a station name: "7 Action News"
    if words:
        first = words[0].lower().strip(".")
        if first in UNIT_NOUNS or first + "." in UNIT_NOUNS or first in AGE_UNITS:
            return False
        if (head(np) in UNIT_NOUNS or any(w.lower() in UNIT_NOUNS for w in words[:3])) and not is_person(np):
            return False  # "two separate shootings late Wednesday night"
    if num and YEAR.fullmatch(num.strip()):
        return False
    if num and num[:1].isdigit() and not np.strip() and NAME_AND_COMMA.search(before):
        return False  # an age: "Ginger Reeves, 64 were found dead"
    if AGE_OR_CALL_BEFORE.search(before) or AGES_RUN_BEFORE.search(text, max(0, start - 40), start):
        return False
    if PARENT_OF_BEFORE.search(before):
        return False  # "father of 5 killed": his children, not a toll
    if words and words[0].lower() in ("a", "an", "the"):
        return False
    return True


def clean_group(np: str) -> str | None:
    np = person_np(np.strip())
    np = GROUP_ONLY_ARTICLE.sub("", np)
    np = GROUP_CUT.split(np)[0].strip(" ,'\"’”")
    return np or None


def coordinated(text: str, pos: int) -> tuple[float, float | None, int] | None:
    """A counted noun phrase joined to the subject at `pos`: "three men and [a woman were wounded]"
    -> (low, high, start)."""
    window_start = max(0, pos - 80)
    m = COORDINATED.search(text, window_start, pos)
    if not m:
        return None
    np = m.group("np") or ""
    if m.group("one"):
        if not is_person(np):
            return None
        return 1, 1, m.start()
    if not is_person(np):
        return None
    lo, hi, _ = quantity_bounds(m.group("num"), m.group("hedge"))
    if lo is None:
        return None
    return lo, hi, m.start("hedge") if m.group("hedge") else m.start("num")


# -- lists of people: "his wife, her mother and two children", "Mother, 2 children found dead" --------


def person_kind(word: str) -> str | None:
    """'sg' / 'pl' for a person noun ("wife", "3-year-old" / "daughters"), 'inv' for a nationality
    whose plural is the same word ("Chinese"), else None."""
    w = word.lower().strip("'’,.")
    if AGE_NOUN.search(w):
        return "pl" if w.endswith("s") else "sg"
    if w in PLURAL_VICTIM_NOUNS:
        return "pl"
    if w.endswith(("ese", "swiss")) and w in DEMONYMS:
        return "inv"  # "a Chinese", "two Chinese"
    if w in VICTIM_NOUNS or w in DEMONYMS:
        if w.endswith("s") and (w[:-1] in VICTIM_NOUNS or w[:-3] + "y" in VICTIM_NOUNS or w in PAIR_NOUNS):
            return "pl"
        return "sg"
    if w.endswith("ies") and w[:-3] + "y" in VICTIM_NOUNS:
        return "pl"
    if w.endswith("s") and (w[:-1] in VICTIM_NOUNS or w[:-1] in DEMONYMS):
        return "pl"
    return None


def item_value(part: str, title: bool, whole: bool = True) -> tuple[int, bool, bool] | None:
    """The number of people one list item names, whether it is the perpetrator himself, and
    whether it is a name.

    `whole`: the item is all the text between two separators (bare nouns and names allowed);
    otherwise it is the tail of a longer stretch and needs a determiner, possessive or number
    (bare nouns only in headlines).  A prepositional phrase after the item is left out ("Capt. Tom
    Tennant of the Woodburn Police Department", "a man from Texas")."""
    part = part.strip(" \t\"'“”‘’")
    if not part:
        return None
    if SELF_ITEM.fullmatch(part):
        return 1, True, False
    if part.lower() in ("he", "she"):
        return (1, False, False) if whole else None
    if NOT_IN_ITEM.search(part):
        return None
    got = _item_count(part, title, whole)
    cut = ITEM_POSTMODIFIER.search(part) if whole else None
    if got is None and cut is not None and cut.start() > 0:
        got = _item_count(part[: cut.start()], title, whole)
    return got


def _item_count(part: str, title: bool, whole: bool) -> tuple[int, bool, bool] | None:
    m = ITEM_RE.fullmatch(part)
    if m is not None:
        kind = person_kind(m.group("head"))
        if kind is not None:
            return _noun_item(m, kind, title, whole)
    words = part.split()
    while len(words) > 1 and (words[0].lower() in ("the", "a", "an", "his", "her", "their", "young") or AGE_NOUN.search(words[0].lower())):
        words = words[1:]  # "the 27-year-old Escalante", "15-year-old Alexandros Grigoropoulos"
    if not title and whole and is_name(words):
        return 1, False, True
    return None


def _noun_item(m: re.Match[str], kind: str, title: bool, whole: bool) -> tuple[int, bool, bool] | None:
    """A person noun with its determiner, number and modifiers: "a state bomb disposal technician",
    "her two children", "parents"."""
    adj = m.group("adj").split()
    marked = bool(m.group("det") or m.group("poss") or m.group("num"))
    if any(a.lower() in ADJ_REJECT or VERBISH.search(a) or (not marked and PARTICIPLE.search(a)) for a in adj):
        return None
    head_word = m.group("head")
    if kind in ("sg", "inv") and not m.group("num"):
        if not (marked or whole or title):
            return None
        if m.group("det") and m.group("det").lower() == "both":
            return None
        return 1, False, False
    if kind in ("pl", "inv"):
        if m.group("num"):
            n = quantity_bounds(m.group("num"))[0]
            return (int(n), False, False) if n else None
        if head_word.lower() in PAIR_NOUNS and not adj:
            return PAIR_NOUNS[head_word.lower()], False, False
    return None


def is_name(words: list[str]) -> bool:
    """A person's name, with any title or role before it: "Smith", "Tina Shelton", "Police Capt. Tom
    Tennant", "Oregon State Police bomb technician Bill Hakim" (not "In Aceh", "Woodburn Police")."""
    if not 1 <= len(words) <= 8 or words[0].lower() in NAME_FIRST_REJECT:
        return False
    if any(w.lower() in PLACE_HEADS for w in words[-2:]) or not all(w[:1].isalpha() for w in words):
        return False
    if len(words) <= 3:
        return all(NAME_WORD.fullmatch(w) and w.lower() not in NAME_REJECT for w in words)
    name = words[-2:]
    if not all(NAME_WORD.fullmatch(w) and w.lower() not in NAME_REJECT for w in name):
        return False
    return not any(w.lower() in ADJ_REJECT or PARTICIPLE.search(w) or VERBISH.search(w) for w in words[:-2])


_INDEFINITE = frozenset({"a", "an"})
_NEW = frozenset({"another", "second"})
_DEFINITE = frozenset({"the", "his", "her", "their", "its", "this", "that", "our", "my"})
_PRONOUNS = frozenset({"he", "she", "him", "his", "her"})


def mention(phrase: str) -> str | None:
    """How a phrase names one victim: "indefinite" ("a man"), "new" ("another climber"), "definite"
    ("the boy", "student"), "pronoun" ("he", "her"), "name" ("Scott Russell"); None when a number
    is written ("one person", "1 dead")."""
    words = phrase.split()
    if not words:
        return None
    first = words[0].lower().strip("\"'“‘(")
    if first[:1].isdigit() or first in NUMBER_WORDS:
        return None
    if first in _INDEFINITE:
        return "indefinite"
    if first in _NEW:
        return "new"
    if first in _PRONOUNS and (len(words) == 1 or first in ("he", "she", "him")):
        return "pronoun"
    if first in _DEFINITE:
        return "definite"
    return "name" if words[0][:1].isupper() else "definite"


def np_before(text: str, end: int, title: bool) -> tuple[int, int, bool] | None:
    """The people named by the phrase that ends at `end`: (count, start, is_name) -- a name with its
    title ("Capt. Tennant", "Flynn") or a noun phrase with a determiner or number ("the Woodburn police
    officer", "his daughter"; a bare noun in a headline: "teen")."""
    words = list(LIST_WORD.finditer(text, max(0, end - 120), end))[-8:]
    for k in range(len(words) - 2, -1, -1):
        if words[k].group(0)[-1] in ',;:()"“”':
            words = words[k + 1 :]
            break
    run = len(words)
    while run > 0 and words[run - 1].group(0)[:1].isupper():
        run -= 1
    name = [w.group(0) for w in words[run:]]
    while len(name) > 1 and name[0].lower() in NAME_REJECT:
        name, run = name[1:], run + 1
    inside_name = run > 0 and words[run - 1].group(0).lower() in ("of", "and", "&", "for", "the", "de")
    if name and not title and not inside_name and is_name(name):  # not "(Academy of Science and) Technology"
        return 1, words[run].start(), True
    for k in range(len(words) - 1, -1, -1):
        got = item_value(text[words[k].start() : end], title, whole=False)
        if got is not None:
            return got[0], words[k].start(), got[2]
    return None


def _tail_item(part: str, title: bool, prev_name: bool | None) -> tuple[int, bool, int] | None:
    """The leftmost item may be preceded by other words: "Police said a man" -> (value, self, offset)."""
    words = list(LIST_WORD.finditer(part))
    for k in range(len(words) - 1, max(-1, len(words) - 9), -1):
        got = item_value(part[words[k].start() :], title, whole=False)
        if got is None:
            continue
        before = part[: words[k].start()].split()
        if before and before[-1].lower().strip(",") in TAIL_REJECT_BEFORE:
            return None  # "two people were killed, including the suspect, and six others"
        if prev_name is not None and got[2] != prev_name:
            return None
        return got[0], got[1], words[k].start()
    return None


#: "both" opening a list of people ("Both Flores and the woman were injured")
LEADING_BOTH = re.compile(r"\s*both\s+(?=\S)", re.IGNORECASE)


def items_before(text: str, end: int, title: bool, need_sep: bool, right_is_name: bool | None = None) -> list[tuple[int, bool, int]]:
    """List items that end at `end` (value, is_self, start), right to left.

    With `need_sep`, text[:end] must end with a separator (", ", " and "), and the items are the
    ones before it ("Mother, " + "2 children found dead"); `right_is_name` says whether the phrase
    after that separator is a name.  A name next to a noun with only a comma between them is an
    apposition ("the shop's owner, James Baker, 64,") and counts once; so is what follows a name
    and its age ("Alex Lutes, 15, Minot")."""
    ws = max(0, end - 160)
    chunk = text[ws:end]
    seps = list(LIST_SEP.finditer(chunk))
    items: list[tuple[int, bool, int]] = []
    cur = len(chunk)
    prev_name: bool | None = None  # kind of the item to the right, when only a comma separates them
    right_aged = False  # the item to the right had an age ("Brittany Powell, 27,")
    if need_sep:
        if not seps or seps[-1].end() != cur:
            return items
        sep = seps.pop()
        prev_name = right_is_name if sep.group(0).strip() == "," else None
        cur = sep.start()
    while True:
        while seps and seps[-1].end() > cur:
            seps.pop()
        sep = seps[-1] if seps else None
        start = sep.end() if sep else 0
        part = chunk[start:cur]
        aged = bool(AGE_ITEM.fullmatch(part) and sep and sep.group(0).strip() == ",")
        if aged:
            # an age: "Tina Shelton, 37, and ..." -> merge with the name before it
            if items and prev_name and not right_aged:
                items[-1] = (0, items[-1][1], items[-1][2])  # "Alex Lutes, 15, Minot": a place, not a person
            seps.pop()
            sep = seps[-1] if seps else None
            start = sep.end() if sep else 0
            part = TRAILING_AGE.sub("", chunk[start:cur])
            prev_name = None
        whole = sep is not None or ws + start == 0
        both = LEADING_BOTH.match(part)
        if both:  # "Both Flores and the female victim were hurt": the list's first item is "Flores"
            start, part = start + both.end(), part[both.end() :]
        got = item_value(part, title, whole=whole)
        if got is None:
            tail = _tail_item(part, title, prev_name)
            if tail is not None:
                items.append((tail[0], tail[1], ws + start + tail[2]))
            break
        value = got[0]
        if prev_name is not None and got[2] != prev_name:
            value = 0  # apposition
        items.append((value, got[1], ws + start))
        if sep is None:
            break
        prev_name = got[2] if sep.group(0).strip() == "," else None
        right_aged = aged
        cur = sep.start()
    return items


_IDENTIFIED_AS = re.compile(r"(?:(?:later|since|now|previously)\s+)?identified\s+as\s+(?=[A-Z]|\d{1,3}-year-old\s+[A-Z])")


def items_after(
    text: str, pos: int, measure: str, title: bool, first_is_name: bool = False, first_indefinite: bool = False
) -> tuple[int, int, int]:
    """More objects after the first one: "killed his wife, her mother and two children, then himself".

    Returns (people added, perpetrator counted (self), end).  A name right after a noun with only a
    comma between them is an apposition ("his cousin, Joshua Hagrin, 17,") and is not counted, nor
    is a noun joined to it up to the next comma ("Alex Ramirez, a neighbor and close friend,")."""
    added = n_self = 0
    end = pos
    prev_name: bool | None = first_is_name  # the first object is a name, or a noun phrase or a number
    prev_indefinite = first_indefinite  # the item before opens with "a"/"an"
    apposition = False
    while True:
        relative = LIST_RELATIVE.match(text, pos)
        if relative:
            pos = relative.end()  # "a woman, who was walking near Horton, and an 11-year-old girl"
        sep = FWD_SEP.match(text, pos)
        if not sep or relative and "and" not in sep.group(0) and "&" not in sep.group(0):
            break
        verb = (sep.group("verb") or "").lower()
        sm = FWD_SELF.match(text, sep.end())
        if (verb == "shooting" and measure == "killed" or verb and verb != "killing" and verb != "turning the gun on") and not sm:
            break  # "killing his wife and shooting his son": the son is not among the killed; "then killed" only himself
        if sm:
            if measure not in ("killed", "shot"):
                break
            added += 1
            n_self += 1
            pos = end = sm.end()
            prev_name = None
            continue
        named = _IDENTIFIED_AS.match(text, sep.end())  # "his wife, identified as Maria Lopez, 38, her brother"
        im = FWD_ITEM.match(text, named.end() if named else sep.end())
        if not im or ITEM_VERB.match(im.group(0)):
            break
        part = TRAILING_AGE.sub("", im.group(0))
        got = item_value(part, title, whole=True)
        if got is None or got[0] == 0:
            break
        if OTHER_CLAUSE.match(text, im.end()) or CLAUSE_AFTER_ITEM.match(text, im.end()):
            break  # "left one dead and three others wounded", "killed his wife and her son was hurt"
        comma_only = sep.group(0).strip() == ","
        if comma_only and prev_name is not None and got[2] != prev_name:
            prev_name, apposition = None, True  # apposition: counted once
        elif (
            (apposition or prev_indefinite and sep.group(0).lstrip().startswith(","))
            and not comma_only
            and not ITEM_MARKED.match(im.group(0))
        ):
            pass  # "Alex Ramirez, a neighbor and close friend", "a 14-year-old boy, and son of an officer": one person
        else:
            added += got[0]
            prev_name, apposition = got[2], False
        prev_indefinite = im.group(0).lower().startswith(("a ", "an "))
        pos = end = im.end()
    return added, n_self, end
