"""Round 3 cues for numbers and addresses: formats the earlier scanners did not know.

Northern Irish and partial number plates ("plate AXZ 4521", "partial plate WR65"), grouped
references after a cue ("ref CHB 77 410 528", "prison number A4471DK", "STORM log 2231"),
a date of birth written with spaces ("dob 18 08 2012"), a flat or apartment followed by a
named building or street ("Apartment 12, Riverside Quay"), a pitch or plot on a site, and Welsh
street names without a number ("Heol y Llan").
"""
from __future__ import annotations

import re

from .allow import _allowed_phone
from .tokens import _Span, _overlaps

_VEHICLE_CUE = r"(?:plate|plates|reg|registration|number\s+plate|car|van|vehicle|motorbike|taxi|moped)"
# Northern Irish plates: three letters and up to four digits ("AXZ 4521"), after a vehicle word.
_NI_PLATE_RE = re.compile(r"\b" + _VEHICLE_CUE + r"\b[^.\n]{0,20}?\b([A-Z]{3}\s?\d{1,4})\b(?!\s*(?:am|pm|mg|ml|kg|%))")
_PARTIAL_FIRST_RE = re.compile(
    r"\b(?:partial|part|half)\s+(?:number\s+)?(?:plate|reg|registration)\s*(?:number\s*)?(?:of\s+|is\s+|was\s+|:\s*)?"
    r"([A-Z]{1,3}\d{1,3}[A-Z]{0,3}|[A-Z]{2}\d{2}|\d{2}\s?[A-Z]{3})\b", re.IGNORECASE)
_REF_CUE = (r"(?:ref(?:erence)?|number|no\.?|num|id|log|case|claim|account|file|prison|inmate|offender|nomis|pnc|"
            r"storm|cad|benefit|hmrc|dwp|crn|ucn)")
# A cue and a code of letters and grouped digits: "ref CHB 77 410 528", "prison number is A4471DK".
_GROUPED_REF_RE = re.compile(
    r"\b" + _REF_CUE + r"\b\s*(?:(?:number|no\.?|ref|is|was)\s*)*[:#=\-]?\s*"
    r"((?:[A-Z]{1,4}\s?)?\d{2,}(?:[\s\-]\d{2,}){1,4}|[A-Z]{1,3}\d{3,}[A-Z]{0,3})(?![\w/])", re.IGNORECASE)
_LOG_NUMBER_RE = re.compile(r"\b(?:storm|cad|police|incident|crime|niche|athena)\s+(?:log|ref|reference|no\.?|number)?\s*"
                            r"[:#]?\s*(\d{3,})\b", re.IGNORECASE)
_SPACED_DOB_RE = re.compile(r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?|birthday)\s*[:\-]?\s*"
                            r"((?:[12]\d|3[01]|0?[1-9])\s(?:1[0-2]|0?[1-9])\s(?:19|20)?\d{2})\b", re.IGNORECASE)
_BUILDINGS = (r"(?:House|Court|Tower|Towers|Mansions|Lodge|Buildings|Quay|Wharf|Point|Heights|Place|Gardens|Square|Mill|"
              r"Yard|Works|Residence|Apartments|Halls?|Block|View|Rise|Road|Street|Lane|Avenue|Close|Drive|Way|Crescent|"
              r"Terrace|Walk|Row|Mews|Grove|Green|Park)")
_FLAT_BUILDING_RE = re.compile(
    r"\b(?:[Ff]lat|[Aa]partment|[Aa]pt|[Uu]nit|[Rr]oom|[Mm]aisonette|[Bb]edsit)\s*(?:[Nn]o\.?\s*)?(\d{1,4}[A-Za-z]?"
    r",?\s+(?:[A-Z][a-z'’]+\s+){1,3}" + _BUILDINGS + r")\b")
