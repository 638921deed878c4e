"""Event linking, the pure part: an article's features, the similarity of two articles, and the decision.

No database here. The linker talks to an *index* (see `LinkIndex`): the storage-backed one lives in
`storage/eventindex.py`, an in-memory one (`MemoryIndex`, below) serves tests and tuning. Both give the
same answers for the same stream, so the decision depends only on the input order.

Features (all lower-cased strings with a type prefix, used as a set):

    p:  proper-name phrases (runs of capitalised words: "wilbert thibodeaux", "st mary parish")
    c:  single capitalised words that are not common words (surnames, towns: "thibodeaux", "charenton")
    s:  street / block places ("s:cobbler knoll", "s:4500 block south halsted")
    a:  ages ("a:48" from "Thibodeaux, 48," or "48-year-old")
    d:  dates the article mentions, resolved against its own date ("on Sunday", "June 29")
    n:  other numbers of three or more digits (addresses, calibres, ...)
    t:  other words (their rarity, i.e. IDF from the document frequencies, decides how much they count)
    h:  title words (a second copy, the headline says what the story is about)

Similarity of two articles = cosine of their IDF x type-weighted binary vectors, times a time factor that
decays with the gap between their dates; a shared mentioned date or a shared full name softens the decay
(follow-up coverage months later: trials, funerals). An article joins the event of its best-matching
earlier article (single link) when the similarity clears JOIN_THRESHOLD; when it clears MERGE_THRESHOLD
against articles of two different events, the events are merged.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import math
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

LINKER = "keys-v3"

JOIN_THRESHOLD = 0.45
EVIDENCE_SHARE = 0.5  # how much each further matching article of an event adds (noisy-or)
MERGE_THRESHOLD = 0.9
INDEX_KEYS = 40  # keys per article kept in the inverted index
LOOKUP_KEYS = 40  # keys per article looked up at link time
POSTINGS_PER_KEY = 40  # newest postings per key read at link time
CANDIDATES = 25  # candidate articles scored in full
SHORT_WINDOW_DAYS = 45  # window for ordinary keys
LONG_WINDOW_DAYS = 730  # window for names, streets and dates (follow-up coverage)
BUCKET_DAYS = 7
PROSE_WORDS = 12  # lines shorter than this that do not end like a sentence are not read
UNDATED = 0  # the day (and bucket) of an article with no date of its own
RESERVED_HASHES = 16  # key hashes 0..15 are reserved (the sharded document count)
COMMON_FRACTION = 0.05
# a fresh store has seen too few articles to tell a rare name from a common word: until it has seen this
# many, the IDF counts the missing ones as documents that hold none of the keys (news names are mostly rare)
PRIOR_DOCUMENTS = 500  # keys in more than this share of documents are not used for retrieval

TYPE_WEIGHTS = {"p": 2.5, "c": 1.2, "s": 2.5, "a": 0.8, "d": 1.5, "n": 0.8, "t": 0.5, "h": 0.6, "x": 0.0}
LONG_KEYS = ("p", "s", "d", "c")

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-\.]*[A-Za-z]|[A-Za-z]|\d[\d,]*(?:\.\d+)?")
_SPLIT = re.compile(r"[\.\?!;:\"“”()\[\]]|,(?!\d)|\s[-–—]\s|\n")
_AGE = re.compile(r"\b(\d{1,2})[- ]year[- ]old\b|,\s*(\d{1,2}),|\b(?:age|aged)\s+(\d{1,2})\b", re.I)
_STREET = re.compile(
    r"\b(?:(\d{1,5})\s+(?:block\s+of\s+)?)?((?:(?:North|South|East|West|[NSEW]\.?)\s+)?(?:[A-Z0-9][A-Za-z0-9'\.]*\s+){0,3}?)"
    r"(Street|St\.|Avenue|Ave\.|Road|Rd\.|Drive|Dr\.|Boulevard|Blvd\.?|Lane|Ln\.|Court|Place|Parkway|Highway|Way|Terrace|Circle|Pike|Trail)\b"
)
_MONTHS = {m: i + 1 for i, m in enumerate("january february march april may june july august september october november december".split())}
_MONTH_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_MONTH_DATE = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b"
)
_WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_RELATIVE = re.compile(r"\b(yesterday|last night|this morning|tonight|early today)\b", re.I)

_STOPWORDS = frozenset(
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
_CAP_STOP = _STOPWORDS | _TITLES | frozenset("i i'm we he she they it his her their there here what where who how why".split())


# --------------------------------------------------------------------------------------------------- features


@functools.lru_cache(maxsize=1 << 18)
def key_hash(key: str) -> int:
    """A stable signed 63-bit hash of a key, for the database index (memoised: an article's keys are hashed
    for the frequencies, the locks, the lookup and the filing, and names recur across articles)."""
    value = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") >> 1
    return value if value >= RESERVED_HASHES else value + RESERVED_HASHES


def day_number(when: datetime | date) -> int:
    return (when.date() if isinstance(when, datetime) else when).toordinal()


def bucket_of(day: int) -> int:
    return day // BUCKET_DAYS


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


def mentioned_dates(text: str, published: date | None) -> set[date]:
    if published is None:
        return set()
    found: set[date] = set()
    for match in _MONTH_DATE.finditer(text):
        name = match.group(1).lower()
        month = _MONTHS.get(name) or _MONTH_ABBR.get(name[:4].rstrip(".")) or _MONTH_ABBR.get(name[:3])
        if month is None:
            continue
        year = int(match.group(3)) if match.group(3) else None
        if year is not None and not 1990 <= year <= published.year + 1:
            continue
        resolved = _resolve_month_day(month, int(match.group(2)), year, published)
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


def extract_keys(title: str | None, text: str, published: date | None) -> tuple[set[str], set[date]]:
    keys: set[str] = set()
    body = prose(text or "")
    story = headline(title)
    # the outlet's name and slogan around the headline: its words mark the page furniture of that outlet
    outlet = {_clean_token(m.group()) for m in _WORD.finditer(title or "")} - {_clean_token(m.group()) for m in _WORD.finditer(story)}
    title = story
    full = (title or "") + "\n" + body
    lowercase_seen: set[str] = set()
    named: set[str] = set()  # words capitalised where case tells: mid-sentence in the body
    title_case = _title_case(title)
    clean, stopwords, cap_stop = _clean_token, _STOPWORDS, _CAP_STOP
    for match in _WORD.finditer(body):
        token = match.group()
        first = token[0]
        if first.islower():
            lowercase_seen.add(token.lower())
        elif first.isupper() and not _sentence_start(body, match.start()):
            named.add(clean(token))
    title_end = len(title) + 1
    start = 0
    for separator in [*_SPLIT.finditer(full), None]:
        end = separator.start() if separator else len(full)
        segment, offset, start = full[start:end], start, separator.end() if separator else end
        run: list[str] = []
        matches = list(_WORD.finditer(segment))
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
                position = offset + match.start()
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
                    if word not in lowercase_seen and len(word) > 2:
                        keys.add("c:" + word)
                    continue
            if run:
                _flush(run, keys)
                run = []
            if word not in stopwords and len(word) > 3:
                keys.add("t:" + word)
        if run:
            _flush(run, keys)
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
    dates = mentioned_dates(full, published)
    keys.update("d:" + d.isoformat() for d in dates)
    for match in _WORD.finditer(title or ""):
        word = _clean_token(match.group())
        if word and word not in _STOPWORDS and len(word) > 2 and not word[0].isdigit():
            keys.add("h:" + word)
    keys.update(headline_facts(title or ""))
    if outlet:
        keys = {k for k in keys if k[0] not in "pc" or not all(w in outlet for w in k[2:].split())}
    return keys, dates


_NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER = r"(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")"
_HEADLINE_AGE = re.compile(_NUMBER + r"[- ](?:year|month)s?[- ]old|,\s*(\d{1,2}),", re.I)
_HEADLINE_COUNT = re.compile(
    r"\b" + _NUMBER + r"\s+(?:(?:people|persons|men|women|teens|children|kids|others|more|officers|victims)\s+)?(?:are\s+|were\s+)?"
    r"(shot|wounded|injured|hurt|killed|dead|die|died|slain)\b", re.I
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


def prose(text: str) -> str:
    """The article's sentences: short lines that do not end like a sentence are page furniture (links to
    other stories, video lists, captions, menus) and would tie together unrelated stories of one outlet."""
    return "\n".join(line for line in text.splitlines() if len(line.split()) >= PROSE_WORDS or _PROSE_END.search(line))


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
        return cls(keys=frozenset(data.get("keys", ())), day=int(data["day"]), dates=frozenset(data.get("dates", ())))

    def shaped(self) -> "_Shape":
        shape = self.shape
        if shape is None:
            shape = self.shape = _Shape.of(self)
        return shape


class _Shape:
    """Counts of an article's keys by kind, its person names, its headline facts and its incident day: what
    pair scoring reads of an article apart from the keys two articles share."""

    __slots__ = ("kind_counts", "persons", "titles", "kinds", "fact_kinds", "incident")

    def __init__(self, kind_counts: dict[str, int], persons: int, fact_kinds: frozenset[str], incident: int) -> None:
        self.kind_counts = kind_counts
        self.persons = persons
        self.titles = kind_counts.get("h", 0)
        self.kinds = frozenset(kind_counts)
        self.fact_kinds = fact_kinds
        self.incident = incident

    @classmethod
    def of(cls, features: "ArticleFeatures") -> "_Shape":
        counts: dict[str, int] = {}
        persons = 0
        facts = set()
        for key in features.keys:
            kind = key[0]
            counts[kind] = counts.get(kind, 0) + 1
            if kind == "p":
                if not _is_place(key):
                    persons += 1
            elif kind == "x":
                facts.add(key.split(":")[1])
        recent = [d for d in features.dates if 0 <= features.day - d <= 7]
        return cls(counts, persons, frozenset(facts), min(recent) if recent else features.day)


def article_features(title: str | None, text: str, published: datetime | date | None) -> ArticleFeatures:
    """`published`: the article's own date (publication, or arrival when it has none)."""
    when = published.date() if isinstance(published, datetime) else published
    keys, dates = extract_keys(title, text, when)
    day = when.toordinal() if when else UNDATED
    return ArticleFeatures(keys=frozenset(keys), day=day, dates=frozenset(d.toordinal() for d in dates), title=title)


