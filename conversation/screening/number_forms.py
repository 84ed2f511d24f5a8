"""Number forms (round 10): a number's grouping or cue says which kind it is, when an earlier rule
read it as another kind or let a nearer kind take it.

- a UK mobile without its leading 0, grouped as a mobile is written ("7700 900264", "7700-900-264"),
  is a phone even when its ten digits also pass the NHS check (NHS numbers are written 3-3-4);
- ten digits starting with 7 after a phone cue ("call back number given as 7700900264") likewise;
- a fragment of a plate a few words after a plate cue: "plates ending 7KL", "partial reg GN**",
  "reg: y123 abc" (a prefix-style plate in lower case);
- a police log's shape, a number "of" a day ("log number 1123 of today", "0456 of 21/06"), and a
  number of four or more digits after a ticket, custody record or incident-system word ("ticket
  99812233", "custody record 0123", "Datix 45512"; not a year; a school's "safeguarding log number"
  alone stays clean);
- a reference after a reference cue, in letters, digits and hyphens ("case no CS-2026-004417"),
  is a reference even when a phone rule took its digit groups.
"""
from __future__ import annotations

import re

from .refs import _OTHER_ID_RE
from .tokens import _Span, _overlaps

# four then six digits, or four three three: a mobile's grouping (an NHS number is 3-3-4)
_MOBILE_GROUPED_RE = re.compile(r"(?<![\d+])7\d{3}(?:[ \-.]\d{6}|[ \-.]\d{3}[ \-.]\d{3})(?![\d])")
_MOBILE_PLAIN_RE = re.compile(r"(?<![\d+])7\d{9}(?!\d)")
_PHONE_CUE_RE = re.compile(r"\b(?:phone|tel|telephone|mobile|mob|number|call|calls|ring|text|whatsapp|contact|rang|"
                           r"called|reach|reached|on)\b", re.IGNORECASE)
_NHS_CUE_RE = re.compile(r"\bnhs\b", re.IGNORECASE)
_LOG_OF_RE = re.compile(r"(?<![\w/.:])(\d{3,6})\s+of\s+(?:today|yesterday|(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
                        r"\d{1,2}(?:st|nd|rd|th)?[/.\-\s](?:\d{1,2}|[A-Za-z]{3,9}))\b", re.IGNORECASE)
_RECORD_NO_RE = re.compile(r"\b(?:ticket|custody\s+record|datix|docket)\s+(?:number\s+|no\.?\s*|num\s+|#\s*|ref\s+|id\s+)?"
                           r"(?:is\s+|was\s+)?[:#]?\s*(\d{4,12})\b(?![:./]\d)", re.IGNORECASE)
_RECORD_WORDS = frozenset("ticket custody datix docket".split())  # not "log": a school's own log number names no one
_PLATE_CUE_RE = re.compile(r"\b(?:reg|registration|plate|plates|number\s+plate|vrm)\b", re.IGNORECASE)
_PLATE_FRAGMENT_RE = re.compile(
    r"\s*(?:number\s+|no\.?\s*)?(?:(?:was|is|were|are)\s+)?[:\-]?\s*(?:(?:partial|partly|only|possibly|maybe)\s+)?"
    r"(?:(?:ending|ends|ended|starting|starts|started|beginning|begins|began|with|had|has|included|including|contains)\s+"
    r"(?:(?:in|with)\s+)?)?"
    r"(?<![A-Za-z0-9*])("
    r"[A-Za-z]\d{1,3}\s?[A-Za-z]{3}"                       # a whole prefix-style plate, any case: "y123 abc"
    r"|(?-i:[A-Z]{1,3}\d{1,3}[A-Z]{0,3}\*{0,4})"             # "GN14", "GN14**"
    r"|(?-i:\d{1,3}[A-Z]{2,3})"                              # "7KL"
    r"|(?-i:[A-Z]{1,3}\*{1,4})"                              # "GN**"
    r")(?![A-Za-z0-9*])", re.IGNORECASE)
# a vehicle in the note (not "reg" alone: a school's registration is "reg" too)
_VEHICLE_WORDS = frozenset("""car cars van vans vehicle vehicles plate plates motorbike bike taxi cab drove driving driven
    parked driver lorry moped scooter transit vrm partial""".split())
_PLATE_WORDS = frozenset("reg registration plate plates vrm".split())
_NOT_PLATE = frozenset("am pm st nd rd th mph kg km".split())


def _number_forms(work: str, words: set[str], nhs: list[_Span], phones: list[_Span], ref_cues: bool) -> dict[str, list[_Span]]:
    out: dict[str, list[_Span]] = {}
    refs0: list[_Span] = []
    if "of" in words and _LOG_OF_RE.search(work):
        refs0 += [m.span(1) for m in _LOG_OF_RE.finditer(work)]
    if words & _RECORD_WORDS:
        refs0 += [m.span(1) for m in _RECORD_NO_RE.finditer(work)
                  if not (len(m.group(1)) == 4 and m.group(1)[:2] in ("19", "20"))]
    if refs0:
        out["other_id"] = refs0
    if words & _PLATE_WORDS and words & _VEHICLE_WORDS:
        plates = []
        for c in _PLATE_CUE_RE.finditer(work):
            m = _PLATE_FRAGMENT_RE.match(work, c.end())
            if m and m.group(1).lower().lstrip("0123456789") not in _NOT_PLATE:
                plates.append(m.span(1))
        if plates:
            out["vehicle_reg"] = plates
    if nhs and "7" in work and "nhs" not in words:
        ph = [m.span() for m in _MOBILE_GROUPED_RE.finditer(work) if _overlaps(*m.span(), nhs)]
        for m in _MOBILE_PLAIN_RE.finditer(work):
            if _overlaps(*m.span(), nhs) and _PHONE_CUE_RE.search(work, max(0, m.start() - 40), m.start()):
                ph.append(m.span())
        if ph:
            out["phone"] = ph
    if phones and ref_cues:
        refs: list[_Span] = []
        # the cue stands at most a few words before the token: search only just before each phone
        ms = [m for ps, pe in phones for m in _OTHER_ID_RE.finditer(work, max(0, ps - 40), pe)]
        for m in ms:
            tok = m.group(1)
            # letters and digits in one hyphenated token: a reference, whatever read its digits first
            if "-" in tok and any(c.isalpha() for c in tok) and _overlaps(*m.span(1), phones) \
                    and not _overlaps(*m.span(1), refs):
                refs.append(m.span(1))
        if refs:
            out["other_id"] = out.get("other_id", []) + refs
    return out
