"""Victims that no number counts (issue 14): a person who shot himself, people taken to hospital, a
gunshot wound, title-case headlines ("4 Shot In ...").  Every sentence here was written for these
tests; none comes from the benchmark data."""

import pytest

from claimwire.extractors.casualties import RULES
from tests.claimhelp import cas, figures, main

# --- a person who shot himself -----------------------------------------------------------------------

SELF_INFLICTED = [
    ("A nine-year-old boy accidentally shot himself in the hand at a campsite near Lyon.", [("shot", 1, 1)]),
    ("The hunter shot himself in the foot while climbing a fence, rangers said.", [("shot", 1, 1)]),
    ("A farmer fatally shot himself while cleaning his rifle, police in Sylhet said.", [("killed", 1, 1)]),
    ("The teenager shot himself accidentally while handling the pistol and died at the scene.", [("killed", 1, 1)]),
]


@pytest.mark.parametrize("text,expected", SELF_INFLICTED)
def test_one_who_shot_himself_is_one_victim(text, expected):
    assert figures(text) == expected


def test_a_headline_shooting_self():
    assert figures("", "Toddler fatally shoots self with grandfather's gun") == [("killed", 1, 1)]
    assert figures("", "Hiker Accidentally Shoots Himself Near Trail") == [("shot", 1, 1)]


GERUND_DONE = [
    ("Police in Leeds said the farmer called for help after accidentally shooting himself while cleaning a rifle.", [("shot", 1, 1)]),
    ("A hiker near Athens was found by rangers after finding a flare gun and shooting herself in the foot.", [("shot", 1, 1)]),
]


@pytest.mark.parametrize("text,expected", GERUND_DONE)
def test_one_told_after_shooting_himself_is_one_shot(text, expected):
    assert figures(text) == expected


def test_a_headline_after_shooting_himself():
    assert figures("", "Hunter Takes Responsibility After Accidentally Shooting Himself While Testing Ice") == [("shot", 1, 1)]


@pytest.mark.parametrize(
    "text", ["The fisherman told police he had thought about shooting himself.", "He spoke of shooting himself before the trial in Sylhet."]
)
def test_shooting_himself_not_told_done_is_no_victim(text):
    assert figures(text) == []


def test_one_told_hurt_before_shooting_himself_keeps_the_hurt_reading():
    assert figures("The hunter was flown to hospital in Athens after accidentally shooting himself in the leg.") == [("injured", 1, 1)]


def test_a_pronoun_victim_who_shot_himself_is_the_named_one():
    text = "Marco Rossi, 15, was alone at home. Police said he found a revolver and shot himself in the leg."
    got = cas(text)
    assert [(c.measure, c.value_min) for c in got] == [("shot", 1)]
    assert got[0].extra.get("one") == "pronoun"  # someone the article names: never a second victim


def test_one_who_took_his_own_life_is_one_dead_named_as_himself():
    # issue 14: "took his own life" says "killed himself"; the ledger reads "himself" as the attacker's death
    got = cas("Police said the driver later took his own life.")
    assert [(c.measure, c.value_min, c.group) for c in got] == [("killed", 1, "himself")]
    assert [(c.measure, c.group) for c in cas("Days later she took her own life.")] == [("killed", "herself")]
    # after his victims: counted with them, as "before killing himself" is
    assert figures("The gunman killed three villagers before taking his own life.") == [("killed", 4, 4)]


@pytest.mark.parametrize(
    "text",
    [
        "A bullet struck the boy. He was flown to Dhaka, but doctors were not able to save him.",
        "Medics worked on her for an hour but could not save her.",
        "She was pulled from the river but could not be saved.",
    ],
)
def test_one_the_doctors_could_not_save_died(text):
    # issue 14: a pronoun, the person told before: never a second victim
    got = [c for c in cas(text) if c.measure == "killed"]
    assert [(c.value_min, c.extra.get("one")) for c in got] == [(1, "pronoun")]