# --------------------------------------------------------------------------------------------------- scoring


class Weights:
    """IDF x type weight of keys, given document frequencies and the number of documents."""

    def __init__(self, df: Mapping[str, int], documents: int):
        self.df = df
        self.documents = max(1, documents)
        self._top = math.log(max(self.documents, PRIOR_DOCUMENTS) + 1)
        self._idf: dict[str, float] = {}
        self._stats: dict[int, tuple] = {}

    def idf(self, key: str) -> float:
        value = self._idf.get(key)
        if value is None:
            value = self._idf[key] = self._top - math.log(self.df.get(key, 0) + 1) + 1.0
        return value

    def weight(self, key: str) -> float:
        return TYPE_WEIGHTS.get(key[0], 0.5) * self.idf(key)

    def stats(self, features: "ArticleFeatures") -> tuple[float, dict[str, float], float]:
        """(norm of the weighted vector, IDF total per key type, IDF total of person names) of an article,
        computed once per article and set of weights."""
        return self._full_stats(features)[:3]

    def _full_stats(self, features: "ArticleFeatures") -> tuple[float, dict[str, float], float, float]:
        """`stats` and the sum of the squared IDFs of the headline keys. Only the keys the weights know
        (that have a document frequency) are looked at one by one: every other key has the top IDF."""
        found = self._stats.get(id(features))
        if found is None or found[0] is not features:
            shape = features.shaped()
            df, keys = self.df, features.keys
            known = keys.intersection(df) if len(df) <= len(keys) or isinstance(df, (set, frozenset)) else [k for k in keys if k in df]
            totals: dict[str, float] = {}
            known_counts: dict[str, int] = {}
            squares = person = title = 0.0
            known_persons = 0
            idf_of = self._idf
            for key in known:
                idf = idf_of.get(key)
                if idf is None:
                    idf = self.idf(key)
                kind = key[0]
                totals[kind] = totals.get(kind, 0.0) + idf
                known_counts[kind] = known_counts.get(kind, 0) + 1
                squares += (TYPE_WEIGHTS.get(kind, 0.5) * idf) ** 2
                if kind == "p":
                    if not _is_place(key):
                        person += idf
                        known_persons += 1
                elif kind == "h":
                    title += idf * idf
            unknown_idf = self._top + 1.0  # a key no earlier article has: the top IDF
            for kind, count in shape.kind_counts.items():
                unknown = count - known_counts.get(kind, 0)
                if unknown:
                    totals[kind] = totals.get(kind, 0.0) + unknown * unknown_idf
                    squares += unknown * (TYPE_WEIGHTS.get(kind, 0.5) * unknown_idf) ** 2
                    if kind == "h":
                        title += unknown * unknown_idf * unknown_idf
            if shape.persons > known_persons:
                person += (shape.persons - known_persons) * unknown_idf
            found = (features, (math.sqrt(squares), totals, person, title))
            self._stats[id(features)] = found
        return found[1]

    def common(self, key: str) -> bool:
        return self.documents >= 50 and self.df.get(key, 0) > COMMON_FRACTION * self.documents


