"""The change feed and webhook subscriptions over HTTP (included by service/api.py `create_app`).

    GET    /changes                   changes after an id, oldest first (resume: next_after); filters event_id, kind
    GET    /changes/stream            the same as Server-Sent Events, resumable with Last-Event-ID (service/live.py)
    POST   /webhooks                  subscribe a URL to change kinds (and events): 201 with the signing secret, shown once
    GET    /webhooks                  the subscriptions and their delivery counts
    GET    /webhooks/{id}             one subscription
    GET    /webhooks/{id}/deliveries  its deliveries, newest first: status, attempts, last HTTP status and error
    DELETE /webhooks/{id}             unsubscribe

The webhook endpoints need the bearer token (CLAIMWIRE_API_TOKEN); the change feed is read like GET /events.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from claimwire import changes
from claimwire.errors import InputError
from claimwire.sources import is_url
from service import live
from service.auth import require_token
from service.payloads import check_encodable
from service.schemas import ERRORS, MAX_ID, ApiError
from storage import changefeed, reads, webhooks
from storage.db import session_scope
from storage.models import Webhook

router = APIRouter()
MAX_EVENT_FILTER = 100


class ChangeOut(BaseModel):
    id: int
    version: int
    kind: str
    event_id: int | None
    article_id: int | None
    at: str
    data: dict[str, Any]


class ChangePage(BaseModel):
    changes: list[ChangeOut]
    next_after: int = Field(description="pass as `after` to read on from here")
    latest: int = Field(description="the newest change id when this page was read")


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(..., max_length=4096, description="where the changes are POSTed (http or https, a public address)")
    kinds: list[str] = Field(default_factory=list, max_length=len(changes.KINDS), description="change kinds to send; empty: all")
    event_ids: list[Annotated[int, Field(ge=0, le=MAX_ID)]] = Field(
        default_factory=list, max_length=MAX_EVENT_FILTER, description="only these events; empty: all"
    )
    description: str | None = Field(None, max_length=2000)
    from_change_id: int | None = Field(None, ge=0, le=MAX_ID, description="send the changes after this id (default: from now on)")


class WebhookOut(BaseModel):
    id: int
    url: str
    kinds: list[str]
    event_ids: list[int]
    description: str | None
    active: bool
    cursor: int = Field(description="the last change id handed to this subscription")
    created_at: datetime
    deliveries: dict[str, int] = Field(default_factory=dict, description="deliveries by status")


class WebhookCreated(WebhookOut):
    secret: str = Field(description="the HMAC-SHA256 key of the X-Claimwire-Signature header; shown only now")


class DeliveryOut(BaseModel):
    id: int
    change_id: int
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


def _webhook_out(session, webhook: Webhook, model=WebhookOut, **extra) -> WebhookOut:
    return model(
        id=webhook.id,
        url=webhook.url,
        kinds=webhook.kinds or [],
        event_ids=webhook.event_ids or [],
        description=webhook.description,
        active=webhook.active,
        cursor=webhook.cursor,
        created_at=webhook.created_at,
        deliveries=webhooks.delivery_counts(session, webhook.id),
        **extra,
    )


def _kinds(kinds: list[str] | None) -> list[str]:
    unknown = sorted(set(kinds or ()) - set(changes.KINDS))
    if unknown:
        raise ApiError(422, "unknown_kind", f"unknown change kind(s): {', '.join(unknown)}; known: {', '.join(changes.KINDS)}")
    return list(dict.fromkeys(kinds or ()))


EventFilter = Annotated[
    list[Annotated[int, Query(ge=0, le=MAX_ID)]] | None, Query(max_length=MAX_EVENT_FILTER, description="only changes of these events")
]
KindFilter = Annotated[list[str] | None, Query(description="only these kinds")]


@router.get("/changes", response_model=ChangePage, responses=ERRORS, tags=["changes"])
def list_changes(
    after: int = Query(0, ge=0, le=MAX_ID), limit: int = Query(100, ge=1, le=1000), event_id: EventFilter = None, kind: KindFilter = None
) -> ChangePage:
    """The change feed, oldest first, after the id AFTER: read on with `after=next_after` (nothing is skipped)."""
    kinds = _kinds(kind)
    with session_scope(read_only=True) as session:
        latest = changefeed.latest_change_id(session)
        found, scanned = changefeed.read_changes(session, after, limit, up_to=latest, event_ids=event_id, kinds=kinds)
    return ChangePage(changes=[ChangeOut(**c.to_dict()) for c in found], next_after=scanned, latest=latest)


@router.get("/changes/stream", tags=["changes"], response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}})
async def stream_changes(
    request: Request,
    after: int | None = Query(None, ge=0, le=MAX_ID),
    event_id: EventFilter = None,
    kind: KindFilter = None,
    last_event_id: str | None = Header(None),
) -> StreamingResponse:
    """Server-Sent Events: `event: change`, `id:` the change id, `data:` the change. Resumes after Last-Event-ID
    (or `after`; default: from now on)."""
    kinds = _kinds(kind)
    start = await run_in_threadpool(live.resume_from, last_event_id, after)
    return live.stream_response(live.change_events(request, start, event_ids=event_id, kinds=kinds))


@router.post(
    "/webhooks", response_model=WebhookCreated, status_code=201, responses=ERRORS, dependencies=[Depends(require_token)], tags=["webhooks"]
)
def create_webhook(payload: WebhookIn, response: Response) -> WebhookCreated:
    """Subscribe a URL. Each change that passes the filter is POSTed to it, in order, signed with the secret returned here."""
    from tasks.webhooks import check_url
    from workers.changefeed import kick_webhooks

    check_encodable(payload)
    if not is_url(payload.url):
        raise ApiError(422, "bad_url", "url must be an http or https URL")
    try:
        check_url(payload.url)
    except InputError as error:
        raise ApiError(422, error.reason, error.message) from None
    kinds = _kinds(payload.kinds)
    with session_scope() as session:
        webhook = webhooks.create(
            session,
            url=payload.url.strip(),
            secret=secrets.token_urlsafe(32),
            kinds=kinds,
            event_ids=list(dict.fromkeys(payload.event_ids)),
            description=payload.description,
            from_change_id=payload.from_change_id,
        )
        out = _webhook_out(session, webhook, WebhookCreated, secret=webhook.secret)
    response.headers["Location"] = f"/webhooks/{out.id}"
    kick_webhooks()
    return out


@router.get("/webhooks", response_model=list[WebhookOut], responses=ERRORS, dependencies=[Depends(require_token)], tags=["webhooks"])
def list_webhooks() -> list[WebhookOut]:
    with session_scope(read_only=True) as session:
        return [_webhook_out(session, w) for w in webhooks.all_webhooks(session)]


def _get(session, webhook_id: int) -> Webhook:
    webhook = reads.webhook(session, webhook_id)
    if webhook is None:
        raise ApiError(404, "not_found", f"no webhook {webhook_id}")
    return webhook


WebhookId = Annotated[int, Path(ge=0, le=MAX_ID)]


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut, responses=ERRORS, dependencies=[Depends(require_token)], tags=["webhooks"])
def get_webhook(webhook_id: WebhookId) -> WebhookOut:
    with session_scope(read_only=True) as session:
        return _webhook_out(session, _get(session, webhook_id))


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=list[DeliveryOut],
    responses=ERRORS,
    dependencies=[Depends(require_token)],
    tags=["webhooks"],
)
def list_deliveries(
    webhook_id: WebhookId, status: str | None = Query(None, pattern="^(pending|delivered|failed)$"), limit: int = Query(100, ge=1, le=1000)
) -> list[DeliveryOut]:
    """The subscription's deliveries, newest change first."""
    with session_scope(read_only=True) as session:
        _get(session, webhook_id)
        return [
            DeliveryOut.model_validate(d, from_attributes=True)
            for d in webhooks.deliveries(session, webhook_id, limit=limit, status=status)
        ]


@router.delete("/webhooks/{webhook_id}", status_code=204, responses=ERRORS, dependencies=[Depends(require_token)], tags=["webhooks"])
def delete_webhook(webhook_id: WebhookId) -> Response:
    with session_scope() as session:
        if not webhooks.remove(session, webhook_id):
            raise ApiError(404, "not_found", f"no webhook {webhook_id}")
    return Response(status_code=204)
