"""Direct speech in news text: quotation segments, speaker phrases and the people an article names.

Used by the quotes extractor (and by statements for its quote test).  Rules of English news
writing, not of one corpus:

* Quotations: straight and curly double marks, doubled single marks (’’ ‘‘ '' ``); a quotation
  left open at the end of a paragraph carries on when the next paragraph opens with a mark
  (each paragraph is its own segment); a closing straight mark may touch the next word when it
  follows sentence punctuation ('floor."Benoit').
* Speaker phrases: titles with a full stop (Mr., Sen., Lt. Gov., Sgt.), role words before a name
  ("Police Chief", "neighbor"), party-state tags ("(D-Wis.)", ", R-Texas,"), appositives (", a
  coalition spokesman", "his uncle, Richard Ruffin"), affiliations ("of the State Department").
* Mentions: the named people of an article outside its quotations, with the fullest name and
  title the article gives them and their gender where the text tells it (Mr./Ms., a gendered
  role noun, the pronoun that follows a lone mention).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from claimwire.extractors._lexicon import COLLECTIVES, PERSON_NOUNS as _PERSON_NOUNS
from claimwire.extractors._text import sentence_spans
from claimwire.vocabulary import WEEKDAYS

# --- lexicons ------------------------------------------------------------------------------

#: Finite speech verbs that attribute a quotation ('"...," she said' / 'he told reporters: "...').
SPEECH_VERB_FORMS = frozenset(
    """
say says said tell tells told add adds added ask asks asked write writes wrote tweet tweets tweeted
post posts posted state states stated explain explains explained note notes noted recall recalls
recalled reply replies replied respond responds responded insist insists insisted argue argues argued
warn warns warned declare declares declared announce announces announced continue continues continued
acknowledge acknowledges acknowledged admit admits admitted concede concedes conceded claim claims
claimed contend contends contended maintain maintains maintained remark remarks remarked observe
observes observed conclude concludes concluded complain complains complained comment comments
commented confirm confirms confirmed counter counters countered shout shouts shouted yell yells yelled
scream screams screamed cry cries cried whisper whispers whispered exclaim exclaims exclaimed joke jokes
joked quip quips quipped boast boasts boasted vow vows vowed promise promises promised pledge pledges
pledged predict predicts predicted urge urges urged suggest suggests suggested testify testifies
testified report reports reported read reads recount recounts recounted describe describes described
email emails emailed text texts texted message messages messaged stress stresses stressed emphasize
emphasizes emphasized emphasise emphasises emphasised caution cautions cautioned lament laments
lamented muse muses mused wonder wonders wondered demand demands demanded charge charges charged allege
alleges alleged beg begs begged plead pleads pleaded pled agree agrees agreed offer offers offered
advise advises advised assert asserts asserted answer answers answered interject interjects
interjected chime chimes chimed sing sings sang chant chants chanted rap raps rapped mutter mutters
muttered sigh sighs sighed shrug shrugs shrugged laugh laughs laughed recall recalled reiterate
reiterates reiterated retort retorts retorted summarize summarizes summarized summarise summarises
summarised quote quotes quoted tells wrote reason reasons reasoned speculate speculates speculated
""".split()
)

#: Verbs that frame a partial quotation in the writer's own sentence ('X called it "a huge win"').
FRAMING_VERB_FORMS = frozenset(
    """
call calls called describe describes described term terms termed label labels labeled labelled dub
dubs dubbed praise praises praised blast blasts blasted slam slams slammed condemn condemns condemned
denounce denounces denounced decry decries decried hail hails hailed criticize criticizes criticized
criticise criticises criticised deride derides derided dismiss dismisses dismissed characterize
characterizes characterized characterise characterises characterised refer refers referred brand
brands branded welcome welcomes welcomed accuse accuses accused thank thanks thanked
""".split()
)

#: Participles that hand a following quotation to the clause's subject ('..., saying, "...').
SPEECH_PARTICIPLES = frozenset(
    """
saying adding stating telling noting writing tweeting posting asking explaining declaring insisting
arguing warning calling answering replying responding explaining recalling announcing
""".split()
)

#: Titles written with (or, British style, without) a full stop before a name.
TITLE_ABBREVS = frozenset(
    """
mr mrs ms mx miss dr prof rev fr sen rep reps sens gov lt col gen sgt capt cpt maj cmdr cdr adm cpl
sir dame lord
pvt spc det insp supt ofc atty pres hon amb sec secy del brig msgr sr jr st pfc ssgt msgt lcpl cpo
gens cols lts sgts dep asst assoc comm commr
""".split()
)

#: Words of a role or title before a name ("Police Chief", "neighbor", "Secretary of State").
ROLE_WORDS = frozenset(
    """
president vice senator representative congressman congresswoman congressmember governor mayor
secretary minister chancellor ambassador speaker leader chairman chairwoman chair chairperson director
commissioner superintendent chief sheriff deputy officer detective sergeant lieutenant captain
commander major colonel general admiral corporal private trooper agent spokesman spokeswoman
spokesperson prosecutor attorney judge justice councilman councilwoman councilmember councilor
councillor alderman alderwoman assemblyman assemblywoman assemblymember delegate treasurer auditor
comptroller coroner examiner investigator inspector principal pastor reverend rabbi imam bishop
archbishop cardinal pope priest professor doctor coach manager owner founder ceo cfo coo executive
analyst strategist adviser advisor aide candidate nominee challenger incumbent lawmaker legislator
neighbor neighbour resident witness friend relative cousin brother sister mother father aunt uncle
grandmother grandfather son daughter wife husband student teacher survivor victim employee worker
volunteer organizer organiser activist advocate lawyer counsel economist historian expert researcher
official commentator host anchor reporter correspondent editor columnist publisher pollster premier
queen king prince princess dean provost regent trustee member head boss partner producer singer actor
actress rapper author writer artist filmmaker player quarterback pitcher firefighter paramedic nurse
marshal constable magistrate clerk registrar warden administrator supervisor coordinator organizer
operator dispatcher president-elect governor-elect mayor-elect businessman businesswoman entrepreneur
democrat republican independent libertarian conservative liberal progressive moderate socialist voter
caller listener viewer reader shopper commuter tourist visitor pilgrim refugee migrant farmer miner
economist physician surgeon scientist engineer church churchgoer parishioner shopkeeper homeowner
landlord tenant bystander passerby motorist driver fan supporter critic opponent protester
""".split()
)

#: Lowercase words that can modify a role ("assistant director", "county police chief").
ROLE_MODIFIERS = frozenset(
    """
acting interim former deputy assistant associate senior junior chief executive press communications
campaign police fire county city state federal district national regional local army navy marine
naval air force white house senate majority minority democratic republican gop
business school church community court public defense defence foreign interior justice homeland
security health education finance labor labour commerce transportation energy treasury military
intelligence government union party team family club company department office agency bureau
presidential vice first lead top special general attorney u.s. us un u.n. eu
""".split()
)

#: Last words of capitalised runs that name organisations or places, not people.
ORG_HEADS = frozenset(
    """
police department dept office ministry agency service services council committee commission court
house center centre university college school academy hospital clinic church mosque temple
synagogue company corp corporation inc llc ltd group times post news press journal tribune herald
gazette globe network organization organisation association party campaign administration government
board bureau patrol guard army navy forces force coalition pentagon kremlin senate congress assembly
parliament legislature union foundation institute fund bank club team league federation authority
county city state states street st avenue ave road rd drive boulevard blvd lane way highway park
square bridge airport station district village town township valley river lake island mountain
county's nations republic kingdom embassy consulate command division brigade battalion regiment
unit squad sheriff's prison jail mall market store restaurant bar hotel cafe apartments
statement report release update updates video photo photos gallery story news live watch map
""".split()
)

#: Capitalised words that start a sentence or a clause and are never part of a name.
FUNCTION_CAPS = frozenset(
    """
