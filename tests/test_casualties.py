"""Casualty figures in news of any kind (issue 16): disasters, bombings, accidents, war and crime.

Every sentence here was written for these tests; none comes from the benchmark data."""

import pytest

from bench.claims import bench_ecb
from claimwire.extractors import extract_claims
from claimwire.extractors.casualties import RULES, Hit, casualty_spans
from claimwire.extractors.victims import count_victims
from tests.claimhelp import cas, figures, main

# --- joined and enumerated victims ------------------------------------------------------------------

JOINED_OBJECTS = [
    ("The explosion killed a fire department captain and a gas company engineer, officials said.", 2),
    ("Lightning killed a farmer and his two sons in Sylhet district.", 3),
    ("The crash killed the bus driver, a nurse and three schoolchildren.", 5),
    ("He was charged with the murder of his wife and daughter.", 2),
    # issue 14: each one "identified as" a name is one person, the name apposed to the noun
    ("The landslide killed a farmer, identified as 52-year-old Abdul Karim, and his wife.", 2),
    ("The blast killed his wife, identified as Maria Lopez, 38, her brother, identified as Nikos Papas, and a neighbor.", 3),
]
JOINED_SUBJECTS = [
    ("Station manager Ali Rahman and volunteer driver Mary Okafor died at the scene.", 2),
    ("Lt. Jane Doe and Sgt. Omar Haddad, both 40, were killed.", 2),
    ("A border guard and a customs officer were killed in the ambush.", 2),
    ("Three Britons and a French tourist were among those killed.", 4),
]


def test_an_apposition_is_one_person():
    # "a nurse and mother of two" describes one woman; a name after a noun is the same person
    assert figures("The blast killed Amina Yusuf, a nurse and mother of two, outside the clinic.") == [("killed", 1, 1)]
    assert figures("The flood killed a fisherman, Karim Ali, 45, near the river.") == [("killed", 1, 1)]


def test_a_name_age_and_town_is_one_person():
    assert ("killed", 1, 1) in figures("Pedro Alves, 23, Setubal died in the crash.")


# --- counts in the subject of "died" / "were killed" ---------------------------------------------

COUNTED_SUBJECTS = [
    ("The four miners trapped by the flood died before rescuers reached them.", 4),
    ("All 157 people on board were killed when the plane crashed into the sea.", 157),
    ("Both pilots were killed.", 2),
    ("Eleven people died and 23 were hurt when a bus plunged into a ravine.", 11),
    ("Another two hikers are reported to have been killed by the avalanche.", 2),
    ("One of five victims of the ferry fire died on Monday.", 1),
]


@pytest.mark.parametrize("text,n", JOINED_OBJECTS + JOINED_SUBJECTS + COUNTED_SUBJECTS)
def test_the_dead_of_joined_objects_joined_subjects_and_counted_subjects_are_counted(text, n):
    assert ("killed", n, n) in figures(text)


def test_a_figure_of_the_whole_group_is_not_the_part():
    # the eight were shot; "one of" is the subject of "was"
    assert ("shot", 8, 8) in figures("The 19-year-old was one of eight shot at the party.")


# --- "left N dead", disaster phrasing ------------------------------------------------------------


def test_left_dead_and_hurt():
    assert figures("The cyclone left 12 dead and about 40 hurt in coastal villages.") == [("injured", 36, 44), ("killed", 12, 12)]
    assert figures("The attack left two police officers dead and 11 people injured.") == [("injured", 11, 11), ("killed", 2, 2)]


