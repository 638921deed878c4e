"""Event linking, the features: what an article says that could tie it to another report of one incident.

Each article becomes a set of typed keys (lower-cased strings with a type prefix):

    p:  proper-name phrases (runs of capitalised words: "wilbert thibodeaux", "st mary parish")
    c:  single capitalised words that are not common words (surnames, towns: "thibodeaux", "charenton")
    s:  street / block places ("s:cobbler knoll", "s:4500 block south halsted")
    a:  ages ("a:48" from "Thibodeaux, 48," or "48-year-old")
    d:  dates the article mentions, resolved against its own date ("on Sunday", "June 29")
    n:  other numbers of three or more digits (addresses, calibres, ...)
    t:  other words (their rarity, i.e. IDF from the document frequencies, decides how much they count)
    h:  title words (a second copy, the headline says what the story is about)
    x:  headline facts (victim age, killed / hurt / shot counts)
    y:  years the article states; m: month-days it states ("m:6-29"), both with or without a date of its own
    l:  the lead's names (capitalised words of the headline and first sentences); q: the lead's numbers
    z:  `z:unrelated`: the body repeats none of the headline's words (page furniture, or an outlet's title)

x, y, m, l, q and z keys are read by their own pair features (`claimwire.linkscore.specific_evidence`).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

from claimwire.vocabulary import MonthDay, month_days

PROSE_WORDS = 12  # lines shorter than this that do not end like a sentence are not read
UNDATED = 0  # the day (and bucket) of an article with no date of its own
RESERVED_HASHES = 16  # key hashes 0..15 are reserved (the sharded document count)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-\.]*[A-Za-z]|[A-Za-z]|\d[\d,]*(?:\.\d+)?")
_SPLIT = re.compile(r"[\.\?!;:\"“”()\[\]]|,(?!\d)|\s[-–—]\s|\n")
# (?=...) first: the first characters any match can start with, so the engine skips every other position at once
_AGE = re.compile(r"(?=[\d,a])(?:\b(\d{1,2})[- ]year[- ]old\b|,\s*(\d{1,2}),|\b(?:age|aged)\s+(\d{1,2})\b)", re.I)
_STREET = re.compile(  # (?=[A-Z0-9]): every match starts so (first, before \b: the engine then skips other positions at once)
    r"(?=[A-Z0-9])\b(?:(\d{1,5})\s+(?:block\s+of\s+)?)?((?:(?:North|South|East|West|[NSEW]\.?)\s+)?(?:[A-Z0-9][A-Za-z0-9'\.]*\s+){0,3}?)"
    r"(Street|St\.|Avenue|Ave|Road|Rd|Drive|Dr\.|Boulevard|Blvd|Lane|Ln|Court|Place|Parkway|Highway|Way|Terrace|Circle|Pike|Trail)\b"
)
_WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_WEEKDAY = re.compile(r"(?=[MTWFS])\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_RELATIVE = re.compile(r"(?=[ylte])\b(yesterday|last night|this morning|tonight|early today)\b", re.I)

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
    now of off on once only or other our ours out over own same she should so some such than that the
    their theirs them then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours said says say told according reported report
    news one two three four five six seven eight nine ten first second third last next year years day days time
    times week weeks month months monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    today yesterday tonight morning afternoon evening night mr mrs ms dr st am pm us u.s copyright rights reserved
    watch video photo photos click share comment comments read more story stories advertisement get got like
    just around another many much still even back well since they're it's he's she's that's there's don't didn't
    can't won't while
    """.split()
)
# Words that often open a capitalised run but are not part of a name.
_TITLES = frozenset(
    """police officer officers sgt sgt. sergeant det det. detective chief lt lt. lieutenant capt capt. captain cpl
    trooper deputy deputies sheriff sheriff's judge attorney district prosecutor prosecutors coroner mayor gov gov.
    governor sen sen. senator rep rep. president spokesman spokeswoman spokesperson officials official investigators
    authorities witnesses neighbors friends family mr. mrs. ms. dr. rev rev. pastor agent special assistant county
    city state department office the a an this that in on at as after when but and or if for from with by of to
    according police's victim victims suspect suspects""".split()
)
# a kind of street on its own ("at 8th and Spruce Streets", "Street" in every address): no name of a place (keys-v13)
_STREET_KINDS = frozenset("streets avenues roads boulevards lanes drives".split())
_CAP_STOP = STOPWORDS | _TITLES | frozenset("i i'm we he she they it his her their there here what where who how why".split())


