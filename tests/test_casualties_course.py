"""How a victim fared, told around the count (issue 14): "fatally wounded" is a death, the wounded who
"has died" is dead, "and wounding another" is one more wounded.  Every sentence here was written for these
tests (a ferry, a bombing, a mine, a shooting); none comes from the benchmark data."""

import pytest

from tests.claimhelp import figures, main

FATALLY = [
    ("The driver was mortally wounded when the bus overturned near Chittagong.", [("killed", 1, 1)]),
    ("Police said he was fatally injured in the blast outside the Athens courthouse.", [("killed", 1, 1)]),
    ("Garcia was fatally wounded by a stray bullet, officers said.", [("killed", 1, 1)]),
]


@pytest.mark.parametrize("text,expected", FATALLY)
def test_a_fatally_wounded_person_is_dead(text, expected):
    assert figures(text) == expected


def test_a_critically_wounded_person_is_wounded():
    assert figures("The miner was critically injured when the tunnel collapsed.") == [("injured", 1, 1)]


DIED_SINCE = [
    ("A fisherman who was injured in the ferry sinking has died, officials said.", [("killed", 1, 1)]),
    ("Two passengers who were hurt in the crash on Sunday have since died.", [("killed", 2, 2)]),
    ("The woman who was shot in the attack in Leeds later died in hospital.", [("killed", 1, 1)]),
]


@pytest.mark.parametrize("text,expected", DIED_SINCE)
def test_the_wounded_who_has_died_is_dead(text, expected):
    assert figures(text) == expected


def test_the_wounded_who_speaks_is_alive():
    assert figures("The guard who was wounded told police the attacker fled on foot.") == [("injured", 1, 1)]


ANOTHER = [
    ("The bomb killed two soldiers and wounded another near the checkpoint.", {"killed": (2, 2), "injured": (1, 1)}),
    ("A gunman is accused of killing three men and wounding another on Wednesday.", {"killed": (3, 3), "injured": (1, 1)}),
    ("One miner was killed and another injured when the roof collapsed.", {"killed": (1, 1), "injured": (1, 1)}),
]


@pytest.mark.parametrize("text,expected", ANOTHER)
def test_another_after_the_victims_counts_one_more(text, expected):
    assert main(text) == expected


def test_another_that_counts_no_victim_is_not_one():
    assert figures("Rescuers searched one building and another nearby for survivors.") == []
    assert figures("He shot one man and another fled.") == [("shot", 1, 1)]
