"""Street and postcode forms (round 10), by class:

- a bare house number after where someone lives ("lives next door at 47", "staying at 12 with nan"),
  not an age, a time or a count ("moved out at 16 years", "at 3pm", "at 2 addresses");
- a house number, one or two lower-case words and an abbreviated street type ("9 brook st",
  "22 mill rd", "4 oak ave"), even when a word is also a service or brand ("brook");
- a lower-case outward code said to be an area ("in the m40 area", "ls9 postcode").
"""
from __future__ import annotations

import re

from .data import _words
from .namelists import _EN, _NOT_NAMES_HAND, _ORG_WORDS, _STOP_WORDS, _WIDE_SURNAMES
from .numbers import _POSTCODE_AREAS
from .tokens import _MONTH_WORDS
from .tokens import _Span, _overlaps

# found from each run of digits back: "at" (or "to") just before it, then what comes before that
_AT_BEFORE_RE = re.compile(r"(?<![A-Za-z])(at|to)\s+(?:number\s+|no\.?\s*)?$", re.IGNORECASE)
_NUM_TAIL_RE = re.compile(
    r"(\d\d{0,3}[A-Za-z]?)\b(?![:./]\d)"
    r"(?!\s*(?:%|am|pm|o['’]?clock|years?|yrs?|y/?o|weeks?|months?|days?|nights?|hours?|hrs?|mins?|minutes?|different|"
    r"other|separate|addresses|places|houses|homes|times?|each|of|or|to|-|\+)\b)", re.IGNORECASE)
_LIVES_BEFORE_RE = re.compile(
    r"\b(?:lives?|living|lived|stays?|staying|stayed|resides|residing|stopping|moved\s+in|next\s+door)"
    r"(?:\s+(?:now|still|currently|just|next\s+door|there|here|with\s+\w+))?\s+$", re.IGNORECASE)
_LIVES_WORDS = frozenset("live lives living lived stay stays staying stayed resides residing stopping moved door".split())
_ABBREVS = ("st", "rd", "ave", "ln", "cres", "gdns", "terr", "sq", "pde", "blvd")
_ABBREV_STREET_RE = re.compile(
    r"\d(?<![\w£$.:/]\d)\d{0,3}[a-z]?,?\s+((?:[a-z][a-z'’\-]+\s+){1,2})(?:" + "|".join(_ABBREVS) + r")\b(?![’'\-.]\w)")
_ABBREV_WORDS = frozenset(_ABBREVS)
_NOT_STREET_MID = frozenset("""day days week weeks month months year years hour hours minute minutes time times mile miles
    more other different of in on at to the a an and or for with by from per x lot lots times kids children people
    pupils boys girls men women staff visits nights floors""".split())
_LOWER_AREA_RE = re.compile(r"(?<![A-Za-z0-9])([a-z]{1,2})(\d[a-z\d]?)\s+(?:area|postcode|post\s+code|district|estate)\b")
_LOWER_AREA_WORDS = frozenset("area postcode post district estate".split())
_LOWER_AREA_GATE = re.compile(r"[a-z]\d")


# "at", a house number and one capitalised word that is no English word: a one-word street or
# development ("at 6 Sunnyside", "at 21 Cornfield with her sister")
_ONE_WORD_TAIL_RE = re.compile(r"(\d\d{0,3}[A-Za-z]?),?\s+([A-Z][a-z]{3,})\b(?![’'\-]|\s+[A-Z0-9])")
# the rarer abbreviations of street types, capitalised: "9 Ash Grv", "14 Mill Wlk", "2 Elm Pk"
_RARE_ABBREVS = ("Grv", "Gro", "Wy", "Pde", "Blvd", "Wlk", "Pk", "Mws", "Grn", "Clo", "Hts", "Crt", "Ter", "Cresc", "Gdn", "Sq",
                 "Cl", "Ct", "Pl", "Ln", "Dr", "Cres", "Gdns", "Terr")
_RARE_ABBREV_RE = re.compile(r"\d(?<![\w£$.:/]\d)\d{0,3}[A-Za-z]?,?\s+(?:[A-Z][a-z'’\-]+\s+){1,2}"
                             r"(?:" + "|".join(_RARE_ABBREVS) + r")\b\.?(?![’'\-]\w)")
