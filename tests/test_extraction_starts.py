"""Patterns tried only where a match can start (claimwire/extractors/_starts.py) find what `finditer` finds."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from claimwire.extractors import casualty_patterns as patterns
from claimwire.extractors._starts import FirstWords, _runs, finditer_where, first_words
from claimwire.extractors._text import sentence_spans
from claimwire.extractors.figures import _FIGURE
from claimwire.numbers import HEDGES, VAGUE
from claimwire.vocabulary import TENS, UNITS

USES = {
    "SUBJECT": (patterns.SUBJECT, patterns.SUBJECT_FIRST),
    "OBJECT": (patterns.OBJECT, patterns.ACTIVE_VERB_FIRST),
    "NAMED_OBJECT": (patterns.NAMED_OBJECT, patterns.ACTIVE_VERB_FIRST),
    "TITLE_OBJECT": (patterns.TITLE_OBJECT, patterns.ACTIVE_VERB_FIRST),
    "NOUN_FIGURE": (patterns.NOUN_FIGURE, patterns.QUANTITY_FIRST),
    "FIGURE": (_FIGURE, patterns.QUANTITY_FIRST),
    "BACKGROUND": (patterns.BACKGROUND, patterns.BACKGROUND_FIRST),
    "ROUNDUP": (patterns.ROUNDUP, patterns.ROUNDUP_FIRST),
}

SENTENCES = [
    "Two people were killed and 12 others injured on Tuesday when a bus overturned near Sylhet, police said.",
    "At least 45 people died and about 100 were hurt in the blast in central Athens.",
    "A 24-year-old man was shot and killed Sunday night; his brother, 19, was wounded.",
    "The gunman killed his wife, her mother and two children before shooting himself.",
    "Simpson shot Flynn twice, killing him, and wounded Unique Armstead, 32, and Cheanne McKnight, 11.",
    "Floods left 12 dead and more than 40 hurt; some 2,000 troops and 1.5 million sandbags were sent.",
    "Dozens of soldiers were wounded, a handful of them critically, and several hundred people fled.",
    "The death toll rose to 57; three deaths, 27 casualties and five killings were reported this year.",
    "MAN KILLS WIFE, 2 CHILDREN; TWO MORE SHOT IN ENGLEWOOD",
    "Gunmen Kill 3 in Market Attack, Police Say",
    "“Four people were shot,” said Lt. Maria Ortega — two of them fatally — at 5:45 p.m. on Route 66.",
    "The quake, which claimed the lives of 200 people, has taken the life of a rescuer, taking the lives of four.",
    "twenty-one miners were trapped and one hundred and five rescued, after the fire took the lives of nine.",
    "In March, 12 people were killed in separate shootings across the city; so far this year 40 died nationwide.",
    "Back in June a previous shooting left two dead, years ago; in 2009, during 2010 and since the start of the year.",
    "Three shootings over the weekend, a string of shootings, a spate of attacks: the deadliest weekend this year.",
    "Weekend shootings, overnight shootings and Friday shootings: violence across the county, gunfire around the area.",
    "A violent night, a dozen incidents, dozens of attacks, 5 unrelated incidents, citywide, per year, annually.",
    "Since early March, three recent shootings and two recent fatal attacks killed 5 people.",
    "— Since January, in an unrelated incident, the 1999 attack, last summer, this weekend, in history, a year.",
    # case folding beyond str.lower(): the long s, the dotless i, the Kelvin sign, the dotted capital I
    "ſeven people were ſhot and Kılled, \u212aILLED or İNJURED, the agency said.",
    "Ten Überlebende, zwölf Tote: 三 people were killed and ٣ injured near Zürich.",
    "__init__ 5th 100th 1990s T-72 12-year-old 3-2 vote, 9/11, $5 million, #1, -7 degrees.",
]


def _seed_sentences() -> list[str]:
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    texts = [path.read_text(encoding="utf-8") for path in sorted(seeds.glob("*.txt"))] if seeds.is_dir() else []
    return [text[s:e] for text in texts for s, e in sentence_spans(text)]


def _phrase_sentences() -> list[str]:
    """Every hedge, vague quantity and number word of claimwire.numbers, before a count of people hurt, capitalised too."""
    phrases = [f"{hedge} 40" for hedge in HEDGES] + list(VAGUE) + list(UNITS) + list(TENS) + ["the three", "both", "another"]
    out = []
    for phrase in phrases:
        out += [
            f"Police said {phrase} soldiers were killed and {phrase} were hurt, with {phrase} deaths.",
            f"{phrase.capitalize()} troops died; {phrase.upper()} CASUALTIES.",
        ]
    for word in sorted(patterns.ROUNDUP_FIRST.words | patterns.BACKGROUND_FIRST.words):
        out.append(f"{word.capitalize()} shootings, {word} 3 incidents, {word} killed across the city, {word} year ago.")
        out.append(f"{word.capitalize()} across the city; {word}-night shootings; {word} around the county.")
    return out


def _random_sentences(count: int) -> list[str]:
    vocabulary = (
        "a an the his her their one another both two 3 12 1,000 at least about more than dozens of some over under "
        "people men women were was killed killing shot shoots wounded injured hurt died dead left leaving took the lives of "
        "kills shooting wounds injuring hurts leaves slays slew stabbed executed massacred grazed gunned guns down claimed "
        "takes taken murdered this last past previous year years ago so far nationwide citywide annually per separate "
        "unrelated weeks months across city weekend overnight shootings incidents attacks spate string violent deadliest "
        "In Back March 2009 since during January recent early start history multiple different night Friday gunfire violence "
        "Smith Flynn John him her in on and or , . ; ' ’ “ ” - — ( ) 5-year-old ſeven Kılled \u212a İ ٣ Ünal"
    ).split()
    rng = random.Random(18)
    return [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 30))) for _ in range(count)]


def _matches(found) -> list[tuple]:
    return [(m.span(), m.groupdict()) for m in found]


@pytest.mark.parametrize("name", sorted(USES))
def test_the_same_matches_as_finditer(name):
    pattern, first = USES[name]
    sentences = SENTENCES + _phrase_sentences() + _seed_sentences() + _random_sentences(3000)
    for text in sentences:
        assert _matches(finditer_where(pattern, text, first)) == _matches(pattern.finditer(text)), text
    assert any(_matches(pattern.finditer(text)) for text in sentences)


def test_runs_admitted():
    first = first_words(("at least", "a couple", "twenty"), digits=True) | FirstWords(frozenset(), prefixes=("kill",))
    assert [first.admits(run) for run in ("At", "a", "TWENTY", "12", "killings", "Kill")] == [True] * 6
    assert [first.admits(run) for run in ("least", "twentyone", "the", "skill", "_1")] == [False] * 5
    assert first.admits("ſeven") and first.admits("Zürich")  # beyond ASCII: always tried


def test_the_runs_of_an_ascii_text_are_read_on_it_lower_cased_with_the_same_starts():
    sentences = SENTENCES + _phrase_sentences() + _random_sentences(500)
    ascii_ones = [text for text in sentences if text.isascii()]
    assert ascii_ones and len(ascii_ones) < len(sentences)  # both paths of `_runs` are read
    for text in sentences:
        by_word = tuple((m.start(), m.group().lower() if m.group().isascii() else None) for m in re.finditer(r"\w+", text))
        assert _runs(text) == by_word, text


# The first words of each pattern above, as its source reads today: a pattern edited (a branch added that starts with
# another word) must have its FirstWords checked again, and this table brought up to date with it.
REVIEWED = {
    "SUBJECT": "SUBJECT_FIRST",
    "OBJECT": "ACTIVE_VERB_FIRST",
    "NAMED_OBJECT": "ACTIVE_VERB_FIRST",
    "TITLE_OBJECT": "ACTIVE_VERB_FIRST",
    "NOUN_FIGURE": "QUANTITY_FIRST",
    "FIGURE": "QUANTITY_FIRST",
    "BACKGROUND": "BACKGROUND_FIRST",
    "ROUNDUP": "ROUNDUP_FIRST",
}
SOURCE_DIGESTS = {
    "BACKGROUND": "4b3011b65ef5aed1",
    "FIGURE": "d7e87d3c0f7fed36",
    "NAMED_OBJECT": "da0b6cef349fee00",
    "NOUN_FIGURE": "fd9d9b0ed6f74de5",
    "OBJECT": "5be33def8fb7f042",
    "ROUNDUP": "1a85aa0adb2d22cd",
    "SUBJECT": "da316101b6eb9111",
    "TITLE_OBJECT": "437090d5d8bd2769",
}


@pytest.mark.parametrize("name", sorted(USES))
def test_a_pattern_edited_has_its_first_words_checked_again(name):
    import hashlib

    digest = hashlib.sha256(USES[name][0].pattern.encode("utf-8")).hexdigest()[:16]
    assert SOURCE_DIGESTS.get(name) == digest, (
        f"{name} changed: check that every branch starts with a word {REVIEWED[name]} admits, then set its digest to {digest}"
    )
