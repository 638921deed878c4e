"""Patterns and word lists of the casualty extractor (claimwire/extractors/casualties.py).

Data only: compiled regexes and the word lists they are built from.  The rules that read them are
in casualties.py (one function per rule, run in the order of its RULES table); the noun-phrase
helpers (who and how many a phrase counts) in casualty_people.py.
"""

from __future__ import annotations

import re

from claimwire.extractors._lexicon import MONTHS
from claimwire.extractors._starts import FirstWords, first_words
from claimwire.numbers import HEDGES, QUANTITY, VAGUE
from claimwire.vocabulary import (
    MONTH_ABBREVIATIONS_PATTERN,
    MONTH_NAMES_PATTERN,
    NUMBER_WORDS_TO_TEN,
    TENS,
    UNITS,
    WEEKDAY_PATTERN,
    WEEKDAYS,
    number_words,
)

# --- casualty verbs and the verb chain after a subject ------------------------------------
_DEATH = r"(?:his|her|their) deaths?"
_SUFFERED = r"(?:suffered|sustained|received|suffering|sustaining) (?:from )?"
KILLED = (
    r"killed|dead|deceased|died|dies|passed away|passes away|slain|murdered|perished|shot dead|shot to death|gunned down|"
    r"(?:pronounced|found|declared|confirmed|ruled) (?:dead|deceased)|lost (?:their|his|her) li(?:ves|fe)|fatally (?:shot|wounded|injured|struck|stabbed)|"
    r"mortally wounded|executed|massacred|"
    r"(?:stabbed|beaten|burned|burnt|crushed|trampled|hacked|bludgeoned|strangled|choked) to death|"
    r"drowned|electrocuted|asphyxiated|suffocated|presumed dead|confirmed dead|feared dead|"
    rf"(?:fallen|fell|falls?|falling|plunged|plunges?|plunging) to {_DEATH}|succumbed to (?:his|her|their) (?:injuries|wounds)"
)
INJURED = (
    r"injured|wounded|hurt|hospitali[sz]ed|critically injured|seriously injured|"
    r"(?:listed |admitted )?in (?:a )?(?:critical|serious|stable|grave|fair)(?: but (?:critical|serious|stable))? condition|"
    r"fighting for (?:his|her|their) li(?:fe|ves)|"
    r"in (?:a |the )?(?:[\w'’-]+ ){0,2}?hospital(?! (?:parking|lot|spokes\w*|officials?))|"
    rf"{_SUFFERED}(?:an? )?(?:[\w-]+ ){{0,3}}?(?:injur(?:y|ies)|burns|gash(?:es)?|cuts|bruises|fractures?|broken (?:bones?|legs?|arms?|ribs?)|concussions?|lacerations?)|"
    r"(?:recovering|recovers|recovered) from (?:an? )?(?:[\w-]+ ){0,3}?(?:injur(?:y|ies)|wounds?|burns)|"
    r"survived (?:an? )?(?:[\w-]+ ){0,3}?(?:injur(?:y|ies)|wounds?|burns)|"
    r"treated (?:at|in) (?:a |an |the )?(?:[\w'’-]+ ){0,3}?hospitals?|"
    r"treated for (?:[\w-]+ ){0,3}?(?:injur(?:y|ies)|wounds?|burns|cuts|bruises|smoke inhalation|hypothermia)"
)
# "suffering from a gunshot wound": shot, the outcome not stated (the wounded may die)
SHOT = (
    r"shot|struck by gunfire|hit by gunfire|struck by (?:a )?bullets?|hit by (?:a )?bullets?|grazed|"
    rf"{_SUFFERED}(?:an? )?(?:[\w-]+ ){{0,2}}?gunshot wounds?"
)
#: hurt with the outcome not stated (the annotation's killed_or_injured)
HIT = (
    r"stabbed|knifed|run over|(?:hit|struck) by (?:a |an )?(?:car|vehicle|truck|lorry|bus|train|van|motorcycle)|"
    rf"{_SUFFERED}(?:an? )?(?:(?!gunshot\b)[\w-]+ ){{0,2}}?wounds?"  # "a gunshot wound" is SHOT
)
MISSING = r"missing|unaccounted for"
VERB = rf"(?:{KILLED}|{INJURED}|{MISSING}|{SHOT}|{HIT})"
ADV = r"(?:(?:all|also|reportedly|allegedly|later|each|both|then|now|still|eventually|ultimately|subsequently|apparently|initially|just|not|critically|seriously|fatally|gravely|severely|mortally|badly|slightly|non-fatally|nonfatally|[a-z]+ly)\s+)"
AUX = (
    r"(?:(?:(?:were|was|have been|has been|had been|are|is|got|get|being|been|remain|remains|remained|lay|lie|were left|"
    r"are now|were later|have|had|has|will be|would be)\s+|['’](?:s|ve) been\s+|(?:were|was|are|is) among (?:those|the)\s+)"
    r"(?:(?:also\s+|reportedly\s+)?(?:reported|said|believed|thought|known|confirmed) to (?:have )?(?:been )?)?"
    r"(?:(?:found|discovered)\s+)?|(?:found|discovered)\s+)"
)
VERB_CHAIN = (
    rf"(?P<aux>{AUX})?(?P<adv>{ADV}{{0,2}})(?P<v1>{VERB})"
    rf"(?:(?:\s*,\s*|\s+(?:and|or)\s+|\s*/\s*)(?P<adv2>{ADV}?)(?P<v2>{VERB}))?\b"
)

# "two nearly killed", "almost died": nobody died
NEAR_MISS = re.compile(r"\b(?:nearly|almost|narrowly|barely)\b", re.IGNORECASE)

# --- noun phrases ---------------------------------------------------------------------------
NP_TOK = r"(?:-[A-Za-z]+(?:-[\w'’]+)*|[A-Za-z](?:\.[A-Za-z])+\.?|\d+-year-olds?|[A-Za-z][\w'’]*(?:-[\w'’]+)*)"
NP_STOP = (
    r"(?:said|says|say|told|tell|was|were|is|are|had|has|have|will|would|could|can|may|might|after|"
    r"before|when|because|while|since|but|if|than|then|that|who|which|whom|whose|and|or|been|being|as|"
    r"where|there|to|not|no|did|do|does|in|on|at|by|during|for|with|from|into|since|near|according|"
    r"over|under|including|about|around|against|he|she|it|they|we|i|you|his|her|its|their)"
)
NUMBER_TOKEN = rf"(?:\d[\d,.]*(?![\w-])|{number_words(1, 12)}|dozens|a|an|the)"
NP_STOP_SUBJ = "(?:" + NP_STOP + "|" + NUMBER_TOKEN + ")"
CASUALTY_WORD = rf"(?:{VERB})"
#: ages alone between commas after a counted subject: "Two men, 24 and 31, were killed"
BARE_AGES = re.compile(r"\s*,\s*\d{1,3}(?:\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)\d{1,3})*\s*,(?=\s)")
PARENTHETICAL = (
    r"(?:\s*,?\s+(?:ages?|aged)\s+(?:between\s+|from\s+)?\d{1,3}(?:\s*,\s*\d{1,3})*(?:\s*,?\s*(?:and|to|through|-|–)\s*\d{1,3})?(?:\s*,(?=\s))?"
    r"|\s*,\s*(?:which|who|whose|including|among them|most of them|many of them|all of them|aged|ages|both|all)\b[^,.;]{0,90},"
    + r"|"
    + BARE_AGES.pattern  # "Two men, 24 and 31, were killed", "One man, 45, died"
    + r"|\s*\([^)]{0,80}\)|\s+[—–]\s+[^—–.;]{1,90}?\s+[—–]|\s*—[^—.;]{1,90}—)?"
)

# a sentence holds a figure only if it holds one of these (matched against the lower-cased sentence)
TRIGGER = re.compile(
    r"kill|dead|die|slain|slay|slew|homicide|suicide|murder|perish|shot|shoot|gunned|guns down|wound|injur|hurt|hospital|missing|"
    r"unaccounted|fatal|casualt|death|struck|graz(?:ed|es|ing)|harmed|hit\b|execut|massacre|li(?:fe|ves)\b|condition|"
    r"suffer|sustain|recover|surviv|treat(?:ed|ing)|bod(?:y|ies)\b|stab|drown|electrocut|suffocat|asphyx|strangl|"
    r"run over|assassinat|unborn|fetus|foetus|deceas|passe[sd] away|save|medical cent|trauma cent"
)  # read on lower-cased text: IGNORECASE is slow

