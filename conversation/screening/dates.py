from __future__ import annotations

import re

from .data import _words
from .names import _looks_like_name
from .tokens import _MONTH_WORDS, _Span, _Text
_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|['’]\d{2})"

# Numeric d/m/y with one consistent separator (/ . -), or ISO y-m-d; not
# part of a longer dotted/slashed number.  The pattern starts with a digit
# (fast scan); boundaries are checked in code.
_NUM_DATE_RE = re.compile(r"(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,4})")
_NUM_DATE_HINT_RE = re.compile(r"\d[/.\-]\d")
# Textual dates.  Groups: day-month-year, month-day-year (both full dates),
# then the partial forms day-month, month-day, month-year.
_TEXT_DATE_RE = re.compile(
    rf"\b(?P<dmy>{_DAY}(?:\s+of)?\s+{_MON},?\s+{_YEAR})(?!\d)"
    rf"|\b(?P<mdy>{_MON}\s+{_DAY},?\s+{_YEAR})(?!\d)"
    rf"|\b(?P<dm>{_DAY}(?:\s+of)?\s+{_MON})(?![A-Za-z])"
    rf"|\b(?P<md>{_MON}\s+{_DAY})\b"
    rf"|\b(?P<my>{_MON},?\s+(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
# Words that say "this is when someone was born".
_DOB_WORD_RE = re.compile(
    r"(?<![A-Za-z])(?:d\.?\s?o\.?\s?b\.?(?![A-Za-z])|date\s+of\s+birth|birth\s?date|born|"
    r"birthday|b['’]?day|aged|(?:turns?|turning|will\s+be|is\s+going\s+to\s+be)\s+\d{1,2}\b"
    r"(?!\s*(?:months?|weeks?|wks?|days?|hours?|hrs?|minutes?|mins?|%|am\b|pm\b|[.:/])))",
    re.IGNORECASE,
)
# Words that make a date the date of an event (checked as whole words in the
# same sentence, up to 90 characters before the date).
_EVENT_WORDS = _words("event_words.txt")
_EVENT_PHRASES = ("took place", "core group", "section 47", "w/c")
# A preposition straight before the date marks an event date too.
_EVENT_PREP_RE = re.compile(
    r"(?:\b(?:on|since|from|until|till|til|by|before|after|dated|between|and|to|of|"
    r"commencing|beginning|ending|wc|for|during|at)|w/c|[\-–—])\s*(?:the\s+)?$",
    re.IGNORECASE,
)
_SECTION_PREFIX_RE = re.compile(
    r"\b(?:section|sections|s|para|paragraph|version|v|chapter|clause|rule|step|table|"
    r"figure|fig|item|point|standard|page|pp?)\.?\s*$",
    re.IGNORECASE,
)
_NAME_BEFORE_RE = re.compile(r"([A-Z][^\W\d_]+)(?:\s+([A-Z][^\W\d_'’\-]+(?:[-'’][A-Za-z]+)?))?\s*[,(]\s*$")

_DOB_BEFORE_WINDOW = 50
_DOB_AFTER_WINDOW = 25
_EVENT_WINDOW = 90


def _valid_dm(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _find_dates(tv: _Text) -> list[tuple[int, int, bool]]:
    """All dates as (start, end, has_year), sorted."""
    text = tv.text
    dates: list[tuple[int, int, bool]] = []
    n = len(text)
    if _NUM_DATE_HINT_RE.search(text):
        for m in _NUM_DATE_RE.finditer(text):
            a, sep, b, c = m.groups()
            s, e = m.span()
            # Boundaries: "v1.2.3.4", "2023-24-1", "12/3/2024/5" are not dates.
            if s and (text[s - 1].isdigit() or text[s - 1] in "./" or (
                text[s - 1] == "-" and s > 1 and text[s - 2].isdigit()
            )):
                continue
            if e < n and (text[e].isdigit() or (text[e] in "./-" and e + 1 < n and text[e + 1].isdigit())):
                continue
            if len(a) <= 2 and len(c) in (2, 4):
                d, mo = int(a), int(b)
            elif len(a) == 4 and sep == "-" and len(c) <= 2 and a[:2] in ("19", "20"):
                mo, d = int(b), int(c)
            else:
                continue
            if not _valid_dm(d, mo):
                continue
            if _SECTION_PREFIX_RE.search(text, max(0, m.start() - 12), m.start()):
                continue  # "section 2.3.1", "version 3.2.1"
            dates.append((m.start(), m.end(), True))
    # Textual dates: only look around month words.
    seen_to = -1
    n = len(text)
    toks = tv.toks
    for k in [k for k, lw in enumerate(tv.lows) if lw in _MONTH_WORDS]:  # tokens never hold a "."
        s, e, w = toks[k]
        if s < seen_to:
            continue
        lo = max(0, s - 14)
        floor = max(0, s - 30)
        while lo > floor and not text[lo - 1].isspace():
            lo -= 1
        hi = min(n, e + 12)
        ceil = min(n, e + 30)
        while hi < ceil and not text[hi].isspace():
            hi += 1
        for m in _TEXT_DATE_RE.finditer(text, lo, hi):
            if m.end() <= seen_to:
                continue
            dates.append((m.start(), m.end(), m.lastgroup in ("dmy", "mdy")))
            seen_to = m.end()
    dates.sort()
    return dates


def _scan_dates(tv: _Text) -> tuple[list[_Span], list[_Span]]:
    """Return (spans of dates of birth, spans of all dates).

    A date is a date of birth when:
      1. a birth word (DOB, d.o.b, date of birth, born, birthday, aged, or an
         age milestone such as "turns 16" / "will be 18" - but not "will be
         6 months") is in the same sentence up to 50 characters before it,
         or up to 25 characters after it ("03/04/2012 (DOB)").  Partial dates
         count here ("born on 3rd April", "DOB: March 2019"); or
      2. it is a full calendar date with a year written straight after a
         name and a comma or bracket ("Leah, 03/04/2012", "Leah Smith
         (3.4.12)"); or
      3. it is any other full calendar date with a year, unless it is
         clearly an event date: straight after a preposition ("on", "since",
         "from", "until", "by", "dated", "between ... and", ...) or with an
         event word earlier in the same sentence within 90 characters
         (meeting, visit, referral, conference, review, appointment, call,
         incident, seen, received, started, due, next, last, day, term, ...).
    So "meeting on 12/03/2024" is not flagged, "Child: 12/06/2016" is.
    Dates without a year are only flagged under rule 1.
    """
    text = tv.text
    dates = _find_dates(tv)
    if not dates:
        return [], []
    spans = [(s, e) for s, e, _ in dates]
    dob: list[_Span] = []
    prev_end = 0
    for s, e, has_year in dates:
        sent_s = tv.sentence_start(s)
        before = text[max(sent_s, prev_end, s - _DOB_BEFORE_WINDOW):s]
        after = text[e:min(tv.sentence_end(e), e + _DOB_AFTER_WINDOW)]
        prev_end = e
        if _DOB_WORD_RE.search(before) or _DOB_WORD_RE.search(after):
            dob.append((s, e))
            continue
        if not has_year:
            continue
        m = _NAME_BEFORE_RE.search(text, max(sent_s, s - 40), s)
        if m and _looks_like_name(m.group(1), m.group(2)):
            dob.append((s, e))
            continue
        if _EVENT_PREP_RE.search(text, max(sent_s, s - 30), s):
            continue
        lo = max(sent_s, s - _EVENT_WINDOW)
        if any(w in _EVENT_WORDS for w in tv.words_between(lo, s)):
            continue
        window = text[lo:s].lower()
        if any(p in window for p in _EVENT_PHRASES):
            continue
        dob.append((s, e))
    return dob, spans
