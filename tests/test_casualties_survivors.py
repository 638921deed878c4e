"""People shot whose sentence says they live are wounded; a title-case "Fatally Shoots" kills (issue 14).

Every sentence here was written for these tests; none comes from the benchmark data."""

import pytest

from claimwire.ledger import build_ledger
from tests.claimhelp import cas, figures, main

SURVIVORS = [
    ("A man was shot in the leg and is expected to recover, police said.", 1),
    ("The guard was shot twice in the arm but is expected to survive.", 1),
    ("A woman was shot and taken to a hospital with non-life-threatening injuries.", 1),
    ("Two fishermen were shot Sunday night and are in stable condition.", 2),
    ("The driver was shot in the shoulder and was treated and released.", 1),
]


@pytest.mark.parametrize(("sentence", "n"), SURVIVORS)
def test_people_shot_who_are_said_to_live_are_wounded(sentence, n):
    assert figures(sentence) == [("injured", n, n)]
    assert cas(sentence)[0].extra.get("survived") is True


NOT_SURVIVORS = [
    # a new subject tells of a part of the people shot
    "Five people were shot at the market and two are in stable condition.",
    # critical condition says nothing of how it ends
    "A boy was shot in the head and taken to a hospital in critical condition.",
    "A man was shot on Main Street.",
]


@pytest.mark.parametrize("sentence", NOT_SURVIVORS)
def test_people_shot_with_no_outcome_of_their_own_stay_shot(sentence):
    assert any(m == "shot" for m, _, _ in figures(sentence))
    assert not any(c.extra.get("survived") for c in cas(sentence))


def test_a_survivor_beside_the_dead_is_the_wounded_not_zero():
    # "three shot dead" alone would mean nobody else was shot: the fourth man's survival says otherwise
    text = "Three villagers were shot dead in the raid. A fourth man was shot in the leg and is in stable condition."
    assert main(text) == {"killed": (3, 3), "injured": (1, 1)}


def test_the_ledger_counts_a_survivor_told_apart_from_the_dead():
    text = "Three villagers were shot dead in the raid. A fourth man was shot in the leg and is expected to recover."
    claims = [{**c.to_dict(), "article_id": 1} for c in cas(text)]
    ledger = build_ledger([{"id": 1, "title": None, "published": "2019-03-01T10:00:00"}], claims)
    assert ledger["headline"]["killed"]["value"] == 3
    assert ledger["headline"]["injured"]["value"] == 1


@pytest.mark.parametrize("title", ["Gunman Fatally Shoots 3 Musicians In Athens Bar", "Guard Mortally Wounds 3 Robbers At Bank"])
def test_a_title_case_fatally_is_a_death(title):
    assert [(c.measure, c.value_min) for c in cas("Nothing here.", title)] == [("killed", 3)]


def test_musicians_are_people_so_the_attacker_who_killed_himself_joins_them():
    assert figures("Nothing here.", "Gunman kills 3 musicians, self after concert") == [("killed", 4, 4)]


@pytest.mark.parametrize(
    ("title", "n"), [("Suspect in 5 Killings Arrested After Manhunt", 5), ("Man charged in two slayings near Dhaka", 2)]
)
def test_killings_counted_by_a_number_are_deaths(title, n):
    assert figures("Nothing here.", title) == [("killed", n, n)]


def test_murders_counted_over_a_year_are_no_event_toll():
    assert main("The city has recorded 120 murders so far this year.") == {}


@pytest.mark.parametrize("title", ["Harbour shooting suspect pleads not guilty", "Market stabbing suspect has long criminal record"])
def test_a_shooting_suspect_is_no_one_shot(title):
    assert figures("Nothing here.", title) == []


def test_a_shooting_named_after_a_determiner_takes_no_object():
    assert figures("After the shooting the suspect fled south, police said.") == []