# --- the rules' patterns (one per rule in casualties.RULES) ---------------------------------
Q = QUANTITY
# where the people counted were: "All 157 people on board were killed", "four miners trapped by the flood died"
SUBJECT_TAIL = (
    r"(?:\s+(?:on board|aboard|inside|in|on|at|near|from|of|(?:trapped|caught|stranded)(?:\s+(?:by|in|under|inside|on))?)"
    r"(?:\s+(?:the|a|an|their|his|her))?"
    rf"(?:\s+(?!{NP_STOP_SUBJ}\b|{CASUALTY_WORD}\b){NP_TOK}){{1,4}}?)?"
)
# the words right before a name that may say who the person is: "Bridge inspector [Carlos Mendez]"
ROLE_RUN_BEFORE = re.compile(r"(?<![\w'’.-])(?:[A-Za-z][\w'’-]*\s+){1,3}$")
WORD = re.compile(r"\S+")
# "one of five victims ... dies": the count is the part's
# the people after "six of": "his grandchildren", "the passengers", "their young sons"
PARTITIVE_WHOLE = re.compile(r"\s+(?P<np>(?:his|her|their|its|the|our|my)\s+(?:[\w'’-]+\s+){0,2}?(?P<noun>[\w'’-]+))\b", re.IGNORECASE)
PARTITIVE = re.compile(rf"\b(?P<part>{number_words(1, 10)}|\d{{1,3}}|some|several|most|many|all|none)\s+of\s+(?:the\s+)?$", re.IGNORECASE)
SUBJECT = re.compile(
    rf"(?<![\w'’-])(?:(?P<det>the|his|her|their)\s+)?(?:{Q}|(?P<one>an?|one|another)\b|(?P<both>both)\b)"
    rf"(?P<np>(?:\s+(?!{NP_STOP_SUBJ}\b|{CASUALTY_WORD}\b){NP_TOK}){{0,7}}?)"
    rf"(?P<tail>{SUBJECT_TAIL})(?P<paren>{PARENTHETICAL})\s+{VERB_CHAIN}",
    re.IGNORECASE,
)
#: where a QUANTITY match starts (claimwire/extractors/_starts.py): a hedge, a vague quantity, a number word or a digit
QUANTITY_FIRST = first_words([*HEDGES, *VAGUE, *UNITS, *TENS], digits=True)
#: where a SUBJECT match starts: a determiner, a quantity, "a", "one", "another", "both"
SUBJECT_FIRST = QUANTITY_FIRST | first_words(("the", "his", "her", "their", "a", "an", "one", "another", "both"))
ACTIVE_VERB = (
    r"(?P<av>kill(?:s|ed|ing)?|shot dead|shoot(?:s|ing)? dead|shot|shoot(?:s|ing)?|wound(?:s|ed|ing)?|injur(?:e|es|ed|ing)|"
    r"hurt(?:s|ing)?|leav(?:es|ing)|left|(?:claim|take|took|tak)(?:s|ed|en|ing)? the li(?:ves|fe) of|gunned down|guns down|"
    r"murder(?:s|ed|ing)|slay(?:s|ing)?|slew|stab(?:s|bed|bing)|executed|massacred|graz(?:es|ed|ing))"
    r"(?:\s+(?:and|or)\s+(?P<av2>kill(?:s|ed|ing)?|wound(?:s|ed|ing)?|injur(?:e|es|ed|ing)|"
    r"(?:critically\s+|seriously\s+)?(?:wound|injur)(?:ed|ing)))?"
)
#: where an ACTIVE_VERB match (OBJECT, NAMED_OBJECT, TITLE_OBJECT) starts: the first word of each of its verbs
ACTIVE_VERB_FIRST = FirstWords(
    frozenset(),
    prefixes=(
        "kill",
        "shot",
        "shoot",
        "wound",
        "injur",
        "hurt",
        "leav",
        "left",
        "claim",
        "tak",
        "took",
        "gunned",
        "guns",
        "murder",
        "slay",
        "slew",
        "stab",
        "executed",
        "massacred",
        "graz",
    ),
)
#: the words one of which ACTIVE_VERB needs (for RULES in casualties.py)
OBJECT_WORDS = (
    "kill",
    "shot",
    "shoot",
    "wound",
    "injur",
    "hurt",
    "leav",
    "left",
    "lives of",
    "life of",
    "gunned",
    "guns down",
    "murder",
    "slay",
    "slew",
    "stab",
    "execut",
    "massacr",
    "graz",
)
OBJECT = re.compile(
    rf"\b{ACTIVE_VERB}\s+(?:['\"‘“]\s*)?(?:(?P<det>the|his|her|their)\s+)?(?:all\s+(?=\d|(?:{number_words(2, 90)})\b))?(?:(?P<poss>[\w.-]+(?:['’]s|s['’]))\s+(?=\d|(?:two|three|four|five|six|seven|eight|nine|ten|several|dozens)\b))?(?:{Q}|(?P<one>an?|one|another|the|his|her)\b|(?P<age>\d+-year-old\b))['\"’”]?"
    rf"(?P<np>(?:\s+(?!{NP_STOP}\b|dead\b|injured\b|wounded\b|hurt\b|fatally\b|mortally\b){NP_TOK}){{0,5}})"
    r"(?P<left>\s+(?:dead|injured|wounded|hurt|critically injured|seriously injured|in critical condition|"
    r"(?:fatally|mortally) (?:wounded|injured)|with (?:[\w-]+ ){0,2}?(?:injuries|wounds)\b))?",
    re.IGNORECASE,
)
# "Simpson shot Flynn twice", "killing her and her fetus", "wounding Unique Armstead, 32, and Cheanne McKnight, 11"
NAMED_OBJECT = re.compile(
    rf"(?i:\b{ACTIVE_VERB})\s+(?P<obj>him|her|(?:[A-Z][\w'’.-]*\s+){{0,3}}[A-Z][\w'’-]+)(?:,\s*\d{{1,3}}(?=\s*,))?"
    r"(?P<left>\s+(?i:dead|to death))?"
    r"(?=\s*(?:[,.;:!?)\"”]|$|\s(?i:in|at|on|to|twice|once|and|before|after|as|while|with|from|during|several|multiple|"
    r"three|four|five|six|seven|eight|nine|ten|eleven|\d+|times|\w+ly)\b))"
)
ZERO = re.compile(
    r"\b(?P<neg>no one|nobody|none|neither|not one|not a single|no)\b(?! (?:one|body) else)"
    rf"(?P<np>(?:\s+(?!was\b|were\b|has\b|have\b|had\b|is\b|are\b|else\b){NP_TOK}){{0,6}}?)"
    r"(?P<else>\s+else)?\s+(?:(?:was|were|has been|have been|had been|is|are|got|appeared to be|appears to be|reported)\s+)"
    r"(?:[a-z]+ly\s+)?(?:reported\s+)?(?P<v>injured|hurt|wounded|killed|harmed|shot|struck|hit|dead)\b",
    re.IGNORECASE,
)
ZERO_NOUN = re.compile(
    r"\b(?:there\s+(?:were|was|are|have been)\s+no|no\s+(?P<other>other\s+|additional\s+|further\s+)?(?:serious\s+)?(?:reported\s+)?)"
    r"(?:(?:immediate\s+|initial\s+|official\s+)?reports?\s+of\s+(?:[\w-]+\s+(?:or|and)\s+)?)?"
    r"(?P<v>injuries|deaths|fatalities|casualties)\b",
    re.IGNORECASE,
)
NOUN_FIGURE = re.compile(
    rf"(?<![\w'’-]){Q}\s+(?:(?:people|persons|confirmed|reported|more|other|civilian|total)\s+)?"
    r"(?P<noun>deaths|fatalities|dead|casualties|injuries|people dead|people injured|gunshot victims|victims|killings|slayings|murders|"
    r"(?:people |persons |others )?with (?:[\w-]+ ){0,2}?(?:injuries|wounds))\b",
    re.IGNORECASE,
)
# "doctors treated 87 people for injuries", "hospitals were treating 12 for burns": the people treated were hurt
TREATED = re.compile(
    rf"\btreat(?:ed|ing|s)\s+(?:a total of\s+)?{Q}(?P<np>(?:\s+(?!for\b){NP_TOK}){{0,3}}?)\s+for\s+(?:[\w-]+\s+){{0,2}}?"
    r"(?:injuries|wounds|burns|smoke inhalation|cuts|fractures|gunshot wounds)\b",
    re.IGNORECASE,
)
# what the toll is of, between "death toll" and its verb: "from Monday's 7.8-magnitude earthquake in Turkey", "in the
# ferry disaster" (words only: a clause boundary ends it)
_TOLL_OF = r"(?:\s+(?:from|in|of|after|following)(?:\s+[\w'’.-]+){1,8}?)?"
TOLL = re.compile(
    r"(?:\b(?:death toll|number of (?:dead|deaths|fatalities|people killed|those killed))"
    rf"{_TOLL_OF}\s+(?:(?:has|had|have|now)\s+)?(?:(?:also|further|again|since)\s+)?"
    r"(?P<verb>rose|risen|climbed|increased|jumped|rises|climbs|soared|stands|stood|reached|reaches|is|was|now stands|"
    r"of|at|to|hit|hits|passed|passes|surpassed|surpasses|exceeded|exceeds|topped|tops)"
    r"(?:\s+(?:to|at|of))?"
    r"|\b(?:bringing|raising|pushing|taking|brought|raised|pushed|took|brings|raises)\s+the\s+(?:[\w-]+\s+)?death toll\s+"
    rf"(?:(?:from|in|of)\s+(?:the\s+)?[\w-]+\s+)?(?:to|at))\s+{Q}",
    re.IGNORECASE,
)
# "was shot in the leg and is expected to recover", "shot, but is in stable condition", "was shot and taken to a
# hospital with non-life-threatening injuries": the people shot are alive and hurt (a new subject, "and two are in
# stable condition", tells of a part of them and does not match; "in critical condition" says nothing of the outcome)
_NOT_LIFE_THREATENING = r"(?:not (?:considered |believed to be |thought to be )?life[- ]threatening|(?:considered |believed to be )?(?:non-?\s?life[- ]threatening|minor|superficial))"
SURVIVED_TAIL = re.compile(
    r"(?:\s+(?!(?:who|which|that|when|whom|whose|after|as|while|before|because|until)\b)[^,;.!?]{0,60}?"
    r"(?<!\bwho)(?<!\bwhich)(?<!\bthat)(?<!\bwhen)(?<!\bafter)(?<!\bwhile)(?<!\bbefore))?"
    r"(?:,\s*(?:(?:police|officials|authorities|officers|doctors|(?:a |the )?[\w-]+ spokes(?:man|woman|person))\s+said)\s*)?"
    r"(?:,\s*|\s+)(?:and|but)\s+(?:(?:all|both|they|he|she)\s+)?"
    r"(?:(?:is|was|are|were|remains|remained|has been|have been|had been)\s+)?(?:now\s+|later\s+|currently\s+)?"
    r"(?:(?:listed|reported|said to be|believed to be|taken|transported|rushed|airlifted|flown|treated|hospitalized)\b[^,;.!?]{0,60}?\s)?"
    r"(?:expected to (?:survive|recover|live|make a (?:full )?recovery|be (?:ok|okay|fine|all right))"
    r"|in (?:(?:critical|serious) but )?(?:stable|good|fair|satisfactory) condition"
    r"|with (?:what (?:are|were) (?:described as )?)?(?:non-?\s?life[- ]threatening|minor|superficial) (?:injur(?:y|ies)|wounds?)"
    rf"|(?:his|her|their|the|its) (?:injur(?:y|ies)|wounds?) (?:is|are|was|were|appear(?:s|ed)? to be) {_NOT_LIFE_THREATENING}"
    r"|treated and released|survived|recovering"
    r"|(?<=\bis )being treated(?![^,;.!?]{0,40}\b(?:critical|life-threatening))"
    r"|(?<=\bare )being treated(?![^,;.!?]{0,40}\b(?:critical|life-threatening)))\b",
    re.IGNORECASE,
)
# a wound the person lives through, told with the verb: "suffered a non-life-threatening gunshot wound",
# "was grazed by a bullet", "a minor gunshot wound" (read inside the figure's own words)
NONFATAL_WOUND = re.compile(
    r"\b(?:non-?\s?life[- ]threatening|minor|superficial|graze)\s+(?:gunshot\s+|bullet\s+)?wounds?\b|\bgrazed\b", re.IGNORECASE
)
# the second of two figures of the same people's state that counts others: "two others", "the other", "four other men"
OTHERS_FIGURE = re.compile(r"(?:the\s+)?(?:[\w-]+\s+)?others?\b|another\b", re.IGNORECASE)
# ... or is said of people "also" hurt: "Lena Berg was shot in the wrist, and a 40-year-old woman was also wounded"
ALSO_FIGURE = re.compile(r"\balso\b", re.IGNORECASE)
# what may stand between a figure and the "others" figure added to it: "2 shot, 3 others grazed",
# "two are in critical condition and four others hurt", "one critical; the three others ..."
OTHERS_GAP = re.compile(
    r"(?:\s+(?:in|on|at|near|by|to|during|from|inside|outside)\b[^,;.!?]{0,40}?)?\s*(?:,|;)?\s*(?:(?:and|while|with)\s+)?(?:the\s+)?",
    re.IGNORECASE,
)
# one person hurt whose own predicate goes on to their death: "was shot in the chest and later died",
# "was in the hospital with injuries but later died", "a juvenile injured in a shooting Monday has died"
DIED_TAIL = re.compile(
    r"[^.;:,!?]{0,80}?(?:\s+(?:but|and)\s+(?:(?:later|since|eventually|then|subsequently|soon)\s+)?(?:died|succumbed|passed away)\b"
    r"|\s+(?:has|have|had)\s+(?:(?:now|since|later|also)\s+)?died\b)",
    re.IGNORECASE,
)
FATALLY_TAIL = re.compile(
    rf"\s*(?:,|;|--|—|–)?\s*(?:including\s+|and\s+|with\s+)?(?P<k>{Q.replace('?P<hedge>', '?P<khedge>').replace('?P<num>', '?P<knum>')}|one)"
    r"(?:\s+of\s+(?:them|whom|which|those|the victims|the men|the women))?\s+"
    r"(?:fatally|mortally|dying|who died|who later died|later died|died|was killed|were killed|killed|has died|have died)\b",
    re.IGNORECASE,
)
# "one of two girls critically shot Wednesday has died", "1 of 2 Students Wounded Has Died": a part of
# the people hurt died since; the rest are wounded
_SMALL_NUMBER = rf"(?:{number_words(1, 12)}|\d{{1,2}})"
PART_DIED = re.compile(
    rf"\b(?P<k>{_SMALL_NUMBER})\s+of\s+(?:the\s+|those\s+)?(?P<n>{_SMALL_NUMBER})\s+(?P<np>[^.;:!?]{{0,80}}?)\s+"
    r"(?:(?:has|have|had)\s+)?(?:(?:since|now|later|also|reportedly)\s+)?(?:died|dies|passed away|succumbed)\b",
    re.IGNORECASE,
)
# the people of PART_DIED were hurt: "shot", "wounded", "injured", "hurt", "victims"
PART_DIED_HURT = re.compile(r"\b(?:shot|wounded|injured|hurt|struck|hit|victims|hospitali[sz]ed)\b", re.IGNORECASE)
_SINGULAR_INTRANSITIVE = (
    rf"died|dies|passed away|passes away|drowned|perished|(?:fell|falls?|fallen|plunged) to {_DEATH}|"
    rf"(?:{_SUFFERED}|survived )(?:an? )?(?:[\w-]+ ){{0,3}}?(?:injur(?:y|ies)|burns|wounds?)"
)
NAMED_SINGULAR = re.compile(
    r"(?P<subj>\b(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]+|\b(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er)\s+(?:[\w'’-]+\s+){0,2}?[\w'’-]+|\b[Hh]e|\b[Ss]he)"
    r"(?:\s*,\s*(?:\d{1,3}|[^,]{2,70}),|\s*,(?=\s+(?:is|was|remains)\b))?"
    r"\s+(?:(?:later|then|eventually|subsequently)\s+)?(?:(?:was|has been|had been|is|remains|remained)\s+)+"
    r"(?P<adv>(?:later|then|eventually|subsequently|also|[a-z]+ly)\s+)?"
    rf"(?P<v>shot and killed|shot and wounded|shot and injured|shot and critically (?:wounded|injured)|{KILLED}|{INJURED}|{HIT}|shot|grazed|(?:struck|hit) by (?:gunfire|(?:a )?bullets?))\b"
    r"|(?P<subj2>\b(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]+|\b(?:[Tt]he|[Hh]is|[Hh]er|[Aa]n?|[Aa]nother)\s+(?:[\w'’-]+\s+){0,2}?[\w'’-]+|\b[Hh]e|\b[Ss]he)"
    r"(?:\s*,\s*(?:\d{1,3}|[^,]{2,70}),)?\s+(?:later\s+|then\s+|eventually\s+|also\s+|[a-z]+\s+and\s+)?"
    # the perfect ("has died", "had since died") is the verb's, not the subject's: "the teen has" is no group
    r"(?:(?:has|have|had)\s+(?:(?:since|now|later|also|reportedly)\s+)?)?"
    rf"(?P<v2>{_SINGULAR_INTRANSITIVE})\b"
)
# every verb the subject rules end on (SUBJECT, AFTER_SUBJECT, NAMED_SINGULAR): a sentence without one
# is not read by them.  Read on lower-cased text (IGNORECASE is slow).
CASUALTY_VERB = re.compile(rf"\b(?:{VERB}|{_SINGULAR_INTRANSITIVE})\b")
# --- event nouns with their victims: "the deaths of two women", "Flynn's death", "the bodies of A and B were found"
_KILLING_NOUN = (
    r"(?:(?:accidental |apparent )?(?:shooting|stabbing|beating) )?deaths?|murders?|killings?|slayings?|assassinations?|"
    r"(?:fatal|deadly) (?:[\w-]+ )?(?:shootings?|stabbings?)"
)
EVENT_OF = re.compile(
    rf"(?<!attempted )(?<!attempted\s)\b(?P<noun>{_KILLING_NOUN}|(?:police )?shootings?|stabbings?|injur(?:y|ies)|woundings?|bod(?:y|ies)|remains)\s+of\s+",
    re.IGNORECASE,
)
# a bare count after EVENT_OF names people: "2 critically wounded in shooting of five in Fruitridge"
EVENT_OF_COUNT = re.compile(
    rf"(?P<num>\d{{1,3}}|{number_words(2, 20)})(?=\s*[,.;:]|\s*$|\s+(?:in|at|on|near|outside|inside|during|after|early|late|"
    r"last|this|overnight|and|by|as|was|were|is|are|has|have)\b)",
    re.IGNORECASE,
)
EVENT_GENITIVE = re.compile(
    r"['’]s?\s+(?:(?:untimely|tragic|violent|sudden|brutal)\s+)?"
    rf"(?P<noun>{_KILLING_NOUN}|shooting|stabbing|body|remains)\b"
    r"(?!\s+(?:trials?|case|charges?|convictions?|sentences?|penalty|spree|suspects?|investigations?|probe|rate|"
    r"toll|threats?|plot|row|hearings?|count|counts|defendants?|attempts?))",
    re.IGNORECASE,
)
# a body counts as a death only where it is found: "the bodies of A and B were found"
FOUND_BODY = re.compile(
    r"\b(?:found|recover\w*|discover\w*|pulled|located|locate|retriev\w*|unearthed|identified|washed|find|finding)\b", re.IGNORECASE
)
PRONOUN_EVENT = re.compile(
    r"(?<!\bto )\b(?P<pron>his|her)\s+(?:untimely\s+|tragic\s+|violent\s+)?(?P<noun>death|murder|killing|slaying|body)\b"
    r"(?!\s+(?:trials?|case|charges?|convictions?|sentences?|penalty|spree|investigation|certificate))",
    re.IGNORECASE,
)
# "the man who died", "Capt. Tennant, who also was killed"
RELATIVE_VICTIM = re.compile(rf",?\s+who\s+(?:also\s+|later\s+|then\s+)?{VERB_CHAIN}", re.IGNORECASE)
# "the woman who was wounded in the attack [has died]": the relative clause's victim is the subject of a death
DIED_AFTER_RELATIVE = re.compile(
    r"(?:\s*,?\s+(?!(?:said|says|told|tells|and|but|or|while|when|after|before|because|as|who|which|that|whose|where|is|was)\b)[\w'’.-]+){0,12}?"
    r"\s*,?\s+(?:has\s+|had\s+|have\s+)?(?:since\s+|now\s+|later\s+|also\s+|subsequently\s+)?"
    r"(?:died|dies|succumbed|been pronounced dead|was pronounced dead)\b",
    re.IGNORECASE,
)
# "Also shot were ...", "Killed were ...", "Among the dead were ..."
INVERTED = re.compile(
    r"(?:^|[;:]\s*|\b(?:also|and)\s+)(?P<v>killed|dead|injured|wounded|hurt|shot|hospitali[sz]ed)\s+"
    r"(?:in the [\w-]+\s+)?(?:were|was|are|is)\s+"
    r"|\bamong (?:the|those) (?P<v2>dead|killed|injured|wounded|hurt)\s+(?:were|was|are|is)\s+",
    re.IGNORECASE,
)