_PITCH_RE = re.compile(r"\b(?:pitch|plot|bay|van)\s*(?:no\.?\s*)?\d{1,3}[A-Za-z]?\b(?=[^.\n]{0,40}\b(?:site|(?<!car\s)park|caravan|"
                       r"travell?ers?|encampment|estate)\b)"
                       # the site named first: "a caravan at Meadow View park, pitch 12" (round 5)
                       r"|(?<=\b(?:site|park|camp)[,:]\s)(?:pitch|plot|bay|van)\s*(?:no\.?\s*)?\d{1,3}[A-Za-z]?\b"
                       r"|(?<=\b(?:site|park|camp)\s)(?:pitch|plot|bay|van)\s*(?:no\.?\s*)?\d{1,3}[A-Za-z]?\b", re.IGNORECASE)
_WELSH_STREET_RE = re.compile(r"\b(?:Heol|Ffordd|Stryd|Lôn|Rhodfa|Cilgant|Stryd)\s+(?:y\s+|yr\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?")


def _round3_other(text: str, words: set[str], has_digit: bool, taken: list[_Span]) -> dict[str, list[_Span]]:
    found: dict[str, list[_Span]] = {"vehicle_reg": [], "other_id": [], "dob": [], "address": []}
    if has_digit:
        if words & _VEHICLE_WORDS and _NI_PLATE_HINT_RE.search(text):
            found["vehicle_reg"] += [m.span(1) for m in _NI_PLATE_RE.finditer(text)]
        if words & _PARTIAL_WORDS:
            found["vehicle_reg"] += [m.span(1) for m in _PARTIAL_FIRST_RE.finditer(text) if not m.group(1).islower()]
        refs: list[_Span] = []
        if words & _REF_WORDS:
            # windows before each code-like stretch, not the whole text
            for h in _GROUPED_HINT_RE.finditer(text):
                if refs and h.start() < refs[-1][1]:
                    continue
                m = _GROUPED_REF_RE.search(text, max(0, h.start() - 40), min(len(text), h.end() + 24))
                if m and m.span(1) not in refs:
                    refs.append(m.span(1))
        if words & _LOG_WORDS:
            refs += [m.span(1) for m in _LOG_NUMBER_RE.finditer(text)]
        found["other_id"] += [sp for sp in refs if not _overlaps(*sp, taken) and not _allowed_phone(text, sp)]
        if words & _DOB_WORDS and _SPACED_DATE_HINT_RE.search(text):
            found["dob"] += [m.span(1) for m in _SPACED_DOB_RE.finditer(text)]
        if words & _FLAT_WORDS:
            found["address"] += [m.span(1) for m in _FLAT_BUILDING_RE.finditer(text)]
        if words & _PITCH_WORDS:
            found["address"] += [m.span() for m in _PITCH_RE.finditer(text)]
    if words & _WELSH_WORDS or "Lôn" in text:
        found["address"] += [m.span() for m in _WELSH_STREET_RE.finditer(text)]
    return found


# Cheap gates (lower-case words of the text, or a pattern with a plain first character).
_VEHICLE_WORDS = frozenset("plate plates reg registration car van vehicle motorbike taxi moped".split())
_NI_PLATE_HINT_RE = re.compile(r"[A-Z]{3}\s?\d")
_PARTIAL_WORDS = frozenset("partial part half".split())
_REF_WORDS = frozenset("ref reference number no num id log case claim account file prison inmate offender nomis pnc "
                       "storm cad benefit hmrc dwp crn ucn".split())
_GROUPED_HINT_RE = re.compile(r"\d{2}[\s\-]\d{2}|[A-Z]\d{3}")
_LOG_WORDS = frozenset("storm cad police incident crime niche athena".split())
_DOB_WORDS = frozenset("dob d o b birth born birthday".split())
_SPACED_DATE_HINT_RE = re.compile(r"\d\s\d{1,2}\s\d{2}")
_FLAT_WORDS = frozenset("flat apartment apt unit room maisonette bedsit".split())
_PITCH_WORDS = frozenset("pitch plot bay van".split())
_WELSH_WORDS = frozenset("heol ffordd stryd rhodfa cilgant".split())
