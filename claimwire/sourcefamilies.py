"""Who states a figure: sources canonicalised and grouped into families.

A family is the institution or camp behind a source: the Pentagon, a US military official, the
U.S.-led coalition and Col. Veale are the US military; Syrian state TV, state-run media and the
foreign ministry are the Syrian government; a commander of the pro-Assad alliance is that camp's
military; police, the sheriff's office and investigators are the police; a figure stated without
attribution is the outlet's own.

A source's family is (affiliation, sector):

* affiliation: whom the source belongs to or speaks for, from the actor alias table
  (claimwire/data/actors.json: the Pentagon and the coalition belong to the United States, SANA and
  Assad's government to Syria) or a declared allegiance ("a commander ... supporting Assad");
* sector: what kind of source it is (military, government, police, medical, rescue, monitor, media,
  witnesses), from its words and titles (claimwire/data/sourcefamilies.json).

What a source does not say itself comes from the event: a person takes the family an appositive or a
preceding description gives them anywhere in the event ("Army Col. Thomas Veale, a spokesman for the
coalition"); "the official", "officials", "the statement" take the family of the nearest source of
their own article that has one; a source with an affiliation but no sector ("US officials") joins the
one family of that affiliation, and a sector with no affiliation ("the foreign ministry") the one
state's family of that sector, when the event has exactly one.

Family keys are stable: "united_states/military", "syria/government", "pro:state:syria/military",
"syrian_observatory_for_human_rights/monitor", "-/police", "outlet:reuters.com", "name:<key>".
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from claimwire.actors import actor_group, actor_key, actor_words
from claimwire.parties import allegiance, party_identities, side_named_by

SECTOR_LABELS = {
    "military": "military", "government": "government", "police": "police", "medical": "medical sources",
    "rescue": "rescue services", "monitor": "monitors", "media": "media", "witnesses": "witnesses", None: "officials",
}  # fmt: skip
_NAME = re.compile(r"[A-Z][\w'’-]+")
_CUT = frozenset("in of for with at from on to who which that supporting backing loyal allied".split())
_INSTITUTIONS = frozenset(
    """office department bureau agency service services ministry county city police command center centre unit team
    force authority council court hospital university school sheriff""".split()
)


@dataclass(frozen=True, slots=True)
class SourceReading:
    """What a source's own words say about it."""

    affiliation: str | None  # alias key, or "pro:<party key>" for a declared allegiance
    affiliation_label: str | None  # "US", "Syrian", "pro-Syrian government"
    sector: str | None
    head: str | None  # the noun that names it: official, commander, spokesman, police
    surname: str | None  # for a named person: the last capitalised word


@dataclass(frozen=True, slots=True)
class SourceMention:
    """One attribution in an event: who, where (article, offset) and the outlet that printed it."""

    source: str | None
    article_id: int
    start: int
    outlet: str | None
    sentence: str = ""
    outlet_name: str | None = None  # how to name the outlet (or the file) an unattributed figure is printed in


