"""Shapes added in round 6, by class (tuned on the even halves of dev 4-6 and the other tuning sets).

Partial locations a writer counts as where someone lives: a house number on its own with a
place cue ("3 doors down at no 19", "back to number 4", "Chapel Street no 4"); streets written
in lower case ("31 tennyson st", "lives above the chippy on market st"); a numbered block or
house name ("1-40 Fairfax House"); Welsh street words ("3 Maes y Coed", "Llys", "Clos"); a
refuge, hostel or hotel on a named road or in a numbered room ("the refuge on Granby Road",
"room 4 at the travelodge"); a household's address by its surname ("at the Nowak address");
an outward code after an address or a town ("42 Ashgrove Ave, CF24", "Stockton TS17").

Names: a surname that is also an organisation word, with a person's predicate ("Bridget Ward
asked", "Tom Hall (uncle) said"); a name or month word from next door ("June next door called");
nicknames made from a listed first name ("mikey doherty"); a name with an initial and a
predicate ("ethan m swearing"); a possessive without its apostrophe before a relative
("abdirahmans older bro"); "the smith kids"; a name before a contraction written without its
apostrophe ("summer wouldnt"); "ivy n her mum".

Numbers: a reference in spaced groups after its cue ("hosp no RX1 234 567"); a plate fragment
after a vehicle make ("grey transit ending in 'GKT'"); phone numbers spoken in groups ("oh 7 7
double 0, 900 then 3 4 1"); a birthday with a year ("born on xmas day 2016").

False alarms, by class: a word glued to a number ("14yo"); an event or operation name
("Operation Stovewood"); a public building on a named road ("police station on Elland Road");
public phone numbers said to be so ("police 101"); wide-list first names that are English
words after a relative's possessive ("on mums side").
"""
from __future__ import annotations

import re

from .name_shapes import _SOCIAL_NAME_RE
from .partial_places import _POLICE_LOG_RE, _addresses
from .tokens import _Span, _overlaps

_PUBLIC_NUMBER_RE = re.compile(r"(?:police|non[\s\-]?urgent|non[\s\-]?emergency|nhs|call(?:ed)?|ring|rang|phone[d]?|dial(?:led)?)"
                               r"\s*(?:on\s+)?$", re.IGNORECASE)


# ---------------------------------------------------------------- numbers
_SPACED_REF_RE = re.compile(r"\b(?:hosp(?:ital)?|patient|mrn|case|ref|reference|crime|police|incident|client|file|"
                            r"pupil|student|custody|claim|account)\s*(?:ref(?:erence)?\.?|no\.?|num(?:ber)?|#|id)?\s*"
                            r"(?:is\s+|was\s+)?[:#=\-]?\s*([A-Za-z]{0,3}\d{0,3}(?:\s\d{3,4}){1,3})(?![\w])", re.IGNORECASE)
_OF_DATE_RE = re.compile(r"\d\s+of\s+\d")
_SPACED_DIGITS_RE = re.compile(r"\d \d{3,4} \d")
_SPACED_REF_GATE = frozenset("""hosp hospital patient mrn case ref reference crime police incident client file pupil student
    custody claim account""".split())
_PLATFORMS = frozenset("fb facebook insta instagram tiktok snap snapchat twitter youtube discord roblox xbox psn".split())
_PROFILE_WORDS = frozenset("name account profile page username user gamertag".split())
_PLATE_VERBS = frozenset("ending ends ended starting starts started beginning begins began".split())
_HOLIDAYS = frozenset("xmas christmas boxing new valentine valentines halloween easter".split())
_MAKE_WORDS = frozenset("""transit golf corsa fiesta focus astra polo clio bmw audi merc mercedes ford vauxhall toyota
    nissan honda kia hyundai peugeot renault citroen skoda seat fiat mini range rover landrover jeep hatchback estate
    4x4 suv people-carrier minibus sprinter tipper pickup pick-up jag jaguar lexus tesla volvo saab qashqai juke van
    car motorbike bike moped scooter taxi cab vehicle""".split())