def test_one_dead_person_found_is_one_killed():
    # issue 14: "found a dead man" / "located a deceased male", as "a man was found dead"
    assert figures("Upon arrival, deputies located a deceased white male in the field.") == [("killed", 1, 1)]
    assert figures("Fishermen found a dead woman on the riverbank near Sylhet.") == [("killed", 1, 1)]
    assert figures("Rangers found a dead deer near the trail.") == []
    assert figures("Neighbours found a dead battery in the car.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Firefighters were able to save her from the burning car.",
        "Doctors could not save his leg.",
        "Rescuers could not save the family's home.",
    ],
)
def test_saving_someone_or_failing_to_save_a_thing_is_no_death(text):
    assert not [c for c in cas(text) if c.measure == "killed"]


@pytest.mark.parametrize(
    "text",
    [
        "He took himself to the hospital after the crash.",
        "The rescue took his whole life savings.",
        "She said he was taking his own car to the station.",
    ],
)
def test_taking_oneself_somewhere_is_no_death(text):
    assert figures(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "He threatened to shoot himself before officers talked him down.",
        "The man said he would shoot himself if they came closer.",
        "A witness testified that the defendant had shot himself in the foot years earlier.",  # an earlier shooting
    ],
)
def test_no_one_shot_himself(text):
    assert figures(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The gunman killed a guard and then shot himself.",
        "The teen's gun went off and struck a friend in the chest, then he fatally shot himself.",
    ],
)
def test_an_attacker_who_then_shot_himself_is_no_lone_victim(text):
    # his end is told with his victims (the objects' rule, the murder-suicide rule), not as a victim of its own
    assert not [c for c in cas(text) if c.group in ("himself", "he")]


# --- taken to hospital ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,title,expected",
    [
        ("Four people were taken to the hospital after the bus overturned near Patras.", None, [("injured", 4, 4)]),
        ("A woman was rushed to a local hospital after the gas explosion.", None, [("injured", 1, 1)]),
        ("At least 12 villagers were airlifted to hospitals in Dhaka after the flood.", None, [("injured", 12, None)]),
        ("", "6 taken to hospital after Athens tram crash", [("injured", 6, 6)]),
        # issue 14: a medical center named with no other casualty word; the way there told ("by boat", "by personal vehicle")
        ("The girl was flown to Chittagong Medical Center after the landslide.", None, [("injured", 1, 1)]),
        ("Two fishermen were taken by boat to a hospital in Cox's Bazar.", None, [("injured", 2, 2)]),
        ("A fourth passenger was taken by personal vehicle to Evangelismos Medical Center.", None, [("injured", 1, 1)]),
    ],
)
def test_taken_to_hospital_is_hurt(text, title, expected):
    assert figures(text, title) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The man was taken to the hospital, where he died an hour later.",  # a death, told by another rule
        "Two officers were taken to the hospital as a precaution.",
        "Two officers were taken to the hospital for evaluation.",
        "The bodies of two men were taken to the hospital morgue.",
    ],
)
def test_taken_to_hospital_but_not_wounded(text):
    assert [f for f in figures(text) if f[0] == "injured" and f[1]] == []


def test_taken_to_hospital_is_not_counted_twice_with_a_number():
    assert figures("Three people were injured and taken to the hospital.") == [("injured", 3, 3)]


# --- gunshot wounds and headlines -------------------------------------------------------------------------


def test_a_gunshot_wound_is_a_shot_victim():
    text = "A 30-year-old man was shot in the back, while a 4-year-old boy suffered a gunshot wound to the foot."
    assert figures(text) == [("shot", 1, 1), ("shot", 1, 1)]
    assert figures("A man suffered a stab wound to the arm.") == [("killed_or_injured", 1, 1)]


