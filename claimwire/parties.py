"""Parties within an event: whom each casualty figure counts.

A ledger row is one party and one measure, so the many names of one side must meet:
"Assad-backed forces", "pro-government fighters", "Syrian government fighters",
"government troops" and, by the event's context, "militiamen" and "troops" are one party;
"SDF fighter" and "US-backed SDF fighter" another; "U.S.-led coalition forces" and
"U.S. military members" a third. Outside a war the parties are roles: the victims
(people, a child, an officer, residents...), the suspect(s) or shooter, bystanders.

How a figure's group becomes a party, in order:

1. its own words (`describe`), read through the actor alias table (claimwire/data/actors.json)
   and the head nouns and modifiers of claimwire/data/parties.json: a named armed group is
   its own party ("US-backed SDF fighter" -> SDF); "pro-X", "X-backed", "X-led", "loyal to X"
   put a generic head on X's side; a country with a government word or an armed head is that
   state's side; an unqualified "government" is the government the event names;
2. the event's context, for groups that name no side ("fighters", "troops", no group at all)
   when the event is a war (two sides, or a side and armed people): the side another figure of
   the same sentence names, else the side whose figures of the same measure agree with this one
   (which names co-occur with which figures), else the side all other figures of that measure
   count;
3. outside a war, the role: perpetrators -> suspects, bystanders -> bystanders, anyone else
   -> victims; a lone death described as self-inflicted counts the suspect.

Party keys are stable (the same claims give the same keys, whatever their order):
"state:syria", "syrian_democratic_forces", "group:tribal", "civilians", "people",
"victims", "suspects", "bystanders".
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from claimwire.actors import actor_group, actor_key, actor_words
from claimwire.agreement import Reading, agree

VICTIMS = "victims"
SUSPECTS = "suspects"
BYSTANDERS = "bystanders"
CIVILIANS = "civilians"
PEOPLE = "people"
EVERYONE = "everyone"
UNQUALIFIED_STATE = "state:?"

ROLE_LABELS = {
    VICTIMS: "victims",
    SUSPECTS: "suspect(s)",
    BYSTANDERS: "bystanders",
    CIVILIANS: "civilians",
    PEOPLE: "people",
    EVERYONE: "everyone, suspect(s) included",
}

# words before "of" that only say how many of a group ("members of", "dozens of")
_PARTITIVE = frozenset("members member some most many all each none both dozens hundreds scores thousands one two three".split())
# words that qualify a head without naming a side
_PLAIN = frozenset(
    """year old - of the a an and other others young unidentified unknown more least at about some several two three four
    five six seven eight nine ten dozen dozens hundreds many including also who which that were was are is armed local
    wounded injured dead killed suspected alleged his her their its my our your both all each""".split()
)


@dataclass(frozen=True, slots=True)
class GroupReading:
    """What a group's own words say: a side (party key) if they name one, and the role of its head."""

    side: str | None
    role: str  # combatant | perpetrator | bystander | civilian | person
    modifier: str | None = None  # an unknown qualifier of an armed head ("tribal fighters")
    via_government: bool = False  # the side was named as a government ("Syrian government", "Assad")


@dataclass(frozen=True, slots=True)
class Mention:
    """One figure as party resolution sees it."""

    group: str | None
    measure: str
    sentence: str
    article_id: int
    reading: Reading | None
    singular: bool = False  # one person described, not counted ("Smith died")
    with_self: bool = False  # its sentence also counts an attacker who killed himself ("murder-suicide")


@dataclass(slots=True)
class Party:
    key: str
    role: str  # side | civilians | people | victims | suspects | bystanders
    label: str
    names: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PartyResolution:
    parties: dict[str, Party]
    keys: list[str]  # the party of each mention, in input order
    how: list[str]  # how each was decided: words | value | sentence | event | role
    war: bool
    government: str = UNQUALIFIED_STATE  # the state an unqualified "government" means in this event


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    raw = json.loads(resources.files("claimwire").joinpath("data", "parties.json").read_text("utf-8"))
    return {name: frozenset(raw[name]) if isinstance(raw[name], list) else raw[name] for name in raw}