# --------------------------------------------------------------------------------------------------- features


@functools.lru_cache(maxsize=1 << 18)
def key_hash(key: str) -> int:
    """A stable signed 63-bit hash of a key, for the database index (memoised: an article's keys are hashed
    for the frequencies, the locks, the lookup and the filing, and names recur across articles)."""
    value = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") >> 1
    return value if value >= RESERVED_HASHES else value + RESERVED_HASHES


@functools.lru_cache(maxsize=1 << 17)
def _clean_token(token: str) -> str:
    return token.lower().strip(".'’-").replace("’", "'").removesuffix("'s")


def _resolve_month_day(month: int, day: int, year: int | None, published: date) -> date | None:
    try:
        if year:
            return date(year, month, day)
        candidate = date(published.year, month, day)
        if candidate > published + timedelta(days=2):
            candidate = date(published.year - 1, month, day)
        return candidate
    except ValueError:
        return None


def mentioned_dates(text: str, published: date | None, named_days: list[MonthDay] | None = None) -> set[date]:
    """NAMED_DAYS: `month_days(text)`, when the caller has them."""
    if published is None:
        return set()
    found: set[date] = set()
    for named in month_days(text) if named_days is None else named_days:
        if named.year is not None and not 1990 <= named.year <= published.year + 1:
            continue
        resolved = _resolve_month_day(named.month, named.day, named.year, published)
        if resolved:
            found.add(resolved)
    for match in _WEEKDAY.finditer(text):
        back = (published.weekday() - _WEEKDAYS[match.group(1).lower()]) % 7
        found.add(published - timedelta(days=back))
    for match in _RELATIVE.finditer(text):
        word = match.group(1).lower()
        found.add(published - timedelta(days=1) if word in ("yesterday", "last night") else published)
    return found


_TITLE_PARTS = re.compile(r"\s+[-|–—]+\s+|\s*\|\s*")


def headline(title: str | None) -> str:
    """The story's own headline: titles often carry the outlet ("... - WSVN-TV - 7NEWS Miami Ft. Lauderdale
    News, Weather"), which makes every story of one outlet look alike; keep the longest part."""
    parts = [p.strip() for p in _TITLE_PARTS.split(title or "") if p.strip()]
    return max(parts, key=lambda p: len(p.split())) if parts else ""


def _segment_words(full: str, words: list[re.Match[str]], ends: list[int]) -> Iterator[list[re.Match[str]]]:
    """The words of each segment of FULL (the text between two `_SPLIT` separators) as `_WORD` reads the segment
    alone, positions in FULL: WORDS (`_WORD.finditer(full)`, ENDS their ends) as they are, the segment read again
    only where a word runs across one of its separators ("U.S.", "1.5": the separator cuts the word)."""
    count = len(words)
    start = index = 0
    crossed = False  # a word runs across the separator before the segment
    for separator in [*_SPLIT.finditer(full), None]:
        end = separator.start() if separator else len(full)
        first, index = index, bisect.bisect_right(ends, end, index)
        crossing = index < count and words[index].start() < end
        yield list(_WORD.finditer(full, start, end)) if crossed or crossing else words[first:index]
        crossed = crossing
        start = separator.end() if separator else end