DISASTER_AND_ACCIDENT_PHRASING = [
    ("Rescuers pulled more bodies from the rubble, raising the death toll from the earthquake to 112.", ("killed", 112, 112)),
    ("The ferry capsized in the river; 38 passengers drowned and 60 are still missing.", ("killed", 38, 38)),
    ("Four workers were hospitalised with burns after the blast.", ("injured", 4, 4)),
    ("Twelve people were treated for smoke inhalation.", ("injured", 12, 12)),
    ("A bus driver suffered minor injuries.", ("injured", 1, 1)),
    ("The boy remains in critical condition.", ("injured", 1, 1)),
    ("A woman was stabbed in the market.", ("killed_or_injured", 1, 1)),
    ("A woman was stabbed to death in the market.", ("killed", 1, 1)),
    ("Two climbers have fallen to their deaths on the north face.", ("killed", 2, 2)),
    ("At least 15 villagers were feared dead after the landslide.", ("killed", 0, None)),
    ("The doctor said they had received around 50 people with injuries.", ("injured", 45, 55)),
]


def test_no_casualties():
    assert figures("The tremor caused no casualties.") == [("killed_or_injured", 0, 0)]
    assert main("The tremor caused no casualties.") == {"killed": (0, 0), "injured": (0, 0)}
    assert main("There were no immediate reports of damage or casualties.") == {"killed": (0, 0), "injured": (0, 0)}
    assert main("No one was hurt in the derailment.") == {"injured": (0, 0)}


def test_near_misses_and_intentions_are_no_deaths():
    assert figures("Two men were nearly killed when the scaffolding collapsed.") == []
    assert figures("He told a friend he wanted to kill her and her children.") == []


# --- a later exact figure replaces an earlier hedged one -----------------------------------------


def test_later_exact_figure_replaces_the_hedged_one():
    text = (
        "A bomb exploded outside a bank in Athens on Monday, killing at least three people.\n"
        "Three people died when the device went off, police said."
    )
    assert main(text, "At least three dead in Athens bombing") == {"killed": (3, 3)}
    assert main("Hundreds were injured in the stampede.\nOfficials later said 312 people were injured.") == {"injured": (312, 312)}


def test_a_smaller_later_figure_does_not_replace_the_toll():
    text = "The storm killed at least 30 people across the province.\nIn one district, 12 people were killed when a school roof collapsed."
    assert main(text) == {"killed": (30, None)}


# --- victim-by-victim tolls ----------------------------------------------------------------------


def test_victims_named_one_by_one_are_summed():
    text = (
        "Bridge inspector Carlos Mendez, 52, was injured.\n"
        "The ferry was badly damaged, and a passenger was treated in hospital and released."
    )
    assert main(text)["injured"] == (2, 2)
    text = "A Dutch hiker fell to his death on Saturday.\nOn Sunday another hiker, 30-year-old Lena Berg, died in a fall on the same ridge."
    assert main(text)["killed"] == (2, 2)


def test_one_victim_told_many_ways_is_one():
    text = (
        "A teenager was shot and killed on Friday night.\n"
        "Police identified the victim as Tomas Reyes, 17.\n"
        "Reyes died at the scene, and the teen's family asked for privacy."
    )
    assert main(text)["killed"] == (1, 1)


def test_count_victims():
    assert count_victims([("Chief of Police Dana Cole", "name"), ("a bank teller", "indefinite"), ("the police chief", "definite")]) == 2
    assert count_victims([("a man", "indefinite"), ("Tomas Reyes", "name"), ("he", "pronoun")]) == 1
    assert count_victims([("a climber", "indefinite"), ("another climber", "new")]) == 2
    assert count_victims([("Mia Ford", "name"), ("a Leeds mother", "indefinite")]) == 1
    assert count_victims([("Deputy Sam Ortiz", "name"), ("a police officer", "indefinite")]) == 1


# --- event nouns, relative clauses, inverted lists, named objects --------------------------------

NOUNS_RELATIVES_AND_OBJECTS = [
    ("Police are investigating the deaths of three climbers.", ("killed", 3, 3)),
    ("Rahman's death shocked the village.", ("killed", 1, 1)),
    ("Divers recovered the bodies of two fishermen on Friday.", ("killed", 2, 2)),
    ("His body was found near the dam.", ("killed", 1, 1)),
    ("Among the dead were two firefighters.", ("killed", 2, 2)),
    ("Also injured was a bus driver.", ("injured", 1, 1)),
    ("The nurse who died had worked at the clinic for ten years.", ("killed", 1, 1)),
    ("Police said Omar Haddad shot Lena Berg in the leg.", ("shot", 1, 1)),
    ("He shot his neighbour in the head, killing her and her unborn child.", ("killed", 2, 2)),
]


