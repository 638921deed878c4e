"""The candidates PostgreSQL's postings statement ranks (`DbIndex.ranked_candidates`) are those `linking.rank_candidates`
ranks in Python from the same postings: the votes' sums are exact, so the order of the additions does not matter."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from claimwire import linking
from storage.db import session_scope
from storage.eventindex import DbIndex
from tests.conftest import apply_env

pytestmark = pytest.mark.services


def test_votes_sum_to_the_same_value_in_any_order():
    shuffled = random.Random(18)
    weights = [shuffled.uniform(0.05, 40.0) for _ in range(300)]
    votes = [linking.vote(weight) for weight in weights]
    assert all(abs(v - w) <= linking.VOTE_QUANTUM / 2 for v, w in zip(votes, weights))
    sums = set()
    for _ in range(50):
        shuffled.shuffle(votes)
        total = 0.0
        for value in votes:
            total += value
        sums.add(total)
    assert len(sums) == 1
    assert len({sum(shuffled.sample(weights, len(weights))) for _ in range(50)}) > 1  # the weights themselves are not


class _PostingsOnly:
    """An index that gives the postings and the features, and leaves the ranking to Python."""

    def __init__(self, index: DbIndex) -> None:
        self.candidates, self.load = index.candidates, index.load


def _gvc_articles(data_dir, count: int) -> list[dict]:
    from bench.harness import gvc_records

    return [
        {"id": r["id"], "title": r.get("title"), "published": r.get("published"), "clean_text": r["text"]}
        for r in gvc_records(data_dir / "gvc-dev.jsonl.gz", count)
    ]


def test_postgres_ranks_the_candidates_as_python_does(pg_url, data_dir, monkeypatch):
    from bench import linking as bench_linking
    from tasks.link import link_article

    apply_env(monkeypatch, DATABASE_URL=pg_url, BROKER_URL=None)
    records = _gvc_articles(data_dir, 400)
    ids = bench_linking.insert_articles(records, "extracted")
    for article_id in ids[:300]:
        link_article(article_id)
    compared = with_several = 0
    for article_id, record in zip(ids[300:], records[300:]):
        date = datetime.fromisoformat(record["published"]) if record["published"] else None
        features = linking.article_features(record["title"], record["clean_text"], date)
        with session_scope() as session:
            index = DbIndex(session, below=article_id)
            chosen = linking.choose_keys(features, *index.document_frequencies(linking.counted_keys(features.keys)))
            in_sql = linking.rank_candidates(features, index, chosen.weights, chosen.lookup)
            in_python = linking.rank_candidates(features, _PostingsOnly(index), chosen.weights, chosen.lookup)
        assert [(c.article_id, c.event_id, c.features) for c in in_sql[0]] == [
            (c.article_id, c.event_id, c.features) for c in in_python[0]
        ], article_id
        assert in_sql[1] == in_python[1]
        compared += 1
        with_several += in_sql[1] > 1
    assert compared == 100 and with_several > 50