the a an and but or nor for so yet in on at to of by with from into onto upon about after before
during since until while when whenever where wherever as if though although because unless whether
than then also still however meanwhile now later earlier asked according speaking there here this
that these those what who whom whose which it he she they we i you his her their its our my your
him them us me not no yes all both each every some any many most more much such other another only
just even once again already always never sometimes often instead indeed last next first second
third today tonight yesterday tomorrow is was are were be been has have had do does did
will would can could should must might shall said says told says update updated watch read click
photo video breaking related advertisement copyright between among amid amidst across against without
within through throughout toward towards under over near despite beyond inside outside along behind
below above beside besides around except like unlike via per nobody everyone everybody someone somebody
anyone anybody none nothing everything something anything neither either whether why how
""".split()
)

PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f", "herself": "f"}
SPEAKER_PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i"})

_FEMALE_WORDS = frozenset(
    """
woman women girl girls mother mom wife sister daughter aunt niece grandmother granddaughter
stepmother stepdaughter girlfriend fiancee fiancée widow lady spokeswoman congresswoman chairwoman
businesswoman councilwoman assemblywoman alderwoman policewoman actress waitress queen princess
mrs ms miss madam sister-in-law mother-in-law daughter-in-law grandma ex-wife ex-girlfriend
""".split()
)
_MALE_WORDS = frozenset(
    """
man men boy boys father dad husband brother son uncle nephew grandfather grandson stepfather stepson
boyfriend fiance fiancé widower gentleman spokesman congressman chairman businessman councilman
assemblyman alderman policeman actor waiter king prince mr sir brother-in-law father-in-law
son-in-law grandpa ex-husband ex-boyfriend
""".split()
)

_GENDERED_WORDS = _FEMALE_WORDS | _MALE_WORDS


_DETERMINERS = frozenset(
    """
the a an his her their its our my your one another this that these those some several many two
three four five six seven eight nine ten both each every no any either neither
""".split()
)
_NAME_PARTICLES = frozenset(
    {
        "de",
        "da",
        "del",
        "della",
        "der",
        "den",
        "van",
        "von",
        "la",
        "le",
        "du",
        "di",
        "bin",
        "ibn",
        "al",
        "el",
        "dos",
        "das",
        "ter",
        "ten",
        "y",
    }
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v", "esq"})
#: An age before a name ("18-year-old", the "year-old" of "18 year-old"): who the person is, not a title.
_AGE = re.compile(r"(?:[\w]+-)?(?:year|month|week|day)s?-old", re.IGNORECASE)
_STATE_ABBREVS = frozenset(
    """
ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev
okla ore pa tenn tex va vt wash wis wyo n.c n.d n.h n.j n.m n.y r.i s.c s.d w.va d.c
""".split()
)
_LOCATIVE = frozenset(
    {"in", "at", "near", "from", "to", "into", "across", "toward", "towards", "through", "outside", "inside", "of", "on", "via", "around"}
)
_CLAUSE_STOPS = frozenset(
    """
who whom whose which that when while as after before because since if although though where whereas
and but or so yet then also adding according during about to than said says told
""".split()
)
_SUBORDINATORS = frozenset("when while as after before because since if although though whereas once until unless".split())
_AUX_ADVERBS = frozenset(
    """
has had have also later then earlier previously initially first again already repeatedly publicly
privately once further subsequently would will could can may might must should did does do is was
were are just recently simply only even still often sometimes never not quickly separately later
late early today yesterday tonight immediately finally
""".split()
)
_FINITE = frozenset("has had have is was were are would will could did does do also then not".split())
_DAY_WORDS = frozenset((*WEEKDAYS, *"today yesterday tonight night morning afternoon evening week weekend".split()))

#: Titles written without a full stop in British and Irish style ("Mr Assad", "Sir Keir").
_DOTLESS_TITLES = frozenset({"mr", "mrs", "ms", "mx", "dr", "miss", "sir", "dame", "lord"})
_GIVEN_NAME_ROLES = frozenset({"dean", "earl", "major", "bishop"})
_PARTY = re.compile(r"^(?:D|R|I|Dem|Rep|Ind|DFL|Lab|Con|Lib)-[A-Z]")
_NICKNAME = re.compile(r"\s*[\"“][^\"“”]{1,30}[\"”]\s*")

# --- tokens --------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]{1,3}(?:\.[^\W_]{1,3})+\.?(?![\w'’])|[^\W_][\w'’\-]*\.?|[,;:()\"“”‘’]|[.!?]+|[–—]|-{2}", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Tok:
    word: str
    start: int
    end: int


def tokens(text: str, lo: int, hi: int) -> list[Tok]:
    """Word and punctuation tokens of text[lo:hi].  A trailing full stop stays on abbreviations,
    initials and dotted forms (Sen., J., U.S., D-Wis.) and is split off as sentence punctuation
    everywhere else ('Podesta.' -> 'Podesta', '.')."""
    out: list[Tok] = []
    for m in _TOKEN.finditer(text, lo, hi):
        w = m.group(0)
        if len(w) > 1 and w.endswith(".") and w[0] not in ".!?" and not _keeps_dot(w):
            out.append(Tok(w[:-1], m.start(), m.end() - 1))
            out.append(Tok(".", m.end() - 1, m.end()))
        else:
            out.append(Tok(w, m.start(), m.end()))
    return out


@lru_cache(maxsize=8192)
def _keeps_dot(word: str) -> bool:
    stem = word[:-1].lower().replace("’", "'")
    if "." in stem or len(stem) == 1:
        return True  # U.S., D.C., an initial
    if stem in TITLE_ABBREVS or stem in _STATE_ABBREVS or stem in _SUFFIXES:
        return True
    if _PARTY.match(word):
        return True
    return stem in ("st", "mt", "ft", "no", "vs", "inc", "co", "corp", "ltd", "gov", "lt")


@lru_cache(maxsize=8192)
def _bare(word: str) -> str:
    return word.rstrip(".").lower().replace("’", "'")


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


def _is_title_token(word: str) -> bool:
    b = _bare(word)
    if b in _SUFFIXES:
        return False
    return (word.endswith(".") and b in TITLE_ABBREVS) or word[:1].isupper() and b in _DOTLESS_TITLES


def _is_role(word: str) -> bool:
    b = _bare(word)
    if "-" in b and b.split("-")[0] in ROLE_WORDS:
        return True  # "Secretary-General", "vice-chair", "editor-in-chief"
    return b in ROLE_WORDS or b in TITLE_ABBREVS and b not in _SUFFIXES and (word.endswith(".") or b in _DOTLESS_TITLES)


def _possessive(word: str) -> bool:
    return word.endswith(("'s", "’s", "s'", "s’"))


def is_sentence_end(toks: list[Tok], i: int) -> bool:
    return toks[i].word[0] in ".!?"


# --- speaker phrases -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Speaker:
    """A speaker phrase taken apart.

    written: the phrase as the article gives it at the attribution (appositives dropped).
    kind: person (a named person), description ("a police spokesman"), group ("police",
        "officials"), org ("the Pentagon", "Google"), pronoun ("he").
    name: the person's name without title ("Tim Kaine"), for kind person; else None.
    title: the words before the name as written ("Sen.", "Prince William County police Chief").
    role: the appositive or affiliation after it ("a coalition spokesman", "D-Wis.").
    gender: "m", "f" or None.
    """

    written: str
    kind: str
    name: str | None = None
    title: str = ""
    role: str = ""
    gender: str | None = None

    @property
    def surname(self) -> str | None:
        return name_key(self.name)[0] if self.name else None


@lru_cache(maxsize=4096)
def name_key(name: str) -> tuple[str, tuple[str, ...]]:
    """(surname, given names) of a person's name, folded: "John DeStefano Jr." -> ("destefano", ("john",))."""
    toks = [t for t in re.findall(r"[^\W\d_][\w'’\-]*\.?", name)]
    words = [fold_accents(t).replace("’", "'") for t in toks]
    while len(words) > 1 and words[-1].rstrip(".") in _SUFFIXES:
        words.pop()
    if not words:
        return "", ()
    return words[-1].rstrip("."), tuple(w for w in words[:-1] if w not in _NAME_PARTICLES)


def fold_accents(text: str) -> str:
    """TEXT lower-cased without its accents ("Núñez" → "nunez")."""
    if text.isascii():  # nothing to decompose
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