MULTIPLIERS = {"double": 2, "triple": 3, "quadruple": 4, "quintuple": 5, "two": 2, "three": 3, "four": 4}
MULTIPLIER = re.compile(
    r"\b(?P<mult>double|triple|quadruple|quintuple)[- ](?P<noun>homicide|murder|killing|slaying|fatal shooting|shooting)s?\b"
    r"(?P<suicide>(?:\s*[-,/]\s*|\s+and\s+|\s+)suicide\b(?!\s+attempt))?"
    r"|(?<!attempted )(?<!attempted\s)(?P<ms>\bmurder[- /]suicide\b)(?!\s+attempt)",
    re.IGNORECASE,
)
ORDINALS = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "6th": 6,
    "7th": 7,
    "8th": 8,
    "9th": 9,
    "10th": 10,
}
ORDINAL_VICTIM = re.compile(
    rf"\b(?P<ord>{'|'.join(ORDINALS)})\s+(?:[\w'’-]+\s+)?"
    r"(?P<noun>(?!(?:has|had|have|also)\b)[\w'’-]+)\s+"  # "a fifth victim has died": the noun, not its auxiliary
    r"(?:has\s+|had\s+|have\s+)?(?:also\s+)?(?:dies|died|succumbs|succumbed|killed|found dead|is dead|was killed|dead)\b"
    r"|\bclaims?\s+(?:a\s+|the\s+|its\s+)?(?P<ord2>second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+"
    r"(?:victim|life)\b"
    # "becomes the fourth (person) to die"
    r"|\b(?:becomes?|became|is|was|has become)\s+(?:the\s+)?(?P<ord3>second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+"
    r"(?:(?:person|victim|people)\s+)?to\s+(?:die|have died|be killed|succumb)\b",
    re.IGNORECASE,
)
#: bodies found or recovered, counted (the dead): "12 bodies were recovered", "rescuers found a body", "the body was
#: found"; not "the bodies" with no count, "his body" or "the body of X" (other rules read those), nor "body armor"
_BODY_VERB = r"(?:found|recovered|discovered|pulled|retrieved|located|unearthed|dug\s+out|washed\s+(?:ashore|up))"
_BODY_NP = (
    rf"(?P<np>(?:(?P<det>a|an|one|another|the)|{Q}(?:\s+of)?)\s+"
    r"(?:(?:more|other|additional|further|charred|burned|burnt|decomposed|decomposing|unidentified|lifeless|human)\s+)?"
    r"(?P<noun>body|bodies))\b(?!['’]|\s+(?:of|armou?r|cam\w*|parts?|bags?|shop|language|count|work|wash|spray|temperature|"
    r"double|guard|builder\w*|politic|blow|slam|search|recovery)\b)"
)
BODIES_FOUND = re.compile(
    rf"\b{_BODY_NP}\s+(?:(?:was|were|has\s+been|have\s+been|had\s+been)\s+)?"
    rf"(?:(?:later|also|since|now|eventually|finally|then)\s+)?{_BODY_VERB}\b",
    re.IGNORECASE,
)
FOUND_BODIES = re.compile(
    r"\b(?:found|finds?|finding|recover(?:ed|s|ing)?|discover(?:ed|s|ing)?|pull(?:ed|s|ing)|retriev(?:e|ed|es|ing)|"
    r"locat(?:e|ed|es|ing)|unearth(?:ed|s|ing)?)\s+(?:what\s+(?:appeared|appears|was|were)\s+to\s+be\s+)?" + _BODY_NP,
    re.IGNORECASE,
)
#: a headline's bare "Body found in ...", "Body recovered after flood" (headlines leave out the article)
TITLE_BODY_FOUND = re.compile(rf"(?:^|[:;|–—]\s*|\s-\s+)(?P<np>(?P<noun>body))\s+{_BODY_VERB}\b", re.IGNORECASE)
FATAL_NOUN = re.compile(
    r"\b(?:fatal|deadly|fatally)\s+"
    r"(?:(?!(?:in|at|on|after|for|of|and|or|to|by|with|the|a|an|force|weapons?)\b)[\w'’.&-]+\s+){0,3}?"  # "deadly Oak Park shooting"
    r"(?:shooting|shootout|gunfire|accidental shooting|hunting accident|police shooting|drive-by)\b"
    r"|\bshooting death\b"
    # "arrest made in homicide", "the death was ruled a homicide": someone was killed (not "attempted homicide",
    # "homicide detectives", "double homicide", which MULTIPLIER counts)
    r"|(?<!attempted )(?<!double )(?<!triple )\b(?:a|an|the|in|apparent|suspected|possible|ruled)\s+homicide\b"
    r"(?!\s+(?:detectives?|unit|division|squad|investigators?|bureau|section|sergeants?|lieutenants?|cops?|police|charges?|cases?|rate|rates|statistics|numbers))",
    re.IGNORECASE,
)
#: "Father of 5 killed": a parent counted by their children is one person
HEADLINE_KIN = frozenset("father mother dad mom mum parent grandfather grandmother grandpa grandma".split())
_HEADLINE_NP = (
    r"(?:^|[:|–—]\s*|\s-\s|\b(?:after|as|when|where)\s+)(?P<np>(?:[\w'’.-]+\s+){0,3}?(?P<head>[\w'’-]+)"
    rf"(?P<kin_of>\s+of\s+(?:\d{{1,2}}|{number_words(2, 12)}))?)"
)
_HEADLINE_VERB = (
    r"(?:,\s*\d{1,3},?)?\s+(?:is\s+|was\s+|has\s+been\s+|found\s+)?(?P<adv>fatally\s+|critically\s+|seriously\s+|accidentally\s+)?"
    r"(?P<v>shot,? (?:and )?killed|shot,? (?:and )?wounded|shot,? (?:and )?injured|shot dead|shot to death|killed|slain|dies|died|dead|shot|wounded|injured|hurt|murdered|"
    r"grazed|(?:hit|struck) by (?:an? )?(?:stray )?(?:bullets?|gunfire))\b"
)
HEADLINE = re.compile(_HEADLINE_NP + _HEADLINE_VERB, re.IGNORECASE)
#: the person told by what they were doing: "6-year-old playing with gun shot and killed", "Woman walking dog killed"
#: (not a gerund of the attack itself, "Teen shooting victim dies", nor a noun in -ing, "Man Monday morning shot")
HEADLINE_DOING = re.compile(
    _HEADLINE_NP + r"(?P<doing>,?\s+(?!(?:shooting|killing|stabbing|wounding|murdering|morning|evening|during|building|wedding|"
    r"king|thing|spring|string|ring|sibling|darling|according|including|following|being)\b)[a-z]+ing"
    r"(?:\s+[\w'’-]+){1,3}?,?)" + _HEADLINE_VERB,
    re.IGNORECASE,
)
#: the person told by where they were found or hurt, then their death: "Wounded teen found outside Garland restaurant
#: dies at hospital", "Fisherman injured in Sylhet blast dies" (the death is the figure, not the wound before it)
HEADLINE_WHERE_DIED = re.compile(
    _HEADLINE_NP + r",?\s+(?:found|shot|stabbed|wounded|injured|hurt)\s+(?:in|at|on|outside|near|inside|behind|along|off)"
    r"(?:\s+[\w'’-]+){1,4}?,?\s+(?P<adv>)(?P<v>dies|died)\b",
    re.IGNORECASE,
)
UNCERTAIN = re.compile(
    r"\b(?:if|whether|not known|unclear|unknown|possible|possibly|feared|rumou?rs?|speculation|unconfirmed|"
    r"(?:may|might|could|should|would)(?:\s+not)?\s*(?:have|'ve))\b[^,.;]{0,40}$"
    r"|\b(?:want|wanted|wants|threaten\w*|plan\w*|tri(?:ed|es)|try(?:ing)?|attempt\w*|intend\w*|vow\w*|conspir\w*)"
    r"\s+to\s+(?:[\w-]+\s+){0,2}$"
    r"|\b(?:should|would|could|might)(?:'ve|\s+have)\s+been\s*$"
    r"|\bnever\s+(?:\w+ly\s+)?(?:kill|shoot|shot|hurt|harm|injur|wound|murder)\w*\s+$",  # "would never hurt her brother"
    re.IGNORECASE,
)
# "Shooting kills man": a verb right after says the first word was the subject (a noun), not the verb
_NOT_OBJECT = r"(?!(?:kill|shoot|shot|wound|injur|hurt|leav|left|murder|slay|slew|stab|claim|take|took)[\w'’]*\b)"
# a gerund used as a noun is no verb taking an object: "After the shooting the suspect fled", "Mukilteo shooting
# suspect pleads not guilty" (the suspect did the shooting)
GERUND_AS_NOUN_BEFORE = re.compile(
    r"(?:\b(?:the|a|an|this|its|his|her|their|another|deadly|fatal|double|triple|mass|drive-by|police|officer-involved)|['’]s)\s+$",
    re.IGNORECASE,
)
ATTACKER_NOUN = re.compile(r"(?:suspects?|gunm[ae]n|shooters?|attackers?|assailants?|killers?)\b", re.IGNORECASE)
TITLE_OBJECT = re.compile(rf"\b{ACTIVE_VERB}\s+(?P<np>{_NOT_OBJECT}(?:[\w'’-]+\s+)?[\w'’-]+)\b", re.IGNORECASE)
NOT_SUBJECTS = {
    "no",
    "nobody",
    "none",
    "it",
    "this",
    "that",
    "there",
    "who",
    "everyone",
    "anyone",
    "police",
    "what",
    "which",
    "one",
    "nothing",
    "everybody",
    "someone",
    "somebody",
    "something",
    "they",
    "they'd",
    "they’d",
    "we",
    "you",
    "i",
}
#: prepositions a title-case headline capitalises: "4 Shot In Miami" is passive, not "shot In"
_TITLE_PREPOSITIONS = r"(?:In|At|On|After|During|Near|Outside|Inside|Following|Over|By|From|While|When|As|Along|Across|Behind|Under|Amid|Before|Since|Into|For|With)"
OBJECT_START = re.compile(
    r"\s+(?:a|an|the|his|her|their|its|him|them|it|my|our|your|me|us|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|\d+|several|dozens|at least|more than|about|"
    rf"(?!{_TITLE_PREPOSITIONS}\b)[A-Z][a-z]+(?<!Monday)(?<!Tuesday)"
    r"(?<!Wednesday)(?<!Thursday)(?<!Friday)(?<!Saturday)(?<!Sunday)(?<!Overnight)(?<!Last))\b"
)

