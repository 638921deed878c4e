"""POST /articles and GET /articles/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from claimwire.sources import strip_credentials
from claimwire.titles import title_flags
from service.auth import require_token
from service.ingest import receive
from service.payloads import item_from
from service.schemas import (
    ERRORS,
    MAX_ID,
    PAGE_DEFAULT,
    PAGE_MAX,
    ApiError,
    ArticleAccepted,
    ArticleIn,
    ArticleOut,
    ClaimOut,
    EventRef,
    FailureOut,
)
from storage import reads, repository
from storage.db import session_scope

router = APIRouter()


@router.post(
    "/articles",
    response_model=ArticleAccepted,
    status_code=202,
    responses={200: {"model": ArticleAccepted, "description": "Already stored (duplicate)"}, **ERRORS},
    dependencies=[Depends(require_token)],
    tags=["articles"],
)
def post_article(payload: ArticleIn) -> Response:
    """Receive an article. New: 202 with its id. The same URL, external id or body again: 200, same id, duplicate true.

    The answer is made here, as a Response: FastAPI would otherwise check a plain function's return value against
    the response model in its thread pool, a second hop per post (the model is built here, so it is valid)."""
    receipt = receive(item_from(payload))
    if receipt.article_id is None:
        raise ApiError(422, "rejected", receipt.error or "the item was refused")
    accepted = ArticleAccepted(id=receipt.article_id, status=receipt.status, duplicate=not receipt.created, error=receipt.error)
    return Response(
        accepted.model_dump_json(),
        status_code=202 if receipt.created else 200,
        headers={"Location": f"/articles/{receipt.article_id}"},
        media_type="application/json",
    )


@router.get("/articles/{article_id}", response_model=ArticleOut, responses=ERRORS, tags=["articles"])
def get_article(
    article_id: Annotated[int, Path(ge=0, le=MAX_ID)],
    claims_offset: int = Query(0, ge=0, le=MAX_ID),
    claims_limit: int = Query(PAGE_DEFAULT, ge=0, le=PAGE_MAX),
) -> ArticleOut:
    """One article; its claims a page at a time (claims_offset, claims_limit; claims_total in all)."""
    with session_scope() as session:
        article = reads.article(session, article_id)
        if article is None:
            raise ApiError(404, "not_found", f"no article {article_id}")
        claims = repository.article_claims(session, article.id, limit=claims_limit, offset=claims_offset)
        total = repository.count_claims(session, article.id)
        return ArticleOut(
            id=article.id,
            status=article.status,
            error=strip_credentials(article.error),
            failures=[
                FailureOut(
                    stage=f.stage,
                    reason=f.reason,
                    message=strip_credentials(f.message),
                    at=f.created_at,
                    transient=bool(f.transient),
                    retries=f.retries or 0,
                )
                for f in repository.article_failures(session, article.id)
            ],
            source_kind=article.source_kind,
            url=strip_credentials(article.url),
            canonical_url=strip_credentials(article.canonical_url),
            title=article.title,
            outlet=article.outlet.key if article.outlet else None,
            published=article.published_at,
            received_at=article.received_at,
            linked_at=article.linked_at,
            language=article.language,
            duplicate_of=article.duplicate_of_id,
            title_flags=title_flags(article.title),
            claims=[ClaimOut.model_validate(c, from_attributes=True) for c in claims],
            claims_total=total,
            claims_offset=claims_offset,
            claims_next_offset=claims_offset + len(claims) if claims_offset + len(claims) < total and claims else None,
            claims_cut=article.claims_cut,
            event=event_ref(session, article.id),
        )


def event_ref(session, article_id: int) -> EventRef | None:
    """The event the article is in now (merges followed), with the link's decision and score."""
    link = reads.article_link(session, article_id)
    if link is None:
        return None
    linked = reads.event(session, link.event_id)
    current = reads.final_event(session, linked)
    return EventRef(
        id=current.id,
        headline=current.headline,
        decision=link.decision,
        score=link.score,
        merged_into=current.id if current.id != linked.id else None,
    )