def party_identities() -> frozenset[str]:
    """Armed heads that say whose side they are on ("rebels", "militants")."""
    return _lexicon()["identities"]


def _role_of(head: str | None) -> str:
    lex = _lexicon()
    if head in lex["perpetrators"]:
        return "perpetrator"
    if head in lex["bystanders"]:
        return "bystander"
    if head in lex["combatants"]:
        return "combatant"
    if head in lex["civilians"]:
        return "civilian"
    return "person"


def _side_of_key(key: str) -> tuple[str | None, bool]:
    """The party an alias key stands for, and whether it was named as a government."""
    group = actor_group(key)
    if group is None:
        return None, False
    if group.kind == "country":
        return f"state:{key}", False
    if group.kind == "government":
        return (f"state:{group.affiliation}" if group.affiliation else key), True
    if group.kind == "place":
        return None, False
    return (f"state:{group.affiliation}" if group.affiliation else key), False


def _strip_partitive(words: list[str]) -> list[str]:
    """ "members of pro-government forces" -> "pro-government forces"."""
    if "of" in words[:3] and all(w in _PARTITIVE for w in words[: words.index("of")]):
        words = words[words.index("of") + 1 :]
        while words and words[0] in ("the", "a", "an", "its", "their", "his", "her"):
            words = words[1:]
    return words


def allegiance(words: Sequence[str]) -> tuple[str | None, int]:
    """The word a group declares allegiance to ("pro-X", "X-backed", "loyal to X") and its position."""
    lex = _lexicon()
    for index, word in enumerate(words):
        if word == "pro" and index + 2 < len(words) and words[index + 1] == "-":
            return words[index + 2], index + 2
        if word in lex["allegiance_before"] and index >= 2 and words[index - 1] == "-":
            return words[index - 2], index - 2
        if word in lex["allegiance_after"] and index + 1 < len(words):
            target = index + 1
            while target + 1 < len(words) and words[target] in ("to", "with", "the", "a", "an", "its", "their"):
                target += 1
            return words[target], target
    return None, -1


def side_named_by(word: str, following: Sequence[str]) -> tuple[str | None, bool]:
    """A side named by one word (an alias key, a country with a government word, a bare government word)."""
    government = _lexicon()["government"]
    side, via = _side_of_key(word)
    if side is not None and side.startswith("state:") and following and following[0] in government:
        return side, True
    if side is not None:
        return side, via
    if word in government:
        return UNQUALIFIED_STATE, True
    return None, False


@lru_cache(maxsize=8192)
def describe(group: str | None) -> GroupReading:
    """What a group's own words say about its party."""
    words = _strip_partitive([w for w in actor_words(group)]) if group else []
    content = [w for w in words if w != "-"]
    head = content[-1] if content else None
    role = _role_of(head)
    if role == "person" and any(w in _lexicon()["combatants"] for w in content):
        role = "combatant"  # "military members", "army officers"
    target, position = allegiance(words)
    for index, word in enumerate(words):  # a named armed group or organisation is its own party
        group_info = actor_group(word)
        if index != position and group_info is not None and group_info.kind in ("armed_group", "organisation", "government"):
            side, via = _side_of_key(word)
            return GroupReading(side=side, role=role, via_government=via)
    if target is not None:
        side, via = side_named_by(target, words[position + 1 :])
        if side is not None:
            return GroupReading(side=side, role=role, via_government=via)
        if role == "combatant" and target not in _PLAIN:
            return GroupReading(side=None, role=role, modifier=target)  # "Saudi-led forces": Saudi's side
    for index, word in enumerate(words):
        side, via = side_named_by(word, words[index + 1 :])
        if side is not None and (via or role == "combatant"):
            return GroupReading(side=side, role=role, via_government=via)
    return GroupReading(side=None, role=role, modifier=_modifier(content))