@dataclass(slots=True)
class SourceFamily:
    key: str
    label: str
    sector: str | None
    names: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SourceResolution:
    families: dict[str, SourceFamily]
    keys: list[str]  # the family of each mention, in input order


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    return json.loads(resources.files("claimwire").joinpath("data", "sourcefamilies.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _sector_phrases() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each sector's phrases as they are looked for in a source's words: hyphens as spaces, padded with a space;
    one pattern per sector (it is found iff one of its phrases is in the text)."""
    return tuple(
        (sector, re.compile("|".join(re.escape(f" {p.replace('-', ' ')} ") for p in phrases) or "(?!)"))
        for sector, phrases in _lexicon()["sectors"].items()
    )


def canonical_source(source: str | None) -> str | None:
    """One spelling per source: "A USA military official" and "a US military official" are one."""
    return actor_key(source) if source else None


def _sector_of(words: Sequence[str]) -> str | None:
    text = f" {' '.join(w for w in words if w != '-')} "
    if {"ministry", "minister", "ministries", "ministers"} & set(words):  # "the disaster management ministry"
        military = _lexicon()["sectors"]["military"]
        return "military" if any(f" {w} " in text for w in military if w in ("defense", "defence", "military", "army")) else "government"
    for sector, phrases in _sector_phrases():
        if phrases.search(text) is not None:
            return sector
    titles = _lexicon()["titles"]
    return next((titles[w] for w in words if w in titles), None)


def _affiliation_of(words: Sequence[str]) -> tuple[str | None, str | None, str | None]:
    """(affiliation, its label, the sector the alias table gives) of a source's words."""
    target, position = allegiance(words)
    if target is not None:
        side, _ = side_named_by(target, words[position + 1 :])
        group = actor_group(target)
        if side is not None:
            label = f"pro-{group.label}" if group else f"pro-{target}"
            return f"pro:{side}", label, None
    for word in words:
        group = actor_group(word)
        if group is None or group.kind == "place":
            continue
        owner = group.affiliation or group.key
        owner_group = actor_group(owner)
        return owner, (owner_group.label if owner_group else group.label), group.sector
    identity = next((w for w in words if w in party_identities()), None)
    if identity is not None:  # "a rebel commander", "opposition activists"
        side = identity.rstrip("s")
        return f"group:{side}", side, None
    return None, None, None


@lru_cache(maxsize=8192)
def describe_source(source: str | None) -> SourceReading:
    """What a source's own words say: affiliation, sector, head noun, surname."""
    words = list(actor_words(source)) if source else []
    if not words:
        pronoun = source.strip().lower() if source else None
        return SourceReading(None, None, None, pronoun or None, None)
    affiliation, label, alias_sector = _affiliation_of(words)
    sector = alias_sector or _sector_of(words)
    return SourceReading(affiliation, label, sector, _head(words), _surname(source, words, sector, affiliation))


def _head(words: Sequence[str]) -> str | None:
    """The noun that names a source: the last word before its first preposition ("a commander in ...")."""
    cut = list(words)
    for index, word in enumerate(words):
        if index and word in _CUT:
            cut = list(words[:index])
            break
    return next((w for w in reversed(cut) if w != "-" and not actor_group(w)), None)


def _surname(source: str, words: Sequence[str], sector: str | None, affiliation: str | None) -> str | None:
    """The last name of a person source: a titled name ("Col. Thomas Veale") or a bare name ("Burguan")."""
    titles, officials = _lexicon()["titles"], set(_lexicon()["officials"])
    names = [t for t in _NAME.findall(source) if t.lower().rstrip(".") not in titles and not actor_group(actor_key(t) or "")]
    if not names or names[-1].lower() in _INSTITUTIONS:
        return None
    titled = any(w in titles for w in words)
    bare = (
        sector is None
        and affiliation is None
        and not officials & set(words)
        and all(t[:1].isupper() for t in re.findall(r"[^\W\d_][\w'’-]*", source))
    )
    return names[-1] if titled or bare else None


def resolve_sources(mentions: Sequence[SourceMention], sentences: Sequence[str] = ()) -> SourceResolution:
    """The family of every attribution of an event, decided on the event's attributions together."""
    readings = [describe_source(m.source) for m in mentions]
    readings = _people(readings, [*dict.fromkeys([*(m.sentence for m in mentions), *sentences])])
    readings = _anaphora(mentions, readings)
    keys = _family_keys(mentions, readings)
    return SourceResolution(families=_families(mentions, readings, keys), keys=keys)


def _people(readings: list[SourceReading], sentences: Sequence[str]) -> list[SourceReading]:
    """A named person whose words do not say whom they speak for takes what the event says of them:
    the same name said with an affiliation elsewhere, an appositive ("Veale, a spokesman for the
    coalition") or the words before the name ("Pentagon spokeswoman Dana White")."""
    known = {r.surname: r for r in reversed(readings) if r.surname and r.affiliation}
    found: dict[str, SourceReading | None] = {}
    out = []
    for reading in readings:
        if reading.surname is None or reading.affiliation:
            out.append(reading)
            continue
        if reading.surname not in found:
            found[reading.surname] = known.get(reading.surname) or _described_in(reading.surname, sentences, reading.sector)
        context = found[reading.surname]
        if context is None:
            out.append(reading)
        else:
            out.append(
                replace(
                    reading,
                    affiliation=context.affiliation,
                    affiliation_label=context.affiliation_label,
                    sector=reading.sector or context.sector,
                )
            )
    return out


_APPOSITIVE = re.compile(r",\s+(?:a|an|the)\s+([^,.;()]{3,80}?)(?:,|\.|;| said| told|$)")


def _described_in(surname: str, sentences: Sequence[str], sector: str | None) -> SourceReading | None:
    for sentence in sentences:
        start = sentence.find(surname)
        while start >= 0:
            for description in _descriptions(sentence, start, start + len(surname)):
                described = describe_source(description)
                if described.affiliation or (described.sector and not sector):
                    return described
            start = sentence.find(surname, start + 1)
    return None


def _descriptions(sentence: str, start: int, end: int) -> list[str]:
    """What a sentence says of the name at [start, end): its appositive, and the words before it
    (past a first name or initial: "Pentagon spokeswoman Dana White")."""
    out = []
    appositive = _APPOSITIVE.match(sentence, end)
    if appositive:
        out.append(appositive.group(1))
    before = sentence[:start].split()
    for _ in range(2):
        if before and before[-1][:1].isupper():
            before.pop()
    if before:
        out.append(" ".join(before[-5:]))
    return out


def _anaphora(mentions: Sequence[SourceMention], readings: list[SourceReading]) -> list[SourceReading]:
    """ "the official", "officials", "he": the nearest earlier source of the same article with the same head noun
    ("a US military official ... the official"), else the nearest informative one before it, else after it."""
    officials = set(_lexicon()["officials"])
    by_article: dict[int, list[int]] = defaultdict(list)
    for index, mention in enumerate(mentions):
        by_article[mention.article_id].append(index)
    out = list(readings)
    for index, (mention, reading) in enumerate(zip(mentions, readings)):
        if reading.affiliation or reading.sector or reading.head not in officials:
            continue
        same = sorted(by_article[mention.article_id], key=lambda i: mentions[i].start)
        before = [i for i in same if mentions[i].start < mention.start][::-1]
        after = [i for i in same if mentions[i].start > mention.start]
        same_head = [i for i in before if readings[i].head and readings[i].head.rstrip("s") == (reading.head or "").rstrip("s")]
        for other in same_head + before + after:
            if readings[other].affiliation or readings[other].sector:
                out[index] = replace(
                    reading,
                    affiliation=readings[other].affiliation,
                    affiliation_label=readings[other].affiliation_label,
                    sector=readings[other].sector,
                )
                break
    return out


def _family_keys(mentions: Sequence[SourceMention], readings: Sequence[SourceReading]) -> list[str]:
    complete = {(r.affiliation, r.sector) for r in readings if r.affiliation and r.sector}
    keys = []
    for mention, reading in zip(mentions, readings):
        if not mention.source:
            keys.append(f"outlet:{mention.outlet}" if mention.outlet else f"article:{mention.article_id}")
            continue
        affiliation, sector = reading.affiliation, reading.sector
        if affiliation and not sector:
            sectors = {s for a, s in complete if a == affiliation}
            sector = sectors.pop() if len(sectors) == 1 else None
        elif sector and not affiliation and reading.head not in _lexicon()["titles"]:
            owners = {a for a, s in complete if s == sector and _is_state(a)}
            affiliation = owners.pop() if len(owners) == 1 else None
        if affiliation or sector:
            keys.append(f"{affiliation or '-'}/{sector or 'officials'}")
        else:
            keys.append(f"name:{canonical_source(mention.source) or mention.source.lower()}")
    return keys


def _is_state(affiliation: str) -> bool:
    """A country (or its government): its unnamed ministry or army may be meant where it is the only one."""
    group = actor_group(affiliation)
    return group is not None and group.kind in ("country", "government")


def _families(mentions, readings, keys) -> dict[str, SourceFamily]:
    names: dict[str, list[str]] = defaultdict(list)
    first: dict[str, tuple[SourceMention, SourceReading]] = {}
    for mention, reading, key in zip(mentions, readings, keys):
        first.setdefault(key, (mention, reading))
        if mention.source and mention.source not in names[key]:
            names[key].append(mention.source)
    families = {}
    for key, (mention, reading) in first.items():
        families[key] = SourceFamily(
            key=key, label=_family_label(key, mention, reading, names[key]), sector=reading.sector, names=_distinct(names[key])
        )
    return families


def _distinct(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(canonical_source(name) or name.lower(), name)
    return list(seen.values())


def _family_label(key: str, mention: SourceMention, reading: SourceReading, names: list[str]) -> str:
    if key.startswith(("outlet:", "article:")):
        return mention.outlet or mention.outlet_name or f"the outlet (article {mention.article_id})"
    if key.startswith("name:"):
        return names[0]
    affiliation, sector = key.split("/", 1)
    sector_label = SECTOR_LABELS.get(None if sector == "officials" else sector, sector)
    if affiliation == "-":
        return sector_label
    group = actor_group(affiliation)
    owner = (
        reading.affiliation_label
        if reading.affiliation == affiliation and reading.affiliation_label
        else (group.label if group else affiliation)
    )
    if group is not None and group.kind not in ("country", "government"):
        return owner  # an organisation is its own family: "Syrian Observatory for Human Rights"
    if len(_distinct(names)) == 1 and reading.head and reading.head not in ("military", "government", sector):
        return f"a {owner} {reading.head}"
    return f"{owner} {sector_label}"