def test_an_attacker_shot_as_an_object_is_still_shot():
    assert figures("The officer fired, shooting the suspect in the leg.") == [("shot", 1, 1)]
    assert figures("Nothing here.", "Police interview shooting victim") == [("shot", 1, 1)]  # "identify": dead (2.25.0)


def test_someone_fighting_for_their_life_is_wounded():
    assert figures("A ferry worker is fighting for his life after the blast.") == [("injured", 1, 1)]
    text = "Four people are dead and another is fighting for her life at a hospital after the bombing."
    assert main(text) == {"killed": (4, 4), "injured": (1, 1)}


def test_one_fighting_for_life_among_the_shot_is_a_part_of_the_wounded():
    assert main("Five people were shot, and one is fighting for his life.") == {"injured": (5, 5)}


def test_a_part_of_named_people_joins_the_people_listed_after_it():
    text = "The gunman killed six of his grandchildren, his adult daughter and himself."
    claim = cas(text)[0]
    assert (claim.measure, claim.value_min, claim.extra.get("self")) == ("killed", 8, 1)
    assert claim.group == "his grandchildren"


def test_a_headline_word_before_a_plural_person_noun_is_no_one_person():
    assert figures("Nothing here.", "Man Kills Ex-Wife's Teen Daughters In Athens") == []
    assert figures("Nothing here.", "Woman shoots husband in Athens") == [("shot", 1, 1)]


def test_other_murders_are_crimes_of_their_own():
    assert figures("He was acquitted of ordering three other slayings and accused of four other murders.") == []


def test_a_gerund_after_that_still_takes_its_object():
    assert figures("The verdict said that killing a police officer will not be tolerated.") == [("killed", 1, 1)]


@pytest.mark.parametrize(
    "title", ["Two arrested following deadly Old Town shooting", "Arrest made in homicide near the harbour", "Harbour death ruled homicide"]
)
def test_a_deadly_shooting_or_a_homicide_says_someone_died(title):
    claims = cas("Nothing here.", title)
    assert [(c.measure, c.value_min, c.value_max, c.extra.get("implied")) for c in claims] == [("killed", 1, None, True)]


@pytest.mark.parametrize(
    "title",
    [
        "Man charged with attempted homicide after shooting",
        "Homicide detectives investigate shooting",
        "Police use deadly force in shooting",
    ],
)
def test_no_death_in_an_attempted_homicide_or_homicide_detectives(title):
    assert cas("Nothing here.", title) == []


PART_DIED = [
    ("One of the two fishermen shot at the pier on Friday has died, police said.", 1, 1),
    ("Two of the five villagers wounded in the raid have since died.", 2, 3),
    ("One of three miners hurt in the blast later died at a hospital.", 1, 2),
]


@pytest.mark.parametrize(("sentence", "k", "i"), PART_DIED)
def test_a_part_of_the_hurt_who_died_leaves_the_rest_wounded(sentence, k, i):
    assert figures(sentence) == [("injured", i, i), ("killed", k, k)]
    assert main(sentence) == {"killed": (k, k), "injured": (i, i)}


def test_a_part_who_died_in_a_headline_is_a_death_and_the_rest_wounded():
    assert figures("Nothing here.", "1 of 2 Guards Wounded In Bank Robbery Has Died") == [("injured", 1, 1), ("killed", 1, 1)]


@pytest.mark.parametrize(
    "sentence", ["One of the two brothers died in the flood.", "One of the three officers who arrived first has died of an illness."]
)
def test_a_part_who_died_of_people_not_said_to_be_hurt_is_no_split(sentence):
    assert not any(m == "injured" for m, _, _ in figures(sentence))


@pytest.mark.parametrize(
    "title", ["Father of 5 killed in crash on Route 9", "Mother of three shot dead outside bar", "Boy, 15, Killed In Early Morning Crash"]
)
def test_a_headline_person_described_by_children_or_age_is_one_dead(title):
    assert [(c.measure, c.value_min) for c in cas("Nothing here.", title)] == [("killed", 1)]


