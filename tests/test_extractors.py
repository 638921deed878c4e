"""Behaviour of the rule-based claim extractors: each hard pattern of issue 3."""

import pytest

from bench import shared_dir
from claimwire.claims import CASUALTY, FIGURE, QUOTE, STATEMENT
from claimwire.extractors import extract_claims, main_figures, registered

ALL = ["casualties", "figures", "quotes", "statements"]


def cas(text, title=None):
    return [c for c in extract_claims(text, title, names=["casualties"]) if c.kind == CASUALTY]


def one(text, measure=None):
    claims = cas(text)
    if measure:
        claims = [c for c in claims if c.measure == measure]
    assert len(claims) == 1, claims
    return claims[0]


def test_registry_names_and_versions():
    reg = registered()
    assert set(ALL) <= set(reg)
    for name in ALL:
        assert reg[name].version
    c = one("Seven people were killed.")
    assert c.extractor == "casualties" and c.extractor_version == reg["casualties"].version


def test_span_and_sentence():
    text = "Police arrived. Seven people were killed in the attack."
    c = one(text)
    assert text[c.start : c.end].startswith("Seven people were killed")
    assert c.sentence == "Seven people were killed in the attack."
    assert 0 < c.confidence <= 1


@pytest.mark.parametrize(
    "text,measure,lo,hi,hedge",
    [
        ("The official said about 100 pro-government forces were killed.", "killed", 90, 110, "about"),
        ("At least 45 pro-government fighters, which included Arab and Asian fighters, were killed.", "killed", 45, None, "at least"),
        ("A US assault killed more than 100 government troops.", "killed", 101, None, "more than"),
        ("The strikes killed and wounded dozens of tribal fighters.", "killed_or_injured", 24, None, "dozens"),
        ("Seven members of pro-government forces were killed.", "killed", 7, 7, None),
        ("The coalition killed an estimated 100 militiamen.", "killed", 90, 110, "an estimated"),
        ("The US killed in excess of 100 fighters in the attack.", "killed", 101, None, "in excess of"),
        ("Three people were wounded in the shooting.", "injured", 3, 3, None),
        ("Two men were hurt.", "injured", 2, 2, None),
        ("Four sailors remain missing after the attack.", "missing", 4, 4, None),
    ],
)
def test_bounds_and_hedges(text, measure, lo, hi, hedge):
    c = one(text, measure)
    assert (c.value_min, c.value_max) == (lo, hi)
    assert (c.hedge or "").lower() == (hedge or "")


def test_coordinated_subjects_are_summed():
    c = one("A 12-year-old and three others were shot Saturday.")
    assert (c.measure, c.value_min, c.value_max) == ("shot", 4, 4)
    c = one("Three men and a woman were wounded in the gunfire.")
    assert (c.measure, c.value_min) == ("injured", 4)


def test_shot_one_fatally_splits():
    claims = cas("Two people were shot, one fatally, on Main Street.")
    got = {(c.measure, c.value_min) for c in claims}
    assert got == {("killed", 1), ("injured", 1)}


def test_zero_figures():
    c = one("No US forces were injured in the attack, officials said.", "injured")
    assert c.value_min == 0 and c.value_max == 0
    assert c.group_key == "united_states"
    c = one("No one was hurt.")
    assert (c.measure, c.value_min) == ("injured", 0)


def test_singular_victims():
    c = one("A man was shot and killed on Tuesday.")
    assert (c.measure, c.value_min, c.value_max) == ("killed", 1, 1)
    c = one("John Smith, 25, died at the scene.")
    assert (c.measure, c.value_min) == ("killed", 1)
    assert c.value_min != 25


def test_object_lists_and_self():
    c = one("Police say a man shot and killed his wife and then himself.", "killed")
    assert c.value_min == 2
    claims = cas("", title="Neighbor kills woman, her son, himself in Las Vegas")
    assert [(c.measure, c.value_min) for c in claims] == [("killed", 3)]
    assert claims[0].extra["in_title"] and claims[0].sentence[claims[0].start : claims[0].end]


def test_headline_without_articles():
    claims = cas("", title="11-year-old girl fatally shot over weekend")
    assert [(c.measure, c.value_min) for c in claims] == [("killed", 1)]
    claims = cas("", title="1 dead, 3 wounded in drive-by shooting")
    assert sorted((c.measure, c.value_min) for c in claims) == [("injured", 3), ("killed", 1)]


def test_groups():
    assert one("Seven SDF fighters were killed.").group_key == "syrian_democratic_forces"
    c = one("One SDF member was wounded.")
    assert c.group == "SDF member" and c.group_key == "syrian_democratic_forces"
    assert one("About 100 pro-government forces were killed.").group == "pro-government forces"


