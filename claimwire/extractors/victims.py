"""How many different people a set of one-victim figures names, read in the order of the text
("Chief Scott Russell was injured ... a female bank employee was treated in hospital ... Chief
Russell remains in critical condition" -> 2).

Each figure comes with how the text names its victim (casualty_people.mention):

* a pronoun, or a word that fits anyone ("he", "her", "the victim"), is someone already named;
* "another climber" is someone new when a climber was named before ("another man" may be of
  another case);
* a name is the person of the same surname, else the first victim not yet named (news names the
  man of its lead later: "a man was killed ... Smith, 25, died"), else the first victim: a name
  never adds a victim by itself (other names in a story are often of other cases);
* an indefinite phrase whose noun says who the victim is ("a female bank employee") is someone
  new when every victim before is known by another role and shares no word with it ("Chief of
  Police Scott Russell"); otherwise it describes one of them again ("Zurana Horton ... a Brooklyn
  mother", "a Henderson County High School sophomore ... a Henderson County High School student");
* a definite phrase or a bare noun ("the chief of police", "the boy") is the victim it shares a
  describing word with, else the first victim: it refers back, it does not introduce anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from claimwire.extractors.casualty_people import is_person_word

_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_SKIP = frozenset(
    """
the a an his her their its my our this that these those of and in on at from with by for to who
was were is are be been police said also later another second third other one
""".split()
)
#: words that fit any victim
_ANYONE = frozenset("he she him her his victim victims person individual someone".split())
#: plain words for a person: they describe nobody in particular
_PLAIN = frozenset(
    """
man woman boy girl child teen teenager male female juvenile adult youth baby toddler infant kid men
women young elderly old year-old
""".split()
)


@dataclass
class _Victim:
    surname: str | None = None
    words: set[str] = field(default_factory=set)


#: roles that name the same kind of person: "Deputy Jerry Ortiz" may be "the cop" or "a police officer"
_SAME_ROLE = {
    w: "police"
    for w in """
officer officers deputy deputies cop cops trooper troopers policeman policemen policewoman patrolman sergeant
constable lieutenant detective agent marshal sheriff
""".split()
}


def _describing_words(group: str | None) -> set[str]:
    """The words that tell who the victim is ("Henderson", "chief", "employee", "Russell")."""
    words = {w.lower().removesuffix("'s").removesuffix("’s") for w in _WORD.findall(group or "")}
    return {_SAME_ROLE.get(w, w) for w in words - _SKIP - _ANYONE - _PLAIN if "year-old" not in w}


def _roles(words: set[str]) -> set[str]:
    return {w for w in words if is_person_word(w)}


def _head(group: str | None) -> str:
    """The noun the phrase is about, when it describes who the victim is ("employee" in "a female bank
    employee"); "" for a plain word ("a teenaged girl") or a name."""
    words = [w.lower() for w in _WORD.findall(group or "") if w[:1].islower() and "year-old" not in w]
    words = [w for w in words if w not in _SKIP]
    return _SAME_ROLE.get(words[-1], words[-1]) if words and words[-1] not in _PLAIN else ""


def _surname(group: str | None) -> str | None:
    words = [w for w in _WORD.findall(group or "") if not w[:1].isdigit()]
    last = words[-1] if words else ""
    return last.lower() if last[:1].isupper() and last.lower() not in _SKIP | _ANYONE | _PLAIN else None


def _merge(victim: _Victim, words: set[str], surname: str | None) -> None:
    victim.words |= words
    victim.surname = victim.surname or surname


def _place(seen: list[_Victim], group: str | None, kind: str) -> None:
    words = _describing_words(group)
    if kind == "pronoun" or (
        kind != "name" and not words and _WORD.findall(group or "") and {w.lower() for w in _WORD.findall(group or "")} <= _SKIP | _ANYONE
    ):
        return
    if not seen or kind == "new" and any(_head(group) in v.words for v in seen):
        seen.append(_Victim(_surname(group) if kind == "name" else None, words))  # "another climber"
        return
    if kind == "name":
        surname = _surname(group)
        match = next((v for v in seen if surname and v.surname == surname), None) or next((v for v in seen if v.surname is None), None)
        _merge(match or seen[0], words, surname)
        return
    match = next((v for v in seen if words & v.words), None)
    if match is None and kind == "indefinite" and _head(group) in words and all(_roles(v.words) for v in seen):
        seen.append(_Victim(None, words))  # "a female bank employee" after "Chief of Police Scott Russell"
        return
    _merge(match or seen[0], words, None)


def count_victims(mentions: list[tuple[str | None, str | None]]) -> int:
    """The number of different people named by one-victim figures: (group, mention kind) in text order."""
    seen: list[_Victim] = []
    for group, kind in mentions:
        _place(seen, group, kind or "definite")
    return len(seen)
