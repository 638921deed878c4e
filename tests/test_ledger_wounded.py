"""The event ledger's headline when the wounded die later, and parties of families (issue 14).

Every record here is made up for the test (a bus crash, a flood, a shooting), not taken from the data."""

from __future__ import annotations

import pytest

from claimwire.ledger import build_ledger
from claimwire.parties import Mention, describe, resolve_parties
from tests.claimhelp import figure


def article(article_id: int, when: str, outlet: str | None = None) -> dict:
    return {"id": article_id, "title": f"article {article_id}", "outlet": outlet, "published": when, "arrived": when}


def toll(ledger: dict) -> tuple[float, float]:
    head = ledger["headline"]
    return head.get("killed", {}).get("value", 0), head.get("injured", {}).get("value", 0)


def test_a_wounded_child_who_dies_the_next_day_is_dead_not_wounded():
    articles = [
        article(1, "2016-05-03T18:00:00", "a.example"),
        article(2, "2016-05-03T20:00:00", "b.example"),
        article(3, "2016-05-04T09:00:00", "c.example"),
    ]
    claims = [
        figure(1, "shot", 1, 1, "a 2-year-old boy", in_title=True, one="indefinite"),
        figure(2, "injured", 1, 1, "a 2-year-old", in_title=True, severity=True, one="indefinite"),
        figure(3, "killed", 1, 1, "2-year-old", in_title=True, headline=True),
    ]
    assert toll(build_ledger(articles, claims)) == (1, 0)


def test_a_death_the_wounded_reports_already_knew_leaves_the_wounded():
    articles = [article(1, "2016-05-03T18:00:00", "a.example"), article(2, "2016-05-04T09:00:00", "b.example")]
    claims = [
        figure(1, "killed", 1, 1, "people", start=0, in_title=True),
        figure(1, "injured", 3, 3, "others", start=10, in_title=True),
        figure(2, "killed", 1, 1, "man", start=0, in_title=True),
    ]
    assert toll(build_ledger(articles, claims)) == (1, 3)


def test_one_later_death_among_many_wounded_does_not_empty_the_wounded():
    # "four hurt in a bus crash" ... next day "one dead": a part of the wounded, or another case; the wounded stay
    articles = [article(1, "2016-05-03T18:00:00", "a.example"), article(2, "2016-05-04T09:00:00", "b.example")]
    claims = [figure(1, "injured", 4, 4, "people", in_title=True), figure(2, "killed", 1, 1, "passenger", in_title=True, headline=True)]
    assert toll(build_ledger(articles, claims)) == (1, 4)


def test_the_dead_told_before_the_wounded_are_not_taken_from_them():
    articles = [article(1, "2016-05-03T18:00:00", "a.example"), article(2, "2016-05-04T09:00:00", "b.example")]
    claims = [figure(1, "killed", 1, 1, "a farmer", in_title=True), figure(2, "injured", 1, 1, "his son", in_title=True)]
    assert toll(build_ledger(articles, claims)) == (1, 1)


def test_a_soldier_and_his_daughter_are_no_war():
    group = "an Army soldier and his 11-year-old daughter"
    assert describe(group).modifier is None
    resolution = resolve_parties([Mention(group, "killed", f"{group} were found dead.", 1, None, False)])
    assert not resolution.war


def test_an_article_that_tells_the_gunman_killed_apart_adds_him_to_its_victims():
    articles = [article(1, "2016-07-17T12:00:00", "a.example")]
    claims = [
        figure(1, "killed", 3, 3, "police officers", start=0, in_title=True),
        figure(1, "killed", 1, 1, "the gunman", start=120, sentence="The gunman was killed by police.", singular=True),
        figure(1, "injured", 3, 3, "others", start=200),
    ]
    assert toll(build_ledger(articles, claims)) == (4, 3)


def test_an_attacker_who_killed_himself_told_apart_is_added_to_his_victims():
    # "Third victim dies after depot attack" ... "the attacker then drove home and killed himself" -> 4
    articles = [article(1, "2016-07-17T12:00:00", "a.example")]
    claims = [
        figure(1, "killed", 3, 3, "victim", start=0, sentence="Third victim dies after depot attack", in_title=True),
        figure(
            1, "killed", 1, 1, "himself", start=300, sentence="Afterward, he drove home and killed himself.", singular=True, one="pronoun"
        ),
    ]
    assert toll(build_ledger(articles, claims))[0] == 4


def test_an_attacker_who_took_his_own_life_is_added_like_one_who_killed_himself():
    articles = [article(1, "2016-07-17T12:00:00", "a.example")]
    claims = [
        figure(1, "killed", 2, 2, "hostages", start=0, sentence="Two hostages killed in bank siege", in_title=True),
        figure(1, "killed", 1, 1, "himself", start=300, sentence="The robber then took his own life.", singular=True, one="pronoun"),
    ]
    assert toll(build_ledger(articles, claims))[0] == 3


def test_himself_counted_in_the_lead_already_is_not_added_again():
    articles = [article(1, "2016-07-17T12:00:00", "a.example")]
    claims = [
        figure(1, "killed", 4, 4, "people", start=0, sentence="Four people died, including the gunman, who killed himself."),
        figure(1, "killed", 1, 1, "himself", start=300, sentence="The gunman then killed himself.", singular=True, one="pronoun"),
    ]
    assert toll(build_ledger(articles, claims))[0] == 4
    # a pronoun that is no suicide ("he blamed himself") counts nobody more
    claims[1] = figure(1, "killed", 1, 1, "himself", start=300, sentence="Rescuers said the driver was killed.", singular=True)
    claims[0]["sentence"] = "Four people died when the bus overturned."
    assert toll(build_ledger(articles, claims))[0] == 4


