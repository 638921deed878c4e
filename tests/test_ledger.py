"""The event ledger: agreement (hedges, round numbers), revision (a toll that rises), dispute (sources at
odds at the same time), parties never compared across, source families, headlines; stored and shown.

Every record here is made up for the test (a flood, a bombing, a siege, a shooting), not taken from the data."""

from __future__ import annotations

import json
from typing import NamedTuple

from sqlalchemy import select

from claimwire.agreement import agree, reading
from claimwire.ledger import build_ledger
from claimwire.ledgerview import event_json, present, render_text
from claimwire.parties import Mention, describe, resolve_parties
from claimwire.sourcefamilies import SourceMention, resolve_sources
from storage.db import session_scope
from storage.models import Event
from tests.claimhelp import figure


def article(article_id: int, when: str, outlet: str | None = None) -> dict:
    return {"id": article_id, "title": f"article {article_id}", "outlet": outlet, "published": when, "arrived": when}


def row(ledger: dict, measure: str, party: str | None = None) -> dict:
    rows = [r for r in ledger["rows"] if r["measure"] == measure and (party is None or r["party"] == party)]
    assert len(rows) == 1, [r["key"] for r in ledger["rows"]]
    return rows[0]


def stories(row_: dict) -> dict[str, dict]:
    return {s["value"]: s for s in row_["stories"]}


class Toll(NamedTuple):
    """One article's toll of the dead: the article (when, outlet) and its one figure."""

    when: str
    outlet: str
    value: int
    group: str
    source: str
    sentence: str = ""


def ledger_of_tolls(*tolls: Toll) -> tuple[dict, dict]:
    """The ledger of articles 1, 2, ... each telling one toll, and its row of the dead."""
    articles = [article(number, toll.when, toll.outlet) for number, toll in enumerate(tolls, 1)]
    claims = [
        figure(number, "killed", toll.value, toll.value, toll.group, source=toll.source, sentence=toll.sentence)
        for number, toll in enumerate(tolls, 1)
    ]
    ledger = build_ledger(articles, claims)
    return ledger, row(ledger, "killed")


# ------------------------------------------------------------------------------------------ agreement


def test_hedges_and_round_numbers_decide_what_agrees():
    hundred, about, more_than, at_least_45, seven = (
        reading(100, 100, None),
        reading(90, 110, "about"),
        reading(101, None, "more than"),
        reading(45, None, "at least"),
        reading(7, 7, None),
    )
    assert agree(hundred, more_than), "'100' and 'more than 100' tell one story: 100 is a round number"
    assert agree(hundred, about) and agree(about, more_than) and agree(at_least_45, hundred)
    assert not agree(seven, hundred) and not agree(seven, at_least_45) and not agree(seven, about)
    assert agree(reading(200, 200, None), reading(210, 210, None)), "a round 200 admits 210"
    assert not agree(reading(45, 45, None), reading(47, 47, None)), "45 is not round: 45 and 47 differ"
    assert not agree(reading(10, 10, None), reading(11, 11, None)), "small numbers are counted, not rounded"


def test_one_story_for_100_about_100_more_than_100_and_at_least_45_and_a_dispute_with_7():
    articles = [article(1, "2021-03-04T10:00:00"), article(2, "2021-03-04T10:30:00"), article(3, "2021-03-04T11:00:00")]
    claims = [
        figure(1, "killed", 100, 100, "soldiers loyal to the government", start=10),
        figure(1, "killed", 45, None, "government soldiers", hedge="at least", start=90),
        figure(1, "killed", 7, 7, "government soldiers", source="a rebel commander", start=200),
        figure(2, "killed", 90, 110, "army troops", source="the defence ministry", hedge="about"),
        figure(3, "killed", 101, None, "government forces", hedge="more than"),
        figure(3, "killed", 3, 3, "rebel fighters", source="a rebel commander", start=300),
    ]
    ledger = build_ledger(articles, claims)
    killed = row(ledger, "killed", "state:?")
    told = stories(killed)
    assert set(told) == {"about 100", "7"}, told
    assert set(told["about 100"]["articles"]) == {1, 2, 3}
    assert killed["headline"]["value"] == "about 100"
    assert [told["7"]["id"]] == killed["headline"]["disputed_by"], "7 from another source at the same time: a dispute"
    rebels = row(ledger, "killed", "group:rebel")
    assert rebels["disputes"] == [] and rebels["headline"]["value"] == "3", "the rebels' own toll is another party's row"
    assert "disputed: 7 (" in ledger["headline"]["text"] and "rebel commander" in ledger["headline"]["text"]