# after a subject with no number: the verb, and what may follow a passive verb
PASSIVE_FOLLOW = re.compile(
    r"\s*(?:$|[,.;:!?)\]'\"’”|–—-]|\b(?:in|at|on|by|after|during|near|outside|inside|while|over|following|overnight|early|"
    r"late|last|this|with|from|for|when|and|as|before|since|into|amid|along|across|behind|under|"
    rf"{WEEKDAY_PATTERN}|yesterday|today|tonight)\b)",
    re.IGNORECASE,
)
AGES = r"\s*,\s*(?:(?:both|all|aged|ages)\s+)?\d{1,3}(?:\s*(?:,|and)\s*\d{1,3})*\s*,"  # ", 25,", ", both 51,"
AFTER_SUBJECT = re.compile(rf"(?<=[\w'’.)])(?P<age>{AGES})?(?P<sp>\s+){VERB_CHAIN}", re.IGNORECASE)
# "Smith and Jones, both 51, died": an appositive that counts several people
PLURAL_APPOSITIVE = re.compile(r",\s*(?:both|all|each)\b", re.IGNORECASE)
COORDINATED = re.compile(
    rf"(?:^|(?<=[\s,;(]))(?:{Q}|(?P<one>an?|one|another)\b)"
    rf"(?P<np>(?:\s+(?!{NP_STOP_SUBJ}\b|{CASUALTY_WORD}\b){NP_TOK}){{0,4}}?)\s*(?:,\s*(?:and\s+)?|\s+and\s+)$",
    re.IGNORECASE,
)