def test_victims_counted_with_the_gunman_already_are_not_added_to():
    articles = [article(1, "2016-07-17T12:00:00", "a.example")]
    claims = [
        figure(1, "killed", 6, 6, "people", start=0, sentence="Six people were killed, including the suspect."),
        figure(1, "killed", 1, 1, "the suspect", start=120, sentence="The suspect was killed by police.", singular=True),
    ]
    assert toll(build_ledger(articles, claims))[0] == 6


def flood_day_one() -> tuple[list[dict], list[dict]]:
    """Two outlets on the first day of a flood: 12 people hurt, no one dead."""
    articles = [article(1, "2017-06-12T08:00:00", "a.example"), article(2, "2017-06-12T09:00:00", "b.example")]
    claims = [figure(1, "injured", 12, 12, "people", in_title=True), figure(2, "injured", 12, 12, "villagers", in_title=True)]
    return articles, claims


def test_fewer_wounded_and_as_many_more_dead_later_is_the_wounded_dying_not_a_dispute():
    # "12 injured" (two outlets) ... three days later "two of the injured have died: 2 dead, 10 injured" (one outlet)
    articles, claims = flood_day_one()
    articles.append(article(3, "2017-06-15T10:00:00", "c.example"))
    claims += [figure(3, "killed", 2, 2, "people", start=0, in_title=True), figure(3, "injured", 10, 10, "others", start=20, in_title=True)]
    ledger = build_ledger(articles, claims)
    assert toll(ledger) == (2, 10)
    assert not ledger["headline"]["injured"]["disputed"]


def test_fewer_wounded_later_without_more_dead_does_not_overturn_more_sources():
    articles, claims = flood_day_one()
    articles.append(article(3, "2017-06-15T10:00:00", "c.example"))
    claims.append(figure(3, "injured", 10, 10, "people", in_title=True))
    assert toll(build_ledger(articles, claims)) == (0, 12)


def test_fewer_wounded_later_by_more_than_the_new_dead_is_not_the_wounded_dying():
    articles, claims = flood_day_one()
    articles.append(article(3, "2017-06-15T10:00:00", "c.example"))
    claims += [figure(3, "killed", 1, 1, "people", start=0, in_title=True), figure(3, "injured", 8, 8, "others", start=20, in_title=True)]
    assert toll(build_ledger(articles, claims)) == (1, 12)


def one_article(*claims: dict) -> dict:
    return build_ledger([article(1, "2018-03-02T10:00:00", "a.example")], list(claims))


def test_the_wound_of_the_one_dead_man_is_not_another_wounded():
    # "A climber died after a fall near Chamonix ... He suffered head injuries ... he was pronounced dead"
    ledger = one_article(
        figure(1, "killed", 1, 1, "climber", start=0, one="indefinite"),
        figure(1, "injured", 1, 1, "He", start=60, singular=True, one="pronoun"),
        figure(1, "killed", 1, 1, "he", start=120, singular=True, one="pronoun"),
    )
    assert toll(ledger) == (1, 0)


def test_the_named_dead_woman_earlier_reported_hurt_is_dead_only():
    ledger = one_article(
        figure(1, "injured", 1, 1, "Okafor", start=0, singular=True, one="name", severity=True),
        figure(1, "killed", 1, 1, "Amara Okafor", start=80, singular=True, one="name"),
    )
    assert toll(ledger) == (1, 0)


def test_the_child_wounded_and_a_child_dead_are_one_child():
    ledger = one_article(
        figure(1, "killed", 1, 1, "a 4-year-old child", start=0, one="indefinite"),
        figure(1, "injured", 1, 1, "the child", start=90, singular=True, one="definite", severity=True),
    )
    assert toll(ledger) == (1, 0)


@pytest.mark.parametrize(
    "wounded",
    [
        {"group": "his wife", "one": "definite"},  # another person
        {"group": "she", "one": "pronoun"},  # not the dead man
        {"group": "the other passenger", "one": "definite"},
        {"group": "Tom Reyes", "one": "name"},  # the dead is John Reyes
    ],
)
def test_a_wounded_person_other_than_the_dead_one_stays_wounded(wounded):
    ledger = one_article(
        figure(1, "killed", 1, 1, "John Reyes", start=0, singular=True, one="name"),
        figure(1, "killed", 1, 1, "he", start=50, singular=True, one="pronoun"),
        figure(1, "injured", 1, 1, wounded["group"], start=90, singular=True, one=wounded["one"]),
    )
    assert toll(ledger) == (1, 1)


def test_with_two_dead_a_wounded_he_is_not_taken_for_one_of_them():
    ledger = one_article(
        figure(1, "killed", 2, 2, "men", start=0),
        figure(1, "killed", 1, 1, "he", start=50, singular=True, one="pronoun"),
        figure(1, "injured", 1, 1, "he", start=90, singular=True, one="pronoun"),
    )
    assert toll(ledger) == (2, 1)


def test_a_figure_dated_weeks_before_the_event_is_another_incident():
    # a fire on 12 March; an article about it recalls a blast "on Jan. 9" that killed two workers
    articles = [article(1, "2019-03-12T10:00:00", "a.example")]
    ledger = build_ledger(
        articles,
        [
            figure(1, "injured", 4, 4, "workers", start=0, sentence="Four workers were injured in the fire on Tuesday."),
            figure(
                1, "killed", 2, 2, "workers", start=90, sentence="A blast at the same plant killed two workers on Jan. 9, officials said."
            ),
        ],
    )
    assert toll(ledger) == (0, 4)
    assert [c["why"] for c in ledger["context_figures"]] == ["earlier"]