# ------------------------------------------------------------------------------------------ revision and dispute


def test_a_flood_toll_that_rises_over_a_day_is_a_revision_not_a_dispute():
    ledger, killed = ledger_of_tolls(
        Toll("2022-06-18T06:00:00", "dhaka-daily.example", 12, "people", "police", "Police said 12 people drowned in Sylhet."),
        Toll("2022-06-18T13:00:00", "wire.example", 27, "people", "the disaster management ministry"),
        Toll("2022-06-18T21:00:00", "dhaka-daily.example", 41, "villagers", "local officials"),
    )
    assert killed["headline"]["value"] == "41" and killed["disputes"] == []
    assert [(r["direction"]) for r in killed["revisions"]] == ["raised", "raised"]
    assert [s["status"] for s in killed["stories"]] == ["revised", "revised", "current"]
    assert [e["effect"] for e in ledger["timeline"]] == ["first", "revision", "revision"]
    assert ledger["headline"]["killed"]["value"] == 41 and not ledger["headline"]["killed"]["disputed"]


def test_a_source_that_lowers_its_own_toll_later_corrects_it():
    articles = [article(1, "2022-06-18T08:00:00", "a.example"), article(2, "2022-06-19T09:00:00", "b.example")]
    claims = [
        figure(1, "killed", 50, 50, "people", source="the health ministry"),
        figure(2, "killed", 45, 45, "people", source="a health ministry spokesman"),
    ]
    killed = row(build_ledger(articles, claims), "killed")
    assert killed["headline"]["value"] == "45" and killed["disputes"] == []
    assert killed["revisions"][0]["direction"] == "lowered"


def test_two_sources_at_odds_at_the_same_time_are_a_dispute_and_the_headline_has_more_sources():
    ledger, killed = ledger_of_tolls(
        Toll(
            "2023-01-09T18:00:00",
            "athens-news.example",
            3,
            "people",
            "the fire brigade",
            "Three people died in the blast, the fire brigade said.",
        ),
        Toll("2023-01-09T18:20:00", "wire.example", 3, "people", "Greek police"),
        Toll("2023-01-09T18:40:00", "radio.example", 12, "people", "witnesses"),
    )
    told = stories(killed)
    assert killed["headline"]["value"] == "3" and [told["12"]["id"]] == killed["headline"]["disputed_by"]
    assert killed["revisions"] == [], "not later: the same hour"
    view = present({"id": 7, "headline": "Blast in Athens"}, ledger)
    assert view.rows[0].disputed and "disputed: 12 (witnesses)" in view.rows[0].headline
    assert "rescue services" in view.rows[0].headline and "police" in view.rows[0].headline


def test_a_later_lower_figure_from_another_source_is_still_a_dispute():
    articles = [article(1, "2023-01-09T10:00:00", "a.example"), article(2, "2023-01-10T10:00:00", "b.example")]
    claims = [
        figure(1, "killed", 30, 30, "people", source="the interior ministry"),
        figure(2, "killed", 8, 8, "people", source="an opposition group"),
    ]
    killed = row(build_ledger(articles, claims), "killed")
    assert killed["disputes"] and killed["revisions"] == []


