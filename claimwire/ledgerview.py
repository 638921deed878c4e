"""The one presentation of an event's ledger, for every reader: `claimwire event ID` (text,
`stored_event_text`), its `--json` and the API's event JSON (`event_json`, `stored_event_json`), and the web
event page (`present`, read by the templates). The event lists (CLI, API, web) show `tolls`.

The stored ledger (events.ledger, built by claimwire/ledger.py, shape in docs/LEDGER.md) is read
defensively: missing keys, unknown fields and values of an unexpected type are skipped, never errors;
a ledger stored by an older version (no `rows`) shows as such until it is rebuilt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from claimwire.claims import MEASURE_ORDER

TOLL_MEASURES = ("killed", "injured")
EFFECTS = {
    "first": "first report",
    "agrees": "agrees",
    "revision": "revised",
    "dispute": "disputes the headline",
    "other": "another figure",
}
STORY_ROLES = {"headline": "headline", "dissent": "disputes the headline", "revised": "revised", "other": ""}


# ------------------------------------------------------------------------------------------ reading


def as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else []


def as_dict(value: Any) -> dict:
    return dict(value) if isinstance(value, Mapping) else {}


def text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def fmt_time(value: Any, empty: str = "") -> str:
    """A time as the pages and the CLI show it: "2018-02-08 12:00" (UTC, as stored)."""
    when = parse_time(value)
    return when.strftime("%Y-%m-%d %H:%M") if when else empty


def iso_time(value: Any) -> str:
    """For <time datetime>: the store keeps naive UTC, so naive times get a Z."""
    when = parse_time(value)
    if when is None:
        return ""
    return when.isoformat(timespec="seconds") + ("Z" if when.tzinfo is None else "")


def truncate(value: Any, width: int) -> str:
    value = text(value).replace("\n", " ").strip()
    return value if len(value) <= width else value[: width - 1] + "…"


def _mappings(value: Any) -> list[dict]:
    return [dict(item) for item in as_list(value) if isinstance(item, Mapping)]


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# ------------------------------------------------------------------------------------------ the view


@dataclass(slots=True)
class StoryView:
    id: Any
    value: str
    credit: str  # who says it: "US military, 5 articles"
    articles: list[int]
    first_seen: Any
    role: str  # headline | dissent | revised | other
    note: str = ""  # "revised to 3 (raised)"


@dataclass(slots=True)
class RowView:
    key: str
    measure: str
    party_label: str
    label: str  # "killed, pro-government forces"
    names: list[str]
    stories: list[StoryView]
    disputed: bool
    headline: str  # the row's headline with its dissent


@dataclass(slots=True)
class TollView:
    measure: str
    label: str  # "about 100"
    disputed: bool


@dataclass(slots=True)
class OtherView:
    what: str  # "people, pro-government forces" / "miles"
    value: str
    articles: int


@dataclass(slots=True)
class TimelineView:
    at: Any
    article_id: Any
    row_label: str
    value: str
    effect: str
    credit: str


@dataclass(slots=True)
class SaidView:
    """One quote (or reported statement) of a speaker, with the articles that carry it."""

    kind: str  # quote | statement
    text: str
    articles: list = field(default_factory=list)
    partial: bool = False


@dataclass(slots=True)
class SpeakerView:
    """One speaker of the event (one person across its articles) and what they said."""

    speaker: str  # the fullest name with title, or the description; "" for unattributed
    key: str
    role: str = ""
    names: list[str] = field(default_factory=list)
    said: list[SaidView] = field(default_factory=list)

    @property
    def label(self) -> str:
        name = self.speaker or "(unattributed)"
        return f"{name}, {self.role}" if self.role and self.role not in name else name


@dataclass(slots=True)
class EventView:
    id: Any
    title: str
    first_seen: Any
    last_seen: Any
    article_count: int
    tolls: list[TollView] = field(default_factory=list)
    lead: str = ""
    rows: list[RowView] = field(default_factory=list)
    scene: list[RowView] = field(default_factory=list)
    other: list[OtherView] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    timeline: list[TimelineView] = field(default_factory=list)
    speakers: list[SpeakerView] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)
    outdated: bool = False  # stored by an older version: no rows yet


def credit(family_keys: Any, families: Mapping[str, Any], articles: int | None = None) -> str:
    """ "US military, 5 articles": the named source families (an outlet's own figure is "unattributed")."""
    named = []
    for key in as_list(family_keys):
        key = text(key)
        if key.startswith(("outlet:", "article:")):
            continue
        named.append(text(as_dict(families.get(key)).get("label")) or key)
    who = ", ".join(dict.fromkeys(named)) or "unattributed"
    if articles is None:
        return who
    return f"{who}, {articles} article{'s' if articles != 1 else ''}"


def tolls(ledger: Any) -> list[TollView]:
    """The event's headline toll per measure (killed, injured), for event lists and the page head."""
    headline = as_dict(as_dict(ledger).get("headline"))
    out = []
    for measure in TOLL_MEASURES:
        entry = as_dict(headline.get(measure))
        if entry:
            out.append(
                TollView(
                    measure=measure, label=text(entry.get("label")) or _number(entry.get("value")), disputed=bool(entry.get("disputed"))
                )
            )
    return out


def disputed_measures(ledger: Any) -> list[str]:
    """The measures on which some party's figures are disputed (for event lists)."""
    rows = _mappings(as_dict(ledger).get("rows"))
    measures = {text(r.get("measure")) for r in rows if as_list(as_dict(r.get("headline")).get("disputed_by"))}
    return sorted(measures, key=lambda m: (MEASURE_ORDER.index(m) if m in MEASURE_ORDER else len(MEASURE_ORDER), m))


def toll_text(ledger: Any) -> str:
    """ "killed about 100, injured 26 (disputed)" or "" when no figure is on record."""
    return ", ".join(f"{t.measure} {t.label}{' (disputed)' if t.disputed else ''}" for t in tolls(ledger))


def _row_view(row: Mapping[str, Any], families: Mapping[str, Any]) -> RowView:
    measure, party_label = text(row.get("measure")) or "?", text(row.get("party_label")) or text(row.get("party"))
    head = as_dict(row.get("headline"))
    dissent = {n for n in as_list(head.get("disputed_by"))}
    revised = {r.get("from"): r for r in _mappings(row.get("revisions"))}
    stories = _mappings(row.get("stories"))
    by_id = {s.get("id"): s for s in stories}
    views = []
    for story in stories:
        role = (
            "headline"
            if story.get("id") == head.get("story")
            else "dissent"
            if story.get("id") in dissent
            else ("revised" if story.get("status") == "revised" else "other")
        )
        note = ""
        if story.get("id") in revised:
            change = revised[story.get("id")]
            note = f"{text(change.get('direction')) or 'revised'} to {text(as_dict(by_id.get(change.get('to'))).get('value'))}"
        articles = [a for a in as_list(story.get("articles")) if isinstance(a, int)]
        views.append(
            StoryView(
                id=story.get("id"),
                value=text(story.get("value")) or "?",
                credit=credit(story.get("families"), families, len(articles)),
                articles=articles,
                first_seen=story.get("first_seen"),
                role=role,
                note=note,
            )
        )
    views.sort(key=lambda s: ("headline", "dissent", "other", "revised").index(s.role))
    label = f"{measure}, {party_label}" if party_label else measure
    return RowView(
        key=text(row.get("key")),
        measure=measure,
        party_label=party_label,
        label=label,
        names=[text(n) for n in as_list(row.get("names")) if n],
        stories=views,
        disputed=bool(dissent),
        headline=_row_headline(label, views),
    )


def _row_headline(label: str, stories: list[StoryView]) -> str:
    head = next((s for s in stories if s.role == "headline"), None)
    if head is None:
        return label
    line = f"{label}: {head.value} ({head.credit})"
    dissent = [s for s in stories if s.role == "dissent"]
    if dissent:
        line += " — disputed: " + "; ".join(f"{s.value} ({s.credit.rsplit(', ', 1)[0]})" for s in dissent)
    return line


def _other_view(entry: Mapping[str, Any], parties: Mapping[str, Any]) -> list[OtherView]:
    party = text(entry.get("party"))
    party_label = text(entry.get("party_label")) or text(as_dict(parties.get(party)).get("label"))
    what = text(entry.get("measure")) + (f", {party_label}" if party_label and party != "-" else "")
    return [
        OtherView(what=what, value=text(s.get("value")) or "?", articles=len(as_list(s.get("articles"))))
        for s in _mappings(entry.get("stories"))
    ]


def _timeline_view(entries: Any, labels: Mapping[str, str], families: Mapping[str, Any]) -> list[TimelineView]:
    out = []
    for entry in _mappings(entries):
        out.append(
            TimelineView(
                at=entry.get("at"),
                article_id=entry.get("article_id"),
                row_label=labels.get(text(entry.get("row"))) or text(entry.get("row")),
                value=text(entry.get("value")) or "?",
                effect=EFFECTS.get(text(entry.get("effect")), text(entry.get("effect"))),
                credit=credit([entry.get("family")], families),
            )
        )
    return out


def _said(kind: str, entry: Mapping[str, Any]) -> SaidView | None:
    words = " ".join(text(entry.get("text")).split())
    articles = as_list(entry.get("articles")) or ([entry["article_id"]] if entry.get("article_id") is not None else [])
    return SaidView(kind=kind, text=words, articles=articles, partial=bool(entry.get("partial"))) if words else None


def _speaker_of(speakers: dict[str, SpeakerView], name: str, key: str) -> SpeakerView:
    """The speaker a statement (or an old-style flat quote) belongs to: one whose names include its speaker as written."""
    for speaker in speakers.values():
        if name and (name == speaker.speaker or name in speaker.names):
            return speaker
    key = key or (f"as-written:{name.lower()}" if name else "unattributed")
    return speakers.setdefault(key, SpeakerView(speaker=name, key=key, names=[name] if name else []))


def _speakers(quotes: Any, statements: Any) -> list[SpeakerView]:
    """Quotes by speaker (ledger `quotes`: one group per person), with the reported statements of each speaker."""
    speakers: dict[str, SpeakerView] = {}
    for group in _mappings(quotes):
        if "quotes" not in group:  # a ledger stored before quotes were grouped: one flat quote
            group = {"speaker": group.get("speaker"), "key": group.get("speaker_key"), "quotes": [group]}
        key = text(group.get("key")) or f"as-written:{text(group.get('speaker')).lower()}"
        speaker = speakers.get(key) or speakers.setdefault(
            key,
            SpeakerView(
                speaker=text(group.get("speaker")),
                key=key,
                role=text(group.get("role")),
                names=[text(n) for n in as_list(group.get("names"))],
            ),
        )
        speaker.said += [said for said in (_said("quote", q) for q in _mappings(group.get("quotes"))) if said]
    for statement in _mappings(statements):
        said = _said("statement", statement)
        if said:
            _speaker_of(speakers, text(statement.get("speaker")), text(statement.get("speaker_key"))).said.append(said)
    return [s for s in speakers.values() if s.said]


def present(event: Mapping[str, Any], ledger: Any) -> EventView:
    """The view of one event and its stored ledger."""
    ledger = as_dict(ledger)
    families, parties = as_dict(ledger.get("sources")), as_dict(ledger.get("parties"))
    rows = [_row_view(r, families) for r in _mappings(ledger.get("rows"))]
    scene = [_row_view(r, families) for r in _mappings(ledger.get("scene"))]
    labels = {r.key: r.label for r in rows + scene}
    return EventView(
        id=event.get("id"),
        title=text(event.get("headline")),
        first_seen=event.get("first_seen"),
        last_seen=event.get("last_seen"),
        article_count=event.get("article_count") or 0,
        tolls=tolls(ledger),
        lead=text(as_dict(ledger.get("headline")).get("text")),
        rows=rows,
        scene=scene,
        other=[v for entry in _mappings(ledger.get("other_figures")) for v in _other_view(entry, parties)],
        context=[
            f"{text(c.get('value'))} {text(c.get('measure'))} ({text(c.get('why'))})" for c in _mappings(ledger.get("context_figures"))
        ],
        timeline=_timeline_view(ledger.get("timeline"), labels, families),
        speakers=_speakers(ledger.get("quotes"), ledger.get("statements")),
        articles=_mappings(ledger.get("articles")),
        outdated=bool(ledger) and "rows" not in ledger and "merged_into" not in ledger,
    )


def event_fields(event: Any) -> dict[str, Any]:
    """The summary fields of a stored event (any object holding them as attributes, as the store's Event does)."""
    return {
        "id": event.id,
        "headline": event.headline,
        "first_seen": event.first_seen,
        "last_seen": event.last_seen,
        "article_count": event.article_count,
    }


# ------------------------------------------------------------------------------------------ JSON and text


def stored_event_json(event: Any) -> dict[str, Any]:
    """`event_json` of a stored event (its summary fields and its `ledger` attribute)."""
    return event_json(event_fields(event), event.ledger)


def stored_event_text(event: Any) -> str:
    """`render_text` of a stored event (its summary fields and its `ledger` attribute)."""
    return render_text(present(event_fields(event), event.ledger))


def event_json(event: Mapping[str, Any], ledger: Any) -> dict[str, Any]:
    """The event as the API and `claimwire event --json` give it: summary, headline toll, the lead
    headline with its dissent, and the stored ledger itself."""
    view = present(event, ledger)
    return {
        **{k: event.get(k) for k in ("id", "headline", "first_seen", "last_seen", "article_count")},
        "toll": {
            t.measure: {
                "label": t.label,
                "disputed": t.disputed,
                "value": as_dict(as_dict(as_dict(ledger).get("headline")).get(t.measure)).get("value"),
            }
            for t in view.tolls
        },
        "lead": view.lead or None,
        "rows": [{"key": r.key, "headline": r.headline, "disputed": r.disputed} for r in view.rows + view.scene],
        "ledger": as_dict(ledger),
    }


def render_text(view: EventView) -> str:
    """The ledger as `claimwire event ID` and `claimwire demo` print it."""
    lines = [
        f"Event {view.id}: {view.title or '(no headline)'}",
        f"first seen {fmt_time(view.first_seen, '-')}, last seen {fmt_time(view.last_seen, '-')}, {view.article_count} articles",
    ]
    if view.outdated:
        lines.append("(this ledger was stored by an older version: run `claimwire rebuild-ledgers`)")
    if view.tolls:
        lines.append("Toll: " + ", ".join(f"{t.measure} {t.label}{' (disputed)' if t.disputed else ''}" for t in view.tolls))
    if view.lead:
        lines.append(f"Headline: {view.lead}")
    lines += ["", "Articles, in order of arrival:"]
    for article in view.articles:
        where = article.get("outlet") or article.get("url") or article.get("source_ref") or ""
        lines.append(
            f"  [{article.get('id')}] {fmt_time(article.get('arrived'), '-')}  {truncate(article.get('title'), 60)}  ({truncate(where, 50)})"
        )
    lines += _rows_text("Ledger, one row per party and measure:", view.rows)
    if view.scene:
        lines += _rows_text("In all (victims, suspects and bystanders of one scene counted together):", view.scene)
    if view.other:
        lines += ["", "Other figures (never compared unless they count the same party):"]
        lines += [f"  {o.value} {o.what} — {o.articles} article{'s' if o.articles != 1 else ''}" for o in view.other]
    if view.context:
        lines += ["", "About other incidents (not compared): " + "; ".join(view.context)[:600]]
    lines += _timeline_text(view.timeline)
    lines += _quotes_text(view.speakers)
    return "\n".join(lines)


def _rows_text(title: str, rows: list[RowView]) -> list[str]:
    lines = ["", title]
    if not rows:
        lines.append("  (no casualty figures)")
    for row in rows:
        lines.append(f"  {row.label}{'   !! DISPUTED' if row.disputed else ''}")
        for story in row.stories:
            role = STORY_ROLES.get(story.role, story.role)
            note = f" ({story.note})" if story.note else ""
            refs = ",".join(str(a) for a in story.articles)
            lines.append(f"      {story.value:>14}  {truncate(story.credit, 60):60}  [{refs}]  {role}{note}")
    return lines


def _section(title: str, body: list[str]) -> list[str]:
    """A blank line, TITLE and BODY; nothing at all when BODY is empty."""
    return ["", title, *body] if body else []


def _timeline_text(entries: list[TimelineView]) -> list[str]:
    return _section("Timeline (each article's figures as they came):", [_timeline_line(entry) for entry in entries[:60]])


def _timeline_line(entry: TimelineView) -> str:
    who = f" ({entry.credit})" if entry.credit != "unattributed" else ""
    return f"  {fmt_time(entry.at, '-')}  [{entry.article_id}] {entry.row_label}: {entry.value}{who} — {entry.effect}"


def _quotes_text(speakers: list[SpeakerView]) -> list[str]:
    return _section("Quotes, by speaker:", [line for speaker in speakers for line in _speaker_lines(speaker)])


def _speaker_lines(speaker: SpeakerView) -> list[str]:
    lines = [f"  {speaker.label}:"]
    for said in speaker.said:
        words = f"“{truncate(said.text, 100)}”" if said.kind == "quote" else f"{truncate(said.text, 100)} (reported)"
        lines.append(f"    {words}  [{', '.join(str(a) for a in said.articles)}]")
    return lines
