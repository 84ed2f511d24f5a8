"""Partial locations a writer counts as where someone lives (added in round 6; see other_shapes.py)."""
from __future__ import annotations

import re

from .namelists import _COMMON, _EN, _PLACES_GB, _STOP_WORDS, _SURNAME_WORDS, _WIDE_NAMES, _WIDE_SURNAMES
from .numbers import _POSTCODE_AREAS
from .tokens import _Span, _overlaps



# ---------------------------------------------------------------- addresses
_NUM = r"\d(?<![\w£$.:/]\d)\d{0,3}[A-Za-z]?"
_UNITS = frozenset("""day days week weeks wk wks month months year years yr yrs hour hours hr hrs minute minutes min mins
    second seconds sec secs time times mile miles km metre metres meter meters kid kids child children sibling siblings
    people person pupil pupils boys girls men women adults staff visit visits more other different of in on at to the a
    an and or for with by from per x lot lots bus buses car cars stop stops floor floors storey nights night
    weeks' days' st nd rd th am pm""".split())
_LOWER_TYPES = (r"(?:st|rd|ave|avenue|road|street|lane|ln|way|rise|court|ct|close|cl|cres|crescent|terrace|terr|place|pl|mews|"
                r"drive|dr|gardens|gdns|grove|square|sq|parade|vale|walk|row|view|green|hill|park|fold|croft|chase|wynd|garth|"
                r"mount|gate|bank|side|lea|brow)")
_LOWER_NUMBERED_RE = re.compile(_NUM + r",?\s+((?:[A-Za-z][a-z'’\-]+\s+){1,2})" + _LOWER_TYPES + r"\b(?![’'\-])")
# full lower-case words that also name things ("3 car park", "2 in a row") need a name-like word before them
_WEAK_LOWER = frozenset("walk row view green hill park fold croft chase mount gate bank side lea brow way place court rise".split())
_ADDRESS_SKIP_RE = re.compile(r"\b(?:year|yr|page|section|room|bus|route|platform|gate|junction|j|level|ward|bay|table|"
                              r"question|q|step|stage|part|chapter|lesson|period|no|number|unit|aged?|age|of|under|over|"
                              r"top|only|about|around|approx|nearly|almost|last|first|next|past|every|than)\s*$",
                              re.IGNORECASE)
_HOUSE_NO_BEFORE_RE = re.compile(
    r"\b(?:at|to|from|outside|lives|living|staying|house|home|address|is|visit|visited|back|round|over|down|up)\s+(?:the\s+)?$",
    re.IGNORECASE)
_NO_TAIL_RE = re.compile(r"\.?\s*(\d{1,3}[a-z]?)\b")


def _house_numbers(text: str) -> list[re.Match]:
    """'no 19', 'number 4', '#7': found with str.find (a regex starting at every 'n' is slow)."""
    low = text.lower()
    out = []
    for key in ("no", "num", "#"):
        i = low.find(key)
        while i >= 0:
            j = i + (6 if low.startswith("number", i) else len(key))
            if (key == "#" or not (i and low[i - 1].isalnum())) and (j >= len(low) or not low[j].isalpha()):
                m = _NO_TAIL_RE.match(text, j)
                if m:
                    out.append(_Found(i, m))
            i = low.find(key, i + 1)
    return out


class _Found:
    """A house-number match: starts at its cue word, ends after the digits (span(1))."""
    __slots__ = ("_start", "_m")

    def __init__(self, start: int, m: re.Match) -> None:
        self._start, self._m = start, m

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._m.end()

    def span(self, group: int = 0) -> tuple[int, int]:
        return self._m.span(1) if group else (self._start, self._m.end())
_NOT_HOUSE_AFTER_RE = re.compile(r"\s*(?:bus|priority|spot|choice|fan|on\s+the|in\s+the|in\s+line|of\s+the|out\s+of|%|pm|am|times|"
                                 r"o['’]?clock)", re.IGNORECASE)
_STREET_BEFORE_NO_RE = re.compile(r"\b[A-Z][a-zA-Z'’\-]+\s+(?i:street|st|road|rd|lane|avenue|ave|close|drive|way|court|crescent|"
                                  r"terrace|grove|gardens|place|rise|mews|row|walk|view)\s*,?\s*$")