def _name_and_word_keys(title: str, full: str, keys: set[str]) -> None:
    """Names ("p:", "c:"), numbers ("n:") and other words ("t:") of the headline and body, added to `keys`."""
    lowercase_seen: set[str] = set()
    named: set[str] = set()  # words capitalised where case tells: mid-sentence in the body
    title_case = _title_case(title)
    clean, stopwords, cap_stop = _clean_token, STOPWORDS, _CAP_STOP
    words = list(_WORD.finditer(full))  # the body's are those after the title's "\n", as `_WORD` reads the body alone
    ends = [match.end() for match in words]
    title_end = len(title) + 1
    for match in words[bisect.bisect_right(ends, title_end) :]:
        token = match.group()
        first = token[0]
        if first.islower():
            lowercase_seen.add(token.lower())
        elif first.isupper() and not _sentence_start(full, match.start()):
            named.add(clean(token))
    for matches in _segment_words(full, words, ends):
        run: list[str] = []
        last = len(matches) - 1
        for index, match in enumerate(matches):
            token = match.group()
            first = token[0]
            if first.isdigit():
                value = token.replace(",", "")
                if len(value) >= 3 and not (len(value) == 4 and value.isdigit() and 1900 <= int(value) <= 2030):
                    keys.add("n:" + value)
                if run:
                    _flush(run, keys)
                    run = []
                continue
            word = clean(token)
            if not word:
                continue
            if first.isupper():
                # a capital at the start of a sentence, or in a Title Case headline, says nothing: such a word
                # counts as a name only if the body also capitalises it mid-sentence, or, opening a body
                # sentence, runs on into another capitalised word ("Darnell Whitfield was pronounced dead")
                position = match.start()
                in_title = position < title_end
                capital = word in named or not (in_title and title_case or _sentence_start(full, position))
                if not capital and not in_title and index < last and word not in cap_stop:
                    following = matches[index + 1].group()
                    capital = following[0].isupper() and clean(following) not in stopwords
                if capital:
                    if word in cap_stop and not run:
                        continue
                    if word in stopwords:
                        if run:
                            _flush(run, keys)
                            run = []
                        continue
                    run.append(word)
                    if word not in lowercase_seen and len(word) > 2 and word not in _STREET_KINDS:
                        keys.add("c:" + word)
                    continue
            if run:
                _flush(run, keys)
                run = []
            if word not in stopwords and len(word) > 3:
                keys.add("t:" + word)
        if run:
            _flush(run, keys)


def _place_and_age_keys(full: str, body: str, keys: set[str]) -> None:
    """Streets and blocks ("s:") and ages ("a:"), added to `keys`."""
    for match in _STREET.finditer(full):
        name = " ".join(_clean_token(t) for t in (match.group(2) or "").split() if _clean_token(t))
        if not name or name in _CAP_STOP:
            continue
        kind = _clean_token(match.group(3))
        kind = {"st": "street", "ave": "avenue", "rd": "road", "dr": "drive", "blvd": "boulevard", "ln": "lane"}.get(kind, kind)
        keys.add(f"s:{name} {kind}")
        if match.group(1):
            keys.add(f"s:{match.group(1)} {name} {kind}")
    for match in _AGE.finditer(body):
        age = next(g for g in match.groups() if g)
        if 0 < int(age) < 100:
            keys.add("a:" + age)


def extract_keys(title: str | None, text: str, published: date | None) -> tuple[set[str], set[date]]:
    keys: set[str] = set()
    body = prose(text or "")
    story = headline(title)
    # the outlet's name and slogan around the headline: its words mark the page furniture of that outlet
    outlet = {_clean_token(m.group()) for m in _WORD.finditer(title or "")} - {_clean_token(m.group()) for m in _WORD.finditer(story)}
    title = story
    full = (title or "") + "\n" + body
    _name_and_word_keys(title, full, keys)
    _place_and_age_keys(full, body, keys)
    named_days = list(month_days(full))
    dates = mentioned_dates(full, published, named_days)
    keys.update("d:" + d.isoformat() for d in dates)
    for match in _WORD.finditer(title or ""):
        word = _clean_token(match.group())
        if word and word not in STOPWORDS and len(word) > 2 and not word[0].isdigit():
            keys.add("h:" + word)
    keys.update(headline_facts(title or ""))
    keys.update(calendar_keys(full, named_days))
    keys.update(lead_keys(title or "", body, keys))
    keys.update(clock_keys(lead_text(title or "", body, CLOCK_SENTENCES)))
    if unrelated_body(title or "", body):
        keys.add(UNRELATED)
    if outlet:
        keys = {k for k in keys if k[0] not in "pc" or not all(w in outlet for w in k[2:].split())}
    return keys, dates


