"""The whole pipeline in-process on the embedded default (SQLite)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from sqlalchemy import func, select

from claimwire.sources import iter_items
from service.ingest import receive_all
from storage.db import session_scope
from storage.models import Article, ArticleEvent, ArticleStatus, Claim, Event, Failure
from tests.helpers import snapshot


def ingest(*targets) -> list:
    return list(receive_all(iter_items([str(t) for t in targets])))


def test_seeds_form_one_event_with_claims(sqlite_store, seeds_dir):
    receipts = ingest(seeds_dir)
    assert len(receipts) == 5
    assert all(r.created and r.status == ArticleStatus.STORED for r in receipts), receipts
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 1
        event = session.scalars(select(Event)).one()
        assert event.article_count == 5
        assert len(event.ledger["articles"]) == 5
        claims = session.scalars(select(Claim)).all()
        assert {c.kind for c in claims} >= {"casualty", "quote"}
        assert all(c.extractor and c.extractor_version for c in claims)
        for claim in claims:
            text = session.get(Article, claim.article_id).clean_text
            assert 0 <= claim.start < claim.end <= len(text)


def test_reingesting_the_seeds_changes_nothing(sqlite_store, seeds_dir):
    ingest(seeds_dir)
    before = snapshot()
    with session_scope() as session:
        counts_before = [session.scalar(select(func.count()).select_from(m)) for m in (Article, Claim, Event, ArticleEvent, Failure)]
    receipts = ingest(seeds_dir)
    assert [r.created for r in receipts] == [False] * 5
    assert all(r.status == ArticleStatus.STORED for r in receipts)
    with session_scope() as session:
        counts_after = [session.scalar(select(func.count()).select_from(m)) for m in (Article, Claim, Event, ArticleEvent, Failure)]
    assert counts_after == counts_before
    assert snapshot() == before


def test_same_text_under_another_name_is_stored_once(sqlite_store, seeds_dir, tmp_path):
    ingest(seeds_dir / "000_33ae1f9e66d21cca.txt")
    copy = tmp_path / "copy.txt"
    copy.write_text("\n\n" + (seeds_dir / "000_33ae1f9e66d21cca.txt").read_text() + "\n   \n")
    [receipt] = ingest(copy)
    assert receipt.created and receipt.status == ArticleStatus.DUPLICATE
    with session_scope() as session:
        duplicate = session.get(Article, receipt.article_id)
        assert duplicate.duplicate_of_id is not None
        assert session.scalar(select(func.count()).select_from(Claim).where(Claim.article_id == receipt.article_id)) == 0
        assert session.scalar(select(func.count()).select_from(ArticleEvent)) == 1


def test_bad_items_fail_alone_and_are_recorded(sqlite_store, seeds_dir, tmp_path, monkeypatch):
    from tests.conftest import apply_env

    apply_env(monkeypatch, CLAIMWIRE_FETCH_ALLOW_PRIVATE="1", CLAIMWIRE_FETCH_TIMEOUT_S="2")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 not a supported type")
    good = seeds_dir / "001_e5513d9ddaf809e4.txt"
    receipts = ingest(
        tmp_path / "empty.txt", tmp_path / "binary.txt", tmp_path / "notes.docx", "http://127.0.0.1:9/nothing-listens-here", good
    )
    by_ref = {Path(r.ref).name if not r.ref.startswith("http") else r.ref: r for r in receipts}
    assert by_ref["empty.txt"].status == ArticleStatus.FAILED and "empty" in by_ref["empty.txt"].error
    assert by_ref["binary.txt"].status == ArticleStatus.FAILED and "binary" in by_ref["binary.txt"].error
    assert by_ref["notes.docx"].status == "rejected" and "unsupported_type" in by_ref["notes.docx"].error
    url_receipt = by_ref["http://127.0.0.1:9/nothing-listens-here"]
    assert url_receipt.status == ArticleStatus.FAILED and "unreachable" in url_receipt.error
    assert by_ref[good.name].status == ArticleStatus.STORED
    with session_scope() as session:
        reasons = sorted(f.reason for f in session.scalars(select(Failure)))
    assert reasons == ["binary", "empty", "unreachable", "unsupported_type"]


def test_jsonl_input_keeps_title_date_and_outlet(sqlite_store, tmp_path):
    records = [
        {
            "id": "a1",
            "event": "e",
            "title": "Two shot on Main Street",
            "published": "2016-05-01",
            "url": "http://web.archive.org/web/2016/http://www.example-news.com/a1",
            "text": "Two men were shot on Main Street in Springfield on Sunday night, police said. One of them died at the hospital.",
        },
        "not json at all",
    ]
    path = tmp_path / "batch.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(json.dumps(records[0]) + "\n" + records[1] + "\n")
    receipts = ingest(path)
    assert [r.status for r in receipts] == [ArticleStatus.STORED, "rejected"]
    with session_scope() as session:
        article = session.get(Article, receipts[0].article_id)
        assert article.title == "Two shot on Main Street"
        assert article.published_at.date().isoformat() == "2016-05-01"
        assert article.outlet.key == "example-news.com"
        assert article.external_id == "a1"


def test_a_stage_delivered_twice_writes_once(sqlite_store, seeds_dir):
    from tasks.base import Skip
    from tasks.extract import extract_article

    [receipt] = ingest(seeds_dir / "002_de3cc8737eb6b66b.txt")
    with session_scope() as session:
        claims_before = session.scalar(select(func.count()).select_from(Claim))
    try:
        extract_article(receipt.article_id)
        raise AssertionError("a second delivery of extract must be skipped")
    except Skip:
        pass
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == claims_before


def test_extraction_over_its_budget_is_a_recorded_failure(sqlite_store, seeds_dir, tmp_path, monkeypatch):
    """A text that extraction cannot finish in CLAIMWIRE_EXTRACT_TIMEOUT_S fails alone, with reason timeout."""
    from tests.conftest import apply_env

    # ~2 MB of casualty sentences, each different (repeated sentences are read once: caches keyed by the sentence)
    dense = "".join(f"Two people were shot, one fatally, on the {n} block, police said. " for n in range(33000))
    (tmp_path / "dense.txt").write_text("Shootings\n\n" + dense)
    # no claims cap: the cap would stop extraction after its first part, which a fast machine reads in the budget
    apply_env(
        monkeypatch, CLAIMWIRE_EXTRACT_TIMEOUT_S="0.5", CLAIMWIRE_MAX_INPUT_BYTES=str(8 * 1024 * 1024), CLAIMWIRE_MAX_CLAIMS_PER_ARTICLE="0"
    )
    dense_receipt, good_receipt = ingest(tmp_path / "dense.txt", seeds_dir / "001_e5513d9ddaf809e4.txt")
    assert dense_receipt.status == ArticleStatus.FAILED and "extraction budget" in dense_receipt.error
    assert good_receipt.status == ArticleStatus.STORED
    with session_scope() as session:
        failure = session.scalars(select(Failure)).one()
        assert (failure.stage, failure.reason, failure.article_id) == ("extract", "timeout", dense_receipt.article_id)
        assert session.scalar(select(func.count()).select_from(Claim).where(Claim.article_id == dense_receipt.article_id)) == 0


def test_the_pipeline_table_wires_queues_chaining_and_the_sweep():
    """Routing, chaining and the sweep all read tasks/pipeline.py: what the table says is what runs."""
    from tasks import pipeline
    from tasks.base import chains
    from workers.app import app

    for stage in pipeline.PIPELINE:
        if stage.task:
            assert app.amqp.router.route({}, stage.task)["queue"].name == stage.queue
        if stage.next:  # the stage that follows takes the article in the status this one leaves it
            assert stage.produces in pipeline.STAGES[stage.next].accepts
    assert app.amqp.router.route({}, "claimwire.ordering_sweep")["queue"].name == "link"
    assert pipeline.next_task_for(ArticleStatus.RECEIVED, "url") == "claimwire.fetch"
    assert pipeline.next_task_for(ArticleStatus.RECEIVED, "text") == "claimwire.clean"
    assert pipeline.NEXT_TASK[ArticleStatus.EXTRACTED] == "claimwire.link"
    assert ArticleStatus.STORED not in pipeline.NEXT_TASK
    # a stage followed by one on its own queue runs it in the same task; fetch (I/O) hands clean (CPU) on
    assert [s.name for s in pipeline.PIPELINE if chains(s)] == ["clean", "link"]
