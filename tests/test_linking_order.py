"""Link stage without a global gate: articles linked out of receipt order end in the events of the receipt-order
run (the later ones linked first are decided again once the earlier ones are linked: tasks/link.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.db import session_scope
from storage.models import ArticleEvent, Event
from tests.conftest import apply_env

COUNT = 160


def _records(data_dir) -> list[dict]:
    from bench import linking as bench_linking
    from bench.harness import gvc_records

    records = []
    for record in gvc_records(data_dir / "gvc-dev.jsonl.gz", COUNT):
        text = bench_linking.clean(record)
        if text:
            records.append({**record, "clean_text": text})
    return records


def _link(records: list[dict], order: list[int]) -> dict[int, int]:
    """The records stored in their order (receipt order: ids ascending), linked in ORDER (positions): position -> event."""
    from bench import linking as bench_linking
    from storage.db import migrate
    from tasks.link import link_article

    migrate()
    ids = bench_linking.insert_articles(records, "extracted")
    for position in order:
        link_article(ids[position])
    with session_scope() as session:
        merged = dict(session.execute(select(Event.id, Event.merged_into_id).where(Event.merged_into_id.is_not(None))).all())
        links = dict(session.execute(select(ArticleEvent.article_id, ArticleEvent.event_id)).all())
    out = {}
    for position, article_id in enumerate(ids):
        event = links[article_id]
        while event in merged:
            event = merged[event]
        out[position] = event
    return out


def _swapped(count: int, block: int) -> list[int]:
    """Receipt order with each block of BLOCK articles linked last first (later articles quicker through extraction)."""
    return [position for start in range(0, count, block) for position in reversed(range(start, min(count, start + block)))]


def _clusters(events: dict[int, int]) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for position, event in events.items():
        groups.setdefault(event, []).append(position)
    return sorted(groups.values())


@pytest.mark.parametrize("block", [2, 5])
def test_linking_out_of_receipt_order_gives_the_receipt_order_events(data_dir, tmp_path, monkeypatch, block):
    from bench.linking import bcubed

    records = _records(data_dir)
    apply_env(monkeypatch, CLAIMWIRE_HOME=str(tmp_path / "in-order"), DATABASE_URL=None, BROKER_URL=None)
    in_order = _link(records, list(range(len(records))))
    apply_env(monkeypatch, CLAIMWIRE_HOME=str(tmp_path / "swapped"))
    swapped = _link(records, _swapped(len(records), block))
    assert len(_clusters(in_order)) < len(records)  # the stream has events of several articles: the test can fail
    _, _, f1 = bcubed(in_order, swapped)
    assert f1 >= 0.995, (f1, block)


def test_without_deciding_again_the_out_of_order_links_differ(data_dir, tmp_path, monkeypatch):
    """The reconcile is what keeps the events: with it turned off, the same swapped order gives other events."""
    from storage import eventindex

    records = _records(data_dir)
    apply_env(monkeypatch, CLAIMWIRE_HOME=str(tmp_path / "in-order"), DATABASE_URL=None, BROKER_URL=None)
    in_order = _link(records, list(range(len(records))))
    monkeypatch.setattr(eventindex, "linked_after", lambda *_args, **_kw: [])
    apply_env(monkeypatch, CLAIMWIRE_HOME=str(tmp_path / "swapped"))
    swapped = _link(records, _swapped(len(records), 5))
    assert _clusters(swapped) != _clusters(in_order)