def test_a_date_that_opens_its_sentence_dates_a_figure_told_far_from_it():
    # "On Nov. 5, 2009, a bomber ... killing 13": the date is far from "people" but dates the whole sentence
    articles = [article(1, "2014-04-03T10:00:00", "a.example")]
    long_sentence = (
        "On Nov. 5, 2009, a bomber who had hidden explosives inside a delivery van near the central market of the old town "
        "detonated them, killing 13 people."
    )
    claims = [
        figure(1, "killed", 3, 3, "people", start=0, sentence="A car bomb killed three people at the market on Thursday."),
        figure(1, "killed", 13, 13, "people", start=90, sentence=long_sentence),
    ]
    ledger = build_ledger(articles, claims)
    assert toll(ledger) == (3, 0)
    assert [c["why"] for c in ledger["context_figures"]] == ["earlier"]
    # a date inside the sentence, far from the figure, still dates nothing
    claims[1] = figure(1, "killed", 13, 13, "people", start=90, sentence="A car bomb, the worst since a Nov. 5, 2009 attack on "
                       "the same crowded market by a militant group that police across the region have tracked for many years, "
                       "killed 13 people on Thursday.")  # fmt: skip
    claims[0]["sentence"] = "Three people were killed at the market."
    assert build_ledger(articles, claims)["context_figures"] == []


def test_the_events_own_date_told_later_is_no_other_incident():
    # a trial report a month on names the day of the blast it is about
    articles = [article(1, "2019-03-12T10:00:00", "a.example"), article(2, "2019-04-20T10:00:00", "b.example")]
    claims = [
        figure(1, "killed", 2, 2, "workers", start=0, sentence="Two workers were killed in the blast."),
        figure(2, "killed", 2, 2, "workers", start=0, sentence="The March 11 blast killed two workers, the court heard."),
    ]
    ledger = build_ledger(articles, claims)
    assert toll(ledger) == (2, 0)
    assert ledger["context_figures"] == []


def test_an_event_first_reported_late_keeps_its_dated_figures():
    # the only report, weeks on: "died Sunday, Dec. 18"
    ledger = build_ledger(
        [article(1, "2017-01-03T10:00:00", "a.example")],
        [
            figure(
                1,
                "killed",
                1,
                1,
                "Jesus Rios",
                sentence="Jesus Rios, 17, died Sunday, Dec. 18, after being shot.",
                singular=True,
                one="name",
            )
        ],
    )
    assert toll(ledger) == (1, 0)


def test_a_headline_that_names_the_events_date_dates_the_event():
    # reported first at the verdict, months on; another article on the case tells the toll undated
    dated = "A man accused in a May 25 shooting that killed one and injured three others entered a plea."
    articles = [
        {**article(1, "2014-11-18T10:00:00", "a.example"), "title": "Man found guilty in May 25 fatal shooting"},
        article(2, "2014-11-19T10:00:00", "b.example"),
    ]
    claims = [
        figure(1, "killed", 1, 1, None, start=0, sentence=dated),
        figure(1, "injured", 3, 3, "others", start=10, sentence=dated),
        figure(2, "killed", 1, 1, "man", start=0, sentence="The man was killed outside a bar.", one="definite"),
    ]
    assert toll(build_ledger(articles, claims)) == (1, 3)


def test_a_wounded_he_and_a_dead_boy_are_one_boy():
    ledger = one_article(
        figure(1, "killed", 1, 1, "The boy", start=0, singular=True, one="definite"),
        figure(1, "injured", 1, 1, "he", start=60, singular=True, one="pronoun"),
    )
    assert toll(ledger) == (1, 0)


def test_a_wounded_she_beside_a_dead_man_is_another_person():
    ledger = one_article(
        figure(1, "killed", 1, 1, "the man", start=0, singular=True, one="definite"),
        figure(1, "injured", 1, 1, "she", start=60, singular=True, one="pronoun"),
    )
    assert toll(ledger) == (1, 1)


def test_a_person_also_killed_beside_the_one_an_article_leads_with_is_added():
    # "Teacher killed in crossfire" ... "Ann Lee, 15, was also killed in the shooting": two dead
    articles = [article(1, "2017-04-01T12:00:00", "a.example"), article(2, "2017-04-01T15:00:00", "b.example")]
    claims = [
        figure(1, "killed", 1, 1, "Teacher", start=0, in_title=True, headline=True, one="name"),
        figure(
            1, "killed", 1, 1, "Ann Lee", start=150, sentence="Ann Lee, 15, was also killed in the shooting.", singular=True, one="name"
        ),
        figure(2, "killed", 1, 1, "teacher", start=0, in_title=True, headline=True, one="name"),
        figure(2, "killed", 1, 1, "Omar Haddad", start=90, sentence="Omar Haddad, 52, died at the scene.", singular=True, one="name"),
    ]
    assert toll(build_ledger(articles, claims))[0] == 2


def test_a_gunman_also_killed_is_counted_once():
    articles = [article(1, "2017-04-01T12:00:00", "a.example")]
    claims = [
        figure(1, "killed", 1, 1, "man", start=0, in_title=True, one="indefinite"),
        figure(1, "killed", 1, 1, "the gunman", start=120, sentence="The gunman was also killed by police.", singular=True),
    ]
    assert toll(build_ledger(articles, claims))[0] == 2


