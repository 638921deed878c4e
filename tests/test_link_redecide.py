"""A later article's second decision (tasks/link.py `_redecide`) when its transaction is rolled back."""

from __future__ import annotations

import contextlib

import pytest

from claimwire.errors import InputError
from storage.changefeed import ChangeOrderConflict
from tasks import link as link_task
from workers import metrics


def redecided(outcome: str) -> float:
    return metrics.LINK_REDECIDED.labels(outcome=outcome)._value.get()


@pytest.fixture
def calls(monkeypatch):
    """The outcomes (or errors) `redecide_later` gives, call by call; the calls made."""
    made: list[int] = []
    script: list = []

    def redecide_later(session, article_id, features, earlier_id):
        made.append(article_id)
        step = script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    monkeypatch.setattr(link_task.eventmerges, "redecide_later", redecide_later)
    monkeypatch.setattr(link_task, "session_scope", contextlib.nullcontext)
    monkeypatch.setattr(link_task, "REDECIDE_BACKOFF_S", 0.0)
    return made, script


def test_a_second_decision_the_change_order_rolled_back_is_tried_again(calls):
    made, script = calls
    script += [ChangeOrderConflict("change_order", "a later transaction wrote first"), "merged"]
    merged, failed = redecided("merged"), redecided("failed")
    link_task._redecide(7, None, 3)
    assert made == [7, 7]
    assert redecided("merged") == merged + 1 and redecided("failed") == failed


def test_a_second_decision_that_keeps_failing_keeps_the_first_and_is_counted(calls):
    made, script = calls
    script += [ChangeOrderConflict("change_order", "again")] * link_task.REDECIDE_ATTEMPTS
    failed = redecided("failed")
    link_task._redecide(7, None, 3)
    assert len(made) == link_task.REDECIDE_ATTEMPTS
    assert redecided("failed") == failed + 1


def test_a_second_decision_that_fails_for_good_is_not_tried_again(calls):
    made, script = calls
    script += [InputError("bad", "not a retryable failure"), "kept"]
    failed = redecided("failed")
    link_task._redecide(7, None, 3)
    assert made == [7]
    assert redecided("failed") == failed + 1
