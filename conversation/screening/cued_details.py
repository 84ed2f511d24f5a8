"""Round 8: details found by their general shape next to a cue (see bench/screening-results.md).

- a partial or full postcode within a few words after "postcode" / "post code", in any case,
  checked against the real postcode areas ("postcode only given as PL2", "post code starts ne6");
- an address cue and a house number with any words after it ("home address: 7 the willows",
  "lives at 3 the paddocks");
- a house number, capitalised words and a house word (``house_words.txt``: "4 Jubilee Cottages");
- a named house or farm with a locality ("Meadow View Farm near Thirsk", "The Old Rectory, Ashby");
- a flat number as a place, after a preposition or a possessive ("at flat 3", "her flat 12");
- a date of birth cue before a compact date (DDMMYY, DDMMYYYY, YYYYMMDD) or a year-first or
  month-first date ("dob 190817", "date of birth 14022015", "dob 2017/08/19");
- a reference written in a phone's grouping after a reference cue ("occurrence number 2024-0917-0443").
Webmail addresses written out with "underscore" / "(at)" are in contacts._WEBMAIL_RE.
"""
from __future__ import annotations

import re

from .data import _words
from .numbers import _POSTCODE_AREAS
from .partial_places import _UNITS
from .tokens import _Span, _overlaps

_HOUSE_WORDS8 = _words("house_words.txt")
_HOUSE_ALT = "|".join(sorted((w.capitalize() for w in _HOUSE_WORDS8), key=len, reverse=True))

_POSTCODE_CUE_RE = re.compile(r"\bpost\s?codes?\b", re.IGNORECASE)
_ANY_OUTWARD_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2})(\d[A-Za-z\d]?)(?:\s*\d[A-Za-z]{2})?(?![A-Za-z0-9])")
_POSTCODE_WINDOW = 40

_ADDRESS_CUE_NUM_RE = re.compile(
    r"\baddress(?:\s*(?::|-|=)\s*|\s+(?:is|was|now|given\s+as|as|at)\s+(?:now\s+)?)"
    r"|\b(?:lives|living|staying|stays|moved|moving|resides|residing)\s+(?:at|to|in)\s+(?=(?:no\.?\s*|number\s+)?\d+[a-z]?,?\s+the\s)",
    re.IGNORECASE)
_NUM_WORDS_RE = re.compile(r"(?:no\.?\s*|number\s+)?(\d{1,4}[a-zA-Z]?)\b,?\s+(?:the\s+)?([A-Za-z][a-z'’\-]{2,})", re.IGNORECASE)

_NUM_HOUSE_RE = re.compile(r"\d(?<![\w£$.:/]\d)\d{0,3}[A-Za-z]?,?\s+(?:[A-Z][a-zA-Z'’\-]+\s+){1,3}(?:" + _HOUSE_ALT + r")\b")
_NAMED_HOUSE_RE = re.compile(
    r"\b(?:The\s+)?(?:[A-Z][a-z'’]+\s+){1,3}(?:" + _HOUSE_ALT + r")"
    r"(?:\s*,\s*|\s+(?:near|nr\.?|in|outside|just\s+outside|off|by)\s+)(?:[A-Z][a-z'’\-]+)")
# a flat number as a place: after a preposition or a possessive ("at flat 3", "her flat 12", "from apt 4b")
_FLAT_BEFORE_RE = re.compile(r"\b(?:at|in|to|from|into|outside|visited|visit|her|his|their|mum's|dad's|mums|dads)\s+(?:the\s+)?$",
                             re.IGNORECASE)
_FLAT_NUMBER_RE = re.compile(r"\.?\s*(?:no\.?\s*)?\d{1,4}[A-Za-z]?\b"
                             r"(?!\s*(?:%|x\b|[/.:]\d|(?:days?|weeks?|months?|years?|hours?|nights?|times?)\b))", re.IGNORECASE)
_DOB_CUE8_RE = re.compile(r"(?<![A-Za-z])(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s?date|born(?:\s+on)?)\s*(?:[:\-=]\s*|is\s+|was\s+)?",
                          re.IGNORECASE)