@pytest.mark.parametrize(
    "text,source",
    [
        ("According to the Pentagon, 100 fighters were killed.", "the Pentagon"),
        ("100 Syrian government fighters were killed, the Pentagon said.", "the Pentagon"),
        ("The official said about 100 pro-government forces were killed.", "The official"),
        ("A US military official told Reuters that 12 soldiers were killed.", "A US military official"),
        ("Syrian state television reported that 12 soldiers were killed.", "Syrian state television"),
        (
            "A USA military official who spoke on condition of anonymity had earlier said the strikes killed around 100 troops.",
            "A USA military official",
        ),
        ("Twelve soldiers were killed.", None),
    ],
)
def test_sources(text, source):
    c = one(text)
    assert c.source == source
    if source:
        assert c.source_key


@pytest.mark.parametrize("text", ["The shooting happened on March 3, 2015 at 3:15 a.m. and he was killed instantly."])
def test_dates_do_not_become_figures(text):
    for c in cas(text):
        assert c.value_min not in (3, 15, 2015)


@pytest.mark.parametrize(
    "text",
    [
        "Police were called to Route 66 after shots were fired; nobody was struck.",
        "In the 1990s the neighborhood saw shootings.",
        "Continued on Page 2.",
        "Call 555-123-4567 with information about the shooting.",
        "He was born in 1990 and was charged with attempted murder.",
        "The 1500 block of Versailles Avenue is where the gun was fired.",
        "Sims, 20, is charged with four counts of aggravated assault.",
        "Officers fired 3 times but no one was hit.",
        "The suspect is described as about 145 pounds and 25 years old.",
    ],
)
def test_no_casualty_numbers_from_dates_ages_addresses(text):
    for c in cas(text):
        assert c.value_min == 0, (text, c)


def test_numbers_around_casualty_words_are_not_misread():
    assert all(c.value_min not in (66, 2, 1990) for c in cas("A man was shot on Route 66 on Page 2 of the 1990 report."))
    c = one("Ginger Reeves, 64, was found dead inside a home.")
    assert c.value_min == 1
    claims = cas("Image 6 of 12 A woman died and three men were wounded.")
    assert sorted((c.measure, c.value_min) for c in claims) == [("injured", 3), ("killed", 1)]
    assert cas("Another man was non-fatally injured.")[0].measure == "injured"


def test_figures_keep_their_noun():
    claims = [
        c
        for c in extract_claims(
            "Syrian pro-regime forces included approximately 500 personnel. The U.S. maintains about 2,000 troops "
            "in the country. They were located eight miles east of the river. Route 66 is closed.",
            names=["figures"],
        )
        if c.kind == FIGURE
    ]
    got = {(c.measure, c.value_min, c.value_max) for c in claims}
    assert ("personnel", 450, 550) in got
    assert ("troops", 1800, 2200) in got
    assert ("miles", 8, 8) in got
    assert all(c.value_min != 66 for c in claims)


def test_figures_skip_casualty_numbers():
    claims = extract_claims("Seven soldiers were killed and 2,000 troops remain.", names=["casualties", "figures"])
    assert [(c.kind, c.value_min) for c in claims if c.kind == FIGURE] == [("figure", 2000)]


def quotes(text):
    return [c for c in extract_claims(text, names=["quotes"]) if c.kind == QUOTE]


def test_quote_speaker_after_with_title():
    q = quotes('"Forces supported by the coalition targeted the aggressors", said Army Col. Thomas Veale, a spokesman.')[0]
    assert q.source == "Army Col. Thomas Veale"
    assert q.text.startswith("Forces supported")


def test_quote_nominal_speaker_told():
    q = quotes('"We suspect pro-regime forces were attempting to seize terrain", a United States military official told Reuters.')[0]
    assert q.source == "a United States military official"
    assert q.source_key == "united_states military official"


def test_quote_speaker_before():
    q = quotes('The sheriff said: "We will find whoever did this and bring them to justice."')[0]
    assert q.source == "The sheriff"


def test_quote_spanning_sentences_and_paragraphs():
    text = (
        '"I was sleeping. I woke up and asked them to leave. They started shooting," Patterson said.\n\n'
        '"It was the worst night of my life.\n\n"I still cannot sleep," he said.'
    )
    qs = quotes(text)
    assert qs[0].text.startswith("I was sleeping") and "They started shooting" in qs[0].text
    assert qs[0].source == "Patterson"
    # one claim per paragraph of a quotation; the later ones carry it on
    assert [q.text for q in qs[1:]] == ["It was the worst night of my life.", "I still cannot sleep,"]
    assert qs[2].extra.get("continued") and not qs[1].extra.get("continued")
    assert all(q.source == "Patterson" and q.extra.get("speaker_mention") == "he" for q in qs[1:])


def test_pronoun_resolves_to_nearest_named_speaker():
    text = 'Veale said the strikes were defensive. Officials met later.\n\n"This action was taken in self-defense", he said.'
    q = quotes(text)[0]
    assert q.source == "Veale" and q.extra["speaker_mention"] == "he"