_RARE_ABBREV_WORDS = frozenset(w.lower() for w in _RARE_ABBREVS)
# where someone lives "on" a one-word street that is no English word: "she lives on Tennyson"
_LIVES_ON_RE = re.compile(r"\b(?:lives?|living|lived|stays?|staying|stayed|resides|residing|house|flat|home)\s+(?:is\s+)?"
                          r"(?:now\s+|still\s+|just\s+)?(?:on|off)\s+([A-Z][a-z]{3,})\b(?![’'\-]|\s+[A-Z0-9])")
_LIVES_ON_WORDS = frozenset("live lives living lived stay stays staying stayed resides residing house flat home".split())
# an address cue, then a named house or farm: "gave her address as the caravan behind Greenacre Farm"
_ADDRESS_HOUSE_RE = re.compile(r"\b[Aa]ddress\b[^.;\n]{0,40}?\b((?:[A-Z][a-z'’\-]+\s+){1,2}(?:Farm|Cottage|Cottages|House|Lodge|Barn|"
                               r"Manor|Grange|Bungalow|Farmhouse|Rectory|Vicarage|Villa|Croft))\b")
_NOT_ONE_WORD_STREET = _words("brands.txt") | _NOT_NAMES_HAND | _STOP_WORDS | _ORG_WORDS | _MONTH_WORDS


def _street_forms(work: str, words: set[str], runs: list[int], taken: list[_Span]) -> dict[str, list[_Span]]:
    out: dict[str, list[_Span]] = {}
    addr: list[_Span] = []
    lives = "at" in words and words & _LIVES_WORDS
    at_to = "at" in words or "to" in words
    rare = words & _RARE_ABBREV_WORDS
    abbrev = words & _ABBREV_WORDS
    for r in runs if at_to or rare or abbrev else ():
        # every rule here starts at a run of digits: match there, never scan the whole note
        if rare:
            m = _RARE_ABBREV_RE.match(work, r)
            if m and not _overlaps(*m.span(), taken):
                addr.append(m.span())
        if abbrev:
            m = _ABBREV_STREET_RE.match(work, r)
            if m and not any(w in _NOT_STREET_MID for w in m.group(1).split()) and not _overlaps(*m.span(), taken):
                addr.append(m.span())
        if not at_to or r and (work[r - 1] in "£$.:/" or work[r - 1].isalnum()):
            continue
        p = work[max(0, r - 14):r].lower()
        if "at" not in p and "to" not in p:
            continue
        b = _AT_BEFORE_RE.search(work, max(0, r - 14), r)
        if not b:
            continue
        at = b.group(1).lower() == "at"
        if lives and at:
            m = _NUM_TAIL_RE.match(work, r)
            v = m and _LIVES_BEFORE_RE.search(work, max(0, b.start() - 30), b.start())
            if v and not _overlaps(*m.span(1), taken):
                addr.append((v.start(), m.end()))
        m = _ONE_WORD_TAIL_RE.match(work, r) if b.end() - b.start() == len(b.group(1)) + 1 or at else None
        if m and not _overlaps(*m.span(), taken):
            low = m.group(2).lower()
            if low not in _EN and low not in _NOT_ONE_WORD_STREET:
                addr.append(m.span())
    if words & _LIVES_ON_WORDS and ("on" in words or "off" in words):
        for m in _on_street(work):
            low = m.group(1).lower()
            if (low not in _EN and low[-1] != "s" or low in _WIDE_SURNAMES) and low not in _NOT_ONE_WORD_STREET:
                addr.append(m.span(1))
    if "address" in words:
        addr += [m.span(1) for m in _ADDRESS_HOUSE_RE.finditer(work)
                 if not any(w.lower() in _ORG_WORDS or w.lower() in _NOT_ONE_WORD_STREET for w in m.group(1).split()[:-1])]
    if addr:
        out["address"] = addr
    if runs and words & _LOWER_AREA_WORDS and _LOWER_AREA_GATE.search(work):
        pcs = [m.span() for m in _LOWER_AREA_RE.finditer(work)
               if m.group(1).upper() in _POSTCODE_AREAS and not _overlaps(*m.span(), taken)]
        if pcs:
            out["postcode"] = pcs
    return out


def _on_street(work: str) -> list[re.Match]:
    """_LIVES_ON_RE's matches, found from each " on " or " off " before a capital (str.find, not a scan)."""
    out = []
    for key in (" on ", " off "):
        i = work.find(key)
        while i >= 0:
            j = i + len(key)
            if j < len(work) and work[j].isupper():
                m = _LIVES_ON_RE.search(work, max(0, i - 24), j + 40)
                if m and m.start(1) == j:
                    out.append(m)
            i = work.find(key, i + 1)
    return out