def test_a_raise_told_by_one_outlet_does_not_revise_a_toll_more_sources_state():
    articles = [
        article(1, "2022-08-02T07:00:00", "a.example"),
        article(2, "2022-08-02T08:00:00", "b.example"),
        article(3, "2022-08-02T09:00:00", "c.example"),
        article(4, "2022-08-03T09:00:00", "d.example"),
    ]
    claims = [figure(n, "killed", 2, 2, "people", source=None) for n in (1, 2, 3)] + [figure(4, "killed", 9, 9, "people")]
    killed = row(build_ledger(articles, claims), "killed")
    assert killed["headline"]["value"] == "2" and killed["revisions"] == [], "three outlets' 2 stands against one outlet's 9"
    assert [stories(killed)["9"]["id"]] == killed["headline"]["disputed_by"]
    claims += [
        figure(4, "killed", 9, 9, "people", source="the district hospital", start=40),
        figure(4, "killed", 9, 9, "people", source="firefighters", start=80),
    ]
    killed = row(build_ledger(articles, claims), "killed")
    assert killed["headline"]["value"] == "9", "as many sources a day later: the toll rose"
    assert [r["direction"] for r in killed["revisions"]] == ["raised"]


def test_a_later_exact_figure_replaces_an_earlier_hedged_one():
    articles = [article(1, "2023-01-09T08:00:00", "a.example"), article(2, "2023-01-09T20:00:00", "b.example")]
    claims = [
        figure(1, "killed", 3, None, "people", hedge="at least", source="police"),
        figure(2, "killed", 4, 4, "people", source="the coroner"),
    ]
    ledger = build_ledger(articles, claims)
    killed = row(ledger, "killed")
    assert [s["value"] for s in killed["stories"]] == ["about 4"] and killed["disputes"] == []
    assert ledger["headline"]["killed"]["value"] == 4, "'at least 3' then '4': one story, told exactly as 4"


def test_background_figures_are_listed_never_counted():
    articles = [article(1, "2019-11-05T10:00:00", "athens.example")]
    claims = [
        figure(1, "injured", 2, 2, "passers-by", start=10, in_title=True, sentence="Bomb outside bank injures 2 passers-by"),
        figure(1, "killed", 24, 24, "people", start=400, background=True, sentence="A 2009 bombing in the city killed 24 people."),
        figure(1, "injured", 60, 60, "people", start=420, background=True, sentence="A 2009 bombing in the city injured 60."),
    ]
    ledger = build_ledger(articles, claims)
    assert ledger["headline"]["injured"]["value"] == 2 and "killed" not in ledger["headline"]
    assert {r["measure"] for r in ledger["rows"]} == {"injured"}
    assert sorted(c["value"] for c in ledger["context_figures"]) == ["24", "60"]
    assert {c["why"] for c in ledger["context_figures"]} == {"background"}


def test_a_person_a_known_source_describes_is_not_a_rival_count():
    articles = [article(1, "2014-07-13T09:00:00", "tv.example"), article(2, "2014-07-13T10:00:00", "paper.example")]
    claims = [
        figure(1, "killed", 3, 3, "people", start=0, in_title=True),
        figure(
            1,
            "killed",
            1,
            1,
            "individual",
            source="the police chief",
            start=300,
            one="indefinite",
            sentence="One individual was found dead in the kitchen, the police chief said.",
        ),
        figure(2, "killed", 3, 3, "people", start=0),
    ]
    killed = row(build_ledger(articles, claims), "killed")
    assert [s["value"] for s in killed["stories"]] == ["3"] and killed["disputes"] == []
    seven = [
        figure(1, "killed", 100, 100, "fighters", start=0, in_title=True),
        figure(1, "killed", 7, 7, "fighters", source="a rebel commander", start=300),
    ]
    assert row(build_ledger(articles[:1], seven), "killed")["disputes"], "a count the commander states stays his own"


