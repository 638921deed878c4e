"""Actor names normalised to keys the ledger groups claims by.

`actor_key("U.S.")`, `actor_key("the United States")` and `actor_key("USA")` all
give "united_states"; `actor_key("SDF fighters")` gives "syrian_democratic_forces";
`actor_key("Deir Ezzour")` gives "deir_ez_zor".  The mechanism is general:

1. fold: accents, case, dots ("U.S." -> "us"), spaced hyphens ("U.S. -led"),
   possessives, other punctuation;
2. drop leading articles, quantifiers and pronoun-only names;
3. replace alias phrases (longest first) with their group key, from the table in
   claimwire/data/actors.json (aliases listed in ``case_sensitive`` match only as
   written, so the verb "is" is not Islamic State);
4. "members of X" -> X, and a trailing generic head ("forces", "fighters",
   "troops", ...) is dropped when something remains ("pro-government forces" and
   "pro-government fighters" share the key "pro-government");
5. place groups also match unlisted transliterations by consonant skeleton
   (Arabic article particles dropped, vowels dropped, repeats collapsed).

Names that are not in the table still get a key: their folded form.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from claimwire.vocabulary import NUMBER_WORDS_TO_TEN

_DETERMINERS = {
    "the",
    "a",
    "an",
    "one",
    "some",
    "its",
    "their",
    "his",
    "her",
    "our",
    *NUMBER_WORDS_TO_TEN[1:],
    "other",
    "several",
    "many",
    "all",
    "both",
    "those",
    "these",
    "this",
    "that",
    "another",
    "same",
    "so",
    "called",
    "so-called",
    "at",
    "least",
    "about",
    "more",
    "than",
    "dozens",
    "of",
    "hundreds",
    "only",
    "senior",
    "top",
}
_PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "us_pronoun", "who", "which"}
_ARABIC_ARTICLES = {"al", "el", "ez", "az", "as", "ad", "ash", "an", "ar", "at", "es", "ed", "er", "et", "adh"}
_TOKEN = re.compile(r"[^\W_]+|-")


def _fold_text(name: str) -> str:
    text = name
    if not text.isascii():  # ASCII has no compatibility forms, combining marks or format characters
        text = unicodedata.normalize("NFKD", text)
        # combining marks and invisible format characters (zero-width spaces and joiners, bidi
        # controls, soft hyphens) go: "Jo\u200bhn" and "John" are one actor
        text = "".join(ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    text = re.sub(r"'s\b", "", text)
    text = text.replace("'", "").replace(".", "")
    text = re.sub(r"\s*-\s*", "-", text)
    return text


def _tokens(name: str) -> list[str]:
    return _TOKEN.findall(_fold_text(name))


def _skeleton(tokens: list[str]) -> str:
    words = [t.lower() for t in tokens if t != "-"]
    words = [w for w in words if w not in _ARABIC_ARTICLES] or words
    joined = "".join(words)
    if not joined:
        return ""
    out = joined[0]
    for ch in joined[1:]:
        if ch in "aeiouyw" or ch == out[-1]:
            continue
        out += ch
    return out


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    raw = json.loads(resources.files("claimwire").joinpath("data", "actors.json").read_text("utf-8"))
    folded: dict[tuple[str, ...], str] = {}
    exact: dict[tuple[str, ...], str] = {}
    places: dict[str, str] = {}
    kinds: dict[str, str] = {}
    groups: dict[str, ActorGroup] = {}
    for group in raw["groups"]:
        key = group["key"]
        kinds[key] = group.get("kind", "")
        groups[key] = ActorGroup(
            key=key,
            kind=group.get("kind", ""),
            label=group.get("label") or group["aliases"][0],
            affiliation=group.get("affiliation"),
            sector=group.get("sector"),
        )
        case_sensitive = set(group.get("case_sensitive", ()))
        for alias in group["aliases"] + [key.replace("_", " ")]:
            toks = tuple(_tokens(alias))
            if not toks:
                continue
            if alias in case_sensitive:
                exact[toks] = key
            else:
                folded[tuple(t.lower() for t in toks)] = key
            if group.get("kind") == "place":
                skel = _skeleton(list(toks))
                if len(skel) >= 4:
                    places[skel] = key
    max_len = max(len(k) for k in list(folded) + list(exact))
    heads = {tuple(h.split()) for h in raw.get("generic_heads", ())}
    return {"folded": folded, "exact": exact, "places": places, "kinds": kinds, "groups": groups, "max_len": max_len, "heads": heads}


@dataclass(frozen=True, slots=True)
class ActorGroup:
    """One alias group of the table: its key, kind, how to name it, and whom it belongs to."""

    key: str
    kind: str  # country, government, armed_group, organisation, place
    label: str
    affiliation: str | None = None  # the country or actor it belongs to or acts for
    sector: str | None = None  # as a source: military, government, police, medical, rescue, monitor, media


def actor_group(key: str | None) -> ActorGroup | None:
    """The alias group a key names, or None for keys that are not in the table."""
    return _table()["groups"].get(key) if key else None


@lru_cache(maxsize=65536)
def actor_words(name: str | None) -> tuple[str, ...]:
    """The words of a name, folded, with leading articles and quantifiers dropped and every alias
    phrase replaced by its group key; hyphens are kept as "-" ("Assad-backed forces" ->
    ("syrian_government", "-", "backed", "forces")). Empty for empty or pronoun-only names."""
    if not name:
        return ()
    toks = _tokens(name)
    while toks and (toks[0].lower() in _DETERMINERS or toks[0] == "-" or toks[0].isdigit()):
        toks = toks[1:]
    if not toks or (len(toks) == 1 and toks[0].lower() in _PRONOUNS):
        return ()
    return tuple(_replace_aliases(toks, _table()))


def _replace_aliases(toks: list[str], table: dict[str, Any]) -> list[str]:
    """Folded words with each alias phrase (longest match first) replaced by its group key."""
    out: list[str] = []
    lowered = [t.lower() for t in toks]
    i = 0
    n = len(toks)
    while i < n:
        matched = None
        for size in range(min(table["max_len"], n - i), 0, -1):
            window = tuple(toks[i : i + size])
            key = table["exact"].get(window) or table["folded"].get(tuple(lowered[i : i + size]))
            if key is None and size <= 3 and window[0][:1].isupper() and "-" not in window[1:]:
                skel = _skeleton(list(window))
                if len(skel) >= 4:
                    key = table["places"].get(skel)
            if key is not None:
                matched = (key, size)
                break
        if matched:
            out.append(matched[0])
            i += matched[1]
        else:
            out.append(lowered[i])
            i += 1
    return out


@lru_cache(maxsize=65536)
def actor_key(name: str | None) -> str | None:
    """Normalised key of an actor or place name, or None for empty/pronoun-only names."""
    if not name:
        return None
    table = _table()
    toks = _tokens(name)
    while toks and (toks[0].lower() in _DETERMINERS or toks[0] == "-" or toks[0].isdigit()):
        toks = toks[1:]
    while toks and toks[-1] == "-":
        toks = toks[:-1]
    if not toks or (len(toks) == 1 and toks[0].lower() in _PRONOUNS):
        return None
    out = _replace_aliases(toks, table)
    # "members of X" -> X
    if "of" in out:
        idx = out.index("of")
        if 0 < idx < len(out) - 1 and tuple(out[:idx]) in table["heads"]:
            out = out[idx + 1 :]
            while out and out[0] in _DETERMINERS:
                out = out[1:]
    # drop trailing generic heads when something else remains
    changed = True
    while changed and len(out) > 1:
        changed = False
        for size in (2, 1):
            if len(out) > size and tuple(out[-size:]) in table["heads"]:
                out = out[:-size]
                changed = True
                break
    while out and out[-1] == "-":
        out = out[:-1]
    if not out:
        return None
    key = " ".join(out).replace(" - ", "-").replace(" -", "-").replace("- ", "-")
    return key or None