_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
UNRELATED = "z:unrelated"


def unrelated_body(title: str, body: str) -> bool:
    """Whether the body repeats none of the headline's words: what the crawl kept is then not the story (a
    sign-up form, a reporter's "get an email whenever X posts", a list of videos), or the title is not its
    headline (the outlet's name). Either way the two do not vouch for each other (key `z:unrelated`)."""
    words = {
        w for w in (_clean_token(m.group()) for m in _WORD.finditer(title)) if len(w) > 2 and w not in STOPWORDS and not w[0].isdigit()
    }
    if not words or not body.strip():
        return False
    return words.isdisjoint(_clean_token(m.group()) for m in _WORD.finditer(body))


def calendar_keys(text: str, named_days: list[MonthDay] | None = None) -> set[str]:
    """Years ("y:2009") and month-days ("m:6-29") the article states, with or without a date of its own: two
    reports of one incident name the same ones, two incidents of a kind years apart do not. NAMED_DAYS:
    `month_days(text)`, when the caller has them."""
    keys = {"y:" + match.group(1) for match in _YEAR.finditer(text)}
    for named in month_days(text) if named_days is None else named_days:
        if 1 <= named.day <= 31:
            keys.add(f"m:{named.month}-{named.day}")
    return keys


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘'A-Z0-9])")
LEAD_SENTENCES = 2
# times of day further down are often of what followed or of other incidents (an arrest, a funeral, the
# roundup's next shooting); the report's own time is told early (keys-v9)
CLOCK_SENTENCES = 8


def lead_text(title: str, body: str, sentences: int) -> str:
    """The headline and the body's first SENTENCES sentences."""
    return title + "\n" + " ".join(_SENTENCE_END.split(body.lstrip(), sentences)[:sentences])


def lead_keys(title: str, body: str, keys: set[str]) -> set[str]:
    """The lead's specifics: the names ("l:aceh") and numbers ("q:5", "q:6.1") of the headline and the first
    sentences, what the story is about. Names and numbers further down are often background (an earlier
    incident of the same kind); those of the lead belong to this one."""
    lead = lead_text(title, body, LEAD_SENTENCES)
    found = lead_ages(lead)
    for match in _WORD.finditer(lead):
        token = match.group()
        if token[0].isdigit():
            value = token.replace(",", "")
            if not _YEAR.fullmatch(value):
                found.add("q:" + value)
            continue
        word = _clean_token(token)
        if "c:" + word in keys:
            found.add("l:" + word)
        elif word in _NUMBER_WORDS and _NUMBER_WORDS[word] > 1:
            found.add(f"q:{_NUMBER_WORDS[word]}")
    return found


# no groups, digits first: the scan skips at once the positions no time can start at (a time is rare in a page)
_CLOCK = re.compile(r"[0-9][0-9]?(?:[:.][0-5][0-9])?\s?[apAP]\.?\s?[mM]\b")
_NOON = re.compile(r"\b(noon|midnight)\b")


def clock_keys(text: str) -> set[str]:
    """The times of day the article gives ("o:1230": 8:30 p.m., in minutes after midnight): when things
    happened. Two reports of one incident give its time alike; two incidents of a day rarely have one time."""
    found = set()
    for match in _CLOCK.finditer(text):
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in ":."):
            continue  # part of a longer number ("123 am", "1:10:30 pm")
        stamp = match.group()
        hour, _, minute = stamp.rstrip("apmAPM. \t\n").replace(".", ":").partition(":")
        if 1 <= int(hour) <= 12:
            found.add(f"o:{int(hour) % 12 * 60 + int(minute or 0) + (720 if 'p' in stamp or 'P' in stamp else 0)}")
    lowered = text.lower()
    if "noon" in lowered or "midnight" in lowered:
        found.update("o:720" if word == "noon" else "o:0" for word in _NOON.findall(lowered))
    return found


