from __future__ import annotations

import re

from .numbers import _POSTCODE_AREAS
from .tokens import _Span, _overlaps
# Street addresses and flats.
_STREET_TYPES = (r"(?i:road|rd|street|st|lane|ln|avenue|ave|close|cl|drive|dr|way|court|ct|crescent|cres|place|pl|"
                 r"gardens|gdns|terrace|terr|grove|gr|walk|row|square|sq|hill|rise|view|mews|parade|vale|green|"
                 r"park|fold|croft|chase|wynd|brae|heights|boulevard|approach|gate|mount|garth|lea|meadow|meadows|"
                 r"crossing|bank|yard|passage|circus|end|side|ffordd|heol|stryd|lon|lôn|mansions|buildings|towers|apartments)")
_ADDRESS_RE = re.compile(
    r"\d(?<![\w£$]\d)(?:\d{0,3}[A-Za-z]?|\d{0,3}\s*-\s*\d{1,4})\s*,?\s+(?:[A-Z][a-zA-Z'’\-]+\s+){1,3}" + _STREET_TYPES + r"\b"
    r"|\d(?<![\w£$]\d)\d{0,3}[A-Za-z]?\s+(?:[a-z][a-z'’\-]+\s+){1,2}(?:road|street|lane|avenue|close|drive|crescent|terrace|gardens|grove)\b"
    r"|\d(?<![\w£$]\d)\d{0,3}[A-Za-z]?,?\s+(?:Ffordd|Heol|Stryd|Lôn|Lon|Rhodfa|Cilgant)(?:['’]r)?\s+(?:[a-zA-Z'’]+\s+){0,2}[A-Z][a-z]+",
)
_FLAT_RE = re.compile(
    r"\b(?:flat|apartment|apt|unit|maisonette|bedsit|plot)\s*(?:no\.?\s*)?\d{1,4}[A-Za-z]?\b"
    r"(?=,?\s+(?:[A-Z][a-z]+\s+)*(?:House|Court|Tower|Towers|Mansions|Lodge|Buildings|Road|Street|Lane|Avenue|Close|Drive|Way|Block|Flats|\d))"
    r"|\b(?:lives|living|staying|address|moved|resides)\s(?:in|at|to|is)\s(?:flat|apartment|apt|room|unit)\s*(?:no\.?\s*)?\d{1,4}[A-Za-z]?\b",
    re.IGNORECASE,
)
_NAMED_STREET_RE = re.compile(
    r"\b(?:lives?|living|moved|moving|staying|stays|address|addressed|resides?|residing|house|home|flat)\s+"
    r"(?:(?:is|was|at|on|in|to|off)\s+){0,2}(?:the\s+)?(?:(?:end|top|bottom|corner|far\s+end)\s+of\s+)?"
    r"(?:[A-Z][a-zA-Z'’\-]+\s+){1,3}" + _STREET_TYPES + r"\b"
    r"|\b(?:[A-Z][a-zA-Z'’\-]+\s+){1,2}(?:House|Court|Tower|Towers|Mansions|Lodge|Buildings)\s*,\s*(?:[A-Z][a-zA-Z'’\-]+\s+){1,3}"
    + _STREET_TYPES + r"\b",
)
_STREET_WORDS = frozenset(re.findall(r"[a-z]+", _STREET_TYPES.split(":", 1)[1])) | frozenset(
    "house court tower towers mansions lodge buildings rhodfa cilgant".split())
_FLAT_WORDS = frozenset("flat apartment apt unit room house maisonette bedsit plot".split())
_FLAT_HINT_WORDS = _FLAT_WORDS - {"house"}  # _FLAT_HINT_RE needs one of these (not "house")
_STREET_CAPS = frozenset(w.capitalize() for w in _STREET_WORDS | {"rhodfa", "cilgant"}) | frozenset(w.upper() for w in _STREET_WORDS)
_LOWER_STREET_TYPES = frozenset("ffordd heol stryd rhodfa cilgant road street lane avenue close drive crescent terrace gardens grove".split())
_CAPWORD_RE = re.compile(r"[A-Z](?<!\w[A-Z])[A-Za-z]+")
_ADDRESS_SKIP_RE = re.compile(r"\b(?:year|yr|page|section|room|bus|route|platform|gate|junction|j)\s*$", re.IGNORECASE)
# An outward postcode on its own ("somewhere in OL11", "the NW10 area"), when said to be a place.
_OUTWARD_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,2})(\d[A-Z\d]?)(?![A-Za-z0-9])")
_OUTWARD_BEFORE_RE = re.compile(r"\b(?:in|to|from|near|around|at|of|into|towards|moved|living|lives|live|postcode|area)\s+(?:the\s+)?$",
                                re.IGNORECASE)
