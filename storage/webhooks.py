"""Webhook subscriptions and their deliveries: the queries (the sending is tasks/webhooks.py).

Each subscription receives the changes that pass its filter in change order, one at a time: its next
delivery is made once the one before it was delivered or has failed for good (`next_delivery`). A deliverer
takes a subscription with a lease (`lease`, a conditional UPDATE: no transaction is held during the HTTP
request), so that several deliverers never send one subscription's changes at once or out of order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from storage import changefeed
from storage.models import ChangeRecord, Webhook, WebhookDelivery, utcnow

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
SCAN_LIMIT = 500  # changes looked at per call of next_delivery


def create(
    session: Session,
    *,
    url: str,
    secret: str,
    kinds: Sequence[str],
    event_ids: Sequence[int],
    description: str | None,
    from_change_id: int | None,
) -> Webhook:
    """A new subscription; it receives the changes after FROM_CHANGE_ID (default: those from now on)."""
    cursor = changefeed.latest_change_id(session) if from_change_id is None else from_change_id
    webhook = Webhook(
        url=url,
        secret=secret,
        kinds=list(kinds),
        event_ids=list(event_ids),
        description=description,
        active=True,
        cursor=cursor,
        created_at=utcnow(),
    )
    session.add(webhook)
    session.flush()
    return webhook


def all_webhooks(session: Session) -> list[Webhook]:
    return list(session.execute(select(Webhook).order_by(Webhook.id)).scalars())


def remove(session: Session, webhook_id: int) -> bool:
    return session.execute(delete(Webhook).where(Webhook.id == webhook_id)).rowcount == 1


def count_active(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Webhook).where(Webhook.active.is_(True))).scalar_one()


def deliveries(session: Session, webhook_id: int, *, limit: int = 100, status: str | None = None) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    return list(session.execute(query.order_by(WebhookDelivery.change_id.desc()).limit(limit)).scalars())


def delivery_counts(session: Session, webhook_id: int) -> dict[str, int]:
    rows = session.execute(
        select(WebhookDelivery.status, func.count()).where(WebhookDelivery.webhook_id == webhook_id).group_by(WebhookDelivery.status)
    )
    return {status: count for status, count in rows}


# --- delivering ------------------------------------------------------------------------------------------


def due(session: Session, now: datetime) -> list[int]:
    """Active, unleased subscriptions with something to do now: a pending delivery that is due, or changes
    after their cursor (which may or may not pass their filter)."""
    latest = changefeed.latest_change_id(session)
    pending_due = select(WebhookDelivery.webhook_id).where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now)
    waiting = select(WebhookDelivery.webhook_id).where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at > now)
    query = select(Webhook.id).where(
        Webhook.active.is_(True),
        (Webhook.lease_until.is_(None)) | (Webhook.lease_until < now),
        Webhook.id.in_(pending_due) | ((Webhook.cursor < latest) & Webhook.id.not_in(waiting)),
    )
    return list(session.execute(query.order_by(Webhook.id)).scalars())


def next_retry_at(session: Session) -> datetime | None:
    """When the earliest pending delivery of an active subscription is due."""
    return session.execute(
        select(func.min(WebhookDelivery.next_attempt_at))
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.status == PENDING, Webhook.active.is_(True))
    ).scalar_one()


def lease(session: Session, webhook_id: int, seconds: float, now: datetime) -> bool:
    """Take the subscription for SECONDS; False when another deliverer holds it (or it is gone or inactive)."""
    statement = (
        update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.active.is_(True), (Webhook.lease_until.is_(None)) | (Webhook.lease_until < now))
        .values(lease_until=now + timedelta(seconds=seconds))
    )
    return session.execute(statement).rowcount == 1


def release(session: Session, webhook_id: int) -> None:
    session.execute(update(Webhook).where(Webhook.id == webhook_id).values(lease_until=None))


def next_delivery(session: Session, webhook: Webhook, now: datetime) -> tuple[WebhookDelivery, ChangeRecord] | None:
    """The subscription's pending delivery with its change; else one made for its next matching change (the
    cursor moves to it). None when nothing is left to send."""
    pending = session.execute(
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook.id, WebhookDelivery.status == PENDING)
        .order_by(WebhookDelivery.change_id)
        .limit(1)
    ).scalar_one_or_none()
    if pending is None:
        latest = changefeed.latest_change_id(session)
        while webhook.cursor < latest:
            changes, scanned = changefeed.read_changes(
                session, webhook.cursor, SCAN_LIMIT, up_to=latest, event_ids=webhook.event_ids or None, kinds=webhook.kinds or None
            )
            if changes:
                webhook.cursor = changes[0].id
                pending = WebhookDelivery(
                    webhook_id=webhook.id,
                    change_id=changes[0].id,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    updated_at=now,
                )
                session.add(pending)
                session.flush()
                break
            webhook.cursor = scanned
        if pending is None:
            return None
    return pending, session.get(ChangeRecord, pending.change_id)


def record_attempt(
    session: Session, delivery_id: int, *, ok: bool, status_code: int | None, error: str | None, retry_at: datetime | None
) -> str:
    """Record one attempt: delivered, pending again until RETRY_AT, or failed for good (RETRY_AT None). Returns the status."""
    status = DELIVERED if ok else (PENDING if retry_at is not None else FAILED)
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(
            status=status,
            attempts=WebhookDelivery.attempts + 1,
            last_status_code=status_code,
            last_error=(error or None) and error[:2000],
            next_attempt_at=retry_at,
            updated_at=utcnow(),
        )
    )
    return status
