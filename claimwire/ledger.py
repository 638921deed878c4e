"""An event's claim ledger: one row per party and measure, who says what, agreement, revision,
dispute, and a headline per row and per event. The JSON shape is in docs/LEDGER.md.

build_ledger(articles, claims) takes the event's articles in arrival order and the claims of
their extractors, and returns a plain dict (stored on events.ledger, one read per event page):

1. casualty figures (not background, not roundups) get a party (claimwire/parties.py) and every
   attribution a source family (claimwire/sourcefamilies.py); a figure that counts the shooter
   too ("killed his wife and himself") is split into the victims' part and the suspect's;
2. on a row (party x measure) each article's figures from one source family give one lead
   figure, as claimwire.extractors.main reads an article (title first, else the largest of the
   lead, else a person described, else an implied or derived one; a hedged lead stated more
   precisely later gives way); its other figures agree with it or are set aside;
3. figures that agree (claimwire/agreement.py: hedges and round numbers) form stories; a story
   that nobody repeats after another one appeared later is a revision of it (a toll that rises,
   told by as many sources, or a source correcting itself); stories of different sources standing
   at the same time are a dispute; the headline is the current story with most source families,
   then articles, then (for the dead, who only rise) the larger, then the latest;
4. the event's headline toll per measure is the sum of its parties' headlines.

Other figures (distances, force sizes, money) are grouped by unit and party; they are compared
only when they count the same party's people.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import Any

from claimwire.agreement import INF, Reading, agree, hedge_kind, reading, stated_number, stories
from claimwire.changes import headline_story
from claimwire.claims import CASUALTY, FIGURE, MEASURE_ORDER, QUOTE, STATEMENT
from claimwire.lazy import cached_property
from claimwire.parties import EVERYONE, SUSPECTS, VICTIMS, Mention, PartyResolution, describe, party_label, resolve_parties, side_of
from claimwire.sourcefamilies import SourceMention, SourceResolution, resolve_sources
from claimwire.speakers import group_quotes
from claimwire.vocabulary import MONTH_NUMBERS, MonthDay, month_days

LEDGER_VERSION = 3
TOLL_MEASURES = ("killed", "injured")
RISING_MEASURES = ("killed",)  # counts that only rise as coverage goes on
#: tolls a report gives for the victims alone, telling a dead attacker apart ("three officers were killed ... the
#: gunman was killed by police"); a count of the hurt names everyone hurt ("3 dead, 2 hurt": a child and the gunman)
ATTACKERS_APART = ("killed",)
#: reports this close together are "at the same time": different values then are a dispute, not a revision
SAME_TIME = timedelta(hours=3)
LEAD_FIGURES = 3  # an article's lead: its first three numeric figures of a row
SCENE = "all"
SCENE_LABEL = "in all"
VAGUE_WORDS = frozenset({"dozens", "hundreds", "thousands", "scores", "several", "a few", "tens of thousands"})


@dataclass(slots=True)
class Figure:
    """One casualty figure as the ledger weighs it."""

    id: int
    claim: int  # index of the claim it comes from in the event's claim list
    article_id: int
    measure: str
    value_min: float | None
    value_max: float | None
    hedge: str | None
    reading: Reading
    group: str | None
    source: str | None
    sentence: str
    start: int
    in_title: bool = False
    singular: bool = False
    listed: bool = False  # people named one by one ("a mother and her daughter"; "X was shot, and Y was also wounded")
    person: bool = False  # one person described or named ("the daughter", "Smith", "a man"), not a count
    weak: bool = False  # implied ("a fatal shooting"), a partial quote, or derived
    vague: bool = False  # implied or a partial quote: no number stated for the event itself
    derived: str | None = None  # "shot": injured = shot - killed; "self": the shooter counted in a figure
    all_shot_died: bool = False  # "a man was shot and killed": everyone shot is in this killed figure
    severity: bool = False  # counts only the badly hurt ("one critically wounded")
    survived: bool = False  # told as alive ("was grazed", "non-life-threatening wounds", "is recovering")
    rising: bool = False  # told as a rise ("the death toll rose to 21"): it updates a lower toll told before
    mention: str | None = None  # how the text names one person: pronoun, definite, name, indefinite, new
    rest_of_self: bool = False  # what is left of a figure once the attacker who killed himself is taken out
    counts_self: bool = False  # counts the attacker who killed himself, not split ("a murder-suicide": 2 and more)
    self_count: int = 0  # of them, attackers who killed themselves (in a figure that was not split)
    article_lead: bool = False  # the figure its article gives for the row
    party: str = ""
    family: str = ""
    when: datetime = datetime.min
    order: int = 0  # arrival rank of its article
    status: str = "lead"  # lead | agrees | aside | revised

    @property
    def stamp(self) -> tuple[datetime, int]:
        return (self.when, self.order)


#: a figure's stamp as a sort key (the same tuple as `Figure.stamp`, read without the property's call)
_STAMP = attrgetter("when", "order")
_STAMP_START = attrgetter("when", "order", "start")  # orders as (stamp, start)


@dataclass
class Story:
    """Figures of one row that tell the same value (its figures are not changed once it is made)."""

    figures: list[Figure]
    anchor: float
    status: str = "current"  # current | revised
    revised_by: Story | None = None

    @cached_property
    def families(self) -> list[str]:
        return list(dict.fromkeys(f.family for f in self.figures))

    @cached_property
    def articles(self) -> list[int]:
        return list(dict.fromkeys(f.article_id for f in self.figures))

    @cached_property
    def first(self) -> Figure:
        return min(self.figures, key=_STAMP)

    @cached_property
    def last(self) -> Figure:
        return max(self.figures, key=_STAMP)

    @cached_property
    def support(self) -> tuple:
        """Most source families, then most articles leading with it, then articles, titles, a stated
        figure over a derived one, the latest."""
        return (*_story_weight(self.figures)[:4], not self.weak, self.last.stamp)

    @cached_property
    def one_person(self) -> bool:
        """Tells of one person its articles describe or name ("Boy, 7, remains hospitalized", "the victim"),
        not a count: its articles' leads (else its figures) all name one person."""
        if self.anchor != 1:
            return False
        leads = [f for f in self.figures if f.article_lead] or self.figures
        return all(f.person or f.mention is not None for f in leads)

    @cached_property
    def weak(self) -> bool:
        """Told only by implied, partial or derived figures."""
        return all(f.weak for f in self.figures)


@dataclass(slots=True)
class Row:
    measure: str
    party: str
    figures: list[Figure]
    stories: list[Story] = field(default_factory=list)
    headline: Story | None = None
    disputes: list[Story] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.measure}|{self.party}"


# ------------------------------------------------------------------------------------------ input


@dataclass(frozen=True, slots=True)
class ArticleTime:
    when: datetime
    order: int
    outlet: str | None  # the outlet's key, when known: its unattributed figures are its own family
    name: str  # how to name the article's outlet to an editor (the outlet, else its file or address)


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str) and value:
        return _parsed_time(value)
    return None


@lru_cache(maxsize=16384)
def _parsed_time(value: str) -> datetime | None:
    """An ISO time as `_parse_time` reads it, kept per text: every rebuild of an event reads its articles' times again."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def article_times(articles: Sequence[Mapping[str, Any]]) -> dict[int, ArticleTime]:
    """When each article reported: its publication time when known, else its arrival."""
    times = {}
    for order, article in enumerate(articles):
        when = _parse_time(article.get("published")) or _parse_time(article.get("arrived")) or datetime.min
        where = article.get("outlet") or str(article.get("source_ref") or article.get("url") or "").rstrip("/").rsplit("/", 1)[-1]
        times[article["id"]] = ArticleTime(when=when, order=order, outlet=article.get("outlet"), name=where or f"article {article['id']}")
    return times


def _is_context(claim: Mapping[str, Any]) -> bool:
    """Figures about other incidents: background sentences, roundups of several incidents, and sentences
    dated before the event was first reported (see dated_before)."""
    extra = claim.get("extra") or {}
    return bool(extra.get("background") or extra.get("roundup") or extra.get("earlier"))


#: how long before an event was first reported a dated figure is of another incident
EARLIER = timedelta(days=7)
DATE_REACH = 100  # characters between a figure's group and a date that dates it


@lru_cache(maxsize=16384)
def _month_days(sentence: str) -> tuple[MonthDay, ...]:
    """vocabulary.month_days, kept per sentence: every rebuild of an event reads its claims' sentences again."""
    return tuple(month_days(sentence))


@lru_cache(maxsize=16384)  # as the other per-sentence caches: a few MB in a pool process at most
def _found(pattern: re.Pattern, text: str) -> bool:
    """PATTERN searched in TEXT (a claim's sentence), kept per pattern and sentence: every rebuild of an event reads
    its figures' sentences again, and copies of one report tell the same sentences."""
    return pattern.search(text) is not None


def sentence_dates(sentence: str, around: datetime) -> list[tuple[datetime, int]]:
    """The dates a sentence names, with their place in it; a date without a year is in the year of `around`,
    unless that puts it over a month after `around` (then the year before: "Dec. 28" said in January)."""
    out: list[tuple[datetime, int]] = []
    for named in _month_days(sentence):
        stated = named.year if named.year is not None and 1900 <= named.year <= 2099 else None
        year = stated or around.year
        try:
            when = datetime(year, named.month, named.day)
        except ValueError:
            continue
        if not stated and when > around + timedelta(days=30):
            when = when.replace(year=year - 1) if not (named.month == 2 and named.day == 29) else when
        out.append((when, named.start))
    return out + month_years(sentence) + bare_months(sentence, around)


#: "in August 2014", "July of 2015", "in 2011": a month or a year, with no day
_MONTH_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
    r"\.?,?\s+(?:of\s+)?((?:19|20)\d\d)\b"
    r"|\b(?:[Ii]n|[Dd]uring|[Ss]ince)\s+((?:19|20)\d\d)\b(?![-–/]|\s*(?:dollars|prices))"
)


_YEAR = re.compile(r"(?:19|20)\d\d")