def test_an_articles_lead_reads_its_title_as_main_figures_does():
    articles = [article(1, "2016-02-29T09:00:00")]
    split = [
        figure(1, "killed", 1, 1, None, start=15, in_title=True, derived_from="shot", shot=4),
        figure(1, "killed", 4, 4, "man", start=573, sentence="The fourth man died."),
    ]
    assert build_ledger(articles, split)["headline"]["killed"]["value"] == 1, "'4 shot, 1 killed' in the title leads"
    pact = [
        figure(
            1, "killed", 2, None, None, hedge=None, start=0, in_title=True, self=1, sentence="Police identify victims of murder-suicide"
        ),
        figure(1, "killed", 1, 1, "her son", start=90, one="definite"),
    ]
    assert build_ledger(articles, pact)["headline"]["killed"]["value"] == 2, "a murder-suicide counts two, not the one son named"
    listed = [
        figure(1, "killed", 1, 1, "mom", start=0, in_title=True, singular=True, one="definite"),
        figure(1, "killed", 2, 2, "a mother and her daughter", start=80, list=True),
    ]
    assert build_ledger(articles, listed)["headline"]["killed"]["value"] == 2, "'murder of mom' gives way to the two listed"
    wounded = [
        figure(1, "shot", 2, 2, "officers", start=0, in_title=True),
        figure(1, "killed", 2, 2, "suspect and bystander", start=12, in_title=True),
        figure(1, "injured", 5, 5, "officers", start=300),
    ]
    assert build_ledger(articles, wounded)["headline"]["injured"]["value"] == 5, "a derived 0 in the title does not replace 5 stated"


def test_between_two_equally_told_counts_of_the_dead_the_larger_leads_but_not_for_the_wounded():
    articles = [article(1, "2021-09-18T09:00:00", "a.example"), article(2, "2021-09-18T18:00:00", "b.example")]
    claims = [
        figure(1, "killed", 8, 8, "people"),
        figure(1, "injured", 3, 3, "people", start=30),
        figure(2, "killed", 6, 6, "grandchildren"),
        figure(2, "injured", 2, 2, "people", start=30),
    ]
    ledger = build_ledger(articles, claims)
    assert ledger["headline"]["killed"]["value"] == 8, "the dead only rise: a later 6 is a part, not the toll"
    assert ledger["headline"]["killed"]["disputed"], "yet two outlets at odds are shown"
    assert ledger["headline"]["injured"]["value"] == 2, "the wounded may die: the later count leads"


def test_within_an_article_a_later_exact_figure_replaces_a_hedged_lead_and_open_figures_tell_the_leads_story():
    articles = [article(1, "2015-05-12T22:00:00")]
    claims = [
        figure(1, "killed", 2, None, None, start=0, in_title=True, self=1, sentence="Five victims identified in apparent murder-suicide"),
        figure(1, "killed", 5, 5, "people", start=40, sentence="Police say five people died in an apparent murder-suicide."),
        figure(1, "killed", 2, None, None, start=60, self=1, sentence="Police say five people died in an apparent murder-suicide."),
        figure(
            1,
            "killed",
            4,
            4,
            "family members",
            source="detectives",
            start=200,
            sentence="Detectives say he shot and killed four of his family members before killing himself.",
        ),
    ]
    ledger = build_ledger(articles, claims)
    scene = {r["measure"]: r for r in ledger["scene"]}["killed"]
    told = stories(scene)
    assert ledger["headline"]["killed"]["value"] == 5, "'a murder-suicide' (at least 2) is stated precisely as five"
    assert "4" in told and len(told["4"]["families"]) == 1, "the open 'murder-suicide' does not lend the article to the detectives' 4"
    hedged = [figure(1, "killed", 3, None, "people", hedge="at least", start=0), figure(1, "killed", 3, 3, "people", start=90)]
    killed = row(build_ledger(articles, hedged), "killed")
    assert [f["value"] for f in killed["figures"] if f["status"] == "lead"] == ["3"], "'three people died' leads, not 'at least three'"


# ------------------------------------------------------------------------------------------ parties


def test_figures_of_different_parties_are_never_compared():
    articles = [article(1, "2020-05-01T09:00:00"), article(2, "2020-05-01T09:30:00"), article(3, "2020-05-01T09:40:00")]
    claims = [
        figure(1, "killed", 5, 5, "Houthi rebels", sentence="Five Houthi rebels and 40 Saudi-led coalition troops were killed."),
        figure(
            1, "killed", 40, 40, "Saudi-led coalition troops", sentence="Five Houthi rebels and 40 Saudi-led coalition troops were killed."
        ),
        figure(2, "killed", 6, 6, "Saudi troops"),
        figure(2, "injured", 2, 2, "civilians"),
        figure(3, "killed", 40, 40, "Saudi soldiers"),
    ]
    ledger = build_ledger(articles, claims)
    assert {r["key"] for r in ledger["rows"]} == {"killed|group:houthi", "killed|group:saudi", "injured|civilians"}
    saudi = row(ledger, "killed", "group:saudi")
    assert set(stories(saudi)) == {"40", "6"} and saudi["disputes"], "the same party: 40 against 6 is a dispute"
    assert not row(ledger, "killed", "group:houthi")["disputes"], "5 rebels are never weighed against 40 troops"
    assert ledger["headline"]["killed"]["value"] == 45, "the sides of a war add up"