@pytest.mark.parametrize("text,figure", DISASTER_AND_ACCIDENT_PHRASING + NOUNS_RELATIVES_AND_OBJECTS)
def test_disaster_phrasing_event_nouns_relatives_and_objects_give_their_figure(text, figure):
    assert figure in figures(text)


def test_attempted_murder_is_no_death():
    assert figures("He is charged with the attempted murder of two guards.") == []


def test_unborn_children_are_counted_as_the_news_counts_them():
    (claim,) = cas("The crash killed a pregnant woman and her unborn child.")
    assert (claim.value_min, claim.extra["unborn"]) == (2, 1)


# --- figures of other incidents ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "In 2009, a bombing in the same city killed 80 people.",
        "Floods have killed 300 people so far this year.",
        "The region was devastated by a 2004 tsunami that killed 170,000 people.",
        "In a separate attack, gunmen killed four soldiers.",
        "It was the worst attack in the city since 2008, when 166 people were killed.",
    ],
)
def test_figures_of_other_incidents_are_not_claims(text):
    assert figures(text) == []


def test_the_main_figure_keeps_its_dates_and_comparisons():
    assert figures("A bomb killed five soldiers on Tuesday, the deadliest attack since 2015.") == [("killed", 5, 5)]
    text = "The quake struck a region devastated by the 2004 tsunami, killing at least 24 people."
    assert figures(text) == [("killed", 24, None)]
    # a trial recounts its killing with its date
    assert main("A jury convicted him of the 2012 murder of his neighbour.") == {"killed": (1, 1)}


def test_other_incident_in_the_same_article_is_left_out():
    text = "A bomb killed five soldiers on Tuesday.\nIn 2009, a bombing in the same city killed 80 people."
    assert figures(text) == [("killed", 5, 5)]


# --- war reports, with sources ---------------------------------------------------------------------


def test_war_report_with_sources():
    claims = cas(
        "Air strikes killed at least 40 people on Sunday, the health ministry said, while the army said three soldiers were wounded."
    )
    got = {(c.measure, c.value_min, c.value_max, c.source) for c in claims}
    assert got == {("killed", 40, None, "the health ministry"), ("injured", 3, 3, "the army")}


# --- structure -------------------------------------------------------------------------------------


def test_rules_are_named_functions_over_typed_hits():
    assert all(callable(rule) and rule.__name__.startswith("_rule_") for rule, _ in RULES)
    assert Hit._fields[:3] == ("measure", "low", "high")
    text = "Two people were killed."
    assert casualty_spans(text) == [(0, len("Two people were killed"))]


# --- the ECB-style bench -----------------------------------------------------------------------------


def test_bench_ecb_scores_tolls_and_figures():
    articles = [
        {"id": "a", "title": "Bus crash kills two", "text": "Bus crash kills two\nTwo passengers died and a driver was hurt."},
        {"id": "b", "title": "Storm", "text": "Storm\nNobody was hurt. In 2009 a storm killed 80 people."},
    ]
    annotation = {
        "documents": {
            "a": {
                "event_killed": {"min": 2, "max": 2},
                "event_injured": {"min": 1, "max": 1},
                "figures": [
                    {"measure": "killed", "min": 2, "max": 2, "line": 0},
                    {"measure": "killed", "min": 2, "max": 2, "line": 1},
                    {"measure": "injured", "min": 1, "max": 1, "line": 1},
                ],
            },
            "b": {
                "event_killed": None,
                "event_injured": {"min": 0, "max": 0},
                "figures": [{"measure": "injured", "min": 0, "max": 0, "line": 1}],
            },
        },
        "no_figures": [],
    }
    result = bench_ecb(articles, annotation)
    assert result["toll_killed_accuracy"] == 1.0 and result["coverage"] == 1.0
    assert result["toll_injured_accuracy"] == 1.0
    assert result["figure_recall"] == 1.0
    assert result["figure_precision"] == 1.0
    assert result["counts"]["with_killed_toll"] == 1 and result["counts"]["figures"] == 4


