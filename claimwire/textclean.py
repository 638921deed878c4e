"""Raw-text cleaning: page junk out of pasted or pushed article text.

Works line by line (a line is a paragraph of the pushed text) and never edits inside a
sentence, except to cut a date/time stamp run into the end of one of the first lines.
Each removed line is reported with its reason so a reviewer can audit the cleaner.

Rules, in order:

1. generic page junk (``junk.is_generic_junk``): toolbars, teasers, comment policies ...
2. outlet junk: lines whose ``junk.line_key`` is in the outlet's learned key set;
3. bylines and dateline stamps standing alone in the first lines ("Published: Mon,
   February 12, 2018", "Markets | By Rosalie Gross", "By Jane Doe");
4. the headline repeated in the first lines (equal to ``title`` or a line repeated within
   the top lines, preceded only by a short section label): all copies go, the headline
   becomes the document title;
5. consecutive duplicate lines (photo captions printed twice): one copy is kept.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from claimwire.junk import is_generic_junk, line_key
from claimwire.vocabulary import MONTHS, WEEKDAYS

HEAD_LINES = 6  # how far from the top headline/byline rules look

_MONTH = "(?:" + "|".join(month[:3] for month in MONTHS) + r")[a-z]*\.?"  # "Jan", "Sept.", "January"
_DAY = "(?:" + "|".join(day[:3] for day in WEEKDAYS) + r")[a-z]*\.?,?"  # "Tue", "Thurs.", "Thursday,"
_TIME = r"(?:\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4}T)?)"
_DATE = (
    rf"(?:{_DAY}\s*)?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})"
)
_STAMP = rf"(?:{_DATE}(?:\s*(?:at|[-|,@])?\s*{_TIME})?|{_TIME})"
_DATE_LINE = re.compile(
    rf"(?:(?:published|posted|updated|last updated|date|created|modified)\s*(?:on|at)?\s*:?\s*)?{_STAMP}"
    rf"(?:\s*(?:[|,-]|/)\s*(?:(?:updated|last updated)\s*:?\s*)?{_STAMP})*\s*",
    re.IGNORECASE,
)
_NAME = r"[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|de|van|von|der|da|del|la|le|bin|al)){0,4}"
_BYLINE = re.compile(
    rf"(?:[\w &]{{1,30}}\s*\|\s*)?(?:by|written by|story by|posted by|reporting by|words by)\s*:?\s+{_NAME}"
    rf"(?:\s*(?:,|and|&)\s*{_NAME})*(?:\s*[|,-]\s*.{{0,60}})?",
    re.IGNORECASE,
)
# a full date (optionally with a time) run into the end of a line; a bare time is prose
_TRAILING_STAMP = re.compile(rf"\s+{_DATE}(?:\s*(?:at|[-|,@])?\s*{_TIME})?\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")


@dataclass
class TextCleanResult:
    text: str
    title: str | None
    removed: list[tuple[str, str]] = field(default_factory=list)  # (reason, line)

    @property
    def removed_lines(self) -> list[str]:
        return [line for _, line in self.removed]


def split_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return [" ".join(line.split()) for line in text.split("\n")]


def is_byline_or_stamp(line: str) -> bool:
    if _DATE_LINE.fullmatch(line):
        return True
    if len(line.split()) <= 14 and _BYLINE.fullmatch(line) and not _SENTENCE_END.search(line):
        return True
    return False


def _looks_like_headline(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 30


def clean_text(text: str, *, title: str | None = None, outlet_junk: Collection[str] = ()) -> TextCleanResult:
    lines = [line for line in split_lines(text) if line]
    removed: list[tuple[str, str]] = []
    junk_keys = set(outlet_junk)

    kept: list[str] = []
    for i, line in enumerate(lines):
        if is_generic_junk(line):
            removed.append(("generic_junk", line))
        elif junk_keys and line_key(line) in junk_keys:
            removed.append(("outlet_junk", line))
        elif i < HEAD_LINES + 2 and is_byline_or_stamp(line):
            removed.append(("byline", line))
        else:
            kept.append(line)

    # run-in date stamps at the end of the first lines ("... Julian Sims January 1, 2013 5:05 PM")
    for i in range(min(3, len(kept))):
        cut = _TRAILING_STAMP.sub("", kept[i])
        if cut != kept[i] and len(cut.split()) >= 3:
            removed.append(("run_in_date", kept[i][len(cut) :].strip()))
            kept[i] = cut

    # repeated headline
    head = kept[:HEAD_LINES]
    keys = [line_key(line) for line in head]
    headline_key = line_key(title) if title else None
    if headline_key is None:
        for i, key in enumerate(keys[:3]):
            if keys.count(key) >= 2 and _looks_like_headline(head[i]):
                if all(len(head[j].split()) <= 3 and not _SENTENCE_END.search(head[j]) for j in range(i)):
                    headline_key = key
                    title = head[i]
                    for j in range(i):
                        removed.append(("section_label", head[j]))
                    keys[:i] = [None] * i
                break
    if headline_key:
        drop = {i for i, key in enumerate(keys) if key == headline_key or key is None}
        for i in sorted(drop):
            if keys[i] is not None:
                removed.append(("headline", head[i]))
        kept = [line for i, line in enumerate(head) if i not in drop] + kept[HEAD_LINES:]

    # consecutive duplicates (captions printed twice): keep one copy
    deduped: list[str] = []
    last_key = None
    for line in kept:
        key = line_key(line)
        if deduped and key and key == last_key:
            removed.append(("duplicate", line))
            continue
        deduped.append(line)
        last_key = key

    return TextCleanResult(text="\n\n".join(deduped), title=title, removed=removed)