# --- lists of people: "his wife, her mother and two children", "Mother, 2 children found dead" --
SMALL_NUM = rf"(?:\d{{1,3}}|{number_words(2, 12)})"
ITEM_RE = re.compile(
    r"(?:(?P<det>his|her|their|the|a|an|one|another|its|both|my|our)\s+)?"
    r"(?:(?P<poss>[\w.-]+(?:['’]s|s['’]))\s+)?"
    rf"(?:(?P<num>{SMALL_NUM})\s+)?"
    r"(?P<adj>(?:[\w'’-]+\s+){0,5}?)"
    r"(?P<head>[\w'’-]+)",
    re.IGNORECASE,
)
LIST_SEP = re.compile(r"\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+")
SELF_ITEM = re.compile(r"(?:him|her|them)sel(?:f|ves)|self", re.IGNORECASE)
ADJ_REJECT = frozenset(NP_STOP.strip("(?:)").split("|")) | {"a", "an", "the", "one", "also", "only", "who"}
VERBISH = re.compile(r"^(?:kill|shoot|shot|wound|injur|hurt|stab|murder|slay|slew|gun)", re.IGNORECASE)
# "-ing"/"-ed" words: verbs unless a determiner or number marks the item ("an unidentified man")
PARTICIPLE = re.compile(r"(?:ing|ed)$", re.IGNORECASE)
TAIL_REJECT_BEFORE = frozenset(
    "including among of with by besides plus like than killing killed shooting shot wounding injuring left leaving "
    "to from except found discovered located identified spotted saw".split()
)
NAME_REJECT = MONTHS | {
    *WEEKDAYS,
    "police",
    "officials",
    "authorities",
    "investigators",
    "deputies",
    "he",
    "she",
    "they",
    "it",
    "we",
    "i",
    "but",
    "and",
    "the",
    # determiners, numbers and name suffixes are not names: "One of the victims", "Freddie Rodgers, Jr."
    *NUMBER_WORDS_TO_TEN,
    "another",
    "all",
    "both",
    "each",
    "some",
    "many",
    "several",
    "jr",
    "jr.",
    "sr",
    "sr.",
    "ii",
    "iii",
    "iv",
}
# a list item holds no verb: "two men were killed and [another man was injured]"
NOT_IN_ITEM = re.compile(
    r"\b(?:said|says|told|tells|was|were|is|are|has|have|had|will|would|could|can|may|might|did|does|who|which|"
    r"that|whom|whose|die|dies|died|dead|found|stabbed|slew|shot|kill(?:s|ed|ing)?|shoot(?:s|ing)?|"
    r"wound(?:s|ed|ing)?|injur(?:e|es|ed|ing)|hurt(?:s|ing)?|murder(?:s|ed|ing)|slay(?:s|ing)?|slain)\b",
    re.IGNORECASE,
)
#: first words of an auxiliary that agrees with one subject: "X and he was pronounced dead" joins no subjects
SINGULAR_AUX = frozenset({"was", "is", "has", "remains"})

