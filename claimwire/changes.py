"""The change feed's records: what changed in an event that an editor would care about.

Plain Python (no database, broker or Redis): the storage layer writes these records in the same
transaction as the write they describe (storage/changefeed.py), and the feed, the webhooks and the live
pages send them on.

Two kinds of changes:

- link-level, made where the link stage writes: `event.opened`, `article.linked` (with the linker's score),
  `events.merged`, `article.moved` (built by `event_opened`, `article_linked`, `events_merged`, `article_moved`);
- ledger-level, found by comparing an event's ledger before and after it was rebuilt: `figure.added`,
  `toll.revised`, `dispute.appeared`, `dispute.resolved`, `headline.changed`, `quote.added`
  (`diff_ledgers`, a pure function of the two ledgers).

Only `diff_ledgers` and the small readers above it (`ledger_rows`, `ledger_disputes`, `ledger_headline`,
`ledger_quotes`) know the ledger's shape (claimwire/ledger.py `build_ledger`); a new ledger shape means
adapting those readers, not the feed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1

EVENT_OPENED = "event.opened"
ARTICLE_LINKED = "article.linked"
EVENTS_MERGED = "events.merged"
ARTICLE_MOVED = "article.moved"
FIGURE_ADDED = "figure.added"
TOLL_REVISED = "toll.revised"
DISPUTE_APPEARED = "dispute.appeared"
DISPUTE_RESOLVED = "dispute.resolved"
HEADLINE_CHANGED = "headline.changed"
QUOTE_ADDED = "quote.added"

KINDS = (
    EVENT_OPENED,
    ARTICLE_LINKED,
    EVENTS_MERGED,
    ARTICLE_MOVED,
    FIGURE_ADDED,
    TOLL_REVISED,
    DISPUTE_APPEARED,
    DISPUTE_RESOLVED,
    HEADLINE_CHANGED,
    QUOTE_ADDED,
)
CASUALTY = "casualty"
HEADLINE_MEASURES = ("killed", "injured")  # the tolls a headline names, in this order


@dataclass(slots=True)
class Change:
    """One change of one event. `id` and `at` are given when it is written (storage/changefeed.py)."""

    kind: str
    event_id: int | None
    data: dict[str, Any] = field(default_factory=dict)
    article_id: int | None = None
    id: int | None = None
    at: str | None = None  # ISO 8601 UTC, "Z"

    def to_dict(self) -> dict[str, Any]:
        """The wire form (docs/schemas/change.v1.json): the stream entry, the webhook body, the SSE data."""
        return {"id": self.id, "version": SCHEMA_VERSION, "kind": self.kind, "event_id": self.event_id, "article_id": self.article_id, "at": self.at, "data": self.data}


# --- link-level changes -----------------------------------------------------------------------------------


def event_opened(event_id: int, article_id: int, *, score: float, title: str | None, url: str | None = None) -> Change:
    return Change(EVENT_OPENED, event_id, {"title": title, "url": url, "score": _score(score)}, article_id)


def article_linked(event_id: int, article_id: int, *, score: float, decision: str, title: str | None, url: str | None = None) -> Change:
    return Change(ARTICLE_LINKED, event_id, {"title": title, "url": url, "score": _score(score), "decision": decision}, article_id)


def events_merged(from_event_id: int, into_event_id: int, *, reason: str, score: float | None) -> Change:
    return Change(EVENTS_MERGED, into_event_id, {"from_event_id": from_event_id, "into_event_id": into_event_id, "reason": reason, "score": _score(score)})


def article_moved(article_id: int, from_event_id: int | None, to_event_id: int, *, reason: str) -> Change:
    return Change(ARTICLE_MOVED, to_event_id, {"from_event_id": from_event_id, "to_event_id": to_event_id, "reason": reason}, article_id)


def _score(score: float | None) -> float | None:
    return None if score is None else round(float(score), 4)


# --- reading a ledger (today's shape: claimwire/ledger.py) -------------------------------------------------


def _list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else []


def _value_key(value: Mapping[str, Any]) -> tuple:
    return (value.get("value_min"), value.get("value_max"))


def ledger_rows(ledger: Mapping[str, Any] | None) -> dict[tuple, dict[str, Any]]:
    """The ledger's rows by identity (kind, measure, group key): what one figure counts, with its values."""
    rows: dict[tuple, dict[str, Any]] = {}
    for figure in _list((ledger or {}).get("figures")):
        if isinstance(figure, Mapping):
            rows[(figure.get("kind"), figure.get("measure"), figure.get("group_key"))] = figure
    return rows