PAIR_FEATURES = ("bias", "cosine", "p", "c", "s", "t", "h", "a", "n", "d", "same_date", "date_near", "log_gap", "gap45", "p_frac", "c_frac", "t_frac", "rare_names", "rare_words", "title_cosine", "place_time",
                 "person", "place", "max_name", "title_names", "ages", "person_frac", "place_near", "incident_near",
                 "title_place_near", "person_late", "second_name", "person_max", "facts_agree", "facts_conflict",
                 "person_conflict", "age_conflict", "street_conflict")
# Logistic weights over PAIR_FEATURES, fitted on pairs of (article, retrieved earlier candidate) from the dev
# stream; they weigh generic evidence (shared names, places, dates, rare words, time gap), nothing dev-specific.
# Reproduce: python -m service.fit_linker --seeds ../shared/seeds --fit (see docs/LINKING.md).
PAIR_WEIGHTS = (-8.429, -1.312, -0.046, 0.04, 0.122, -0.002, 0.222, 0.061, -0.035, -0.2, 3.199, 1.662, -0.32, -0.824, 1.205, 3.378, -1.607, 0.36, 0.095, -0.461, 2.167, 0.026, -0.09, 4.626, -0.029, 0.257, -2.061, -2.07, 0.403, 1.082, 1.917, 2.42, 0.616, 0.857, -1.784, -0.078, -1.506, -1.97)


