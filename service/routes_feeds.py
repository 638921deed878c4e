"""POST /feeds and GET /feeds: the RSS and Atom feeds beat polls."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response

from claimwire.settings import get_settings
from claimwire.sources import is_url, outlet_from_url, strip_credentials
from service.auth import require_token
from service.payloads import check_encodable, check_feed_url
from service.schemas import ERRORS, MAX_ID, PAGE_MAX, ApiError, FeedIn, FeedOut
from storage import reads, repository
from storage.db import session_scope

router = APIRouter()


def feed_out(feed, created: bool | None = None) -> FeedOut:
    return FeedOut(
        id=feed.id,
        url=strip_credentials(feed.url),
        title=feed.title,
        outlet=feed.outlet,
        active=feed.active,
        interval_s=feed.interval_s,
        last_polled_at=feed.last_polled_at,
        next_poll_at=feed.next_poll_at,
        last_status=feed.last_status,
        last_error=feed.last_error,
        item_count=feed.item_count,
        created=created,
    )


@router.post(
    "/feeds",
    response_model=FeedOut,
    status_code=201,
    responses={200: {"model": FeedOut, "description": "Already registered"}, **ERRORS},
    dependencies=[Depends(require_token)],
    tags=["feeds"],
)
def post_feed(payload: FeedIn, response: Response) -> FeedOut:
    """Register an RSS or Atom feed; beat polls it every interval_s seconds."""
    check_encodable(payload)
    if not is_url(payload.url):
        raise ApiError(422, "bad_url", "url must be an http or https URL")
    url = strip_credentials(payload.url.strip())
    check_feed_url(url)
    with session_scope() as session:
        feed_id, created = repository.add_feed(
            session,
            url,
            title=payload.title,
            outlet=payload.outlet or outlet_from_url(url),
            interval_s=payload.interval_s or get_settings().feed_default_interval_s,
        )
    with session_scope() as session:
        out = feed_out(reads.feed(session, feed_id), created)
    response.headers["Location"] = f"/feeds/{feed_id}"
    if not created:
        response.status_code = 200
    return out


@router.get("/feeds", response_model=list[FeedOut], tags=["feeds"])
def list_feeds(limit: int = Query(PAGE_MAX, ge=1, le=PAGE_MAX), offset: int = Query(0, ge=0, le=MAX_ID)) -> list[FeedOut]:
    """Registered feeds by id, LIMIT from OFFSET."""
    with session_scope() as session:
        return [feed_out(feed) for feed in repository.list_feeds(session, limit=limit, offset=offset)]