_NAMED_BLOCK_RE = re.compile(_NUM + r"(?:\s*-\s*\d{1,4})?,?\s+(?:[A-Z][a-zA-Z'’\-]+\s+){1,2}"
                             r"(?:House|Point|Hall|Lodge|Tower|Heights|Plaza|Quay|Wharf|Works|Mill|Place|Yard)\b")
_WELSH_RE = re.compile(_NUM + r",?\s+(?:Maes|Llys|Clos|Parc|Bryn|Cae|Rhes|Cwrt|Tŷ|Ty|Pant|Erw|Gwel|Dol|Nant|Allt|Lon|Lôn|"
                       r"Heol|Ffordd|Stryd|Rhodfa|Cilgant|Coed|Penrhyn|Bron|Tan|Glan|Pen)\s+(?:[a-zA-Z'’\-]+\s+){0,2}?[A-Z][a-z]+")
_ACCOM = (r"(?:refuge|hostel|travelodge|premier\s+inn|b\s?&\s?b|bnb|hotel|motel|inn|foyer|shelter|night\s+shelter|"
          r"supported\s+(?:accommodation|housing|lodgings)|temp(?:orary)?\s+accom(?:modation)?|accommodation|"
          r"caravan\s+(?:site|park)|traveller\s+site|halfway\s+house|safe\s+house|bedsit|hmo|guest\s*house|digs|"
          r"flats|bungalow|maisonette|squat|tent)")
_ROADNAME = (r"(?:(?:[A-Z][a-zA-Z'’\-]+\s+){1,3}(?i:road|rd|street|st|lane|avenue|ave|close|drive|way|court|crescent|"
             r"terrace|grove|gardens|place|rise|mews|row|walk|view|parade|square|estate|park)\b"
             r"|(?!(?:main|busy|same|other|this|that|high|back|next|wrong|right|old|new|ring|by|slip|side|a|the)\s)"
             r"(?:[a-z][a-z'’\-]+\s+){1,2}(?:road|street|lane|avenue|close|crescent|terrace|grove|estate|st|rd|ave)\b"
             r"|[AB]\d{1,4}\b|M\d{1,3}\b)")
_ACCOM_ON_RE = re.compile(_ACCOM + r"\s+(?:on|in|off|at|near|by|just\s+off)\s+(?:the\s+)?" + _ROADNAME, re.IGNORECASE)
_ACCOM_ON_GATE = frozenset("""refuge hostel travelodge premier inn b bnb hotel motel foyer shelter supported temp
    temporary accom accommodation caravan traveller halfway safe bedsit hmo guest guesthouse digs flats
    bungalow maisonette squat tent""".split())
_ROOM_AT_RE = re.compile(r"\broom\s*(?:no\.?\s*)?\d{1,4}[a-z]?\s*,?\s+(?:at|in|of|@)\s+(?:the\s+)?(?:[A-Za-z']+\s+){0,2}?"
                         r"(?:travelodge|premier\s+inn|hotel|hostel|refuge|b\s?&\s?b|bnb|inn|lodge|motel|guest\s*house|ibis|"
                         r"holiday\s+inn|days\s+inn|shelter|foyer|accom\w*)\b", re.IGNORECASE)
_ROOM_NO_RE = re.compile(r"[Rr]oom\s*(?:no\.?\s*)?\d{1,4}[a-z]?\b")
_HOTEL_BEFORE_ROOM_RE = re.compile(r"(?:travelodge|premier\s+inn|hotel|hostel|refuge|b\s?&\s?b|bnb|inn|lodge|motel|guest\s*house|"
                                   r"ibis|shelter|foyer|accom\w*)\s*,?\s*(?:in\s+|at\s+)?$", re.IGNORECASE)
_LOWER_TYPE_AT_RE = re.compile(r" (?:st|rd|ave|street|road|lane|avenue|close|crescent|terrace|drive|grove|gardens)\b"
                               r"(?!\s+(?:safety|trip|rage|works|sign|signs|crossing|traffic|accident|test|map|maps|user|users)\b)")
_LIVES_BEFORE_RE = re.compile(
    r"\b(?:on|off|at|in|to|from)\s+(?!(?:the|a|an|this|that|our|their|his|her|my|your|main|busy|same|other|wrong|right|"
    r"high|back|next|ring|slip|side|old|new|open|long|dual|country|private|quiet|local|nearest|toll|one|two|any|every)\s)"
    r"((?:[a-z][a-z'’\-]+\s+)?[a-z][a-z'’\-]+)$")
