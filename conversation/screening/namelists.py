from __future__ import annotations

import re

from .allow import _PLACES
from .data import _words, _words_lines
from .tokens import _MONTH_WORDS

_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "master", "mstr", "prof", "sir"})
_RUN_JOINERS = frozenset({"of", "for", "upon", "the", "and"})
_ROLE_QUALIFIERS = frozenset(
    """step half ex foster birth adoptive biological older younger little big baby twin new
    former eldest youngest oldest""".split()
)

# Words for a person, after which a capitalised word is taken as a name
# ("pupil Jayden", "mum, Kerry Hughes") and before which a name may stand
# ("Amelia Brown, the child", "Leo's mum").
_ROLE_WORDS = _words("role_words.txt")
# Two-word roles whose last word is not a role on its own.
_ROLE_PAIRS = frozenset({("young", "person"), ("young", "people"), ("foster", "carer")})
_NAME_CONNECTORS = frozenset({"called", "named", "known", "as", "aka"})

# Words after which a capitalised word is part of a place or institution.
_PLACE_PREFIX = frozenset(
    {"st", "saint", "queen", "king", "prince", "princess", "lady", "lord", "mount", "port",
     "fort", "lake", "cape", "bishop", "cardinal", "pope", "holy", "sacred", "our",
     "storm", "hurricane", "operation"}  # round 5: "Storm Bert", "Operation Encompass": a name on an event
)

# Capitalised words that are institutions/places: a capitalised run that
# contains one of these is an organisation, not a person.
_ORG_WORDS = _words("org_words.txt")

# Capitalised words that are not names.
_STOP_WORDS = _words("stop_words.txt")

# Common first names (UK births and parents' generations, varied origins).
# Used to catch a first name or full name with no role word nearby.
_FIRST_NAMES = _words("first_names.txt")
# First names that are also ordinary words, months or places: only counted
# as part of "Firstname Surname", never on their own.
_AMBIGUOUS_FIRST = _words("ambiguous_first.txt")
_FIRST_OR_AMBIGUOUS = _FIRST_NAMES | _AMBIGUOUS_FIRST
# First names that may stand on their own (also used after a role word in
# lower case: "mum kerry").
_LONE_FIRST_NAMES = _FIRST_NAMES - _AMBIGUOUS_FIRST - _STOP_WORDS - _ORG_WORDS - _ROLE_WORDS

# Person context straight after a capitalised run: ", aged 7", " (14)",
# " (Year 9)", " in Year 4", ", DOB ...".
_AFTER_AGE_RE = re.compile(
    r"\s*(?:[,(:\-–—]\s*)?(?:aged?\s*\d|\d{1,2}\s*(?:yrs?|years?|y/?o)\b|\d{1,2}\s*\)|"
    r"(?:in\s+)?year\s*\d|yr\s*\d|d\.?\s?o\.?\s?b|born\b)"
    r"|\s*[,(]\s*\d{1,2}\s*[,)]",
    re.IGNORECASE,
)
# Role straight after a capitalised run: ", the child", " (mum)", " - pupil".
_AFTER_ROLE_RE = re.compile(
    r"\s*(?:[,(:\-–—]\s*)?(?:(?:the|her|his|their|a|an|our|my|your|(?:who\s+)?is\s+(?:the|a|her|his|their))\s+)?"
    r"(?:(?:step|half|ex|foster|birth|older|younger|eldest|youngest|little|big|baby|twin)[\s\-]?)?"
    r"([A-Za-z][A-Za-z\-]*)(?:\s+([A-Za-z]+))?",
    re.IGNORECASE,
)
# "Precious and her brother", "Kai and his mum".
_AND_ROLE_RE = re.compile(
    r"\s+(?:and|&)\s+(?:her|his|their)\s+(?:(?:step|half|older|younger|little|big|baby|twin)[\s\-]?)?"
    r"([A-Za-z\-]+)",
    re.IGNORECASE,
)
# Words that introduce a name: "her name is Brogan", "known as Kai",
# "a man called Dean".
_NAME_INTRO_RE = re.compile(
    r"(?:\bname\s+is|\bname['’]s|\bnamed|\bnicknamed|\bknown\s+as|\bgoes\s+by|"
    r"\b(?:someone|somebody|a\s+[a-z]+|an\s+[a-z]+)\s+called|"
    # "the boys call him 'Tiny'": a nickname given to a person (round 5)
    r"\b(?:call|calls|called|calling)\s+(?:him|her|them|me|themselves|himself|herself)(?:\s+by)?|"
    r"\b(?:they|she|he|we|everyone|people|kids|boys|girls)\s+(?:call|calls))\s*[:\"“'‘]?\s*$",
    re.IGNORECASE,
)
# A single capitalised word that says something is a person ("Olamide
# said", "Bartosz disclosed").  Two-word runs are not used: organisations
# say things too ("Alder Hey said").
_SAID_AFTER_RE = re.compile(
    r"\s+(?:has\s+|had\s+|then\s+|later\s+|also\s+)?(?:said|says|told|tells|disclosed|discloses|"
    r"reported|explained|stated|shouted|screamed|cried|admitted|denied|alleged|whispered|"
    r"texted|messaged|confided|mentioned)\b"
)
_THING_CALLED_RE = re.compile(
    r"\b(?:poem|song|book|film|movie|game|story|show|series|programme|program|app|website|group|club|band|"
    r"dog|cat|pet|horse|hamster|rabbit|toy|teddy|doll|boat|project|course|charity|campaign|place)\s+(?:called|named)\s*$",
    re.IGNORECASE)
