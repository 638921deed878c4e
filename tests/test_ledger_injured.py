"""The event ledger's count of the wounded (issue 14): whose story is the toll, who died since, who is counted twice.

Every record and sentence here is made up for the test (a flood, a bus crash, a blast, a shooting), not taken
from the data."""

from __future__ import annotations

from datetime import datetime

from claimwire.ledger import build_ledger, sentence_dates
from tests.claimhelp import figure, figures


def article(article_id: int, when: str, outlet: str, title: str = "") -> dict:
    return {"id": article_id, "title": title or f"article {article_id}", "outlet": outlet, "published": when, "arrived": when}


def toll(ledger: dict) -> tuple[float, float]:
    head = ledger["headline"]
    return head.get("killed", {}).get("value", 0), head.get("injured", {}).get("value", 0)


def one_article(*claims: dict, title: str = "") -> dict:
    return build_ledger([article(1, "2018-03-02T10:00:00", "a.example", title)], list(claims))


# --- one hurt person's story is a part of a count -------------------------------------------------------


def fishermen(count: dict) -> dict:
    articles = [
        article(1, "2019-07-02T08:00:00", "a.example"),
        article(2, "2019-07-02T09:00:00", "b.example"),
        article(3, "2019-07-02T10:00:00", "c.example"),
    ]
    claims = [
        figure(1, "injured", 1, 1, "Fisherman", in_title=True, one="name"),  # "Fisherman rescued from flood in hospital"
        figure(2, "injured", 1, 1, "Karim Ali", in_title=True, singular=True, one="name"),  # "Karim Ali recovering"
        figure(3, "injured", in_title=True, **count),
    ]
    return build_ledger(articles, claims)


def test_one_hurt_persons_follow_ups_are_a_part_of_an_exact_larger_count():
    # two reports follow one rescued fisherman; a third says "Three fishermen injured in Sylhet flood"
    assert toll(fishermen({"low": 3, "high": 3, "group": "fishermen"})) == (0, 3)


def test_a_vague_larger_count_does_not_outweigh_the_one_persons_reports():
    assert toll(fishermen({"low": 3, "high": None, "hedge": "several", "group": "fishermen"})) == (0, 1)


# --- the wounded who died -----------------------------------------------------------------------------------


def balcony(second_title: str) -> dict:
    articles = [
        article(1, "2019-05-03T18:00:00", "a.example", "Toddler hurt in fall from balcony"),
        article(2, "2019-05-04T09:00:00", "b.example", second_title),
    ]
    claims = [
        figure(1, "injured", 1, 1, "Toddler", in_title=True, one="name"),
        figure(2, "killed", 1, 1, "2-year-old", in_title=True),
        # recalling how it came about: "Maya Khan was critically injured in the fall on Friday"
        figure(2, "injured", 1, 1, "Maya Khan", start=200, singular=True, one="name", severity=True),
    ]
    return build_ledger(articles, claims)


def test_a_report_that_headlines_the_death_and_recalls_the_wound_counts_no_wounded():
    assert toll(balcony("2-year-old dies after fall from balcony")) == (1, 0)


def test_a_headline_that_counts_dead_and_hurt_keeps_its_wounded():
    assert toll(balcony("One dead, one hurt in balcony fall")) == (1, 1)


def test_the_wounded_who_died_by_arrival_order_when_both_reports_are_dated_alike():
    # date-only publication times: the death came in after the report of the wounded
    articles = [article(1, "2016-05-03T00:00:00", "a.example"), article(2, "2016-05-03T00:00:00", "b.example")]
    claims = [figure(1, "shot", 1, 1, "a man", in_title=True, one="indefinite"), figure(2, "killed", 1, 1, "man", in_title=True)]
    assert toll(build_ledger(articles, claims)) == (1, 0)
    # the death told first, the wounded after it: the wounded stand
    assert toll(build_ledger(list(reversed(articles)), claims)) == (1, 1)


def test_the_victim_hurt_in_an_article_whose_one_dead_is_a_victim_is_that_dead_person():
    ledger = one_article(
        figure(1, "killed", 1, 1, "Boy", in_title=True, one="name"),  # "Boy, 7, dies after bus hits him"
        figure(1, "injured", 1, 1, "The victim", start=120, singular=True, one="definite"),  # "The victim was flown to ..."
    )
    assert toll(ledger) == (1, 0)


def test_the_victim_hurt_beside_a_dead_attacker_stays_wounded():
    ledger = one_article(
        figure(1, "killed", 1, 1, "the gunman", start=0, singular=True, one="definite"),
        figure(1, "injured", 1, 1, "The victim", start=120, singular=True, one="definite"),
    )
    assert toll(ledger) == (1, 1)