_OUTWARD_AFTER_RE = re.compile(r"\s+(?:area|postcode|district|way|side|family|household|address|estate)\b", re.IGNORECASE)
_HOUSE_WORDS = frozenset("cottage house farm rectory vicarage lodge barn mill manor grange bungalow villa croft farmhouse "
                         "cottages".split())
_HOUSE_NAME_RE = re.compile(
    r"\b(?:The\s+)?(?:[A-Z][a-z'’]+\s+){0,2}(?:Cottage|House|Farm|Rectory|Vicarage|Lodge|Barn|Mill|Manor|Grange|"
    r"Bungalow|Villa|Croft|Farmhouse|Cottages)\s*,\s*(?:[A-Z][a-z'’]+\s+){0,2}" + _STREET_TYPES + r"\b"
)


def _scan_outward(text: str, taken: list[_Span]) -> list[_Span]:
    out = []
    if not _UPPER_DIGIT_RE.search(text):
        return out
    for m in _OUTWARD_RE.finditer(text):
        area = m.group(1)
        if area not in _POSTCODE_AREAS or _overlaps(*m.span(), taken):
            continue
        s, e = m.span()
        if _OUTWARD_BEFORE_RE.search(text, max(0, s - 25), s) or _OUTWARD_AFTER_RE.match(text, e):
            if area in ("M", "A") and (re.match(r"\s+(?:junction|motorway|j\d)", text[e:e + 12], re.IGNORECASE)
                                       or (text[max(0, s - 4):s].lower() == "the " and not _OUTWARD_AFTER_RE.match(text, e))):
                continue  # a road: "the M62", "the A1 northbound"
            if area == "S" and m.group(2) in ("1", "2", "3", "4", "5", "6") and _SCHOOL_YEAR_RE.search(text):
                continue  # a Scottish school year: "moving up to S1"
            out.append((s, e))
    return out


# Round 5: a number and a one-word street ("101 Kingsway", "14 Eastgate", "3 Broadway"), and a flat
# in a numbered block ("block 2 flat 17", "flat 4, block C").
_ONE_WORD_STREET_RE = re.compile(r"\d(?<![\w£$.:/]\d)\d{0,3}[A-Za-z]?,?\s+[A-Z][a-z]{2,}(?:way|gate)\b(?!\s+(?:station|school|academy|centre|primary))")
_BLOCK_FLAT_RE = re.compile(r"\bblock\s+[A-Z0-9]{1,3}\s*,?\s*(?:flat|apartment|no\.?)\s*\d{1,4}[A-Za-z]?\b|"
                            r"\bflat\s+\d{1,4}[A-Za-z]?\s*,?\s*block\s+[A-Z0-9]{1,3}\b", re.IGNORECASE)


def _scan_addresses(text: str, words: set[str]) -> list[_Span]:
    out: list[_Span] = []
    if words & _FLAT_HINT_WORDS and _FLAT_HINT_RE.search(text):
        out += [m.span() for m in _FLAT_RE.finditer(text)]
    if "block" in words:
        out += [m.span() for m in _BLOCK_FLAT_RE.finditer(text)]
    out += [m.span() for m in _ONE_WORD_STREET_RE.finditer(text)
            if not _ADDRESS_SKIP_RE.search(text, max(0, m.start() - 12), m.start())]
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
_SCHOOL_YEAR_RE = re.compile(r"\b(?:secondary|primary|transition|pupils?|school|year|academy|P7|S[1-6]\s+(?:pupils?|class))\b",
                             re.IGNORECASE)
# A gate for _FLAT_RE: a flat word and, soon after it, a digit.
_FLAT_HINT_RE = re.compile(r"(?i:flat|apartment|apt|unit|maisonette|bedsit|plot|room)\s*(?:no\.?\s*)?\d")
_UPPER_DIGIT_RE = re.compile(r"[A-Z]\d")  # a gate for _OUTWARD_RE