@lru_cache(maxsize=4096)
def parse_speaker(phrase: str) -> Speaker | None:
    """Take a speaker phrase apart (see Speaker), or None when it is not a speaker at all
    (a function word, a clause, a bare title such as "Sen.")."""
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,;:-–—\"“”'‘’")
    if not phrase or len(phrase) > 200:
        return None
    phrase = _NICKNAME.sub(" ", phrase).strip()
    tags: list[str] = []
    paren = re.search(r"\s*\(([^()]{1,40})\)", phrase)
    if paren:
        tags.append(paren.group(1).strip())
        phrase = (phrase[: paren.start()] + phrase[paren.end() :]).strip()
    parts: list[str] = []
    for p in (p.strip() for p in phrase.split(",")):
        if not p:
            continue
        if parts and _bare(p) in _SUFFIXES:
            parts[-1] = f"{parts[-1]}, {p}"  # "Pablo Deltoro, Jr."
        elif re.fullmatch(r"\d{1,3}", p):
            continue  # an age: "Smith, 45,"
        elif _PARTY.match(p):
            tags.append(p)
        else:
            parts.append(p)
    if not parts:
        return None
    head, roles = parts[0], parts[1:]
    if roles and _looks_description(head) and not _has_name(head) and _has_name(roles[0]):
        # "his uncle, Richard Ruffin" / "Norfolk Police Chief, Michael Goldsmith"
        head, roles = roles[0], [head, *roles[1:]]
    sp = _parse_head(head)
    if sp is None:
        return None
    role = ", ".join(dict.fromkeys(r for r in [*roles, sp.role, *tags] if r))
    gender = sp.gender or _gender_of_words(role)
    return Speaker(written=sp.written, kind=sp.kind, name=sp.name, title=sp.title, role=role, gender=gender)


def _has_name(part: str) -> bool:
    sp = _parse_head(part)
    return sp is not None and sp.kind == "person"


def _looks_description(part: str) -> bool:
    words = part.split()
    return bool(words) and (_bare(words[0]) in _DETERMINERS or _possessive(words[0]) or _is_role(words[-1]))


def _gender_of_words(text: str) -> str | None:
    words = {_bare(w) for w in re.findall(r"[\w'’\-]+", text)}
    f, m = bool(words & _FEMALE_WORDS), bool(words & _MALE_WORDS)
    return "f" if f and not m else "m" if m and not f else None


@lru_cache(maxsize=8192)
def _parse_head(phrase: str) -> Speaker | None:
    toks = [t.word for t in tokens(phrase, 0, len(phrase)) if t.word[0] not in '.!?"“”,;:()']
    while toks and _bare(toks[0]) in _SUBORDINATORS:
        toks = toks[1:]  # "As neighbors watched ..., they vented": the subject is "neighbors"
    if not toks or len(toks) > 16:
        return None
    low = [_bare(t) for t in toks]
    if len(toks) == 1 and low[0] in SPEAKER_PRONOUNS:
        return Speaker(written=toks[0], kind="pronoun", gender=PRONOUN_GENDER.get(low[0]))
    if any(t in ("who", "which", "that", "whose", "whom") for t in low) or low[-1] in _CLAUSE_STOPS:
        return None
    affiliation = ""
    for i, w in enumerate(low):
        if w in ("of", "from", "with", "at", "for") and 0 < i < len(toks) - 1:
            # "Sgt. Freddie Cruz of the City of Miami Police Department": the person, then the affiliation
            if _name_token(toks[:i], i - 1) and not _is_role(toks[i - 1]) and low[0] not in _DETERMINERS and low[i - 1] not in COLLECTIVES:
                affiliation = " ".join(toks[i:])
                toks, low = toks[:i], low[:i]
            break
    written = " ".join(toks)
    j = len(toks)
    while j > 0 and _name_token(toks, j - 1):
        j -= 1
    prefix, name_toks = toks[:j], toks[j:]
    core = [t for t in name_toks if _bare(t) not in _SUFFIXES and not re.fullmatch(r"[A-Z]\.", t) and _bare(t) not in _NAME_PARTICLES]
    if len(core) > 3:
        # "Planned Parenthood Vicki Cowart": the name is the last three parts at most
        cut = len(name_toks) - 3
        prefix, name_toks, core = prefix + name_toks[:cut], name_toks[cut:], core[-3:]
    ages = 0
    while ages < len(prefix) and (_AGE.fullmatch(prefix[ages]) or prefix[ages].isdigit()):
        ages += 1
    if ages and _AGE.fullmatch(prefix[ages - 1]):
        prefix = prefix[ages:]
    title = " ".join(prefix)
    if core:
        last = _bare(core[-1])
        titled = bool(prefix) and (_is_title_token(prefix[-1]) or _is_role(prefix[-1]) and _is_cap(prefix[-1]))
        if (last in ORG_HEADS and not titled) or last in COLLECTIVES or _MEDIA_COMPOUND.fullmatch(last):
            return Speaker(written=written, kind="group" if last in COLLECTIVES else "org", role=affiliation)
        if len(core) == 1 and re.fullmatch(r"[A-Z0-9&]{2,8}", core[0]):
            # "CNN", "the children's agency UNICEF": the acronym, and what the article calls it
            return Speaker(written=core[0], kind="org", role=", ".join(r for r in (title, affiliation) if r))
        k = len(prefix)
        role_seen = 0
        while k > 0 and (_title_word(prefix[k - 1]) or role_seen and role_seen < 4 and _modifier_noun(prefix[k - 1])):
            role_seen = role_seen + 1 if role_seen or _is_role(prefix[k - 1]) else 0
            k -= 1
        if k:
            # "campaigner Jo Smith", "the radio program Smith": keep only the words that read as a title
            prefix = prefix[k:]
            title = " ".join(prefix)
        if (
            prefix
            and (_bare(prefix[0]) in _DETERMINERS or _possessive(prefix[0]) or _bare(prefix[0]) in COLLECTIVES)
            and any(_bare(t) in ("of", "for") for t in prefix)
        ):
            if _bare(prefix[0]) in COLLECTIVES:
                return Speaker(written=written, kind="group", role=affiliation)
            # "The family of Noelle", "a spokeswoman for Sen. Tim Kaine": about a person, not the person
            return Speaker(written=written, kind="description", role=affiliation, gender=_gender_of_words(title))
        return Speaker(
            written=written,
            kind="person",
            name=" ".join(name_toks),
            title=title,
            role=affiliation,
            gender=_title_gender(prefix) or _gender_of_words(title),
        )
    return _unnamed_speaker(toks, low, written, affiliation)


def _unnamed_speaker(toks: list[str], low: list[str], written: str, affiliation: str) -> Speaker | None:
    """A speaker phrase without a name: a description, a group or an organisation (or nothing usable)."""
    if all(_is_title_token(t) for t in toks):
        return None  # a bare title: "Sen."
    head, first = low[-1], low[0]
    if head in FUNCTION_CAPS or head in _DAY_WORDS or is_adverb(toks[-1]):
        return None
    gender = _gender_of_words(written)
    if first in _DETERMINERS or _possessive(toks[0]):
        if any(w in _CLAUSE_STOPS - {"about", "to"} or w in _FINITE for w in low[1:]):
            return None
        return Speaker(written=written, kind="group" if head in COLLECTIVES else "description", role=affiliation, gender=gender)
    if head in COLLECTIVES or (head.endswith("s") and not head.endswith("ss") and _is_role(toks[-1][:-1])):
        if all(_is_cap(t) or _bare(t) in ROLE_MODIFIERS or _is_role(t) or _possessive(t) or _bare(t) in COLLECTIVES for t in toks[:-1]):
            return Speaker(written=written, kind="group", role=affiliation)
        return None
    if all(
        _is_cap(t) or _bare(t) in ROLE_MODIFIERS or _is_role(t) or _bare(t) in ("of", "and", "for", "the") for t in toks
    ) and not _is_title_token(toks[-1]):
        kind = "description" if _is_role(toks[-1]) else "org"
        return Speaker(written=written, kind=kind, role=affiliation, gender=gender)
    return None


def _title_word(t: str) -> bool:
    b = _bare(t)
    return (
        _is_role(t)
        or _is_title_token(t)
        or _is_cap(t)
        or _possessive(t)
        or b in ROLE_MODIFIERS
        or b in _DETERMINERS
        or b in _PERSON_NOUNS
        or b in ("of", "for", "and")
    )


