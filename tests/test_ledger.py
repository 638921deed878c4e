"""The claim ledger of an event: grouping, sources, ranges, hedged contradictions, timeline; stored and shown."""

from __future__ import annotations

from sqlalchemy import select

from claimwire.ledger import actor_core, build_ledger, overlaps
from service.render import event_row, render_ledger
from storage.db import session_scope
from storage.models import Event

ARTICLES = [
    {"id": 1, "title": "a", "arrived": "2018-02-08T10:00:00"},
    {"id": 2, "title": "b", "arrived": "2018-02-08T12:00:00"},
    {"id": 3, "title": "c", "arrived": "2018-02-09T09:00:00"},
]


def casualty(article_id, measure, low, high, group_key, source=None, hedge=None, start=0):
    return {"article_id": article_id, "kind": "casualty", "measure": measure, "value_min": low, "value_max": high,
            "group": group_key.replace("_", " "), "group_key": group_key, "source": source, "hedge": hedge, "start": start}


def test_hedges_decide_what_contradicts():
    about_100 = {"value_min": 90, "value_max": 110}
    assert overlaps(about_100, {"value_min": 100, "value_max": 100})
    assert overlaps({"value_min": 45, "value_max": None}, {"value_min": 100, "value_max": 100})  # "at least 45"
    assert not overlaps({"value_min": 45, "value_max": None}, {"value_min": 7, "value_max": 7})
    assert not overlaps(about_100, {"value_min": 7, "value_max": 7})


def test_ledger_groups_by_measure_and_group_with_sources_range_and_conflicts():
    claims = [
        casualty(1, "killed", 100, 100, "pro_government forces"),
        casualty(1, "killed", 7, 7, "pro_government forces", source="a commander", start=10),
        casualty(2, "killed", 45, None, "pro_government forces", source="state TV", hedge="at least"),
        casualty(2, "injured", 27, 27, "pro_government forces", source="a commander"),
        casualty(3, "killed", 100, 100, "pro_government forces", source="the Pentagon"),
        casualty(3, "killed", 1, 1, "coalition"),
    ]
    ledger = build_ledger(ARTICLES, claims)
    killed = next(f for f in ledger["figures"] if f["measure"] == "killed" and f["group_key"] == "pro_government forces")
    values = {v["value"]: v for v in killed["values"]}
    assert set(values) == {"100", "7", "≥45"}
    assert values["100"]["sources"] == ["(unattributed)", "the Pentagon"] and values["100"]["articles"] == [1, 3]
    assert values["100"]["first_seen"] == "2018-02-08T10:00:00"
    assert values["≥45"]["hedges"] == ["at least"]
    assert killed["range"] == [7, None]
    assert killed["conflict"] and ["100", "7"] in killed["conflicting_values"] and ["7", "≥45"] in killed["conflicting_values"]
    assert ["100", "≥45"] not in killed["conflicting_values"]  # "at least 45" agrees with 100
    coalition = next(f for f in ledger["figures"] if f["group_key"] == "coalition")
    assert not coalition["conflict"]
    injured = next(f for f in ledger["figures"] if f["measure"] == "injured")
    assert not injured["conflict"] and injured["values"][0]["sources"] == ["a commander"]


def test_conflicts_across_groups_that_are_the_same_actor_and_the_timeline():
    claims = [
        casualty(1, "killed", 100, 100, "pro_government forces"),
        casualty(2, "killed", 7, 7, "pro_government fighters", source="a commander"),
        casualty(3, "killed", 9, 9, "pro_government fighters", source="a commander"),
        casualty(3, "killed", 3, 3, "kurdish forces"),
    ]
    ledger = build_ledger(ARTICLES, claims)
    assert actor_core("pro_government fighters") == actor_core("pro_government forces") == "pro government"
    [cross] = ledger["cross_group_conflicts"]
    assert cross["measure"] == "killed" and ["7", "100"] in cross["conflicting_values"]
    changes = [(t["article_id"], t["value"], t["changed"]) for t in ledger["timeline"] if t["group_key"] == "pro_government fighters"]
    assert changes == [(2, "7", False), (3, "9", True)]
    text = render_ledger({"id": 1, "headline": "h", "first_seen": None, "last_seen": None, "article_count": 3}, ledger)
    assert "!! CONFLICT" in text and "same actor" in text and "→ 9" in text


def test_the_seeds_ledger_is_stored_on_the_event_and_shown(sqlite_store, seeds_dir, capsys):
    from claimwire.sources import iter_items
    from service.cli import main
    from service.ingest import receive_all

    list(receive_all(iter_items([str(seeds_dir)])))
    with session_scope() as session:
        [event] = session.scalars(select(Event)).all()
        stored = event.ledger  # one row read: the ledger is kept on the event
        assert len(stored["articles"]) == 5 and stored["figures"]
        shown = render_ledger(event_row(event), stored)
    assert main(["event", str(event.id)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == shown.strip()
    assert "5 articles" in out and "killed" in out