_NAME_PREFIXES = frozenset({"mc", "mac", "o", "d", "de", "la", "le", "di", "da", "van", "von", "fitz", "st"})
_STOP_OR_ORG = _STOP_WORDS | _ORG_WORDS
_FAMILY_AFTER_RE = re.compile(r"\s+(?:family|household|twins|children|kids|boys|girls)\b", re.IGNORECASE)
_GAP_AFTER_ROLE_RE = re.compile(r"\s*[,:(\-–—\"“']?\s*")
_SENTENCE_GAP_CHARS = frozenset(".!?;\n•")


# --------------------------------------------------------------------------
# Wider name data (issue 14): many origins, lower case, surnames alone, after titles
# --------------------------------------------------------------------------
_COMMON = _words("common_words.txt")
_WIDE_FIRST = (_words("names_first.txt") | _words("names_extra.txt") | _FIRST_NAMES | _words("names_dataset_first.txt")) - _COMMON - _STOP_WORDS - _ORG_WORDS - _ROLE_WORDS
# Surnames that are also English words ("ward", "hall"): names_dataset's, kept as a list of their own.
_SURNAME_WORDS = _words("names_dataset_surname_words.txt")
_WIDE_SURNAMES = (_words("names_surnames.txt") | _words("names_extra.txt") | _words("names_dataset_last.txt")) - _COMMON - _STOP_WORDS - _ORG_WORDS - _ROLE_WORDS
_WIDE_NAMES = (_WIDE_FIRST | _WIDE_SURNAMES) - _PLACES - _AMBIGUOUS_FIRST - _MONTH_WORDS
# Titles, police ranks and professional roles after which a capitalised word is a name.
_TITLES_LOWER_ONLY = frozenset(
    "nurse teacher coach tutor mentor advocate consultant therapist counsellor officer detective sister father".split())
_TITLES = frozenset(_words_lines("titles.txt"))
_TITLE_FIRST = frozenset(t.split()[0] for t in _words_lines("titles.txt"))
_SURNAME_CONTEXT_RE = re.compile(
    r"(?:t(?<!\wt)he|a(?<!\wa))\s+([A-Z][a-zA-Z'’\-]+)(?:['’]s)?\s+(?:family|families|household|address|house|home|flat|property|"
    r"children|kids|boys|girls|siblings|twins|brothers|sisters|case|parents|grandparents|baby|residence|tenancy)\b"
)
_SURNAME_CONTEXT_WORDS = frozenset("family families household address house home flat property children kids boys girls "
                                   "siblings twins brothers sisters case parents grandparents baby residence tenancy".split())
_PLACE_BEFORE_RE = re.compile(r"\b(?:in|at|to|from|near|towards|around|outside|into|via|of)\s+$", re.IGNORECASE)
_LOWER_NAME_CONTEXT = _ROLE_WORDS | frozenset("called named".split())