def lead_ages(lead: str) -> set[str]:
    """The ages the lead gives ("g:17"): whom the story is about (ages further down are often of others: a
    suspect charged, an earlier victim)."""
    ages = (next(group for group in match.groups() if group) for match in _AGE.finditer(lead))
    return {"g:" + age for age in ages if 0 < int(age) < 100}


_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER = r"(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")"
_HEADLINE_AGE = re.compile(_NUMBER + r"[- ](?:year|month)s?[- ]old|,\s*(\d{1,2}),", re.I)
_HEADLINE_COUNT = re.compile(
    r"\b" + _NUMBER + r"\s+(?:(?:people|persons|men|women|teens|children|kids|others|more|officers|victims)\s+)?(?:are\s+|were\s+)?"
    r"(shot|wounded|injured|hurt|killed|dead|die|died|slain)\b",
    re.I,
)
_HURT = {"shot": "shot", "wounded": "hurt", "injured": "hurt", "hurt": "hurt"}


def _number(text: str) -> int | None:
    text = text.lower()
    return int(text) if text.isdigit() else _NUMBER_WORDS.get(text)


def headline_facts(title: str) -> set[str]:
    """What the headline says in numbers: the victim's age ("x:age:14") and the casualty counts
    ("x:killed:1", "x:hurt:3", "x:shot:4"). Two reports of one incident rarely disagree on these."""
    facts = set()
    for match in _HEADLINE_AGE.finditer(title):
        value = _number(match.group(1) or match.group(2))
        if value is not None and 0 <= value < 100:
            facts.add(f"x:age:{value}")
    for match in _HEADLINE_COUNT.finditer(title):
        value = _number(match.group(1))
        if value is not None:
            facts.add(f"x:{_HURT.get(match.group(2).lower(), 'killed')}:{value}")
    return facts


_PROSE_END = re.compile(r"[\.!?\"”'’\)]\s*$")
# a picture's credit, "(Photo: Michael Anthony Adams / The Star)": who took it, not who is in the story (keys-v11)
_PICTURE_CREDIT = re.compile(r"\((?:Photos?|Image|Video)(?: by)?:[^)\n]*\)")
# a line that tells the reader how to reach the outlet's reporter, "Call Star reporter X at (317) 444-6123.",
# "Follow X on Twitter": the same reporter's name and number on every story of a beat (keys-v11)
_CONTACT_LINE = re.compile(r"(?:Call|Contact|Email|E-mail|Follow|Reach)\s")


def prose(text: str) -> str:
    """The article's sentences: short lines that do not end like a sentence are page furniture (links to
    other stories, video lists, captions, menus) and would tie together unrelated stories of one outlet; so
    are pictures' credits and the lines that say how to reach the reporter."""
    if "(" in text:
        text = _PICTURE_CREDIT.sub("", text)
    return "\n".join(
        line
        for line in text.splitlines()
        if (len(line.split()) >= PROSE_WORDS or _PROSE_END.search(line)) and not _CONTACT_LINE.match(line)
    )


def _sentence_start(text: str, position: int) -> bool:
    """Whether the word at `position` opens a sentence (or a line, or a quotation)."""
    index = position - 1
    while index >= 0 and text[index] in " \t'\"‘“(":
        index -= 1
    return index < 0 or text[index] in "\n.!?:;|•–—-"


