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
from functools import lru_cache
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
FIGURE = "figure"
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
        return {
            "id": self.id,
            "version": SCHEMA_VERSION,
            "kind": self.kind,
            "event_id": self.event_id,
            "article_id": self.article_id,
            "at": self.at,
            "data": self.data,
        }


# --- link-level changes -----------------------------------------------------------------------------------


def event_opened(event_id: int, article_id: int, *, score: float, title: str | None, url: str | None = None) -> Change:
    return Change(EVENT_OPENED, event_id, {"title": title, "url": url, "score": _score(score)}, article_id)


def article_linked(event_id: int, article_id: int, *, score: float, decision: str, title: str | None, url: str | None = None) -> Change:
    return Change(ARTICLE_LINKED, event_id, {"title": title, "url": url, "score": _score(score), "decision": decision}, article_id)


def events_merged(from_event_id: int, into_event_id: int, *, reason: str, score: float | None) -> Change:
    return Change(
        EVENTS_MERGED,
        into_event_id,
        {"from_event_id": from_event_id, "into_event_id": into_event_id, "reason": reason, "score": _score(score)},
    )


def article_moved(article_id: int, from_event_id: int | None, to_event_id: int, *, reason: str) -> Change:
    return Change(ARTICLE_MOVED, to_event_id, {"from_event_id": from_event_id, "to_event_id": to_event_id, "reason": reason}, article_id)


def _score(score: float | None) -> float | None:
    return None if score is None else round(float(score), 4)


# --- reading a ledger (claimwire/ledger.py, shape in docs/LEDGER.md) ------------------------------------------


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)  # a ledger read back is plain dicts: no ABC check


def _list(value: Any) -> list:
    """VALUE's items, to read (a list is not copied), or none when it is not a list."""
    if type(value) is list:
        return value
    return list(value) if isinstance(value, (list, tuple)) else []


def _dict(value: Any) -> Mapping[str, Any]:
    return value if _is_mapping(value) else {}