_RESIDENCE_WORDS = frozenset("""lives live living lived staying stays stayed moved moving move address house home flat
    above tenancy accom accommodation refuge hostel resides residing nan's nans gran's grans dad's dads mum's mums
    visit visited visiting hv bedsit sofa surfing temp door doors""".split())
_PUBLIC_BEFORE_RE = re.compile(r"\b(?:police\s+station|station|school|academy|college|hospital|surgery|clinic|library|"
                               r"church|mosque|temple|gurdwara|centre|center|court|courts|office|offices|shop|shops|"
                               r"store|supermarket|park|hall|town\s+hall|council|pool|gym|stadium|ground|hub|pharmacy|chemist|garage|cafe|café|"
                               r"restaurant|takeaway|pub|bar|club|cinema|museum|depot|nursery|crossing|lights|"
                               r"roundabout|junction|accident|crash|bus\s+stop|stop)\s+(?:on|in|off|at|near|by)\s+(?:the\s+)?$",
                               re.IGNORECASE)
_HOUSEHOLD_NOUN_RE = re.compile(r" (?:address|house|household|home|flat|property|residence|place)\b")
_HOUSEHOLD_BEFORE_RE = re.compile(r"\b(?:at|to|from|outside|near|visit(?:ed)?|the)\s+(?:the\s+)?([A-Z][a-zA-Z\-]+)(?:['’]s?)?$")


def _household(text: str) -> list[re.Match]:
    """'the Nowak address': the noun first, then the capitalised word before it."""
    out = []
    for n in _HOUSEHOLD_NOUN_RE.finditer(text):
        m = _HOUSEHOLD_BEFORE_RE.search(text, max(0, n.start() - 40), n.start())
        if m:
            out.append(m)
    return out
_ESTATE6_RE = re.compile(r"\b(?:on|off|onto|in|to|from)\s+(?:the\s+)?((?:[A-Z][a-z'’\-]+\s+){1,2})(?:estate|Estate)\b")
_NOT_ESTATE = frozenset("industrial trading business retail council housing new old local same other big private".split())
_RESIDENT_STREET_RE = re.compile(
    r"(?:lives?|living|lived|moved|moving|move|staying|stays|stayed|housed|rehoused|placed|resides?|residing|relocated)\s+"
    r"(?:(?:back|now|still|currently|just|up|down|round|over|in|on|onto|into|to|at|off)\s+){1,3}(?:the\s+)?"
    r"(?:[A-Z][a-zA-Z'’\-]+\s+){1,3}(?:Road|Rd|Street|St|Lane|Avenue|Ave|Close|Drive|Way|Court|Crescent|Terrace|Grove|Gardens|"
    r"Place|Rise|Mews|Row|Walk|View|Parade|Square|Green|Hill|Park|Fold|Croft|Vale|Heights|Gate|Mount)\b")
_ACCOM_VERB_BEFORE_RE = re.compile(r"\b(?:staying|living|lives|placed|housed|rehoused|moved|sleeping)\s+(?:\w+\s+)?(?:at|in)\s+"
                                   r"(?:the|a)\s+(?:[A-Za-z]+\s+)?$", re.IGNORECASE)
_ACCOM_IN_TOWN_RE = re.compile(r"(?:travelodge|premier\s+inn|hotel|hostel|refuge|b\s?&\s?b|bnb|ibis|motel|holiday\s+inn|"
                               r"guest\s*house)\s+(?:in|at|near|on)\s+([A-Z][a-z]+(?:[\s\-][A-Z][a-z]+)?)", re.IGNORECASE)
_POLICE_LOG_RE = re.compile(r"\b(?:log|incident|occurrence|occ|cad|call)\s*(?:no\.?|number|ref|#)?\s*(\d{2,6})\s+of\s+"
                            r"\d{1,2}(?:st|nd|rd|th)?[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?\b", re.IGNORECASE)
_OUTWARD_TAIL_RE = re.compile(r"\s*,?\s*(?:[A-Z][a-zA-Z\-]+(?:\s+[A-Z][a-zA-Z\-]+)?\s*,?\s*)?([A-Za-z]{1,2})(\d[A-Za-z\d]?)(?![\w])")
_CODE_RE = re.compile(r"([A-Z]{1,2})(\d[A-Z\d]?)(?![\w])")
_TOWN_BEFORE_RE = re.compile(r"\b([A-Z][a-z]+(?:[\s\-][A-Z][a-z]+)?)\s*,?\s+$")