def test_one_casualty_scan_per_article_for_both_extractors():
    """The figures extractor skips the casualty spans: it must reuse the casualty extractor's scan, not
    scan the text a second time (two cache keys for one text doubled the extraction time)."""
    from claimwire.extractors.casualties import _scan

    text = "Two people were killed and three were wounded in a shooting on Main Street, police said. " * 3 + "unique-7301"
    before = _scan.cache_info()
    claims = extract_claims(text, None, names=["casualties", "figures"])
    after = _scan.cache_info()
    assert any(c.measure == "killed" and c.value_min == 2 for c in claims)
    assert after.misses - before.misses == 1
    assert after.hits - before.hits >= 1


@pytest.mark.parametrize(
    "sentence",
    [
        "Seven members of pro-government forces were killed.",
        "A man and his son were badly hurt in the blast.",
        "Smith, 25, was pronounced dead at the scene.",
        "The driver later died of his injuries.",
        "She suffered serious head injuries.",
        "Two fishermen remain unaccounted for after the flood.",
    ],
)
def test_subject_rules_only_skip_sentences_without_a_casualty_verb(sentence):
    """The subject rules run only where CASUALTY_VERB finds a verb: every sentence they read a figure
    from must have one (read on the lower-cased sentence, as the scan does)."""
    from claimwire.extractors.casualty_patterns import AFTER_SUBJECT, CASUALTY_VERB, NAMED_SINGULAR, SUBJECT

    assert any(p.search(sentence) for p in (SUBJECT, AFTER_SUBJECT, NAMED_SINGULAR))
    assert CASUALTY_VERB.search(sentence.lower())


def test_a_sentence_without_a_casualty_verb_is_not_read_by_the_subject_rules():
    from claimwire.extractors.casualty_patterns import CASUALTY_VERB

    assert CASUALTY_VERB.search("the shooting happened near a school, police said.") is None
    assert extract_claims("The shooting happened near a school, police said.", None, names=["casualties"]) == []


def test_a_rank_before_a_name_does_not_end_a_listed_person():
    # "Sgt." opens the speaker's name after the victim, or the next victim's name: never a person alone
    assert figures("The driver faces a charge in the death of Ann Lee, 53, Sgt. Omar Haddad said.") == [("killed", 1, 1)]
    assert figures("The fire killed Ann Lee, 40, Lt. Omar Haddad, 31, and a child.") == [("killed", 3, 3)]


def test_a_list_item_that_opens_with_another_verb_is_a_new_clause():
    assert figures("Nothing here.", "Stray bullet kills man, grazes child in Eastside home") == [("injured", 1, 1), ("killed", 1, 1)]
    assert figures("The blast killed a guard, injured two porters and damaged the gate.") == [("injured", 2, 2), ("killed", 1, 1)]


@pytest.mark.parametrize("sentence", ["A boy younger than 12 was shot near the school.", "A woman older than 80 was hurt in the fall."])
def test_a_number_after_younger_or_older_than_is_an_age_not_a_count(sentence):
    assert not any(low and low >= 12 for _, low, _ in figures(sentence))


def test_a_tally_of_separate_shootings_is_background_not_the_event():
    text = (
        "A man was shot in the leg on Main Street on Friday night. "
        "By Sunday, seven people had been killed and 40 wounded in 33 separate shootings across the county."
    )
    tallies = [c for c in cas(text) if (c.value_min or 0) >= 7]
    assert tallies and all(c.extra.get("background") for c in tallies)
    assert main(text).get("killed") is None


def test_a_bare_count_after_the_shooting_of_is_people():
    assert ("shot", 5, 5) in figures("Nothing here.", "Two critically wounded in shooting of five at Eastside party")
    assert figures("Police are investigating the killing of two on Main Street.") == [("killed", 2, 2)]
    assert figures("The killing of 2015 was never solved.") == []