def _modifier(content: Sequence[str]) -> str | None:
    """An unknown word that says whose people a group counts: "tribal fighters", "Houthi rebels",
    "rebels" itself; not words that only say they are armed ("army troops") or how many."""
    lex = _lexicon()
    identity = lex["identities"]
    if content and content[-1] in identity and all(w in _PLAIN or w.isdigit() for w in content[:-1]):
        return content[-1].rstrip("s")
    words = [
        w
        for w in content[:-1]
        if w not in _PLAIN
        and not w.isdigit()
        and (w in identity or w not in lex["combatants"] | lex["government"] | lex["civilians"] | lex["perpetrators"])
    ]
    return " ".join(w.rstrip("s") if w in identity else w for w in words) or None


def side_of(reading: GroupReading, government: str = UNQUALIFIED_STATE) -> str | None:
    """The side a group's own words name, if any: its side, the event's government for an unqualified
    one, or its unknown qualifier for armed people ("Houthi rebels")."""
    if reading.side == UNQUALIFIED_STATE:
        return government
    if reading.side:
        return reading.side
    if reading.role == "combatant" and reading.modifier:
        return f"group:{reading.modifier}"
    return None


def _counts_everyone(mention: Mention, reading: GroupReading) -> bool:
    """A figure that counts the attacker with the victims: "two bailiffs and the shooter", "four dead,
    including the gunman", "five people died in a murder-suicide"."""
    words = set(actor_words(mention.group)) if mention.group else set()
    if reading.role != "perpetrator" and words & _lexicon()["perpetrators"]:
        return True
    if reading.role not in ("person", "civilian", "bystander"):
        return False
    if mention.with_self:
        return True
    return reading.modifier is None and (not words or bool(words & _lexicon()["generic_people"])) and _counts_the_attacker(mention.sentence)


@lru_cache(maxsize=16384)
def _counts_the_attacker(sentence: str) -> bool:
    """`_INCLUDING` searched in a sentence, kept per sentence: every rebuild of an event reads its figures again."""
    return _INCLUDING.search(sentence) is not None


_INCLUDING = re.compile(
    r"\b(?:including|counting|among them|plus)\s+(?:\w+\s+){0,2}?(?:suspected\s+)?(?:gunman|gunmen|shooter|shooters|suspect|suspects|"
    r"attacker|attackers|assailant|bomber|bombers|killer|himself|herself|themselves)\b",
    re.IGNORECASE,
)


def resolve_parties(mentions: Sequence[Mention]) -> PartyResolution:
    """The party of every mention, decided on the event's mentions together."""
    readings = [describe(m.group) for m in mentions]
    war = _is_war(readings)
    keys: list[str | None] = []
    how: list[str] = []
    government = _event_government(readings)
    for mention, reading in zip(mentions, readings):
        key, decided = _own_party(mention, reading, war, government)
        keys.append(key)
        how.append(decided)
    if war:
        _resolve_from_context(mentions, readings, keys, how)
    final = [key or PEOPLE for key in keys]
    return PartyResolution(parties=_parties(mentions, final, readings), keys=final, how=how, war=war, government=government)


def _is_war(readings: Sequence[GroupReading]) -> bool:
    """Two sides, or one side and armed people: the parties are sides, not roles. Armed people named
    by a word the alias table does not know ("Houthi rebels", "Saudi-led forces") are a side too."""
    sides = {r.side for r in readings if r.side and r.side != UNQUALIFIED_STATE}
    sides |= {f"group:{r.modifier}" for r in readings if r.role == "combatant" and r.modifier}
    armed = any(r.role == "combatant" for r in readings)
    return len(sides) >= 2 or (len(sides) == 1 and armed) or (UNQUALIFIED_STATE in {r.side for r in readings} and armed)


def _event_government(readings: Sequence[GroupReading]) -> str:
    """The state an unqualified "government" means: the one the event names as a government, if one."""
    named = {r.side for r in readings if r.via_government and r.side and r.side != UNQUALIFIED_STATE}
    return named.pop() if len(named) == 1 else UNQUALIFIED_STATE


def _own_party(mention: Mention, reading: GroupReading, war: bool, government: str) -> tuple[str | None, str]:
    if not war:
        if _counts_everyone(mention, reading):
            return EVERYONE, "role"
        if reading.role == "perpetrator":
            return SUSPECTS, "role"
        return (BYSTANDERS if reading.role == "bystander" else VICTIMS), "role"
    side = side_of(reading, government)
    if side:
        return side, "words"
    if reading.role == "civilian":
        return CIVILIANS, "words"
    return None, ""