def pair_vector(left: ArticleFeatures, right: ArticleFeatures, weights: Weights) -> tuple[list[float], list[tuple[float, str]]]:
    shared = left.keys & right.keys
    left_shape, right_shape = left.shaped(), right.shaped()
    by_type: dict[str, float] = defaultdict(float)
    contributions: list[tuple[float, str]] = []
    dot = title_dot = 0.0
    rare_names = rare_words = ages = facts_agree = 0
    person = place = max_name = title_names = title_place = second = person_max = 0.0
    shared_kinds: set[str] = set()
    agreed_facts: set[str] = set()
    idf_of, df, type_weights = weights.idf, weights.df, TYPE_WEIGHTS
    for key in shared:
        kind = key[0]
        idf = idf_of(key)
        by_type[kind] += idf
        w = (type_weights.get(kind, 0.5) * idf) ** 2
        dot += w
        contributions.append((w, key))
        shared_kinds.add(kind)
        if kind in "pcs":
            if df.get(key, 0) <= 3:
                rare_names += 1
            if kind == "p" and not _is_place(key):
                person += idf
                person_max = max(person_max, idf)
            elif kind != "c":
                place += idf
            if idf > max_name:
                max_name, second = idf, max_name
            elif idf > second:
                second = idf
        elif kind == "t" or kind == "n":
            if df.get(key, 0) <= 3:
                rare_words += 1
        elif kind == "h":
            title_dot += idf**2
            if "c:" + key[2:] in shared:
                title_names += idf
                title_place = max(title_place, idf)
        elif kind == "a":
            ages += 1
        elif kind == "x":
            facts_agree += 1
            agreed_facts.add(key.split(":")[1])
    left_norm, left_totals, left_person, left_title = weights._full_stats(left)
    right_norm, right_totals, right_person, right_title = weights._full_stats(right)
    cosine = dot / (left_norm * right_norm) if left_norm and right_norm else 0.0

    def fraction(kind: str) -> float:
        return by_type[kind] / (min(left_totals.get(kind, 0.0), right_totals.get(kind, 0.0)) + 3.0)

    undated = left.day == UNDATED or right.day == UNDATED  # no date: neither a penalty nor evidence
    gap = 0 if undated else abs(left.day - right.day)
    same_date = bool(left.dates & right.dates)
    near = any(abs(d - right.day) <= 1 for d in left.dates) or any(abs(d - left.day) <= 1 for d in right.dates)
    if left_shape.titles and right_shape.titles:
        title_norm = math.sqrt(left_title * right_title)
        title_cosine = title_dot / title_norm if title_norm else 0.0
    else:
        title_cosine = 0.0
    vector = [
        1.0, cosine, by_type["p"], by_type["c"], by_type["s"], by_type["t"], by_type["h"], by_type["a"], by_type["n"], by_type["d"],
        float(same_date), float(near), math.log1p(gap), float(gap > 45), fraction("p"), fraction("c"), fraction("t"),
        float(min(4, rare_names)),
        float(min(4, rare_words)),
        title_cosine,
        float(gap <= 3) * min(1.0, fraction("c") * 2),
    ]
    top = weights.idf("")  # the IDF of a key no earlier article has
    left_incident, right_incident = left_shape.incident, right_shape.incident
    incident_near = abs(left_incident - right_incident) <= 1
    # evidence of two different incidents: both articles name people but none in common (the smaller side's
    # person-name mass, relative to the top IDF); both give ages but none in common; both name streets but
    # none in common. And the headline facts: those both state alike, the kinds on which they disagree.
    both_kinds = left_shape.kinds & right_shape.kinds
    person_conflict = min(left_person, right_person) / top if person == 0 else 0.0
    vector += [
        person, place, max_name / top, title_names, float(min(ages, 3)),
        person / (min(left_person, right_person) + 3.0),
        float(gap <= 3) * min(1.0, (place + by_type["c"]) / 20.0),
        float(not undated and incident_near),
        title_place / top * float(gap <= 3 or incident_near),
        min(person, 20.0) / 20.0 * float(gap > 45),
        second / top,
        person_max / top,
        float(facts_agree), float(len((left_shape.fact_kinds & right_shape.fact_kinds) - agreed_facts)),
        min(person_conflict, 4.0),
        float("a" in both_kinds and "a" not in shared_kinds),
        float("s" in both_kinds and "s" not in shared_kinds),
    ]
    return vector, contributions