def _title_case(title: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z']+", title or "") if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _flush(run: list[str], keys: set[str]) -> list[str]:
    while run and run[-1] in _CAP_STOP:
        run.pop()
    if len(run) >= 2:
        keys.add("p:" + " ".join(run[:4]))
    return []


def interned(keys: Iterable[str]) -> frozenset[str]:
    """KEYS with each string interned: a process keeps thousands of candidates' features (storage/eventindex.py),
    whose keys repeat, and a key they share is then held once."""
    return frozenset(map(sys.intern, keys))


@dataclass(slots=True)
class ArticleFeatures:
    keys: frozenset[str]
    day: int  # the article's date as an ordinal day
    dates: frozenset[int] = frozenset()  # mentioned dates as ordinal days
    title: str | None = None
    # what scoring needs of the keys, whatever the weights (`_Shape`): computed once, on first use
    shape: "_Shape | None" = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"keys": sorted(self.keys), "day": self.day, "dates": sorted(self.dates)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ArticleFeatures":
        return cls(keys=interned(data.get("keys", ())), day=int(data["day"]), dates=frozenset(data.get("dates", ())))

    def shaped(self) -> "_Shape":
        shape = self.shape
        if shape is None:
            shape = self.shape = _Shape.of(self)
        return shape

    def body(self) -> frozenset[str]:
        """`body_keys` of the keys, made on first use: only pairs of pages months apart read it."""
        shape = self.shaped()
        if shape.body is None:
            shape.body = body_keys(self.keys)
        return shape.body


class _Shape:
    """Counts of an article's keys by kind, its person names, its headline facts and its incident day: what
    pair scoring reads of an article apart from the keys two articles share."""

    __slots__ = (
        "kind_counts",
        "persons",
        "titles",
        "kinds",
        "fact_kinds",
        "incident",
        "title_names",
        "lead_names",
        "lead_persons",
        "clocks",
        "tolls",
        "body",
        "streets",
        "squares",
    )

    def __init__(
        self,
        kind_counts: dict[str, int],
        persons: int,
        fact_kinds: frozenset[str],
        incident: int,
        title_names: frozenset[str],
        lead_names: frozenset[str],
        lead_persons: frozenset[str],
        clocks: frozenset[int] = frozenset(),
        tolls: Mapping[str, int] | None = None,
        streets: frozenset[str] = frozenset(),
    ) -> None:
        self.streets = streets  # the streets named, as `street_core` has them
        self.body: frozenset[str] | None = None  # `ArticleFeatures.body`, once
        self.tolls = tolls or {}  # the headline's highest count per kind of casualty ("killed": 3)
        self.clocks = clocks  # the times of day the article gives, in minutes after midnight
        self.lead_persons = lead_persons  # the surnames ("c:") of the people the lead names in full
        self.title_names = title_names  # the headline's names: who or where the story is about
        self.lead_names = lead_names  # the same of the headline and first sentences
        self.kind_counts = kind_counts
        self.persons = persons
        self.titles = kind_counts.get("h", 0)
        self.kinds = frozenset(kind_counts)
        self.fact_kinds = fact_kinds
        self.incident = incident
        self.squares: float | None = None  # `weighted_squares`, once

    def weighted_squares(self, type_weights: Mapping[str, float]) -> float:
        """The sum over the keys of their kind's weight squared (one set of TYPE_WEIGHTS per process: kept once)."""
        if self.squares is None:
            self.squares = sum(count * type_weights.get(kind, 0.5) ** 2 for kind, count in self.kind_counts.items())
        return self.squares

    @classmethod
    def of(cls, features: "ArticleFeatures") -> "_Shape":
        keys = features.keys
        counts: dict[str, int] = dict(Counter(map(itemgetter(0), keys)))
        persons = 0
        facts = set()
        clocks = []
        tolls: dict[str, int] = {}
        people: list[str] = []
        heads: list[str] = []  # "c:" and each headline word
        leads: list[str] = []
        streets: list[str] = []
        for key in keys:  # one pass; the words ("t:"), most keys, are only counted
            kind = key[0]
            if kind == "t":
                continue
            if kind == "p":
                if not is_place(key):
                    persons += 1
                    people.append(key)
            elif kind == "h":
                heads.append("c:" + key[2:])
            elif kind == "l":
                leads.append("c:" + key[2:])
            elif kind == "s":
                streets.append(street_core(key))
            elif kind == "x":
                _, fact, value = key.split(":")
                facts.add(fact)
                if fact != "age":
                    tolls[fact] = max(tolls.get(fact, 0), int(value))
            elif kind == "o":
                clocks.append(int(key[2:]))
        recent = [d for d in features.dates if 0 <= features.day - d <= 7]
        title_names = frozenset([k for k in heads if k in keys])
        lead_names = frozenset(leads)
        lead_persons = frozenset(
            "c:" + words[-1] for words in (p[2:].split() for p in people) if all("c:" + w in lead_names for w in words)
        )
        return cls(
            counts,
            persons,
            frozenset(facts),
            min(recent) if recent else features.day,
            title_names,
            lead_names,
            lead_persons,
            frozenset(clocks),
            tolls,
            frozenset(streets) - {""},
        )


_STREET_SIDES = frozenset("north south east west n s e w".split())
# "Hamilton Municipal Court", "Albany City Criminal Court": a court that sits, not a street
_COURTS = frozenset(
    "municipal district justice criminal juvenile superior circuit supreme pleas county city federal family appeals magistrate".split()
)
_ORDINALS = {
    word: f"{n}{'st' if n % 10 == 1 and n != 11 else 'nd' if n % 10 == 2 and n != 12 else 'rd' if n % 10 == 3 and n != 13 else 'th'}"
    for n, word in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split(), 1)
}


