"""The article's main casualty figures: the ones the ledger uses for the article's event.

Rule (measured on gvc-dev and ecb-dev, see docs/EXTRACTORS.md):

1. Title figures first: a headline states the event's toll ("1 dead, 3 wounded in ...") --
   unless the headline only names one victim and the body's lead lists them all ("Man guilty of
   killing pregnant girlfriend" / "the deaths of a woman and her fetus").
2. Else the body's lead: among the first three numeric figures of the measure (by
   position), the largest -- later figures are often background ("100 people killed in
   the city this year").
3. Else singular victims ("a man was shot and killed", "Smith died") -> 1.
4. Else an implied figure ("a fatal shooting") -> its lower bound (1).

Then a later figure that states a hedged toll more precisely replaces it ("at least three
killed" ... "three people died"), and victims named one by one, with no figure counting more
than one, are summed (claimwire.extractors.victims).  "No casualties" gives 0 for both measures.

Injured also comes from shot figures: shot minus killed when a shot figure and a killed
figure are both stated ("four people were shot, one fatally" is already split by the
extractor); a shot figure with no killed figure at all counts as injured.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from claimwire.claims import CASUALTY, Claim
from claimwire.extractors.victims import count_victims
from claimwire.numbers import stated_value


def value(c: Claim) -> float | None:
    return stated_value(c.value_min, c.value_max, c.hedge)


MIN_CONFIDENCE = 0.0


def _usable(cands: list[Claim]) -> list[Claim]:
    cands = [
        c for c in cands if c.confidence >= MIN_CONFIDENCE or c.extra.get("singular") or c.extra.get("implied") or c.extra.get("headline")
    ]
    return [c for c in cands if not c.extra.get("partial")]


def _one_person(c: Claim) -> bool:
    """A figure of one victim read from a noun phrase or a name, with no number written ("a man", "Smith")."""
    return c.value_min == c.value_max == 1 and bool(c.extra.get("one") or c.extra.get("singular") or c.extra.get("headline"))


def _first_pick(cands: list[Claim]) -> Claim | None:
    title = [c for c in cands if c.extra.get("in_title") and not c.extra.get("implied")]
    # figures only in background sentences ("165 people were murdered in 2015") state no toll for the event
    body = [c for c in cands if not c.extra.get("in_title") and not c.extra.get("background")]
    numeric = [c for c in body if not c.extra.get("singular") and not c.extra.get("implied")]
    lead = max(sorted(numeric, key=lambda c: c.start)[:3], key=lambda c: value(c) or 0) if numeric else None
    if title:
        best = max(title, key=lambda c: value(c) or 0)
        if (
            lead is not None
            and lead.extra.get("list")
            and all(_one_person(c) for c in title)
            and lead.value_min == lead.value_max
            and value(lead) > 1
        ):
            return lead  # "Man guilty of killing pregnant girlfriend" over "the deaths of a woman and her fetus"
        return best
    if lead is not None:
        return lead
    singular = [c for c in body if c.extra.get("singular")] or [c for c in cands if c.extra.get("singular") and not c.extra.get("in_title")]
    if singular:
        return min(singular, key=lambda c: c.start)
    implied = [c for c in cands if c.extra.get("implied")]
    return implied[0] if implied else None


def _inside(c: Claim, low: float, high: float | None) -> bool:
    return c.value_min is not None and c.value_min >= low and (high is None or (c.value_max is not None and c.value_max <= high))


def _more_specific(pick: Claim, cands: list[Claim]) -> Claim:
    """A later figure that states the toll more precisely: "at least three killed" then "three
    people died", "hundreds injured" then "250 injured" (exact figures first, else the highest
    lower bound)."""
    low, high = pick.value_min, pick.value_max
    if low is None or high == low:
        return pick
    later = [
        c
        for c in cands
        if c is not pick
        and not c.extra.get("in_title")
        and not c.extra.get("background")
        and not c.extra.get("implied")
        and (pick.extra.get("in_title") or c.start > pick.start)
        and _inside(c, low, high)
        and (c.value_max is not None or c.value_min > low)
    ]
    exact = [c for c in later if c.value_min == c.value_max]
    if exact:
        return max(exact, key=lambda c: c.value_min)
    return max(later, key=lambda c: c.value_min) if later else pick


def _summed(pick: Claim | None, cands: list[Claim]) -> Claim | None:
    """Victims named one by one ("Chief Scott Russell was injured ... a bank employee was treated
    in hospital"): their number, when no figure counts more than one."""
    if pick is not None and value(pick) != 1:
        return pick
    ones = [c for c in cands if not c.extra.get("in_title") and not c.extra.get("background") and _one_person(c)]
    if len(ones) < 2 or any((value(c) or 0) > 1 for c in cands if not c.extra.get("background")):
        return pick
    ones.sort(key=lambda c: c.start)
    n = count_victims([(c.group, c.extra.get("one")) for c in ones])
    if n < 2:
        return pick
    first = pick or ones[0]
    return replace(first, value_min=n, value_max=n, hedge=None, extra={**first.extra, "summed_from": len(ones)})


def _pick(cands: list[Claim], summed: bool = True) -> Claim | None:
    cands = _usable(cands)
    if not cands:
        return None
    pick = _first_pick(cands)
    if pick is not None:
        pick = _more_specific(pick, cands)
    return _summed(pick, cands) if summed else pick


def _zero_toll(cas: list[Claim], measure: str) -> Claim | None:
    """ "no casualties", "no one was killed or injured": 0 for both measures."""
    zero = [
        c
        for c in cas
        if c.measure == "killed_or_injured"
        and c.value_min == c.value_max == 0
        and not c.extra.get("partial")
        and not c.extra.get("background")
    ]
    if not zero:
        return None
    return replace(zero[0], measure=measure, extra={**zero[0].extra, "derived_from": "killed_or_injured"})


def _derive_injured(shot: Claim | None, killed: Claim | None) -> Claim | None:
    """Injured = shot - killed, as a copy of the shot claim with ``extra.derived_from = "shot"``."""
    if shot is None or value(shot) is None:
        return None
    # an implied death ("the fatal shooting of a teen") is one of the people shot; a shooter who
    # killed himself is in the killed figure but not among the people he shot
    k = value(killed) - killed.extra.get("self", 0) if killed is not None else 0
    # "shot his son before killing himself": the shooter is in the shot figure, not among the wounded
    n = (value(shot) or 0) - shot.extra.get("self", 0) - (k or 0)
    if n < 0:
        return None
    return replace(
        shot,
        measure="injured",
        value_min=n,
        value_max=n if shot.value_max is not None else None,
        extra={**shot.extra, "derived_from": "shot", "shot": value(shot), "killed": k},
    )


def main_figures(claims: Iterable[Claim]) -> dict[str, Claim]:
    cas = [c for c in claims if c.kind == CASUALTY and c.value_min is not None]
    out: dict[str, Claim] = {}
    cas = [c for c in cas if not c.extra.get("roundup")]  # figures of several incidents: no single event's toll
    killed = _pick([c for c in cas if c.measure == "killed"]) or _zero_toll(cas, "killed")
    if killed is not None:
        out["killed"] = killed
    injured = _pick([c for c in cas if c.measure == "injured"])
    derived = _derive_injured(_pick([c for c in cas if c.measure == "shot"], summed=False), killed)
    if injured is not None and derived is not None:
        if derived.extra.get("in_title") and not injured.extra.get("in_title") and value(derived) > 0:
            injured = derived  # the headline's "4 shot, 1 killed" over a wounded figure in the body
        elif (
            injured.extra.get("severity")
            and value(derived) > value(injured)
            and (derived.extra.get("in_title") or not injured.extra.get("in_title"))
        ):
            injured = derived  # "four shot, one critically wounded": the critical one is a part
    if injured is None and derived is None and killed is not None and killed.extra.get("shot") == value(killed):
        # "a man was shot and killed": everyone shot died
        derived = replace(
            killed, measure="injured", value_min=0, value_max=0, extra={**killed.extra, "derived_from": "shot", "killed": value(killed)}
        )
    injured = injured or derived or _zero_toll(cas, "injured")
    if injured is not None:
        out["injured"] = injured
    return out