@pytest.mark.parametrize(
    "text",
    [
        "The gun went off, struck and killed Victoria and injured one of the family dogs, deputies said.",
        "Floods killed 300 cattle in the district.",
    ],
)
def test_a_figure_of_animals_counts_no_people(text):
    assert figures(text) == []


def test_people_counted_beside_animals_are_still_counted():
    assert figures("The blast injured 12 people and a police dog.") == [("injured", 12, 12)]
    assert figures("Floods killed two farmers and their cattle.") == [("killed", 2, 2)]
    assert figures("Two farmers and 300 cattle drowned when the river burst its banks.") == [("killed", 2, 2)]
    assert figures("A woman, her son and two dogs were killed in the fire.") == [("killed", 2, 2)]
    assert figures("Three men and a woman were wounded.") == [("injured", 4, 4)]


@pytest.mark.parametrize(
    "text", ["She said the suspect would never purposefully hurt her brother.", "He would never kill a child, his mother said."]
)
def test_a_harm_never_done_is_no_figure(text):
    assert figures(text) == []


def test_never_elsewhere_in_the_sentence_keeps_the_figure():
    assert figures("A man who had never shot anyone before killed two people on Sunday.") == [("killed", 2, 2)]


def test_a_call_to_911_is_no_count():
    text = "Deputies said they got a call to 911 Friday evening saying 18-year-old Donovan Spann had been shot."
    assert figures(text) == [("shot", 1, 1)]
    assert figures("Neighbours dialled 911 after two men were shot.") == [("shot", 2, 2)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The death toll from the earthquake rose to 2,400 on Tuesday.", ("killed", 2400, 2400)),
        ("The death toll from Monday's earthquake in Turkey has risen to 45.", ("killed", 45, 45)),
        ("The death toll in the ferry disaster stands at 304.", ("killed", 304, 304)),
        ("The death toll in Sunday's bombing of a church in Athens has now risen to 14, police said.", ("killed", 14, 14)),
        ("The number of dead from the floods in Sylhet has reached 31.", ("killed", 31, 31)),
        ("The number of people killed in the floods has reached 59.", ("killed", 59, 59)),
        ("The death toll from the Nepal quake passed 7,000 on Sunday.", ("killed", 7001, None)),
    ],
)
def test_a_death_toll_of_a_named_disaster_is_a_figure(text, expected):
    assert figures(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "The death toll for the year is 310 across the country.",  # a year's total, not an event's
        "A toll road from the airport rose to $5.",
        "The number of visitors from abroad has reached 59.",
    ],
)
def test_a_toll_that_is_no_event_toll_is_no_figure(text):
    assert figures(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The plane crashed into the mountain, killing all 150 people aboard.", ("killed", 150, 150)),
        ("The fire killed all six members of the family.", ("killed", 6, 6)),
        ("Doctors treated 87 people for injuries after the train derailed.", ("injured", 87, 87)),
        ("Medics treated 12 firefighters for smoke inhalation.", ("injured", 12, 12)),
        ("The hospital is treating three for burns.", ("injured", 3, 3)),
    ],
)
def test_all_of_a_count_and_the_people_treated_for_injuries(text, expected):
    assert figures(text) == [expected]


@pytest.mark.parametrize("text", ["The clinic treated 500 patients last year.", "The hospital treated 40 people for the flu this week."])
def test_people_treated_for_no_injury_are_no_figure(text):
    assert figures(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The senator said the bill would kill 3,000 jobs.",
        "The recession hurt 200 businesses in the county.",
        "A chemical spill killed thousands of fish in the river.",
    ],
)
def test_things_a_casualty_verb_takes_figuratively_count_no_people(text):
    assert figures(text) == []


# --- "deceased" as the news says "dead" (issue 14) -------------------------------------------------