def ledger_rows(ledger: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The ledger's rows by their stable key (measure|party): the casualty rows, then the other figures'."""
    rows: dict[str, dict[str, Any]] = {}
    for section, kind in (("rows", CASUALTY), ("other_figures", FIGURE)):
        for row in _list(_dict(ledger).get(section)):
            if _is_mapping(row) and row.get("key"):
                rows[str(row["key"])] = {**row, "kind": kind}
    return rows


def _row_label(row: Mapping[str, Any]) -> dict[str, Any]:
    party, label = row.get("party"), row.get("party_label") or None
    return {
        "kind": row.get("kind"),
        "row": row.get("key"),
        "measure": row.get("measure"),
        "party": party,
        "party_label": label,
        "group_key": party,
        "group": label,
    }


def _family_labels(ledger: Mapping[str, Any], families: Iterable[Any]) -> list[str]:
    """How the ledger names source families; an article's own unattributed figures (no outlet known) name none."""
    known = _dict(_dict(ledger).get("sources"))
    return [str(_dict(known.get(f)).get("label") or f) for f in families if not str(f).startswith("article:")]


def _story_value(ledger: Mapping[str, Any], row: Mapping[str, Any], story: Mapping[str, Any]) -> dict[str, Any]:
    """A story of a row as a value: its label, the bounds its figures give, who tells it, in which articles."""
    figures = [f for f in _list(row.get("figures")) if _is_mapping(f) and f.get("story") == story.get("id")]
    lows = [f.get("value_min") for f in figures if f.get("value_min") is not None]
    highs = [f.get("value_max") for f in figures]
    return {
        "value": story.get("value"),
        "value_min": min(lows) if lows else story.get("low", story.get("anchor")),
        "value_max": None if not figures or None in highs else max(highs),
        "hedges": sorted({str(f["hedge"]) for f in figures if f.get("hedge")}),
        "sources": _family_labels(ledger, _list(story.get("families"))),
        "articles": [a for a in _list(story.get("articles")) if isinstance(a, int)],
    }


def _stories(row: Mapping[str, Any]) -> dict[Any, Mapping[str, Any]]:
    return {s.get("id"): s for s in _list(row.get("stories")) if _is_mapping(s)}


def _figure_key(figure: Mapping[str, Any]) -> tuple:
    return (figure.get("value_min"), figure.get("value_max"), figure.get("family"))


def added_figures(ledger: Mapping[str, Any], old_row: Mapping[str, Any] | None, row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The figures of ROW a source family states that OLD_ROW did not have (a part or detail set aside is not one)."""
    before = {_figure_key(f) for f in _list(_dict(old_row).get("figures")) if _is_mapping(f)}
    stories, out, seen = _stories(row), [], set()
    for figure in _list(row.get("figures")):
        if not _is_mapping(figure) or figure.get("status") == "aside":
            continue
        key = _figure_key(figure)
        if key in before or key in seen:
            continue
        seen.add(key)
        out.append({
            "value": figure.get("value"), "value_min": figure.get("value_min"), "value_max": figure.get("value_max"),
            "hedges": [str(figure["hedge"])] if figure.get("hedge") else [],
            "sources": [figure["source"]] if figure.get("source") else _family_labels(ledger, [figure.get("family")]),
            "articles": [figure["article_id"]] if isinstance(figure.get("article_id"), int) else [],
            "story": _dict(stories.get(figure.get("story"))).get("value"),
        })  # fmt: skip
    if stories and not _list(row.get("figures")):  # rows without figures (other figures): their stories
        old_values = _old_story_values(old_row)
        for story in stories.values():
            if (row.get("key"), story.get("value")) not in old_values:
                out.append({**_story_value(ledger, row, story), "story": story.get("value")})
    return out


def _old_story_values(old_row: Mapping[str, Any] | None) -> set[tuple]:
    return {(_dict(old_row).get("key"), s.get("value")) for s in _stories(_dict(old_row)).values()}


def headline_story(row: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The story a row's headline names (its current best figure), or None."""
    return _stories(row).get(_dict(row.get("headline")).get("story"))


def ledger_disputes(
    ledger: Mapping[str, Any] | None, *, rows: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[tuple, dict[str, Any]]:
    """The disputes a ledger shows, by identity (row key, the two stories' values): two stories of one row,
    told by different source families at the same time, that cannot both be true. ROWS: its `ledger_rows`, when
    the caller has them."""
    disputes: dict[tuple, dict[str, Any]] = {}
    for key, row in (ledger_rows(ledger) if rows is None else rows).items():
        stories = _stories(row)
        for dispute in _list(row.get("disputes")):
            pair = [stories.get(i) for i in _list(_dict(dispute).get("stories"))]
            if len(pair) != 2 or None in pair:
                continue
            values = [str(s.get("value")) for s in pair]
            disputes[(key, tuple(sorted(values)))] = {
                **_row_label(row),
                "values": values,
                "sources": [_family_labels(_dict(ledger), _list(s.get("families"))) for s in pair],
            }
    return disputes


def ledger_headline(ledger: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The event's headline: its text, and per measure (killed, injured) the toll with whether it is disputed."""
    own = _dict(ledger).get("headline")
    if not own:
        return None
    if not _is_mapping(own):
        return {"text": str(own), "tolls": []}
    tolls = [
        {"measure": m, "value": _dict(own.get(m)).get("label"), "disputed": bool(_dict(own.get(m)).get("disputed"))}
        for m in HEADLINE_MEASURES
        if own.get(m)
    ]
    return {"text": own.get("text"), "tolls": tolls or list(_list(own.get("tolls")))}


def _headline_substance(ledger: Mapping[str, Any]) -> tuple:
    """What an editor reads in the headline: each toll's value and whether it is disputed, and the row it leads
    with; more articles telling the same (the text's counts) is not a change of the headline."""
    own = _dict(ledger).get("headline")
    if not _is_mapping(own):
        return (own,)
    tolls = tuple((m, _dict(own.get(m)).get("value"), bool(_dict(own.get(m)).get("disputed"))) for m in HEADLINE_MEASURES)
    return (tolls, own.get("lead")) if any(t[1] is not None for t in tolls) or own.get("lead") else (own.get("text"),)


def _quote_words(text: Any) -> str:
    return _text_words(text) if type(text) is str else " ".join(str(text or "").lower().split())


@lru_cache(maxsize=16384)
def _text_words(text: str) -> str:
    """`_quote_words` of a text, kept per text: each diff reads the quotes of both ledgers, most of them seen before."""
    return " ".join(text.lower().split())


def ledger_quotes(ledger: Mapping[str, Any] | None) -> dict[tuple, dict[str, Any]]:
    """The ledger's quotes by identity (speaker, words): one entry per quote however many articles carry it."""
    quotes: dict[tuple, dict[str, Any]] = {}
    for group in _list(_dict(ledger).get("quotes")):
        if not _is_mapping(group):
            continue
        entries = _list(group.get("quotes")) if "quotes" in group else [group]  # a ledger before version 3: flat quotes
        speaker_key = group.get("key") or group.get("speaker_key") or group.get("speaker")
        for entry in entries:
            if not _is_mapping(entry) or not entry.get("text"):
                continue
            articles = [a for a in _list(entry.get("articles")) or [entry.get("article_id")] if isinstance(a, int)]
            quotes.setdefault((speaker_key, _quote_words(entry["text"])), {
                "kind": "quote", "speaker": group.get("speaker"), "speaker_key": speaker_key, "text": entry["text"],
                "article_id": articles[0] if articles else None, "articles": articles,
            })  # fmt: skip
    return quotes


# --- the diff -----------------------------------------------------------------------------------------------


def diff_ledgers(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, *, event_id: int, article_id: int | None = None
) -> list[Change]:
    """What changed between two ledgers of one event, in a fixed order: figures added, tolls revised,
    disputes that appeared, disputes resolved, the headline, quotes added. ARTICLE_ID: the article whose
    arrival caused the rebuild (None for a merge or a move)."""
    old, new = _dict(old), _dict(new)
    changes: list[Change] = []
    old_rows, new_rows = ledger_rows(old), ledger_rows(new)
    for key, row in new_rows.items():
        for value in added_figures(new, old_rows.get(key), row):
            changes.append(Change(FIGURE_ADDED, event_id, {**_row_label(row), **value, "new_row": key not in old_rows}, article_id))
    for key, row in new_rows.items():
        was, now = headline_story(old_rows.get(key, {})), headline_story(row)
        if row.get("kind") == CASUALTY and was is not None and now is not None and was.get("anchor") != now.get("anchor"):
            changes.append(Change(TOLL_REVISED, event_id, {
                **_row_label(row), "previous": _story_value(old, old_rows[key], was), "current": _story_value(new, row, now),
            }, article_id))  # fmt: skip
    old_disputes, new_disputes = ledger_disputes(old, rows=old_rows), ledger_disputes(new, rows=new_rows)
    changes += [Change(DISPUTE_APPEARED, event_id, dispute, article_id) for key, dispute in new_disputes.items() if key not in old_disputes]
    changes += [Change(DISPUTE_RESOLVED, event_id, dispute, article_id) for key, dispute in old_disputes.items() if key not in new_disputes]
    was_headline, headline = ledger_headline(old), ledger_headline(new)
    if _headline_substance(old) != _headline_substance(new):
        changes.append(
            Change(
                HEADLINE_CHANGED,
                event_id,
                {
                    "previous": (was_headline or {}).get("text"),
                    "headline": (headline or {}).get("text"),
                    "tolls": (headline or {}).get("tolls", []),
                },
                article_id,
            )
        )
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