def test_also_killed_beside_a_count_of_several_adds_no_one():
    # "two brothers were killed ... his brother was also killed": the count already holds him
    articles = [article(1, "2017-04-01T12:00:00", "a.example")]
    claims = [
        figure(1, "killed", 2, 2, "brothers", start=0, in_title=True),
        figure(1, "killed", 1, 1, "his brother", start=120, sentence="His brother was also killed.", singular=True, one="definite"),
    ]
    assert toll(build_ledger(articles, claims))[0] == 2


def test_a_person_also_hurt_beside_the_one_an_article_leads_with_is_added():
    # "Fisherman hurt as flood sweeps village" ... "His neighbour was also injured": two hurt
    articles = [article(1, "2019-07-12T08:00:00", "a.example")]
    claims = [
        figure(1, "injured", 1, 1, "Fisherman", start=0, in_title=True, headline=True, one="indefinite"),
        figure(1, "injured", 1, 1, "His neighbour", start=140, sentence="His neighbour was also injured.", singular=True, one="definite"),
    ]
    assert toll(build_ledger(articles, claims))[1] == 2


def test_a_person_also_shot_beside_the_one_an_article_leads_with_is_added():
    articles = [article(1, "2019-07-12T08:00:00", "a.example")]
    claims = [
        figure(1, "shot", 1, 1, "man", start=0, in_title=True, headline=True, one="indefinite"),
        figure(1, "shot", 1, 1, "A teenager", start=120, sentence="A teenager was also shot in the leg.", singular=True, one="indefinite"),
    ]
    ledger = build_ledger(articles, claims)
    shot = next(r for r in ledger["scene"] or ledger["rows"] if r["measure"] == "shot")
    assert shot["headline"]["anchor"] == 2


def test_also_hurt_beside_a_count_of_several_adds_no_one():
    # "three injured in bus crash ... the driver was also injured": the count may already hold him
    articles = [article(1, "2019-07-12T08:00:00", "a.example")]
    claims = [
        figure(1, "injured", 3, 3, "passengers", start=0, in_title=True),
        figure(1, "injured", 1, 1, "the driver", start=120, sentence="The driver was also injured.", singular=True, one="definite"),
    ]
    assert toll(build_ledger(articles, claims))[1] == 3


def test_a_person_also_shot_dead_is_no_one_more_shot():
    articles = [article(1, "2019-07-12T08:00:00", "a.example")]
    claims = [
        figure(1, "shot", 1, 1, "man", start=0, in_title=True, headline=True, one="indefinite"),
        figure(1, "shot", 1, 1, "A woman", start=120, sentence="A woman was also shot dead.", singular=True, one="indefinite"),
    ]
    ledger = build_ledger(articles, claims)
    shot = next(r for r in ledger["scene"] or ledger["rows"] if r["measure"] == "shot")
    assert shot["headline"]["anchor"] == 1


def test_a_new_person_also_hurt_beside_a_count_of_several_is_added():
    # "Three villagers injured as floodwall gives way ... A child was also injured": four hurt
    articles = [article(1, "2019-07-12T08:00:00", "a.example")]
    claims = [
        figure(1, "injured", 3, 3, "villagers", start=0, in_title=True),
        figure(1, "injured", 1, 1, "child", start=140, sentence="A child was also injured.", one="indefinite"),
    ]
    assert toll(build_ledger(articles, claims))[1] == 4


def test_a_person_numbered_past_the_count_is_added_and_one_numbered_within_it_is_not():
    # "Two hurt in Athens blast ... A third man was wounded by glass" -> 3; "the third victim" of three -> 3
    articles = [article(1, "2019-07-12T08:00:00", "a.example")]
    past = [
        figure(1, "injured", 2, 2, None, start=0, in_title=True),
        figure(1, "injured", 1, 1, "third man", start=140, sentence="A third man was wounded by glass.", one="indefinite"),
    ]
    assert toll(build_ledger(articles, past))[1] == 3
    within = [
        figure(1, "injured", 3, 3, "people", start=0, in_title=True),
        figure(1, "injured", 1, 1, "third victim", start=140, sentence="A third victim was wounded by glass.", one="indefinite"),
        figure(1, "injured", 1, 1, "The fourth victim", start=200, sentence="The fourth victim was hurt.", singular=True, one="definite"),
    ]
    assert toll(build_ledger(articles, within))[1] == 3


def test_a_person_also_shot_adds_to_a_wounded_count_of_several():
    # "Two officers wounded in standoff ... A bystander was also shot" -> 3 hurt
    articles = [article(1, "2019-07-12T08:00:00", "a.example")]
    claims = [
        figure(1, "injured", 2, 2, "officers", start=0, in_title=True),
        figure(1, "shot", 1, 1, "bystander", start=140, sentence="A bystander was also shot in the arm.", one="indefinite"),
    ]
    assert toll(build_ledger(articles, claims))[1] == 3


def test_a_person_also_shot_is_one_of_the_articles_own_count_of_the_shot():
    # "six injured, five by gunfire ... Five people were shot ... A woman was also shot": one of the five
    articles = [article(1, "2019-07-12T08:00:00", "a.example")]
    claims = [
        figure(1, "injured", 6, 6, None, start=0, in_title=True),
        figure(1, "shot", 5, 5, "people", start=80, sentence="Five people in the group were shot."),
        figure(1, "shot", 1, 1, "woman", start=140, sentence="A 24-year-old woman was also shot.", one="indefinite"),
    ]
    assert toll(build_ledger(articles, claims))[1] == 6