def test_scare_quotes_are_partial_or_skipped():
    qs = quotes('The coalition called the attack "unprovoked" and an "unprovoked attack on our forces".')
    assert all(q.extra.get("partial") for q in qs)


def test_reported_speech_statements():
    claims = [
        c
        for c in extract_claims(
            "One US official said the pro-government forces may have been trying to seize the oil fields.", names=["statements"]
        )
        if c.kind == STATEMENT
    ]
    assert len(claims) == 1
    assert claims[0].source == "One US official"
    assert claims[0].text.startswith("the pro-government forces may have been trying")


def test_main_figures_prefers_title_and_derives_injured_from_shot():
    claims = extract_claims(
        "Four people were shot Saturday. One of them died at the hospital. Last year 100 people were killed in the city.",
        "4 shot in McKeesport",
        names=["casualties"],
    )
    main = main_figures(claims)
    assert main["killed"].value_min == 1
    assert main["injured"].value_min == 3
    assert main["injured"].extra["derived_from"] == "shot"


def test_main_figures_title_first():
    main = main_figures(extract_claims("A man was killed.", "2 dead, 3 hurt in shooting", names=["casualties"]))
    assert main["killed"].value_min == 2 and main["injured"].value_min == 3


SEEDS = shared_dir() / "seeds"


@pytest.mark.skipif(not (SEEDS / "gold.json").exists(), reason="seed data not available")
def test_seeds_quality_thresholds():
    from bench.claims import bench_seeds

    res = bench_seeds(SEEDS)
    assert res["casualty_recall"] >= 0.9
    assert res["casualty_precision"] >= 0.9
    assert res["quote_recall"] >= 0.9
    assert res["speaker_accuracy"] >= 0.8


def _main(text, title=None):
    return {m: (c.value_min, c.value_max) for m, c in main_figures(extract_claims(text, title, names=["casualties"])).items()}


def test_a_man_shot_and_killed_is_one_killed_and_none_injured():
    main = _main("A man was shot and killed Sunday night on the city's east side, police said.")
    assert main["killed"] == (1, 1)
    assert main["injured"] == (0, 0)


def test_shot_and_critically_wounded_counts_all_the_wounded():
    main = _main("Four people were shot early Saturday, one of them critically wounded, police said.")
    assert "killed" not in main
    assert main["injured"] == (4, 4)


def test_background_figures_are_not_the_event_toll():
    main = _main(
        "A woman was shot in the leg Friday and is expected to survive. "
        "Last year 165 people were killed in the city, according to police records."
    )
    assert main.get("killed") != (165, 165)
    assert main["injured"] == (1, 1)


def test_a_roundup_of_several_incidents_gives_no_single_toll():
    text = (
        "Weekend violence across the city: at least 12 people were shot, three of them fatally, in separate "
        "shootings from Friday evening to Monday morning, police said."
    )
    assert _main(text) == {}


@pytest.mark.parametrize(
    "title,roundup",
    [
        ("Three dead and one hurt in overnight St. Louis shootings", True),  # a place between the time and "shootings"
        ("Weekend Chicago Shootings Leave 5 Dead", True),
        ("Sunday night Dhaka shootings wound 7", True),
        ("Friday night shooting kills 2 in Athens", False),  # one shooting
        ("Police on overnight patrol after Paris shootings", False),  # the time is not the shootings'
        ("Two Athens shootings leave 3 dead", True),
    ],
)
def test_shootings_of_a_time_in_a_place_are_a_roundup(title, roundup):
    from claimwire.extractors.casualties import is_roundup

    assert is_roundup(None, title) is roundup


ROUNDUP_LEAD = (
    "Eleven people were hurt in separate attacks across the city overnight, police said. "
    "Police say a man threw a grenade into a cafe, wounding four customers."
)


def test_a_headline_count_of_what_one_accused_did_is_no_roundup_total():
    claims = [c for c in extract_claims(ROUNDUP_LEAD, "Man charged with wounding 4 in cafe grenade attack") if c.kind == CASUALTY]
    titled = [c for c in claims if c.extra.get("in_title")]
    assert [(c.measure, c.value_min) for c in titled] == [("injured", 4)] and not titled[0].extra.get("roundup")
    assert all(c.extra.get("roundup") for c in claims if not c.extra.get("in_title"))
    assert _main(ROUNDUP_LEAD, "Man charged with wounding 4 in cafe grenade attack") == {"injured": (4, 4)}


def test_a_roundup_headline_count_is_a_total():
    claims = [c for c in extract_claims(ROUNDUP_LEAD, "Grenade attack in cafe wounds 4 as violence spreads") if c.kind == CASUALTY]
    assert claims and all(c.extra.get("roundup") for c in claims)
    assert _main(ROUNDUP_LEAD, "Grenade attack in cafe wounds 4 as violence spreads") == {}
