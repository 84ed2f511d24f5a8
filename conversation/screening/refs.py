from __future__ import annotations

import re

from .dates import _NUM_DATE_RE
from .tokens import _NON_DIGIT_RE, _Span, _overlaps
# Vehicle registrations: current (AB12 CDE), prefix (A123 BCD), suffix (ABC 123D).
_VRM_RE = re.compile(r"[A-Z](?<!\w[A-Z])(?:[A-Z]\d{2} ?[A-Z]{3}|\d{1,3} ?[A-Z]{3}|[A-Z]{2} ?\d{1,3}[A-Z])\b")
_VRM_HINT_RE = re.compile(r"[A-Za-z]\d|\d ?[A-Za-z]{3}|\d[A-Z]")
_VRM_WORDS = frozenset("car cars van vehicle vehicles reg registration plate plates motorbike taxi drove driving parked "
                       "driver lorry moped scooter".split())
_VRM_ANYCASE_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}[ ]?[A-Za-z]{3}(?![A-Za-z0-9])")
_VRM_WORD_RE = re.compile(r"\b(?:car|van|vehicle|reg|registration|plate|plates|number\s+plate|motorbike|taxi|drove|driving|parked)\b",
                          re.IGNORECASE)
# Reference numbers that identify a person's file.
_OTHER_ID_RE = re.compile(
    r"\b(?:case|crime|police(?:\s+log)?|incident(?:\s+log)?|cad|mosaic|liquidlogic|lcs|eclipse|client|patient|hospital|mrn|nhi|"
    r"passport|driving\s+licence|licence|unique\s+learner|uln|home\s+office|ho|port|pupil|student|learner|child|person|"
    r"ref|reference|file|court|claim|tenancy|account|admission|crn|urn|occurrence|custody|warrant|enrolment|roll)\s*(?:ref(?:erence)?\.?|no\.?|number|num|#|id)?\s*(?:is\s+|was\s+)?[:#=\-]?\s*(?=[A-Za-z0-9\-/]*\d)([A-Za-z0-9][A-Za-z0-9\-/]{2,})",
    re.IGNORECASE,
)
_OTHER_ID_BEFORE_RE = re.compile(
    r"\b(?:case|crime|police(?:\s+log)?|incident(?:\s+log)?|cad|mosaic|liquidlogic|lcs|eclipse|client|patient|hospital|mrn|nhi|"
    r"passport|driving\s+licence|licence|unique\s+learner|uln|home\s+office|ho|port|pupil|student|learner|"
    r"ref|reference|file|court|claim|tenancy|account|id|candidate|membership|card|sort\s+code|booking|ucas|"
    r"system|referral|plan|benefit|nass|arc|brp|admission|crn|urn|occurrence|custody|warrant|enrolment|roll)\s*(?:ref(?:erence)?\.?|no\.?|number|num|#|id|code)?\s*(?:is\s+|was\s+)?[:#=\-]?\s*$",
    re.IGNORECASE,
)
_ID_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9\-/])[A-Za-z0-9][A-Za-z0-9\-/]*\d[A-Za-z0-9\-/]*")
_OTHER_ID_CUES = frozenset("case crime police log incident cad mosaic liquidlogic lcs eclipse client patient hospital mrn nhi "
                            "passport driving licence unique uln home ho port pupil student learner ref "
                            "reference file court claim tenancy account id candidate membership card sort booking ucas "
                            "system referral plan benefit nass arc brp admission crn urn occurrence custody warrant enrolment roll".split())
_BIRTH_YEAR_RE = re.compile(r"\b(?:born|dob|d\.o\.b\.?|date\s+of\s+birth)\s*(?:in|:|-)?\s*(?:(?:19|20)\d{2})\b", re.IGNORECASE)


_PARTIAL_PLATE_RE = re.compile(
    r"\b(?:plate|reg|registration|number\s+plate)\b[^.\n]{0,25}?\b(?:starting|starts|beginning|begins|ending|ends|with|partial|"
    r"part|first|last|included|including|contains|had|has)\b[^.\n]{0,12}?\b([A-Z]{1,3}\d{1,3}[A-Z]{0,3}|(?-i:[A-Z]{2,3})|\d{2}[A-Z]{0,3})\b",
    re.IGNORECASE,
)


# A fragment of a plate said to be the reg (round 5): "first bit of the reg was GL20", "plate: WR65".
# A current-style plate written with a space after its letters ("BD 17 HJK"), near a vehicle word.
_VRM_SPACED_RE = re.compile(r"\b[A-Z]{2} \d{2} ?[A-Z]{3}\b")
_REG_WAS_RE = re.compile(r"\b(?:reg|registration|plate|number\s+plate)\s*(?:number\s*)?(?:was|is|:|-|started|starts|began|begins)\s*"
                         r"(?:with\s+)?([A-Z]{1,3}\d{1,3}[A-Z]{0,3})\b", re.IGNORECASE)


def _scan_vrm(text: str, vehicle_words: bool) -> list[_Span]:
    if not vehicle_words and not _VRM_HINT_RE.search(text):
        return []
    out = [m.span() for m in _VRM_RE.finditer(text)] if _DIGIT_CAP_RE.search(text) else []
    if vehicle_words:
        out += [m.span() for m in _VRM_ANYCASE_RE.finditer(text) if not _overlaps(*m.span(), out)]
        out += [m.span(1) for m in _PARTIAL_PLATE_RE.finditer(text) if not m.group(1).islower()]
        out += [m.span(1) for m in _REG_WAS_RE.finditer(text) if not m.group(1).islower() and not _overlaps(*m.span(1), out)]
        out += [m.span() for m in _VRM_SPACED_RE.finditer(text) if not _overlaps(*m.span(), out)]
    return out


def _scan_other_ids(text: str, taken: list[_Span]) -> list[_Span]:
    """A token with digits (3+ characters) straight after a cue such as "case ref", "ULN is"."""
    out = []
    for m in _ID_TOKEN_RE.finditer(text):
        s, e = m.span()
        tok = m.group()
        if len(_NON_DIGIT_RE.sub("", tok)) < 3 or _overlaps(s, e, taken):
            continue  # the cheap checks first
        if not _OTHER_ID_BEFORE_RE.search(text, max(0, s - 45), s):
            continue
        if _NUM_DATE_RE.fullmatch(tok) or re.fullmatch(r"(?:19|20)\d\d", tok):
            continue
        out.append((s, e))
    return out
_DIGIT_CAP_RE = re.compile(r"\d ?[A-Z]")  # a gate for _VRM_RE