def test_other_figures_conflict_only_when_they_count_the_same_party():
    articles = [article(1, "2020-05-01T09:00:00"), article(2, "2020-05-01T09:10:00"), article(3, "2020-05-01T09:20:00")]
    claims = [
        figure(1, "killed", 12, 12, "rebel fighters"),
        figure(2, "killed", 12, 12, "rebels"),
        {
            "article_id": 1,
            "kind": "figure",
            "measure": "miles",
            "value_min": 8,
            "value_max": 8,
            "group": "miles",
            "start": 50,
            "sentence": "8 miles east",
        },
        {
            "article_id": 2,
            "kind": "figure",
            "measure": "miles",
            "value_min": 5,
            "value_max": 5,
            "group": "miles",
            "start": 50,
            "sentence": "5 miles",
        },
        {
            "article_id": 3,
            "kind": "figure",
            "measure": "troops",
            "value_min": 2000,
            "value_max": 2000,
            "group": "troops",
            "start": 5,
            "sentence": "2,000 troops",
        },
        {
            "article_id": 2,
            "kind": "figure",
            "measure": "fighters",
            "value_min": 500,
            "value_max": 500,
            "group": "rebel fighters",
            "start": 9,
            "sentence": "500",
        },
        {
            "article_id": 3,
            "kind": "figure",
            "measure": "fighters",
            "value_min": 450,
            "value_max": 550,
            "hedge": "about",
            "group": "rebel fighters",
            "start": 9,
            "sentence": "about 500",
        },
    ]
    ledger = build_ledger(articles, claims)
    assert all(not entry["disputes"] for entry in ledger["other_figures"])
    rebels = next(e for e in ledger["other_figures"] if e["party"] == "group:rebel")
    assert [len(s["articles"]) for s in rebels["stories"]] == [2] and rebels["agreements"], "about 500 rebels: two articles agree"


def test_the_many_names_of_one_side_are_one_party():
    names = ["government troops", "pro-government militiamen", "forces loyal to the government", "members of the regime's forces"]
    readings = [describe(n) for n in names]
    assert {r.side for r in readings} == {"state:?"}
    assert describe("US-backed SDF fighter").side == describe("SDF fighters").side == "syrian_democratic_forces"
    assert describe("U.S.-led coalition forces").side == describe("American soldiers").side == "state:united_states"
    mentions = [
        Mention("Syrian government fighters", "killed", "a", 1, reading(30, 30, None)),
        Mention("pro-government fighters", "killed", "b", 1, reading(30, 30, None)),
        Mention("fighters", "killed", "c", 2, reading(31, 31, None)),  # no side of its own: the figures it agrees with
        Mention("Kurdish fighters", "killed", "d", 2, reading(4, 4, None)),
    ]
    assert resolve_parties(mentions).keys == ["state:syria", "state:syria", "state:syria", "group:kurdish"]