@pytest.mark.parametrize(
    "title,expected",
    [
        ("4 Shot In Miami Gardens Shooting", {"injured": (4, 4)}),  # shot, nobody killed
        ("Four Injured In Athens Tram Crash", {"injured": (4, 4)}),
        ("2 Dead, 3 Hurt In Bangladesh Flood", {"killed": (2, 2), "injured": (3, 3)}),
    ],
)
def test_title_case_headline_figures(title, expected):
    got = main("", title)
    assert {k: got[k] for k in expected} == expected


def test_an_age_after_a_name_is_still_no_toll():
    assert figures("Ginger Reeves, 64 were found dead in the house.") == []


def test_a_pet_named_beside_its_kind_is_no_victim():
    assert figures("The family's collie, Fenn, was also killed in the fire.") == []
    assert figures("His brother, Tom, was also shot.") == [("shot", 1, 1)]


def test_the_new_rules_run_only_where_their_words_are():
    words = {rule.__name__: w for rule, w in RULES}
    assert words["_rule_self_inflicted"] and words["_rule_to_hospital"]


# --- an attacker who then killed himself, in the list of his victims ----------------------------------------


@pytest.mark.parametrize(
    "text,title,expected",
    [
        ("", "Man shot his family, killing 3, then killed himself", ("killed", 4, 4)),
        ("The gunman killed three people and then shot himself.", None, ("killed", 4, 4)),
        ("He killed his wife, then killed himself.", None, ("killed", 2, 2)),
    ],
)
def test_then_killed_himself_counts_him_once_as_himself(text, title, expected):
    got = cas(text, title)
    assert [(c.measure, c.value_min, c.value_max) for c in got] == [expected]
    assert got[0].extra.get("self") == 1


def test_then_shot_another_is_no_one_killed():
    assert figures("The gunman killed his wife and then shot his son.") == [("killed", 1, 1), ("shot", 1, 1)]


@pytest.mark.parametrize(
    "title,expected",
    [
        ("Shooting kills man, injures 3 in Dhaka", [("injured", 3, 3), ("killed", 1, 1)]),
        ("Drive-by shooting kills teen girl near park", [("killed", 1, 1)]),
        ("Gunman kills woman, wounds two others at mall", [("injured", 2, 2), ("killed", 1, 1)]),
    ],
)
def test_a_headlines_subject_noun_is_no_verb(title, expected):
    assert figures("", title) == expected  # "Shooting kills man": the shooting killed, nobody "shot kills man"


@pytest.mark.parametrize(
    "text,n",
    [
        ("Three women and two men were taken to a hospital in Sylhet after the ferry capsized.", 5),
        ("A woman and two children were rushed to the hospital, police said.", 3),
    ],
)
def test_people_joined_before_those_taken_to_hospital_are_counted_with_them(text, n):
    assert figures(text) == [("injured", n, n)]


# --- people found or arriving with wounds; a bullet's place on the body ----------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("When officers arrived, they found two women with gunshot wounds.", [("shot", 2, 2)]),
        ("Officers found a man with a gunshot wound to the leg.", [("shot", 1, 1)]),
        ("Three people walked into Cabell-Huntington Hospital with gunshot wounds.", [("shot", 3, 3)]),
        ("Police said five other victims showed up at the hospital with gunshot wounds.", [("shot", 5, 5)]),
        ("A 22-year-old man was also taken to Mount Sinai with a gunshot wound to the calf.", [("shot", 1, 1)]),
        ("A woman with stab wounds was found in a street in Piraeus.", [("killed_or_injured", 1, 1)]),
        ("They found a 48-year-old man and a 15-year-old with gunshot wounds.", [("shot", 2, 2)]),
    ],
)
def test_people_found_or_arriving_with_wounds_were_hurt(text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Deputies found Fuller outside his door with a self-inflicted gunshot wound.",  # the attacker's own, told by a name
        "The clinic treats patients with gunshot wounds every week.",  # no one counted
        "Rescuers found two dogs with bite wounds.",
    ],
)
def test_wounds_of_no_one_counted_are_no_figure(text):
    assert figures(text) == []