def _conflicts(left: ArticleFeatures, right: ArticleFeatures, shared: frozenset[str], left_person: float, right_person: float, person: float, top: float) -> tuple[float, float, float]:
    """Evidence of two different incidents: both articles name people but none in common (the smaller
    side's person-name mass, relative to the top IDF); both give ages but none in common; both name
    streets but none in common. (pair_vector computes the same inline.)"""
    def both_without(kind: str) -> float:
        return float(any(k[0] == kind for k in left.keys) and any(k[0] == kind for k in right.keys) and not any(k[0] == kind for k in shared))

    person_conflict = min(left_person, right_person) / top if person == 0 else 0.0
    return min(person_conflict, 4.0), both_without("a"), both_without("s")


def _facts(left: frozenset[str], right: frozenset[str], shared: frozenset[str]) -> tuple[float, float]:
    """(headline facts both state alike, kinds of fact on which the headlines disagree). (pair_vector
    computes the same inline.)"""
    kinds = lambda keys: {k.split(":")[1] for k in keys if k[0] == "x"}
    agree = kinds(shared)
    return float(len([k for k in shared if k[0] == "x"])), float(len((kinds(left) & kinds(right)) - agree))


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
def _is_place(key: str) -> bool:
    return any(word in _PLACE_WORDS for word in key[2:].split())


def incident_day(features: ArticleFeatures) -> int:
    """When the story happened, as far as the article says: the earliest date it mentions in the week before
    its own date, else its own date."""
    return features.shaped().incident


