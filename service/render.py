"""Plain-text rendering of events and ledgers for the CLI."""

from __future__ import annotations

from typing import Any


def event_row(event) -> dict[str, Any]:
    return {
        "id": event.id,
        "first_seen": event.first_seen,
        "last_seen": event.last_seen,
        "article_count": event.article_count,
        "headline": event.headline,
    }


def truncate(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ").strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def fmt_time(value: Any) -> str:
    if value is None:
        return "-"
    text = value.isoformat(sep=" ") if hasattr(value, "isoformat") else str(value).replace("T", " ")
    return text[:16]


def render_ledger(event: dict[str, Any], ledger: dict[str, Any]) -> str:
    lines = [
        f"Event {event['id']}: {event['headline'] or '(no headline)'}",
        f"first seen {fmt_time(event['first_seen'])}, last seen {fmt_time(event['last_seen'])}, {event['article_count']} articles",
        "",
        "Articles, in order of arrival:",
    ]
    for number, article in enumerate(ledger.get("articles", []), start=1):
        where = article.get("outlet") or article.get("url") or article.get("source_ref") or ""
        lines.append(f"  [{article['id']}] {fmt_time(article.get('arrived'))}  {truncate(article.get('title'), 60)}  ({truncate(where, 50)})")
    lines += ["", "Figures:"]
    figures = ledger.get("figures", [])
    if not figures:
        lines.append("  (none)")
    for figure in figures:
        who = ", ".join(figure.get("groups") or []) or figure.get("group_key") or "unspecified"
        mark = "  !! CONFLICT: " + "; ".join(" vs ".join(pair) for pair in figure["conflicting_values"]) if figure.get("conflict") else ""
        label = figure["measure"] if figure["kind"] == "casualty" else f"figure: {figure['measure']}"
        if figure["kind"] != "casualty" and not figure.get("conflict"):
            continue
        lines.append(f"  {label} — {who}{mark}")
        for value in figure["values"]:
            hedge = f" ({', '.join(value['hedges'])})" if value.get("hedges") else ""
            sources = "; ".join(value["sources"])
            articles = ", ".join(str(a) for a in value["articles"])
            lines.append(f"      {value['value']:>8}{hedge}  according to: {sources}  [articles {articles}]  first {fmt_time(value.get('first_seen'))}")
    other = [f for f in figures if f["kind"] != "casualty"]
    if other:
        lines.append("  other figures: " + "; ".join(f"{v['value']} {f['measure']}" for f in other for v in f["values"])[:600])
    cross = ledger.get("cross_group_conflicts", [])
    if cross:
        lines += ["", "Conflicts across groups naming the same actor:"]
        for conflict in cross:
            pairs = "; ".join(" vs ".join(pair) for pair in conflict["conflicting_values"][:6])
            lines.append(f"  !! {conflict['measure']} — {' / '.join(conflict['groups'])}: {pairs}")
    timeline = [t for t in ledger.get("timeline", []) if t.get("first") or t.get("changed")]
    if timeline:
        lines += ["", "Timeline (first report and changes of each figure, in order of arrival):"]
        for entry in timeline[:40]:
            arrow = "→ " if entry.get("changed") else "  "
            who = entry.get("group_key") or "unspecified"
            source = f"  ({truncate(entry.get('source'), 40)})" if entry.get("source") else ""
            lines.append(f"  {fmt_time(entry.get('arrived'))}  [{entry['article_id']}] {entry['measure']} — {truncate(who, 40)}: {arrow}{entry['value']}{source}")
    quotes = ledger.get("quotes", [])
    if quotes:
        lines += ["", "Quotes:"]
        for quote in quotes:
            lines.append(f"  [{quote['article_id']}] {quote.get('speaker') or '(unattributed)'}: “{truncate(quote.get('text'), 100)}”")
    return "\n".join(lines)
