"""Case-insensitive patterns read faster on ASCII text: lower-cased, by the same pattern without IGNORECASE.

ASCII lower-casing is IGNORECASE's folding position for position, so such a pattern finds the same spans there,
provided every letter of it is lower case and no group sets its own flags (`lowered` checks both). The groups it
gives are lower case: a caller compares them ignoring case, or reads only the spans. Other text is read as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_FLAG_GROUP = re.compile(r"\(\?[aiLmsux-]")
_NAMED_GROUP = re.compile(r"\(\?P(?:<\w+>|=\w+\))")
_ESCAPE = re.compile(r"\\.")


def lowered(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """PATTERN (IGNORECASE) without IGNORECASE, for lower-cased ASCII text; raises ValueError for a pattern that would
    not find the same there."""
    bare = _ESCAPE.sub("", _NAMED_GROUP.sub("", pattern.pattern))
    if not pattern.flags & re.IGNORECASE or _FLAG_GROUP.search(pattern.pattern) or bare != bare.lower():
        raise ValueError(f"not read lower-cased: {pattern.pattern[:60]}")
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)


def finditer_folded(pattern: re.Pattern[str], lowered_pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`'s spans (an ASCII TEXT read lower-cased by LOWERED_PATTERN, `lowered(pattern)`)."""
    return lowered_pattern.finditer(text.lower()) if text.isascii() else pattern.finditer(text)


def found_folded(pattern: re.Pattern[str], lowered_pattern: re.Pattern[str], text: str) -> bool:
    """Whether `pattern.search(text)` finds anything (an ASCII TEXT read as in `finditer_folded`)."""
    return (lowered_pattern.search(text.lower()) if text.isascii() else pattern.search(text)) is not None
