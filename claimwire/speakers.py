"""One speaker per person across an event's articles.

`group_quotes(claims)` takes the quote claims of an event's articles and returns, per speaker,
the quotes with the articles that carry each one.  A pure function: no storage, no I/O.

Who is one person:

* Named people are one person when their surnames match and their given names are compatible
  (one missing, equal, or an initial or short form of the other: "J." ~ "John", "Tim" ~
  "Timothy").  Titles and roles are ignored: "Trump", "Donald Trump" and "President Trump" are one
  speaker.  Two people who share a surname but not a given name ("Brenda Ford", "Brennan Ford")
  are never merged; a bare surname that could be either of them is matched by title ("President
  Trump" to the one the articles call President), else kept apart rather than guessed.
* Unnamed speakers (a description, a group, an organisation: "a State Department spokeswoman",
  "police", "the Pentagon") are one speaker when their actor keys match (`claimwire.actors`).
* Quotes with no speaker are grouped under speaker None.

One quote in several articles (wire copy, a quote picked up by other outlets) is one entry that
lists those articles: the texts match after case, punctuation and quotation marks are set aside,
or one is the other trimmed (the shorter of at least five words found inside the longer).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from claimwire.actors import actor_key
from claimwire.claims import QUOTE
from claimwire.extractors._speech import fold_accents, given_compatible, name_key, parse_speaker

_MIN_TRIMMED_WORDS = 5


@dataclass(slots=True)
class QuoteEntry:
    """One quote and the articles that carry it (ids, in the order first seen)."""

    text: str
    articles: list[Any] = field(default_factory=list)
    partial: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "articles": list(self.articles), "partial": self.partial}


@dataclass(slots=True)
class SpeakerQuotes:
    """A speaker of the event and their quotes.

    speaker: the fullest form the articles give, with title ("Sen. Tim Kaine"), or the
        description ("a State Department spokeswoman"); None for unattributed quotes.
    key: stable identity of the group: "person:<surname>:<given names>", "other:<actor key>"
        or "unattributed".
    kind: person, description, group, org or unattributed.
    names: every form the articles use for this speaker (as written and resolved).
    role: a role or affiliation an article gives ("a coalition spokesman", "D-Va."), if any.
    quotes: QuoteEntry list in the order first seen.
    """

    speaker: str | None
    key: str
    kind: str
    names: list[str] = field(default_factory=list)
    role: str | None = None
    quotes: list[QuoteEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "key": self.key,
            "kind": self.kind,
            "names": list(self.names),
            "role": self.role,
            "quotes": [q.to_dict() for q in self.quotes],
        }


@dataclass(slots=True)
class _Said:
    """One quote claim, read."""

    text: str
    article: Any  # the claim's article_id, as given
    source: str | None
    forms: list[str]
    kind: str
    name: str | None  # a person's name without title
    title: str
    role: str | None
    partial: bool


def group_quotes(claims: Iterable[Mapping[str, Any]]) -> list[SpeakerQuotes]:
    """Group an event's quote claims by speaker.

    claims: mappings with the Claim fields (`kind`, `text`, `source`, `extra`, ...) plus
        `article_id`, as the ledger reads them from storage; claims of other kinds are
        skipped.  Order matters only for the order of the output (first seen first).
    Returns one SpeakerQuotes per speaker, in the order each speaker is first quoted.
    """
    said = [s for s in (_read(c) for c in claims) if s is not None]
    surnames = {name_key(s.name)[0] for s in said if s.name and name_key(s.name)[1]}
    for s in said:
        if s.name is None and s.source and re.fullmatch(r"[A-Z][\w'’-]+", s.source) and fold_accents(s.source) in surnames:
            s.name, s.kind = s.source, "person"  # "Park said" when the event names a Jo Park
    people = _people(said)
    keys = [_key(s, people) for s in said]
    groups: dict[str, SpeakerQuotes] = {}
    for s, (key, kind) in zip(said, keys):
        group = groups.get(key)
        if group is None:
            group = groups[key] = SpeakerQuotes(speaker=s.source, key=key, kind=kind)
        for form in s.forms:
            if form not in group.names:
                group.names.append(form)
        if s.role and not group.role:
            group.role = s.role
        _add_quote(group, s)
    for group in groups.values():
        if group.kind == "person":
            group.speaker = _display([s for s, (key, _) in zip(said, keys) if s.name and key == group.key])
    return list(groups.values())


# --- reading claims --------------------------------------------------------------------------


def _read(claim: Mapping[str, Any]) -> _Said | None:
    if claim.get("kind", QUOTE) != QUOTE or not claim.get("text"):
        return None
    extra = claim.get("extra") or {}
    source = claim.get("source") or None
    forms = [f for f in (extra.get("speaker_as_written"), source) if f]
    forms = [f for f in dict.fromkeys(forms) if f.lower() not in ("he", "she", "it", "they", "we", "i")]
    name = extra.get("speaker_name")
    kind = extra.get("speaker_kind")
    title = ""
    if source and (name is None or kind is None):
        parsed = parse_speaker(source)
        if parsed is not None:
            kind = kind or parsed.kind
            if parsed.kind == "person":
                name = name or parsed.name
                title = parsed.title
    if source and name and not title and source.endswith(name):
        title = source[: -len(name)].strip()
    if kind == "person" and not name:
        kind = "description"
    return _Said(
        text=str(claim["text"]),
        article=claim.get("article_id"),
        source=source,
        forms=forms,
        kind=kind or ("unattributed" if source is None else "description"),
        name=name if kind == "person" else None,
        title=title,
        role=extra.get("speaker_role"),
        partial=bool(extra.get("partial")),
    )


# --- who is one person -------------------------------------------------------------------------


@dataclass(slots=True)
class _Person:
    surname: str
    given: tuple[str, ...]
    titles: set[str] = field(default_factory=set)


def _people(said: list[_Said]) -> list[_Person]:
    """The distinct named people: full names (with a given name) gathered by surname and
    compatible given names; a given name compatible with two different people stays apart."""
    people: list[_Person] = []
    named = sorted((s for s in said if s.name), key=lambda s: -len(name_key(s.name)[1]))
    for s in named:
        surname, given = name_key(s.name)
        if not given:
            continue
        matches = [p for p in people if p.surname == surname and given_compatible(p.given, given)]
        if not matches:
            people.append(_Person(surname, given, _title_words(s.title)))
        elif len(matches) == 1:
            matches[0].titles |= _title_words(s.title)
    for s in said:  # titles given with a bare surname ("President Trump") help match bare ones
        if s.name and not name_key(s.name)[1]:
            surname = name_key(s.name)[0]
            same = [p for p in people if p.surname == surname]
            if len(same) == 1:
                same[0].titles |= _title_words(s.title)
    return people


def _key(s: _Said, people: list[_Person]) -> tuple[str, str]:
    if s.source is None:
        return "unattributed", "unattributed"
    if not s.name:
        return f"other:{actor_key(s.source) or fold_accents(s.source)}", s.kind
    surname, given = name_key(s.name)
    same = [p for p in people if p.surname == surname and given_compatible(p.given, given)]
    if len(same) > 1:
        titled = [p for p in same if p.titles & _title_words(s.title)]
        same = titled if len(titled) == 1 else same
    if len(same) == 1:
        p = same[0]
        return f"person:{p.surname}:{' '.join(p.given)}", "person"
    # no fuller name anywhere, or a bare surname that could be two people: kept as written
    return f"person:{surname}:{' '.join(given)}{'?' if len(same) > 1 else ''}", "person"


def _display(members: list[_Said]) -> str:
    """The fullest form of a person's name the articles give (MEMBERS: what they say of the person), with its title."""
    best = max(members, key=lambda s: (len(name_key(s.name)[1]), len(s.name), bool(s.title), len(s.title)))
    titled = [s.title for s in members if s.title and name_key(s.name) == name_key(best.name)]
    title = best.title or (max(titled, key=len) if titled else "")
    return f"{title} {best.name}".strip()