def _modifier_noun(t: str) -> bool:
    """A lowercase noun modifying a role ("school board member", "campaign finance director")."""
    b = _bare(t)
    return (
        t.islower()
        and len(b) > 2
        and b not in FUNCTION_CAPS
        and b not in _CLAUSE_STOPS
        and b not in _AUX_ADVERBS
        and b not in SPEECH_VERB_FORMS  # "The Associated Press reports Mayor John Suthers says"
        and not b.endswith(("ly", "ed", "ing"))
    )


def _title_gender(prefix: list[str]) -> str | None:
    for t in prefix:
        b = _bare(t)
        if b == "mr":
            return "m"
        if b in ("mrs", "ms", "miss"):
            return "f"
    return None


def _name_token(toks: list[str], i: int) -> bool:
    """Is toks[i] part of the name that ends the token list?"""
    word = toks[i]
    b = _bare(word)
    if not word or word[0].isdigit() or _possessive(word):
        return False
    if b in _NAME_PARTICLES:
        return 0 < i < len(toks) - 1 and _is_cap(toks[i + 1])
    if b in _SUFFIXES:
        return 0 < i == len(toks) - 1 and _is_cap(word)
    if b == "st" and i < len(toks) - 1 and _is_cap(toks[i + 1]):
        return True  # "St. Joseph", "St. Petersburg": a saint's name in a place's, not a person's title
    if not _is_cap(word) or b in FUNCTION_CAPS or b in _DAY_WORDS or _is_title_token(word):
        return False
    if b in _GIVEN_NAME_ROLES and i == len(toks) - 2 and _is_cap(toks[-1]) and (i == 0 or not _is_cap(toks[i - 1])):
        return True  # "Dean Jones": a given name more often than a title
    if _is_role(word) or b in ROLE_MODIFIERS:
        # a surname that is also a role word ("Sen. Angus King", "White"), not a title ("Fire Chief")
        if len(toks) == 1:
            return True
        if i != len(toks) - 1:
            return False
        prev = toks[i - 1]
        pb = _bare(prev)
        return (
            _is_cap(prev)
            and pb not in ROLE_WORDS
            and pb not in ROLE_MODIFIERS
            and pb not in ORG_HEADS
            and pb not in FUNCTION_CAPS
            and not _is_title_token(prev)
            and not _possessive(prev)
        )
    return True


# --- noun phrases around a speech verb ------------------------------------------------------


def np_before(text: str, lo: int, verb_start: int) -> Speaker | None:
    """The speaker phrase that ends right before a speech verb ("Rep. Gwen Moore (D-Wis.) said",
    "Col. Thomas Veale, a coalition spokesman, said", "a police spokesman said"), not reaching
    before `lo` nor across a sentence end."""
    toks = tokens(text, lo, verb_start)
    # cut at the last sentence end
    for i in range(len(toks) - 1, -1, -1):
        if is_sentence_end(toks, i) or toks[i].word in ('"', "“", "”", ";", "–", "—", "--"):
            toks = toks[i + 1 :]
            break
    while toks and (_bare(toks[-1].word) in _AUX_ADVERBS or _bare(toks[-1].word) in _DAY_WORDS or is_adverb(toks[-1].word)):
        toks.pop()
    if not toks:
        return None
    if len(toks) > 2 and _bare(toks[-1].word) in _SUFFIXES and toks[-2].word == ",":
        toks = toks[:-2] + toks[-1:]  # "Pablo Deltoro, Jr. said"
    role = ""
    # a party tag or an appositive between the name and the verb
    if toks[-1].word == ")":
        k = max((i for i, t in enumerate(toks) if t.word == "("), default=-1)
        if k <= 0:
            return None
        role = text[toks[k].end : toks[-1].start].strip()
        toks = toks[:k]
    elif toks[-1].word == ",":
        k = max((i for i, t in enumerate(toks[:-1]) if t.word == ","), default=-1)
        if k <= 0 or len(toks) - k > 18:
            return None
        role = text[toks[k].end : toks[-1].start].strip()
        if not _ALIAS.search(role) and not _appositive(role) and not _has_name(role):
            role = ""  # ", who spoke on condition of anonymity,", ", asked about the shutdown,"
        toks = toks[:k]
        if toks and toks[-1].word == ")":
            k2 = max((i for i, t in enumerate(toks) if t.word == "("), default=-1)
            if k2 > 0:
                toks = toks[:k2]
    if not toks:
        return None
    start = _np_start(toks)
    if start is None:
        return None
    phrase = text[toks[start].start : toks[-1].end]
    alias = _ALIAS.search(role) if role else None
    if alias:
        # "A neighbor, who identified himself only as Frank, said": the name, and the description as role
        return parse_speaker(f"{alias.group(1)}, {phrase}")
    return parse_speaker(phrase + (f", {role}" if role else ""))


_ALIAS = re.compile(
    r"\b(?:identified|introduced|gave|named|known)\s+(?:(?:himself|herself|his name|her name|themselves)\s+)?"
    r"(?:only\s+)?(?:as|by)\s+(?:only\s+)?((?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+){0,2})"
)


def _head_of_complement(word: str) -> bool:
    """A noun that takes an "of"/"for" complement naming whom it speaks for ("spokeswoman for")."""
    from claimwire.extractors._lexicon import PERSON_NOUNS

    b = _bare(word)
    return (
        _is_role(word)
        or b in PERSON_NOUNS
        or b in COLLECTIVES
        or b in ("one", "some", "many", "all", "several", "none", "both", "each", "two", "three", "four")
    )


def is_adverb(word: str) -> bool:
    w = word.lower()
    return (
        len(w) > 4
        and w.endswith("ly")
        and w not in ("family", "ally", "rally", "italy", "assembly", "july", "supply", "daily", "kelly", "holly", "sally", "molly")
    )


def _np_start(toks: list[Tok]) -> int | None:
    """Index where the noun phrase that ends the token list starts (scanning backwards)."""
    n = len(toks)
    last = toks[-1].word
    i = n - 1
    if _bare(last) in SPEAKER_PRONOUNS and last.lower() == last or last in ("He", "She", "It", "They", "We", "I"):
        return i
    if _is_cap(last) and _bare(last) not in FUNCTION_CAPS or _is_title_token(last):
        return _named_np_start(toks, i)
    return _described_np_start(toks, i)


def _named_np_start(toks: list[Tok], i: int) -> int:
    """Start of a name ending at token I, with the titles, roles and capitalised words before it."""
    n = len(toks)
    role_seen = 0
    while i > 0:
        w = toks[i - 1].word
        b = _bare(w)
        if w in (",", "(", ")") or w[0] in ".!?":
            break
        if (
            _is_cap(w)
            and (b not in FUNCTION_CAPS or b in _DOTLESS_TITLES)
            or _is_title_token(w)
            or b in ROLE_WORDS
            or b in ROLE_MODIFIERS
            or _PARTY.match(w)
            or b in _NAME_PARTICLES
            and i < n - 1
            or role_seen
            and role_seen < 4
            and _modifier_noun(w)
        ):
            role_seen = role_seen + 1 if role_seen or b in ROLE_WORDS else 0
            i -= 1
            continue
        if b in ("of", "for") and i - 1 > 0 and _head_of_complement(toks[i - 2].word):
            i -= 1  # "The president of Planned Parenthood Vicki Cowart", "one of ..."
            continue
        if b in _DETERMINERS or _possessive(w) or b == "the":
            i -= 1
            if i > 1 and _bare(toks[i - 1].word) in ("of", "for") and _head_of_complement(toks[i - 2].word):
                i -= 1  # "a spokeswoman for the State Department"
                continue
        break
    return i


