"""Pruning at link time: `decide` scores only the events that can win or be merged, and decides exactly as
when it scores every candidate (`linking.contending_events` against `linking.score_events`)."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date

import pytest

from claimwire import linkfeatures, linking, linkmemory, linkscore

STREAM = [
    (
        "Floods in Sylhet leave 12 dead",
        "Floods in Sylhet district killed 12 people on Monday, officials in Dhaka said. The Surma river burst its banks near Companiganj.",
        date(2024, 6, 17),
    ),
    (
        "Bomb blast in central Athens injures two",
        "A bomb exploded outside a bank on Stadiou Street in central Athens at about 9:30 a.m. on Tuesday, injuring two passers-by, Greek police said.",
        date(2024, 6, 18),
    ),
    (
        "Sylhet flood toll rises to 15",
        "The death toll from floods in Sylhet rose to 15 on Tuesday as the Surma river kept rising near Companiganj, the district administration said.",
        date(2024, 6, 18),
    ),
    (
        "Man shot dead in Englewood",
        "A 24-year-old man was shot and killed Sunday night in the 6500 block of South Halsted Street in Chicago's Englewood neighborhood. Darnell Whitfield was pronounced dead at Stroger Hospital.",
        date(2024, 6, 16),
    ),
    (
        "Athens bank bombing: group claims attack",
        "An anarchist group claimed the bomb attack on a bank on Stadiou Street in Athens that injured two people on Tuesday, Greek police said.",
        date(2024, 6, 19),
    ),
    (
        "Englewood victim identified",
        "The man shot dead Sunday on South Halsted Street in Englewood was identified as Darnell Whitfield, 24, the Cook County medical examiner said.",
        date(2024, 6, 18),
    ),
    (
        "Floods hit Sunamganj",
        "Floods in Sunamganj district left 3 dead on Wednesday as rivers rose across northeastern Bangladesh, officials in Dhaka said.",
        date(2024, 6, 19),
    ),
    (
        "Second blast in Athens",
        "A second bomb exploded outside a tax office on Patission Street in Athens at 11 p.m. on Friday, causing damage but no injuries, police said.",
        date(2024, 6, 21),
    ),
    (
        "Sylhet and Sunamganj floods: 20 dead",
        "Floods in Sylhet and Sunamganj districts have killed 20 people since Monday, the Surma river near Companiganj still rising, officials in Dhaka said.",
        date(2024, 6, 20),
    ),
    (
        "Man killed in South Side shooting",
        "A 31-year-old man was shot and killed Saturday night in the 1200 block of West 79th Street in Chicago's Auburn Gresham neighborhood. Marcus Bell was pronounced dead at Christ Hospital.",
        date(2024, 6, 22),
    ),
]


def _full(features, candidates, weights):
    candidates = list(candidates)
    ordered = linking.score_events(features, candidates, weights)
    return ordered, len(ordered)


def _decisions(monkeypatch, full: bool) -> list[tuple]:
    with monkeypatch.context() as patch:
        if full:
            patch.setattr(linking, "contending_events", _full)
        index = linkmemory.MemoryIndex()
        out = []
        for article_id, (title, text, when) in enumerate(STREAM * 2, 1):
            decision = index.link(article_id, linking.article_features(title, text, when))
            out.append((decision.event_id, decision.decision, decision.score, decision.merge, decision.features))
        return out


def test_pruned_decisions_are_those_of_full_scoring(monkeypatch):
    assert _decisions(monkeypatch, full=False) == _decisions(monkeypatch, full=True)


def _pairs():
    articles = [linking.article_features(title, text, when) for title, text, when in STREAM]
    for left, right in itertools.permutations(articles, 2):
        weights = linking.choose_keys(left, {k: 1 for k in right.keys}, 10).weights  # as in decide: the left keys only
        shared = left.keys & right.keys
        if shared:
            yield left, right, weights, shared


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_bound_is_never_below_the_score_whatever_the_signs_of_the_weights(monkeypatch, sign):
    monkeypatch.setattr(linkscore, "PAIR_WEIGHTS", tuple(sign * w for w in linkscore.PAIR_WEIGHTS))
    pairs = list(_pairs())
    assert pairs
    for left, right, weights, shared in pairs:
        mass = linkscore.shared_mass(shared, weights)
        assert linkscore.pair_bound(left, right, weights, mass) >= linkscore.similarity(left, right, weights)[0]


def test_an_event_that_can_neither_win_nor_merge_is_not_scored(monkeypatch):
    index = linkmemory.MemoryIndex()
    scored = []
    real = linking._event_match
    monkeypatch.setattr(linking, "_event_match", lambda *args: scored.append(args[1]) or real(*args))
    events = []
    for article_id, (title, text, when) in enumerate(STREAM, 1):
        before = len(scored)
        decision = index.link(article_id, linking.article_features(title, text, when))
        events.append((decision.features.get("events", 0), len(scored) - before))
    assert all(count <= total for total, count in events)
    assert any(count < total for total, count in events)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_bound_reads_the_score_s_table_of_features_each_at_its_most(monkeypatch, sign):
    """`pair_bound` and `pair_vector` read one table (`linkscore._pair_terms`): feature by feature, the bound's term
    is the score's (up to rounding) or, for a feature it cannot tell cheaply, the end of its range that adds most."""
    monkeypatch.setattr(linkscore, "PAIR_WEIGHTS", tuple(sign * w for w in linkscore.PAIR_WEIGHTS))
    ranged = {"person_frac", "person_conflict", "title_name_shared", "late_unanchored", "unrelated_page"}
    for left, right, weights, shared in _pairs():
        mass = linkscore.shared_mass(shared, weights)
        exact, _ = linkscore.pair_vector(left, right, weights, shared, mass)
        bound = linkscore._pair_terms(left, right, weights, mass, linkscore._right_stats(right, weights, mass), exact=False)
        assert len(exact) == len(bound) == len(linkscore.PAIR_FEATURES)
        for name, weight, value, most in zip(linkscore.PAIR_FEATURES, linkscore.PAIR_WEIGHTS, exact, bound):
            if name in ranged:
                assert weight * most >= weight * value - 1e-9, name
            else:
                assert most == pytest.approx(value, rel=1e-9, abs=1e-12), name


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_coarse_bound_is_never_below_the_precise_one_whatever_the_signs_of_the_weights(monkeypatch, sign):
    monkeypatch.setattr(linkscore, "PAIR_WEIGHTS", tuple(sign * w for w in linkscore.PAIR_WEIGHTS))
    for left, right, weights, shared in _pairs():
        mass = linkscore.shared_mass(shared, weights)
        assert linkscore.coarse_bound(left, right, weights, mass) >= linkscore.pair_bound(left, right, weights, mass)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_coarse_bound_reads_the_score_s_features_or_the_end_of_their_range_that_adds_most(monkeypatch, sign):
    """Feature by feature, `linkscore._coarse_terms` is the score's term (up to rounding) or, for a feature it leaves at
    a range, the end that adds most; one term per feature of PAIR_FEATURES."""
    monkeypatch.setattr(linkscore, "PAIR_WEIGHTS", tuple(sign * w for w in linkscore.PAIR_WEIGHTS))
    ranged = set(linkscore._COARSE_RANGES) | {"place_time"}
    for left, right, weights, shared in _pairs():
        mass = linkscore.shared_mass(shared, weights)
        exact, _ = linkscore.pair_vector(left, right, weights, shared, mass)
        coarse = linkscore._coarse_terms(left, right, weights, mass)
        assert len(coarse) == len(linkscore.PAIR_FEATURES)
        for name, weight, value, most in zip(linkscore.PAIR_FEATURES, linkscore.PAIR_WEIGHTS, exact, coarse):
            if name in ranged:
                assert weight * most >= weight * value - 1e-9, name
            else:
                assert most == pytest.approx(value, rel=1e-9, abs=1e-12), name