def test_a_person_also_hurt_in_a_list_of_the_counted_adds_no_one():
    # "Three hurt as bus overturns. A 19-year-old was hurt in the face, and an 18-year-old was also hurt": the list
    articles = [article(1, "2019-07-12T08:00:00", "a.example")]
    claims = [
        figure(1, "injured", 3, 3, None, start=0, in_title=True),
        figure(1, "injured", 1, 1, "19-year-old", start=120, sentence="A 19-year-old was hurt in the face.", one="indefinite"),
        figure(1, "injured", 1, 1, "18-year-old", start=160, sentence="An 18-year-old was also hurt.", one="indefinite"),
    ]
    assert toll(build_ledger(articles, claims))[1] == 3
    all_told = [*claims[:2], figure(1, "injured", 1, 1, "20-year-old", start=140, sentence="A 20-year-old was hurt.", one="indefinite")]
    all_told += [figure(1, "injured", 1, 1, "21-year-old", start=150, sentence="A 21-year-old was hurt.", one="indefinite"), claims[2]]
    assert toll(build_ledger(articles, all_told))[1] == 4  # all three told, then one more


def test_a_named_or_dead_person_also_hurt_beside_a_count_of_several_adds_no_one():
    # "Two men were wounded ... Omar Haddad was also wounded" may be one of them; a man also shot who died is not hurt
    articles = [article(1, "2019-07-12T08:00:00", "a.example")]
    claims = [
        figure(1, "injured", 2, 2, "men", start=0, in_title=True),
        figure(1, "injured", 1, 1, "Omar Haddad", start=120, sentence="Omar Haddad was also wounded.", singular=True, one="name"),
        figure(1, "shot", 1, 1, "man", start=160, sentence="A man was also shot and died in hospital.", one="indefinite"),
    ]
    assert toll(build_ledger(articles, claims))[1] == 2


_FAR = 900  # past the article's lead


def test_a_death_told_far_below_a_wounded_only_headline_is_another_incident():
    # "Four injured in shooting at funeral" ... "the service was for a man killed in a crash last month"
    articles = [article(1, "2016-12-09T12:00:00", "a.example")]
    claims = [
        figure(1, "injured", 4, 4, None, start=0, sentence="Four injured in shooting at funeral", in_title=True),
        figure(1, "shot", 4, 4, "people", start=20, sentence="Four people were shot outside a funeral home."),
        figure(1, "killed", 1, 1, "Lee", start=_FAR, sentence="Lee was killed in a motorcycle crash.", singular=True, one="name"),
    ]
    assert toll(build_ledger(articles, claims)) == (0, 4)


def test_a_death_in_the_lead_below_a_wounded_headline_still_counts():
    articles = [article(1, "2016-12-09T12:00:00", "a.example")]
    claims = [
        figure(1, "injured", 4, 4, None, start=0, sentence="Four injured in shooting at party", in_title=True),
        figure(1, "killed", 2, 2, "people", start=40, sentence="Shots fired into a crowd killed two people and wounded four."),
    ]
    assert toll(build_ledger(articles, claims))[0] == 2


def test_a_headline_that_names_a_death_keeps_the_dead_told_below():
    # "boy wounded, stepfather fatally shot": the title's death words keep the body's dead
    articles = [article(1, "2016-12-09T12:00:00", "a.example")]
    claims = [
        figure(1, "injured", 1, 1, "boy", start=0, sentence="Boy wounded, stepfather fatally shot near store", in_title=True),
        figure(1, "killed", 1, 1, "Lee", start=_FAR, sentence="Lee was pronounced dead at a hospital.", singular=True, one="name"),
    ]
    assert toll(build_ledger(articles, claims))[0] == 1


def test_a_later_report_on_one_named_victim_is_a_part_of_the_earlier_count():
    # "Two hikers hurt in rockfall" ... next day "Hiker Ann Lee remains in hospital": one of the two, not a revision to 1
    articles = [article(1, "2016-05-03T18:00:00", "a.example"), article(2, "2016-05-04T09:00:00", "b.example")]
    claims = [
        figure(1, "injured", 2, 2, "hikers", in_title=True),
        figure(2, "injured", 1, 1, "Hiker Ann Lee", in_title=True, singular=True, one="name"),
    ]
    assert toll(build_ledger(articles, claims)) == (0, 2)


def test_a_later_count_of_one_wounded_still_replaces_an_equal_earlier_count():
    # "Two hurt in blast" ... next day "1 injured in blast": a count, not one person's story: the latest stands
    articles = [article(1, "2016-05-03T18:00:00", "a.example"), article(2, "2016-05-04T09:00:00", "b.example")]
    claims = [figure(1, "injured", 2, 2, "people", in_title=True), figure(2, "injured", 1, 1, None, in_title=True)]
    assert toll(build_ledger(articles, claims)) == (0, 1)


def test_one_named_victim_is_no_part_of_a_larger_count_only_derived():
    # "Girl hurt in crash" stated, beside another outlet's derived count (shot - killed): the stated one stands
    articles = [article(1, "2016-05-03T18:00:00", "a.example"), article(2, "2016-05-04T09:00:00", "b.example")]
    claims = [
        figure(1, "shot", 2, 2, "people", in_title=True),
        figure(2, "injured", 1, 1, "Girl", in_title=True, singular=True, one="name"),
    ]
    assert toll(build_ledger(articles, claims)) == (0, 1)