def _title_cosine(left: ArticleFeatures, right: ArticleFeatures, weights: Weights) -> float:
    left_title = [k for k in left.keys if k.startswith("h:")]
    right_title = [k for k in right.keys if k.startswith("h:")]
    if not left_title or not right_title:
        return 0.0
    dot = sum(weights.idf(k) ** 2 for k in set(left_title) & set(right_title))
    norm = math.sqrt(sum(weights.idf(k) ** 2 for k in left_title) * sum(weights.idf(k) ** 2 for k in right_title))
    return dot / norm if norm else 0.0


def _strongest_first(item: tuple[float, str]) -> tuple[float, str]:
    return -item[0], item[1]


def similarity(left: ArticleFeatures, right: ArticleFeatures, weights: Weights) -> tuple[float, dict[str, Any]]:
    """The probability-like score that two articles report the same event."""
    if not (left.keys & right.keys):
        return 0.0, {"shared": []}
    vector, contributions = pair_vector(left, right, weights)
    z = sum(map(operator.mul, PAIR_WEIGHTS, vector))
    value = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
    top = heapq.nsmallest(12, contributions, key=_strongest_first)  # = sorted(...)[:12]
    return value, {
        "cosine": round(vector[1], 4),
        "gap_days": left.day - right.day,
        "same_date": bool(vector[10]),
        "date_near": bool(vector[11]),
        "shared": [k for _, k in top],
    }


def _norm(features: ArticleFeatures, weights: Weights) -> float:
    return weights.stats(features)[0]


def index_keys(features: ArticleFeatures, weights: Weights, limit: int = INDEX_KEYS) -> list[str]:
    """The article's most telling keys: what it is filed under in the inverted index and retrieved by."""
    usable = [k for k in features.keys if k[0] in "pcsdnat" and not weights.common(k) and k[0] != "a"]
    usable.sort(key=lambda k: (-weights.weight(k), k))
    return usable[:limit]


def lookup_keys(features: ArticleFeatures, weights: Weights, limit: int = LOOKUP_KEYS) -> list[str]:
    """The keys the article looks candidates up by: its most telling keys that earlier articles have too
    (a key only this article has can have no postings yet; it is worth filing under, not looking up)."""
    usable = [k for k in features.keys if k[0] in "pcsdnt" and weights.df.get(k, 0) > 1 and not weights.common(k)]
    usable.sort(key=lambda k: (-weights.weight(k), k))
    return usable[:limit]


def window_days(key: str) -> int:
    return LONG_WINDOW_DAYS if key[0] in LONG_KEYS else SHORT_WINDOW_DAYS


def bucket_range(key: str, day: int) -> tuple[int, int]:
    """The buckets a key is looked up in around `day`; an undated article looks everywhere (newest first)."""
    if day == UNDATED:
        return UNDATED, 1 << 30
    span = window_days(key)
    return bucket_of(day - span), bucket_of(day + span)


# --------------------------------------------------------------------------------------------------- deciding


@dataclass(slots=True)
class Candidate:
    article_id: int
    event_id: int
    features: ArticleFeatures


@dataclass(slots=True)
class LinkDecision:
    event_id: int | None  # None: open a new event
    score: float
    features: dict = field(default_factory=dict)
    merge: list[int] = field(default_factory=list)  # further events that this article shows are the same one
    opened: bool = False  # set once the new event has been given its id

    @property
    def decision(self) -> str:
        return "new" if self.event_id is None or self.opened else ("merged" if self.merge else "joined")


class LinkIndex(Protocol):
    def document_frequencies(self, keys: Iterable[str]) -> tuple[dict[str, int], int]: ...

    def candidates(self, keys: Sequence[str], day: int, limit_per_key: int) -> list[tuple[str, int]]:
        """(key, article_id) postings for these keys within each key's window around `day`."""
        ...

    def load(self, article_ids: Sequence[int]) -> list[Candidate]: ...


