"""The clean stage is order-free (it is not gated): whatever order articles are cleaned in, the original of a group
with the same cleaned text is the lowest id, its duplicates point to it, and the outlet's junk line counts are
the in-order counts (storage/cleaning.py: insert-or-find on content_originals, a swap when a lower id comes later,
line counts that commute and are taken back on a swap). On SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from storage.db import session_scope
from storage.models import Article, ArticleStatus, Claim, ContentOriginal, Outlet, OutletLine
from tests.conftest import apply_env
from tests.test_stage_chaining import TEXT, as_worker

BOILERPLATE = "Follow our live coverage\nThe Gazette evening edition"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, monkeypatch, tmp_path):
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_store")
    url = request.getfixturevalue("pg_url")
    apply_env(monkeypatch, DATABASE_URL=url, BROKER_URL=None, CLAIMWIRE_HOME=str(tmp_path))
    return url


@pytest.fixture(autouse=True)
def held_messages(monkeypatch):
    """The messages the stages send are held back: an article cleaned here stops after extract (chained in its task)."""
    from celery.app.task import Task

    from workers.app import app

    monkeypatch.setattr(Task, "apply_async", lambda *args, **kwargs: None)
    monkeypatch.setattr(app, "send_task", lambda *args, **kwargs: None)


def receive(bodies: list[str], monkeypatch) -> list[int]:
    """Text articles of one outlet received in this order, nothing enqueued."""
    from claimwire.sources import RawItem
    from tasks import receive as ingest

    monkeypatch.setattr(ingest, "enqueue_first_stage", lambda *_: None)
    items = (
        RawItem(kind="text", ref=f"o{n}", body=body.encode(), title=f"Report {n}", external_id=f"o{n}", outlet="news.example")
        for n, body in enumerate(bodies)
    )
    return [ingest.receive(item).article_id for item in items]


def clean_in(order: list[int]) -> None:
    from tasks.clean import clean

    for article_id in order:
        assert as_worker(clean, article_id) in ("next", "done")


def outcome(ids: list[int]) -> dict:
    """What the clean stage decided, with ids as positions in receipt order (comparable across stores)."""
    position = {article_id: n for n, article_id in enumerate(ids)}
    with session_scope() as session:
        rows = session.execute(select(Article.id, Article.status, Article.duplicate_of_id).where(Article.id.in_(ids))).all()
        lines = session.execute(select(OutletLine.line_key, OutletLine.article_count).where(OutletLine.article_count > 0)).all()
        observed = session.scalar(select(func.sum(Outlet.article_count)))
        originals = session.execute(select(ContentOriginal.article_id)).scalars().all()
        claims = dict(session.execute(select(Claim.article_id, func.count()).group_by(Claim.article_id)).all())
    return {
        "articles": sorted((position[i], status, position.get(dup)) for i, status, dup in rows),
        "lines": sorted(lines),
        "observed": observed,
        "originals": sorted(position[i] for i in originals),
        "claimed": sorted(position[i] for i in claims),
    }


def reset_cleaning() -> None:
    """Every article back to received, as if nothing had been cleaned."""
    with session_scope() as session:
        session.execute(text("DELETE FROM claims"))
        session.execute(text("DELETE FROM content_originals"))
        session.execute(text("DELETE FROM outlet_lines"))
        session.execute(text("UPDATE outlets SET article_count = 0"))
        session.execute(
            text("UPDATE articles SET status = 'received', duplicate_of_id = NULL, error = NULL, content_hash = NULL, clean_text = NULL")
        )


def stream() -> list[str]:
    """Six articles of one outlet sharing boilerplate lines; the second, fourth and sixth have the same text."""
    same = TEXT + "\n\nThe same wire report, twice.\n\n" + BOILERPLATE
    return [TEXT + f"\n\nReport number {n}.\n\n" + BOILERPLATE if n % 2 == 0 else same for n in range(6)]


def test_any_cleaning_order_gives_the_receipt_order_outcome(store, monkeypatch):
    ids = receive(stream(), monkeypatch)
    clean_in(ids[::-1])  # the latest first: every lower id of the group comes later and takes the original's place
    reversed_order = outcome(ids)
    reset_cleaning()
    clean_in(ids)
    in_order = outcome(ids)
    assert reversed_order == in_order
    assert [(n, status, dup) for n, status, dup in in_order["articles"] if status == ArticleStatus.DUPLICATE] == [
        (3, ArticleStatus.DUPLICATE, 1),
        (5, ArticleStatus.DUPLICATE, 1),
    ]
    assert in_order["originals"] == [0, 1, 2, 4] and in_order["claimed"] == [0, 1, 2, 4]  # a swapped-out one's claims go
    assert in_order["observed"] == 4 and all(count <= 4 for _, count in in_order["lines"])


def test_a_higher_id_already_linked_stays_the_original(store, monkeypatch):
    same = TEXT + "\n\nOne wire report."
    ids = receive([same, same], monkeypatch)
    clean_in([ids[1]])
    with session_scope() as session:
        session.execute(text("UPDATE articles SET status = 'linked' WHERE id = :a"), {"a": ids[1]})
    clean_in([ids[0]])
    with session_scope() as session:
        rows = dict(session.execute(select(Article.id, Article.duplicate_of_id).where(Article.id.in_(ids))).all())
        assert session.get(Article, ids[0]).status == ArticleStatus.DUPLICATE
        assert session.execute(select(ContentOriginal.article_id)).scalars().all() == [ids[1]]
    assert rows == {ids[0]: ids[1], ids[1]: None}


def test_a_redelivered_clean_of_the_original_claims_nothing_twice(store, monkeypatch):
    from tasks.clean import clean

    ids = receive(stream()[:2], monkeypatch)
    clean_in(ids)
    before = outcome(ids)
    assert as_worker(clean, ids[0]) == "skipped"
    assert outcome(ids) == before


def clean_texts(ids: list[int]) -> list[str]:
    with session_scope() as session:
        found = dict(session.execute(select(Article.id, Article.clean_text).where(Article.id.in_(ids))).all())
    return [found[i] for i in ids]


def test_junk_learning_reads_only_the_outlets_earlier_articles(store, monkeypatch):
    """Articles received later but cleaned first are taken out of the counts an earlier one reads: the fifth article
    of the outlet (4 earlier ones: too few to learn from) keeps its boilerplate however many later ones were cleaned."""
    ids = receive([TEXT + f"\n\nReport number {n}.\n\n" + BOILERPLATE for n in range(8)], monkeypatch)
    clean_in(ids)
    in_order = clean_texts(ids)
    assert "Follow our live coverage" in in_order[4] and "Follow our live coverage" not in in_order[5]  # learned from 5 articles on
    reset_cleaning()
    clean_in(ids[:4] + ids[5:] + ids[4:5])  # the fifth last: three later ones counted before it
    out_of_order = clean_texts(ids)
    assert out_of_order[4] == in_order[4]
    assert out_of_order[6:] == in_order[6:]
    # the sixth ran while the fifth (earlier) was not cleaned yet: the bounded difference (docs/SCALING.md)
    assert "Follow our live coverage" in out_of_order[5]
