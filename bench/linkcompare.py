"""The events of a load run against the in-process run of the same stream (`bench load`'s `linking_vs_in_process`).

A deployment should give the same events as the in-process pipeline given the same articles in the same
order (docs/ARCHITECTURE.md; what may differ and by how much: docs/SCALING.md). The load run's receipt order is
the order of its article ids; the in-process run receives the same bodies in that order (on a fresh embedded
store, tasks in-process, in a process of its own), and the two clusterings of the articles stored by both are
compared with B-cubed (bench/linking.py): 1.0 is the same events.
"""

from __future__ import annotations

import tempfile

from bench.harness import use_environment
from bench.linking import bcubed, pairwise


def receipt_events() -> list[tuple[str, str, int | None]]:
    """The configured database's articles in receipt order: (external id, status, the event it ended in)."""
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import Article, ArticleEvent, Event

    with session_scope(read_only=True) as session:
        merged = dict(session.execute(select(Event.id, Event.merged_into_id).where(Event.merged_into_id.is_not(None))).all())
        linked = dict(session.execute(select(ArticleEvent.article_id, ArticleEvent.event_id)).all())
        rows = session.execute(select(Article.id, Article.external_id, Article.status).order_by(Article.id)).all()
    out = []
    for article_id, external_id, status in rows:
        event = linked.get(article_id)
        while event in merged:
            event = merged[event]
        out.append((external_id, status, event))
    return out


def in_receipt_order(rows: list[tuple[str, str, int | None]], bodies: list[dict]) -> list[dict]:
    """BODIES in the load run's receipt order (those it never stored a row for after them, in their order)."""
    by_id = {body["external_id"]: body for body in bodies}
    ordered = [by_id[external_id] for external_id, _, _ in rows if external_id in by_id]
    seen = {body["external_id"] for body in ordered}
    return ordered + [body for body in bodies if body["external_id"] not in seen]


def in_process_events(bodies: list[dict]) -> list[tuple[str, str, int | None]]:
    """BODIES through the in-process pipeline on a fresh embedded store; its `receipt_events`."""
    from bench.throughput import raw_item
    from storage.db import migrate, reset_engines

    home = tempfile.TemporaryDirectory(prefix="claimwire-bench-linkcompare-")
    use_environment({"CLAIMWIRE_HOME": home.name, "DATABASE_URL": None, "BROKER_URL": None})
    reset_engines()
    migrate()
    import tasks.clean  # noqa: F401 - the stages, registered for the in-process run
    import tasks.extract  # noqa: F401
    import tasks.link  # noqa: F401
    import tasks.store  # noqa: F401
    from service.ingest import receive

    try:
        for body in bodies:
            receive(raw_item(body))
        return receipt_events()
    finally:
        home.cleanup()


def compare(service: list[tuple[str, str, int | None]], in_process: list[tuple[str, str, int | None]]) -> dict:
    """B-cubed and pairwise of the service's events against the in-process run's, over the articles linked by both."""
    ours = {external_id: event for external_id, _, event in service if event is not None}
    theirs = {external_id: event for external_id, _, event in in_process if event is not None}
    common = sorted(set(ours) & set(theirs))
    gold = {a: theirs[a] for a in common}
    predicted = {a: ours[a] for a in common}
    if not common:
        return {"articles": 0}
    bp, br, bf = bcubed(gold, predicted)
    _, _, pf = pairwise(gold, predicted)
    return {
        "articles": len(common),
        "linked_only_by_service": len(set(ours) - set(theirs)),
        "linked_only_in_process": len(set(theirs) - set(ours)),
        "events": len(set(predicted.values())),
        "events_in_process": len(set(gold.values())),
        "bcubed_precision": round(bp, 4),
        "bcubed_recall": round(br, 4),
        "bcubed_f1": round(bf, 4),
        "pairwise_f1": round(pf, 4),
    }


def against_in_process(service: list[tuple[str, str, int | None]], bodies: list[dict]) -> dict:
    """The in-process run of BODIES in SERVICE's receipt order, in a process of its own, compared with SERVICE."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        in_process = pool.apply(in_process_events, (in_receipt_order(service, bodies),))
    return compare(service, in_process)
