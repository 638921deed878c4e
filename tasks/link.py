"""Stage 4: join the article to an existing event or open a new one.

Concurrency: no global lock. Each link transaction takes PostgreSQL advisory locks on the
article's retrieval keys (all at once, sorted) before it reads the index; keys the frequencies read under them add are
taken without waiting, or the transaction starts again (`_KeyLocks`), so two links never deadlock. Two articles that could meet
each other (or the same events) share a key, so they are decided one after the other; unrelated articles
link in parallel.

Receipt order: an article retrieves only articles received before it (lower ids, `DbIndex(below=...)`), as
the in-process run, where every earlier article is linked before it and no later one is. When an article is
linked after some articles received after it that share one of its keys (they were quicker through the
stages before), those did not see it: each is decided again, in receipt order, once its link is committed,
and follows its new decision (storage/eventmerges.py `redecide_later`: its own event merged into the one it
now joins when it opened it, else the article moved). The document frequencies it weighs keys by are those
of the articles received before it: the counts less the later articles linked already, read once the key locks
are held, so that no article sharing a locked key is counted between the read and the link's commit. Which keys to
lock depends on those frequencies, so the locks are chosen by the frequencies this process read last
(`linking.FrequencyHint`); the keys the frequencies read then choose and the guess missed are taken after,
without waiting, and the frequencies read again. What still differs from the in-process run, and the bound measured: docs/SCALING.md.
"""

from __future__ import annotations

import logging
import time

from claimwire import linking
from claimwire.errors import TransientError
from storage import eventindex, eventmerges, linkwrite
from storage.db import STORE_ERRORS, session_scope, store_error_reason
from tasks.base import register, run_stage, stage_task, take_over
from tasks.pipeline import STAGES
from workers import (
    changefeed as change_publisher,  # noqa: F401 - publishes a merge's change after commit
    metrics,
)

logger = logging.getLogger("claimwire.tasks")
STAGE = STAGES["link"]


def article_date(article):
    """The article's own date: its publication date; None when it has none (see docs/LINKING.md)."""
    return article.published_at


class KeysTaken(Exception):
    """A key the article's frequencies add to its locks is locked by another link: the transaction starts again."""


class _KeyLocks:
    """Takes the article's key locks for `linking.decide` and times the wait for them and the hold until commit.

    Only the first set (the guess) is waited for (all at once, in sorted order). Keys the frequencies read under
    it add are taken without waiting: a transaction that holds keys and waits for more can deadlock with one that
    holds those and waits for ours (CI: two link workers, each adding keys after its first set)."""

    def __init__(self, session):
        self.session = session
        self.acquired: float | None = None
        self.held: set[str] = set()

    def __call__(self, keys) -> None:
        wanted = set(keys) - self.held
        if not wanted:
            return
        if self.held:
            if not eventindex.try_lock_keys(self.session, wanted):
                raise KeysTaken(sorted(wanted))
            self.held |= wanted
            return
        started = time.perf_counter()
        eventindex.lock_keys(self.session, wanted)
        metrics.LINK_KEY_LOCK_WAIT.observe(time.perf_counter() - started)
        self.acquired = time.perf_counter()
        self.held = wanted

    def committed(self) -> None:
        if self.acquired is not None:
            metrics.LINK_KEY_LOCK_HOLD.observe(time.perf_counter() - self.acquired)


def _merge(session, article, decision) -> int | None:
    """Make the merges the decision names. Returns the event the article goes to (None: a new one)."""
    event_id = decision.event_id
    if not decision.merge:
        return event_id
    event_id = eventmerges.final_event_id(session, event_id)  # it may have been merged meanwhile
    for other in decision.merge:
        event_id = eventmerges.merge_events(
            session,
            other,
            event_id,
            reason=f"article {article.id} matches both",
            score=decision.features.get("merge_scores", {}).get(str(other)),
            rebuild=False,
        )
    return event_id


def _count(session, article_id: int, features, concurrent: bool) -> None:
    """Add the article to the document frequencies. SQLite: in the link's transaction (one writer anyway).
    PostgreSQL: in autocommit (a statement of its own, committed at once), just before the link's commit, so that
    hot rows (common words) never wait for a link transaction, and so that an article that waited for this one's
    key locks reads the frequencies with it counted. Either way once per article: a link
    rolled back after its count, and tried again, does not count it again (`eventindex.count_document`)."""
    if not concurrent:
        eventindex.count_document(session, article_id, features.keys)
        return
    eventindex.count_document_now(article_id, features.keys)