@pytest.mark.parametrize("sign", [1.0, -1.0, 0.5])
def test_the_coarse_bound_is_the_weighted_sum_of_its_table_of_terms(monkeypatch, sign):
    """`coarse_bound` sums `_coarse_terms` its own way (`linkscore._coarse_plan`: the terms that are the same for every
    pair summed once, the left article read once): the same bound up to rounding, for any weights, and a plan made for
    other weights or another left article is not reused."""
    monkeypatch.setattr(linkscore, "PAIR_WEIGHTS", tuple(sign * w for w in linkscore.PAIR_WEIGHTS))
    count = 0
    months_later = [  # each pair again with the right article 100 days older: the features of pairs months apart
        (left, dataclasses.replace(right, day=right.day - 100, shape=None), weights, shared) for left, right, weights, shared in _pairs()
    ]
    crash = linking.article_features(
        "Bus overturns on Mirpur Road in Dhaka",
        "A bus overturned on Mirpur Road in Dhaka on Monday. Call the hotline at 1090.",
        date(2024, 3, 4),
    )
    near = linking.article_features(
        "Bus crash on Mirpur Road", "The bus fell near house 2345 on Mirpur Road in Dhaka on Monday, police said.", date(2024, 3, 5)
    )
    street = [(crash, near, linking.choose_keys(crash, {k: 1 for k in near.keys}, 10).weights, crash.keys & near.keys)]
    assert {"s:mirpur road", "n:1090"} <= crash.keys and "n:2345" in near.keys  # numbers at odds on one street
    for left, right, weights, shared in [*_pairs(), *months_later, *street]:
        mass = linkscore.shared_mass(shared, weights)
        table = linkscore._coarse_terms(left, right, weights, mass)
        expected = linkscore.logistic(sum(w * term for w, term in zip(linkscore.PAIR_WEIGHTS, table)) + linkscore._SLACK)
        assert linkscore.coarse_bound(left, right, weights, mass) == pytest.approx(expected, rel=1e-12, abs=1e-15)
        count += 1
    assert count > 10


