from __future__ import annotations

import re

from phonenumbers import Leniency
from stdnum.gb import nhs as _nhs
from stdnum.gb import upn as _upn
import phonenumbers

from .allow import _ALLOWED_PHONES
from .dates import _NUM_DATE_RE
from .tokens import _digits, _kept, _overlaps, _Span, _windows

# --------------------------------------------------------------------------
# NHS numbers
# --------------------------------------------------------------------------
# 10 digits: plain, 3-3-4 with spaces, or 3-3-4 with hyphens, not part of a
# longer number.  Valid only if the modulus-11 check digit passes (weights
# 10..2 on the first nine digits; 11 - remainder, 11 -> 0, 10 -> invalid).
# Ten identical digits pass the check but are placeholders, not numbers.
_NHS_RE = re.compile(r"\d{3}(?:\d{7}|[ \u00a0]\d{3}[ \u00a0]\d{4}|-\d{3}-\d{4})")
_LONGER_BEFORE_RE = re.compile(r"[\d+][ \u00a0\-]$")
_LONGER_AFTER_RE = re.compile(r"[ \u00a0\-]\d")


def _nhs_check_ok(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# --------------------------------------------------------------------------
# National Insurance numbers
# --------------------------------------------------------------------------
# First letter not D F I Q U V; second letter not D F I O Q U V; prefixes
# BG GB KN NK NT TN ZZ are never issued.  Six digits (optionally spaced or
# hyphenated in pairs, or 6 together), then suffix A-D.  Any case, but an
# all-lower-case match whose prefix is a common two-letter word
# ("at 12 34 56 a") is ignored.
_NI_RE = re.compile(
    r"\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ \-]?(\d{2}[ \-]?\d{2}[ \-]?\d{2}|\d{3}[ \-]\d{3})[ \-]?([A-D])\b",
    re.IGNORECASE,
)
_PAIRS_RE = re.compile(r"\d{2}[ \-]?\d{2}[ \-]?\d{2}|\d{3}[ \-]\d{3}")  # also "JK 123 456 C" (round 5)
_NI_BAD_PREFIX = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_NI_LOWER_WORDS = frozenset(
    {"at", "an", "as", "am", "be", "by", "he", "me", "my", "no", "or", "so", "up", "us",
     "we", "it", "go", "ok", "ha", "hm", "eh", "ah", "oh", "pa", "ma", "yr", "pm"}
)

# --------------------------------------------------------------------------
# Postcodes
# --------------------------------------------------------------------------
# Outward code (area + district) + inward code (digit + two letters, never
# C I K M O V).  The area must be a real UK postcode area.  "E5 4th" style
# ordinals are not postcodes.
_POSTCODE_RE = re.compile(
    r"\b([A-Za-z]{1,2})(\d[A-Za-z\d]?)[ \t\u00a0]{0,2}(\d)([ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})\b"
)
_POSTCODE_HINT_RE = re.compile(r"\d[A-Za-z\d]?[ \t\u00a0]{0,2}\d[A-Za-z]{2}")
_POSTCODE_AREAS = frozenset(
    """AB AL B BA BB BD BF BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH
    DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA
    KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO
    PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W
    WA WC WD WF WN WR WS WV YO ZE""".split()
)

# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------
# phonenumbers' VALID leniency rejects unallocated ranges (including Ofcom's
# drama numbers and a mistyped real number), so matches are taken at
# POSSIBLE leniency and must be written the way people write phone numbers:
# a leading 0, + or 00 (optionally inside a bracket).  UK numbers need a
# 9-10 digit national number starting 1, 2, 3, 5, 7, 8 or 9.  The matcher
# only runs on small windows around candidates found by a cheap regex.
_PHONE_HINT_RE = re.compile(r"[+0](?<!\d0)[\d \t().\-\u00a0/]{7,24}\d")
_NON_DIGITS_RE = re.compile(r"\D+")
_PHONE_START_RE = re.compile(r"\(?\s*[0+]")


def _scan_nhs(text: str) -> list[_Span]:
    out = []
    for m in _NHS_RE.finditer(text):
        s, e = m.span()
        if (s and (text[s - 1].isdigit() or text[s - 1] == "+")) or (e < len(text) and text[e].isdigit()):
            continue
        # Part of a longer spaced number, e.g. "+44 161 496 0321".
        if _LONGER_BEFORE_RE.search(text, max(0, s - 3), s) or _LONGER_AFTER_RE.match(text, e):
            continue
        if _nhs_check_ok(m.group().replace(" ", "").replace("\u00a0", "").replace("-", "")):
            out.append((s, e))
    return out


def _scan_ni(text: str, pairs=None) -> list[_Span]:
    out = []
    for m in _windows(_NI_RE, text, _PAIRS_RE, 4, 8, pairs):  # only near three digit pairs
        prefix = m.group(1)
        if prefix.upper() in _NI_BAD_PREFIX or (prefix.islower() and prefix in _NI_LOWER_WORDS):
            continue
        out.append(m.span())
    return out


def _scan_postcodes(text: str) -> list[_Span]:
    out = []
    if not _POSTCODE_HINT_RE.search(text):
        return out  # no "letter digit ... digit letter letter" shape at all
    for m in _POSTCODE_RE.finditer(text):
        area, _district, _digit, unit = m.groups()
        if area.upper() not in _POSTCODE_AREAS:
            continue
        if not unit.isupper() and unit.lower() in ("st", "nd", "rd", "th"):
            continue  # "E5 4th", "M1 1st"
        out.append(m.span())
    return out


def _scan_phones(text: str, taken: list[_Span]) -> list[_Span]:
    n = len(text)
    out: list[_Span] = []
    for hint in _PHONE_HINT_RE.finditer(text):
        if len(_NON_DIGITS_RE.sub("", hint.group())) < 9:
            continue  # too few digits for any number phonenumbers would accept below
        lo = max(0, hint.start() - 3)
        hi = min(n, hint.end() + 2)
        window = text[lo:hi]
        for m in phonenumbers.PhoneNumberMatcher(window, "GB", leniency=Leniency.POSSIBLE):
            if not _PHONE_START_RE.match(m.raw_string):
                continue
            if _overlaps(lo + m.start, lo + m.end, taken):
                continue
            num = m.number
            nsn = str(num.national_number)
            if num.country_code == 44:
                if len(nsn) not in (9, 10) or nsn[0] not in "1235789":
                    continue
            elif not phonenumbers.is_possible_number(num):
                continue
            out.append((lo + m.start, lo + m.end))
    return out
# Ten digits in any grouping (spaces, dashes, dots): NHS or CHI numbers, checked by stdnum.
_TEN_RE = re.compile(r"\d(?<![\d+]\d)(?:[ \u00a0\-.]{0,2}\d){9}(?![\d])")
_NHS_WORD_RE = re.compile(r"\bnhs\b", re.IGNORECASE)
_CHI_WORD_RE = re.compile(r"\bchi\b|community\s+health\s+index", re.IGNORECASE)
_UPN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z](?:[ \-]?\d){11}[ \-]?[0-9A-Za-z](?![A-Za-z0-9])")
_UPN_WORD_RE = re.compile(r"\b(?:upn|pupil\s+(?:number|no\.?|ref|id)|s2s|ctf|common\s+transfer|school\s+to\s+school|"
                          r"key\s+to\s+success|unique\s+pupil)", re.IGNORECASE)