_PLATE_END_RE = re.compile(r"\b(?:ending|ends|ended|starting|starts|started|beginning|begins|began)\s+(?:in|with)\s+"
                           r"['\"‘“]?([A-Za-z]{2,3}|[A-Za-z]{1,2}\d{2}|\d{2}\s?[A-Za-z]{3})['\"’”]?(?![\w])")
_SPOKEN_RE = re.compile(r"(?<![A-Za-z])(?:(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine|double|triple|"
                        r"treble|then|and|\d{1,4})[\s,\-]+){4,}(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|"
                        r"nine|\d{1,4})(?![A-Za-z\d])", re.IGNORECASE)
_ONE_DIGIT = frozenset("oh o zero nought one two three four five six seven eight nine".split())
_HOLIDAY_DOB_RE = re.compile(r"\bborn\s+(?:on\s+)?(?:xmas|christmas|boxing|new\s+year['’]?s|valentine['’]?s|halloween|"
                             r"easter)\s+(?:day|eve)?\s*,?\s*(?:in\s+)?((?:19|20)\d\d)\b", re.IGNORECASE)


def _spoken_phone(text: str) -> list[_Span]:
    out = []
    for m in _SPOKEN_RE.finditer(text):
        toks = re.findall(r"[A-Za-z]+|\d+", m.group().lower())
        if not any(t in ("oh", "double", "triple", "treble", "then") for t in toks) or not any(t.isdigit() for t in toks):
            continue
        count, mult = 0, 1
        for t in toks:
            if t.isdigit():
                count += len(t) * mult
                mult = 1
            elif t == "double":
                mult = 2
            elif t in ("triple", "treble"):
                mult = 3
            elif t in _ONE_DIGIT:
                count += mult
                mult = 1
        if 10 <= count <= 12:
            out.append(m.span())
    return out


def _other_shapes(text: str, words: set[str], has_digit: bool, found_addr: list[_Span],
                  taken: list[_Span]) -> dict[str, list[_Span]]:
    out: dict[str, list[_Span]] = {}
    addr, codes = _addresses(text, words, has_digit, found_addr)
    if addr:
        out["address"] = addr
    if codes:
        out["postcode"] = codes
    if has_digit:
        refs = []
        for d in (_SPACED_DIGITS_RE.finditer(text) if words & _SPACED_REF_GATE else ()):
            m = _SPACED_REF_RE.search(text, max(0, d.start() - 40), min(len(text), d.end() + 12))
            if m and sum(c.isdigit() for c in m.group(1)) >= 6 and not _overlaps(*m.span(1), taken + refs):
                refs.append(m.span(1))
        if refs:
            out["other_id"] = refs
        if words & {"log", "incident", "occurrence", "occ", "cad", "call"} and _OF_DATE_RE.search(text):
            refs += [m.span(1) for m in _POLICE_LOG_RE.finditer(text) if not _overlaps(*m.span(1), taken)]
            if refs:
                out["other_id"] = refs
        if words & {"oh", "double", "triple", "treble"}:
            ph = [sp for sp in _spoken_phone(text) if not _overlaps(*sp, taken)]
            if ph:
                out["phone"] = ph
        if "born" in words and words & _HOLIDAYS:
            dob = [m.span() for m in _HOLIDAY_DOB_RE.finditer(text)]
            if dob:
                out["dob"] = dob
    if words & _PLATFORMS and words & _PROFILE_WORDS:
        handles = [m.span(1) for m in _SOCIAL_NAME_RE.finditer(text) if m.group(1)[0].isupper()]
        if handles:
            out["social_handle"] = handles
    if words & _MAKE_WORDS and words & _PLATE_VERBS:
        plates = [m.span(1) for m in _PLATE_END_RE.finditer(text) if not m.group(1).islower() or "'" in text or '"' in text]
        if plates:
            out["vehicle_reg"] = plates
    return out


def _public_number(text: str, span: _Span) -> bool:
    """'non urgent police 101': a public service number, not a reference."""
    return text[span[0]:span[1]] in ("101", "111", "999", "112", "105", "116") and \
        _PUBLIC_NUMBER_RE.search(text, max(0, span[0] - 20), span[0]) is not None