FREQUENCY_HINT = linking.FrequencyHint()  # this process's last frequencies: which keys to lock before reading them
LINK_ATTEMPTS = 5  # a link that found a key it wanted taken starts again this many times, then is retried with backoff


def link_article(article_id: int) -> bool:
    for attempt in range(1, LINK_ATTEMPTS + 1):
        try:
            return _link_once(article_id)
        except KeysTaken as taken:
            if attempt == LINK_ATTEMPTS:
                raise TransientError("lock_conflict", f"link keys held by another link: {taken}") from taken
            metrics.LINK_RESTARTS.inc()
    raise AssertionError("unreachable")


def _link_once(article_id: int) -> bool:
    with session_scope(stage_write=True) as session:
        article = take_over(STAGE, article_id) or linkwrite.read_for_link(session, article_id, STAGE.accepts)
        features = linking.article_features(article.title, article.clean_text or "", article_date(article))
        concurrent = session.get_bind().dialect.name == "postgresql"
        locks = _KeyLocks(session)
        index = eventindex.DbIndex(session, below=article_id)
        decision, keys = linking.decide(features, index, lock=locks, hint=FREQUENCY_HINT if concurrent else None)
        linked = linkwrite.write_link(
            session,
            article,
            STAGE.accepts,
            STAGE.produces,
            event_id=_merge(session, article, decision),
            decision=decision.decision,
            score=decision.score,
            decision_features=decision.features,
            features=features,
            keys=keys,
            when=article.published_at or article.received_at,
        )
        later = _worth_deciding_again(session, linked.later, features)
        _count(session, article_id, features, concurrent)
    locks.committed()
    for other_id, other_features in later:  # in receipt order
        _redecide(other_id, other_features, article_id)
    metrics.LINK_DECISIONS.labels(decision=decision.decision).inc()
    return True


def _worth_deciding_again(
    session, later: list[tuple[int, linking.ArticleFeatures]], earlier: linking.ArticleFeatures
) -> list[tuple[int, linking.ArticleFeatures]]:
    """The later articles linked before this EARLIER one whose decision it could change (`linking.worth_deciding_again`,
    with the frequencies as they are now: one statement in the link's transaction); the others are counted as skipped."""
    if not later:
        return []
    keys = linking.counted_keys(set().union(*(features.keys for _, features in later)))
    df, documents = eventindex.DbIndex(session).document_frequencies(keys)
    kept = [(other_id, features) for other_id, features in later if linking.worth_deciding_again(features, earlier, df, documents)]
    if len(kept) < len(later):
        metrics.LINK_REDECIDED.labels(outcome="skipped").inc(len(later) - len(kept))
    return kept


REDECIDE_ATTEMPTS = 4
REDECIDE_BACKOFF_S = 0.05


def _redecide(article_id: int, features, earlier_id: int) -> None:
    """Decide ARTICLE_ID again now that EARLIER_ID (received before it) is linked: `eventmerges.redecide_later`.
    A transaction the database or the change order rolled back (a deadlock with a merge, another transaction's
    change to the same event written first) is tried again, up to REDECIDE_ATTEMPTS times; a failure that stays
    keeps the first decision: logged, counted."""
    outcome: str | None = "failed"
    for attempt in range(1, REDECIDE_ATTEMPTS + 1):
        try:
            with session_scope() as session:
                outcome = eventmerges.redecide_later(session, article_id, features, earlier_id)
            break
        except (TransientError, *STORE_ERRORS) as error:
            if attempt == REDECIDE_ATTEMPTS or not _worth_retrying(error):
                logger.exception("link_redecide_failed", extra={"fields": {"article_id": article_id, "after": earlier_id}})
                break
            time.sleep(REDECIDE_BACKOFF_S * attempt)
        except Exception:
            logger.exception("link_redecide_failed", extra={"fields": {"article_id": article_id, "after": earlier_id}})
            break
    metrics.LINK_REDECIDED.labels(outcome=outcome or "kept").inc()


def _worth_retrying(error: Exception) -> bool:
    return isinstance(error, TransientError) or store_error_reason(error) == "lock_conflict"


@stage_task(STAGE)
def link(self, article_id: int) -> str:
    return run_stage(self, STAGE, article_id, link_article)


register(STAGE, link_article)