# NI number with a missing or partial suffix, when said to be one ("NI number AB 12 34 56").
_NI_PARTIAL_RE = re.compile(
    r"\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ \-]?(\d{2}[ \-]?\d{2}[ \-]?\d{2}|\d{3}[ \-]\d{3})(?:[ \-]?[A-Da-d])?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NI_WORD_RE = re.compile(r"\b(?:ni|n\.i\.?|nino|national\s+insurance)\b", re.IGNORECASE)
# A mobile written without its 0 or +44: "7700 900123", "mobile 7700900123".
_MOBILE_NO0_RE = re.compile(r"(?<![\d+])7\d{3}[ \-.]?\d{3}[ \-.]?\d{3}(?!\d)")
# Any other long run of digits said to be a phone number.
_PHONE_WORD_RE = re.compile(r"\b(?:phone|tel|telephone|mobile|mob|number|no\.?|call|ring|text|whatsapp|landline|contact)\b",
                            re.IGNORECASE)
_PHONE_WORDS = frozenset("phone tel telephone mobile mob number no call ring text whatsapp landline contact".split())
_DIGITS_RUN_RE = re.compile(r"(?:\+(?<!\d\+)\d|\d(?<!\d\d))[ \-.()]{0,2}(?:\+?\d[ \-.()]{0,2}){8,12}\d(?![\d])")


_NUMBER_WORDS = {"oh": 1, "o": 1, "zero": 1, "nought": 1, "one": 1, "two": 1, "three": 1, "four": 1, "five": 1,
                 "six": 1, "seven": 1, "eight": 1, "nine": 1, "double": 0, "triple": 0, "treble": 0, "hundred": 2,
                 "thousand": 3, "ten": 2, "eleven": 2, "twelve": 2, "twenty": 2, "thirty": 2, "forty": 2, "fifty": 2,
                 "sixty": 2, "seventy": 2, "eighty": 2, "ninety": 2}
_SPELLED_RUN_RE = re.compile(
    r"(?<![A-Za-z])(?:(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine|double|triple|treble|hundred|"
    r"thousand|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|and|\d)[\s,\-]+){5,}"
    r"(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine|hundred|thousand|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|\d)(?![A-Za-z])",
    re.IGNORECASE,
)
_SPELLED_CUES = frozenset(_NUMBER_WORDS) - {"o", "one", "ten"}


def _scan_spelled_phones(text: str) -> list[_Span]:
    out = []
    for m in _SPELLED_RUN_RE.finditer(text):
        count = 0
        double = 1
        for w in re.findall(r"[A-Za-z]+|\d", m.group().lower()):
            if w.isdigit():
                count += double
                double = 1
            elif w in ("double",):
                double = 2
            elif w in ("triple", "treble"):
                double = 3
            elif w in _NUMBER_WORDS:
                count += _NUMBER_WORDS[w] * (double if _NUMBER_WORDS[w] == 1 else 1)
                double = 1
        if count >= 9:
            out.append(m.span())
    return out


def _scan_ten_digit(text: str, digit_runs=None) -> tuple[list[_Span], list[_Span]]:
    """(NHS number spans, CHI number spans): ten digits in any grouping with a valid mod-11 check.
    ``digit_runs``: _DIGIT_RUN_RE's matches; a match of _TEN_RE never leaves one, so only runs of
    ten or more digits are searched (round 10)."""
    nhs_out: list[_Span] = []
    chi_out: list[_Span] = []
    found = _TEN_RE.finditer(text) if digit_runs is None else [
        m for r in digit_runs if len(_NON_DIGITS_RE.sub("", r.group())) >= 10 for m in _TEN_RE.finditer(text, r.start(), r.end())]
    for m in found:
        d = _digits(m.group())
        if len(set(d)) == 1 or d in _ALLOWED_PHONES:
            continue
        s, e = m.span()
        # Part of a longer spaced number ("+44 161 496 0321 2") or a phone written with 0.
        if _LONGER_BEFORE_RE.search(text, max(0, s - 3), s) or _LONGER_AFTER_RE.match(text, e):
            continue
        try:
            ok = _nhs.is_valid(d)
        except Exception:  # noqa: BLE001 - stdnum raises only its own errors; be safe
            ok = False
        if not ok:
            continue
        dd, mm = int(d[:2]), int(d[2:4])
        near_chi = _CHI_WORD_RE.search(text, max(0, s - 40), s) is not None
        if near_chi or (d[0] != "9" and 1 <= dd <= 31 and 1 <= mm <= 12 and _CHI_WORD_RE.search(text)):
            chi_out.append((s, e))
        elif d[0] == "0" and _PHONE_WORD_RE.search(text, max(0, s - 30), s) and not _NHS_WORD_RE.search(
                text, max(0, s - 40), s):
            continue  # a phone number that happens to pass the check
        else:
            nhs_out.append((s, e))
    return nhs_out, chi_out


def _scan_upn(text: str) -> list[_Span]:
    out = []
    for m in _UPN_RE.finditer(text):
        compact = re.sub(r"[ \-]", "", m.group()).upper()
        try:
            ok = _upn.is_valid(compact)
        except Exception:  # noqa: BLE001
            ok = False
        cued = _UPN_WORD_RE.search(text, max(0, m.start() - 40), m.start()) or _UPN_WORD_RE.search(text, m.end(), m.end() + 30)
        if ok or (cued and len(compact) == 13):  # "look up D681… on S2S": the system named after it
            out.append(m.span())
    return out


def _scan_ni_partial(text: str, taken: list[_Span], pairs=None) -> list[_Span]:
    def keep(m: re.Match) -> bool:
        prefix = m.group(1)
        if prefix.upper() in _NI_BAD_PREFIX or (prefix.islower() and prefix in _NI_LOWER_WORDS):
            return False
        if _NI_WORD_RE.search(text, max(0, m.start() - 40), m.start()):
            return True
        # uncued, a year and a month ("policy CP-2024-07") is a document's reference, not an NI number
        return prefix.isupper() and not re.fullmatch(r"\d{4}[ \-]\d{2}", m.group(2))

    return _kept(_windows(_NI_PARTIAL_RE, text, _PAIRS_RE, 4, 8, pairs), taken, keep)


def _pairs_in_runs(text: str, digit_runs: list[re.Match]) -> list[re.Match]:
    """_PAIRS_RE's matches, searched only inside runs of six or more digits: a match's digits and
    single separators never leave one run of _DIGIT_RUN_RE, so these are all of them (round 10)."""
    return [m for r in digit_runs if len(_NON_DIGITS_RE.sub("", r.group())) >= 6
            for m in _PAIRS_RE.finditer(text, r.start(), r.end())]


def _scan_more_phones(text: str, taken: list[_Span], words: set[str]) -> list[_Span]:
    out = []
    if "7" in text:
        for m in _MOBILE_NO0_RE.finditer(text):
            if not _overlaps(*m.span(), taken):
                out.append(m.span())
    if not words & _PHONE_WORDS:
        return out
    for m in _DIGITS_RUN_RE.finditer(text):
        s, e = m.span()
        d = _digits(m.group())
        if _overlaps(s, e, taken + out) or d in _ALLOWED_PHONES or not 10 <= len(d) <= 13:
            continue
        if _PHONE_WORD_RE.search(text, max(0, s - 40), s) and not _NUM_DATE_RE.fullmatch(m.group().strip()):
            out.append((s, e))
    return out
