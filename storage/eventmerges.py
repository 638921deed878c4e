"""Merging events and moving an article to another event, with the counts, the ledgers and the change feed
following; and the merge pass that repairs a split two concurrent linkers made (storage/eventindex.py)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from claimwire import changes, linking
from claimwire.linking import ArticleFeatures
from storage import changefeed
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


class _Excluding(DbIndex):
    def __init__(self, session: Session, article_id: int):
        super().__init__(session)
        self.article_id = article_id

    def candidates(self, keys, day, limit_per_key):
        return [(k, a) for k, a in super().candidates(keys, day, limit_per_key) if a != self.article_id]


class _NothingToRepair(Exception):
    pass


def repair_concurrent_split(session: Session, article_id: int, features: ArticleFeatures, event_id: int, newest_seen: int) -> int | None:
    """The merge pass behind the key locks. An article that opened a new event decides again once its link
    is committed; if it now joins an event that was opened concurrently (after it read the index), the two
    are one event split by the race: merge them. Sequentially this never fires (no event appears between
    the read and the write), so the linker stays deterministic. Returns the surviving event id, if merged."""

    # only an event opened above `newest_seen` by someone else can be merged with: most of the time there is
    # none, and one indexed look-up (once the key locks are held, so that a concurrent linker of a related
    # article has committed) saves the retrieval and scoring
    def lock_then_check(keys) -> None:
        lock_keys(session, keys)
        if not session.execute(select(Event.id).where(Event.id > newest_seen, Event.id != event_id).limit(1)).first():
            raise _NothingToRepair

    try:
        decision, _ = linking.decide(features, _Excluding(session, article_id), lock=lock_then_check)
    except _NothingToRepair:
        return None
    other = decision.event_id
    if other is None or other <= newest_seen:
        return None
    own, other = _final(session, event_id), _final(session, other)
    if own == other:
        return None
    into, source = min(own, other), max(own, other)
    return merge_events(session, source, into, reason=f"concurrent split repaired by article {article_id}", score=decision.score)


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
    if to_event_id == from_event_id:
        return to_event_id
    _lock_events(session, from_event_id, to_event_id)
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