def street_core(key: str) -> str:
    """A street key's street without the house number or block and the side of town ("s:4900 s first street",
    "s:south first street" -> "1st street"): what one street is called in every report of it; "" for a court of
    law ("s:hamilton municipal court"), which the street pattern takes for a street."""
    words = key[2:].split()
    if words[-1] == "court" and not _COURTS.isdisjoint(words):
        return ""
    while len(words) > 2 and (words[0].isdigit() or words[0] in _STREET_SIDES):
        words = words[1:]
    return " ".join(_ORDINALS.get(word, word) for word in words)


def body_keys(keys: frozenset[str]) -> frozenset[str]:
    """The names, words and numbers of an article that its headline does not hold: what its body says."""
    titles = {key[2:] for key in keys if key[0] == "h"}
    # words, surnames, ages and numbers are one word each ("t:", "c:", "a:", "n:"); names and streets several
    body = [key for key in keys if key[0] in "tcan" and key[2:] not in titles]
    body += [key for key in keys if key[0] in "ps" and not all(word in titles for word in key[2:].split())]
    return frozenset(body)


def article_features(title: str | None, text: str, published: datetime | date | None) -> ArticleFeatures:
    """`published`: the article's own date (publication, or arrival when it has none)."""
    when = published.date() if isinstance(published, datetime) else published
    keys, dates = extract_keys(title, text, when)
    day = when.toordinal() if when else UNDATED
    return ArticleFeatures(keys=frozenset(keys), day=day, dates=frozenset(d.toordinal() for d in dates), title=title)


# --------------------------------------------------------------------------------------------------- scoring

_PLACE_WORDS = frozenset(
    """street st avenue ave road rd drive dr boulevard blvd lane ln court place parkway highway way terrace circle pike
    trail park hospital center centre medical county city township parish side church school high university college
    apartments apartment complex mall club bar lounge restaurant store market station department police office jail
    river lake beach hill hills heights village valley bay north south east west northeast northwest southeast
    southwest downtown uptown midtown neighborhood district area region state fire sheriff sheriff's hall house
    library airport interstate route bridge square plaza gardens manor estates ranch farm creek springs falls grove
    island islands coast mountain mount port fort saint san los las new""".split()
)


@functools.lru_cache(maxsize=65536)
def is_place(key: str) -> bool:
    return any(word in _PLACE_WORDS for word in key[2:].split())