def _resolve_from_context(mentions: Sequence[Mention], readings: Sequence[GroupReading], keys: list, how: list) -> None:
    """Groups that name no side take one from the event: agreeing figures, the sentence, the measure."""
    for step in (_by_sentence, _by_value, _by_value, _by_measure):
        resolved = [(m, k) for m, k, h in zip(mentions, keys, how) if k is not None and (h == "words" or step is not _by_sentence)]
        for index, mention in enumerate(mentions):
            if keys[index] is None:
                found = step(mention, resolved)
                if found is not None:
                    keys[index], how[index] = found, step.__name__.removeprefix("_by_")


def _by_value(mention: Mention, resolved: list[tuple[Mention, str]]) -> str | None:
    """The one side whose figures of the same measure agree with this one."""
    if mention.reading is None:
        return None
    votes = Counter(k for m, k in resolved if m.measure == mention.measure and m.reading is not None and agree(m.reading, mention.reading))
    if not votes:
        return None
    ranked = votes.most_common(2)
    return ranked[0][0] if len(ranked) == 1 or ranked[0][1] > ranked[1][1] else None


def _by_sentence(mention: Mention, resolved: list[tuple[Mention, str]]) -> str | None:
    sides = {k for m, k in resolved if m.article_id == mention.article_id and m.sentence == mention.sentence and k != PEOPLE}
    return sides.pop() if len(sides) == 1 else None


def _by_measure(mention: Mention, resolved: list[tuple[Mention, str]]) -> str | None:
    """The side every other figure of this measure counts, when they all count one."""
    sides = {k for m, k in resolved if m.measure == mention.measure}
    return sides.pop() if len(sides) == 1 else None


def _parties(mentions: Sequence[Mention], keys: Sequence[str], readings: Sequence[GroupReading]) -> dict[str, Party]:
    names: dict[str, list[tuple[str, int, bool]]] = defaultdict(list)
    for mention, key, reading in zip(mentions, keys, readings):
        if mention.group:
            names[key].append((mention.group, mention.article_id, reading.side is not None or reading.modifier is not None))
    parties = {}
    for key in dict.fromkeys(keys):
        written = names.get(key, [])
        role = "side" if key.startswith(("state:", "group:")) or "_" in key or key not in ROLE_LABELS else key
        parties[key] = Party(key=key, role=role, label=_label(key, written), names=list(dict.fromkeys(n for n, _, _ in written)))
    return parties


def party_label(key: str | None, parties: dict[str, Party] | None = None) -> str:
    """How to name a party key to an editor: the event's own name for it, else one made from the key."""
    if not key:
        return ""
    if parties and key in parties:
        return parties[key].label
    if key.startswith("state:"):
        group = actor_group(key.split(":", 1)[1])
        return f"{group.label} forces" if group else "government forces"
    if key.startswith("group:"):
        return f"{key.split(':', 1)[1]} fighters"
    return _label(key, [])


def _label(key: str, written: list[tuple[str, int, bool]]) -> str:
    """The name most articles use for the party (names that say whose side first), else its role."""
    if key in ROLE_LABELS:
        return ROLE_LABELS[key]
    group = actor_group(key)
    if group is not None:
        return group.label  # a named armed group or organisation: "SDF"
    named = [(n, a) for n, a, says_side in written if says_side] or [(n, a) for n, a, _ in written]
    if not named:
        return key.split(":", 1)[-1].replace("_", " ")
    articles: dict[str, set[int]] = defaultdict(set)
    shortest: dict[str, str] = {}
    for name, article in named:
        norm = actor_key(name) or name.lower()
        articles[norm].add(article)
        if norm not in shortest or len(name) < len(shortest[norm]):
            shortest[norm] = name
    first = {norm: min(articles[norm]) for norm in articles}
    best = max(articles, key=lambda n: (len(articles[n]), -first[n], -len(shortest[n])))
    return re.sub(r"(?<=\S)\s+-(?=\w)", "-", shortest[best])  # "U.S. -led" as some pages write it