def _described_np_start(toks: list[Tok], i: int) -> int | None:
    """Start of a description ending at token I: a head noun, its modifiers and a determiner."""
    last = toks[-1].word
    if _bare(last) in FUNCTION_CAPS or _bare(last) in _CLAUSE_STOPS:
        return None
    k = i
    steps = 0
    while k > 0 and steps < 8:
        w = toks[k - 1].word
        b = _bare(w)
        if w in (",", "(", ")", ":", ";") or w[0] in ".!?":
            break
        if b in _DETERMINERS or _possessive(w):
            k -= 1
            # "one of the gunmen", "a spokeswoman for the mayor"
            if k > 1 and _bare(toks[k - 1].word) in ("of", "for", "at", "from", "with", "in") and steps < 6:
                k -= 1
                steps += 1
                continue
            return k
        if (
            b in _CLAUSE_STOPS
            or b in _AUX_ADVERBS
            and b not in ("first",)
            or b in FUNCTION_CAPS
            and not _is_cap(w)
            and b not in ("one", "all", "many", "some", "both")
        ):
            break
        k -= 1
        steps += 1
    if _bare(last) in COLLECTIVES or _is_role(last):
        # bare plural or role: "police said", "Colorado Springs police tweeted", "investigators say"
        j = i
        while j > 0:
            w = toks[j - 1].word
            b = _bare(w)
            if (_is_cap(w) and b not in FUNCTION_CAPS) or b in ROLE_MODIFIERS or _possessive(w) and _is_cap(w):
                j -= 1
                continue
            break
        return j
    return None


def np_after(text: str, pos: int, hi: int) -> Speaker | None:
    """The speaker phrase right after an inverted speech verb ('said Army Col. Thomas Veale, a
    spokesman for the coalition', 'said Rep. Pete Aguilar, D-San Bernardino,', 'said one of the
    officers')."""
    toks = tokens(text, pos, min(hi, pos + 300))
    if not toks:
        return None
    end = 0
    n = len(toks)
    while end < n:
        w = toks[end].word
        b = _bare(w)
        if w in ('"', "“") and end > 0 and _is_cap(toks[end - 1].word):
            # a quoted nickname inside a name: Ulysses "U.S." Floyd
            close = next((k for k in range(end + 1, min(n, end + 5)) if toks[k].word in ('"', "”")), None)
            if close is not None and close + 1 < n and _is_cap(toks[close + 1].word):
                end = close + 1
                continue
        if (
            b == "and"
            and end > 0
            and end + 1 < n
            and all(_is_role(t.word) or _bare(t.word) in ROLE_MODIFIERS for t in toks[:end])
            and (_is_cap(toks[end + 1].word) or _is_title_token(toks[end + 1].word))
        ):
            end += 1  # "spokeswoman and Lt. Catherine Buckley": one person, two roles
            continue
        if w in (",", ";", ":", '"', "“", "”", "(", ")", "–", "—", "--") or w[0] in ".!?":
            break
        if (
            end > 0
            and not _is_cap(w)
            and (b in _CLAUSE_STOPS or b.endswith("ing") or b in ("in", "on", "at", "during", "while", "told", "when"))
        ):
            break
        if end > 0 and _bare(w) in _DAY_WORDS and not _is_cap(w) and end > 0:
            break
        if end > 0 and b in _DAY_WORDS and _is_cap(w):
            break  # "said Smith Monday"
        end += 1
        if end > 14:
            return None
    if end == 0:
        return None
    phrase_end = toks[end - 1].end
    role = ""
    if end < n and toks[end].word == "(":
        close = next((i for i in range(end, min(n, end + 12)) if toks[i].word == ")"), None)
        if close is not None:
            role = text[toks[end].end : toks[close].start].strip()
            end = close + 1
    if end < n and toks[end].word == ",":
        # an appositive: ", a spokesman for the coalition," / ", D-Va.," / ", 45,"
        stop = end + 1
        while (
            stop < n
            and toks[stop].word not in (",", ";", ":", '"', "“", "”", "(", ")", "–", "—", "--")
            and toks[stop].word[0] not in ".!?"
            and stop - end < 16
        ):
            stop += 1
        if stop > end + 1:
            app = text[toks[end + 1].start : toks[stop - 1].end]
            if _appositive(app) or _names_the_description(text[toks[0].start : phrase_end], app):
                role = ", ".join(r for r in (role, app) if r)
    phrase = text[toks[0].start : phrase_end]
    return parse_speaker(phrase + (f", {role}" if role else ""))


_MEDIA_WORD = (
    r"(?:press|post|dispatch|tribune|times|herald|news|journal|gazette|telegram|register|courier|chronicle|examiner|"
    r"inquirer|observer|sentinel|bulletin|democrat|leader|record|review|star|sun|standard|ledger|constitution|globe|"
    r"picayune|eagle|citizen|telegraph|mail)"
)
_MEDIA_COMPOUND = re.compile(rf"{_MEDIA_WORD}-{_MEDIA_WORD}")  # "News-Press", "Post-Dispatch": a newspaper's name
_KIN_DETERMINERS = frozenset({"his", "her", "their", "my", "our"})


def _names_the_description(phrase: str, app: str) -> bool:
    """'said the city's mayor, Atiqul Islam' / 'said her husband, Ahmed': a description without a name, then the
    person's name alone (one word only after a kin description: 'said a spokeswoman, Athens' is a place)."""
    if not (_looks_description(phrase) and not _has_name(phrase) and _has_name(app) and not _looks_description(app)):
        return False
    return len(app.split()) > 1 or _bare(phrase.split()[0]) in _KIN_DETERMINERS


def _appositive(app: str) -> bool:
    words = app.split()
    if not words:
        return False
    first = _bare(words[0])
    if first in ("who", "which", "adding", "noting", "according", "saying", "referring", "speaking", "and", "but"):
        return False
    return (
        first in _DETERMINERS
        or _possessive(words[0])
        or bool(_PARTY.match(words[0]))
        or bool(re.fullmatch(r"\d{1,3}", words[0]))
        or _is_role(words[0])
        or _bare(words[0]) in ROLE_MODIFIERS
        or _is_cap(words[0])
        and any(_is_role(w) for w in words)
    )


# --- quotations ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of a quotation: from its opening mark (or the paragraph start) to its closing
    mark (or the paragraph end).  inner_start/inner_end bound the quoted words."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    quotation: int  # index of the quotation it belongs to
    closed: bool
    continued: bool  # carries on the quotation of an earlier paragraph


_BULLET = re.compile(r"[ \t]*(?:[*•·▪‣◦-]|\d{1,2}[.)])[ \t]+")


_MARK = re.compile(r"‘‘|’’|``|''|[“”\"]")


@lru_cache(maxsize=64)
def quotation_segments(text: str) -> tuple[Segment, ...]:
    """The quotation segments of a text, in order (see the module docstring)."""
    out: list[Segment] = []
    if _MARK.search(text) is None:
        return ()
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    open_at: int | None = None  # opening mark of the current segment
    inner_at = 0
    quotation = -1
    continued = False
    for idx, (ps, pe) in enumerate(paragraphs):
        for m in _MARK.finditer(text, ps, pe):
            i, mark = m.start(), m.group(0)
            if i < inner_at:
                continue  # part of a mark already read
            if open_at is None:
                if (
                    mark in ("“", "‘‘", "``", "''")
                    or mark == '"'
                    and (i == ps or not text[i - 1].isalnum())
                    and not _stray_closer(text, i, m.end())
                ):
                    open_at, inner_at = i, m.end()
                    quotation += 1
                    continued = False
                continue
            closer = (
                mark in ("”", "’’", "''")
                or mark == '"'
                and (
                    m.end() >= pe
                    or not text[m.end()].isalnum()
                    or text[i - 1] in ".,!?;:"
                    or _ATTRIBUTION_AFTER.match(text, m.end()) is not None
                )
            )
            if closer and i == inner_at:
                inner_at = m.end()  # a doubled opening mark: “”Even
                continue
            if closer:
                out.append(Segment(open_at, m.end(), inner_at, i, quotation, True, continued))
                open_at = None
                continue
            if mark == "“":
                # a new opening mark inside an open quotation: the earlier one was never closed
                _close_open(text, out, open_at, inner_at, i, quotation, continued)
                open_at, inner_at = i, m.end()
                quotation += 1
                continued = False
        if open_at is not None:
            nxt = paragraphs[idx + 1] if idx + 1 < len(paragraphs) else None
            lead = _BULLET.match(text, nxt[0], nxt[1]) if nxt else None
            nstart = lead.end() if lead else (nxt[0] if nxt else 0)
            if nxt and text[nstart : nstart + 1] in ("“", '"') and pe - open_at < 4000:
                # the quotation carries on in the next paragraph, which opens with a mark
                out.append(Segment(open_at, pe, inner_at, pe, quotation, False, continued))
                open_at, inner_at = nstart, nstart + 1
                continued = True
                paragraphs[idx + 1] = (nstart + 1, nxt[1])  # its opening mark is read
                continue
            if nxt and text[pe : nxt[0]].count("\n") == 1 and pe - open_at < 1500 and _closes_first(text, nxt[0], nxt[1]):
                continue  # a line break inside a paragraph: the closing mark is on the next line
            _close_open(text, out, open_at, inner_at, pe, quotation, continued)
            open_at = None
    return tuple(out)