# more objects after the first one: "killed his wife, her mother and two children, then himself"
ITEM_BOUNDARY = (
    r"(?=\s*(?:[,;.&:)(]|\s-\s|$|\b(?:and|in|at|on|before|after|then|who|as|during|while|with|near|inside|outside|"
    r"from|over|for|when|but|said|says|according|by|early|late|last|this|that|was|were|is|are|has|have|had|will|would|"
    r"could|can|may|might|did|does|to|of|because|since|until|or|so|whose|whom|which|"
    r"found|killed|shot|slain|wounded|injured|hurt|discovered|murdered|trapped|buried|"
    rf"{WEEKDAY_PATTERN})\b))"
)
FWD_SEP = re.compile(
    r"(?:\s*,\s*(?:and\s+|&\s+)?(?:then\s+)?|\s+(?:and|&)\s+(?:then\s+)?|\s+(?:then|before|as well as)\s+)"
    r"(?:(?:also\s+)?(?P<verb>killing|shooting|turning the gun on|(?:fatally\s+)?(?:killed|kills|shot|shoots))\s+)?",
    re.IGNORECASE,
)
# a list item that opens with another verb is a new clause, not one more person: "Bullet kills man, grazes child"
ITEM_VERB = re.compile(
    r"(?:graz(?:es|ed|ing)|wound(?:s|ed|ing)|injur(?:es|ed|ing)|hurt(?:s|ing)?|hit(?:s|ting)?|strik(?:es|ing)|struck|"
    r"stab(?:s|bed|bing)|beat(?:s|ing)?|leav(?:es|ing)|left|sends?|sent)\s",
    re.IGNORECASE,
)
FWD_SELF = re.compile(
    r"(?:turn(?:ed|s|ing)? (?:the|a) (?:gun|weapon|rifle|shotgun|handgun) on )?(?:(?:him|her|them)sel(?:f|ves)|self)\b|(?:taking|took|takes) (?:his|her|their) own li(?:fe|ves)\b"
    r"|(?:committing|committed|commits) suicide\b",
    re.IGNORECASE,
)
# a title before a name ends no item: "John Lee, 53, Sgt. Ann Diaz said" (the speaker, not a third person)
_NOT_TITLE_DOT = (
    r"(?!(?-i:Sgt|Lt|Capt|Cpt|Cpl|Det|Ofc|Dep|Tpr|Sen|Rep|Gov|Col|Gen|Maj|Pvt|Insp|Supt|Cmdr|Adm|Dr|Mr|Mrs|Ms|Rev|Prof|Atty)\.\s)"
)
FWD_ITEM = re.compile(
    r"(?:(?:his|her|their|the|a|an|one|another|its|my|our)\s+)?(?:[\w.-]+(?:['’]s|s['’])\s+)?"
    rf"(?:{SMALL_NUM}\s+)?(?:[A-Z][a-z]{{0,4}}\.\s+|[\w'’-]+\s+){{0,6}}?{_NOT_TITLE_DOT}[\w'’-]+(?:,\s*\d{{1,3}}(?=\s*,))?{ITEM_BOUNDARY}",
    re.IGNORECASE,
)
# "killed his wife and her mother was wounded": the item is the subject of a new clause
CLAUSE_AFTER_ITEM = re.compile(
    r"\s+(?:said|says|told|was|were|is|are|has|have|had|will|would|could|can|may|might|did|does)\b", re.IGNORECASE
)
# "Capt. Tom Tennant of the Woodburn Police Department": the item before its prepositional phrase
ITEM_POSTMODIFIER = re.compile(r"\s+(?:of|from|with|at|in|on|for|named|called)\s+")
# an item with its own determiner, number or name: a new person ("his mother and his sister")
ITEM_MARKED = re.compile(rf"(?:his|her|their|the|a|an|one|another|its|my|our|\d+|{number_words(2, 10)})\b|[A-Z]")
# a relative clause inside a list: "a woman, who was walking near Horton, and an 11-year-old girl"
LIST_RELATIVE = re.compile(r"\s*,\s*(?:who|whom|whose)\b[^,;]{1,80}(?=,)", re.IGNORECASE)
# the last word of a capitalised run that names a place or an organisation, not a person
PLACE_HEADS = frozenset(
    """
police department county city state street road avenue province island islands university hospital
bank church school airport park station district region village town valley river mountain mount
ridge peak lake sea ocean bay coast beach house hall court office ministry agency army navy force
forces guard service services news times post press network radio television channel party
""".split()
)
# a capitalised run after these is a place or a date: "In Aceh", "On Friday"
NAME_FIRST_REJECT = frozenset("in at on near from to of by for into inside outside across off".split())
# "left one dead and three others wounded": a second clause, not another object
OTHER_CLAUSE = re.compile(
    r"\s+(?:(?:were|was|are|is|had been|have been)\s+)?(?:[a-z]+ly\s+)?(?:injured|wounded|hurt|shot|dead|killed|died|hospitali[sz]ed)\b"
    r"|\s+with\s+(?:[\w-]+\s+){0,2}?(?:injuries|wounds)\b"
    r"|\s+(?:in|at)\s+(?:the\s+|a\s+|an\s+)?(?:critical|serious|stable|fair|good|grave|hospital|area hospital|local hospital)\b"
    # "left one dead and five others, including two officers, injured": the state after the aside is theirs
    r"|\s*,\s*including\s+[^,;.]{1,60},\s*(?:(?:were|was|are|is)\s+)?(?:[a-z]+ly\s+)?(?:injured|wounded|hurt|hospitali[sz]ed)\b",
    re.IGNORECASE,
)

