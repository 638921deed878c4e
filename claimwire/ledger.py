"""An event's claim ledger: figures grouped by what they measure and about whom,
with their sources, the range of values, contradictions and a timeline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from claimwire.claims import CASUALTY, FIGURE, QUOTE, STATEMENT


def _bounds(claim: Mapping[str, Any]) -> tuple[float, float]:
    low = claim.get("value_min")
    high = claim.get("value_max")
    return (float(low) if low is not None else 0.0, float(high) if high is not None else float("inf"))


def overlaps(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    """Do two figures agree once their hedges are taken into account?"""
    left_low, left_high = _bounds(left)
    right_low, right_high = _bounds(right)
    return left_low <= right_high and right_low <= left_high


def format_value(claim: Mapping[str, Any]) -> str:
    low, high = claim.get("value_min"), claim.get("value_max")

    def number(value: float) -> str:
        return str(int(value)) if float(value).is_integer() else f"{value:g}"

    if low is None:
        return "?"
    if high is None:
        return f"≥{number(low)}"
    if low == high:
        return number(low)
    return f"{number(low)}–{number(high)}"


def build_ledger(articles: Iterable[Mapping[str, Any]], claims: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """articles: dicts with id, title, outlet, url, arrived (ISO time), in arrival order.
    claims: dicts with the Claim fields plus article_id."""
    article_list = list(articles)
    arrived = {a["id"]: a.get("arrived") for a in article_list}
    order = {a["id"]: index for index, a in enumerate(article_list)}
    claims_sorted = sorted(claims, key=lambda c: (order.get(c["article_id"], 0), c.get("start") or 0))

    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    timeline: list[dict[str, Any]] = []
    quotes: list[dict[str, Any]] = []
    for claim in claims_sorted:
        kind = claim["kind"]
        if kind in (QUOTE, STATEMENT):
            quotes.append(
                {
                    "kind": kind,
                    "speaker": claim.get("source"),
                    "speaker_key": claim.get("source_key"),
                    "text": claim.get("text"),
                    "article_id": claim["article_id"],
                }
            )
            continue
        if kind not in (CASUALTY, FIGURE):
            continue
        group_key = claim.get("group_key") or ""
        key = (kind, claim.get("measure") or "", group_key)
        entry = groups.setdefault(
            key,
            {"kind": kind, "measure": claim.get("measure"), "group_key": group_key or None, "groups": [], "values": {}},
        )
        if claim.get("group") and claim["group"] not in entry["groups"]:
            entry["groups"].append(claim["group"])
        value_key = (claim.get("value_min"), claim.get("value_max"))
        value = entry["values"].setdefault(
            value_key,
            {
                "value": format_value(claim),
                "value_min": claim.get("value_min"),
                "value_max": claim.get("value_max"),
                "hedges": [],
                "sources": [],
                "articles": [],
                "first_seen": arrived.get(claim["article_id"]),
            },
        )
        if claim.get("hedge") and claim["hedge"] not in value["hedges"]:
            value["hedges"].append(claim["hedge"])
        source = claim.get("source") or "(unattributed)"
        if source not in value["sources"]:
            value["sources"].append(source)
        if claim["article_id"] not in value["articles"]:
            value["articles"].append(claim["article_id"])
        if kind == CASUALTY:
            timeline.append(
                {
                    "arrived": arrived.get(claim["article_id"]),
                    "article_id": claim["article_id"],
                    "measure": claim.get("measure"),
                    "group_key": group_key or None,
                    "value": format_value(claim),
                    "source": claim.get("source"),
                }
            )

    figures = []
    for entry in groups.values():
        values = list(entry.pop("values").values())
        conflicts = []
        for index, left in enumerate(values):
            for right in values[index + 1:]:
                if not overlaps(left, right):
                    conflicts.append([left["value"], right["value"]])
                    entry.setdefault("conflict_sources", []).append([left["sources"], right["sources"]])
        lows = [v["value_min"] for v in values if v["value_min"] is not None]
        highs = [v["value_max"] if v["value_max"] is not None else float("inf") for v in values]
        entry.update(
            values=values,
            range=[min(lows) if lows else None, None if not highs or max(highs) == float("inf") else max(highs)],
            conflict=bool(conflicts),
            conflicting_values=conflicts,
        )
        figures.append(entry)
    figures.sort(key=lambda f: (f["kind"] != CASUALTY, f["measure"] or "", f["group_key"] or ""))
    _mark_changes(timeline)
    return {
        "articles": article_list,
        "figures": figures,
        "conflicts": [f for f in figures if f["conflict"] and f["kind"] == CASUALTY],
        "cross_group_conflicts": cross_group_conflicts(figures),
        "timeline": timeline,
        "quotes": quotes,
    }


# Words that name the kind of people a figure counts rather than whose side they are on:
# "pro-government forces" and "pro-government fighters" are the same actor.
GENERIC_HEADS = frozenset(
    """forces force fighters fighter troops troop militiamen militias militia members member personnel soldiers soldier
    people persons civilians men women children attackers gunmen combatants units unit allies allied backed led
    loyalists loyalist supporters elements""".split()
)


def actor_core(group_key: str | None) -> str | None:
    """The actor a group key names, without its generic head noun; None when nothing specific is left."""
    if not group_key:
        return None
    words = [w for w in group_key.replace("-", " ").replace("_", " ").lower().split() if w not in GENERIC_HEADS]
    return " ".join(words) or None


def cross_group_conflicts(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contradictions within a measure across groups that are the same actor under different words."""
    found = []
    casualty = [f for f in figures if f["kind"] == CASUALTY and f.get("group_key")]
    for index, left in enumerate(casualty):
        for right in casualty[index + 1:]:
            if left["measure"] != right["measure"] or left["group_key"] == right["group_key"]:
                continue
            core = actor_core(left["group_key"])
            if core is None or core != actor_core(right["group_key"]):
                continue
            pairs = [
                [a["value"], b["value"]]
                for a in left["values"]
                for b in right["values"]
                if not overlaps(a, b)
            ]
            if pairs:
                found.append({"measure": left["measure"], "groups": [left["group_key"], right["group_key"]], "actor": core, "conflicting_values": pairs})
    return found


def _mark_changes(timeline: list[dict[str, Any]]) -> None:
    """Mark, per measure and group, the entries where the figure differs from the one reported before."""
    last: dict[tuple, str] = {}
    for entry in timeline:
        key = (entry["measure"], entry["group_key"])
        entry["changed"] = key in last and last[key] != entry["value"]
        entry["first"] = key not in last
        last[key] = entry["value"]


def conflicting_measures(ledger: Mapping[str, Any]) -> list[str]:
    return sorted({f["measure"] for f in ledger.get("conflicts", [])} | {c["measure"] for c in ledger.get("cross_group_conflicts", [])})


def group_claims_by_article(claims: Iterable[Mapping[str, Any]]) -> dict[int, list[Mapping[str, Any]]]:
    grouped: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for claim in claims:
        grouped[claim["article_id"]].append(claim)
    return grouped
