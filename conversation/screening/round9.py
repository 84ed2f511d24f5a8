"""Round 9: more shapes of a place someone lives, and of a person, by class (see bench/screening-results.md).

Addresses and postcodes:
- a house number, "the" and a capitalised street word ("7 the Crescent", "12 the Green");
- a postcode sector, an outward code and the inward digit, said to be a postcode or an area
  ("EH10 5 postcode", "the RM10 8 area");
- a street named after "on", then its house number ("on Kirkgate, number 17", "on Mill Street, no 4");
- a home or a stopping place off a numbered road ("farmhouse off the B4391", "caravan on the lay-by off the A38");
- a named Traveller or caravan site ("Clonmel Way Traveller site"), and a pitch or plot on one ("pitch 4").

Names:
- a possessive before a part of the body ("bruise on Mason's ear"), when the word is a listed
  name or not an English word;
- a name with a relation or an age in brackets ("Paddy Ward (dad)", "Kayleigh (14)");
- a family by its plural possessive before a home ("the Wards' trailer", "the Khans' flat").
"""
from __future__ import annotations

import re

from .addresses import _ADDRESS_SKIP_RE
from .cue_lower import _KIN
from .data import _words
from .namelists import (_ANY_FIRST, _DICTIONARY_FIRST, _EN, _NOT_NAME, _PLACES, _ROLE_WORDS, _STOP_WORDS, _SURNAME_WORDS,
                        _TITLES, _WIDE_NAMES, _WIDE_SURNAMES)
from .numbers import _POSTCODE_AREAS
from .tokens import _Span, _overlaps

_STREET_CAP9 = (r"(?:Road|Street|Lane|Avenue|Close|Drive|Way|Court|Crescent|Place|Gardens|Terrace|Grove|Walk|Row|"
                r"Square|Rise|Mews|Parade|Green|Fold|Croft|Chase|Wynd|Brae|Heights|Boulevard|Approach|Mount|Garth|Meadows|"
                r"Paddock|Paddocks|Willows|Orchard|Glade|Spinney|Dale|Hollow|Limes|Laurels|Pines|Beeches|Elms|Oaks|Maltings|"
                r"Coppice|Copse|Nook|Circle|Oval|Crest|Ridge|Wharf|Quay|Precinct|Drove|Leys|Pastures|Firs)")
_NUM_THE_STREET_RE = re.compile(
    r"\d(?<![\w£$.:/]\d)\d{0,3}[A-Za-z]?,?\s+the\s+(?:[A-Z][a-z'’\-]+\s+){0,2}" + _STREET_CAP9 + r"\b")
_SECTOR_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2})(\d[A-Za-z\d]?)\s(\d)(?![A-Za-z0-9])"
                        r"(?=\s+(?:area|postcode|post\s+code|district|sector|way|side|address)\b)", re.IGNORECASE)
_DAYS_MONTHS9 = frozenset("monday tuesday wednesday thursday friday saturday sunday january february march april may june "
                          "july august september october november december page year section question room bus".split())
_ON_STREET_NUMBER_RE = re.compile(
    r"\b(?:on|in|at)\s+((?:[A-Z][a-z'’\-]+\s+){0,2}[A-Z][a-z'’\-]+),?\s+(?:number|no\.?|num)\s*(\d{1,4}[a-z]?)\b(?![:./]\d)")
_OFF_ROAD_RE = re.compile(
    r"\b(?:house|home|farm|farmhouse|cottage|bungalow|smallholding|barn|trailer|trailers|caravan|caravans|"
    r"van|motorhome|campervan|narrowboat|boat|tent|static|chalet|lay-?by|layby|verge)\b"
    r"[^.;\n]{0,30}?\b(?:just\s+)?off\s+the\s+[AB]\d{1,4}\b"
    r"|\b(?:lay-?by|layby|verge|roadside)\s+(?:on|of|off|by|near|along|beside)\s+the\s+[ABM]\d{1,4}\b",
    re.IGNORECASE)
_SITE_RE = re.compile(r"\b(?:[A-Z][a-z'’\-]+\s+){1,3}(?:Traveller|Travellers|Travellers['’]|Gypsy|Caravan|Mobile\s+Home|"
                      r"Residential)\s+(?:[Ss]ite|[Pp]ark)\b")
_SITE_WORDS9 = frozenset("site sites caravan caravans trailer trailers traveller travellers".split())
_PITCH_RE = re.compile(r"\b(?:pitch|plot|bay|gate)\s+(?:no\.?\s*)?\d{1,3}[A-Za-z]?\b(?=[^.;\n]{0,40}\b(?:site|park|caravan|trailer)\b)",
                       re.IGNORECASE)

_BODY9 = (r"(?:arm|arms|ear|ears|face|leg|legs|eye|eyes|neck|back|head|hand|hands|wrist|wrists|cheek|cheeks|chest|"
          r"thigh|thighs|forehead|bottom|buttock|buttocks|shoulder|shoulders|knee|knees|foot|feet|lip|lips|nose|skin|"
          r"body|tooth|teeth|ribs|hair|scalp|ankle|ankles|finger|fingers|jaw|chin|stomach|tummy|hip|hips|torso|shin|shins)")
_POSS_BODY_RE = re.compile(r"(?<![\w'’])([A-Z][a-z]{2,})['’]s\s+(?:(?:left|right|upper|lower|inner|outer|top|bottom)\s+)?"
                           + _BODY9 + r"\b")
