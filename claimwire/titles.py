"""Titles as they are stored and shown: invisible and bidi control characters removed, look-alike letters flagged.

A title comes from whoever posts an article or from the page itself. Bidi overrides (U+202E) reverse what a
reader sees, zero-width characters hide inside words: `clean_title` removes them (``decoding.scrub``).
Letters that only look like others are kept (they may be right: a Greek name, a mathematical symbol) but
`title_flags` names them, so that a newsroom view can mark the title:

* ``mixed_script``: a word whose letters come from more than one of the scripts with look-alike letters
  (Latin, Cyrillic, Greek, ...): "Pоlice" with a Cyrillic о;
* ``compatibility_characters``: letters or digits with a plain equivalent (fullwidth, mathematical
  alphanumerics such as "𝕏", ligatures), a way to write a look-alike of a name.
"""

from __future__ import annotations

import re
import unicodedata

from claimwire.decoding import scrub

_WORD = re.compile(r"[^\W\d_]{2,}")
# scripts with letters that pass for one another (a/а, o/о/ο, p/р/ρ, e/е, ...); a word mixing others is fine
_LOOKALIKE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"})


def clean_title(title: str | None) -> str | None:
    """TITLE without control, zero-width and bidi formatting characters (None stays None)."""
    return scrub(title) if title else title


def _script(char: str) -> str:
    try:
        return unicodedata.name(char).split(" ", 1)[0]
    except ValueError:
        return ""


def title_flags(title: str | None) -> list[str]:
    """What in TITLE may disguise it: ``mixed_script``, ``compatibility_characters`` (see the module docstring)."""
    if not title:
        return []
    flags = []
    for word in _WORD.findall(title):
        if len({_script(char) for char in word} & _LOOKALIKE_SCRIPTS) > 1:
            flags.append("mixed_script")
            break
    if any(char.isalnum() and unicodedata.normalize("NFKC", char) != char for char in title):
        flags.append("compatibility_characters")
    return flags