def test_a_family_of_four_in_a_headline_is_four_not_one():
    assert [(c.measure, c.value_min) for c in cas("Nothing here.", "Family of four killed in house fire")] == [("killed", 4)]


DIED_LATER = [
    "A man was shot in the chest and later died at a hospital.",
    "The driver was injured in the crash and died two days later.",
    "Omar Haddad was in the hospital with head injuries but later died, police said.",
    "A miner injured in the collapse on Monday has died of his injuries.",
]


@pytest.mark.parametrize("sentence", DIED_LATER)
def test_one_person_hurt_who_went_on_to_die_is_dead(sentence):
    assert figures(sentence) == [("killed", 1, 1)]


@pytest.mark.parametrize("sentence", ["A woman was injured and her husband later died.", "Two people were injured and one later died."])
def test_someone_else_who_died_leaves_the_hurt_person_hurt(sentence):
    assert ("killed", 1, 1) in figures(sentence)
    assert any(m == "injured" for m, _, _ in figures(sentence))


# -- issue 14 (2.10.0): a wound told as one the person lives through; "others" added to a figure --------

NONFATAL = [
    ("A fisherman suffered a non-life-threatening gunshot wound to the leg, police in Lagos said.", 1),
    ("Two farmers suffered minor gunshot wounds in the clash.", 2),
    ("The shopkeeper was grazed by a bullet.", 1),
    ("Two guards were hit by gunfire, but their injuries are not life-threatening.", 2),
    ("Six villagers were struck by bullets but all are expected to survive.", 6),
    ("A fourth man was also shot, police said, but survived.", 1),
    ("Two porters were shot and are being treated at a hospital in Goma.", 2),
]


@pytest.mark.parametrize(("sentence", "n"), NONFATAL)
def test_a_wound_the_person_lives_through_is_injured(sentence, n):
    assert figures(sentence) == [("injured", n, n)]


def test_a_hedged_count_with_non_fatal_wounds_is_injured():
    assert figures("At least four others suffered non-life-threatening gunshot wounds.") == [("injured", 4, None)]


NOT_NONFATAL = [
    "A man suffered a gunshot wound to the chest.",  # the outcome is open
    "Two men were shot and one is in critical condition.",
    "Five people were shot at the market and two are in stable condition.",  # a part of them
    "A boy was shot and is being treated in critical condition.",
    "A man was shot and was being treated when he died.",  # no longer being treated
]


@pytest.mark.parametrize("sentence", NOT_NONFATAL)
def test_a_wound_with_no_outcome_stays_shot(sentence):
    assert any(m == "shot" for m, _, _ in figures(sentence))


OTHERS_ADDED = [
    ("Two shot and wounded, three others grazed by gunfire at a wedding in Izmir.", 5),
    ("Two men were in critical condition and two others injured after the blast.", 4),
    ("One miner was in critical condition; the three others suffered injuries, officials said.", 4),
    ("Two people are in serious condition, four others hurt after the bus overturned.", 6),
]


@pytest.mark.parametrize(("sentence", "n"), OTHERS_ADDED)
def test_others_right_after_a_figure_of_the_same_state_add_to_it(sentence, n):
    assert figures(sentence) == [("injured", n, n)]
    assert main(sentence) == {"injured": (n, n)}


NOT_OTHERS_ADDED = [
    # another state: the dead and the wounded are two figures
    ("Three people were killed and two others wounded in the flood.", [("injured", 2, 2), ("killed", 3, 3)]),
    # "others" far from the first figure, in another clause
    (
        "One person was injured in a fight, and the conditions of the five others who were shot are not known.",
        [("injured", 1, 1), ("shot", 5, 5)],
    ),
    # the first figure is a part ("including"), not the others' peers
    ("Four people were wounded, including two others from the village.", [("injured", 4, 4)]),
]


@pytest.mark.parametrize(("sentence", "expected"), NOT_OTHERS_ADDED)
def test_figures_not_joined_by_others_stay_apart(sentence, expected):
    assert figures(sentence) == expected


