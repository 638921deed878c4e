"""SQLAlchemy 2 typed models. Every change here goes with an Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

IdType = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """Naive UTC: both SQLite and PostgreSQL store times as UTC without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class ArticleStatus:
    RECEIVED = "received"
    FETCHED = "fetched"
    CLEANED = "cleaned"
    EXTRACTED = "extracted"
    LINKED = "linked"
    STORED = "stored"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
    FAILED = "failed"
    FINAL = (STORED, DUPLICATE, SKIPPED, FAILED)


class Outlet(Base):
    __tablename__ = "outlets"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OutletLine(Base):
    """How many of an outlet's articles contained a line: the basis of per-outlet junk learning."""

    __tablename__ = "outlet_lines"

    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"), primary_key=True)
    line_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_count: Mapped[int] = mapped_column(Integer, default=0)


class ContentOriginal(Base):
    """The original of each group of articles with the same cleaned text: the lowest id that has been cleaned,
    whatever order they were cleaned in (storage/cleaning.py swaps in a lower id that comes later). With the
    line keys its clean counted for its outlet (space-separated; NULL: none counted), to take back on a swap and to
    leave out of the counts an earlier-received article of the outlet reads (claimwire/junk.py counts_before)."""

    __tablename__ = "content_originals"
    __table_args__ = (Index("ix_content_originals_outlet_article", "outlet_id", "article_id"),)

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[int] = mapped_column(BigInteger)
    outlet_id: Mapped[int | None] = mapped_column(BigInteger)
    line_keys: Mapped[str | None] = mapped_column(Text)


class Article(Base):
    __tablename__ = "articles"
    # by status: ix_articles_status_id (below); by content hash: content_originals

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    identity: Mapped[str] = mapped_column(String(64), unique=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str | None] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(255))
    source_ref: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"))
    language: Mapped[str | None] = mapped_column(String(16))
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    clean_text: Mapped[str | None] = mapped_column(Text)
    clean_method: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=ArticleStatus.RECEIVED)
    error: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    linked_at: Mapped[datetime | None] = mapped_column(DateTime)
    claims_cut: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what the cap on claims per article left out

    outlet: Mapped[Outlet | None] = relationship()
    claims: Mapped[list["Claim"]] = relationship(back_populates="article", cascade="all, delete-orphan", order_by="Claim.start")
    link: Mapped["ArticleEvent | None"] = relationship(back_populates="article", uselist=False)


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_last_seen", "last_seen"), Index("ix_events_date_max", "date_max"))

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    headline: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    date_min: Mapped[datetime | None] = mapped_column(DateTime)
    date_max: Mapped[datetime | None] = mapped_column(DateTime)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ledger: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # PostgreSQL: the id of the last transaction that wrote changes of this event (storage/changefeed.py: an event's
    # changes go to the feed in the order they were written)
    change_xid: Mapped[int | None] = mapped_column(BigInteger)

    links: Mapped[list["ArticleEvent"]] = relationship(back_populates="event")


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_article_id", "article_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    measure: Mapped[str | None] = mapped_column(String(64))
    value_min: Mapped[float | None] = mapped_column(Float)
    value_max: Mapped[float | None] = mapped_column(Float)
    hedge: Mapped[str | None] = mapped_column(String(64))
    group: Mapped[str | None] = mapped_column(Text)
    group_key: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str | None] = mapped_column(Text)
    source_key: Mapped[str | None] = mapped_column(String(255))
    text: Mapped[str | None] = mapped_column(Text)
    sentence: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    extractor: Mapped[str] = mapped_column(String(64))
    extractor_version: Mapped[str] = mapped_column(String(32))
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    article: Mapped[Article] = relationship(back_populates="claims")


class ArticleEvent(Base):
    """The link of one article to its event, with the linker's score and the features behind it."""

    __tablename__ = "article_events"
    __table_args__ = (Index("ix_article_events_event_id", "event_id"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    decision: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    features: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    linker: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    article: Mapped[Article] = relationship(back_populates="link")
    event: Mapped[Event] = relationship(back_populates="links")


class EventMerge(Base):
    __tablename__ = "event_merges"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    from_event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    into_event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    reason: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    merged_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Failure(Base):
    __tablename__ = "failures"
    __table_args__ = (Index("ix_failures_article_id", "article_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    item: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    transient: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # may pass: posting again retries
    retries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # retries made before it was recorded


class Feed(Base):
    """An RSS or Atom feed polled by Celery beat; conditional GET state kept per feed."""

    __tablename__ = "feeds"
    __table_args__ = (Index("ix_feeds_next_poll_at", "next_poll_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    interval_s: Mapped[int] = mapped_column(Integer, default=900)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_poll_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FeedItem(Base):
    """One item seen in a feed, keyed by its canonical URL identity: each is received (and fetched) once."""

    __tablename__ = "feed_items"

    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True)
    identity: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    guid: Mapped[str | None] = mapped_column(Text)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# The sweep (tasks/sweep.py) reads the oldest articles in the unfinished statuses: an index on (status, id)
# answers that without reading the articles already done.
Index("ix_articles_status_id", Article.status, Article.id)


class ArticleLinkFeatures(Base):
    """What the linker kept of an article: its features, its date and its current event (for candidate scoring)."""

    __tablename__ = "article_link_features"
    __table_args__ = (Index("ix_article_link_features_event_id", "event_id"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    day: Mapped[int] = mapped_column(Integer)
    features: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    index_keys: Mapped[list[Any]] = mapped_column(JSON, default=list)


class EventIndexEntry(Base):
    """The inverted index: an article filed under one of its telling keys (hashed), by week bucket."""

    __tablename__ = "event_index"

    key_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # no foreign key: checked for each posting (some 30 per article) and never needed (migration 0009)
    article_id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=False)


class TermFrequency(Base):
    """Document frequencies of linker keys (hashed), updated incrementally; key_hash 0..15 are the sharded document count."""

    __tablename__ = "term_frequencies"

    key_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    df: Mapped[int] = mapped_column(Integer, default=0)


class CountedDocument(Base):
    """An article added to the document frequencies (`term_frequencies`): each is added once, however often its
    link runs (storage/eventindex.py `count_document`)."""

    __tablename__ = "counted_documents"

    article_id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=False)


class ArticleMove(Base):
    """An article moved by hand (or by a correction) from one event to another."""

    __tablename__ = "article_moves"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    from_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    to_event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    reason: Mapped[str] = mapped_column(Text)
    moved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ChangeRecord(Base):
    """The change feed (claimwire/changes.py): one row per change, written in the transaction of the write it
    describes. A reader resumes with `id > last` (storage/changefeed.py: on PostgreSQL an id is drawn from its
    transaction's id, readers see only the changes of transactions below their snapshot's xmin).
    No foreign keys: a change row must not lock the event or article rows it names."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_event_id_id", "event_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    article_id: Mapped[int | None] = mapped_column(BigInteger)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Webhook(Base):
    """A webhook subscription: which changes (kinds, events) go to which URL, signed with its secret.
    `cursor`: the last change id handed to it (delivered or given up on); deliveries go out in change order."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    event_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WebhookDelivery(Base):
    """One change sent (or being sent) to one subscription: pending until it is delivered or has failed for good."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_webhook_id_status", "webhook_id", "status"),
        Index("ix_webhook_deliveries_webhook_change", "webhook_id", "change_id", unique=True),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    change_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