def test_in_local_crime_news_the_parties_are_roles_and_the_scene_is_counted_together():
    articles = [article(1, "2016-04-02T08:00:00", "local.example"), article(2, "2016-04-02T15:00:00", "tv.example")]
    claims = [
        figure(1, "killed", 2, 2, "a woman and her son", start=10, in_title=True),
        figure(1, "killed", 1, 1, "the gunman", start=200, sentence="The gunman was later shot dead by deputies."),
        figure(1, "injured", 1, 1, "a bystander", start=300),
        figure(2, "killed", 3, 3, "people", start=5, sentence="Three people, including the gunman, died.", in_title=True),
        figure(2, "injured", 1, 1, "an officer", start=50),
    ]
    ledger = build_ledger(articles, claims)
    parties = {r["party"] for r in ledger["rows"]}
    assert {"victims", "suspects", "bystanders", "everyone"} <= parties
    assert row(ledger, "killed", "suspects")["disputes"] == [] and row(ledger, "killed", "victims")["disputes"] == []
    scene = {r["measure"]: r for r in ledger["scene"]}
    assert scene["killed"]["headline"]["value"] in ("2", "3")
    assert ledger["headline"]["injured"]["value"] == 1


def test_a_murder_suicide_counts_the_attacker_once():
    articles = [article(1, "2017-02-01T09:00:00")]
    claims = [
        figure(1, "killed", 2, 2, "his wife", start=0, in_title=True, self=1, sentence="Man kills his wife, then himself"),
        figure(1, "injured", 1, 1, "a neighbour", start=80),
    ]
    ledger = build_ledger(articles, claims)
    assert row(ledger, "killed", "victims")["headline"]["value"] == "1"
    assert row(ledger, "killed", "suspects")["headline"]["value"] == "1"
    assert ledger["headline"]["killed"]["value"] == 2 and ledger["headline"]["injured"]["value"] == 1


# ------------------------------------------------------------------------------------------ sources


def test_sources_are_grouped_into_families():
    mentions = [
        SourceMention("the Pentagon", 1, 10, "a.example"),
        SourceMention("a US military official", 1, 50, "a.example"),
        SourceMention("the official", 1, 90, "a.example"),
        SourceMention("Col. Jane Marsh", 2, 10, "b.example", "Col. Jane Marsh, a spokeswoman for the US-led coalition, said so."),
        SourceMention("Syrian state television", 2, 60, "b.example"),
        SourceMention("the foreign ministry", 2, 90, "b.example"),
        SourceMention("a commander of the militias backing the government", 3, 5, "c.example"),
        SourceMention(None, 3, 50, "c.example"),
    ]
    keys = resolve_sources(mentions).keys
    assert keys[:4] == ["united_states/military"] * 4
    assert keys[4] == keys[5] == "syria/government"
    assert keys[6] not in keys[:6] and keys[6].endswith("/military")
    assert keys[7] == "outlet:c.example", "a figure stated without attribution is the outlet's"


def test_families_of_a_flood_and_a_bombing_come_from_generic_words():
    mentions = [
        SourceMention("police", 1, 10, "a.example"),
        SourceMention("a police spokesman", 2, 10, "b.example"),
        SourceMention("the fire service", 2, 40, "b.example"),
        SourceMention("doctors at the district hospital", 3, 10, "c.example"),
        SourceMention("the disaster management ministry", 3, 40, "c.example"),
        SourceMention("residents", 4, 10, "d.example"),
    ]
    keys = resolve_sources(mentions).keys
    assert keys == ["-/police", "-/police", "-/rescue", "-/medical", "-/government", "-/witnesses"]


# ------------------------------------------------------------------------------------------ shown


def test_the_presenter_reads_what_the_ledger_says():
    articles = [article(1, "2023-01-09T18:00:00", "a.example"), article(2, "2023-01-09T18:20:00", "b.example")]
    claims = [
        figure(1, "killed", 3, 3, "people", source="police"),
        figure(2, "killed", 12, 12, "people", source="witnesses"),
        {"article_id": 1, "kind": "quote", "source": "the mayor", "text": "A dark day for the city", "start": 40},
    ]
    ledger = build_ledger(articles, claims)
    event = {"id": 4, "headline": "Blast", "first_seen": None, "last_seen": None, "article_count": 2}
    text = render_text(present(event, ledger))
    assert "!! DISPUTED" in text and "Toll: killed" in text and "the mayor" in text and "disputes the headline" in text
    as_json = event_json(event, ledger)
    assert as_json["toll"]["killed"]["disputed"] and as_json["lead"] == ledger["headline"]["text"]
    assert json.loads(json.dumps(as_json, default=str))["ledger"]["rows"][0]["key"] == "killed|victims"