_ATTRIBUTION_AFTER = re.compile(r"(?:said|says|asked|added|told|wrote)\b")


def _stray_closer(text: str, i: int, end: int) -> bool:
    """A straight mark right after sentence punctuation and before a word ('again."said') closes
    a quotation whose opening mark was lost; it opens nothing."""
    return i > 0 and text[i - 1] in ".,!?" and end < len(text) and text[end].islower()


def _closes_first(text: str, ps: int, pe: int) -> bool:
    """Is the first quotation mark of text[ps:pe] a closing one, with no opening mark before it?"""
    m = _MARK.search(text, ps, pe)
    if m is None or m.group(0) in ("“", "‘‘", "``"):
        return False
    if m.group(0) in ("”", "’’"):
        return True
    i, end = m.start(), m.end()
    return (
        i > ps
        and not text[i - 1].isspace()
        and (end >= pe or not text[end].isalnum() or text[i - 1] in ".,!?")
        or _ATTRIBUTION_AFTER.match(text, end) is not None
    )


def _close_open(text: str, out: list[Segment], open_at: int, inner_at: int, end: int, quotation: int, continued: bool) -> None:
    """Keep an unclosed quotation up to `end` when it opened a paragraph or followed a colon, a
    comma or a speech verb (a closing mark left out); drop a stray mark anywhere else."""
    before = text[max(0, open_at - 40) : open_at]
    par_start = before.rfind("\n")
    opened_paragraph = not before[par_start + 1 :].strip() or _BULLET.fullmatch(before[par_start + 1 :]) is not None
    introduced = re.search(r"(?:[:,.!?]|\b(?:said|says|told|added|wrote|asked))\s*$", before) is not None
    words = len(re.findall(r"\w+", text[inner_at:end]))
    if (continued or opened_paragraph or introduced) and words >= 3:
        e = end
        while e > inner_at and text[e - 1].isspace():
            e -= 1
        out.append(Segment(open_at, e, inner_at, e, quotation, False, continued))


def inside_quotation(text: str, pos: int) -> bool:
    segs = quotation_segments(text)
    starts = _segment_starts(text)
    i = bisect_right(starts, pos) - 1
    return i >= 0 and segs[i].start <= pos < segs[i].end


@lru_cache(maxsize=64)
def _segment_starts(text: str) -> tuple[int, ...]:
    return tuple(s.start for s in quotation_segments(text))


# --- an article's speakers and people, read lazily ------------------------------------------

#: Verbs whose subject is a speaker anywhere in a text (for carrying speakers over and pronouns).
ATTRIBUTION_VERBS = frozenset(
    """
said says told tells added adds stated wrote writes tweeted posted explained noted recalled replied responded
insisted argued warned declared announced acknowledged admitted claimed confirmed asked continued reported
according testified recounted stressed emphasized cautioned
""".split()
)
_ATTRIBUTION_RE = re.compile(r"\b(?:" + "|".join(sorted(ATTRIBUTION_VERBS, key=len, reverse=True)) + r")\b")
_SAID_NEAR = re.compile(r"(?:,[^,]{0,60},)?,?\s+(?:" + "|".join(sorted(ATTRIBUTION_VERBS - {"according"}, key=len, reverse=True)) + r")\b")