def test_one_victim_of_a_shooting_of_two_derived_counts_is_a_part():
    # both derived from "shot": "Girl and teen shot" ... later "shooting of 10-year-old girl"
    articles = [article(1, "2016-05-03T18:00:00", "a.example"), article(2, "2016-05-09T09:00:00", "b.example")]
    claims = [
        figure(1, "shot", 2, 2, "Girl, Teen", in_title=True, list=True),
        figure(2, "shot", 1, 1, "of 10-year-old", in_title=True, headline=True, one="definite"),
    ]
    assert toll(build_ledger(articles, claims)) == (0, 2)


def bombing(attacker_reports: int, attacker_group: str = "the bomber", attackers: int = 1) -> tuple[list[dict], list[dict]]:
    """A market bombing: five outlets count 3 dead; the first `attacker_reports` also tell the attackers' death apart."""
    articles = [article(n, f"2016-07-1{n}T12:00:00", f"{n}.example") for n in range(1, 6)]
    claims = []
    for n in range(1, 6):
        claims.append(figure(n, "killed", 3, 3, "shoppers", start=0, in_title=True))
        if n <= attacker_reports:
            sentence = f"{attacker_group.capitalize()} died in the blast."
            claims.append(figure(n, "killed", attackers, attackers, attacker_group, start=150, sentence=sentence, singular=attackers == 1))
    return articles, claims


def test_the_attackers_death_told_apart_by_several_reports_is_added_to_the_victims_toll():
    # the later reports count the victims only; the attacker's death told apart by the first three is not lost
    assert toll(build_ledger(*bombing(3)))[0] == 4


def test_one_report_of_a_dead_suspect_beside_many_of_the_victims_adds_no_one():
    assert toll(build_ledger(*bombing(1)))[0] == 3


def test_as_many_dead_suspects_as_dead_victims_may_be_the_victims():
    # "two suspects killed" beside "two dead": the dead may be the suspects (a police shooting)
    articles = [article(1, "2017-01-07T12:00:00", "a.example"), article(2, "2017-01-08T12:00:00", "b.example")]
    claims = [
        figure(1, "killed", 2, 2, "people", in_title=True),
        figure(2, "killed", 2, 2, "people", in_title=True),
        figure(2, "killed", 2, 2, "suspects", start=150, sentence="The two suspects were killed by police."),
    ]
    assert toll(build_ledger(articles, claims))[0] == 2


def wounded_reports(death_at: str, dead_articles: int = 1, wounded_only: int = 3) -> tuple[list[dict], list[dict]]:
    """A bus crash: `wounded_only` outlets say "4 injured"; `dead_articles` others also say one died."""
    articles, claims = [], []
    for n in range(1, wounded_only + 1):
        articles.append(article(n, f"2016-05-03T1{n}:00:00", f"{n}.example"))
        claims.append(figure(n, "injured", 4, 4, "passengers", in_title=True))
    for n in range(wounded_only + 1, wounded_only + dead_articles + 1):
        articles.append(article(n, death_at, f"{n}.example"))
        claims += [figure(n, "injured", 4, 4, "passengers", in_title=True), figure(n, "killed", 1, 1, "woman", start=300, one="indefinite")]
    return articles, claims


def test_a_death_one_report_tells_among_later_reports_of_the_wounded_is_no_toll():
    ledger = build_ledger(*wounded_reports("2016-05-03T10:30:00"))
    assert toll(ledger)[0] == 0
    assert ledger["headline"]["killed"]["disputed"] and ledger["headline"]["killed"]["unconfirmed"]


def test_a_death_told_after_every_report_of_the_wounded_stands():
    # the wounded may have died since
    assert toll(build_ledger(*wounded_reports("2016-05-04T09:00:00")))[0] == 1


def test_a_death_two_reports_tell_stands():
    assert toll(build_ledger(*wounded_reports("2016-05-03T10:30:00", dead_articles=2)))[0] == 1


def test_copies_of_one_report_tell_a_death_once():
    # the same headline twice (an outlet's page saved twice, a wire story run by two outlets) is one report
    articles, claims = wounded_reports("2016-05-03T10:30:00", dead_articles=2)
    for a in articles[-2:]:
        a["title"] = "Four passengers injured as bus overturns near Chittagong"
    assert toll(build_ledger(articles, claims))[0] == 0
    articles[-1]["title"] = "Bus crash near Chittagong: one dead, four hurt"
    assert toll(build_ledger(articles, claims))[0] == 1


def test_a_death_beside_one_other_report_of_the_wounded_stands():
    assert toll(build_ledger(*wounded_reports("2016-05-03T10:30:00", wounded_only=1)))[0] == 1


# --- the dead of another incident told under a wounded-only headline (issue 14) ---------------------


def _wounded_headline_with(death: str, title: str = "Four villagers shot near the market", start: int = 120) -> list[dict]:
    return [
        figure(1, "shot", 4, 4, "villagers", start=0, sentence=title, in_title=True),
        figure(1, "shot", 4, 4, "villagers", start=10, sentence="Four villagers were shot near the market on Friday."),
        figure(1, "killed", 1, 1, "man", start=start, sentence=death, one="indefinite"),
    ]


@pytest.mark.parametrize(
    "death",
    [
        "A man was shot and killed on the same street just last week.",
        "A man was killed by a bomb near the same market two weeks ago.",
        "A man was stabbed to death outside the station earlier this month.",
        "Mourners had gathered for a vigil honoring a man killed in a flood.",
        "The memorial service was for a man who died in a motorcycle crash.",
        "Neighbours had gathered to mourn the death of a man who was killed in a crash that morning.",
    ],
)
def test_a_death_told_as_before_or_mourned_under_a_wounded_headline_is_another_incident(death):
    articles = [article(1, "2016-12-09T12:00:00", "a.example")]
    assert toll(build_ledger(articles, _wounded_headline_with(death)))[0] == 0