def test_the_seeds_ledger_is_stored_on_the_event_and_shown(sqlite_store, seeds_dir, capsys):
    from claimwire.ledgerview import stored_event_json as _event_view
    from claimwire.sources import iter_items
    from service.cli import main
    from service.ingest import receive_all

    list(receive_all(iter_items([str(seeds_dir)])))
    with session_scope() as session:
        [event] = session.scalars(select(Event)).all()
        stored = event.ledger  # one row read: the ledger is kept on the event
        event_id = event.id
        api_view = json.loads(json.dumps(_event_view(event), default=str))
    assert len(stored["articles"]) == 5
    killed = [r for r in stored["rows"] if r["measure"] == "killed"]
    assert len(killed) == 1, "one killed row: the pro-government side under its many names"
    assert killed[0]["headline"]["value"] == "about 100" and killed[0]["headline"]["disputed_by"]
    assert "disputed: 7" in stored["headline"]["text"]
    assert main(["event", str(event_id)]) == 0
    out = capsys.readouterr().out
    assert "about 100" in out and "disputes the headline" in out and "5 articles" in out
    assert main(["event", str(event_id), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == api_view, "the CLI and the API give the same event JSON"


# ------------------------------------------------------------------------------------------ quotes


def test_quotes_are_grouped_by_person_across_articles_and_shown_with_their_articles():
    from claimwire.extractors import extract_claims

    texts = {
        1: '"The river rose two metres in one night," said Mayor Rina Okafor of Sylhet. "We moved everyone we could."',
        2: '"The river rose two metres in one night," Okafor said on Tuesday.',
        3: 'Rina Okafor, the mayor, told reporters: "Help is on its way." A spokesman for the ministry said "no dam failed".',
    }
    claims = [{**c.to_dict(), "article_id": n} for n, t in texts.items() for c in extract_claims(t, names=["quotes"])]
    ledger = build_ledger([article(n, f"2026-07-0{n}T10:00:00") for n in texts], claims)
    okafor = [g for g in ledger["quotes"] if g["key"].startswith("person:okafor")]
    assert len(okafor) == 1, ledger["quotes"]
    entries = {q["text"]: q["articles"] for q in okafor[0]["quotes"]}
    assert entries["The river rose two metres in one night,"] == [1, 2]
    assert entries["Help is on its way."] == [3]
    assert "Okafor" in okafor[0]["speaker"] and "Rina" in okafor[0]["speaker"]
    text = render_text(present({"id": 1, "headline": "floods", "article_count": 3}, ledger))
    assert "Quotes, by speaker:" in text and "[1, 2]" in text


def _flood_tolls(rising: bool, second: int = 21) -> dict:
    """A flood's toll from two sources an hour apart: 12 (police), then SECOND (the ministry), told as a rise or not."""
    articles = [article(1, "2024-06-18T06:00:00", "dhaka-daily.example"), article(2, "2024-06-18T07:00:00", "wire.example")]
    extra = {"rising": True} if rising else {}
    claims = [
        figure(1, "killed", 12, 12, "people", source="police", sentence="Police said 12 people drowned in Sylhet."),
        figure(2, "killed", second, second, None, source="the disaster management ministry", sentence="The toll rose.", **extra),
    ]
    return row(build_ledger(articles, claims), "killed")


def test_a_toll_told_as_a_rise_revises_the_lower_one_before_it_however_close_in_time():
    killed = _flood_tolls(rising=True)
    assert killed["headline"]["value"] == "21" and killed["disputes"] == []
    assert [(s["value"], s["status"]) for s in killed["stories"]] == [("12", "revised"), ("21", "current")]


def test_without_a_rise_two_sources_an_hour_apart_are_a_dispute():
    killed = _flood_tolls(rising=False)
    assert killed["disputes"] != [] and all(s["status"] == "current" for s in killed["stories"])


def test_a_lower_toll_told_as_a_rise_revises_nothing():
    killed = _flood_tolls(rising=True, second=10)
    assert killed["disputes"] != [] and all(s["status"] == "current" for s in killed["stories"])