def test_wounded_as_many_as_the_shot_hold_the_one_who_died_later():
    # "Four people were shot ... All four victims were taken to hospital ... Darryl Freeman died Saturday"
    ledger = one_article(
        figure(1, "shot", 4, 4, "people", start=0, sentence="Four people were shot on Friday."),
        figure(1, "injured", 4, 4, "victims", start=40, sentence="All four victims were taken to hospital with serious injuries."),
        figure(1, "killed", 1, 1, "Darryl Freeman", start=120, sentence="Darryl Freeman died Saturday.", singular=True, one="name"),
    )
    assert toll(ledger) == (1, 3)


def test_wounded_told_with_the_dead_in_one_sentence_are_the_others():
    # "One man was killed and four others wounded ... Four people were shot in all"
    said = "One man was killed and four others were wounded."
    ledger = one_article(
        figure(1, "killed", 1, 1, "man", start=0, sentence=said),
        figure(1, "injured", 4, 4, "others", start=10, sentence=said),
        figure(1, "shot", 4, 4, "people", start=80, sentence="Four people were shot in all."),
    )
    assert toll(ledger) == (1, 4)


# --- who the shot are ------------------------------------------------------------------------------------------


def test_others_shot_beside_the_dead_are_all_wounded():
    said = "One man was killed and six others were shot at the market."
    ledger = one_article(
        figure(1, "killed", 1, 1, "man", start=0, sentence=said), figure(1, "shot", 6, 6, "others", start=20, sentence=said)
    )
    assert toll(ledger) == (1, 6)


def test_another_shot_beside_the_dead_is_wounded():
    # a headline "Man Charged With Killing 3 Villagers, Shooting Another": the one shot is not among the dead
    title = "Man Charged With Killing 3 Villagers, Shooting Another"
    ledger = one_article(
        figure(1, "killed", 3, 3, "Villagers", in_title=True, sentence=title),
        figure(1, "shot", 1, 1, "another", start=40, in_title=True, sentence=title, one="new"),
    )
    assert toll(ledger) == (3, 1)


def test_the_one_joined_to_the_others_is_one_of_the_shot():
    # "A fisherman died after he and four others were shot at the pier": five shot, one dead, four wounded
    said = "A fisherman died on Tuesday after he and four others were shot at the pier."
    ledger = one_article(
        figure(1, "killed", 1, 1, "fisherman", start=0, sentence=said, one="indefinite"),
        figure(1, "shot", 4, 4, "others", start=40, sentence=said),
    )
    assert toll(ledger) == (1, 4)
    said = "Police said Lena Moss and three other people had been shot near the market; Moss died."
    ledger = one_article(
        figure(1, "killed", 1, 1, "Moss", start=70, sentence=said, singular=True, one="name"),
        figure(1, "shot", 3, 3, "other people", start=12, sentence=said),
    )
    assert toll(ledger) == (1, 3)
    said = "The fisherman said he and four others were shot at the pier; all are expected to survive."
    ledger = one_article(figure(1, "shot", 4, 4, "others", start=20, sentence=said))
    assert toll(ledger) == (0, 5)


def test_others_shot_beside_an_unrelated_pair_are_not_summed():
    # "Young and the other man opened fire, killing one and wounding two others": the two are the wounded
    said = "Young and the other man opened fire, killing one man and shooting two others."
    ledger = one_article(
        figure(1, "killed", 1, 1, "man", start=40, sentence=said), figure(1, "shot", 2, 2, "others", start=60, sentence=said)
    )
    assert toll(ledger) == (1, 2)


def test_the_other_one_of_two_is_the_dead_one():
    # "Police believe one twin accidentally shot the other" ... "the boy died"
    ledger = one_article(
        figure(1, "killed", 1, 1, "2-year-old", in_title=True),
        figure(1, "shot", 1, 1, "other", start=60, sentence="Police believe one twin accidentally shot the other.", one="definite"),
    )
    assert toll(ledger) == (1, 0)


def test_a_list_of_people_shot_outweighs_one_wounded_person():
    # "the accidental shooting of his daughter and her mother ... officers found an injured 4-year-old girl"
    ledger = one_article(
        figure(1, "shot", 2, 2, "his daughter and her mother", start=0, listed=True, list=True),
        figure(1, "injured", 1, 1, "4-year-old girl", start=90),
    )
    assert toll(ledger) == (0, 2)