@pytest.mark.parametrize(
    "text,figure",
    [
        ("The fisherman was found deceased on the riverbank.", ("killed", 1, 1)),
        ("She was taken to a hospital in Patras, where she was pronounced deceased.", ("killed", 1, 1)),
        ("The driver was declared deceased at the scene.", ("killed", 1, 1)),
        ("Two hikers were found deceased below the ridge.", ("killed", 2, 2)),
    ],
)
def test_found_pronounced_or_declared_deceased_is_a_death(text, figure):
    assert figure in figures(text)


def test_deceased_as_a_noun_or_a_relative_is_no_new_death_figure():
    assert figures("The family of the deceased asked for privacy.") == []
    assert figures("His deceased father's house was sold last year.") == []


def test_a_tally_since_a_month_and_recent_incidents_are_background():
    # issue 14: "since May" counts over months; "recent attacks ... where five died" are other incidents
    (claim,) = cas("Four people have been fatally shot in the district since May.")
    assert claim.extra.get("background")
    text = "The bombing follows recent attacks on markets in Quetta, where five people died."
    assert all(c.extra.get("background") for c in cas(text))
    # one attack, even "the most recent", is no tally: still the toll
    (claim,) = cas("Two people were killed in the most recent attack on the market.")
    assert not claim.extra.get("background")
    (claim,) = cas("Since the flood began, nine people have died, officials said.")
    assert not claim.extra.get("background")


def test_one_person_hurt_over_the_weekend_is_the_event_a_weekend_tally_is_background():
    # issue 14: "over the weekend" dates one person's death or wound; a count of many over it is a tally
    (claim,) = cas("Villagers gathered to remember a 12-year-old boy who drowned in the river over the weekend.")
    assert claim.measure == "killed" and not claim.extra.get("background")
    (claim,) = cas("A tourist was injured by falling masonry in central Athens this weekend, police said.")
    assert claim.measure == "injured" and not claim.extra.get("background")
    (claim,) = cas("Fourteen people were injured in road crashes across Dhaka over the weekend.")
    assert claim.extra.get("background")


def test_an_aside_before_the_state_of_the_others_keeps_them_apart_from_the_dead():
    # issue 14: "left one dead and five others, including two officers, injured" is 1 killed and 5 injured, not 6 dead
    text = "The blast left one man dead and five others, including two children, wounded."
    assert sorted(figures(text)) == [("injured", 5, 5), ("killed", 1, 1)]
    # with no state after the aside, the others are among the dead
    assert ("killed", 3, 3) in figures("The gunman killed his wife and two others, including a neighbor, before fleeing.")


def test_a_body_sentence_in_capitals_is_read_like_any_other():
    # issue 14: a station's update typed in capitals
    text = "UPDATE: RESCUERS REACHED THE VILLAGE AT NOON.\n\nTHE CHILD HAS PASSED AWAY.\n\nTWO MEN WERE INJURED IN THE BLAST."
    assert sorted(figures(text)) == [("injured", 2, 2), ("killed", 1, 1)]


def test_a_toll_told_as_a_rise_says_so():
    [rose] = cas("The death toll from the floods has risen to 21, the ministry said.")
    [stands] = cas("The death toll from the floods stands at 21, the ministry said.")
    assert rose.extra.get("rising") is True and not stands.extra.get("rising")


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Flash floods have killed at least 12 people in Sylhet, officials said on Monday, as rivers burst their banks.", "officials"),
        ("A bomb killed two people in Athens on Sunday, police said, in the first such attack in years.", "police"),
        ("Two people were killed, hospital officials said.", "hospital officials"),
        ("Two people were killed, said police.", "police"),
    ],
)
def test_a_bare_collective_after_the_figure_is_its_source(text, source):
    assert [c.source for c in cas(text)] == [source]


@pytest.mark.parametrize("text", ["The gunman killed two people, then said nothing.", "Two people were killed, it said."])
def test_a_lowercase_word_before_said_that_is_no_collective_is_no_source(text):
    assert [c.source for c in cas(text)] == [None]
