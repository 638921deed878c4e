"""The ledger's speed-only refactors keep what they replaced (issue 18, the store stage's CPU): the lock-free cached
property, stories() setting members apart by identity, each quote's speaker key read once, each lead reading only
its own article's figures. The proof over real coverage is `python -m bench.ledger_digest` (docs/SCALING.md)."""

from __future__ import annotations

from claimwire.agreement import reading, stories
from claimwire.lazy import cached_property
from claimwire.ledger import build_ledger
from claimwire.speakers import group_quotes
from tests.claimhelp import figure


class _Counted:
    def __init__(self) -> None:
        self.calls = 0

    @cached_property
    def value(self) -> int:
        """The docstring stays."""
        self.calls += 1
        return self.calls * 10


def test_a_cached_property_is_computed_once_per_instance_and_kept_in_it():
    one, two = _Counted(), _Counted()
    assert (one.value, one.value, two.value) == (10, 10, 10)
    assert (one.calls, two.calls) == (1, 1) and one.__dict__["value"] == 10
    assert isinstance(_Counted.value, cached_property) and _Counted.value.__doc__ == "The docstring stays."


class _Item:
    def __init__(self, low: float, high: float | None) -> None:
        self.reading = reading(low, high, None)


def test_stories_keep_equal_values_told_by_distinct_items_together_and_others_apart():
    a, b, c = _Item(7, 7), _Item(7, 7), _Item(100, 100)
    grouped = stories([a, b, c], lambda item: item.reading, len_weight)
    assert [[id(x) for x in g] for g in grouped] == [[id(a), id(b)], [id(c)]]


def test_stories_widen_a_story_with_an_open_bound_and_leave_an_item_named_twice_in_one_story():
    exact, more, other = _Item(45, 45), _Item(40, None), _Item(3, 3)
    grouped = stories([exact, more, other, exact], lambda item: item.reading, len_weight)
    assert [sorted(id(x) for x in g) for g in grouped] == [sorted([id(exact), id(exact), id(more)]), [id(other)]]


def len_weight(items) -> tuple:
    return (len(items),)


def quote(text: str, source: str, article: str) -> dict:
    return {"kind": "quote", "text": text, "source": source, "extra": {}, "article_id": article}


def test_each_person_is_named_by_the_fullest_form_among_their_own_quotes_only():
    groups = group_quotes(
        [
            quote("We will rebuild.", "Mayor Ana Pereira", "a1"),
            quote("The water is falling.", "Pereira", "a2"),
            quote("The dam held.", "Engineer Rui Costa", "a2"),
            quote("We checked it twice.", "Costa", "a3"),
        ]
    )
    assert [g.speaker for g in groups] == ["Mayor Ana Pereira", "Engineer Rui Costa"]


def test_a_person_also_killed_in_another_article_adds_nothing_to_this_articles_lead():
    articles = [
        {"id": 1, "title": None, "outlet": "a.example", "published": "2017-04-01T12:00:00", "arrived": "2017-04-01T12:00:00"},
        {"id": 2, "title": None, "outlet": "b.example", "published": "2017-04-01T15:00:00", "arrived": "2017-04-01T15:00:00"},
    ]
    claims = [
        figure(1, "killed", 1, 1, "Teacher", start=0, in_title=True, headline=True, one="name"),
        figure(
            2, "killed", 1, 1, "Ann Lee", start=150, sentence="Ann Lee, 15, was also killed in the shooting.", singular=True, one="name"
        ),
    ]
    ledger = build_ledger(articles, claims)
    assert [f["derived"] for row in ledger["rows"] for f in row["figures"]].count("others") == 0
    claims[1]["article_id"] = 1  # the same sentence in the lead's own article: one more dead
    ledger = build_ledger(articles[:1], claims)
    assert [f["derived"] for row in ledger["rows"] for f in row["figures"]].count("others") == 1
