"""Round 4 cues for addresses, postcodes and handles: shapes the earlier scanners did not know.

A number and a named terrace or development with no street word ("5 Coronation Cottages",
"3 The Paddocks"); a named estate someone lives on ("lives on the Woodhouse estate"); an
outward postcode in lower case after a place preposition ("a school in sw9", "is in bd3");
a username with an underscore or a run of digits said to be someone ("someone called
darkangel_x99"); a number plate in lower case or in part ("yx19 abc", "partial reg ab12"); and numbers said to be an NHS, CHI or National Insurance number or a police
occurrence, even when their check digit or prefix is wrong (a mistyped NHS number is still
someone's number): those are refused as a reference (other_id), so that an NHS or NI finding
still means a number that passes stdnum's check; a CHI number needs a real date of birth.
"""
from __future__ import annotations

import re

from .numbers import _POSTCODE_AREAS
from .tokens import _Span, _overlaps

# Plural or development words that name a row of houses without a street word.
_DEVELOPMENT = (r"(?:Cottages|Paddocks?|Villas|Houses|Flats|Fields|Meadows|Orchards?|Willows|Beeches|Limes|Laurels|"
                r"Maltings|Sidings|Coppice|Spinney|Dell|Glade|Hollow|Nook|Barns|Granary|Stables|Courtyard|Firs|Pines|"
                r"Elms|Oaks|Poplars|Hawthorns|Chestnuts|Cedars|Birches|Rowans|Hollies|Leys|Crofts|Gables|Links|Downs|"
                r"Acres|Moorings|Ridings|Pastures|Homes|Bungalows|Almshouses)")
_DEVELOPMENT_RE = re.compile(
    r"\d(?<![\w£$.:/]\d)\d{0,3}[A-Za-z]?,?\s+(?:The\s+(?:[A-Z][a-z'’]+\s+)?[A-Z][a-z'’]+|(?:[A-Z][a-z'’]+\s+){1,2}" + _DEVELOPMENT + r")\b")
_DEVELOPMENT_CUE_RE = re.compile(r"\b(?:at|address|lives?|living|staying|stays|moved|moving|home|house|to|from|is|in)\b"
                                 r"[\s:,]*(?:no\.?\s*)?$", re.IGNORECASE)
_ESTATE_RE = re.compile(
    r"\b(?:lives?|living|staying|stays|moved|moving|resides?|residing|house|home|flat|they['’]re|we['’]re|she['’]s|he['’]s|"
    r"(?:they|we|family|mum|dad)\s+(?:are|is|were|was))\s+(?:(?:is|was|now|back|still)\s+)?"
    r"(?:on|to|onto|in)\s+the\s+((?:[A-Z][a-z'’\-]+\s+){1,2})(?:estate|Estate)\b")
# Searched from the code back: the code first ("sw9"), then the word before it.
_LOWER_CODE_RE = re.compile(r"[a-z]{2}\d\d?[a-z]?\b(?![\s\-]*\d)")
_CODE_PREP_RE = re.compile(r"\b(?:in|to|from|near|around|into|at|is|lives|living|live|moved|postcode|address)\s+(?:the\s+)?$")
_HANDLE_UNDERSCORE_RE = re.compile(r"(?<![\w@.])@?([A-Za-z0-9.]*[A-Za-z][A-Za-z0-9.]*_[A-Za-z0-9_.]*[A-Za-z0-9])(?![\w@])")
_LETTERS_DIGITS_RE = re.compile(r"[a-z]\d\d")  # a gate for _CALLED_HANDLE_RE
_BARE_WEBMAIL_RE = re.compile(r"@(?:gmail|googlemail|hotmail|yahoo|ymail|outlook|icloud|aol|btinternet|live|msn|"
                              r"protonmail|sky|talktalk|virginmedia)\b(?!\.)", re.IGNORECASE)
_LOCAL_PART_RE = re.compile(r"[\w.+\-']+$")
# A current-format plate in lower case ("wx21 bnf"): a shape ordinary words do not have.
_LOWER_PLATE_RE = re.compile(r"[a-z]{2}\d\d ?[a-z]{3}\b")
_PARTIAL_REG_RE = re.compile(r"\b(?:partial|part)\s+(?:number\s+)?(?:plate|reg|registration)\s*(?:number\s*)?"
                             r"(?:of\s+|is\s+|was\s+|:\s*)?([A-Za-z]{1,3}\d{1,3}[A-Za-z]{0,3}|\d{2}\s?[A-Za-z]{3})\b",
                             re.IGNORECASE)
_FILE_RE = re.compile(r"\.(?:docx?|pdf|xlsx?|csv|txt|jpe?g|png|pptx?|odt|rtf|msg|eml|zip)$", re.IGNORECASE)
_CALLED_HANDLE_RE = re.compile(r"\b(?:called|named|as|user|username|account|by|from)\s+@?([A-Za-z]{3,}[a-z]*\d{2,}[A-Za-z0-9]*)\b")


