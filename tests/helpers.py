"""Helpers for tests that run the pipeline: snapshots of what the store holds, comparable across stores."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from storage.db import session_scope
from storage.models import Article, ArticleEvent, Claim


def _name(article: Article) -> str:
    return article.external_id or Path((article.source_ref or "").split("#")[0]).name + (
        "#" + article.source_ref.split("#")[1] if "#" in (article.source_ref or "") else ""
    )


def snapshot() -> dict:
    """Events as sets of article names, and each article's claims, independent of ids and times."""
    with session_scope() as session:
        articles = {a.id: a for a in session.execute(select(Article)).scalars()}
        links = dict(session.execute(select(ArticleEvent.article_id, ArticleEvent.event_id)).all())
        claims: dict[str, list[tuple]] = {}
        for claim in session.execute(select(Claim).order_by(Claim.article_id, Claim.start, Claim.id)).scalars():
            claims.setdefault(_name(articles[claim.article_id]), []).append(
                (
                    claim.kind,
                    claim.measure,
                    claim.value_min,
                    claim.value_max,
                    claim.hedge,
                    claim.group_key,
                    claim.source_key,
                    claim.text,
                    claim.start,
                    claim.end,
                    claim.extractor,
                    claim.extractor_version,
                )
            )
    events: dict[int, set[str]] = {}
    for article_id, event_id in links.items():
        events.setdefault(event_id, set()).add(_name(articles[article_id]))
    return {
        "events": sorted(sorted(names) for names in events.values()),
        "claims": claims,
        "statuses": sorted((_name(a), a.status) for a in articles.values()),
    }


def env_for(**values: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(values)
    return env