def _month_end(year: int, month: int) -> datetime:
    return datetime(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def month_years(sentence: str) -> list[tuple[datetime, int]]:
    """The months and years a sentence names without a day ("in August 2014", "in July of 2015", "in 2011"),
    each as its last day (so only a month or year over before a date is before it), with its place."""
    return list(_month_year_places(sentence))


@lru_cache(maxsize=16384)
def _month_year_places(sentence: str) -> tuple[tuple[datetime, int], ...]:
    """`month_years`, kept per sentence (as `_month_days`)."""
    out: list[tuple[datetime, int]] = []
    if not _YEAR.search(sentence):
        return ()
    for match in _MONTH_YEAR.finditer(sentence):
        if match.group(1):
            last = _month_end(int(match.group(2)), MONTH_NUMBERS[match.group(1).lower()])
        else:
            last = datetime(int(match.group(3)), 12, 31)
        out.append((last, match.start()))
    return tuple(out)


#: "in April", "during March", "last December": a month with no day and no year
_BARE_MONTH = re.compile(
    r"\b(?:[Ii]n|[Dd]uring|[Ll]ast|[Ss]ince)\s+(January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"(?!\.?,?\s+(?:of\s+)?\d)"
)


def bare_months(sentence: str, around: datetime) -> list[tuple[datetime, int]]:
    """The months a sentence names with no day and no year ("during one week in April"), each as its last
    day in the year of `around`, or the year before when that is over a month after `around` ("in
    December" said in January), with its place."""
    out: list[tuple[datetime, int]] = []
    for month, start in _bare_month_places(sentence):
        last = _month_end(around.year, month)
        if last > around + timedelta(days=30):
            last = _month_end(around.year - 1, month)
        out.append((last, start))
    return out


@lru_cache(maxsize=16384)
def _bare_month_places(sentence: str) -> tuple[tuple[int, int], ...]:
    """The months `_BARE_MONTH` finds in a sentence and their places, kept per sentence (as `_month_days`)."""
    return tuple((MONTH_NUMBERS[match.group(1).lower()], match.start()) for match in _BARE_MONTH.finditer(sentence))


def _dated_before(claim: Mapping[str, Any], limit: datetime) -> bool:
    """The figure's sentence names, near the figure's group or opening the sentence, dates all before `limit`."""
    return _sentence_dated_before(claim.get("sentence") or "", claim.get("group") or "\0", limit)


@lru_cache(maxsize=16384)
def _sentence_dated_before(sentence: str, group: str, limit: datetime) -> bool:
    """`_dated_before`, kept per sentence, group and limit (an event's limit stays while its first report does)."""
    dates = sentence_dates(sentence, limit)
    at = sentence.find(group)
    near = [when for when, pos in dates if at < 0 or abs(pos - at) <= DATE_REACH or _OPENING.fullmatch(sentence[:pos])]
    return bool(near) and max(near) < limit


#: what may come before a date that opens its sentence ("On Nov. 5, 2009, a gunman ... killing 13"): it dates the whole sentence
_OPENING = re.compile(r"\W*(?:(?:on|in|by|early|late)\s+)?", re.IGNORECASE)


def dated_before(
    claims: list[Mapping[str, Any]], articles: Sequence[Mapping[str, Any]], times: Mapping[int, ArticleTime]
) -> list[Mapping[str, Any]]:
    """Casualty figures whose sentence names a date over a week before the event began ("a 15-year-old was
    stabbed to death there on May 14") tell of another incident: marked `earlier`. The event began when it
    was first reported, or on an earlier date a headline names ("Man found guilty in May 25 fatal
    shooting"); an event told only in dated sentences keeps them (its coverage began late)."""
    reported = min((t.when for t in times.values()), default=datetime.min)
    if reported == datetime.min:
        return claims
    named = [d for a in articles if a["id"] in times for d, _ in sentence_dates(a.get("title") or "", times[a["id"]].when)]
    start = min([reported, *named])
    earlier = {n for n, c in enumerate(claims) if c.get("kind") == CASUALTY and not _is_context(c) and _dated_before(c, start - EARLIER)}
    if not any(c.get("kind") == CASUALTY and not _is_context(c) for n, c in enumerate(claims) if n not in earlier):
        return claims
    return [{**c, "extra": {**(c.get("extra") or {}), "earlier": True}} if n in earlier else c for n, c in enumerate(claims)]


def _figure(index: int, claim_index: int, claim: Mapping[str, Any], value_min, value_max, derived: str | None = None) -> Figure | None:
    get = claim.get
    hedge, measure = get("hedge"), get("measure")
    value = reading(value_min, value_max, hedge)
    if value is None or not measure:
        return None
    extra = get("extra") or {}
    flag = extra.get
    vague = bool(flag("implied") or flag("partial"))
    derived_from, one, shot = flag("derived_from"), flag("one"), flag("shot")
    return Figure(
        id=index,
        claim=claim_index,
        article_id=claim["article_id"],
        measure=claim["measure"],
        value_min=value_min,
        value_max=value_max,
        hedge=hedge,
        reading=value,
        group=get("group"),
        source=get("source"),
        sentence=get("sentence") or "",
        start=get("start") or 0,
        in_title=bool(flag("in_title")),
        singular=bool(flag("singular")),
        person=bool(flag("singular") or one or flag("headline")),
        listed=bool(flag("list") or flag("summed")),
        derived=derived or derived_from,
        vague=vague,
        # "a murder-suicide" (at least two dead, the attacker among them) is a statement, not a weak figure
        weak=vague or bool(derived_from),
        all_shot_died=measure == "killed" and shot is not None and shot == get("value_min"),
        severity=bool(flag("severity")),
        survived=bool(flag("survived")),
        rising=bool(flag("rising")),
        mention=one,
    )


def casualty_figures(claims: Sequence[Mapping[str, Any]], split: bool = True) -> list[Figure]:
    """The event's casualty figures. With `split`, a figure that counts an attacker who killed himself
    too ("killed his wife and himself": 2) becomes two: the victims' part and the suspect's death."""
    figures: list[Figure] = []
    for index, claim in enumerate(claims):
        if claim.get("kind") != CASUALTY or _is_context(claim):
            continue
        low, high = claim.get("value_min"), claim.get("value_max")
        own = int((claim.get("extra") or {}).get("self") or 0)
        counted = own
        if own and high is None and hedge_kind(claim.get("hedge")) is None:
            own = 0  # "a murder-suicide": at least two dead in all, the attacker among them (see parties.EVERYONE)
        if split and own and low is not None and low >= own and claim.get("measure") in ("killed", "shot"):
            self_part = _figure(len(figures), index, claim, own, own, derived="self")
            if self_part is not None:
                self_part.party, self_part.measure = SUSPECTS, "killed"  # he killed himself
                figures.append(self_part)
            low, high, counted = low - own, (high - own if high is not None else None), 0
        figure = _figure(len(figures), index, claim, low, high)
        if figure is not None:
            figure.rest_of_self = split and bool(own)
            figure.counts_self = bool((claim.get("extra") or {}).get("self")) and not own
            figure.self_count = counted
            figures.append(figure)
    return figures


# ------------------------------------------------------------------------------------------ parties, sources


def assign_parties(figures: list[Figure]) -> PartyResolution:
    open_figures = [f for f in figures if not f.party]
    with_self = {(f.article_id, f.sentence) for f in figures if f.derived == "self" or f.counts_self}
    mentions = [
        Mention(
            f.group,
            f.measure,
            f.sentence,
            f.article_id,
            f.reading,
            f.singular,
            with_self=f.counts_self or (not f.rest_of_self and (f.article_id, f.sentence) in with_self),
        )
        for f in open_figures
    ]
    resolution = resolve_parties(mentions)
    for figure, key in zip(open_figures, resolution.keys):
        figure.party = SUSPECTS if killed_himself(figure) else key
    if any(f.party == SUSPECTS for f in figures) and SUSPECTS not in resolution.parties:
        from claimwire.parties import ROLE_LABELS, Party

        resolution.parties[SUSPECTS] = Party(key=SUSPECTS, role=SUSPECTS, label=ROLE_LABELS[SUSPECTS])
    return resolution


def assign_families(
    claims: Sequence[Mapping[str, Any]], figures: Sequence[Figure], times: Mapping[int, ArticleTime]
) -> tuple[SourceResolution, dict[int, str]]:
    """Source families of every attribution in the event; returns the resolution and each claim's family by index."""
    mentions, indexes, unattributed = [], [], {}
    for index, claim in enumerate(claims):
        source, article_id = claim.get("source"), claim["article_id"]
        if not source and claim.get("kind") not in (CASUALTY, FIGURE):
            continue
        if source is None and article_id in unattributed:
            unattributed[article_id].append(index)  # the outlet's own: the same family as its first one
            continue
        if source is None:
            unattributed[article_id] = []
        time = times.get(article_id)
        mentions.append(
            SourceMention(
                source,
                article_id,
                claim.get("start") or 0,
                time.outlet if time else None,
                claim.get("sentence") or "",
                time.name if time else None,
            )
        )
        indexes.append(index)
    sentences = list(dict.fromkeys(c.get("sentence") or "" for c in claims if c.get("kind") in (QUOTE, STATEMENT, CASUALTY)))
    resolution = resolve_sources(mentions, sentences)
    family_of = dict(zip(indexes, resolution.keys))
    first_of = {m.article_id: k for m, k in zip(mentions, resolution.keys) if m.source is None}
    for article_id, more in unattributed.items():
        family_of.update((index, first_of[article_id]) for index in more)
    return resolution, family_of


# ------------------------------------------------------------------------------------------ rows


def _lead(figures: Sequence[Figure]) -> Figure | None:
    """The figure an article gives for a row: its title's (a count split from "4 shot, 1 killed" or a
    "murder-suicide" included), else the largest of its lead, else a person it describes, else an
    implied, partial or derived one. A title that names one person where the lead lists more ("murder
    of mom" / "a mother and her daughter") gives way to the lead. A body figure told as what was said at
    first ("the chief initially told us three had died") is no lead beside the article's other figures."""
    strong = [f for f in figures if not f.weak]
    title = [f for f in figures if f.in_title and not f.vague]
    superseded = [f for f in strong if not f.in_title and _found(_FIRST_TOLD, f.sentence)]
    if len(superseded) < len(strong):
        strong = [f for f in strong if f not in superseded]
    numeric = sorted((f for f in strong if not f.singular), key=lambda f: f.start)[:LEAD_FIGURES]
    if any(f.singular and (f.reading.stated or 0) >= 1 for f in strong):
        numeric = [f for f in numeric if f.reading.stated != 0]  # "No injuries were reported" beside a person hurt
    if title:
        best = max(title, key=lambda f: f.reading.stated or 0)
        first = max(numeric, key=lambda f: f.reading.stated or 0) if numeric else None
        if first is not None and all(f.person for f in title) and first.reading.exact and (first.reading.stated or 0) > 1 and first.listed:
            return first
        return _more_specific(best, strong)
    if numeric:
        return _more_specific(max(numeric, key=lambda f: f.reading.stated or 0), strong)
    singular = sorted((f for f in strong if f.singular), key=lambda f: f.start)
    if singular:
        return singular[0]
    weak = sorted(figures, key=lambda f: (not f.in_title, f.derived is not None, f.start))
    return weak[0] if weak else None


#: a figure told as what was said before ("the chief initially told us three had died"): since corrected
_FIRST_TOLD = re.compile(r"\b(?:initially|originally|at first(?! light)|earlier reports?)\b", re.IGNORECASE)


def _more_specific(lead: Figure, figures: Sequence[Figure]) -> Figure:
    """A hedged or open lead ("at least three", "a murder-suicide") that a later figure of the article
    states more precisely ("three people died"): the later one, exact figures first, else the highest
    lower bound (as claimwire.extractors.main does per article)."""
    low, high = lead.value_min, lead.value_max
    if low is None or high == low:
        return lead
    later = [
        f
        for f in figures
        if f is not lead
        and not f.in_title
        and (lead.in_title or f.start > lead.start)
        and f.value_min is not None
        and f.value_min >= low
        and (high is None or (f.value_max is not None and f.value_max <= high))
        and (f.value_max is not None or f.value_min > low)
    ]
    exact = [f for f in later if f.value_min == f.value_max]
    if exact:
        return max(exact, key=lambda f: f.value_min)
    return max(later, key=lambda f: f.value_min) if later else lead


def article_leads(figures: list[Figure]) -> list[Figure]:
    """Per article and party: the figure the article gives for each row (its lead); injured derived from
    shot - killed where the article says so ("four shot, one fatally"). Marks every figure lead, agrees
    or aside, and returns the derived figures it added."""
    by_article: dict[tuple[int, str], list[Figure]] = defaultdict(list)
    for figure in figures:
        by_article[(figure.article_id, figure.party)].append(figure)
    added: list[Figure] = []
    for group in by_article.values():
        elsewhere = dead_told_as_elsewhere(group)
        leads = {m: _lead([f for f in group if f.measure == m and f not in elsewhere]) for m in {f.measure for f in group}}
        if leads.get("killed") is not None and _wounded_only_title(group, leads["killed"]):
            leads["killed"] = None  # its dead are another incident's: set aside, no lead
            for figure in group:
                if figure.measure == "killed":
                    figure.status = "aside"
        if leads.get("injured") is not None and _one_dead_title(group, leads["injured"]):
            leads["injured"] = None  # the dead one's wound, or another incident's: no wounded of its own
        if _one_of_the_dead(leads.get("injured"), [f for f in group if f.measure == "killed"]):
            leads["injured"] = None  # "He was pronounced dead ... he suffered a gunshot wound": the dead man's wound
        injured = _article_injured(leads.get("injured"), leads.get("shot"), leads.get("killed"), len(figures) + len(added))
        if (
            injured is None
            and leads.get("killed") is not None
            and leads["killed"].reading.exact
            and any(f.measure == "injured" for f in group)
        ):
            injured = _copy_as_injured(leads["killed"], 0, 0, len(figures) + len(added))  # he was the only one hurt
        if injured is not None and injured is not leads.get("injured"):
            added.append(injured)
            group.append(injured)
        leads["injured"] = injured
        for measure, lead in leads.items():
            if lead is not None:
                _mark_row_of_article([f for f in group if f.measure == measure], lead)
        for figure in elsewhere:
            figure.status = "aside"
    return added


def dead_told_as_elsewhere(group: Sequence[Figure]) -> list[Figure]:
    """Under a headline that counts wounded or shot and names no death ("Four men shot near park"), the dead
    a sentence tells as before the article's incident ("a man killed on the same block last week", "killed
    earlier this month") or as the one a vigil, memorial or funeral was held for ("a vigil honoring a man
    killed in a shooting") are another incident's: set aside, never the article's toll."""
    title = [f for f in group if f.in_title and not f.weak]
    if (
        not any(f.measure in ("injured", "shot") and f.reading.stated and not _VICTIM.search(f.group or "") for f in title)
        or any(f.measure in ("killed", "killed_or_injured") for f in title)
        or any(_found(_DEATH_WORD, f.sentence) for f in title)
    ):
        return []
    return [f for f in group if f.measure == "killed" and not f.in_title and _told_elsewhere(f.sentence)]


#: a death told as before the article's own incident, or as the one mourned where the incident happened
_ELSEWHERE = re.compile(
    r"\b(?:just )?last week\b|\b(?:a|one|two|three) weeks? (?:ago|earlier|before)\b|\bearlier (?:this|that|in the) (?:week|month)\b"
    r"|\b(?:the )?(?:previous|prior) week\b|\bmourn(?:s|ed|ing)?\b|\b(?:vigil|memorial|funeral|burial|tribute)s?\b(?:\s+\w+){0,2}?\s+(?:for|honou?r(?:ing|ed)|of|to)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=16384)
def _told_elsewhere(sentence: str) -> bool:
    """`_ELSEWHERE` searched in a sentence, kept per sentence: every rebuild of an event reads its figures again."""
    return _ELSEWHERE.search(sentence) is not None


#: "shooting victim identified": a person the headline names, who may have died, not a count of the wounded
_VICTIM = re.compile(r"\bvictims?\b", re.IGNORECASE)


def _wounded_only_title(group: Sequence[Figure], killed: Figure) -> bool:
    """The article's headline counts wounded and names no death ("Four injured in shooting at funeral",
    "10-year-old girl wounded"), and its dead are told only past its lead: they are another incident's
    (the vigil's victim, last month's killing, a crime list), not this one's toll."""
    title = [f for f in group if f.in_title and not f.weak]
    return (
        not killed.in_title
        and killed.start > WOUNDED_TITLE_LEAD_CHARS
        and any(f.measure == "injured" and f.reading.stated for f in title)
        and not any(f.measure in ("killed", "killed_or_injured") for f in group if f.in_title)
        and not any(_DEATH_WORD.search(f.sentence) for f in title)
    )


def _one_dead_title(group: Sequence[Figure], injured: Figure) -> bool:
    """The article's headline tells one death and no one hurt ("Boy, 3, dies after shooting himself", "Teen
    killed in crossfire"), and its one wounded person is told only past its lead, as neither alive nor
    another person ("There are no words to describe a child being hurt in this manner"): the dead one's wound
    or another incident's, not a wounded of its own. A person told as alive ("was grazed", "is recovering")
    or as another ("another teen was hurt", "was also wounded") is one."""
    title = [f for f in group if f.in_title and not f.weak]
    return (
        not injured.in_title
        and injured.start > WOUNDED_TITLE_LEAD_CHARS
        and injured.reading.stated == 1
        and not injured.survived
        and injured.mention != "new"
        and not _TOLD_APART.search(injured.sentence)
        and any(f.measure == "killed" and f.reading.stated == 1 for f in title)
        and not any(f.measure in ("injured", "shot", "killed_or_injured") for f in title)
        and not any(_WOUND_WORD.search(f.sentence) for f in title)
    )


#: where an article's lead ends (characters of its body): a death told before it is the article's own
WOUNDED_TITLE_LEAD_CHARS = 400
_DEATH_WORD = re.compile(
    r"\b(?:kill\w*|dead|deaths?|dies|died|slain|slay\w*|fatal\w*|deadly|murder\w*|homicides?|bod(?:y|ies)|perish\w*)\b", re.IGNORECASE
)


def _mark_row_of_article(figures: list[Figure], lead: Figure) -> None:
    """The article's lead; figures that agree with it; a count another source states is that source's own
    statement (the seeds' commander saying 7 where the article says 100); other figures are set aside."""
    lead.status, lead.article_lead = "lead", True
    own_leads: dict[str, Figure] = {}
    for family in dict.fromkeys(f.family for f in figures if f.family != lead.family and _speaks_for_itself(f.family)):
        counts = [f for f in figures if f.family == family and not (f.weak or f.person) and not agree(f.reading, lead.reading)]
        if counts:
            own_leads[family] = _lead(counts)
    for figure in figures:
        if figure is lead:
            continue
        own = own_leads.get(figure.family)
        if own is figure:
            figure.status = "lead"
        elif agree(figure.reading, lead.reading) or own is not None and agree(figure.reading, own.reading):
            figure.status = "agrees"
        else:
            figure.status = "aside"


_HE = frozenset({"he", "him", "his", "himself"})
_SHE = frozenset({"she", "her", "hers", "herself"})
#: nouns that say a person is male or female, for a pronoun that names back one of them
_MALE = frozenset("man boy son father husband brother grandfather uncle nephew male gentleman".split())
_FEMALE = frozenset("woman girl daughter mother wife sister grandmother aunt niece female lady".split())
_NOT_THE_SAME = re.compile(r"\b(?:other|another|second|third|fourth|fifth|\d+(?:st|nd|rd|th))\b", re.IGNORECASE)


def _one_of_the_dead(injured: Figure | None, killed: Sequence[Figure]) -> bool:
    """An article's wounded figure that names back one person its dead figures name too: the same
    pronoun or a noun of its sex ("she remains in critical condition" / "she died Friday", "he was
    wounded" / "the boy was pronounced dead"), a name ("Hart had been injured" /
    "Hassan Hart was pronounced dead") or the same noun ("the child suffered a serious injury" / "a
    4-year-old child has died"), where the article counts one dead."""
    if injured is None or not injured.singular or injured.mention not in ("pronoun", "definite", "name") or not injured.group:
        return False
    if injured.reading.stated != 1 or _NOT_THE_SAME.search(injured.group):
        return False
    dead = [f for f in killed if f.reading.stated is not None]
    if not dead or max(f.reading.stated or 0 for f in dead) != 1:
        return False
    if _the_one_victim(injured, dead):
        return True
    return any(_same_person(injured, f) for f in dead if f.group and f.start != injured.start)


def _the_one_victim(injured: Figure, dead: Sequence[Figure]) -> bool:
    """ "The victim was flown to a hospital" in an article whose one dead is a victim ("Boy, 7, dies after
    accidental shooting"): the victim is the dead one, hurt before he died. Not where the dead one is the
    attacker (police shot the gunman dead, the victim is the one hurt)."""
    if injured.mention != "definite" or injured.group.lower().split()[-1] not in ("victim", "victims"):
        return False
    return all(describe(f.group).role != "perpetrator" for f in dead)


def _same_person(a: Figure, b: Figure) -> bool:
    first, second = a.group.lower().split(), b.group.lower().split()
    if a.mention == "pronoun":
        he, she = first[0] in _HE, first[0] in _SHE
        if len(second) == 1 and second[0] in (_HE if he else _SHE if she else ()):
            return True
        return (he and second[-1] in _MALE) or (she and second[-1] in _FEMALE)  # "he was wounded" / "the boy died"
    if a.mention == "name":
        names = {w for w in a.group.split() if w[:1].isupper()}
        if b.mention == "pronoun" and len(second) == 1 and b.start > a.start and not a.in_title:
            return True  # "Bobo was in critical condition when he was taken to hospital ... He was pronounced dead"
        return bool(names) and not a.in_title and names <= set(b.group.split())
    return first[-1] == second[-1] and _NOT_THE_SAME.search(b.group) is None


def _speaks_for_itself(family: str) -> bool:
    """A source family whose own count stands beside the article's: one the ledger knows (the police,
    the US military), not the outlet itself, a bare name or "sources"."""
    return not family.startswith(("outlet:", "article:", "name:"))


def _article_injured(injured: Figure | None, shot: Figure | None, killed: Figure | None, new_id: int) -> Figure | None:
    """The article's injured figure: stated, or shot - killed (as claimwire.extractors.main does per article)."""
    derived = _derived_injured(shot, killed, new_id)
    if injured is not None and derived is not None:
        if derived.in_title and not injured.in_title and (derived.reading.stated or 0) > 0:
            return derived  # the headline's "4 shot, 1 killed" over a wounded figure in the body
        if (
            injured.severity
            and (derived.reading.stated or 0) > (injured.reading.stated or 0)
            and (derived.in_title or not injured.in_title)
        ):
            return derived  # "four shot, one critically wounded": the critical one is a part
        if _the_shot_as_wounded(injured, shot, killed) or _one_of_a_list(injured, shot, derived):
            return derived
        return injured
    if injured is None and derived is None and killed is not None and killed.all_shot_died:
        return _copy_as_injured(killed, 0, 0, new_id)  # "a man was shot and killed": nobody else was shot
    return injured or derived


def _one_of_a_list(injured: Figure, shot: Figure | None, derived: Figure) -> bool:
    """A wounded figure of one person ("an injured 4-year-old girl") where the article lists more people
    shot ("the shooting of his four-year-old daughter and her mother"), none of them dead: that person is one of
    the list, the list is the toll."""
    return (
        shot is not None
        and shot.listed
        and shot.reading.exact
        and injured.reading.stated == 1
        and (derived.reading.stated or 0) == shot.reading.stated
        and derived.reading.stated > 1
    )


def _the_shot_as_wounded(injured: Figure, shot: Figure | None, killed: Figure | None) -> bool:
    """The article's wounded are as many as its shot ("Four people were shot ... All four victims were taken to
    the hospital with serious injuries") and it tells a death in another sentence ("Darryl Freeman died
    Saturday"): the wounded counted everyone shot before one died, the dead are among them."""
    return (
        shot is not None
        and killed is not None
        and (killed.reading.stated or 0) > 0
        and injured.reading.exact
        and shot.reading.exact
        and injured.reading.stated == shot.reading.stated
        and (injured.reading.stated or 0) >= 2
        and killed.sentence not in (injured.sentence, shot.sentence)
        and not killed.in_title
    )


def _derived_injured(shot: Figure | None, killed: Figure | None, new_id: int) -> Figure | None:
    """Shot - killed; an attacker who shot himself dead is in neither the wounded nor the dead he shot."""
    if shot is None or shot.reading.stated is None:
        return None
    dead = killed.reading.stated - killed.self_count if killed is not None and killed.reading.stated is not None else 0
    one_before = _one_before_the_others(shot)
    if _named_as_others(shot) and not one_before or _two_people_of_one_sentence(shot, killed):
        dead = 0  # "one killed, six others shot": the dead are not among the six ("he and six others": he may be)
    count = shot.reading.stated + one_before - shot.self_count - dead
    if count < 0:
        return None
    return _copy_as_injured(shot, count, None if shot.value_max is None else count, new_id)


_OTHERS = re.compile(
    r"^(?:the\s+)?(?:\w+\s+)?(?:others|other\s+(?:[\w-]+\s+)?(?:people|persons|victims|men|women))$"
    r"|^(?:another|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)$",  # "killing 3, shooting another"
    re.IGNORECASE,
)
#: "he and three others were shot": the others and the one before them are the shot, the dead among them
_ONE_BEFORE = r"(?:\b(?:[Hh]e|[Ss]he|him|her)|\b[A-Z][a-z]+(?:,\s+\d+,)?)"


def _two_people_of_one_sentence(shot: Figure, killed: Figure | None) -> bool:
    """One person killed and another shot in one sentence, each the object of a verb of its own ("Man kills
    ex-wife, shoots teen daughter"): the one shot is not the one killed."""
    if killed is None or killed.derived is not None or killed.sentence != shot.sentence:
        return False
    if shot.reading.stated != 1 or killed.reading.stated != 1 or not (shot.person and killed.person):
        return False
    if {shot.mention, killed.mention} & {"pronoun", "name"} or not (shot.group and killed.group):
        return False
    return shot.group.lower().split()[-1] != killed.group.lower().split()[-1]


def _named_as_others(shot: Figure) -> bool:
    """A count of the shot named as the others ("one killed, six others shot", "six other people were shot",
    "killing three, shooting another")."""
    return bool(_OTHERS.match((shot.group or "").strip()))


def _one_before_the_others(shot: Figure) -> int:
    """1 where the count of the shot is the others joined to one person before them ("he and four others
    were shot", "Garcia and three other people had been shot": five and four were shot), else 0. Not an
    unrelated pair ("Young and the other man opened fire ... shooting two others")."""
    if not _named_as_others(shot):
        return 0
    joined = re.compile(_ONE_BEFORE + r"\s+and\s+(?:\w+\s+)?" + re.escape(shot.group.strip()) + r"\b")
    return int(bool(joined.search(shot.sentence)))


def _copy_as_injured(base: Figure, low: float, high: float | None, new_id: int) -> Figure:
    return Figure(
        id=new_id,
        claim=base.claim,
        article_id=base.article_id,
        measure="injured",
        value_min=low,
        value_max=high,
        hedge=None,
        reading=reading(low, high, None),
        group=base.group,
        source=base.source,
        sentence=base.sentence,
        start=base.start,
        in_title=base.in_title,
        person=base.person and low == 1,
        mention=base.mention if low == 1 else None,
        weak=True,
        derived="shot",
        party=base.party,
        family=base.family,
        when=base.when,
        order=base.order,
    )


def _mark_own_revisions(figures: Sequence[Figure], window: timedelta) -> None:
    """A source family's later word replaces its earlier one: a number it said before and no longer says
    (hedges aside: "about 100" and "more than 100" say 100) is revised, even where the two would agree
    between sources (a ministry's 50 corrected to 45 is a correction, not a rounding)."""
    by_family: dict[str, list[Figure]] = defaultdict(list)
    for figure in figures:
        if figure.status in ("lead", "agrees"):
            by_family[figure.family].append(figure)
    for group in by_family.values():
        latest = max(f.when for f in group)
        current = [f for f in group if latest - f.when <= window]
        said = {f.reading.stated for f in current}
        for figure in group:
            if latest - figure.when > window and figure.reading.stated not in said:
                figure.status = "revised"


def _own_revisions(row: Row) -> list[Story]:
    """What sources said and later corrected themselves, as revised stories pointing at their new word."""
    revised = [f for f in row.figures if f.status == "revised"]
    story_of = {f.id: s for s in row.stories for f in s.figures}
    out = []
    for group in stories(revised, lambda f: f.reading, _story_weight):
        story = Story(figures=group, anchor=_anchor(group), status="revised")
        later = [f for f in row.figures if f.family in story.families and f.id in story_of and f.when > story.last.when]
        story.revised_by = story_of[min(later, key=_STAMP).id] if later else None
        out.append(story)
    return out


def _story_weight(figures: Sequence[Figure]) -> tuple:
    """Most source families, then most articles leading with it, articles, titles, fewest weak figures."""
    families, articles = set(), set()
    leads = titles = weak = 0
    for f in figures:  # one pass (stories() weighs every candidate value of a row in every round)
        families.add(f.family)
        articles.add(f.article_id)
        leads += f.article_lead
        titles += f.in_title
        weak += f.weak
    return (len(families), leads, len(articles), titles, -weak, len(figures))


def build_row(measure: str, party: str, figures: list[Figure], window: timedelta, dead: Mapping[int, float] | None = None) -> Row:
    """`dead`: for the wounded, each article's count of the party's dead (see dead_by_article)."""
    row = Row(measure=measure, party=party, figures=sorted(figures, key=_STAMP_START))
    _mark_own_revisions(row.figures, window)
    counted = [f for f in row.figures if f.status in ("lead", "agrees")]
    grouped = _with_their_leads(stories(counted, lambda f: f.reading, _story_weight))
    row.stories = sorted((Story(figures=g, anchor=_anchor(g)) for g in grouped if g), key=lambda s: s.first.stamp)
    _mark_revisions(row.stories, measure, window, dead)
    row.stories = sorted(row.stories + _own_revisions(row), key=lambda s: s.first.stamp)
    current = [s for s in row.stories if s.status == "current"]
    if current:
        row.headline = max(current, key=lambda s: _headline_key(s, measure, current))
        row.disputes = [s for s in current if s is not row.headline and set(s.families) - set(row.headline.families)]
    return row


def _headline_key(story: Story, measure: str, current: Sequence[Story]) -> tuple:
    """A story's claim to be the row's headline: its support; where as many sources and articles tell
    two stories, one person's (a report on one victim) is a part of a larger count as firmly stated, not
    the toll; of the
    dead, the larger (the dead only rise over coverage; a smaller count of them in another report is
    usually a part, one victim's story). The wounded may die, so not for them."""
    support = story.support
    part = story.one_person and any(s.anchor > story.anchor and (story.weak or not s.weak) for s in current)
    return (
        not a_wounded_persons_part(story, measure, current),
        *support[:3],
        not part,
        story.anchor if measure in RISING_MEASURES else 0,
        *support[3:],
    )


def a_wounded_persons_part(story: Story, measure: str, current: Sequence[Story]) -> bool:
    """A story of one hurt person its articles describe or name ("Sheriff wounded in shootout released
    from hospital", "the victim was taken to hospital") where another current story states an exact larger
    count ("two officers wounded"): that person is one of the count, however many articles follow them."""
    if measure in RISING_MEASURES or not story.one_person:
        return False
    return any(s.anchor > story.anchor and not s.weak and any(f.reading.exact and not f.weak for f in s.figures) for s in current)


def _with_their_leads(grouped: list[list[Figure]]) -> list[list[Figure]]:
    """An open figure ("at least 2", "a murder-suicide") that agrees with its article's lead tells the
    lead's story: it does not lend its article to another story it also admits."""
    group_of = {(f.article_id, f.family): n for n, g in enumerate(grouped) for f in g if f.status == "lead"}
    out: list[list[Figure]] = [[] for _ in grouped]
    for n, group in enumerate(grouped):
        for figure in group:
            home = group_of.get((figure.article_id, figure.family), n) if figure.status == "agrees" and figure.reading.high == INF else n
            out[home].append(figure)
    return out


def _anchor(figures: Sequence[Figure]) -> float:
    """The value a story tells: what most of its exact or approximate figures state, else its tightest bound."""
    counts: dict[float, int] = defaultdict(int)
    for figure in figures:
        if figure.reading.high != INF and figure.reading.stated is not None:
            counts[figure.reading.stated] += 1
    if counts:
        return max(counts, key=lambda v: (counts[v], v))
    return max(f.reading.stated or f.reading.low for f in figures)


def _mark_revisions(row_stories: list[Story], measure: str, window: timedelta, dead: Mapping[int, float] | None = None) -> None:
    """A story nobody repeated after a later one appeared is revised by it: when the later one raises
    the figure and is told by as many source families (one outlet's higher number does not overturn
    what more sources state: it stands beside it), or its sources include one of the earlier story's
    (a source correcting itself), or (the wounded) the later reports count as many more dead as there
    are fewer wounded (wounded who died since)."""
    for earlier in row_stories:
        for later in row_stories:
            if later is earlier or later.first.when - earlier.last.when <= window and not _told_as_rise(earlier, later):
                continue
            raises = later.anchor > earlier.anchor and len(later.families) >= len(earlier.families)
            corrects = bool(set(later.families) & set(earlier.families))
            if (raises or corrects) and (not later.weak or earlier.weak) or died_since(earlier, later, measure, dead):
                earlier.status, earlier.revised_by = "revised", later  # a derived figure does not revise a stated one
                break


def _told_as_rise(earlier: Story, later: Story) -> bool:
    """A higher toll that arrived after the earlier one and says it rose ("the death toll has risen to 21") is
    its update, however close in time the two were published."""
    return later.anchor > earlier.anchor and any(f.rising and f.stamp > earlier.last.stamp for f in later.figures)


def died_since(earlier: Story, later: Story, measure: str, dead: Mapping[int, float] | None) -> bool:
    """Fewer wounded in later reports that each count as many more dead than the earlier reports did
    ("five people were shot" ... days later "one of the five has died", "1 dead, 4 wounded")."""
    if measure != "injured" or not dead or later.anchor >= earlier.anchor:
        return False
    rise = min(dead.get(a, 0) for a in later.articles) - min(dead.get(a, 0) for a in earlier.articles)
    return rise >= earlier.anchor - later.anchor


def dead_by_article(figures: Iterable[Figure]) -> dict[tuple[int, str], float]:
    """(article, party) -> the dead the article counts for the party (its killed lead), for every article
    and party with a figure; 0 where it counts none."""
    dead: dict[tuple[int, str], float] = {}
    for figure in figures:
        key = (figure.article_id, figure.party)
        if figure.measure == "killed" and figure.article_lead and figure.reading.stated is not None:
            dead[key] = max(dead.get(key, 0), figure.reading.stated)
        else:
            dead.setdefault(key, 0)
    return dead


def _dead_of(dead: Mapping[tuple[int, str], float], party: str) -> dict[int, float]:
    return {article: n for (article, p), n in dead.items() if p == party}


# ------------------------------------------------------------------------------------------ output


@lru_cache(maxsize=4096)
def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@lru_cache(maxsize=16384)
def format_value(value_min: float | None, value_max: float | None, hedge: str | None = None) -> str:
    """A figure as an editor reads it: "7", "about 100", "at least 45", "more than 100", "dozens", "90–110"."""
    if value_min is None and value_max is None:
        return "?"
    kind = hedge_kind(hedge)
    if kind is not None:
        return f"{' '.join(hedge.lower().split())} {_number(stated_number(value_min, value_max, hedge))}"
    if value_max is None:
        return " ".join(hedge.lower().split()) if hedge in VAGUE_WORDS else f"at least {_number(value_min)}"
    if value_min == value_max:
        return _number(value_min)
    return f"{_number(value_min)}–{_number(value_max)}"


def story_label(story: Story) -> str:
    """ "7", "about 100" (figures that differ a little or are hedged), "at least 45" (only bounds)."""
    bounded = [f for f in story.figures if f.reading.high != INF]
    if not bounded:
        tightest = max(story.figures, key=lambda f: f.reading.stated or 0)
        return format_value(tightest.value_min, tightest.value_max, tightest.hedge)
    if all(f.reading.exact and f.reading.stated == story.anchor for f in story.figures):
        return _number(story.anchor)
    return f"about {_number(story.anchor)}"


def _figure_json(figure: Figure, stories_of: Mapping[int, int]) -> dict[str, Any]:
    return {
        "id": figure.id,
        "article_id": figure.article_id,
        "value": format_value(figure.value_min, figure.value_max, figure.hedge),
        "value_min": figure.value_min,
        "value_max": figure.value_max,
        "hedge": figure.hedge,
        "group": figure.group,
        "source": figure.source,
        "family": figure.family,
        "status": figure.status,
        "story": stories_of.get(figure.id),
        "derived": figure.derived,
    }


def _story_json(number: int, story: Story) -> dict[str, Any]:
    return {
        "id": number,
        "value": story_label(story),
        "anchor": story.anchor,
        "low": max(f.reading.low for f in story.figures) if story.figures else None,
        "families": story.families,
        "articles": story.articles,
        "figures": [f.id for f in story.figures],
        "first_seen": _iso(story.first.when),
        "last_seen": _iso(story.last.when),
        "status": story.status,
    }


@lru_cache(maxsize=16384)  # an event's articles' times, written again at every rebuild
def _iso(when: datetime) -> str | None:
    return when.isoformat() if when != datetime.min else None


def row_json(row: Row, party_label: str) -> dict[str, Any]:
    numbers = {id(s): n for n, s in enumerate(row.stories, start=1)}
    stories_of = {f.id: numbers[id(s)] for s in row.stories for f in s.figures}
    revisions = [
        {
            "from": numbers[id(s)],
            "to": numbers[id(s.revised_by)],
            "direction": "raised" if s.revised_by.anchor > s.anchor else "lowered",
            "at": _iso(s.revised_by.first.when),
        }
        for s in row.stories
        if s.status == "revised" and s.revised_by is not None
    ]
    headline = None
    if row.headline is not None:
        headline = {
            "story": numbers[id(row.headline)],
            "value": story_label(row.headline),
            "anchor": row.headline.anchor,
            "weak": row.headline.weak,
            "families": row.headline.families,
            "articles": len(row.headline.articles),
            "disputed_by": [numbers[id(s)] for s in row.disputes],
        }
    return {
        "key": row.key,
        "measure": row.measure,
        "party": row.party,
        "party_label": party_label,
        "names": list(dict.fromkeys(f.group for f in row.figures if f.group)),
        "figures": [_figure_json(f, stories_of) for f in row.figures],
        "stories": [_story_json(numbers[id(s)], s) for s in row.stories],
        "headline": headline,
        "disputes": [{"stories": [numbers[id(row.headline)], numbers[id(s)]]} for s in row.disputes],
        "revisions": revisions,
        "timeline": row_timeline(row, numbers),
    }


def row_timeline(row: Row, numbers: Mapping[int, int]) -> list[dict[str, Any]]:
    """What each article's figures did to the row, in order: the first report, agreement with a story
    already told, a revision of an earlier story, a dispute with the headline, or another value."""
    revised_by = {id(s.revised_by): s for s in row.stories if s.revised_by is not None}
    disputing = {id(s) for s in row.disputes} | ({id(row.headline)} if row.disputes else set())
    story_of = {f.id: s for s in row.stories for f in s.figures}
    entries: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for figure in sorted((f for f in row.figures if f.id in story_of), key=_STAMP_START):
        story = story_of[figure.id]
        if (figure.article_id, id(story)) in seen:
            continue
        seen.add((figure.article_id, id(story)))
        entry = {
            "at": _iso(figure.when),
            "article_id": figure.article_id,
            "row": row.key,
            "story": numbers[id(story)],
            "value": format_value(figure.value_min, figure.value_max, figure.hedge),
            "family": figure.family,
            "effect": _effect(figure, story, row, revised_by, disputing),
        }
        if entry["effect"] == "revision":
            entry["from"] = numbers[id(revised_by[id(story)])]
        entries.append(entry)
    return entries


def _effect(figure: Figure, story: Story, row: Row, revised_by: Mapping[int, Story], disputing: set[int]) -> str:
    if figure is not story.first:
        return "agrees"
    if story is row.stories[0]:
        return "first"
    if id(story) in revised_by:
        return "revision"
    return "dispute" if id(story) in disputing else "other"


def event_headline(
    rows: Sequence[Mapping[str, Any]],
    families: Mapping[str, Mapping[str, Any]],
    party_rows: Sequence[Mapping[str, Any]] = (),
    reported: Mapping[int, datetime] | None = None,
    articles: Sequence[Mapping[str, Any]] = (),
    died_of_wounds_in: frozenset[int] = frozenset(),
) -> dict[str, Any]:
    """Per toll measure the sum of the parties' headlines (a figure for everyone, suspects included,
    stands for the sum when it is larger); the lead row (most sources) with its dissent. `party_rows`:
    where `rows` are the scene's, the party rows, for attackers the scene's toll left out (see
    attackers_left_out)."""
    out: dict[str, Any] = {}
    for measure in TOLL_MEASURES:
        heads = [r for r in rows if r["measure"] == measure and r["headline"]]
        if not heads:
            continue
        parts = [r for r in heads if r["party"] != EVERYONE]
        everyone = [r for r in heads if r["party"] == EVERYONE]
        total = sum(r["headline"]["anchor"] for r in parts)
        if everyone and everyone[0]["headline"]["anchor"] > total and (not everyone[0]["headline"]["weak"] or not total):
            parts, total = everyone, everyone[0]["headline"]["anchor"]
        if measure == "killed" and reported and parts and all(death_told_once(rows, r, reported, articles) for r in parts):
            out[measure] = {"value": 0, "label": "0", "rows": [], "disputed": True, "unconfirmed": [r["key"] for r in parts]}
            continue
        left_out = attackers_left_out(party_rows, measure, total)
        if left_out is not None:
            parts, total = [*parts, left_out], total + left_out["headline"]["anchor"]
        if measure == "injured" and len(parts) == 1:
            total -= died_of_wounds(rows, parts[0], articles) or died_as_headlined(rows, parts[0], articles, died_of_wounds_in)
        approximate = any(not r["headline"]["value"].replace(".", "").isdigit() for r in parts)
        out[measure] = {
            "value": total,
            "label": (f"about {_number(total)}" if approximate else _number(total)),
            "rows": [r["key"] for r in parts],
            "disputed": any(r["disputes"] for r in heads),
        }
    lead = _lead_row(rows)
    if lead is not None:
        out["lead"] = lead["key"]
        out["text"] = row_headline_text(lead, families)
    return out


def death_told_once(
    rows: Sequence[Mapping[str, Any]],
    killed: Mapping[str, Any],
    reported: Mapping[int, datetime],
    articles: Sequence[Mapping[str, Any]] = (),
) -> bool:
    """A death one article tells that the event's other reports of its wounded, two or more, one of them as
    late or later, do not: no toll of the dead stands ("4 shot, 1 killed" in one article among five that
    say "4 injured", the dead one usually another incident's, a vigil's or last month's). Not when the
    death came last (the wounded may have died since), nor when the wounded are only derived. Copies of one
    report (the same headline) are one article."""
    story = headline_story(killed)
    if len(story["articles"]) != 1 and len(_reports(story["articles"], articles)) != 1:
        return False
    injured = next((r for r in rows if r["measure"] == "injured" and r["party"] == killed["party"] and r["headline"]), None)
    if injured is None or injured["headline"]["weak"]:
        return False
    told_dead = {a for s in killed["stories"] for a in s["articles"]}
    wounded_only = {a for s in injured["stories"] if s["status"] == "current" and s["anchor"] > 0 for a in s["articles"]} - told_dead
    told = min(reported.get(a, datetime.min) for a in story["articles"])
    return len(wounded_only) >= 2 and any(reported.get(a, datetime.min) >= told for a in wounded_only)


def _reports(ids: Sequence[int], articles: Sequence[Mapping[str, Any]]) -> set:
    """The distinct reports among articles: copies of one (the same headline, an outlet's own or a wire
    story's run by several; a headline of a few words may be two reports') count once."""
    titles = {a["id"]: " ".join((a.get("title") or "").lower().split()) for a in articles}
    return {titles[i] if len(titles.get(i, "").split()) >= 5 else i for i in ids}


def attackers_left_out(party_rows: Sequence[Mapping[str, Any]], measure: str, scene_total: float) -> Mapping[str, Any] | None:
    """The suspects' row of the dead when the scene's toll is the victims' alone: the scene counts each
    article's lead, and articles that lead with the victims ("49 killed at a nightclub") and tell the
    attacker's death apart ("the gunman was killed by police") under a name the scene does not know for
    the attacker's ("Mateen") leave him out. Only where the victims' and the suspects' headlines are told
    by one article at least (the same report tells them apart: not "the man" and "the suspect" of two)."""
    if measure != "killed":
        return None
    head = {r["party"]: r for r in party_rows if r["measure"] == measure and r["headline"]}
    victims, suspects = head.get(VICTIMS), head.get(SUSPECTS)
    if victims is None or suspects is None or EVERYONE in head or suspects["headline"]["weak"]:
        return None
    if victims["headline"]["anchor"] != scene_total or victims["headline"]["anchor"] < 2 or not suspects["headline"]["anchor"]:
        return None  # one dead "man" may be the suspect himself
    theirs, ours = headline_story(suspects), headline_story(victims)
    if any(f["derived"] for f in suspects["figures"] if f["story"] == theirs["id"]):
        return None  # split from a figure that counted him with the victims: the scene has him already
    if any(f["derived"] in ("others", "attackers") for f in victims["figures"] if f["story"] == ours["id"]):
        return None  # the victims' toll took in a man "also killed": he may be the attacker
    if suspects["headline"]["anchor"] >= victims["headline"]["anchor"]:
        return None  # "two suspects" beside "two dead": the dead may be the suspects
    told = ours["articles"]
    if not set(told) & set(theirs["articles"]) or 2 * len(theirs["articles"]) < len(told):
        return None  # one late report's "suspect" beside the victims' many reports: a trial's, another man
    return suspects


def died_of_wounds(rows: Sequence[Mapping[str, Any]], injured: Mapping[str, Any], articles: Sequence[Mapping[str, Any]] = ()) -> float:
    """The wounded who died since they were counted: where the dead of the party were first counted after
    the last report of its wounded, and as many more dead as there were wounded, the wounded are dead,
    not wounded ("a 2-year-old was shot" ... later "the 2-year-old has died")."""
    killed = next((r for r in rows if r["measure"] == "killed" and r["party"] == injured["party"] and r["headline"]), None)
    if killed is None:
        return 0
    dead, wounded = headline_story(killed), headline_story(injured)
    if not dead["first_seen"] or not wounded["last_seen"] or dead["first_seen"] < wounded["last_seen"]:
        return 0
    if dead["first_seen"] == wounded["last_seen"] and not _arrived_after(dead["articles"], wounded["articles"], articles):
        return 0
    articles = set(wounded["articles"])
    known = max((s["anchor"] for s in killed["stories"] if articles & set(s["articles"])), default=0)
    # all of them: a part of the wounded dying is told with the wounded left ("one of the four has died")
    return wounded["anchor"] if dead["anchor"] - known >= wounded["anchor"] else 0


def _arrived_after(later: Sequence[int], earlier: Sequence[int], articles: Sequence[Mapping[str, Any]]) -> bool:
    """Reports dated alike (a day's date) in the order they came: the first of `later` came after every one of `earlier`."""
    rank = {a["id"]: n for n, a in enumerate(articles)}
    if not rank or not later or not earlier:
        return False
    return min(rank.get(a, -1) for a in later) > max(rank.get(a, len(rank)) for a in earlier)


def died_as_headlined(
    rows: Sequence[Mapping[str, Any]],
    injured: Mapping[str, Any],
    articles: Sequence[Mapping[str, Any]],
    died_of_wounds_in: frozenset[int] = frozenset(),
) -> float:
    """The wounded who died, told by a report that recalls their wound: the first reports count wounded and
    no dead; later ones headline the death ("2-year-old dies after being shot") and, recalling how it came
    about, still give the wound ("Kendal Pinkerton was critically injured"), or tell the death as the wound's end
    ("the teen has died from his wounds", `died_of_wounds_in`). Where no report tells the
    wounded alone after the first headlined death, and the dead are as many as the wounded, the wounded
    are dead, not wounded."""
    killed = next((r for r in rows if r["measure"] == "killed" and r["party"] == injured["party"] and r["headline"]), None)
    if killed is None:
        return 0
    dead, wounded = headline_story(killed), headline_story(injured)
    if not wounded["anchor"] or dead["anchor"] < wounded["anchor"]:
        return 0
    told_dead = {a for s in killed["stories"] if s["anchor"] for a in s["articles"]}
    wounded_only = [a for a in wounded["articles"] if a not in told_dead]
    recalled = [a for a in wounded["articles"] if a in told_dead]
    if not wounded_only or not recalled:
        return 0
    headlined = {a["id"] for a in articles if a["id"] in told_dead and _headlines_a_death(a.get("title") or "")}
    headlined |= died_of_wounds_in & told_dead
    if not set(recalled) <= headlined or not set(dead["articles"]) & headlined:
        return 0
    rank = {a["id"]: n for n, a in enumerate(articles)}
    first_death = min(rank.get(a, 0) for a in told_dead)
    return wounded["anchor"] if all(rank.get(a, 0) < first_death for a in wounded_only) else 0


#: a death told as the end of a wound: "has died from his wounds", "succumbed to her injuries"
_DIED_OF_WOUNDS = re.compile(
    r"\b(?:died|dies|has\s+died|had\s+died)\s+(?:from|of)\s+(?:his|her|their|the)\s+(?:[\w-]+\s+)?(?:wounds?|injur(?:y|ies))\b"
    r"|\bsuccumbed\s+to\s+(?:his|her|their|the)\s+(?:[\w-]+\s+)?(?:wounds?|injur(?:y|ies))\b",
    re.IGNORECASE,
)


def died_of_wounds_told(claims: Sequence[Mapping[str, Any]]) -> frozenset[int]:
    """The articles that tell a death as the end of a wound ("Police say the teen has died from his wounds")."""
    return frozenset(
        c["article_id"]
        for c in claims
        if c.get("kind") == CASUALTY
        and c.get("measure") == "killed"
        and not _is_context(c)
        and _found(_DIED_OF_WOUNDS, c.get("sentence") or "")
    )


#: a person told as another one than those counted before ("was also wounded", "a second man was hurt")
_TOLD_APART = re.compile(r"\b(?:also|other|another|second|third)\b", re.IGNORECASE)
_WOUND_WORD = re.compile(r"\b(?:wound\w*|injur\w*|hurt|critical|hospitali[sz]ed)\b", re.IGNORECASE)


def _headlines_a_death(title: str) -> bool:
    """A headline that tells of a death and counts no wounded ("2-year-old dies after being shot"; not "1 dead, 2 hurt")."""
    return bool(_DEATH_WORD.search(title)) and not _WOUND_WORD.search(title)


def _lead_row(rows: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    for measure in TOLL_MEASURES:
        heads = [r for r in rows if r["measure"] == measure and r["headline"]]
        if heads:
            return max(heads, key=lambda r: (len(r["headline"]["families"]), r["headline"]["articles"], r["headline"]["anchor"]))
    return None


def family_credit(family_keys: Sequence[str], families: Mapping[str, Mapping[str, Any]]) -> str:
    """Who says it: the named families, else "unattributed"."""
    named = [families[k]["label"] for k in family_keys if k in families and not k.startswith(("outlet:", "article:"))]
    return ", ".join(dict.fromkeys(named)) or "unattributed"


def row_headline_text(row: Mapping[str, Any], families: Mapping[str, Mapping[str, Any]]) -> str:
    """ "killed, pro-government forces: about 100 (US military, 5 articles) — disputed: 7 (a pro-Syrian government commander)"."""
    head = row["headline"]
    stories_by_id = {s["id"]: s for s in row["stories"]}
    count = head["articles"]
    text = f"{row['measure']}, {row['party_label']}: {head['value']} ({family_credit(head['families'], families)}, {count} article{'s' if count != 1 else ''})"
    dissent = [stories_by_id[n] for n in head["disputed_by"] if n in stories_by_id]
    if dissent:
        text += " — disputed: " + "; ".join(f"{s['value']} ({family_credit(s['families'], families)})" for s in dissent)
    return text


# ------------------------------------------------------------------------------------------ other parts


def other_figures(
    claims: Sequence[Mapping[str, Any]],
    family_of: Mapping[int, str],
    times: Mapping[int, ArticleTime],
    parties: PartyResolution,
    window: timedelta,
) -> list[dict[str, Any]]:
    """Figures that are not casualties, grouped by unit and party; compared only when they count one party's people."""
    groups: dict[tuple[str, str | None], list[Figure]] = defaultdict(list)
    for index, claim in enumerate(claims):
        if claim.get("kind") != FIGURE:
            continue
        figure = _figure(index, index, claim, claim.get("value_min"), claim.get("value_max"))
        if figure is None:
            continue
        figure.family = family_of.get(index, f"article:{figure.article_id}")
        time = times.get(figure.article_id)
        figure.when, figure.order = (time.when, time.order) if time else (datetime.min, 0)
        described = describe(claim.get("group"))
        party = side_of(described, parties.government)
        people = described.role in ("combatant", "perpetrator", "civilian") or claim.get("measure") in ("people", "personnel")
        unit = "people" if people else (claim.get("measure") or "")
        groups[(unit, party if people else None)].append(figure)
    out = []
    for (unit, party), figures in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        if party is None:  # different places, things or parties: grouped where they agree, never a conflict
            entry = {
                "key": f"{unit}|-",
                "measure": unit,
                "party": "-",
                "party_label": "",
                "headline": None,
                "disputes": [],
                "revisions": [],
                "stories": _plain_stories(figures),
            }
        else:
            entry = _summary_row(row_json(build_row(unit, party, figures, window), party_label(party, parties.parties)))
        entry["agreements"] = [s["id"] for s in entry["stories"] if len(s["articles"]) >= 2]
        out.append(entry)
    return out


def _plain_stories(figures: list[Figure]) -> list[dict[str, Any]]:
    grouped = [figures] if len(figures) == 1 else stories(figures, lambda f: f.reading, _story_weight)
    ordered = sorted((Story(figures=g, anchor=_anchor(g)) for g in grouped), key=lambda s: s.first.stamp)
    return [
        {"id": n, "value": story_label(s), "anchor": s.anchor, "families": s.families, "articles": s.articles}
        for n, s in enumerate(ordered, start=1)
    ]


def context_figures(claims: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Casualty figures about other incidents (background sentences, roundups): shown, never compared."""
    return [
        {
            "measure": c.get("measure"),
            "value": format_value(c.get("value_min"), c.get("value_max"), c.get("hedge")),
            "group": c.get("group"),
            "article_id": c["article_id"],
            "why": "roundup"
            if (c.get("extra") or {}).get("roundup")
            else "earlier"
            if (c.get("extra") or {}).get("earlier")
            else "background",
        }
        for c in claims
        if c.get("kind") == CASUALTY and _is_context(c)
    ]


def quote_section(claims: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The event's direct quotes by speaker, one speaker per person across its articles
    (claimwire/speakers.py), each quote with the articles that carry it."""
    return [group.to_dict() for group in group_quotes(c for c in claims if c.get("kind") == QUOTE)]


def statement_section(claims: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The event's reported statements in order, each with its speaker as written."""
    return [
        {"speaker": c.get("source"), "speaker_key": c.get("source_key"), "text": c.get("text"), "article_id": c["article_id"]}
        for c in claims
        if c.get("kind") == STATEMENT
    ]


def _timeline(rows: Sequence[Mapping[str, Any]], order: Mapping[int, int]) -> list[dict[str, Any]]:
    """Every row's timeline merged in the order the reports came (then the order the articles arrived)."""
    entries = [entry for row in rows for entry in row["timeline"]]
    return sorted(entries, key=lambda e: (e["at"] or "", order.get(e["article_id"], 0)))


# ------------------------------------------------------------------------------------------ the ledger


def build_ledger(
    articles: Iterable[Mapping[str, Any]], claims: Iterable[Mapping[str, Any]], window: timedelta = SAME_TIME
) -> dict[str, Any]:
    """articles: dicts with id, title, outlet, url, published, arrived (ISO times), in arrival order.
    claims: dicts with the Claim fields plus article_id."""
    article_list = list(articles)
    times = article_times(article_list)
    order = {a["id"]: n for n, a in enumerate(article_list)}
    claim_list = sorted(claims, key=lambda c: (order.get(c["article_id"], 0), c.get("start") or 0))
    claim_list = dated_before(claim_list, article_list, times)
    figures = casualty_figures(claim_list)
    parties = assign_parties(figures)
    sources, family_of = assign_families(claim_list, figures, times)
    _place_figures(figures, family_of, times)
    figures += article_leads(figures)
    figures += with_the_others(figures)
    figures += with_the_named_dead(figures)
    rows = _rows(figures, parties, window)
    scene = [] if parties.war else _scene(rows, figures, claim_list, family_of, times, window)
    family_json = {k: {"label": f.label, "sector": f.sector, "names": f.names} for k, f in sources.families.items()}
    return {
        "version": LEDGER_VERSION,
        "articles": article_list,
        "parties": {k: {"label": p.label, "role": p.role, "names": p.names} for k, p in parties.parties.items()},
        "sources": family_json,
        "rows": rows,
        "scene": scene,
        "headline": event_headline(
            scene or rows,
            family_json,
            rows if scene else (),
            {k: t.when for k, t in times.items()},
            article_list,
            died_of_wounds_told(claim_list),
        ),
        "other_figures": other_figures(claim_list, family_of, times, parties, window),
        "context_figures": context_figures(claim_list),
        "timeline": _timeline(rows, order),
        "quotes": quote_section(claim_list),
        "statements": statement_section(claim_list),
    }


def _scene(
    rows: list[dict[str, Any]],
    figures: Sequence[Figure],
    claims: Sequence[Mapping[str, Any]],
    family_of: Mapping[int, str],
    times: Mapping[int, ArticleTime],
    window: timedelta,
) -> list[dict[str, Any]]:
    """The scene's rows; when everyone counted is one party and no figure was split, they are that party's rows."""
    if len({f.party for f in figures}) <= 1 and not any(f.derived == "self" for f in figures):
        scene = [{**row, "key": f"{row['measure']}|{SCENE}", "party": SCENE, "party_label": SCENE_LABEL} for row in rows]
    else:
        scene = scene_rows(claims, family_of, times, window)
    return [_summary_row(row) for row in scene]


def _summary_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row without its figures and timeline (the party rows have them): its stories, headline, disputes."""
    out = {k: v for k, v in row.items() if k not in ("figures", "timeline", "names")}
    out["stories"] = [{k: v for k, v in story.items() if k != "figures"} for story in row["stories"]]
    return out


def scene_rows(
    claims: Sequence[Mapping[str, Any]], family_of: Mapping[int, str], times: Mapping[int, ArticleTime], window: timedelta
) -> list[dict[str, Any]]:
    """Outside a war, the people of one scene (victims, suspect, bystanders) are counted together: each
    article's toll is its lead figure over all of them, unsplit (one dead man may be "the man" in one
    sentence and "the suspect" in the next; "killed his wife and himself" is two dead), and the
    articles' tolls are combined like a row's figures."""
    figures = casualty_figures(claims, split=False)
    roles = {f.id: _scene_role(f) for f in figures}
    for figure in figures:
        figure.party = SCENE
    _place_figures(figures, family_of, times)
    figures += article_leads(figures)
    figures += with_the_attackers(figures, roles)
    figures += with_the_others(figures, roles)
    figures += with_the_named_dead(figures)
    by_measure: dict[str, list[Figure]] = defaultdict(list)
    for figure in figures:
        by_measure[figure.measure].append(figure)
    ordered = sorted(by_measure, key=lambda m: MEASURE_ORDER.index(m) if m in MEASURE_ORDER else 99)
    dead = _dead_of(dead_by_article(figures), SCENE)
    return [row_json(build_row(m, SCENE, by_measure[m], window, dead), SCENE_LABEL) for m in ordered]


def _scene_role(figure: Figure) -> str:
    """The role of a figure's people at the scene (see killed_himself)."""
    return "perpetrator" if killed_himself(figure) else describe(figure.group).role


def killed_himself(figure: Figure) -> bool:
    """One who "killed himself" (herself, themselves) after the deed is an attacker, as "the gunman" is
    ("Allen went home and killed himself"): a suspect's death, apart from the victims'."""
    return figure.measure == "killed" and (figure.group or "").lower() in _REFLEXIVE and _found(_SUICIDE, figure.sentence)


_REFLEXIVE = frozenset({"himself", "herself", "themselves"})
_SUICIDE = re.compile(
    r"\b(?:killed|shot|shoots|kills|killing|shooting)\s+(?:himself|herself|themselves)\b|\b(?:took|takes|taking|take)\s+(?:his|her|their)\s+own\s+li(?:fe|ves)\b",
    re.IGNORECASE,
)


def with_the_attackers(figures: list[Figure], roles: Mapping[int, str]) -> list[Figure]:
    """An article's toll of its dead victims plus the attackers it says died apart from them ("three
    officers were killed ... the gunman was killed by police" -> 4): a lead that counts the victims only
    (not "including the gunman", not a murder-suicide) gains the attackers' own figure (their largest, so a
    gunman told of twice is one). Not the hurt (ATTACKERS_APART): "3 dead, 2 hurt" counts the wounded gunman
    its article tells of. Returns the new leads; the leads they replace agree with them."""
    added: list[Figure] = []
    for lead in [f for f in figures if f.article_lead and f.measure in ATTACKERS_APART]:
        if roles.get(lead.id) == "perpetrator" or lead.counts_self or lead.self_count or lead.reading.stated is None:
            continue
        if _INCLUDED.search(lead.sentence) or not lead.reading.exact:
            continue
        own = [f for f in figures if f.article_id == lead.article_id]
        theirs = [
            f.reading.stated for f in own if f.measure == lead.measure and roles.get(f.id) == "perpetrator" and f.reading.exact
        ] + _shot_himself_in_a_murder_suicide(lead, own)
        if not theirs or not max(theirs):
            continue
        total = lead.reading.stated + max(theirs)
        both = replace(
            lead, id=len(figures) + len(added), value_min=total, value_max=total, hedge=None, reading=reading(total, total, None)
        )
        both.derived, lead.status, lead.article_lead = "attackers", "agrees", False
        added.append(both)
    return added


def _shot_himself_in_a_murder_suicide(lead: Figure, own: Sequence[Figure]) -> list[int]:
    """The attacker who "shot himself" in an article that tells a murder-suicide ("Murder/Suicide claims family
    of five" ... "killed his wife and three children" ... "then shot himself in the head"): a death, though
    the sentence says shot. Elsewhere "shot himself" may have been survived ("before turning the gun on
    himself in attempted suicide"). Only beside a lead that counts his victims, the ones he killed ("killed his
    wife and three children"), not everyone dead ("2 adults, six children dead": the attacker among them)."""
    if not any(f.counts_self for f in own) or not _his_victims(lead):
        return []
    return [1 for f in own if f.measure == "shot" and (f.group or "").lower() in _REFLEXIVE and _SUICIDE.search(f.sentence)][:1]


def _his_victims(lead: Figure) -> bool:
    """The lead counts the people an attacker killed: its group follows a killing verb and a possessive."""
    head = (lead.group or "").split()
    if not head:
        return False
    return (
        re.search(rf"\b{_KILLING}\s+(?:his|her|their)\s+(?:\w+\s+){{0,2}}?{re.escape(head[0])}\b", lead.sentence, re.IGNORECASE) is not None
    )


_KILLING = r"(?:killed|kills|killing|murdered|murders|murdering|shot|shoots|shooting)"


def with_the_others(figures: list[Figure], roles: Mapping[int, str] | None = None) -> list[Figure]:
    """An article's toll plus the people it says were also killed (hurt, shot) apart from them ("Art teacher
    killed in crossfire" ... "Ann Lee, 15, was also killed in the shooting" -> 2; "Two men were wounded ...
    A child was also shot in the incident" -> 3 hurt): a lead gains each further person its later sentences
    tell of (see `_further_person`). A person "also shot" adds to a wounded lead told apart from the
    article's count of the shot ("six injured, five by gunfire ... a woman was also shot": one of the five)
    only where the article gives no such count. Returns the new leads; the leads they replace agree
    with them."""
    added: list[Figure] = []
    of_article: dict[int, list[Figure]] = defaultdict(list)  # each lead reads only its own article's figures
    for figure in figures:
        of_article[figure.article_id].append(figure)
    for lead in [f for f in figures if f.article_lead and f.measure in _ALSO]:
        if not lead.reading.stated or not lead.reading.exact or lead.derived is not None:
            continue
        own = of_article[lead.article_id]
        shot_count = any(f.article_id == lead.article_id and f.measure == "shot" and (f.reading.stated or 0) > 1 for f in own)
        others = {
            (f.group or "").lower()
            for f in own
            if f.article_id == lead.article_id
            and f.measure in _FURTHER_OF[lead.measure]
            and f is not lead
            and not f.in_title
            and (lead.in_title or f.start > lead.start)
            and f.reading.stated == 1
            and f.reading.exact
            and (roles or {}).get(f.id) != "perpetrator"
            and _further_person(f, lead)
            and not _amid_the_counted(f, lead, own)
            and (f.measure == lead.measure or not shot_count)
        }
        if not others:
            continue
        total = lead.reading.stated + len(others)
        both = replace(
            lead, id=len(figures) + len(added), value_min=total, value_max=total, hedge=None, reading=reading(total, total, None)
        )
        both.derived, lead.status, lead.article_lead = "others", "agrees", False
        for figure in own:  # the ones counted before are a part of the new toll, no story of their own
            if (
                figure.article_id == lead.article_id
                and figure.measure == lead.measure
                and figure.status == "agrees"
                and figure.party == lead.party
            ):
                figure.status = "aside"
        added.append(both)
    return added


def with_the_named_dead(figures: list[Figure]) -> list[Figure]:
    """An article that names more dead people than its lead counts ("Charlotte Zaremba, 16, died from gunshot
    wounds" ... "Sean Crizer died at the trauma center" under a lead of one): its toll is the people it names
    dead, one per surname (a father and daughter who share it count once: never more than it says). Names of
    other incidents' dead (background, earlier, mourned) are not read. Returns the new leads."""
    added: list[Figure] = []
    for lead in [f for f in figures if f.article_lead and f.measure == "killed"]:
        if not lead.reading.exact or lead.reading.stated is None or lead.derived is not None:
            continue
        own = [f for f in figures if f.article_id == lead.article_id and f.party == lead.party]
        elsewhere = dead_told_as_elsewhere(own)
        surnames = {
            name
            for f in own
            if f.measure == "killed" and not f.weak and f not in elsewhere and not _told_elsewhere(f.sentence)
            for name in _dead_surnames(f)
        }
        if len(surnames) <= lead.reading.stated:
            continue
        total = len(surnames)
        both = replace(
            lead, id=len(figures) + len(added), value_min=total, value_max=total, hedge=None, reading=reading(total, total, None)
        )
        both.derived, lead.status, lead.article_lead = "named", "aside", False
        for figure in own:  # the named ones and the lead are a part of the new toll, no story of their own
            if figure.measure == "killed" and figure.status == "agrees":
                figure.status = "aside"
        added.append(both)
    return added


def _dead_surnames(figure: Figure) -> list[str]:
    """The surnames of the full names a body figure's group is made of: one person named ("Sean Crizer"), or
    a list that gives their ages ("Jacinta Walker, 18, and Aveion Bolden, 20" -> walker, bolden); a bare
    surname, a description ("a former Whitehouse School District student"), a list without ages ("Family,
    Friends Mourn Those") or a headline's words give none."""
    if figure.in_title or not (figure.mention == "name" or figure.listed):
        return []
    parts = [p.strip() for p in _LIST_SEPARATOR.split(figure.group or "")]
    names = [
        p
        for n, p in enumerate(parts)
        if _FULL_NAME.fullmatch(p)
        and not any(w.lower() in _NOT_NAME_WORDS for w in p.split())
        and (figure.mention == "name" or n + 1 < len(parts) and parts[n + 1].isdigit())  # a list names people with their ages
    ]
    return [name.split()[-1].lower() for name in names]


_LIST_SEPARATOR = re.compile(r",\s*(?:and\s+)?|\s+and\s+|;\s*")
_FULL_NAME = re.compile(r"[A-Z][a-z'’-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'’-]+)+")
_NOT_NAME_WORDS = frozenset("police officer officers sheriff deputy state county city street avenue road mr mrs ms dr".split())


def _further_person(figure: Figure, lead: Figure) -> bool:
    """One person a later sentence tells of beside those the lead counted: "was also killed (hurt, shot)"
    where the lead counts one; where it counts several, only a person the sentence brings in anew ("a
    child was also shot", "a third victim was found", not "Smith was also shot", who may be one of them) or
    one numbered past them ("a third victim" after two, not "the third victim"). Someone "also shot" is
    hurt unless the sentence tells of a death."""
    also = _found(_ALSO[figure.measure], figure.sentence)
    if figure.measure != lead.measure and (not also or _found(_DEATH_WORD, figure.sentence)):
        return False
    counted = lead.reading.stated or 0
    if counted == 1 and also:
        return True
    if figure.mention not in ("indefinite", "new") or (figure.measure != "killed" and _found(_DEATH_WORD, figure.sentence)):
        return False  # "the fourth victim", "Smith": one of those counted; a wounded man who died is no longer hurt
    place = _ordinal(figure.group or "")
    if place is not None:
        return place == counted + 1
    return bool(also)


def _amid_the_counted(figure: Figure, lead: Figure, figures: Sequence[Figure]) -> bool:
    """The lead's people told one by one and this one among them ("Four men were shot. A 19-year-old was shot
    in the face, a 21-year-old in the thigh and an 18-year-old was also shot"): some of those counted, not all,
    are described before it, so "also" goes on with the list. Where none or all of them were, it is one more;
    so is one numbered past them ("a third man")."""
    if _ordinal(figure.group or "") is not None:
        return False
    before = {
        (f.group or "").lower()
        for f in figures
        if f.article_id == lead.article_id
        and f.measure in _FURTHER_OF[lead.measure]
        and f.reading.stated == 1
        and (f.person or f.mention is not None)
        and not f.in_title
        and (lead.in_title or f.start > lead.start)
        and f.start < figure.start
        and (f.group or "").lower() != (figure.group or "").lower()
    }
    return 0 < len(before) < (lead.reading.stated or 0)


def _ordinal(group: str) -> int | None:
    """The place a group gives its person ("a third victim": 3), if any."""
    for word in group.lower().split():
        if word in _ORDINALS:
            return _ORDINALS[word]
    return None


_ORDINALS = {w: n for n, w in enumerate("second third fourth fifth sixth seventh eighth ninth tenth".split(), start=2)}


#: one more person killed beside those an article counted: "was also killed", "also died"
_ALSO_KILLED = re.compile(
    r"\b(?:was|were|is|has been|had been)\s+also\s+(?:\w+ly\s+)?(?:killed|slain|shot dead|shot and killed|pronounced dead|found dead)\b"
    r"|\balso\s+(?:died|was killed|was slain)\b",
    re.IGNORECASE,
)
#: one more person hurt (shot) beside those an article counted: "was also wounded", "was also shot"
_ALSO_HURT = re.compile(
    r"\b(?:was|were|is|has been|had been)\s+also\s+(?:\w+ly\s+)?(?:wounded|injured|hurt|hospitali[sz]ed)\b", re.IGNORECASE
)
_ALSO_SHOT = re.compile(r"\b(?:was|were|is|has been|had been)\s+also\s+(?:shot|struck|hit)\b(?!\s+(?:dead|and killed))", re.IGNORECASE)
_ALSO = {"killed": _ALSO_KILLED, "injured": _ALSO_HURT, "shot": _ALSO_SHOT}
#: the measures a lead's further people may be told in: someone "also shot" is one more hurt
_FURTHER_OF = {"killed": ("killed",), "injured": ("injured", "shot"), "shot": ("shot",)}


#: a figure that counts the attackers already: "five dead, including the gunman"
_INCLUDED = re.compile(
    r"\b(?:including|among them|counting|plus)\b[^.;]{0,40}?\b(?:gunman|gunmen|shooter|shooters|suspects?|attackers?|assailants?|killer|"
    r"bomber|himself|herself)\b",
    re.IGNORECASE,
)


def _place_figures(figures: Sequence[Figure], family_of: Mapping[int, str], times: Mapping[int, ArticleTime]) -> None:
    """Each figure's source family (its claim's) and time (its article's)."""
    for figure in figures:
        figure.family = family_of.get(figure.claim, f"article:{figure.article_id}")
        time = times.get(figure.article_id)
        if time is not None:
            figure.when, figure.order = time.when, time.order


def _rows(figures: Sequence[Figure], parties: PartyResolution, window: timedelta) -> list[dict[str, Any]]:
    by_row: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for figure in figures:
        by_row[(figure.measure, figure.party)].append(figure)
    ordered = sorted(by_row, key=lambda k: (MEASURE_ORDER.index(k[0]) if k[0] in MEASURE_ORDER else 99, k[1]))
    rows = []
    dead = dead_by_article(figures)
    for measure, party in ordered:
        row = build_row(measure, party, by_row[(measure, party)], window, _dead_of(dead, party))
        label = parties.parties[party].label if party in parties.parties else party
        rows.append(row_json(row, label))
    return rows