_TITLE_SPLIT = re.compile(r"[\s.]+")


def _title_words(title: str) -> set[str]:
    return {w for w in _TITLE_SPLIT.split(title.lower()) if w and w not in ("the", "a", "an", "of", "and")}


# --- one quote, many articles ----------------------------------------------------------------


def _add_quote(group: SpeakerQuotes, s: _Said) -> None:
    words, line = _quote_words(s.text), _quote_line(s.text)
    for entry in group.quotes:
        other = _quote_words(entry.text)
        if _same_quote_line(words, line, other, _quote_line(entry.text)):
            if s.article not in entry.articles:
                entry.articles.append(s.article)
            if len(words) > len(other):
                entry.text = s.text  # keep the fullest wording
            entry.partial = entry.partial and s.partial
            return
    group.quotes.append(QuoteEntry(text=s.text, articles=[s.article], partial=s.partial))


def _same_quote(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if a == b:
        return bool(a)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < _MIN_TRIMMED_WORDS:
        return False
    n = len(short)
    return any(long_[i : i + n] == short for i in range(len(long_) - n + 1))


def _same_quote_line(a: tuple[str, ...], a_line: str, b: tuple[str, ...], b_line: str) -> bool:
    """`_same_quote` by the quotes' lines (`_quote_line`): words are runs of [a-z0-9], so one quote's words run on
    in the other's exactly when its line, spaces around, is in the other's."""
    if a == b:
        return bool(a)
    if min(len(a), len(b)) < _MIN_TRIMMED_WORDS:
        return False
    return a_line in b_line if len(a) <= len(b) else b_line in a_line


@functools.lru_cache(maxsize=8192)
def _quote_line(text: str) -> str:
    """The quote's words (`_quote_words`) as one line with a space before and after each word."""
    return f" {' '.join(_quote_words(text))} "


@functools.lru_cache(maxsize=8192)
def _quote_words(text: str) -> tuple[str, ...]:
    """The quote's words, folded (cached: each quote is compared with every other of its speaker at every rebuild)."""
    return tuple(re.findall(r"[a-z0-9]+", fold_accents(text).replace("’", "'").replace("'", "")))