def test_one_wounded_person_beside_a_list_with_a_dead_one_stays():
    ledger = one_article(
        figure(1, "shot", 2, 2, "his daughter and her mother", start=0, list=True),
        figure(1, "killed", 1, 1, "her mother", start=60, singular=True, one="definite"),
        figure(1, "injured", 1, 1, "4-year-old girl", start=90),
    )
    assert toll(ledger) == (1, 1)


def test_a_count_of_the_hurt_gains_no_attacker_told_apart():
    # "3 dead, 2 hurt in shooting spree" ... "the attacker was shot and wounded by a relative"
    ledger = one_article(
        figure(1, "killed", 3, 3, None, start=0, in_title=True),
        figure(1, "injured", 2, 2, None, start=10, in_title=True),
        figure(1, "injured", 1, 1, "The attacker", start=200, sentence="The attacker was shot and wounded.", singular=True, one="definite"),
    )
    assert toll(ledger) == (3, 2)


# --- dates without a day ---------------------------------------------------------------------------------------


def test_a_month_or_a_year_alone_dates_a_sentence():
    when = datetime(2019, 5, 9)
    assert [d.strftime("%Y-%m-%d") for d, _ in sentence_dates("The blast in August 2018 hurt six workers.", when)] == ["2018-08-31"]
    assert [d.strftime("%Y-%m-%d") for d, _ in sentence_dates("In 2011, a flood killed 12.", when)] == ["2011-12-31"]
    assert sentence_dates("The 2018-19 season ended.", when) == []


def test_a_month_alone_is_the_last_one_before_the_report():
    when = datetime(2019, 6, 26)
    assert [d.strftime("%Y-%m-%d") for d, _ in sentence_dates("During one week in April, four boys drowned.", when)] == ["2019-04-30"]
    assert [d.strftime("%Y-%m-%d") for d, _ in sentence_dates("In June, a flood killed 12.", when)] == ["2019-06-30"]
    in_january = datetime(2020, 1, 10)
    assert [d.strftime("%Y-%m-%d") for d, _ in sentence_dates("Last December a blast hurt six.", in_january)] == ["2019-12-31"]
    # a month with its day or year is read as before, once; "may" as a verb is no month
    assert [d.strftime("%Y-%m-%d") for d, _ in sentence_dates("In April 2017, a fire killed two.", when)] == ["2017-04-30"]
    assert sentence_dates("Officials said more people may be hurt in the storm.", when) == []


def test_a_figure_dated_by_a_bare_month_before_the_event_is_another_incident():
    articles = [article(1, "2019-06-26T10:00:00", "a.example")]
    claims = [
        figure(1, "killed", 1, 1, "boy", start=0, in_title=True, sentence="Boy killed by falling tree"),
        figure(
            1,
            "shot",
            4,
            None,
            "children",
            start=90,
            hedge="at least",
            sentence="During one week in April, at least four children shot themselves.",
        ),
    ]
    ledger = build_ledger(articles, claims)
    assert toll(ledger) == (1, 0)
    assert [c["why"] for c in ledger["context_figures"]] == ["earlier"]


def test_a_figure_dated_by_month_before_the_event_is_another_incident():
    articles = [article(1, "2019-03-12T10:00:00", "a.example")]
    claims = [
        figure(1, "injured", 4, 4, "workers", start=0, sentence="Four workers were injured in the fire on Tuesday."),
        figure(1, "injured", 6, 6, "people", start=90, sentence="In August 2018, a blast at the same plant injured six people."),
    ]
    ledger = build_ledger(articles, claims)
    assert toll(ledger) == (0, 4)
    assert [c["why"] for c in ledger["context_figures"]] == ["earlier"]


def test_the_events_own_month_is_no_other_incident():
    articles = [article(1, "2019-03-12T10:00:00", "a.example"), article(2, "2019-04-20T10:00:00", "b.example")]
    claims = [
        figure(1, "injured", 4, 4, "workers", start=0, sentence="Four workers were injured in the fire."),
        figure(2, "injured", 4, 4, "workers", start=0, sentence="The fire in March 2019 injured four workers, the court heard."),
    ]
    ledger = build_ledger(articles, claims)
    assert toll(ledger) == (0, 4)
    assert ledger["context_figures"] == []


# --- the extractors ------------------------------------------------------------------------------------------------


def test_both_counts_two_people():
    assert figures("Both suffered minor injuries.") == [("injured", 2, 2)]
    assert figures("Both Rahman and the driver were injured in the crash.") == [("injured", 2, 2)]
    assert figures("Both died at the scene.") == [("killed", 2, 2)]


