"""The change feed's records (claimwire/changes.py) and webhook signatures (claimwire/webhooks.py): plain Python.

Ledgers are built by claimwire/ledger.py from claims written here (a flood in one place, a bombing in another).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from claimwire import changes, webhooks
from claimwire.ledger import build_ledger

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "schemas" / "change.v1.json").read_text())


def casualty(article_id, measure, low, high=None, *, group=None, source=None, hedge=None, start=0):
    high = low if high == "same" or high is None and hedge is None else high
    return {
        "article_id": article_id, "kind": "casualty", "measure": measure, "value_min": low, "value_max": high, "hedge": hedge,
        "group": group, "group_key": (group or "").lower() or None, "source": source, "source_key": (source or "").lower() or None,
        "text": None, "start": start,
    }  # fmt: skip


def quote(article_id, speaker, text, start=0):
    return {"article_id": article_id, "kind": "quote", "measure": None, "value_min": None, "value_max": None, "hedge": None, "group": None,
            "group_key": None, "source": speaker, "source_key": speaker.lower(), "text": text, "start": start}  # fmt: skip


def ledger(articles: int, claims: list[dict]) -> dict:
    return build_ledger([{"id": n, "title": f"report {n}", "arrived": f"2024-06-0{n}T10:00:00"} for n in range(1, articles + 1)], claims)


def kinds(found):
    return [c.kind for c in found]


def valid(change: changes.Change) -> dict:
    """The wire form, with the id and time the table gives it, checked against docs/schemas/change.v1.json."""
    change.id, change.at = 1, "2024-06-01T10:00:00.000Z"
    body = change.to_dict()
    jsonschema.validate(body, SCHEMA)
    return body


FLOOD_1 = [
    casualty(1, "killed", 12, group="villagers", source="the district police"),
    casualty(1, "injured", 40, group="villagers", source="the district police", start=50),
    quote(1, "the district commissioner", "The water rose faster than anyone expected", start=90),
]


def test_a_new_ledger_adds_its_figures_disputes_headline_and_quotes():
    found = changes.diff_ledgers({}, ledger(1, FLOOD_1), event_id=7, article_id=1)
    assert kinds(found) == ["figure.added", "figure.added", "headline.changed", "quote.added"]
    assert {(c.data["measure"], c.data["value"]) for c in found[:2]} == {("killed", "12"), ("injured", "40")}
    assert all(c.data["new_row"] for c in found[:2])
    assert found[2].data["previous"] is None and "12" in found[2].data["headline"]
    assert [(t["measure"], t["value"], t["disputed"]) for t in found[2].data["tolls"]] == [
        ("killed", "12", False),
        ("injured", "40", False),
    ]
    assert found[3].data["speaker"] == "the district commissioner" and found[3].data["articles"] == [1]
    assert all(c.event_id == 7 and c.article_id == 1 for c in found)
    for change in found:
        valid(change)


def test_the_same_ledger_again_is_no_change():
    assert changes.diff_ledgers(ledger(1, FLOOD_1), ledger(1, FLOOD_1), event_id=7) == []


def test_a_higher_toll_reported_days_later_is_a_revision_and_moves_the_headline():
    before = ledger(1, FLOOD_1)
    after = ledger(
        3,
        FLOOD_1
        + [
            casualty(2, "killed", 19, group="villagers", source="the relief agency"),
            casualty(3, "killed", 19, group="villagers", source="a local official"),
        ],
    )
    found = changes.diff_ledgers(before, after, event_id=7, article_id=3)
    assert kinds(found) == ["figure.added", "figure.added", "toll.revised", "headline.changed"]
    assert [c.data["sources"] for c in found[:2]] == [["the relief agency"], ["a local official"]]
    revised = found[2].data
    assert (revised["measure"], revised["party"], revised["previous"]["value"], revised["current"]["value"]) == (
        "killed",
        "victims",
        "12",
        "19",
    )
    assert revised["current"]["articles"] == [2, 3]
    assert "12" in found[3].data["previous"] and "19" in found[3].data["headline"]
    for change in found:
        valid(change)


def test_a_hedged_figure_that_agrees_is_added_without_a_dispute():
    before = ledger(1, [casualty(1, "killed", 30, group="passengers", source="the fire service")])
    after = ledger(
        2,
        [
            casualty(1, "killed", 30, group="passengers", source="the fire service"),
            casualty(2, "killed", 25, None, hedge="at least", group="passengers"),
        ],
    )
    found = changes.diff_ledgers(before, after, event_id=3, article_id=2)
    assert kinds(found) == ["figure.added"]  # the same story told once more: neither a revision nor a new headline
    assert found[0].data["value"] == "at least 25" and found[0].data["value_max"] is None and not found[0].data["new_row"]


def test_a_dispute_resolved_when_the_article_behind_it_leaves_the_event():
    bombing = [
        casualty(1, "killed", 4, group="bystanders", source="the ministry"),
        casualty(2, "killed", 40, group="bystanders", source="an opposition group"),
    ]
    same_hour = [{"id": n, "title": f"report {n}", "arrived": f"2024-06-01T10:{10 * n:02d}:00"} for n in (1, 2)]
    with_both, first_only = build_ledger(same_hour, bombing), build_ledger(same_hour[:1], bombing[:1])
    appeared = changes.diff_ledgers(first_only, with_both, event_id=5, article_id=2)
    assert "dispute.appeared" in kinds(appeared)
    resolved = changes.diff_ledgers(with_both, first_only, event_id=5)
    assert "dispute.resolved" in kinds(resolved)
    dispute = next(c for c in resolved if c.kind == "dispute.resolved")
    assert sorted(dispute.data["values"]) == ["4", "40"] and dispute.article_id is None
    valid(dispute)


def test_new_quotes_only_are_added():
    before = ledger(1, FLOOD_1)
    after = ledger(
        2,
        FLOOD_1
        + [
            quote(2, "a rescue worker", "We are still searching the fields"),
            quote(1, "the district commissioner", "The water rose faster than anyone expected", start=90),
        ],
    )
    assert kinds(changes.diff_ledgers(before, after, event_id=7, article_id=2)) == ["quote.added"]


def test_a_ledger_with_its_own_headline_is_taken_as_it_is():
    old, new = (
        {"headline": {"text": "killed 7"}},
        {"headline": {"text": "killed about 100 — disputed: 7", "tolls": [{"measure": "killed", "value": "about 100"}]}},
    )
    [change] = changes.diff_ledgers(old, new, event_id=1)
    assert change.data["previous"] == "killed 7" and change.data["headline"] == "killed about 100 — disputed: 7"


def test_odd_ledgers_do_not_break_the_diff():
    odd = {
        "rows": [
            None,
            "x",
            {
                "key": "killed|x",
                "figures": [None, {"value": "3", "value_min": 3, "value_max": 3}],
                "stories": [None, 5],
                "disputes": [{"stories": [1, 9]}, "?"],
                "headline": "?",
            },
        ],
        "quotes": [{"text": None}, 5, {"quotes": [None, {"text": None}]}],
        "headline": ["?"],
        "sources": 3,
    }
    assert kinds(changes.diff_ledgers(None, odd, event_id=1)) == ["figure.added", "headline.changed"]
    assert changes.diff_ledgers(odd, odd, event_id=1) == []


def test_link_level_changes_match_the_schema():
    for change in (
        changes.event_opened(1, 10, score=0.0, title="Floods cut off villages", url="https://news.example.org/floods"),
        changes.article_linked(1, 11, score=0.91234, decision="joined", title=None),
        changes.events_merged(2, 1, reason="article 12 matches both", score=0.97),
        changes.article_moved(13, 1, 4, reason="moved by hand"),
    ):
        body = valid(change)
        assert body["version"] == 1
    assert changes.article_linked(1, 11, score=0.912345, decision="joined", title=None).data["score"] == 0.9123


def test_subscription_filters():
    merged = changes.events_merged(2, 1, reason="r", score=None).to_dict()
    linked = changes.article_linked(5, 3, score=1, decision="joined", title=None).to_dict()
    assert changes.matches(linked, None, None) and changes.matches(linked, ["article.linked"], [5])
    assert not changes.matches(linked, ["quote.added"], None) and not changes.matches(linked, None, [6])
    assert changes.matches(merged, None, [2]) and changes.matches(merged, None, [1]) and not changes.matches(merged, None, [3])


def test_signatures_verify_and_refuse_tampering_and_replays():
    body = b'{"id":1}'
    header = webhooks.sign("s3cret", body, now=1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert webhooks.verify("s3cret", body, header, now=1_700_000_100)
    assert not webhooks.verify("s3cret", body + b" ", header, now=1_700_000_100), "a changed body"
    assert not webhooks.verify("other", body, header, now=1_700_000_100), "another secret"
    assert not webhooks.verify("s3cret", body, header, now=1_700_000_000 + webhooks.TOLERANCE_S + 1), "a replay"
    assert not webhooks.verify("s3cret", body, header.replace("t=1700000000", "t=1700000050"), now=1_700_000_100), "a moved timestamp"
    assert not webhooks.verify("s3cret", body, None) and not webhooks.verify("s3cret", body, "garbage")


def test_the_example_receiver_verifies_the_same_way():
    from examples.webhook_receiver import verify

    body = b'{"id":2,"kind":"quote.added"}'
    header = webhooks.sign("k", body)
    assert verify("k", body, header) and not verify("k", body[:-1], header) and not verify("x", body, header)


@pytest.mark.parametrize("attempts,expected", [(1, 2.0), (2, 4.0), (5, 32.0), (20, 600.0)])
def test_retry_backoff_doubles_up_to_its_cap(attempts, expected):
    delay = webhooks.retry_delay_s(attempts, 2.0, 600.0)
    assert expected <= delay <= expected * 1.1
