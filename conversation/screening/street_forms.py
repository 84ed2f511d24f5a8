"""Street and postcode forms (round 10), by class:

- a bare house number after where someone lives ("lives next door at 47", "staying at 12 with nan"),
  not an age, a time or a count ("moved out at 16 years", "at 3pm", "at 2 addresses");
- a house number, one or two lower-case words and an abbreviated street type ("9 brook st",
  "22 mill rd", "4 oak ave"), even when a word is also a service or brand ("brook");
- a lower-case outward code said to be an area ("in the m40 area", "ls9 postcode").
"""
from __future__ import annotations

import re

from .numbers import _POSTCODE_AREAS
from .tokens import _Span, _overlaps

# found from the number back: "at", then what comes before it
_AT_NUMBER_RE = re.compile(
    r"(?<![A-Za-z])[Aa]t\s+(?:[Nn]umber\s+|[Nn]o\.?\s*)?(\d(?<![\w£$.:/]\d)\d{0,3}[A-Za-z]?)\b(?![:./]\d)"
    r"(?!\s*(?:%|am|pm|o['’]?clock|years?|yrs?|y/?o|weeks?|months?|days?|nights?|hours?|hrs?|mins?|minutes?|different|"
    r"other|separate|addresses|places|houses|homes|times?|each|of|or|to|-|\+)\b)", re.IGNORECASE)
_LIVES_BEFORE_RE = re.compile(
    r"\b(?:lives?|living|lived|stays?|staying|stayed|resides|residing|stopping|moved\s+in|next\s+door)"
    r"(?:\s+(?:now|still|currently|just|next\s+door|there|here|with\s+\w+))?\s+$", re.IGNORECASE)
_LIVES_WORDS = frozenset("live lives living lived stay stays staying stayed resides residing stopping moved door".split())
_ABBREV_STREET_RE = re.compile(
    r"\d(?<![\w£$.:/]\d)\d{0,3}[a-z]?,?\s+((?:[a-z][a-z'’\-]+\s+){1,2})(?:st|rd|ave|ln|cres|gdns|terr|sq|pde|blvd)\b(?![’'\-.]\w)")
_ABBREV_WORDS = frozenset("st rd ave ln cres gdns terr sq pde blvd".split())
_NOT_STREET_MID = frozenset("""day days week weeks month months year years hour hours minute minutes time times mile miles
    more other different of in on at to the a an and or for with by from per x lot lots times kids children people
    pupils boys girls men women staff visits nights floors""".split())
_LOWER_AREA_RE = re.compile(r"(?<![A-Za-z0-9])([a-z]{1,2})(\d[a-z\d]?)\s+(?:area|postcode|post\s+code|district|estate)\b")
_LOWER_AREA_WORDS = frozenset("area postcode post district estate".split())
_LOWER_AREA_GATE = re.compile(r"[a-z]\d")


def _street_forms(work: str, words: set[str], taken: list[_Span]) -> dict[str, list[_Span]]:
    out: dict[str, list[_Span]] = {}
    addr: list[_Span] = []
    if "at" in words and words & _LIVES_WORDS:
        for m in _AT_NUMBER_RE.finditer(work):
            b = _LIVES_BEFORE_RE.search(work, max(0, m.start() - 30), m.start())
            if b and not _overlaps(*m.span(1), taken):
                addr.append((b.start(), m.end()))
    if words & _ABBREV_WORDS:
        for m in _ABBREV_STREET_RE.finditer(work):
            if not any(w in _NOT_STREET_MID for w in m.group(1).split()) and not _overlaps(*m.span(), taken):
                addr.append(m.span())
    if addr:
        out["address"] = addr
    if words & _LOWER_AREA_WORDS and _LOWER_AREA_GATE.search(work):
        pcs = [m.span() for m in _LOWER_AREA_RE.finditer(work)
               if m.group(1).upper() in _POSTCODE_AREAS and not _overlaps(*m.span(), taken)]
        if pcs:
            out["postcode"] = pcs
    return out