def test_both_of_things_and_one_person_are_no_two_people():
    assert figures("Both sides suffered heavy losses.") == []
    assert figures("Rahman suffered minor injuries.") == [("injured", 1, 1)]


def test_gunshot_victims_are_shot():
    assert figures("Two other gunshot victims arrived at the hospital by car.") == [("shot", 2, 2)]
    assert figures("Police found three gunshot victims.") == [("shot", 3, 3)]


def test_a_number_raised_later_replaces_the_first():
    said = "Officials first reported that four passengers were injured; that number was later raised to five."
    assert figures(said) == [("injured", 5, 5)]
    assert figures("Officials said 12 people died, but the number was later revised to 10.") == [("killed", 10, 10)]


def test_a_number_of_other_things_raised_is_no_casualty():
    assert figures("The number of buses on the route was raised to five.") == []


# --- a report that tells the wound and then the death of it ------------------------------------------------


def mall(update: str) -> dict:
    articles = [
        article(1, "2016-08-15T20:00:00", "a.example", "Man shot in parked car at mall"),
        article(2, "2016-08-16T09:00:00", "b.example", "Police: Teen shot in head at mall"),
        article(3, "2016-08-16T15:00:00", "c.example", "17-year-old dies in shooting at mall"),
    ]
    claims = [
        figure(1, "shot", 1, 1, "Man", in_title=True, one="name"),
        figure(1, "injured", 1, 1, "man", start=80, singular=True, one="definite"),  # "The man was taken to hospital"
        figure(2, "shot", 1, 1, "Teen", in_title=True, one="name"),
        figure(2, "injured", 1, 1, "person", start=10),  # "One person is in the hospital after being shot"
        figure(2, "killed", 1, 1, "the teen", start=300, sentence=update, singular=True, one="definite"),
        figure(3, "killed", 1, 1, "17-year-old", in_title=True),
    ]
    return build_ledger(articles, claims)


def test_a_report_that_tells_the_wounded_died_of_the_wounds_counts_no_wounded():
    assert toll(mall("UPDATE: Police say the teen has died from his wounds")) == (1, 0)


def test_a_death_told_otherwise_beside_the_wound_keeps_the_wounded():
    assert toll(mall("A teen was killed in a crash on the same road last night")) == (1, 1)


def test_a_named_wounded_person_and_the_pronoun_that_died_after_are_one_person():
    ledger = one_article(
        # "Bobo was in critical condition when he was taken to the regional medical center ... He was pronounced dead"
        figure(1, "injured", 1, 1, "Bobo", start=100, singular=True, one="name", severity=True),
        figure(1, "killed", 1, 1, "He", start=260, singular=True, one="pronoun"),
        title="Man dies in accidental shooting",
    )
    assert toll(ledger) == (1, 0)


def test_a_pronoun_that_died_before_the_named_wounded_person_is_another():
    ledger = one_article(
        figure(1, "killed", 1, 1, "He", start=100, singular=True, one="pronoun"),  # "He was pronounced dead at the scene"
        figure(1, "injured", 1, 1, "Bobo", start=260, singular=True, one="name"),  # "Bobo was taken to hospital"
    )
    assert toll(ledger) == (1, 1)


def test_no_injuries_reported_beside_a_person_hurt_is_no_toll_of_the_article():
    ledger = one_article(
        figure(1, "killed", 1, 1, "17-year-old girl", in_title=True),  # "17-year-old girl killed in Henderson shooting"
        # "Another resident, Elijah Roberts, 18, was also shot and is being treated at St. Mary's"
        figure(1, "injured", 1, 1, "Elijah Roberts", start=300, singular=True, one="name", survived=True),
        figure(1, "injured", 0, 0, None, start=600),  # "No injuries were reported." (of something else on the page)
    )
    assert toll(ledger) == (1, 1)


def test_no_injuries_reported_with_no_one_hurt_named_is_the_toll():
    ledger = one_article(
        figure(1, "killed", 1, 1, "man", in_title=True),
        figure(1, "injured", 0, 0, None, start=600),  # "No other injuries were reported."
    )
    assert toll(ledger) == (1, 0)


def test_a_title_of_one_person_gives_way_to_the_people_its_lead_adds_up():
    ledger = one_article(
        figure(1, "shot", 1, 1, "7-year-old girl", in_title=True, headline=True),  # "7-year-old girl shot during memorial"
        # "Jamia Barnes was shot in the wrist, and a 40-year-old woman was also wounded"
        figure(1, "shot", 2, 2, "Jamia Barnes", start=120, summed=True),
    )
    assert toll(ledger) == (0, 2)