_CUE_TAIL = r"\b(?:\s*(?:no\.?|number|num|#))?\s*(?:is\s*|was\s*)?[:\-=]?\s*"
_CUED_TEN = {
    "nhs_number": re.compile(r"\bnhs" + _CUE_TAIL + r"(\d(?:[ \-.]{0,2}\d){9})(?!\d)", re.IGNORECASE),
    "chi_number": re.compile(r"\b(?:chi|community\s+health\s+index)" + _CUE_TAIL + r"(\d(?:[ \-.]{0,2}\d){9})(?!\d)",
                             re.IGNORECASE),
    "ni_number": re.compile(r"\b(?:ni|n\.i\.?|nino|national\s+insurance)" + _CUE_TAIL +
                            r"([A-Za-z]{2}(?:\s?\d{2}){3}(?:\s?[A-Da-d])?)(?![\w])", re.IGNORECASE),
    "other_id": re.compile(r"\b(?:occurrence|occ|incident|crime|log|mrn|hospital|patient)" + _CUE_TAIL +
                           r"([A-Za-z]{0,4}\d{5,}[A-Za-z]?)(?![\w])", re.IGNORECASE),
}
_NI_SHAPE_RE = re.compile(r"\b[A-Z]{2} ?(?:\d{2} ?\d{2} ?\d{2}|\d{3} \d{3}) ?[A-D]\b")
_CUED_DIGITS = {"nhs_number": 10, "chi_number": 10, "ni_number": 6, "other_id": 5}
_CUED_WORDS = {"nhs_number": frozenset({"nhs"}), "chi_number": frozenset({"chi", "index"}),
               "ni_number": frozenset({"ni", "nino", "insurance"}),
               "other_id": frozenset("occurrence occ incident crime log mrn hospital patient".split())}


def _cued_kind(kind: str, number: str) -> str:
    """A CHI number begins with a date of birth; an NHS or NI number that fails its check (the
    scanners before this found every one that passes) is refused as a reference."""
    if kind == "chi_number":
        d = re.sub(r"\D", "", number)
        return kind if 1 <= int(d[:2]) <= 31 and 1 <= int(d[2:4]) <= 12 else "other_id"
    return "other_id"


def _round4_other(text: str, words: set[str], runs: list[int], longest: int, taken: list[_Span],
                  checked: list[_Span]) -> dict[str, list[_Span]]:
    """Findings by kind. ``runs`` are where the runs of digits start, ``longest`` the longest
    run's length (0: no digit); ``checked`` are the numbers already found with their check digits.
    The shapes that hold digits are tried only where a run of digits starts, not at every letter."""
    out: dict[str, list[_Span]] = {}
    if longest:
        for kind, rx in _CUED_TEN.items():
            if longest >= _CUED_DIGITS[kind] and words & _CUED_WORDS[kind]:
                for m in rx.finditer(text):
                    if not _overlaps(*m.span(1), checked):
                        out.setdefault(_cued_kind(kind, m.group(1)), []).append(m.span(1))
        if longest >= 6:
            # An NI number's full shape with a prefix HMRC never issues ("QQ 12 34 56 C", the specimen),
            # with no cue: still an identifier, refused as a reference (round 5).
            found = checked + out.get("other_id", [])
            out.setdefault("other_id", []).extend(
                m.span() for m in _NI_SHAPE_RE.finditer(text) if not _overlaps(*m.span(), found))
        addr, codes, plates = [], [], []
        for p in runs:
            m = _DEVELOPMENT_RE.match(text, p)
            if m and _DEVELOPMENT_CUE_RE.search(text, max(0, p - 20), p) and not _overlaps(*m.span(), taken):
                addr.append(m.span())  # "5 Coronation Cottages", "3 The Paddocks"
            if p < 2 or not text[p - 2:p].isalpha() or not text[p - 2:p].islower() or (p > 2 and text[p - 3].isalnum()):
                continue
            m = _LOWER_CODE_RE.match(text, p - 2)
            if m and m.group()[:2].upper() in _POSTCODE_AREAS and _CODE_PREP_RE.search(text, max(0, p - 14), p - 2) \
                    and not _overlaps(*m.span(), taken):
                codes.append(m.span())  # "a school in sw9", "is in bd3"
            m = _LOWER_PLATE_RE.match(text, p - 2)
            if m:
                plates.append(m.span())  # "got into yx19 abc"
        if "partial" in words or "part" in words:
            plates += [m.span(1) for m in _PARTIAL_REG_RE.finditer(text)]  # "partial reg ab12"
        for kind, spans in (("address", addr), ("postcode", codes), ("vehicle_reg", plates)):
            if spans:
                out[kind] = spans
    if "estate" in text or "Estate" in text:
        out.setdefault("address", []).extend(m.span(1) for m in _ESTATE_RE.finditer(text))
    if "@" in text:
        bare = []
        for m in _BARE_WEBMAIL_RE.finditer(text):  # from the "@": a pattern starting at the local part is slow
            local = _LOCAL_PART_RE.search(text, max(0, m.start() - 64), m.start())
            if local and not _overlaps(local.start(), m.end(), taken):
                bare.append((local.start(), m.end()))
        if bare:
            out["email"] = bare  # "kerryhughes1985@gmail": a webmail address without its ending
    handles = []
    if "_" in text:
        handles += [m.span(1) for m in _HANDLE_UNDERSCORE_RE.finditer(text)
                    if len(m.group(1)) >= 4 and not _FILE_RE.search(m.group(1))]
    if longest and _LETTERS_DIGITS_RE.search(text):
        handles += [m.span(1) for m in _CALLED_HANDLE_RE.finditer(text)]
    if handles:
        out["social_handle"] = handles
    return out