_CAP_WORD_AFTER_RE = re.compile(r"(?:\s[A-Z][a-z'’\-]+)*")


_ANY_FIRST = _WIDE_FIRST | _AMBIGUOUS_FIRST | _FIRST_NAMES
_INTERESTING = _ANY_FIRST | _WIDE_NAMES
_PERSON_VERB_RE = re.compile(
    r"\s+(?:came|went|ran|arrived|left|cried|was\s+upset|said|says|told|tells|disclosed|missed|walked|asked|refused|"
    r"hit|kicked|punched|screamed|shouted|has\s+been|had\s+been|is\s+(?:upset|scared|frightened|worried))\b")
_SURNAME_SHAPE_RE = re.compile(r"(?:czyk|ski|ska|wicz|escu|ovic|ović|enko|oglu|oğlu|poulos|idis|akis|ian|yan|sson|sen|ez)$")
_ORG_AFTER_RE = re.compile(r"['’]?s?\s+(?:children['’]s\s+|women['’]s\s+|leisure\s+|community\s+|health\s+|medical\s+|"
                           r"sports\s+|youth\s+|family\s+|day\s+)?(?:ward|unit|wing|clinic|hospital|department|centre|"
                           r"center|hospice|service|foundation|trust|minster|cathedral|abbey|priory|line|"
                           # "Rojin's home postcode": a person's home, not a care home
                           r"home(?!\s+(?:address|postcode|phone|number|landline|visit|life|situation|circumstances|"
                           r"office\s+(?:ref|reference|number|no|id|case))))\b",
                           re.IGNORECASE)
_INITIAL_SURNAME_RE = re.compile(r"[A-Z](?<![A-Za-z][A-Z])\.?\s([A-Z][a-z'’\-]+)")


# --------------------------------------------------------------------------
# Round 2 (issue 14): cues that generalise beyond the name lists
# --------------------------------------------------------------------------
# A token in no name list is still a likely name when it is not a common English word
# (english_words.txt, from wordfreq) and a person cue surrounds it: a verb after it
# ("Vignesh missed"), a possessive and a relation ("dritan's older brother"), a contact verb
# or role before it ("spoke to kacper", "sw kelechi"), a second such word ("Nyasha Chikore").
_EN = _words("english_words.txt")
_WORD_NAMES = _words("word_names.txt")
_EPONYM_WORDS = _words("eponym_words.txt")
_CONDITIONS = _words("conditions.txt")


_PLACES_GB = _words("places_gb.txt")
# First names that are also dictionary words ("Amber", "Blessing", "Lily", "Sterling"): opening a
# sentence, a name only with a predicate after it (round 5; build_dictionary_words.py).
_DICTIONARY_FIRST = _words("first_names_dictionary_words.txt")
_NOT_NAMES_HAND = _words("not_names.txt")
_NOT_NAMES_DATA = _NOT_NAMES_HAND | (_PLACES_GB - _WIDE_FIRST)
_NOT_NAME = _NOT_NAMES_DATA | _STOP_WORDS | _ORG_WORDS | _ROLE_WORDS | _COMMON | _PLACES | _MONTH_WORDS | _TITLES | _EPONYM_WORDS | frozenset(
    "mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday "
    "hv sw dsl sgt pc dc ds iro sen send ehcp camhs mash lado gp ae cse cce dv lac cla cin cp yjs yp".split())


def _inflected_en(low: str) -> bool:
    """Round 9: a lower-case inflected or derived form of an English word the word list lacks
    ("wetting", "sectioned", "continence"): the list (wordfreq) holds the stem."""
    if len(low) < 6 or not low.isalpha():
        return False
    for suf, adds in _INFLECTIONS:
        if low.endswith(suf):
            st = low[:-len(suf)]
            if len(st) < 3:
                continue
            if any(st + a in _EN for a in adds):
                return True
            if suf in ("ing", "ed", "er") and st[-1] == st[-2] and st[:-1] in _EN:
                return True  # "wetting" from "wet"
    return False


_INFLECTIONS = (("ing", ("", "e")), ("ed", ("", "e")), ("ied", ("y",)), ("ence", ("ent",)), ("ance", ("ant",)),
                ("ness", ("",)), ("ly", ("",)), ("ment", ("",)))
