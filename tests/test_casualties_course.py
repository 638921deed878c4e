"""How a victim fared, told around the count (issue 14): "fatally wounded" is a death, the wounded who
"has died" is dead, "and wounding another" is one more wounded.  Every sentence here was written for these
tests (a ferry, a bombing, a mine, a shooting); none comes from the benchmark data."""

import pytest

from tests.claimhelp import cas, figures, main

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


ATTACKER_AFTER_VICTIMS = [
    # his death beside a wounded count: one dead; after a killed count: counted with it
    ("The gunman wounded a guard and then killed himself, police in Oslo said.", {"killed": (1, 1), "injured": (1, 1)}),
    ("The attacker shot and killed three hikers before killing himself.", {"killed": (4, 4)}),
]


@pytest.mark.parametrize("text,expected", ATTACKER_AFTER_VICTIMS)
def test_the_attacker_who_killed_himself_after_his_victims_is_counted(text, expected):
    assert main(text) == expected


def test_an_attacker_who_shot_himself_and_lived_adds_no_death():
    assert "killed" not in main("The man wounded a guard and then shot himself in the leg.")


def test_a_headline_attacker_who_kills_himself_after_wounding():
    assert figures("", "Suspect Wounds Officer Then Kills Himself") == [("injured", 1, 1), ("killed", 1, 1)]


@pytest.mark.parametrize(
    "title,expected", [("Crash Leaves Bus Driver Dead", [("killed", 1, 1)]), ("Blast Leaves Worker Injured At Port", [("injured", 1, 1)])]
)
def test_a_headline_leaves_someone_in_a_state(title, expected):
    assert figures("", title) == expected


def test_a_headline_that_leaves_someone_in_no_state_counts_none():
    assert figures("", "Gunman Left Victim Behind In Car") == []


@pytest.mark.parametrize(
    "text,n",
    [
        ("A toddler became the fourth to die in the Bucksport fire.", 4),
        ("A woman has become the fifth person to die after the ferry sank.", 5),
    ],
)
def test_the_nth_to_die_is_the_toll(text, n):
    assert figures(text) == [("killed", n, n)]


def test_an_ordinal_place_is_no_toll():
    assert figures("He finished second to die-hard rival Kenenisa in the final.") == []


def test_the_deceased_are_dead():
    assert main("After the landslide two people are deceased and three injured.") == {"killed": (2, 2), "injured": (3, 3)}
    assert main("Police said there is one wounded and one deceased.") == {"killed": (1, 1), "injured": (1, 1)}


def test_the_deceased_as_a_noun_or_an_adjective_counts_none():
    assert figures("The deceased was identified as a 40-year-old fisherman from Khulna.") == []
    assert figures("His deceased wife had left him the house.") == []


def test_a_person_who_was_not_hurt_is_no_casualty():
    assert figures("The driver, who was not injured, told officers the truck had lost its brakes.") == []


RETRACTED = [
    "Early reports said one person had died in the blast, but that proved to be incorrect, the fire service said.",
    "Officials initially said a climber had died on the ridge, but later said he was found alive.",
    "One miner was reported to have died underground but officials say that all twelve were rescued.",
]


@pytest.mark.parametrize("text", RETRACTED)
def test_a_death_reported_and_withdrawn_is_no_death(text):
    assert "killed" not in main(text)


def test_an_early_death_toll_raised_later_is_a_toll():
    assert main("Police initially said two people died; the toll later rose to five.")["killed"] == (2, 2)


def test_a_withdrawn_gunshot_still_tells_someone_hurt():
    text = "Officials initially reported that a second guard was shot, but authorities later said his injuries were not caused by gunfire."
    assert figures(text) == [("shot", 1, 1)]


def test_a_related_video_headline_on_the_page_is_another_story():
    claim = cas("Watch more. 0:41 Woman dies crossing highway in Kennewick")[0]
    assert claim.extra.get("background")


def test_a_clock_time_is_no_video_headline():
    claim = cas("At 10:30 PM three people died in the blast in Athens.")[0]
    assert not claim.extra.get("background")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("The climber passed away on Tuesday, rescuers said.", [("killed", 1, 1)]),
        ("Three passengers passed away after the ferry capsized off Bhola.", [("killed", 3, 3)]),
        ("Police said two people are deceased.", [("killed", 2, 2)]),
    ],
)
def test_passed_away_and_deceased_are_deaths(text, expected):
    assert figures(text) == expected


def test_taken_to_hospital_where_one_passed_away_is_no_wounded_count():
    assert figures("All three guards were flown to a hospital, where Officer Ruiz passed away.") == [("killed", 1, 1)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("The landslide left him and his two daughters dead, officials said.", [("killed", 3, 3)]),
        ("The crash left her and two passengers injured.", [("injured", 3, 3)]),
    ],
)
def test_a_person_left_in_the_state_of_the_people_counted_after_him_is_counted(text, expected):
    assert figures(text) == expected