TITLE_WITH_WOUNDS = [
    ("Two fishermen arrive at Chittagong clinic with bullet wounds", [("shot", 2, 2)]),
    ("Boy, girl walk into Dhaka hospital with gunshot wounds", [("shot", 2, 2)]),
    ("Man shows up at Athens hospital with stab wound", [("killed_or_injured", 1, 1)]),
    ("Man walks into hospital with self-inflicted gunshot wound", []),  # his own wound, told by the self-inflicted rules
    ("Doctors walk out of hospital over unpaid wages", []),
]


@pytest.mark.parametrize("title,expected", TITLE_WITH_WOUNDS)
def test_a_headline_of_people_arriving_with_wounds_counts_them(title, expected):
    # issue 14: a headline's present tense and bare nouns ("Boy, girl walk into ... with gunshot wounds")
    assert figures("", title) == expected


# --- one person told alive after the event ----------------------------------------------------------------

ALIVE_AFTER = [
    ("", "Fisherman stable after boat explosion in Piraeus", [("injured", 1, 1)]),
    ("", "Woman hospitalized after bus crash near Sylhet", [("injured", 1, 1)]),
    ("", "Boy recovering after accidental shooting", [("injured", 1, 1)]),
    ("A shopkeeper is expected to recover after the market bombing, doctors said.", None, [("injured", 1, 1)]),
    ("The hospital remains in good condition after the storm, officials said.", None, []),  # no person
    ("Doctors said the family is recovering after the fire.", None, []),  # a group, not one person
]


@pytest.mark.parametrize("text,title,expected", ALIVE_AFTER)
def test_one_person_told_alive_after_the_event_is_one_injured(text, title, expected):
    assert figures(text, title) == expected


def test_a_person_told_alive_beside_a_death_is_counted_apart():
    assert figures("", "Man killed, woman hospitalized after blast") == [("injured", 1, 1), ("killed", 1, 1)]
    claim = cas("", "Teen stable after crash on the A4")[0]
    assert claim.extra.get("survived") and claim.group == "Teen"


# issue 14 (casualties 2.24.0): a person named, arriving somewhere with wounds, is hurt
NAMED_ARRIVAL = [
    (
        "Police said Rahim Uddin, 34, of Sylhet, had arrived at Dhaka Medical College Hospital with stab wounds.",
        [("killed_or_injured", 1, 1)],
    ),
    ("Nikos McAllister walked into the Athens clinic with a gunshot wound after the raid.", [("shot", 1, 1)]),
]


@pytest.mark.parametrize("text,expected", NAMED_ARRIVAL)
def test_a_named_person_arriving_with_wounds_is_hurt(text, expected):
    assert figures(text) == expected


def test_a_named_person_with_a_self_inflicted_wound_or_no_arrival_is_not_read_so():
    assert figures("Maria Lopez walked into the emergency room with a self-inflicted gunshot wound.") == []
    assert figures("Rescuers said Rahim Uddin had no wounds.") == []


# issue 14 (casualties 2.24.0): after his killing, "then" or "before" shooting himself is the attacker's death, where
# words come between the victims and the reflexive as where they do not ("killed three people and then shot himself")
@pytest.mark.parametrize(
    "text,title,expected",
    [
        ("", "Farmer killed 2 neighbours in Sylhet field before shooting himself, police say", [("killed", 3, 3)]),
        ("The soldier killed three villagers near the Athens barracks before he shot himself.", None, [("killed", 4, 4)]),
    ],
)
def test_shooting_himself_after_his_killing_is_his_death(text, title, expected):
    assert figures(text, title) == expected


def test_shooting_himself_after_his_killing_told_alive_is_not_his_death():
    assert figures("A man killed his neighbour in Athens and then shot himself, but survived.") == [("killed", 1, 1)]
    assert figures("", "Man killed wife, thought about shooting himself") == [("killed", 1, 1)]