_RELATION9 = (r"(?:dad|mum|mam|mom|father|mother|step-?dad|step-?mum|stepfather|stepmother|brother|sister|half-brother|"
              r"half-sister|uncle|aunt|auntie|aunty|nan|nana|gran|grandad|grandma|grandmother|grandfather|cousin|partner|"
              r"boyfriend|girlfriend|ex-partner|carer|foster\s+carer|son|daughter|sibling|baby|child|neighbour|lodger|"
              r"mum['’]s\s+partner|dad['’]s\s+partner|paternal\s+\w+|maternal\s+\w+)")
# anchored on the bracket; then the one or two capitalised words just before it
_BRACKET9_RE = re.compile(r"\(\s*(?:" + _RELATION9 + r"|(?:aged?\s*)?\d{1,2}\s*(?:y(?:rs?|ears?)?(?:\s*old)?|yo)?)\s*\)",
                          re.IGNORECASE)
_BEFORE_BRACKET_RE = re.compile(r"(?<![\w'’])([A-Z][a-z'’\-]+)(?:\s+([A-Z][a-z'’\-]+))?\s*$")
_OFF_ROAD_GATE = re.compile(r"\boff\s+the\s+[AB]\d", re.IGNORECASE)
_SECTOR_GATE = re.compile(r"\d[A-Za-z\d]?\s\d\s")
_FAMILY_POSS_RE = re.compile(
    r"\bthe\s+((?:Mc|Mac|O['’])?[A-Z][a-z]{2,})s['’]\s+(?:house|home|flat|trailer|trailers|caravan|van|address|kids|children|door|garden|"
    r"place|plot|pitch|farm|cottage|bungalow|property|family)\b")


_NAME_WORDS9 = _DICTIONARY_FIRST | _SURNAME_WORDS | _words("names_dataset_words.txt")
_NEVER9 = _KIN | _ROLE_WORDS | _STOP_WORDS | _TITLES | _PLACES


def _person_word(w: str, strong: int = 0) -> bool:
    """A listed name, or a capitalised word that is no English word, place, role or relation.
    With a strong cue (1: a part of the body, a relation in brackets) names that are also words count
    ("Mason", "Paddy"); with the strongest (2: a family's home) any word but a role, relation or place."""
    low = w.lower()
    if low in _NEVER9:
        return False
    if strong == 2:
        return True
    if strong and low in _NAME_WORDS9:
        return True
    if low in _NOT_NAME:
        return False
    return low in _WIDE_NAMES or low in _ANY_FIRST or low in _WIDE_SURNAMES or (low not in _EN and len(low) >= 3)


def _round9_places(work: str, words: set[str], has_digit: bool, taken: list[_Span]) -> dict[str, list[_Span]]:
    out: dict[str, list[_Span]] = {}
    addr: list[_Span] = []
    if has_digit:
        if "the" in words and words & _STREET_LOW9:
            addr += [m.span() for m in _NUM_THE_STREET_RE.finditer(work)
                     if not _ADDRESS_SKIP_RE.search(work, max(0, m.start() - 12), m.start())]
        if words & _SECTOR_CUES9 and _SECTOR_GATE.search(work):
            pcs = [m.span() for m in _SECTOR_RE.finditer(work)
                   if m.group(1).upper() in _POSTCODE_AREAS and not _overlaps(*m.span(), taken)]
            if pcs:
                out["postcode"] = pcs
        if "number" in words or "no" in words or "num" in words:
            for m in _ON_STREET_NUMBER_RE.finditer(work):
                if not any(p.lower() in _DAYS_MONTHS9 for p in m.group(1).split()):
                    addr.append(m.span())
        if ("off" in words and words & _DWELLING9 and _OFF_ROAD_GATE.search(work)) or words & _LAYBY_WORDS9:
            addr += [m.span() for m in _OFF_ROAD_RE.finditer(work)]
        if words & _SITE_WORDS9 and words & _PITCH_WORDS9:
            addr += [m.span() for m in _PITCH_RE.finditer(work)]
    if words & _SITE_NAME_WORDS9 and ("site" in words or "park" in words):
        addr += [m.span() for m in _SITE_RE.finditer(work)]
    if addr:
        out["address"] = addr
    return out


_STREET_LOW9 = frozenset(w.lower() for w in re.findall(r"[A-Za-z]+", _STREET_CAP9))
_DWELLING9 = frozenset("house home farm farmhouse cottage bungalow smallholding barn trailer trailers caravan caravans van "
                       "motorhome campervan narrowboat boat tent static chalet lay layby verge".split())
_BODY_WORDS9 = frozenset(re.findall(r"[a-z]+", _BODY9))
_PITCH_WORDS9 = frozenset("pitch plot bay gate".split())
_SITE_NAME_WORDS9 = frozenset("traveller travellers gypsy caravan mobile residential".split())
_SECTOR_CUES9 = frozenset("area postcode post district sector way side address".split())
_LAYBY_WORDS9 = frozenset("lay layby verge roadside".split())


def _round9_names(work: str, words: set[str]) -> list[_Span]:
    out: list[_Span] = []
    if words & _BODY_WORDS9 and ("'s" in work or "’s" in work):
        out += [m.span(1) for m in _POSS_BODY_RE.finditer(work) if _person_word(m.group(1), 1)]
    if "s'" in work or "s’" in work:
        out += [m.span(1) for m in _FAMILY_POSS_RE.finditer(work) if _person_word(m.group(1), 2)]
    if "(" in work:
        for m in _BRACKET9_RE.finditer(work):
            b = _BEFORE_BRACKET_RE.search(work, max(0, m.start() - 60), m.start())
            if not b:
                continue
            parts = [p for p in b.groups() if p]
            if _person_word(parts[0], 1) and not any(p.lower() in _NEVER9 for p in parts):
                out.append(b.span(1) if len(parts) == 1 else (b.start(1), b.end(2)))
    return out
