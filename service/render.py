"""The CLI's view of stored events, through the one ledger presenter (claimwire/ledgerview.py)."""

from __future__ import annotations

from typing import Any

from claimwire.ledgerview import event_json, fmt_time, present, render_text, toll_text, truncate

__all__ = ["event_json", "event_row", "fmt_time", "render_ledger", "toll_text", "truncate"]


def event_row(event) -> dict[str, Any]:
    return {
        "id": event.id,
        "first_seen": event.first_seen,
        "last_seen": event.last_seen,
        "article_count": event.article_count,
        "headline": event.headline,
    }


def render_ledger(event: dict[str, Any], ledger: dict[str, Any]) -> str:
    return render_text(present(event, ledger))