_ROAD_WORDS = frozenset("""st rd ave avenue road street lane ln way rise court ct close cl cres crescent terrace terr place
    pl mews drive dr gardens gdns grove square sq parade vale walk row view green hill park fold croft chase wynd garth
    mount gate bank side lea brow estate heights""".split())
_BLOCK_WORDS = frozenset("house point hall lodge tower heights plaza quay wharf works mill place yard".split())
_WELSH_WORDS = frozenset("maes llys clos parc bryn cae rhes cwrt tŷ ty pant erw gwel dol nant allt lon lôn heol ffordd stryd "
                         "rhodfa cilgant coed penrhyn bron tan glan pen".split())
_PLACED_WORDS = frozenset("placed housed rehoused relocated sleeping".split())
_HOUSEHOLD_WORDS = frozenset("address house household home flat property residence place".split())
_AB_ROAD_RE = re.compile(r"\b[ABM]\d")
_MOTORWAY_END_RE = re.compile(r"\bM\d{1,3}$")
_PERSON_AT_RE = re.compile(r"\b(?:is|are|was|were|['’]s|['’]re)\s+(?:now\s+|still\s+)?(?:at|in)\s+(?:the|a)\s+(?:[A-Za-z]+\s+)?$",
                           re.IGNORECASE)
_UPPER_DIGIT_RE = re.compile(r"[A-Z]\d")


def _outward_ok(area: str, district: str, text: str, e: int) -> bool:
    if area.upper() not in _POSTCODE_AREAS or (area.islower() != district.islower() and not district.isdigit()):
        return False
    if area.upper() in ("M", "A") and re.match(r"\s*(?:junction|motorway|j\d|northbound|southbound|eastbound|westbound)",
                                               text[e:e + 14], re.IGNORECASE):
        return False
    return True