def test_an_article_s_shape_reads_its_keys_by_kind():
    """`_Shape.of` reads every kind of key in one pass: a ferry's sinking with headline counts, a street, times of day,
    names in the headline and the lead."""
    features = linking.article_features(
        "Ferry sinks off Bhola, 3 killed and 20 injured",
        "The ferry MV Karnaphuli capsized near Char Fasson at 6:30 a.m. on Sunday. Abdul Karim, 45, a survivor, said the "
        "boat left from Station Road in Bhola overloaded. Coast guard officials in Bhola said 3 people were killed.",
        date(2024, 7, 14),
    )
    shape = features.shaped()
    assert shape.kind_counts == {kind: sum(1 for k in features.keys if k[0] == kind) for kind in {k[0] for k in features.keys}}
    assert shape.tolls == {"killed": 3, "hurt": 20}
    assert shape.fact_kinds == {"killed", "hurt"}
    assert shape.clocks == {390}
    assert shape.streets == {"station road"}
    assert "c:bhola" in shape.title_names and "c:bhola" in shape.lead_names
    assert features.body() == {
        k for k in features.keys if k[0] in "pcstan" and not all(w in {h[2:] for h in features.keys if h[0] == "h"} for w in k[2:].split())
    }


def test_the_precise_bound_is_reckoned_only_for_the_events_whose_coarse_bound_can_matter(monkeypatch):
    """Every candidate pair gets the coarse bound; `pair_bound` only the pairs of the events, after the first one
    scored, whose coarse bound is not below both the best score so far and MERGE_THRESHOLD. The decisions are those
    of full scoring (above)."""
    calls = {"coarse": 0, "precise": 0}
    coarse, precise = linkscore.coarse_bound, linkscore.pair_bound

    def counted(name, bound):
        return lambda *args: calls.__setitem__(name, calls[name] + 1) or bound(*args)

    monkeypatch.setattr(linking, "coarse_bound", counted("coarse", coarse))
    monkeypatch.setattr(linking, "pair_bound", counted("precise", precise))
    index = linkmemory.MemoryIndex()
    for article_id, (title, text, when) in enumerate(STREAM * 2, 1):
        index.link(article_id, linking.article_features(title, text, when))
    assert calls["coarse"] > 0
    assert calls["precise"] < calls["coarse"]


def test_candidates_parsed_in_one_process_share_their_keys_and_make_the_body_only_when_asked():
    """A pool process keeps thousands of candidates' parsed features (storage/eventindex.py): a key two of them
    hold is one string object, and the body's keys (read only for pages months apart) are not made by scoring."""
    from storage import eventindex

    ferry = linking.article_features(
        "Ferry sinks off Bhola, 3 killed", "Coast guard officials in Bhola said 3 people died.", date(2024, 7, 14)
    )
    flood = linking.article_features("Flood in Bhola leaves 2 dead", "Officials in Bhola said the river rose overnight.", date(2024, 7, 15))
    first, second = (eventindex.parsed_features(eventindex.features_json(f)) for f in (ferry, flood))
    (shared_first,) = [k for k in first.keys if k == "c:bhola"]
    (shared_second,) = [k for k in second.keys if k == "c:bhola"]
    assert shared_first is shared_second
    assert [(f.keys, f.day, f.dates) for f in (first, second)] == [(f.keys, f.day, f.dates) for f in (ferry, flood)]
    assert first.shaped().body is None
    assert first.body() == linkfeatures.body_keys(first.keys) and first.shaped().body is first.body()