# --- sentence marks ------------------------------------------------------------------------
_MONTH = f"(?:{MONTH_NAMES_PATTERN}|{MONTH_ABBREVIATIONS_PATTERN})"
_YEAR = r"(?:19|20)\d\d(?!\d|[,-]\d)"
#: words that date a figure to another incident: an earlier year, "years ago", "last year", yearly
#: totals ("so far this year", "annually"), "in a separate attack"
OTHER_INCIDENT = re.compile(
    rf"\b(?:in|during|since|by|of|for)\s+(?:(?:early|late|mid-?)\s*)?(?:{_MONTH}\s+)?(?:\d{{1,2}},?\s+)?{_YEAR}"
    rf"|\b(?:the|a|an)\s+(?:{_MONTH}\s+(?:\d{{1,2}},?\s+)?)?{_YEAR}\b"
    rf"|\b{_YEAR}['’]s\b"
    r"|\b(?:\w+|\d+)\s+(?:years|decades)\s+(?:ago|earlier|before)\b|\b(?:last|previous)\s+year\b|\ba\s+year\s+(?:ago|earlier|before)\b"
    r"|\b(?:so far )?this year\b|\bsince (?:January|the (?:start|beginning) of)\b|\bannually\b|\bper year\b|\ba year\b"
    r"|\b(?:weeks|months|a month|a week) (?:ago|earlier|before)\b"
    r"|\bin (?:a|an|another|the) (?:separate|unrelated|earlier|previous|similar|prior|other) "
    r"(?:[\w-]+ )?(?:case|incident|shooting|attack|bombing|blast|explosion|crash|accident|quake|earthquake|disaster)s?\b",
    re.IGNORECASE,
)
# a relative clause or a new clause between a figure and a date that comes after it: the date is of
# something else ("40 people were injured in the earthquakes, which rekindled memories of 2002")
# "the deadliest since 2005": a comparison; the date is another incident's only for what a "when" clause after it says
SINCE_SUPERLATIVE = re.compile(
    r"\b(?:deadliest|worst|biggest|largest|strongest|most \w+|first|highest|bloodiest)\b[^,.;]{0,40}$", re.IGNORECASE
)
SINCE_CLAUSE = re.compile(r"\s*,?\s*(?:when|in which|which|that)\b", re.IGNORECASE)
# (or a description of a place: "in a region devastated by the 2004 tsunami")
CLAUSE_BREAK = re.compile(
    r",\s*(?:which|who|where|when|while|whose|as|but)\b|;|\s[–—]\s|\s-\s"
    r"|\b(?:devastated|ravaged|battered|hit|struck|still|reeling|recovering|haunted|scarred|memories|reminder|similar)\b",
    re.IGNORECASE,
)
# a date inside a description of a place: "a region devastated by the 2004 tsunami"
DESCRIBED_BY = re.compile(r"\b(?:devastated|ravaged|battered|hit|struck|scarred|haunted|affected|destroyed)\s+by\s+$", re.IGNORECASE)
RELATIVE_AFTER = re.compile(r"\b(?:that|which|who)\b", re.IGNORECASE)
# the dates among OTHER_INCIDENT (a trial or arrest story dates its own killing)
DATED = re.compile(rf"{_YEAR}|\b(?:years|decades|year|months?|weeks?)\b", re.IGNORECASE)
# trials, arrests and sentencing recount the underlying killing with its date: still the main incident
LEGAL = re.compile(
    r"\b(?:convict\w*|guilty|jury|juror\w*|trial|sentenc\w*|charged (?:with|in)|charges|accused|indict\w*|court|"
    r"prosecut\w*|testif\w*|verdict|arraign\w*|plead\w*|pled|suspect\w*|arrest\w*)\b",
    re.IGNORECASE,
)

BACKGROUND = re.compile(
    r"\b(?:this|last|past|previous) (?:year|month|decade)\b|\byears? (?:ago|earlier|before|later)\b|\bso far\b|"
    r"\b(?:in|since|during|of|the) (?:19|20)\d\d\b|\bnationwide\b|\bcitywide\b|\bannually\b|\bper year\b|"
    r"\ba year\b|\bin history\b|\bsince (?:January|the start)\b|\bthis weekend\b|\bover the weekend\b|\bacross the city\b|"
    r"\blast (?:summer|spring|fall|winter|autumn)\b|\b(?:weeks|months) (?:earlier|ago|before)\b|"
    rf"\bsince (?:early |late |mid-)?(?:{MONTH_NAMES_PATTERN})\b|"
    r"\brecent (?:[\w-]+ ){0,2}(?:attacks|shootings|killings|bombings|incidents|crashes|cases)\b|"
    rf"^\W*(?:In|Back in|Earlier in|Since)\s+(?:{MONTH_NAMES_PATTERN})\b(?!\s+\d)|"
    r"\bin (?:that|a separate|an unrelated|another|a similar|an earlier|a previous|a prior) (?:case|incident|shooting|attack)s?\b|"
    r"\b(?:a )?previous (?:shooting|incident|attack)\b|"
    r"\b(?:separate|unrelated)\s+(?:[\w-]+\s+)?(?:shootings|incidents|attacks)\b",  # a tally of several incidents
    re.IGNORECASE,
)
#: where a BACKGROUND match starts: the first word of each branch, and the start of the text (the `^` branch)
BACKGROUND_FIRST = first_words(
    (
        "this", "last", "past", "previous", "year", "years", "so", "in", "since", "during", "of", "the", "nationwide",
        "citywide", "annually", "per", "a", "over", "across", "weeks", "months", "separate", "unrelated", "recent",
    ),
    text_start=True,
)  # fmt: skip
# a related video's headline on the page: "0:41 Woman dies crossing ...", "1:27 1 dead after collision"
VIDEO_LINK = re.compile(
    r"\W*\d{1,2}:\d\d\s+(?=[A-Z0-9])(?!(?:[AP]\.?M\.?|Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b)",
    re.IGNORECASE,
)
# a figure told as first said and then withdrawn: "Early reports said one person had died, but that proved
# to be incorrect", "police initially said the man had died"
RETRACTED_BEFORE = re.compile(
    r"\b(?:(?:early|earlier|initial|first) reports?|initially|at first)\b[^.;]{0,40}?\b(?:said|says|indicated|suggested|stated|reported|believed|thought)\b"
    r"|\b(?:was|were) (?:initially |first |erroneously |mistakenly |falsely )?reported to have\b"
    r"|\b(?:erroneously|mistakenly|falsely)\b",
    re.IGNORECASE,
)
RETRACTED_AFTER = re.compile(
    r"[^.;]{0,60}?\b(?:but|however)\b[^.;]{0,40}?\b(?:proved|proven|turned out|was|were|is|are)\s+(?:to be\s+|later\s+found\s+to\s+be\s+)?"
    r"(?:incorrect|false|wrong|inaccurate|untrue|not the case)\b"
    r"|[^.;]{0,60}?\b(?:but|however)\s+(?:(?:authorities|police|officials|officers|investigators|they)\s+)?(?:later|now)?\s*(?:say|said)\b",
    re.IGNORECASE,
)
# "a man was shot and killed": as many shot as killed
SHOT_KILLED = re.compile(
    r"\bshot(?:,\s*|\s+and\s+)(?:\w+ly\s+)?killed\b|\bfatally\s+sho(?:t|oting)\b|\bshot\s+(?:to death|dead)\b|"
    r"\bshooting\s+and\s+killing\b|\bgunned\s+down\b",
    re.IGNORECASE,
)
# "one critically": often a part of the wounded ("four shot, one critically wounded")
# (not "non-life-threatening", "non-critical": those say the wound is light)
SEVERITY = re.compile(
    r"(?<!non-)(?<!non )(?<!not )\b(?:critically|seriously|severely|gravely|badly|critical|serious|life-threatening|fighting for)\b",
    re.IGNORECASE,
)

# --- roundups: the lead reports several incidents --------------------------------------------
NUM_WORD = rf"(?:\d+|{number_words(2, 12)}|a dozen|dozens of)"
DAY = WEEKDAY_PATTERN
ROUNDUP = re.compile(
    rf"\b(?:separate|multiple|several|different|unrelated|{NUM_WORD})\s+(?:[\w'’-]+\s+){{0,3}}?(?:shootings|incidents|attacks)\b"
    rf"|\b(?:weekend|overnight|over-night|city|citywide|night|morning|afternoon|evening|holiday|{DAY})\s+(?-i:[A-Z][\w.'’-]*\s+){{0,3}}shootings\b"
    r"|\b(?:shootings|shot|killed|wounded|violence|gunfire)\s+(?:across|around|throughout)\s+(?:the\s+)?(?:city|area|county|state)\b"
    rf"|\bspate of\b|\bstring of shootings\b|\bviolent\s+(?:night|weekend|day|stretch|holiday|week|{DAY})\b|\bcitywide\b"
    r"|\bdeadliest (?:weekend|day|month|night)\b",
    re.IGNORECASE,
)
#: where a ROUNDUP match starts: the first word of each branch (NUM_WORD: digits, "two" to "twelve", "a dozen", "dozens")
ROUNDUP_FIRST = first_words(
    (
        "separate", "multiple", "several", "different", "unrelated", "a", "dozens", *number_words(2, 12).split("|"),
        "weekend", "overnight", "over", "city", "citywide", "night", "morning", "afternoon", "evening", "holiday", *WEEKDAYS,
        "shootings", "shot", "killed", "wounded", "violence", "gunfire", "spate", "string", "violent", "deadliest",
    ),
    digits=True,
)  # fmt: skip
LEAD_CHARS = 400
#: a headline about what one accused did: its count is one incident's, even in a story of several
ACCUSED_OF = re.compile(r"\b(?:charged|accused|convicted|indicted|sentenced)\b", re.IGNORECASE)

