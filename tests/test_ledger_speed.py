"""The ledger's speed-only refactors keep what they replaced (issue 18, the store stage's CPU): the lock-free cached
property, stories() setting members apart by identity, each quote's speaker key read once, each lead reading only
its own article's figures. The proof over real coverage is `python -m bench.ledger_digest` (docs/SCALING.md)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from claimwire import agreement
from claimwire.agreement import KEEP_WEIGHTS_FROM, reading, stories
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


def _stories_as_first_written(items, read, weight):
    """stories() before it kept each value's weight between rounds: every value weighed again in every round."""
    left, out = list(items), []
    while left:
        readings = [read(item) for item in left]
        best, best_weight = [], None
        for value in sorted({agreement._anchor(r) for r in readings}):
            support = [item for item, r in zip(left, readings) if r.low <= value <= r.high]
            if best_weight is None or weight(support) > best_weight:
                best, best_weight = support, weight(support)
        supporting = {id(item) for item in best}
        low, high = max(read(i).low for i in best), min(read(i).high for i in best)
        for item in [item for item in left if id(item) not in supporting]:
            if read(item).low <= high and low <= read(item).high:
                best.append(item)
                low, high = max(low, read(item).low), min(high, read(item).high)
        chosen = {id(item) for item in best}
        out.append(best)
        left = [item for item in left if id(item) not in chosen]
    return out


class _Told:
    def __init__(self, low: float, span: str, hedge: str | None, family: int) -> None:
        high = {"exact": low, "open": None, "range": low * 2}[span]
        self.reading, self.family = reading(low, high, hedge), family


_FIGURE = st.builds(
    _Told,
    low=st.sampled_from([1, 3, 7, 12, 20, 40, 45, 90, 100, 110, 250]) | st.integers(1, 400),
    span=st.sampled_from(["exact", "open", "range"]),
    hedge=st.sampled_from([None, "about", "at least", "more than", "up to", "nearly"]),
    family=st.integers(0, 3),
)


def _families_weight(items) -> tuple:
    return (len({item.family for item in items}), len(items))


@settings(max_examples=300, deadline=None)
@given(st.lists(_FIGURE, min_size=1, max_size=14) | st.lists(_FIGURE, min_size=KEEP_WEIGHTS_FROM + 1, max_size=80), st.data())
def test_stories_group_as_when_every_value_was_weighed_in_every_round(figures, data):
    """Small rows and rows of many values (agreement.KEEP_WEIGHTS_FROM) alike."""
    told = figures + data.draw(st.lists(st.sampled_from(figures), max_size=3))  # some named twice
    for weight in (len_weight, _families_weight):
        got = stories(told, lambda item: item.reading, weight)
        first = _stories_as_first_written(told, lambda item: item.reading, weight)
        assert [[id(x) for x in g] for g in got] == [[id(x) for x in g] for g in first]


def test_a_row_of_many_values_is_weighed_about_once_per_value():
    """3,000 different odd numbers, none round, so each is a story of its own (a long war's other figures, a page
    of block numbers): each value is weighed when first seen and again only when a story took one of its
    supporters, not once per story and value (4.5 million weighings)."""
    weighed = []

    def weight(items) -> tuple:
        weighed.append(len(items))
        return (len(items),)

    grouped = stories([_Item(2 * n + 1, 2 * n + 1) for n in range(3000)], lambda item: item.reading, weight)
    assert len(grouped) == 3000 and len(weighed) <= 2 * 3000


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