def test_a_person_left_in_another_state_is_not_counted():
    assert figures("The storm left him and his wife homeless, and two neighbors dead.") == [("killed", 2, 2)]


@pytest.mark.parametrize(
    "text", ["The boy was grazed by a bullet, police in Leeds said.", "A stray round from the celebration grazed a 2-year-old girl."]
)
def test_someone_grazed_by_a_bullet_is_hurt(text):
    assert main(text) == {"injured": (1, 1)}


def test_grazing_that_hurts_no_one_counts_none():
    assert figures("Cattle grazed the field near the village.") == []


@pytest.mark.parametrize("title", ["5-year-old girl hit by stray bullet", "4-year-old shot allegedly by brother"])
def test_a_headline_victim_hit_by_a_bullet(title):
    assert figures("", title) == [("shot", 1, 1)]


def test_a_headline_victim_grazed_by_a_bullet_is_wounded():
    assert figures("", "Toddler Grazed by Bullet During Celebration") == [("injured", 1, 1)]


def test_the_one_taken_to_hospital_is_one_hurt_named_back():
    claim = cas("The back seat passenger was transported to the hospital for treatment.")[0]
    assert (claim.measure, claim.value_min, claim.extra.get("singular")) == ("injured", 1, True)
    assert figures("The victims were taken to the hospital.") == []


def test_a_man_who_shoots_own_leg_is_shot():
    assert figures("", "Hunter shoots own leg while climbing fence") == [("shot", 1, 1)]


ORDINAL_ONE_MORE = [
    ("The bomb killed two soldiers and wounded a third near the checkpoint.", {"killed": (2, 2), "injured": (1, 1)}),
    ("Three villagers drowned and a fourth was injured when the boat capsized.", {"killed": (3, 3), "injured": (1, 1)}),
    ("One miner was killed and a second was hurt when the roof collapsed.", {"killed": (1, 1), "injured": (1, 1)}),
    ("Police said the man killed two people, wounding another.", {"killed": (2, 2), "injured": (1, 1)}),
]


@pytest.mark.parametrize("text,expected", ORDINAL_ONE_MORE)
def test_the_ordinal_just_past_the_count_is_one_more(text, expected):
    assert main(text) == expected


def test_an_ordinal_that_does_not_follow_the_count_is_no_one():
    assert figures("The bomb killed two soldiers and wounded a fourth.") == [("killed", 2, 2)]
    assert figures("Two people were killed, a third said.") == [("killed", 2, 2)]


def test_a_headline_shooting_another_after_a_count():
    assert figures("", "Man Charged With Murdering 3 People, Shooting Another Inside Home") == [("killed", 3, 3), ("shot", 1, 1)]


PERFECT_DEATH = [
    ("Lena Berg has died, the hospital said.", "Lena Berg"),
    ("Officials said the fisherman has since died of his injuries.", "the fisherman"),
    ("He has died, his family said.", "He"),
    ("THE CHILD HAS PASSED AWAY, THE SHERIFF SAID.", "The child"),
]


@pytest.mark.parametrize("text,group", PERFECT_DEATH)
def test_a_death_in_the_perfect_is_one_dead_and_the_auxiliary_is_no_part_of_the_group(text, group):
    found = [c for c in cas(text) if c.measure == "killed"]
    assert [(c.value_min, c.group) for c in found] == [(1, group)]


def test_has_died_of_a_plural_is_no_single_death():
    assert [c for c in cas("The victims have not been named.") if c.measure == "killed"] == []


@pytest.mark.parametrize(
    "text,title,expected",
    [
        ("", "Bullet Grazes Teen After Market Dispute", [("injured", 1, 1)]),
        ("Police fired at the gunman, grazing two bystanders.", None, [("injured", 2, 2)]),
    ],
)
def test_grazes_and_grazing_are_read_like_grazed(text, title, expected):
    assert figures(text, title) == expected


def test_grazing_cattle_count_no_one():
    assert figures("Cattle were grazing in the field when the storm hit.") == []


DOING = [
    ("Woman walking dog killed by bus in Sylhet", [("killed", 1, 1)]),
    ("Cyclist riding to work killed in Athens crash", [("killed", 1, 1)]),
    ("Toddler playing with lighter dies in apartment fire", [("killed", 1, 1)]),
    ("Sheriff: 6-year-old playing with gun shot and killed", [("killed", 1, 1)]),
    ("Fisherman recovering after being hurt in ferry fire", [("injured", 1, 1)]),
]


@pytest.mark.parametrize("title,expected", DOING)
def test_a_headline_person_told_by_what_they_were_doing(title, expected):
    assert figures("", title) == expected