_COMPACT_RE = re.compile(r"(\d{6}|\d{8})(?!\d)|((?:19|20)\d\d)([/.\-])(\d{1,2})\3(\d{1,2})(?!\d)|(\d{1,2})([/.\-])(\d{1,2})\7((?:19|20)?\d\d)(?!\d)")


def _valid(d: int, m: int) -> bool:
    return 1 <= m <= 12 and 1 <= d <= 31


def _compact_date(m: re.Match) -> bool:
    if m.group(1):
        g = m.group(1)
        if len(g) == 6:
            return _valid(int(g[:2]), int(g[2:4]))
        return (_valid(int(g[:2]), int(g[2:4])) and g[4:6] in ("19", "20")) or (
            g[:2] in ("19", "20") and _valid(int(g[6:]), int(g[4:6])))
    if m.group(2):
        return _valid(int(m.group(5)), int(m.group(4)))
    a, b = int(m.group(6)), int(m.group(8))
    return _valid(a, b) or _valid(b, a)  # day-first or month-first


def _cued_details(work: str, low: str, words: set[str], has_digit: bool, taken: list[_Span]) -> dict[str, list[_Span]]:
    out: dict[str, list[_Span]] = {}
    if has_digit:
        if "postcode" in low or "post code" in low:
            spans = []
            for c in _POSTCODE_CUE_RE.finditer(work):
                for m in _ANY_OUTWARD_RE.finditer(work, c.end(), min(len(work), c.end() + _POSTCODE_WINDOW)):
                    if m.group(1).upper() in _POSTCODE_AREAS and not _overlaps(*m.span(), taken):
                        spans.append(m.span())
            if spans:
                out["postcode"] = spans
        addr: list[_Span] = []
        if "address" in words or ("the" in words and words & _RESIDE_WORDS8):
            for c in _ADDRESS_CUE_NUM_RE.finditer(work):
                m = _NUM_WORDS_RE.match(work, c.end())
                if m and m.group(2).lower() not in _UNITS:
                    addr.append((c.start(), m.end()))
        if words & _HOUSE_WORDS8:
            addr += [m.span() for m in _NUM_HOUSE_RE.finditer(work)]
        for w in words & _FLAT_WORDS8:  # anchored on the flat word (found with str.find), then the words around it
            i = low.find(w)
            while i >= 0:
                j = i + len(w)
                if (not i or not low[i - 1].isalnum()) and (j >= len(low) or not low[j].isalpha()):
                    b = _FLAT_BEFORE_RE.search(work, max(0, i - 24), i)
                    a = b and _FLAT_NUMBER_RE.match(work, j)
                    if a:
                        addr.append((b.start(), a.end()))
                i = low.find(w, j)
        if addr:
            out["address"] = addr
        if words & _DOB_WORDS8 or "d.o.b" in low or ("d" in words and "o" in words and "b" in words):
            dob = []
            for c in _DOB_CUE8_RE.finditer(work):
                m = _COMPACT_RE.match(work, c.end())
                if m and _compact_date(m) and not _overlaps(*m.span(), taken):
                    dob.append(m.span())
            if dob:
                out["dob"] = dob
    if words & _HOUSE_WORDS8:
        spans = [m.span() for m in _NAMED_HOUSE_RE.finditer(work)]
        if spans:
            out.setdefault("address", []).extend(spans)
    return out


_RESIDE_WORDS8 = frozenset("lives living staying stays moved moving resides residing".split())
_FLAT_WORDS8 = frozenset("flat apartment apt maisonette bedsit".split())
_DOB_WORDS8 = frozenset("dob birth birthdate born".split())  # "date of birth" holds "birth"


# A reference written in a phone's grouping ("occurrence number 2024-0917-0443") is also a reference.
_REF_BEFORE_RE = re.compile(r"\b(?:occurrence|incident|crime|case|log|reference|ref|cad|job|ticket|claim|account|booking|"
                            r"custody|warrant|file)\s*(?:number|no\.?|num|ref|reference|#)?\s*[:\-=]?\s*(?:is\s+|was\s+)?$",
                            re.IGNORECASE)


def _refs_shaped_as_phones(work: str, phones: list[_Span]) -> list[_Span]:
    return [(s, e) for s, e in phones if _REF_BEFORE_RE.search(work, max(0, s - 30), s)]