def _row_label(row: Mapping[str, Any]) -> dict[str, Any]:
    groups = [g for g in _list(row.get("groups")) if g]
    return {"kind": row.get("kind"), "measure": row.get("measure"), "group_key": row.get("group_key"), "group": ", ".join(groups) or None}


def _value_out(value: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "value": value.get("value"),
        "value_min": value.get("value_min"),
        "value_max": value.get("value_max"),
        "hedges": _list(value.get("hedges")),
        "sources": _list(value.get("sources")),
        "articles": _list(value.get("articles")),
    }


def best_value(row: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A row's current figure: the value most articles report, then most sources; a tie keeps the value reported
    first (a later report that only equals it in support does not revise it: it is a dispute, or agrees)."""
    values = [v for v in _list(row.get("values")) if isinstance(v, Mapping)]
    return max(values, key=lambda v: (len(_list(v.get("articles"))), len(_list(v.get("sources"))))) if values else None


def ledger_disputes(ledger: Mapping[str, Any] | None) -> dict[tuple, dict[str, Any]]:
    """The casualty disputes a ledger shows, by identity: two values of one row (or of one actor under two
    group names) that cannot both be true."""
    disputes: dict[tuple, dict[str, Any]] = {}
    for key, row in ledger_rows(ledger).items():
        if row.get("kind") != CASUALTY or not row.get("conflict"):
            continue
        sources = {v.get("value"): _list(v.get("sources")) for v in _list(row.get("values")) if isinstance(v, Mapping)}
        for pair in _list(row.get("conflicting_values")):
            pair = [str(v) for v in _list(pair)]
            if len(pair) != 2:
                continue
            identity = (row.get("measure"), (row.get("group_key"),), tuple(sorted(pair)))
            disputes[identity] = {**_row_label(row), "values": pair, "sources": [sources.get(v, []) for v in pair]}
    for conflict in _list((ledger or {}).get("cross_group_conflicts")):
        if not isinstance(conflict, Mapping):
            continue
        groups = tuple(str(g) for g in _list(conflict.get("groups")))
        for pair in _list(conflict.get("conflicting_values")):
            pair = [str(v) for v in _list(pair)]
            if len(pair) == 2:
                identity = (conflict.get("measure"), groups, tuple(pair))
                disputes[identity] = {"kind": CASUALTY, "measure": conflict.get("measure"), "group_key": None, "group": " / ".join(groups), "values": pair, "sources": []}
    return disputes


def ledger_headline(ledger: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The event's headline tolls: per measure (killed, injured), the value most articles report, over all
    groups, with the values that contradict it named as dissent. None when the ledger has no casualty figure.

    A ledger that carries its own `headline` (the per-party ledger of docs/LEDGER.md) is taken as it is.
    """
    from claimwire.ledger import overlaps

    ledger = ledger or {}
    own = ledger.get("headline")
    if own:
        text = own.get("text") if isinstance(own, Mapping) else str(own)
        return {"text": text, "tolls": own.get("tolls", []) if isinstance(own, Mapping) else []}
    by_measure: dict[str, dict[tuple, dict[str, Any]]] = {}
    for row in ledger_rows(ledger).values():
        if row.get("kind") != CASUALTY or row.get("measure") not in HEADLINE_MEASURES:
            continue
        pooled = by_measure.setdefault(row["measure"], {})
        for value in _list(row.get("values")):
            if not isinstance(value, Mapping):
                continue
            entry = pooled.setdefault(_value_key(value), {**_value_out(value), "articles": [], "sources": [], "first_seen": value.get("first_seen")})
            entry["articles"] += [a for a in _list(value.get("articles")) if a not in entry["articles"]]
            entry["sources"] += [s for s in _list(value.get("sources")) if s not in entry["sources"]]
            entry["first_seen"] = min(entry["first_seen"] or "", value.get("first_seen") or "") or None
    tolls, parts = [], []
    for measure in HEADLINE_MEASURES:
        values = list(by_measure.get(measure, {}).values())
        if not values:
            continue
        # most articles, then most sources, then the first reported (a tie keeps the headline stable)
        best = min(values, key=lambda v: (-len(v["articles"]), -len(v["sources"]), v["first_seen"] or "~"))
        dissent = [v["value"] for v in values if not overlaps(best, v)]
        tolls.append({"measure": measure, "value": best["value"], "articles": len(best["articles"]), "sources": best["sources"], "disputed_by": dissent})
        parts.append(f"{measure} {best['value']} ({len(best['articles'])} article{'s' if len(best['articles']) != 1 else ''})" + (f", disputed: {', '.join(dissent)}" if dissent else ""))
    if not tolls:
        return None
    return {"text": "; ".join(parts), "tolls": tolls}


def ledger_quotes(ledger: Mapping[str, Any] | None) -> dict[tuple, dict[str, Any]]:
    quotes: dict[tuple, dict[str, Any]] = {}
    for quote in _list((ledger or {}).get("quotes")):
        if isinstance(quote, Mapping) and quote.get("text"):
            key = (quote.get("article_id"), quote.get("speaker_key") or quote.get("speaker"), quote.get("text"))
            quotes.setdefault(key, {"kind": quote.get("kind"), "speaker": quote.get("speaker"), "text": quote.get("text"), "article_id": quote.get("article_id")})
    return quotes


# --- the diff -----------------------------------------------------------------------------------------------


def diff_ledgers(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, *, event_id: int, article_id: int | None = None) -> list[Change]:
    """What changed between two ledgers of one event, in a fixed order: figures added, tolls revised,
    disputes that appeared, disputes resolved, the headline, quotes added. ARTICLE_ID: the article whose
    arrival caused the rebuild (None for a merge or a move)."""
    changes: list[Change] = []
    old_rows, new_rows = ledger_rows(old), ledger_rows(new)
    for key, row in new_rows.items():
        before = {_value_key(v) for v in _list(old_rows.get(key, {}).get("values")) if isinstance(v, Mapping)}
        for value in _list(row.get("values")):
            if isinstance(value, Mapping) and _value_key(value) not in before:
                changes.append(Change(FIGURE_ADDED, event_id, {**_row_label(row), **_value_out(value), "new_row": key not in old_rows}, article_id))
    for key, row in new_rows.items():
        if row.get("kind") != CASUALTY or key not in old_rows:
            continue
        was, now = best_value(old_rows[key]), best_value(row)
        if was is not None and now is not None and _value_key(was) != _value_key(now):
            changes.append(Change(TOLL_REVISED, event_id, {**_row_label(row), "previous": _value_out(was), "current": _value_out(now)}, article_id))
    old_disputes, new_disputes = ledger_disputes(old), ledger_disputes(new)
    changes += [Change(DISPUTE_APPEARED, event_id, dispute, article_id) for key, dispute in new_disputes.items() if key not in old_disputes]
    changes += [Change(DISPUTE_RESOLVED, event_id, dispute, article_id) for key, dispute in old_disputes.items() if key not in new_disputes]
    was_headline, headline = ledger_headline(old), ledger_headline(new)
    if (was_headline or {}).get("text") != (headline or {}).get("text"):
        changes.append(Change(HEADLINE_CHANGED, event_id, {"previous": (was_headline or {}).get("text"), "headline": (headline or {}).get("text"), "tolls": (headline or {}).get("tolls", [])}, article_id))
    old_quotes = ledger_quotes(old)
    changes += [Change(QUOTE_ADDED, event_id, quote, article_id) for key, quote in ledger_quotes(new).items() if key not in old_quotes]
    return changes


def matches(change: Mapping[str, Any], kinds: Iterable[str] | None, event_ids: Iterable[int] | None) -> bool:
    """Does a change (its wire form) pass a subscription's filter? No kinds / no event ids: all of them.
    A merge matches an event filter naming either of its events."""
    kinds = list(kinds or ())
    if kinds and change.get("kind") not in kinds:
        return False
    wanted = set(event_ids or ())
    if not wanted:
        return True
    data = change.get("data") or {}
    return bool(wanted & {change.get("event_id"), data.get("from_event_id"), data.get("into_event_id")} - {None})