def decide(features: ArticleFeatures, index: LinkIndex, lock=None) -> tuple[LinkDecision, list[str]]:
    """Score the article against the candidates the index retrieves. Returns the decision and the keys
    to file the article under. `lock(keys)`, when given, is called with the retrieval keys before the
    index is read: with several workers it serialises articles that could meet the same events."""
    df, documents = index.document_frequencies(features.keys)
    # count the article itself, so that a key only it has is rare rather than unknown
    weights = Weights({k: df.get(k, 0) + 1 for k in features.keys}, documents + 1)
    keys = index_keys(features, weights)
    lookup = lookup_keys(features, weights)
    if lock is not None:
        lock(sorted(set(keys) | set(lookup)))
    postings = index.candidates(lookup, features.day, POSTINGS_PER_KEY)
    votes: dict[int, float] = defaultdict(float)
    for key, article_id in postings:
        votes[article_id] += weights.weight(key)
    ranked = sorted(votes, key=lambda a: (-votes[a], -a))[:CANDIDATES]
    best_by_event: dict[int, tuple[float, int, dict]] = {}
    missing: dict[int, float] = {}  # per event: the chance that none of its articles matches (noisy-or)
    for candidate in index.load(ranked):
        value, breakdown = similarity(features, candidate.features, weights)
        missing[candidate.event_id] = missing.get(candidate.event_id, 1.0) * (1.0 - EVIDENCE_SHARE * value)
        current = best_by_event.get(candidate.event_id)
        if current is None or (value, -candidate.article_id) > (current[0], -current[1]):
            best_by_event[candidate.event_id] = (value, candidate.article_id, breakdown)
    for event_id, (value, article_id, breakdown) in list(best_by_event.items()):
        combined = max(value, 1.0 - missing[event_id])
        best_by_event[event_id] = (combined, article_id, {**breakdown, "best_pair": round(value, 4)})
    ordered = sorted(best_by_event.items(), key=lambda item: (-item[1][0], item[0]))
    info: dict[str, Any] = {"linker": LINKER, "candidates": len(ranked), "events": len(ordered), "index_keys": keys[:15]}
    if not ordered or ordered[0][1][0] < JOIN_THRESHOLD:
        best = ordered[0][1] if ordered else (0.0, None, {})
        info.update(best_article=best[1], **best[2])
        return LinkDecision(event_id=None, score=round(best[0], 4), features=info), keys
    event_id, (value, article_id, breakdown) = ordered[0]
    info.update(best_article=article_id, **breakdown)
    merge = sorted(e for e, (v, _, _) in ordered[1:] if v >= MERGE_THRESHOLD and value >= MERGE_THRESHOLD)
    if merge:
        info["merge_scores"] = {str(e): round(best_by_event[e][0], 4) for e in merge}
        # the surviving event is the oldest one
        survivors = sorted([event_id, *merge])
        event_id, merge = survivors[0], survivors[1:]
    return LinkDecision(event_id=event_id, score=round(value, 4), features=info, merge=merge), keys


# --------------------------------------------------------------------------------------------------- in memory


class MemoryIndex:
    """The same index in memory: for tests and for tuning the linker without a database."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.documents = 0
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)  # key -> [(day, article_id)]
        self.articles: dict[int, ArticleFeatures] = {}
        self.event_of: dict[int, int] = {}
        self.next_event = 1

    def document_frequencies(self, keys: Iterable[str]) -> tuple[dict[str, int], int]:
        return {k: self.df[k] for k in keys if k in self.df}, self.documents

    def candidates(self, keys: Sequence[str], day: int, limit_per_key: int) -> list[tuple[str, int]]:
        found = []
        for key in keys:
            low, high = bucket_range(key, day)
            rows = [(d, a) for d, a in self.postings.get(key, ()) if low <= bucket_of(d) <= high or bucket_of(d) == UNDATED]
            rows.sort(key=lambda r: (-bucket_of(r[0]), -r[1]))
            found.extend((key, a) for _, a in rows[:limit_per_key])
        return found

    def load(self, article_ids: Sequence[int]) -> list[Candidate]:
        return [Candidate(a, self.event_of[a], self.articles[a]) for a in sorted(article_ids)]

    def link(self, article_id: int, features: ArticleFeatures) -> LinkDecision:
        decision, keys = decide(features, self)
        event_id = decision.event_id
        if event_id is None:
            event_id = self.next_event
            self.next_event += 1
        for other in decision.merge:
            for article, event in self.event_of.items():
                if event == other:
                    self.event_of[article] = event_id
        self.event_of[article_id] = event_id
        self.articles[article_id] = features
        self.documents += 1
        self.df.update(features.keys)
        for key in keys:
            self.postings[key].append((features.day, article_id))
        decision.opened = decision.event_id is None
        decision.event_id = event_id
        return decision