# -- ages told as a run are no count of people; a light wound is no severe one (2.10.0) ---------------

AGES_RUN = [
    ("Two children, ages 3 and 5, were killed in the house fire.", [("killed", 2, 2)]),
    ("Two children ages 3 and 5 were killed in the house fire.", [("killed", 2, 2)]),
    ("Four boys aged 10 to 12 were injured when the wall collapsed.", [("injured", 4, 4)]),
    ("Five pilgrims, ages 17, 18 and 60, were hurt in the stampede.", [("injured", 5, 5)]),
    ("Victims aged between 20 and 35 were hurt.", []),  # the ages alone count no one
]


@pytest.mark.parametrize(("sentence", "expected"), AGES_RUN)
def test_the_last_age_of_a_run_is_no_count(sentence, expected):
    assert figures(sentence) == expected


def test_a_count_after_ages_still_counts():
    assert figures("Aged 30, the driver and three passengers were injured in the crash.") == [("injured", 4, 4)]


@pytest.mark.parametrize(
    "sentence", ["All four of them sustained non-life-threatening injuries, police said.", "Four hikers suffered non critical injuries."]
)
def test_a_light_wound_is_no_severity(sentence):
    assert [c.extra.get("severity") for c in cas(sentence)] == [None]


def test_a_critical_wound_keeps_its_severity():
    assert cas("Four hikers suffered life-threatening injuries.")[0].extra.get("severity") is True


ALSO_ADDED = [
    # one outcome open ("shot"): the sum stays open, the ledger takes the dead from it
    ("Lena Berg was shot in the wrist, and a 40-year-old woman was also wounded, while crossing the street.", [("shot", 2, 2)]),
    ("Two fishermen were shot in the leg and another was also wounded.", [("shot", 3, 3)]),
    ("Five of the guards were shot and the other was grazed by a bullet.", [("shot", 6, 6)]),
    ("Two miners were hurt in the blast and another was also injured.", [("injured", 3, 3)]),
]


@pytest.mark.parametrize(("sentence", "expected"), ALSO_ADDED)
def test_people_also_hurt_right_after_a_figure_add_to_it(sentence, expected):
    assert figures(sentence) == expected


NOT_ALSO_ADDED = [
    ("A man was shot on Main Street and a woman was hurt.", [("injured", 1, 1), ("shot", 1, 1)]),  # no "also", no "other"
    ("One officer was shot and killed and another was injured.", [("injured", 1, 1), ("killed", 1, 1)]),
]


@pytest.mark.parametrize(("sentence", "expected"), NOT_ALSO_ADDED)
def test_people_hurt_beside_a_figure_with_no_also_stay_apart(sentence, expected):
    assert figures(sentence) == expected


# -- "left N fatally wounded", "N others with serious injuries" (2.10.0) ------------------------------

LEFT_STATES = [
    ("The blast left one worker fatally wounded and three others with serious injuries.", [("injured", 3, 3), ("killed", 1, 1)]),
    ("The crash left one passenger dead and three others with serious injuries.", [("injured", 3, 3), ("killed", 1, 1)]),
    ("The quake left one villager fatally injured.", [("killed", 1, 1)]),
    ("The attack left two soldiers with serious injuries.", [("injured", 2, 2)]),
    ("Police found three people with gunshot wounds.", [("shot", 3, 3)]),
]


@pytest.mark.parametrize(("sentence", "expected"), LEFT_STATES)
def test_a_state_after_each_counted_group_is_its_own(sentence, expected):
    assert figures(sentence) == expected


NOT_LEFT_STATES = [
    ("The gunman killed two people with a rifle.", [("killed", 2, 2)]),  # a weapon, no state
    ("The storm left two people dead and five others injured.", [("injured", 5, 5), ("killed", 2, 2)]),
]


@pytest.mark.parametrize(("sentence", "expected"), NOT_LEFT_STATES)
def test_with_a_thing_is_no_state(sentence, expected):
    assert figures(sentence) == expected