PASSIVE_BEFORE = re.compile(r"\b(?:is|are|was|were|be|been|being|get|gets|got)\s+(?:(?:also|not|widely|later|often)\s+)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Attribution:
    """A speech verb outside quotations and its speaker ("Riley said", ", said Riley", "according to police")."""

    pos: int  # start of the verb
    speaker: Speaker


@dataclass(frozen=True, slots=True)
class Person:
    """A person as the article names them at their fullest.

    evidence: the text shows this is a person (a title or role, an age, a gendered pronoun
    after the name, a speech verb, the subject of a sentence) -- a capitalised run alone may
    be a place or a band."""

    name: str
    title: str = ""
    role: str = ""
    gender: str | None = None
    evidence: bool = False


@dataclass(frozen=True, slots=True)
class Mention:
    """A person, a person description or an organisation named outside quotations."""

    start: int
    end: int
    sentence: int
    speaker: Speaker
    subject: bool = False  # opens its sentence (after a leading phrase at most)


@dataclass(frozen=True, slots=True)
class _NameHit:
    start: int
    end: int
    speaker: Speaker
    evidence: bool
    gender: str | None


_CAP_RUN = re.compile(
    r"(?<![\w'’.-])(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z][\w'’\-]*\.?)(?:[ \t]+(?:(?:de|da|del|van|von|der|den|la|le|bin|al|el|"
    r"di|du)[ \t]+)?(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z][\w'’\-]*\.?))*(?:,?[ \t]+(?:Jr|Sr|III|II|IV)\.?)?"
)
_LEADING_FUNCTION = re.compile(r"(?:(?:[A-Z][a-z]*)\s+)")
_GENDERED = re.compile(r"\b(he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
_APPOSITIVE_AFTER = re.compile(
    r",\s+((?:a|an|the|his|her|their|[A-Z][\w’'-]*['’]s?)\s+[^,.;:\"“”()]{2,70}?)(?=[,.;]|\s+(?:said|says|told))"
)


def _description_re() -> re.Pattern[str]:
    from claimwire.extractors._lexicon import PERSON_NOUNS

    nouns = sorted(
        {w for w in PERSON_NOUNS | ROLE_WORDS if not w.endswith("s") or w in ("boss", "actress", "waitress")}, key=len, reverse=True
    )
    return re.compile(
        r"\b(?:[Aa]|[Aa]n|[Oo]ne|[Aa]nother|[Tt]he)\s+(?:[a-z][\w'’-]*\s+){0,2}?(" + "|".join(re.escape(n) for n in nouns) + r")\b(?![-'’])"
    )


_DESCRIPTION = _description_re()


def given_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Given names that can belong to one person: one side missing, or each given name of the
    shorter list matching one of the longer list, in order -- equal, or an initial or a short
    form of it ("J." ~ "John", "Tim" ~ "Timothy", "Enamur" ~ "Md. Enamur")."""
    if not a or not b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    j = 0
    for name in short:
        while j < len(long_) and not _given_match(name, long_[j]):
            j += 1
        if j == len(long_):
            return False
        j += 1
    return True


def _given_match(a: str, b: str) -> bool:
    x, y = a.rstrip("."), b.rstrip(".")
    if x == y:
        return True
    if not x or not y:
        return False
    if len(x) == 1 or len(y) == 1:
        return x[0] == y[0]
    short, long_ = sorted((x, y), key=len)
    return len(short) >= 3 and long_.startswith(short)


class Article:
    """What the quotes extractor needs to know about one text, computed on demand and kept:
    the speech attributions and the mentions of each sentence, and each person by surname."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = sentence_spans(text)
        self.starts = tuple(s for s, _ in self.spans)
        self._attributions: dict[int, list[Attribution]] = {}
        self._mentions: dict[int, list[Mention]] = {}
        self._hits: dict[str, list[_NameHit]] = {}
        self._known: dict[str, bool] = {}
        self._people: dict[tuple[str, int], Person | None] = {}

    def sentence_index(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    # attributions

    def attributions_in(self, k: int) -> list[Attribution]:
        """Speech verbs of sentence k, outside quotations, with their speaker."""
        if k in self._attributions:
            return self._attributions[k]
        out: list[Attribution] = []
        text = self.text
        s, e = self.spans[k]
        for m in _ATTRIBUTION_RE.finditer(text, s, e):
            vs = m.start()
            if inside_quotation(text, vs):
                continue
            if m.group(0) == "according":
                am = re.match(r"according to\s+", text[vs:e])
                sp = np_after(text, vs + am.end(), e) if am else None
            elif PASSIVE_BEFORE.search(text, max(s, vs - 24), vs):
                continue  # 'the strikes were described as ...', 'he was told': the subject is not the speaker
            else:
                sp = np_before(text, s, vs)
                if sp is None and re.search(r"[,\"”]\s*$", text[s:vs]):
                    sp = np_after(text, m.end(), e)
            if sp is not None:
                out.append(Attribution(vs, sp))
        self._attributions[k] = out
        return out

    def attributions_between(self, lo: int, hi: int) -> list[Attribution]:
        first, last = max(0, self.sentence_index(lo)), self.sentence_index(max(lo, hi - 1))
        return [a for k in range(first, last + 1) for a in self.attributions_in(k) if lo <= a.pos < hi]

    # mentions

    def mentions_in(self, k: int) -> list[Mention]:
        """People, person descriptions and organisations named in sentence k outside quotations."""
        if k in self._mentions:
            return self._mentions[k]
        text = self.text
        s0, e0 = self.spans[k]
        out: list[Mention] = []
        for run in _CAP_RUN.finditer(text, s0, e0):
            for s, e in self._pieces(run.start(), run.end()):
                if inside_quotation(text, s):
                    continue
                sp = _parse_head(_with_lowercase_role(text, s) + text[s:e])
                if sp is None:
                    continue
                if sp.kind in ("org", "group"):
                    the = "the " if re.search(r"\b[Tt]he\s+$", text[max(0, s - 5) : s]) else ""
                    written = the + text[s:e].rstrip(".")
                    out.append(Mention(s, e, k, Speaker(written=written, kind=sp.kind), _subject(text, s - len(the), e, self.starts)))
                elif sp.kind == "person" and sp.name and self._is_person(sp, s):
                    out.append(Mention(s, e, k, sp, _subject(text, s, e, self.starts)))
        for m in _DESCRIPTION.finditer(text, s0, e0):
            if not inside_quotation(text, m.start()):
                sp = Speaker(written=m.group(0), kind="description", gender=_gender_of_words(m.group(1)))
                out.append(Mention(m.start(), m.end(), k, sp, _subject(text, m.start(), m.end(), self.starts)))
        out.sort(key=lambda x: x.start)
        self._mentions[k] = out
        return out

    def _pieces(self, s: int, e: int) -> list[tuple[int, int]]:
        """A capitalised run cut where a full stop ends a sentence inside it ("in Tampa. President
        Trump"), with leading function words dropped ("For Patterson")."""
        text = self.text
        pieces = []
        for m in re.finditer(r"([\w'’-]+)\.[ \t]+", text[s:e]):
            if not _keeps_dot(m.group(1) + "."):
                pieces.append((s, s + m.end(1)))
                s = s + m.end()
        pieces.append((s, e))
        out = []
        for ps, pe in pieces:
            while True:
                lead = _LEADING_FUNCTION.match(text, ps, pe)
                if not lead or _bare(lead.group(0).strip()) not in FUNCTION_CAPS:
                    break
                ps = lead.end()
            if ps < pe:
                out.append((ps, pe))
        return out

    def _is_person(self, sp: Speaker, s: int) -> bool:
        """A capitalised run names a person unless it follows a place preposition ("in Ladera
        Ranch"); a lone word must be a known surname (see known_surname)."""
        before = re.search(r"(\w+)\s*$", self.text[max(0, s - 20) : s])
        if before is not None and before.group(1).lower() in _LOCATIVE and not sp.title:
            return False
        core = _core(sp.name or "")
        if not core or _bare(core[-1]) in ORG_HEADS:
            return False
        return len(core) >= 2 or bool(sp.title and _has_title_word(sp.title)) or self.known_surname(core[-1])

    def known_surname(self, word: str) -> bool:
        """A lone capitalised word is a person's name when the article gives it with a first name
        or a title somewhere, puts it next to a speech verb, gives it a personal role (", the
        state's junior senator,") or makes it the subject of a sentence."""
        if word in self._known:
            return self._known[word]
        known = False
        for start, end in _word_positions(self.text, word):
            before = self.text[max(0, start - 30) : start]
            prev = re.search(r"([A-Za-z][\w'’.-]*)[ \t]+$", before)
            if (
                prev
                and _is_cap(prev.group(1))
                and _bare(prev.group(1)) not in FUNCTION_CAPS
                and _bare(prev.group(1)) not in ORG_HEADS
                and not _possessive(prev.group(1))
                or prev
                and _is_title_token(prev.group(1))
                or prev
                and _is_role(prev.group(1))
            ):
                known = True
                break
            if _SAID_NEAR.match(self.text, end) or re.search(r"\b(?:said|says|added)\s+$", before):
                known = True
                break
            a = _APPOSITIVE_AFTER.match(self.text, end)
            if (
                a
                and _personal_role(a.group(1))
                or _subject(self.text, start, end, self.starts)
                and not inside_quotation(self.text, start)
                and not self._common_word(word)
                and _name_shaped_opener(self.text, word, end)
            ):
                known = True
                break
        self._known[word] = known
        return known

    def _common_word(self, word: str) -> bool:
        """The word also stands in lowercase in the text: an English word at a sentence start
        ("Between stints in jail ..."), not a name."""
        low = word.lower()
        return low != word and any(self.text[a:b] == low for a, b in _word_positions(self.text, low))

    # people

    def person(self, sp: Speaker, pos: int) -> Person | None:
        """The person a named speaker refers to, at their fullest: the mentions of the same
        surname with compatible given names; for a bare surname, the person of that surname
        named most recently before `pos` (else first after it)."""
        if sp.kind != "person" or not sp.name:
            return None
        core = _core(sp.name)
        if not core:
            return None
        hits = self._name_hits(core[-1])
        surname, given = name_key(sp.name)
        full = [h for h in hits if name_key(h.speaker.name or "")[1]]
        anchor_at = sum(1 for h in full if h.start < pos) if not given else -1
        key = (sp.name, anchor_at)
        if key not in self._people:
            self._people[key] = self._person(sp, pos, hits, full, given)
        return self._people[key]

    def _person(self, sp: Speaker, pos: int, hits: list[_NameHit], full: list[_NameHit], given: tuple[str, ...]) -> Person | None:
        if given:
            group = [h for h in full if given_compatible(name_key(h.speaker.name or "")[1], given)]
        else:
            before = [h for h in full if h.start < pos]
            anchor = before[-1] if before else (full[0] if full else None)
            group = [
                h
                for h in full
                if anchor is not None and given_compatible(name_key(h.speaker.name or "")[1], name_key(anchor.speaker.name or "")[1])
            ]
        bare = [h for h in hits if not name_key(h.speaker.name or "")[1]]
        if group and any(not given_compatible(name_key(h.speaker.name or "")[1], name_key(group[0].speaker.name or "")[1]) for h in full):
            bare = []  # two people share the surname ("Ingrid Thomas", her son "Shaquon Thomas"): a bare one is either
        if not group and not bare:
            return None
        pool = group or bare
        best = max(pool, key=lambda h: (len(_core(h.speaker.name or "")), len(h.speaker.name or ""), bool(h.speaker.title)))
        title = best.speaker.title
        if not title:
            titled = [h.speaker.title for h in [*group, *bare] if h.speaker.title and _has_title_word(h.speaker.title)]
            title = max(titled, key=len) if titled else ""
        role = next((r for h in pool if (r := self._role_after(h.end))), "")
        votes: dict[str, int] = {}
        for h in [*group, *bare]:
            if h.gender:
                votes[h.gender] = votes.get(h.gender, 0) + 1
        gender = None
        if votes:
            g = max(votes, key=lambda x: votes[x])
            gender = g if votes[g] > sum(votes.values()) - votes[g] else None
        gender = gender or _gender_of_words(role)
        evidence = any(h.evidence for h in [*group, *bare]) or bool(role) or gender is not None
        return Person(name=best.speaker.name or "", title=title, role=role, gender=gender, evidence=evidence)

    def by_given_name(self, given: str, pos: int) -> Speaker | None:
        """The person whose first name this is ("Sir Keir" -> "Keir Starmer"), the latest named before pos."""
        found = None
        for start, end in _word_positions(self.text, given):
            m = re.match(r"[ \t]+([A-Z][\w'’-]+)", self.text[end : end + 40])
            if m and not inside_quotation(self.text, start) and _bare(m.group(1)) not in ORG_HEADS:
                if found is None or start < pos:
                    found = Speaker(written=f"{given} {m.group(1)}", kind="person", name=f"{given} {m.group(1)}")
        return found

    def _name_hits(self, surname: str) -> list[_NameHit]:
        """Every mention of a surname outside quotations, read as the capitalised run around it."""
        if surname in self._hits:
            return self._hits[surname]
        text = self.text
        out: list[_NameHit] = []
        for hs, he in _word_positions(text, surname):
            if inside_quotation(text, hs):
                continue
            ls = text.rfind("\n", 0, hs) + 1
            left = _LEFT_OF_NAME.search(text[max(ls, hs - 80) : hs])
            rs = hs - (len(left.group(0)) if left else 0)
            suffix = _SUFFIX_AFTER.match(text, he)
            re_ = suffix.end() if suffix else he
            pieces = [p for p in self._pieces(rs, re_) if p[0] <= hs < p[1]]
            if not pieces:
                continue
            s, e = pieces[0]
            sp = _parse_head(_with_lowercase_role(text, s) + text[s:e])
            if sp is None or sp.kind != "person" or not sp.name or _core(sp.name)[-1:] != [surname]:
                continue
            before = re.search(r"(\w+)\s*$", text[max(0, s - 20) : s])
            if before is not None and before.group(1).lower() in _LOCATIVE and not sp.title:
                continue
            gender = sp.gender or self._pronoun_after(e)
            out.append(_NameHit(s, e, sp, _evidence(text, s, e, sp, self.starts) or gender is not None, gender))
        self._hits[surname] = out
        return out

    def _pronoun_after(self, e: int) -> str | None:
        """The gender of the first he/she/his/her after a name in its sentence, when no other
        capitalised word comes between; or of a He/She opening the next sentence."""
        text = self.text
        k = self.sentence_index(e - 1)
        if k < 0:
            return None
        se = self.spans[k][1]
        g = _GENDERED.search(text, e, se)
        while g and inside_quotation(text, g.start()):
            g = _GENDERED.search(text, g.end(), se)
        if g:
            between = text[e : g.start()]
            if re.search(r"\b[A-Z][a-z]", between) or _GENDERED_WORDS & set(re.findall(r"[a-z][\w'’\-]*", between)):
                return None  # "Rice said the mother knew her father had guns": her is the mother's
            return PRONOUN_GENDER[g.group(1).lower()]
        if k + 1 < len(self.spans) and not re.search(r"\b[A-Z][a-z]", text[e:se]):
            ns, ne = self.spans[k + 1]
            g = re.match(r"\s*(He|She|His|Her)\b", text[ns:ne])
            if g:
                return PRONOUN_GENDER[g.group(1).lower()]
        return None

    def _role_after(self, e: int) -> str:
        """The role an article gives a person right after naming them (", a social worker,")."""
        a = _APPOSITIVE_AFTER.match(self.text, e)
        if a and not re.match(r"(?:who|which|where|when)\b", a.group(1)) and _personal_role(a.group(1)):
            role = a.group(1).strip()
            if len(role.split()) <= 10:
                return role
        return ""

    def titled(self, role: str) -> Speaker | None:
        """The one person the article gives a title ("Mayor Ras Baraka" for "the mayor"), if just one."""
        found: dict[str, Speaker] = {}
        for m in re.finditer(rf"\b{re.escape(role)}[ \t]+(?=[A-Z])", self.text, re.IGNORECASE):
            run = _CAP_RUN.match(self.text, m.end())
            if run is None or inside_quotation(self.text, m.start()):
                continue
            sp = _parse_head(self.text[m.start() : run.end()])
            if sp is not None and sp.kind == "person" and sp.name:
                found.setdefault(name_key(sp.name)[0], sp)
        return next(iter(found.values())) if len(found) == 1 else None


_LEFT_OF_NAME = re.compile(r"(?:(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z][\w'’\-]*\.?|de|da|del|van|von|der|den|la|le|bin|al|el|di|du)[ \t]+)*$")
_SUFFIX_AFTER = re.compile(r",?[ \t]+(?:Jr|Sr|III|II|IV)\.?")


def _word_positions(text: str, word: str) -> list[tuple[int, int]]:
    """Where `word` stands as a whole word (not inside another, not as a possessive)."""
    out = []
    n = len(word)
    i = text.find(word)
    while i >= 0:
        before = text[i - 1] if i else " "
        after = text[i + n] if i + n < len(text) else " "
        if not (before.isalnum() or before in "'’-") and not (after.isalnum() or after in "'’-_"):
            out.append((i, i + n))
        i = text.find(word, i + n)
    return out


def _with_lowercase_role(text: str, s: int) -> str:
    """Role words written in lowercase right before a name ("neighbor Juan Uribe", "assistant director")."""
    pre = re.search(r"((?:(?<![\w'’])[a-z][\w'’-]*\s+){1,3})$", text[max(0, s - 40) : s])
    if not pre:
        return ""
    keep: list[str] = []
    for w in reversed(pre.group(1).split()):
        if _bare(w) in ROLE_WORDS or _bare(w) in ROLE_MODIFIERS or keep and len(keep) < 4 and _modifier_noun(w):
            keep.insert(0, w)
        else:
            break
    return " ".join(keep) + " " if keep else ""


def _evidence(text: str, s: int, e: int, sp: Speaker, starts: tuple[int, ...]) -> bool:
    """Does the text around this mention show it names a person?"""
    if sp.title and _has_title_word(sp.title) or sp.gender:
        return True
    after = text[e : e + 40]
    if re.match(r",\s*\d{1,3}\s*[,.]|\s*\(\d{1,3}\)", after):
        return True  # an age
    if _SAID_NEAR.match(text, e) or re.search(r"\b(?:said|says|added)\s+$", text[max(0, s - 12) : s]):
        return True
    a = _APPOSITIVE_AFTER.match(text, e)
    if a and _personal_role(a.group(1)):
        return True
    return _subject(text, s, e, starts)


def _subject(text: str, s: int, e: int, starts: tuple[int, ...]) -> bool:
    """Does the mention open its sentence (after a leading phrase such as "On Sunday," at most)
    and come before a verb or an appositive?"""
    sent = bisect_right(starts, s) - 1
    lead = text[starts[sent] : s] if sent >= 0 else ""
    if lead.strip() and not re.fullmatch(r"[A-Z][\w ’'-]{0,40},\s*", lead):
        return False
    return re.match(r"\s*,|\s+[a-z]", text[e : e + 3]) is not None


# what follows a sentence-opening English word rather than a name ("Seconds later", "Banners in the square",
# "Days ago", "Hundreds of"); a name opening a sentence is followed by its verb or an appositive
_NOT_AFTER_A_NAME = frozenset({"ago", "of", "in", "on", "at", "from", "into", "there", "here"})
_CONTRACTION = re.compile(r"[A-Za-z]+['’](?:d|ll|s|re|ve|m|t)", re.IGNORECASE)


def _name_shaped_opener(text: str, word: str, end: int) -> bool:
    """Can a lone capitalised word that opens a sentence be a surname, by its own shape and the word after it?
    Not a gerund or an adverb ("Being there ...", "Looking back ...", "Internally ..."), a contraction
    ("She’d"), or a word followed by what follows a noun or an adverb, not a name ("Days ago", "Hundreds of")."""
    if len(word) > 5 and word.lower().endswith("ing") or is_adverb(word) or _CONTRACTION.fullmatch(word):
        return False
    nxt = re.match(r"\s+([a-z]+)", text[end : end + 20])
    return not (nxt and nxt.group(1) in _NOT_AFTER_A_NAME)


def _personal_role(role: str) -> bool:
    from claimwire.extractors._lexicon import PERSON_NOUNS

    words = [_bare(w) for w in role.split()]
    return any(w in ROLE_WORDS or w in PERSON_NOUNS for w in words)


def _core(name: str) -> list[str]:
    return [t for t in name.split() if _bare(t) not in _SUFFIXES and not re.fullmatch(r"[A-Z]\.,?", t) and _bare(t) not in _NAME_PARTICLES]


def _has_title_word(title: str) -> bool:
    return any(_is_role(w) or _is_title_token(w) for w in title.split())
