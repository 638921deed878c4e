"""Merging events and moving an article to another event, with the counts, the ledgers and the change feed
following; and the in-order reconcile of an article that was linked before an article received ahead of it (`redecide_later`)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from claimwire import changes, linking
from claimwire.linking import ArticleFeatures
from storage import changefeed
from storage.articles import lock_article
from storage.eventindex import DbIndex, _dialect, lock_keys
from storage.models import ArticleEvent, ArticleLinkFeatures, ArticleMove, Event, EventMerge, utcnow


def _refresh_event(session: Session, event: Event) -> None:
    event.article_count = session.execute(select(func.count()).where(ArticleEvent.event_id == event.id)).scalar_one()
    low, high = session.execute(
        select(func.min(ArticleLinkFeatures.day), func.max(ArticleLinkFeatures.day)).where(
            ArticleLinkFeatures.event_id == event.id, ArticleLinkFeatures.day != linking.UNDATED
        )
    ).one()
    from datetime import datetime

    if low is not None:
        event.date_min, event.date_max = datetime.fromordinal(low), datetime.fromordinal(high)
    event.updated_at = utcnow()


def _lock_events(session: Session, *event_ids: int) -> list[Event]:
    pg = _dialect(session) == "postgresql"
    return [session.get(Event, event_id, with_for_update=pg) for event_id in sorted(set(event_ids))]


def merge_events(
    session: Session, from_event_id: int, into_event_id: int, *, reason: str, score: float | None = None, rebuild: bool = True
) -> int:
    """Merge one event into another: its articles move over, the merge is recorded, the ledger follows.
    Returns the surviving event id."""
    if from_event_id == into_event_id:
        return into_event_id
    locked = {event.id: event for event in _lock_events(session, from_event_id, into_event_id)}
    source, target = locked[from_event_id], locked[into_event_id]
    # idempotent under concurrency: follow merges that happened before we got the locks
    while target.merged_into_id:
        target = session.get(Event, target.merged_into_id)
    if source.merged_into_id:
        return (
            target.id
            if source.merged_into_id == target.id
            else merge_events(session, _final(session, source.id), target.id, reason=reason, score=score, rebuild=rebuild)
        )
    if source.id == target.id:
        return target.id
    session.execute(update(ArticleEvent).where(ArticleEvent.event_id == source.id).values(event_id=target.id))
    session.execute(update(ArticleLinkFeatures).where(ArticleLinkFeatures.event_id == source.id).values(event_id=target.id))
    session.execute(update(Event).where(Event.merged_into_id == source.id).values(merged_into_id=target.id))
    session.add(EventMerge(from_event_id=source.id, into_event_id=target.id, reason=reason, score=score, merged_at=utcnow()))
    changefeed.emit(session, changes.events_merged(source.id, target.id, reason=reason, score=score))
    source.merged_into_id = target.id
    source.article_count = 0
    source.ledger = {"merged_into": target.id}
    target.first_seen = min(target.first_seen, source.first_seen)
    target.last_seen = max(target.last_seen, source.last_seen)
    session.flush()
    _refresh_event(session, target)
    if rebuild:
        changefeed.rebuild_ledger(session, target.id)
    return target.id


def _final(session: Session, event_id: int) -> int:
    event = session.get(Event, event_id)
    while event.merged_into_id:
        event = session.get(Event, event.merged_into_id)
    return event.id


def final_event_id(session: Session, event_id: int) -> int:
    """The event an event id stands for now (following merges)."""
    return _final(session, event_id)


def _first_article(session: Session, event_id: int) -> int | None:
    return session.execute(select(func.min(ArticleEvent.article_id)).where(ArticleEvent.event_id == event_id)).scalar_one()


def redecide_later(session: Session, article_id: int, features: ArticleFeatures, earlier_id: int) -> str | None:
    """Reconcile in receipt order: ARTICLE_ID was linked before EARLIER_ID (received ahead of it, linked after
    it), so it did not see it. Decide it again as the in-process run would have (against the articles below
    it, EARLIER_ID now among them) and follow the new decision when it names another event: its own event is
    merged into that one when the article opened it (the articles that joined it since came by it), otherwise
    the article alone moves. Returns "merged", "moved" or None (the decision stands).

    The article's row is locked first: its store stage, if it has not run yet, waits and then stores it into
    the event it ends in (the ledgers rebuilt here hold stored articles only)."""
    lock_article(session, article_id)
    decision, _ = linking.decide(features, DbIndex(session, below=article_id), lock=lambda keys: lock_keys(session, keys))
    link = session.get(ArticleEvent, article_id)
    if decision.event_id is None or link is None:
        return None  # a new event where it joined one: kept (an earlier article can only add candidates)
    current, target = _final(session, link.event_id), _final(session, decision.event_id)
    for other in decision.merge:
        target = merge_events(session, _final(session, other), target, reason=f"article {article_id} matches both", score=decision.score)
    if target == current:
        return None
    if _first_article(session, current) == article_id:
        merge_events(
            session, current, target, reason=f"article {article_id} decided again after article {earlier_id}", score=decision.score
        )
        return "merged"
    move_article(session, article_id, target, reason=f"decided again after article {earlier_id}")
    return "moved"


def move_article(session: Session, article_id: int, to_event_id: int | None, *, reason: str = "moved by hand") -> int:
    """Move a wrongly linked article to another event (or, with None, to a new event of its own).
    Both events' counts and ledgers follow; the move is recorded. Returns the article's new event id."""
    from storage.models import Article

    link = session.get(ArticleEvent, article_id)
    if link is None:
        raise ValueError(f"article {article_id} is not linked to an event")
    from_event_id = link.event_id
    if to_event_id is None:
        article = session.get(Article, article_id)
        now = utcnow()
        event = Event(headline=article.title, first_seen=now, last_seen=now, profile={"linker": linking.LINKER}, ledger={})
        session.add(event)
        session.flush()
        to_event_id = event.id
    target = session.get(Event, to_event_id)
    if target is None:
        raise ValueError(f"no event {to_event_id}")
    while target.merged_into_id:  # moving to a merged event means moving to where it went
        target = session.get(Event, target.merged_into_id)
    to_event_id = target.id
    while True:
        if to_event_id == from_event_id:
            return to_event_id
        target = {event.id: event for event in _lock_events(session, from_event_id, to_event_id)}[to_event_id]
        session.refresh(link)  # a merge that held an event's row moved the link or the target: lock where they are now
        if link.event_id == from_event_id and target.merged_into_id is None:
            break
        from_event_id, to_event_id = link.event_id, _final(session, to_event_id)
    link.event_id = to_event_id
    link.decision = "moved"
    link.features = {**(link.features or {}), "moved_from": from_event_id, "move_reason": reason}
    link.linked_at = utcnow()
    session.execute(update(ArticleLinkFeatures).where(ArticleLinkFeatures.article_id == article_id).values(event_id=to_event_id))
    session.add(ArticleMove(article_id=article_id, from_event_id=from_event_id, to_event_id=to_event_id, reason=reason, moved_at=utcnow()))
    changefeed.emit(session, changes.article_moved(article_id, from_event_id, to_event_id, reason=reason))
    session.flush()
    for event_id in (from_event_id, to_event_id):
        event = session.get(Event, event_id)
        _refresh_event(session, event)
        changefeed.rebuild_ledger(session, event_id)
    return to_event_id