@pytest.mark.parametrize(
    "death,title",
    [
        ("One of them, a man, died at the hospital.", "Four villagers shot near the market"),  # no cue: one of the shot
        ("A man died a week after the shooting.", "Four villagers shot near the market"),  # after it: one of the shot
        ("A man was shot and killed last week.", "Four villagers killed near the market"),  # the headline tells deaths
        ("A man was shot and killed last week.", "One dead after four villagers shot near the market"),
        ("The victim was shot and killed last week.", "Market shooting victim identified"),  # a person, not a count
    ],
)
def test_a_death_without_the_cue_or_under_a_headline_that_may_tell_it_stays(death, title):
    articles = [article(1, "2016-12-09T12:00:00", "a.example")]
    claims = _wounded_headline_with(death, title)
    if "victim identified" in title:
        claims[0] = figure(1, "shot", 1, 1, "victim", start=0, sentence=title, in_title=True, headline=True, one="definite")
    if "killed near" in title:
        claims[0] = figure(1, "killed", 4, 4, "villagers", start=0, sentence=title, in_title=True)
    assert toll(build_ledger(articles, claims))[0] >= 1


# --- the dead an article names one by one (issue 14) --------------------------------------------------


def _named(article_id: int, name: str, start: int, sentence: str) -> dict:
    return figure(article_id, "killed", 1, 1, name, start=start, sentence=sentence, singular=True, one="name")


def test_more_people_named_dead_than_the_lead_counts_is_the_articles_toll():
    # "Landslide kills villager" ... two people named dead, each in a sentence of their own
    articles = [article(1, "2017-08-14T10:00:00", "a.example")]
    claims = [
        figure(1, "killed", 1, 1, "villager", start=0, sentence="Landslide kills villager in Sylhet", in_title=True),
        _named(1, "Rahim Uddin", 80, "Rahim Uddin, 34, died when the hillside gave way."),
        _named(1, "Amina Begum", 160, "Amina Begum, 61, died later at the district hospital."),
    ]
    assert toll(build_ledger(articles, claims))[0] == 2


def test_a_list_of_dead_with_their_ages_counts_each_name():
    articles = [article(1, "2017-08-14T10:00:00", "a.example")]
    claims = [
        figure(
            1,
            "killed",
            2,
            2,
            "Nikos Pappas, 40, and Eleni Pappa, 38",
            start=0,
            sentence="The blast killed Nikos Pappas, 40, and Eleni Pappa, 38.",
            list=True,
        ),  # fmt: skip
        _named(1, "Giorgos Dimou", 120, "Giorgos Dimou, 52, was also found dead under the rubble."),
    ]
    assert toll(build_ledger(articles, claims))[0] == 3


@pytest.mark.parametrize(
    "second",
    [
        _named(1, "Dimou", 120, "Dimou died at the scene."),  # a bare surname may be one of the counted
        _named(1, "Rahim Pappas", 120, "Rahim Pappas, his brother, died with him."),  # a shared surname counts once
        _named(1, "Giorgos Dimou", 120, "Giorgos Dimou, 52, was killed in a blast at the same port last week."),  # before
        figure(
            1, "killed", 2, 2, "Family, Friends Mourn Those", start=120, sentence="Family, Friends Mourn Those Killed", list=True
        ),  # fmt: skip
    ],
)
def test_names_that_may_be_the_counted_or_another_incidents_add_no_one(second):
    articles = [article(1, "2017-08-14T10:00:00", "a.example")]
    claims = [
        figure(1, "killed", 1, 1, "worker", start=0, sentence="Port blast kills worker", in_title=True),
        _named(1, "Nikos Pappas", 60, "Nikos Pappas, 40, died at the port."),
        second,
    ]
    assert toll(build_ledger(articles, claims))[0] == 1


def test_a_later_article_that_names_one_more_dead_revises_the_toll():
    # day one: "Girl killed in shooting"; two days later the suspect, named, has died too: 2
    articles = [article(1, "2017-01-01T10:00:00", "a.example"), article(2, "2017-01-03T10:00:00", "b.example")]
    claims = [
        figure(1, "killed", 1, 1, "girl", start=0, sentence="Girl killed in shooting in Ellicott City", in_title=True),
        figure(2, "killed", 1, 1, "girl", start=0, sentence="The boy suspected of killing a girl has died.", one="indefinite"),
        _named(2, "Sam Carter", 90, "Sam Carter died at the trauma center, police said."),
        _named(2, "Lena Moss", 180, "Lena Moss, 16, died from gunshot wounds on New Year's Day."),
    ]
    assert toll(build_ledger(articles, claims))[0] == 2


def murder_suicide(victims_sentence: str, victims_group: str) -> tuple[list[dict], list[dict]]:
    """A farmhouse murder-suicide told by one article: the murder-suicide in its title, the victims counted in its
    body, and the attacker who "shot himself" after them."""
    articles = [article(1, "2019-03-02T12:00:00", "a.example")]
    claims = [
        figure(
            1,
            "killed",
            2,
            None,
            None,
            hedge="murder-suicide",
            start=20,
            sentence="Village mourns after farmhouse murder-suicide",
            in_title=True,
            self=1,
        ),
        figure(1, "killed", 3, 3, victims_group, start=300, sentence=victims_sentence, list=True),
        figure(
            1, "shot", 1, 1, "himself", start=600, sentence="He then set the barn alight and shot himself.", singular=True, one="pronoun"
        ),
    ]
    return articles, claims