# issue 14 (casualties 2.25.0): bodies found or recovered are the dead they count; "the bodies" with no count counts no one
@pytest.mark.parametrize(
    "text,title,expected",
    [
        ("Rescuers recovered 12 bodies from the collapsed garment factory in Savar.", None, [("killed", 12, 12)]),
        ("Twelve bodies were pulled from the river after the ferry capsized near Chandpur.", None, [("killed", 12, 12)]),
        ("At least 30 bodies were found after the landslide in Sylhet.", None, [("killed", 30, None)]),
        ("Divers found a body in the hull of the sunken ferry on Tuesday.", None, [("killed", 1, 1)]),
        ("The body was recovered from the crevasse in the afternoon, rangers said.", None, [("killed", 1, 1)]),
        ("", "Body found in burned Athens hotel after blast", [("killed", 1, 1)]),
        ("", "2 bodies found in Dhaka river after bus plunge", [("killed", 2, 2)]),
    ],
)
def test_bodies_found_are_the_dead_they_count(text, title, expected):
    assert figures(text, title) == expected


def test_bodies_with_no_count_or_no_person_count_no_one():
    assert figures("Rescuers found the bodies in the rubble of the school in Izmir.") == []
    assert figures("Officers found a body camera in the car after the bus crash.") == []
    assert figures("Firefighters recovered a body bag from the hotel after the blast.") == []


def test_another_body_is_someone_new():
    [claim] = cas("Another body was pulled from the flooded mine near Soma on Tuesday.")
    assert (claim.measure, claim.value_min, claim.extra["one"]) == ("killed", 1, "new")


def test_a_body_found_beside_the_hurt_adds_the_dead():
    text = "Authorities found a body in the Athens hotel room where a bomb went off, injuring three police officers."
    assert figures(text) == [("injured", 3, 3), ("killed", 1, 1)]
    assert main(text) == {"killed": (1, 1), "injured": (3, 3)}


# issue 14 (casualties 2.25.0): a headline's one victim identified is dead (the police and the coroner identify the dead)
@pytest.mark.parametrize(
    "title",
    [
        "Crash victim identified as Dhaka student",
        "Police identify victim in Sylhet blast",
        "UPDATE: Victim of Athens bus crash identified",
        "Ferry victim named",
        "Victim, 17, identified in Chittagong building collapse",
    ],
)
def test_a_headline_victim_identified_is_dead(title):
    assert figures("", title) == [("killed", 1, 1)]


def test_a_headline_shooting_victim_identified_is_one_shot_dead():
    assert figures("", "Athens shooting victim identified; suspect being sought") == [("killed", 1, 1)]
    assert main("", "Athens shooting victim identified; suspect being sought") == {"killed": (1, 1), "injured": (0, 0)}


@pytest.mark.parametrize(
    "title,expected",
    [
        ("Fifth victim in Izmir earthquake identified", []),  # an ordinal: one of a toll
        ("2 hurt in Athens bus crash; 1 victim identified", [("injured", 2, 2)]),  # the headline counts the others
        ("Victims of Sylhet ferry sinking identified", []),  # how many is not said
        ("Police interview Athens bombing victim", []),
    ],
)
def test_a_headline_victim_counted_or_not_identified_is_not_read_so(title, expected):
    assert figures("", title) == expected


def test_a_headline_victim_identified_whom_the_body_tells_hurt_is_hurt():
    text = "Maria Pappas was hit by debris when the scaffolding fell. Pappas was in stable condition on Tuesday, police said."
    assert figures(text, "Victim of Athens scaffolding collapse identified") == [("injured", 1, 1)]
    title = "Athens shooting victim identified"
    assert figures("Nikos Pappas was in stable condition on Tuesday, police said.", title) == [("injured", 1, 1), ("shot", 1, 1)]