# --- small checks inside the rules --------------------------------------------------------------
KILLED_WORD = re.compile(KILLED)
HIT_WORD = re.compile(HIT)
#: death verbs with no object: "have fallen to their deaths" is no active "have shot"
INTRANSITIVE_DEATH = re.compile(
    rf"died|dies|passed away|passes away|perished|drowned|suffocated|succumbed to .*|lost .*|\w+ to {_DEATH}|"
    r"(?:suffer|sustain|receiv|recover|surviv)\w* .*|(?:listed |admitted )?in .*condition"
)
INJURED_WORD = re.compile(INJURED)
MISSING_WORD = re.compile(MISSING)
FATAL_ADVERB = re.compile(r"(?<![\w-])(?:fatally|mortally)\b")
FATAL_BEFORE = re.compile(r"(?<![\w-])(?:fatally|mortally)\s+$", re.IGNORECASE)  # "Man Fatally Shoots Wife"
FATAL_BEFORE_TITLE = re.compile(r"(?<![\w-])(?:fatally|mortally|fatal|deadly)\s+$", re.IGNORECASE)
NEGATED_ADVERB = re.compile(r"(?<![\w-])not\b", re.IGNORECASE)
NOT_WORD = re.compile(r"\bnot\b", re.IGNORECASE)
UNBORN = re.compile(r"\b(?:unborn|fetus|foetus)\b", re.IGNORECASE)
# "no doubt was killed ...", "no suspects were hurt": not a count of victims
ZERO_NOT_VICTIMS = re.compile(r"\b(?:doubt|question|sign|word|evidence|indication|suspects?|arrests?)\b", re.IGNORECASE)
# "no one", "no people", "no victims": the whole event, not a part of the people involved
ZERO_EVERYONE = re.compile(r"(?:one|body|people|persons?|victims?|(?:one|body) else)", re.IGNORECASE)
# after a bare number object: "killed 2 of ...", "shot 3 times", "killed 4 others" are no bare toll
OBJECT_NUMBER_FOLLOW = re.compile(r"\s*(?:of\b|times?\b|[a-z]+\b(?<!according)(?<!and)(?<!in)(?<!at)(?<!on))")
# a headline's active verb with an object: "Man shot wife" (not "Man shot in ...")
HEADLINE_OBJECT_FOLLOWS = re.compile(
    r"\s+(?!(?:in|at|on|after|during|by|near|outside|inside|while|as|over|following|overnight|early|late|last|this|"
    r"with|from|for|when|and|\w+ly)\b)[\w'’]",
    re.IGNORECASE,  # a title-case "Killed In Shooting" has no object either
)
#: what a headline's "leaves / left" puts its object in: "Crash Leaves Driver Dead"
#: between a person left in a state and the counted people after him: "left him [and his] two daughters dead"
LEFT_JOINED = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)(?:(?:his|her|their|the)\s+)?", re.IGNORECASE)
LEFT_STATE = re.compile(r"\s+(?P<state>dead|injured|wounded|hurt)\b", re.IGNORECASE)
HEADLINE_SHOT_PREFIX = re.compile(r"^shot,? (?:and )?(?=killed|wounded|injured)", re.IGNORECASE)
INJURED_ONLY = re.compile(r"(?:critically |seriously )?(?:wounded|injured)")

# context of a number: words before it that make it a date, an age, a phone number or a code
PREVIOUS_WORD = re.compile(r"([\w.#]+)\W*$")
YEAR = re.compile(r"(?:1[89]|20)\d\d")
# "Ginger Reeves, 64 were found dead" (an age), not "1 Dead, 3 Hurt" (a title-case headline's figures)
NAME_AND_COMMA = re.compile(r"(?<![\w'’-])(?!(?:Dead|Killed|Injured|Wounded|Hurt|Shot|Slain|Missing)\b)[A-Z][\w'’-]*,\s*$")
AGE_OR_CALL_BEFORE = re.compile(
    r"\b(?:age|ages|aged|under|(?:younger|older) than)\s+(?:of\s+)?$|\b(?:calls?|called|dial|dial+ed)\s+(?:to\s+)?$", re.IGNORECASE
)
# the last of a run of ages: "two juveniles ages 14 and 15", "victims aged between 20 and 35", "aged 4, 6 and 9"
AGES_RUN_BEFORE = re.compile(
    r"\b(?:ages?|aged)\s+(?:of\s+|between\s+|from\s+)?\d{1,3}(?:\s*,\s*\d{1,3})*\s*,?\s*(?:and|to|through|or|-|–)\s*$", re.IGNORECASE
)
PARENT_OF_BEFORE = re.compile(r"\b(?:father|mother|dad|mom|parent|grandfather|grandmother|grandpa|grandma)\s+(?:of|to)\s+$", re.IGNORECASE)
GROUP_ONLY_ARTICLE = re.compile(r"^(?:of\s+)?(?:the|those|them)\s*$", re.IGNORECASE)
GROUP_CUT = re.compile(r"\s+(?:in|on|at|during|near|from|after|according)\b")
AGE_NOUN = re.compile(r"\d-(?:year|month|week|day)-olds?$|^(?:[a-z]+-)+(?:year|month|week|day)-olds?$")
NAME_WORD = re.compile(r"[A-Z](?:[a-z]*(?:['’.-]?[A-Z]?[a-z]+)+\.?|\.)")  # "Smith", "McKnight", "O'Brien", "Capt."
AGE_ITEM = re.compile(r"\s*\d{1,3}\s*")
TRAILING_AGE = re.compile(r",\s*\d{1,3}\s*$")
LIST_WORD = re.compile(r"\S+")

# --- who can be a victim, beyond _lexicon.PERSON_NOUNS ------------------------------------------
#: People named by their role, trade or situation in news of disasters, attacks, accidents and war.
ROLE_NOUNS = frozenset(
    """
climber climbers mountaineer mountaineers hiker hikers trekker trekkers skier skiers tourist tourists
visitor visitors traveller travellers traveler travelers holidaymaker holidaymakers villager villagers
farmer farmers miner miners pilgrim pilgrims crew crews crewman crewmen crewmember crewmembers pilot
pilots co-pilot copilot attendant attendants technician technicians engineer engineers mechanic
mechanics staffer staffers chief commander commanders colonel inspector inspectors constable
constables gendarme gendarmes ranger rangers bodyguard bodyguards policewoman policewomen patrolman
patrolmen marshal marshals warden wardens jailer jailers detainee detainees refugee refugees migrant
migrants immigrant immigrants citizen citizens nationals demonstrator demonstrators rioter
rioters anarchist anarchists activist activists marcher marchers supporter supporters athlete
athletes player players schoolboy schoolboys schoolgirl schoolgirls schoolchild schoolchildren
pupil pupils professor professors medic medics volunteers rescuer rescuers photographer
photographers cameraman cameramen diplomat diplomats officials politician politicians
lawmaker lawmakers legislator legislators mayor governor senator minister ministers judges
lawyer lawyers prosecutor prosecutors businessman businessmen businesswoman shopper shoppers diner
diners commuter commuters onlooker onlookers occupant occupants motorcyclist motorcyclists cyclists
trucker truckers seaman seamen fisherman fishermen swimmer swimmers surfer surfers diver divers
camper campers hunter hunters jogger joggers runner runners bomber bombers jihadist jihadists
extremist extremists terrorist terrorists combatant combatants guerrilla guerrillas serviceman
servicemen servicewoman paratrooper paratroopers peacekeeper peacekeepers recruits cadet
cadets conscript conscripts sniper snipers mourner mourners monk monks nun nuns priest priests imam
imams cleric clerics pensioner pensioners retiree retirees widow widower orphan orphans youngster
youngsters adolescent adolescents lad lads lady ladies gentleman gentlemen locals expatriate
expatriates foreigner foreigners kidnapper kidnappers captive captives labourer labourers laborer
laborers builder builders vendor vendors merchant merchants trader traders banker bankers teller
tellers waiter waiters waitress waitresses chef chefs janitor janitors electrician electricians
plumber plumbers witnesses informant informants fugitive fugitives convicts
defendant defendants fetus foetus newlywed newlyweds mom-of-two commuter
""".split()
)

#: Plurals among ROLE_NOUNS that do not end in "s".
PLURAL_ROLE_NOUNS = frozenset(
    """
crewmen patrolmen cameramen businessmen seamen fishermen servicemen gentlemen schoolchildren
policewomen
""".split()
)

#: Nationalities used as nouns ("two Britons", "an Australian"): people only as a noun phrase's head.
DEMONYMS = frozenset(
    """
afghan albanian algerian american argentine armenian australian austrian bangladeshi belgian
bolivian bosnian brazilian briton bulgarian cambodian cameroonian canadian chilean colombian croat
cuban cypriot czech dane ecuadorian egyptian emirati englishman englishmen eritrean estonian
ethiopian filipino finn frenchman frenchmen georgian german ghanaian greek guatemalan haitian
honduran hungarian indonesian iranian iraqi israeli italian jamaican jordanian kazakh kenyan
korean kurd kuwaiti liberian libyan lithuanian malaysian malian mexican moroccan nepali
nigerian norwegian pakistani palestinian peruvian pole romanian russian rwandan saudi scot serb
singaporean slovak somali spaniard swede syrian tanzanian tunisian turk ugandan ukrainian uzbek
venezuelan yemeni zimbabwean new-zealander kiwi chinese japanese lebanese portuguese vietnamese
sudanese swiss congolese senegalese burmese nepalese
""".split()
)