def test_an_attacker_who_shot_himself_in_a_murder_suicide_is_added_to_the_ones_he_killed():
    # "killed his wife and two sons" counts his victims; the murder-suicide says the one who "shot himself" died
    articles, claims = murder_suicide("Police say the farmer killed his wife and two sons with a shotgun.", "wife")
    assert toll(build_ledger(articles, claims))[0] == 4


def test_a_count_of_everyone_dead_in_a_murder_suicide_gains_no_one():
    articles, claims = murder_suicide("Three people were found dead in the farmhouse, the farmer among them.", "people")
    assert toll(build_ledger(articles, claims))[0] == 3
    # no murder-suicide told: "shot himself" may have been survived
    articles, claims = murder_suicide("Police say the farmer killed his wife and two sons with a shotgun.", "wife")
    claims[0] = figure(1, "killed", 3, 3, "people", start=0, sentence="Three killed at farmhouse", in_title=True)
    assert toll(build_ledger(articles, claims))[0] == 3


def mountain_death(hurt: dict) -> tuple[list[dict], list[dict]]:
    """One article: "Climber dies in fall on Mont Blanc", its death told in the lead, and one person hurt far below it."""
    articles = [article(1, "2019-07-02T12:00:00", "a.example")]
    claims = [
        figure(
            1, "killed", 1, 1, "Climber", start=0, sentence="Climber dies in fall on Mont Blanc", in_title=True, headline=True, one="name"
        ),
        figure(1, "killed", 1, 1, "climber", start=40, sentence="A British climber died on Sunday after a fall.", one="indefinite"),
        hurt,
    ]
    return articles, claims


def test_one_person_hurt_far_below_a_headline_of_one_death_is_no_wounded_of_the_article():
    # the dead climber's own injuries, told again at the end of the article
    hurt = figure(
        1, "injured", 1, 1, "climber", start=900, sentence="Guides said they had never seen a climber hurt like this.", one="indefinite"
    )
    assert toll(build_ledger(*mountain_death(hurt))) == (1, 0)


def test_a_second_person_hurt_below_a_headline_of_one_death_is_counted():
    told_apart = [
        # another person ("another climber", "was also hurt")
        figure(1, "injured", 1, 1, "climber", start=900, sentence="Another climber was injured in the same fall.", one="new"),
        figure(1, "injured", 1, 1, "his guide", start=900, sentence="His guide was also injured.", one="definite"),
        # a person told as alive
        figure(
            1,
            "injured",
            1,
            1,
            "guide",
            start=900,
            sentence="A guide was injured but is recovering in hospital.",
            one="indefinite",
            survived=True,
        ),
    ]
    for hurt in told_apart:
        assert toll(build_ledger(*mountain_death(hurt))) == (1, 1)
    # the same person hurt under a headline that tells of the hurt too
    hurt = figure(
        1, "injured", 1, 1, "climber", start=900, sentence="Guides said they had never seen a climber hurt like this.", one="indefinite"
    )
    articles, claims = mountain_death(hurt)
    claims[0] = figure(1, "killed", 1, 1, "Climber", start=0, sentence="Climber dies, one hurt in fall on Mont Blanc", in_title=True)
    assert toll(build_ledger(articles, claims)) == (1, 1)


def test_a_toll_told_as_what_was_said_at_first_is_no_lead():
    # a bus crash: "officials initially said three people had died" beside the corrected count of two
    articles = [article(1, "2019-05-02T12:00:00", "a.example")]
    claims = [
        figure(1, "killed", 2, 2, "people", start=40, sentence="Two people died when a bus left the road near Sylhet."),
        figure(1, "killed", 3, 3, None, start=300, sentence="Officials initially said three passengers had died in the crash."),
        figure(1, "killed", 2, 2, "passengers", start=600, sentence="Both passengers who died were from Dhaka."),
    ]
    assert toll(build_ledger(articles, claims))[0] == 2
    # the only figure an article gives stands, however it was told
    assert toll(build_ledger(articles, claims[1:2]))[0] == 3
    # "at first light" tells when, not what was said before
    claims[1]["sentence"] = "Rescuers found three passengers dead at first light."
    assert toll(build_ledger(articles, claims))[0] == 3


def test_one_killed_and_another_shot_in_one_sentence_leave_the_one_shot_wounded():
    # "Farmer kills neighbour, shoots his son in land feud": the son is not the dead neighbour
    articles = [article(1, "2019-08-02T12:00:00", "a.example")]
    title = "Farmer kills neighbour, shoots his son in land feud"
    claims = [
        figure(1, "killed", 1, 1, "neighbour", start=13, sentence=title, in_title=True, one="definite"),
        figure(1, "shot", 1, 1, "his son", start=30, sentence=title, in_title=True, one="definite"),
    ]
    assert toll(build_ledger(articles, claims)) == (1, 1)
    # "Boy shot while hunting near Lyon dies": a place read as the dead one's name is the boy himself
    title = "Boy shot while hunting near Lyon dies"
    claims = [
        figure(1, "shot", 1, 1, "Boy", start=0, sentence=title, in_title=True, one="name", headline=True),
        figure(1, "killed", 1, 1, "Lyon", start=28, sentence=title, in_title=True, one="name", singular=True),
    ]
    assert toll(build_ledger(articles, claims)) == (1, 0)
