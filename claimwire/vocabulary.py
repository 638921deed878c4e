"""The calendar and number words the rules read: months, weekdays, number words, and their regex forms.

Every module that names a month, a weekday or a number word takes it from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")  # May has none
NUMBER_WORDS_TO_TEN = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_NUMBERS = {
    **{name: number for number, name in enumerate(MONTHS, start=1)},
    **{abbr: number for number, name in enumerate(MONTHS, start=1) for abbr in MONTH_ABBREVIATIONS if name.startswith(abbr)},
}
#: "Nov. 1", "May 14", "Sept. 16, 2010", "March 23rd" ((?=...): the months' first letters, so the engine skips other positions at once)
MONTH_DAY = re.compile(
    r"(?=[ADFJMNOS])\b(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b"
)


class MonthDay(NamedTuple):
    month: int
    day: int
    year: int | None  # as written: any four digits
    start: int  # where it starts in the text


def month_days(text: str) -> Iterator[MonthDay]:
    """The month-days a text names ("May 14", "Sept. 16, 2010"), in order; the day is not checked against the month."""
    for match in MONTH_DAY.finditer(text):
        year = match.group(3)
        yield MonthDay(MONTH_NUMBERS[match.group(1).lower()], int(match.group(2)), int(year) if year else None, match.start())


UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}

#: "Monday" ... "Sunday" (case-insensitive patterns write it in lower case)
WEEKDAY_PATTERN = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
#: "January|February|...|December", capitalised as in running text
MONTH_NAMES_PATTERN = "|".join(month.capitalize() for month in MONTHS)
#: the abbreviations as written in datelines: "Jan.", "Sept", "Sep."
MONTH_ABBREVIATIONS_PATTERN = r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?"


def number_words(low: int, high: int) -> str:
    """The number words from LOW to HIGH (at most 19, or tens), in counting order, as a regex alternation."""
    return "|".join(word for word, value in (UNITS | TENS).items() if low <= value <= high)


def capitalised(words: tuple[str, ...]) -> str:
    """WORDS capitalised, as a regex alternation: "Monday|Tuesday|..."."""
    return "|".join(word.capitalize() for word in words)