def _addresses(text: str, words: set[str], has_digit: bool, found: list[_Span]) -> tuple[list[_Span], list[_Span]]:
    addr: list[_Span] = []
    codes: list[_Span] = []
    roads = words & _ROAD_WORDS
    if has_digit and roads:
        for m in _LOWER_NUMBERED_RE.finditer(text):
            mids = m.group(1).split()
            typ = text[m.end(1):m.end()]
            if not typ.islower():
                continue  # a capitalised street type is the older rules' business
            mids = [w.lower() for w in mids]
            if any(w in _UNITS or w in _STOP_WORDS and w not in _WIDE_NAMES for w in mids):
                continue
            if typ in _WEAK_LOWER and not any(w not in _COMMON for w in mids) and not words & _RESIDENCE_WORDS:
                continue
            if _ADDRESS_SKIP_RE.search(text, max(0, m.start() - 12), m.start()):
                continue
            addr.append(m.span())
    if has_digit:
        if "no" in words or "number" in words or "num" in words or "#" in text:
            for m in _house_numbers(text):
                if _NOT_HOUSE_AFTER_RE.match(text, m.end()):
                    continue
                d = m
                st = _STREET_BEFORE_NO_RE.search(text, max(0, m.start() - 40), m.start())
                if st:
                    addr.append((st.start(), m.end()))  # "Chapel Street no 4"
                    continue
                if not _HOUSE_NO_BEFORE_RE.search(text, max(0, m.start() - 20), m.start()):
                    continue
                if re.search(r"\b(?:bus|route|platform|ward|bay|room|table|page|question|gate|line|list|queue)\s*$",
                             text[max(0, m.start() - 12):m.start()], re.IGNORECASE):
                    continue
                addr.append(d.span(1))
        addr += [m.span() for m in (_NAMED_BLOCK_RE.finditer(text) if words & _BLOCK_WORDS else ())
                 if not _ADDRESS_SKIP_RE.search(text, max(0, m.start() - 12), m.start())]
        addr += [m.span() for m in (_WELSH_RE.finditer(text) if words & _WELSH_WORDS else ())
                 if not _ADDRESS_SKIP_RE.search(text, max(0, m.start() - 12), m.start())]
        if "room" in words:
            addr += [m.span() for m in _ROOM_AT_RE.finditer(text)]
            for r in _ROOM_NO_RE.finditer(text):  # "the Queens Hotel, room 21"
                m = _HOTEL_BEFORE_ROOM_RE.search(text, max(0, r.start() - 30), r.start())
                if m:
                    addr.append((m.start(), r.end()))
    resident = words & _RESIDENCE_WORDS or words & _PLACED_WORDS
    if words & _ACCOM_ON_GATE and (roads or "estate" in words or resident or _AB_ROAD_RE.search(text)):
        low = text.lower()
        for w in words & _ACCOM_ON_GATE:
            i = low.find(w)
            while i >= 0:
                if not (i and low[i - 1].isalnum()):
                    m = _ACCOM_ON_RE.match(text, i)
                    if m and _MOTORWAY_END_RE.search(m.group()) and not (resident or _PERSON_AT_RE.search(text, max(0, i - 30), i)):
                        m = None  # "drove past the travelodge off the M1": a motorway services, not a home
                    if m:
                        addr.append(m.span())
                    elif resident:
                        m = _ACCOM_IN_TOWN_RE.match(text, i)
                        if m and m.group(1).lower() in _PLACES_GB and _ACCOM_VERB_BEFORE_RE.search(text, max(0, i - 45), i):
                            addr.append((i, m.end()))  # "staying at the travelodge in Bradford"
                i = low.find(w, i + 1)
    if roads and words & _RESIDENCE_WORDS:
        for t in _LOWER_TYPE_AT_RE.finditer(text):
            m = _LIVES_BEFORE_RE.search(text, max(0, t.start() - 40), t.start())
            if not m:
                continue
            mids = m.group(1).split()
            if any(w in _UNITS or (w in _STOP_WORDS and w not in _WIDE_NAMES) for w in mids):
                continue
            if _PUBLIC_BEFORE_RE.search(text[max(0, m.start() - 30):m.start(1)]):
                continue
            addr.append((m.start(1), t.end()))
    if "estate" in words:
        addr += [m.span() for m in _ESTATE6_RE.finditer(text)
                 if m.group(1).split()[0].lower() not in _NOT_ESTATE and m.group(1).split()[0].lower() not in _STOP_WORDS]
    if words & _RESIDENCE_WORDS or words & _PLACED_WORDS:
        if roads:
            addr += [m.span() for m in _RESIDENT_STREET_RE.finditer(text) if not (m.start() and text[m.start() - 1].isalnum())]
    for m in (_household(text) if words & _HOUSEHOLD_WORDS else ()):
        w = m.group(1)
        low = w.lower()
        if m.start(1) == 0 or low in _STOP_WORDS or low in ("council", "family", "care", "foster", "children", "white"):
            continue
        if low in _WIDE_SURNAMES or low in _SURNAME_WORDS or (low not in _EN and low not in _PLACES_GB and len(low) > 2):
            addr.append(m.span())  # "the Nowak address", "at the Kowalczyks' house"
    # an outward code straight after an address ("42 Ashgrove Ave, CF24", "14 sherwood rise ng7")
    if has_digit:
        for s, e in addr + found:
            m = _OUTWARD_TAIL_RE.match(text, e)
            if m and _outward_ok(m.group(1), m.group(2), text, m.end()) and not _overlaps(*m.span(1), found):
                codes.append((m.start(1), m.end()))
        for m in (_CODE_RE.finditer(text) if _UPPER_DIGIT_RE.search(text) else ()):
            if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
                continue
            t = _TOWN_BEFORE_RE.search(text, max(0, m.start() - 30), m.start())
            if not t:
                continue
            town = t.group(1).lower()
            if (town in _PLACES_GB or town.replace("-", " ") in _PLACES_GB) and _outward_ok(m.group(1), m.group(2), text, m.end()):
                codes.append(m.span())  # "Stockton TS17", "Bootle L20"
    return addr, codes


def _public_road(text: str, span: _Span, words: set[str]) -> bool:
    """'police station on Elland Road': a named road after a public building, not where someone lives."""
    if any(c.isdigit() for c in text[span[0]:span[1]]):
        return False
    if words & {"lives", "living", "staying", "moved", "address", "tenancy", "refuge", "hostel", "resides"}:
        return False
    return _PUBLIC_BEFORE_RE.search(text, max(0, span[0] - 30), span[0]) is not None