def test_a_headline_gerund_of_the_attack_is_no_doing():
    assert [(c.group, c.measure) for c in cas("", "Teen shooting victim dies in hospital")] == [("Teen shooting victim", "killed")]


BARE_AGES = [
    ("Two men, 24 and 31, were killed when the bus overturned near Sylhet.", [("killed", 2, 2)]),
    ("Three sisters, 4, 7 and 9, died in the flood.", [("killed", 3, 3)]),
    ("One passenger, 45, is in critical condition, and five others suffered minor injuries in the Athens blast.", [("injured", 6, 6)]),
]


@pytest.mark.parametrize("text,expected", BARE_AGES)
def test_a_count_before_bare_ages_is_read(text, expected):
    assert figures(text) == expected


def test_one_person_before_bare_ages_keeps_the_one_persons_reading():
    got = cas("Another man, 21, suffered a gunshot wound to his arm.")
    assert [(c.measure, c.group, c.extra.get("one")) for c in got] == [("shot", "Another man", "new")]


INCLUDING_ONE_WHO_DIED = [
    (
        "Five passengers were hurt in the crash near Sylhet, including a woman who later died in hospital.",
        [("injured", 4, 4), ("killed", 1, 1)],
    ),
    (
        "Three people were injured in the Athens blast, including a guard who succumbed to his wounds.",
        [("injured", 2, 2), ("killed", 1, 1)],
    ),
]


@pytest.mark.parametrize("text,expected", INCLUDING_ONE_WHO_DIED)
def test_the_hurt_counted_with_one_who_died_are_the_rest(text, expected):
    assert figures(text) == expected


def test_the_hurt_including_one_who_lived_are_all_hurt():
    assert figures("Four people were wounded, including a man who told police he saw the gunman.") == [("injured", 4, 4)]


# issue 14 (casualties 2.24.0): the people "along with" are counted in the figure just before them
ALONG_WITH = [
    ("Two soldiers were killed, along with a civilian, when the bomb went off in Athens.", [("killed", 3, 3)]),
    ("Four passengers were injured along with two other bus drivers near Dhaka.", [("injured", 6, 6)]),
    ("The fisherman drowned along with his son when the boat capsized in the flood.", [("killed", 2, 2)]),
    ("The two were shot, along with another woman, just before 1 a.m.", [("shot", 3, 3)]),
]


@pytest.mark.parametrize("text,expected", ALONG_WITH)
def test_the_people_along_with_a_count_are_in_it(text, expected):
    assert figures(text) == expected


def test_no_person_along_with_a_count_adds_none():
    assert figures("Three villagers drowned along with their cattle in the Bangladesh flood.") == [("killed", 3, 3)]
    assert figures("Five people died along with the bomber in the Athens blast.") == [("killed", 5, 5)]


# issue 14 (casualties 2.24.0): people released from hospital were hurt
RELEASED = [
    ("Seven victims of the bus crash were released from hospital on Monday.", [("injured", 7, 7)]),
    ("7 victims of Sunday shooting released from area hospitals", [("injured", 7, 7)]),
    ("Three passengers were treated and released, the ferry company said.", [("injured", 3, 3)]),
]


@pytest.mark.parametrize("text,expected", RELEASED)
def test_people_released_from_hospital_are_hurt(text, expected):
    assert figures(text) == expected


def test_people_released_from_custody_are_not_hurt():
    assert figures("Two suspects in the Athens bombing were released from jail on bail.") == []


# issue 14 (casualties 2.24.0): "a fifth victim has died" counts five dead, as "a fifth victim died" does
@pytest.mark.parametrize(
    "text,n",
    [
        ("A fifth victim has died after the bombing in Athens, police said.", 5),
        ("An 8th passenger has died after the ferry sank off Bangladesh.", 8),
    ],
)
def test_an_ordinal_victim_who_has_died_is_the_toll(text, n):
    assert figures(text) == [("killed", n, n)]


def test_the_ones_released_while_others_remain_are_a_part():
    assert figures("One passenger was released from hospital while the other remains in intensive care.") == []


# issue 14 (casualties 2.24.0): a headline's person told by where they were found or hurt, then their death, is dead
@pytest.mark.parametrize(
    "title",
    [
        "Wounded teen found outside Athens restaurant dies at hospital",
        "Fisherman injured in Sylhet blast dies in hospital",
        "Passenger hurt on Dhaka bus dies",
    ],
)
def test_a_headline_person_hurt_somewhere_who_dies_is_dead(title):
    assert figures("", title) == [("killed", 1, 1)]


def test_a_headline_person_hurt_somewhere_who_lives_is_hurt():
    assert figures("", "Man shot outside Athens bar recovering") == [("shot", 1, 1)]
