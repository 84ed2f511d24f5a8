"""Round 6 rules, by class (tuned on the even halves of dev 4-6 and the other tuning sets).

Partial locations a writer counts as where someone lives: a house number on its own with a
place cue ("3 doors down at no 19", "back to number 4", "Chapel Street no 4"); streets written
in lower case ("31 tennyson st", "lives above the chippy on market st"); a numbered block or
house name ("1-40 Fairfax House"); Welsh street words ("3 Maes y Coed", "Llys", "Clos"); a
refuge, hostel or hotel on a named road or in a numbered room ("the refuge on Granby Road",
"room 4 at the travelodge"); a household's address by its surname ("at the Nowak address");
an outward code after an address or a town ("42 Ashgrove Ave, CF24", "Stockton TS17").

Names: a surname that is also an organisation word, with a person's predicate ("Bridget Ward
asked", "Tom Hall (uncle) said"); a name or month word from next door ("June next door called");
nicknames made from a listed first name ("mikey doherty"); a name with an initial and a
predicate ("ethan m swearing"); a possessive without its apostrophe before a relative
("abdirahmans older bro"); "the smith kids"; a name before a contraction written without its
apostrophe ("summer wouldnt"); "ivy n her mum".

Numbers: a reference in spaced groups after its cue ("hosp no RX1 234 567"); a plate fragment
after a vehicle make ("grey transit ending in 'GKT'"); phone numbers spoken in groups ("oh 7 7
double 0, 900 then 3 4 1"); a birthday with a year ("born on xmas day 2016").

False alarms, by class: a word glued to a number ("14yo"); an event or operation name
("Operation Stovewood"); a public building on a named road ("police station on Elland Road");
public phone numbers said to be so ("police 101"); wide-list first names that are English
words after a relative's possessive ("on mums side").
"""
from __future__ import annotations

import re

from .data import _words
from .namelists import _ANY_FIRST, _COMMON, _EN, _FIRST_NAMES, _PLACES_GB, _STOP_WORDS, _WIDE_FIRST, _WIDE_NAMES, _WIDE_SURNAMES
from .numbers import _POSTCODE_AREAS
from .tokens import _Span, _overlaps

_SURNAME_WORDS = _words("names_dataset_surname_words.txt")

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
_HOUSE_NO_RE = re.compile(
    r"\b(?:at|to|from|outside|lives|living|staying|house|home|address|is|visit|visited|back|round|over|down|up)\s+"
    r"(?:the\s+)?(?:no\.?|num(?:ber)?\.?|#)\s*(\d{1,3}[a-z]?)\b"
    r"(?!\s*(?:bus|priority|spot|choice|fan|on\s+the|in\s+the|in\s+line|of\s+the|out\s+of|%|pm|am|times|o['’]?clock))",
    re.IGNORECASE)
_STREET_NO_RE = re.compile(r"\b[A-Z][a-zA-Z'’\-]+\s+(?i:street|st|road|rd|lane|avenue|ave|close|drive|way|court|crescent|"
                           r"terrace|grove|gardens|place|rise|mews|row|walk|view)\s*,?\s*(?i:no\.?|num(?:ber)?\.?|#)\s*\d{1,3}[a-z]?\b")
_NAMED_BLOCK_RE = re.compile(_NUM + r"(?:\s*-\s*\d{1,4})?,?\s+(?:[A-Z][a-zA-Z'’\-]+\s+){1,2}"
                             r"(?:House|Point|Hall|Lodge|Tower|Heights|Plaza|Quay|Wharf|Works|Mill|Place|Yard)\b")
_WELSH_RE = re.compile(_NUM + r",?\s+(?:Maes|Llys|Clos|Parc|Bryn|Cae|Rhes|Cwrt|Tŷ|Ty|Pant|Erw|Gwel|Dol|Nant|Allt|Lon|Lôn|"
                       r"Heol|Ffordd|Stryd|Rhodfa|Cilgant|Coed|Penrhyn|Bron|Tan|Glan|Pen)\s+(?:[a-zA-Z'’\-]+\s+){0,2}?[A-Z][a-z]+")
_ACCOM = (r"(?:refuge|hostel|travelodge|premier\s+inn|b\s?&\s?b|bnb|hotel|motel|inn|foyer|shelter|night\s+shelter|"
          r"supported\s+(?:accommodation|housing|lodgings)|temp(?:orary)?\s+accom(?:modation)?|accommodation|"
          r"caravan\s+(?:site|park)|traveller\s+site|site|halfway\s+house|safe\s+house|bedsit|hmo|guest\s*house|digs|"
          r"flats|flat|house|bungalow|maisonette|squat|tent)")
_ROADNAME = (r"(?:(?:[A-Z][a-zA-Z'’\-]+\s+){1,3}(?i:road|rd|street|st|lane|avenue|ave|close|drive|way|court|crescent|"
             r"terrace|grove|gardens|place|rise|mews|row|walk|view|parade|square|estate|park)\b"
             r"|(?!(?:main|busy|same|other|this|that|high|back|next|wrong|right|old|new|ring|by|slip|side|a|the)\s)"
             r"(?:[a-z][a-z'’\-]+\s+){1,2}(?:road|street|lane|avenue|close|crescent|terrace|grove|estate|st|rd|ave)\b"
             r"|[AB]\d{1,4}\b)")
_ACCOM_ON_RE = re.compile(r"\b" + _ACCOM + r"\s+(?:on|in|off|at|near|by|just\s+off)\s+(?:the\s+)?" + _ROADNAME, re.IGNORECASE)
_ACCOM_ON_GATE = frozenset("""refuge hostel travelodge premier inn b bnb hotel motel foyer shelter supported temp
    temporary accom accommodation caravan traveller site halfway safe bedsit hmo guest guesthouse digs flats flat house
    bungalow maisonette squat tent""".split())
_ROOM_AT_RE = re.compile(r"\broom\s*(?:no\.?\s*)?\d{1,4}[a-z]?\s*,?\s+(?:at|in|of|@)\s+(?:the\s+)?(?:[A-Za-z']+\s+){0,2}?"
                         r"(?:travelodge|premier\s+inn|hotel|hostel|refuge|b\s?&\s?b|bnb|inn|lodge|motel|guest\s*house|ibis|"
                         r"holiday\s+inn|days\s+inn|shelter|foyer|accom\w*)\b", re.IGNORECASE)
_LIVES_LOWER_RE = re.compile(
    r"\b(?:on|off|at|in|to|from)\s+(?!(?:the|a|an|this|that|our|their|his|her|my|your|main|busy|same|other|wrong|right|"
    r"high|back|next|ring|slip|side|old|new|open|long|dual|country|private|quiet|local|nearest|toll|one|two|any|every)\s)"
    r"((?:[a-z][a-z'’\-]+\s+){1,2})(st|rd|ave|street|road|lane|avenue|close|crescent|terrace|drive|grove|gardens)\b"
    r"(?!\s+(?:safety|trip|rage|works|sign|signs|crossing|traffic|accident|test|map|maps|user|users)\b)")
_RESIDENCE_WORDS = frozenset("""lives live living lived staying stays stayed moved moving move address house home flat
    above tenancy accom accommodation refuge hostel resides residing nan's nans gran's grans dad's dads mum's mums
    visit visited visiting hv bedsit sofa surfing temp door doors""".split())
_PUBLIC_BEFORE_RE = re.compile(r"\b(?:police\s+station|station|school|academy|college|hospital|surgery|clinic|library|"
                               r"church|mosque|temple|gurdwara|centre|center|court|courts|office|offices|shop|shops|"
                               r"store|supermarket|park|hall|town\s+hall|council|pool|gym|stadium|ground|hub|pharmacy|chemist|garage|cafe|café|"
                               r"restaurant|takeaway|pub|bar|club|cinema|museum|depot|nursery|crossing|lights|"
                               r"roundabout|junction|accident|crash|bus\s+stop|stop)\s+(?:on|in|off|at|near|by)\s+(?:the\s+)?$",
                               re.IGNORECASE)
_HOUSEHOLD_RE = re.compile(r"\b(?:at|to|from|outside|near|visit(?:ed)?|the)\s+(?:the\s+)?([A-Z][a-zA-Z'’\-]+?)(?:['’]s)?\s+"
                           r"(?:address|house|household|home|flat|property|residence|place)\b")
_OUTWARD_TAIL_RE = re.compile(r"\s*,?\s*(?:[A-Z][a-zA-Z\-]+(?:\s+[A-Z][a-zA-Z\-]+)?\s*,?\s*)?([A-Za-z]{1,2})(\d[A-Za-z\d]?)(?![\w])")
_TOWN_CODE_RE = re.compile(r"\b([A-Z][a-z]+(?:[\s\-][A-Z][a-z]+)?)\s*,?\s+([A-Z]{1,2})(\d[A-Z\d]?)(?![\w])")


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
    if has_digit:
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
        if "no" in words or "number" in words or "num" in words or "#" in text or "no." in text.lower():
            for m in _HOUSE_NO_RE.finditer(text):
                if re.search(r"\b(?:bus|route|platform|ward|bay|room|table|page|question|gate|line|list|queue)\s*$",
                             text[max(0, m.start() - 12):m.start()], re.IGNORECASE):
                    continue
                addr.append(m.span(1))
            addr += [m.span() for m in _STREET_NO_RE.finditer(text)]
        addr += [m.span() for m in _NAMED_BLOCK_RE.finditer(text)
                 if not _ADDRESS_SKIP_RE.search(text, max(0, m.start() - 12), m.start())]
        addr += [m.span() for m in _WELSH_RE.finditer(text)
                 if not _ADDRESS_SKIP_RE.search(text, max(0, m.start() - 12), m.start())]
        if "room" in words:
            addr += [m.span() for m in _ROOM_AT_RE.finditer(text)]
    if words & _ACCOM_ON_GATE:
        for m in _ACCOM_ON_RE.finditer(text):
            addr.append(m.span())
    if words & _RESIDENCE_WORDS:
        for m in _LIVES_LOWER_RE.finditer(text):
            mids = m.group(1).split()
            if any(w in _UNITS or (w in _STOP_WORDS and w not in _WIDE_NAMES) for w in mids):
                continue
            if _PUBLIC_BEFORE_RE.search(text[max(0, m.start() - 30):m.start(1)]):
                continue
            addr.append((m.start(1), m.end()))
    for m in _HOUSEHOLD_RE.finditer(text):
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
        for m in _TOWN_CODE_RE.finditer(text):
            town = m.group(1).lower()
            if (town in _PLACES_GB or town.replace("-", " ") in _PLACES_GB) and _outward_ok(m.group(2), m.group(3), text, m.end()):
                codes.append((m.start(2), m.end()))  # "Stockton TS17", "Bootle L20"
    return addr, codes


def _public_road(text: str, span: _Span, words: set[str]) -> bool:
    """'police station on Elland Road': a named road after a public building, not where someone lives."""
    if any(c.isdigit() for c in text[span[0]:span[1]]):
        return False
    if words & {"lives", "living", "staying", "moved", "address", "tenancy", "refuge", "hostel", "resides"}:
        return False
    return _PUBLIC_BEFORE_RE.search(text, max(0, span[0] - 30), span[0]) is not None


# ---------------------------------------------------------------- names
_PERSON_AFTER_RE = re.compile(
    r"\s*(?:\(\s*(?:[a-z]+\s+)?(?:nan|nana|gran|grandma|grandad|mum|mam|dad|uncle|aunt|auntie|aunty|cousin|brother|sister|"
    r"stepdad|stepmum|partner|neighbour|friend|carer|ex|bf|gf|boyfriend|girlfriend|father|mother)\s*\)(?!\w)|"
    r"\s(?:has\s+|had\s+|then\s+|also\s+|later\s+)?(?:said|says|told|tells|asked|asks|disclosed|reported|rang|phoned|called|"
    r"texted|messaged|refused|agreed|admitted|denied|came|arrived|left|shouted|visited|attended|wants|wanted|"
    r"confirmed|stated|explained)\b)")
_ORG_SURNAMES = frozenset("ward hall house church chapel court lane park cross close wing street way drive hill".split())
_NEXT_DOOR_RE = re.compile(r"\b([A-Z][a-z]+|[a-z]{3,})\s+(?:from\s+)?(?:next\s+door|upstairs|downstairs|across\s+the\s+road|"
                           r"over\s+the\s+road|two\s+doors\s+down|down\s+the\s+road)\s+(?:has\s+|had\s+)?"
                           r"(?:called|rang|phoned|said|says|told|heard|saw|reported|came|knocked|contacted|messaged|"
                           r"texted|complained|is|was|has|had|noticed|mentioned)\b")
_NICK_SUFFIXES = ("ey", "ie", "y", "o", "a", "s", "zza", "za")
_INITIAL_PRED_RE = re.compile(r"\b([a-z]{3,}|[A-Z][a-z]{2,})\s+([a-zA-Z])\.?\s+(?:[a-z]{3,}ing|said|says|told|was|is|has|had|"
                              r"hit|kicked|punched|ran|came|went|left|refused|shouted|swore|threw|took|got)\b")
_KIN_WORDS = frozenset("""mum mam mom dad nan nana gran grandad grandma brother sister bro sis cousin uncle auntie aunty
    aunt stepdad stepmum partner bf gf boyfriend girlfriend ex mate friend dad's mums dads son daughter baby
    nephew niece step""".split())
_KIN_ADJ = frozenset("older younger big little baby twin new step half eldest youngest foster".split())
_POSS_NOAPOS_RE = re.compile(r"\b([a-zA-Z]{3,})s\s+(?:(?:older|younger|big|little|baby|twin|new|step|half|eldest|youngest)\s+)?"
                             r"(mum|mam|mom|dad|nan|nana|gran|grandad|grandma|brother|sister|bro|sis|cousin|uncle|auntie|"
                             r"aunty|aunt|stepdad|stepmum|bf|gf|boyfriend|girlfriend|son|daughter|nephew|niece|carer)\b")
_THE_KIDS_RE = re.compile(r"\bthe\s+([a-z]{3,}|[A-Z][a-z]{2,})\s+(?:kids|children|boys|girls|twins|family|household|siblings|"
                          r"brothers|sisters|lot|clan)\b")
_NOT_FAMILY_WORD = frozenset("""foster care school other older younger little big same white black brown young new local
    next poor rich sick twin street gang traveller travellers english polish asylum refugee host birth adoptive step
    whole entire extended nuclear blended neighbour neighbours neighbouring wider immediate army forces military
    church nursery primary secondary year class reception tier village town city estate rural farming working
    middle upper lower royal first second third last previous current former hard poorer richer mixed""".split())
_NOAPOS_NEG_RE = re.compile(r"\b([a-z]{3,}|[A-Z][a-z]{2,})\s+(?:wouldnt|didnt|doesnt|couldnt|wont|isnt|wasnt|hasnt|hadnt|"
                            r"cant|aint|shouldnt|dont|wouldn't|didn't|doesn't|couldn't|won't|isn't|wasn't|hasn't|"
                            r"hadn't|can't|shouldn't|don't)\b")
_AND_HER_RE = re.compile(r"\b([a-z]{3,}|[A-Z][a-z]{2,})\s+(?:n|an|&|and)\s+(?:her|his|their)\s+(?:(?:older|younger|big|little|"
                         r"baby|twin|step)\s+)?(mum|mam|mom|dad|nan|gran|brother|sister|bro|sis|cousin|uncle|aunt|auntie|"
                         r"stepdad|stepmum|boyfriend|girlfriend|bf|gf|son|daughter|baby|partner)\b")
_NOT_SUBJECT6 = frozenset("""she he they it we you i me him her them us this that there here who which what when where
    why how mum dad nan gran staff child baby boy girl yp cyp pupil student son daughter brother sister sibling
    family school teacher sw hv worker police officer mother father parent parents carer carers someone anyone
    everyone nobody one both each either neither all some none most many few other others another
    then now also still just only even so but and or if because though although""".split())


def _nick_stem(low: str) -> bool:
    """'mikey', 'jonno', 'shaz': a nickname built on a listed first name."""
    for suf in _NICK_SUFFIXES:
        if low.endswith(suf) and len(low) - len(suf) >= 2:
            stem = low[: -len(suf)]
            for st in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem):
                if len(st) >= 3 and st in _FIRST_NAMES | _WIDE_FIRST and st not in _COMMON:
                    return True
    return False


def _first_like(low: str) -> bool:
    return low in _ANY_FIRST or low in _WIDE_NAMES or _nick_stem(low)


_FIRST_ORG_RE = re.compile(r"\b([A-Z][a-z]+)\s+(?:Ward|Hall|House|Church|Chapel|Court|Lane|Park|Cross|Close|Wing|Street|Way|"
                           r"Drive|Hill)\b")
_SOCIAL_NAME_RE = re.compile(r"\b(?:fb|facebook|insta|instagram|tiktok|snap|snapchat|twitter|youtube|discord|roblox|xbox|psn)"
                             r"\s+(?:display\s+)?(?:name|account|profile|page|username|user|gamertag)\s*(?:is\s+|was\s+|:\s*)?"
                             r"([A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,3})", re.IGNORECASE)


def _round6_names(text: str, words: set[str]) -> list[_Span]:
    out: list[_Span] = []
    for m in _FIRST_ORG_RE.finditer(text):
        low = m.group(1).lower()
        if (low in _FIRST_NAMES or low in _WIDE_FIRST) and low not in _STOP_WORDS and _PERSON_AFTER_RE.match(text, m.end()):
            out.append(m.span())  # "Derek Hall (uncle) said", "Bridget Ward asked"
    low_text = None
    for m in _NEXT_DOOR_RE.finditer(text):
        w = m.group(1)
        low = w.lower()
        if low in _NOT_SUBJECT6 or not (_first_like(low) or w[0].isupper() and low not in _EN):
            continue
        out.append(m.span(1))  # "June next door called it in"
    # nickname or first name and a listed surname, in lower case ("mikey doherty said")
    toks = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[A-Za-z][a-z'’]+", text)]
    for (s, e, a), (s2, e2, b) in zip(toks, toks[1:]):
        if text[e:s2] != " ":
            continue
        la, lb = a.lower(), b.lower()
        if a.islower() and b.islower() and la not in _NOT_SUBJECT6 and la not in _STOP_WORDS and lb in _WIDE_SURNAMES \
                and lb not in _EN and (la in _WIDE_FIRST or _nick_stem(la)) and la not in _COMMON:
            out.append((s, e2))
        elif a.islower() and b.islower() and _nick_stem(la) and la not in _COMMON and la not in _STOP_WORDS \
                and la not in _NOT_SUBJECT6 and lb in _WIDE_SURNAMES and la in _EN:
            out.append((s, e2))
    for m in _INITIAL_PRED_RE.finditer(text):
        w = m.group(1).lower()
        if w in _NOT_SUBJECT6 or w in _STOP_WORDS or m.group(2).lower() in ("a", "i"):
            continue
        if w in _WIDE_FIRST or w in _FIRST_NAMES:
            out.append(m.span(1))  # "ethan m swearing"
    for m in _POSS_NOAPOS_RE.finditer(text):
        w = m.group(1).lower()
        whole = w + "s"
        if w in _NOT_SUBJECT6 or whole in _COMMON or whole in _STOP_WORDS or w in _STOP_WORDS:
            continue
        if (w in _WIDE_FIRST or w in _FIRST_NAMES) and (whole not in _EN or w in _FIRST_NAMES):
            out.append(m.span(1))  # "abdirahmans older bro"
    for m in _THE_KIDS_RE.finditer(text):
        w = m.group(1).lower()
        if w in _NOT_FAMILY_WORD or w in _STOP_WORDS and w not in _SURNAME_WORDS:
            continue
        if w in _SURNAME_WORDS or (w in _WIDE_SURNAMES and w not in _EN):
            out.append(m.span(1))  # "the smith kids"
    for rx in (_NOAPOS_NEG_RE, _AND_HER_RE):
        for m in rx.finditer(text):
            w = m.group(1)
            low = w.lower()
            if low in _NOT_SUBJECT6 or low in _UNITS:
                continue
            if (low in _ANY_FIRST or low in _FIRST_NAMES) and (low not in _STOP_WORDS or low in _AMBIGUOUS_SEASON) \
                    or (rx is _NOAPOS_NEG_RE and _nick_stem(low) and low not in _COMMON):
                out.append(m.span(1))  # "summer wouldnt get changed", "ivy n her mum"
    return out


_AMBIGUOUS_SEASON = frozenset("summer autumn winter april may june july august".split())
_PERSON_RUN_WORD_RE = re.compile(r"\s+([A-Z][a-z]+)")


def _person_after_org_surname(text: str, span: _Span) -> bool:
    """'Bridget Ward asked', 'Biddy Ward (nan)': a surname that is also an organisation word, then a person's predicate."""
    m = _PERSON_RUN_WORD_RE.match(text, span[1]) if text[span[1]:span[1] + 1] == " " else None
    end = span[1]
    if m and m.group(1).lower() in _ORG_SURNAMES:
        end = m.end()
    elif text[span[0]:span[1]].split()[-1].lower() not in _ORG_SURNAMES:
        return False
    return _PERSON_AFTER_RE.match(text, end) is not None


# ---------------------------------------------------------------- false alarms
_CARE_ORG_AFTER_RE = re.compile(r"(?:\s[A-Z][a-z]+){0,2}\s(?:Maternity|Infirmary|Hospice|University|Uni|Polytechnic)\b")
_PUBLIC_NUMBER_RE = re.compile(r"(?:police|non[\s\-]?urgent|non[\s\-]?emergency|nhs|call(?:ed)?|ring|rang|phone[d]?|dial(?:led)?)"
                               r"\s*(?:on\s+)?$", re.IGNORECASE)
_EVENT_BEFORE_RE = re.compile(r"\b(?:Operation|Op|Project|Storm|Hurricane|Exercise)\s+$")


def _not_name6(text: str, span: _Span, words: set[str]) -> bool:
    s, e = span
    if s and text[s - 1].isdigit():
        return True  # "14yo", "3yrs"
    if _EVENT_BEFORE_RE.search(text, max(0, s - 12), s):
        return True  # "Operation Stovewood"
    if _CARE_ORG_AFTER_RE.match(text, e):
        return True  # "Princess Royal Maternity", "Leeds Beckett University"
    word = text[s:e]
    if word.islower() and word in _EN and word not in _FIRST_NAMES and word not in _ANY_FIRST - _WIDE_FIRST \
            and re.search(r"\b(?:mum|mam|dad|nan|gran)['’]?s\s+$", text[max(0, s - 8):s]) \
            and re.match(r"\s+(?:side|family|end|house|place|fault|way|car|phone|partner)\b|\s*$", text[e:e + 10]) is None \
            and word in ("side", "end", "way", "place", "bit", "lot"):
        return True  # "on mums side"
    return False


# ---------------------------------------------------------------- numbers
_SPACED_REF_RE = re.compile(r"\b(?:hosp(?:ital)?|patient|mrn|case|ref|reference|crime|police|incident|client|file|"
                            r"pupil|student|custody|claim|account)\s*(?:ref(?:erence)?\.?|no\.?|num(?:ber)?|#|id)?\s*"
                            r"(?:is\s+|was\s+)?[:#=\-]?\s*([A-Za-z]{0,3}\d{0,3}(?:\s\d{3,4}){1,3})(?![\w])", re.IGNORECASE)
_MAKE_WORDS = frozenset("""transit golf corsa fiesta focus astra polo clio bmw audi merc mercedes ford vauxhall toyota
    nissan honda kia hyundai peugeot renault citroen skoda seat fiat mini range rover landrover jeep hatchback estate
    4x4 suv people-carrier minibus sprinter tipper pickup pick-up jag jaguar lexus tesla volvo saab qashqai juke van
    car motorbike bike moped scooter taxi cab vehicle""".split())
_PLATE_END_RE = re.compile(r"\b(?:ending|ends|ended|starting|starts|started|beginning|begins|began)\s+(?:in|with)\s+"
                           r"['\"‘“]?([A-Za-z]{2,3}|[A-Za-z]{1,2}\d{2}|\d{2}\s?[A-Za-z]{3})['\"’”]?(?![\w])")
_SPOKEN_RE = re.compile(r"(?<![A-Za-z])(?:(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine|double|triple|"
                        r"treble|then|and|\d{1,4})[\s,\-]+){4,}(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|"
                        r"nine|\d{1,4})(?![A-Za-z\d])", re.IGNORECASE)
_ONE_DIGIT = frozenset("oh o zero nought one two three four five six seven eight nine".split())
_HOLIDAY_DOB_RE = re.compile(r"\bborn\s+(?:on\s+)?(?:xmas|christmas|boxing|new\s+year['’]?s|valentine['’]?s|halloween|"
                             r"easter)\s+(?:day|eve)?\s*,?\s*(?:in\s+)?((?:19|20)\d\d)\b", re.IGNORECASE)


def _spoken_phone(text: str) -> list[_Span]:
    out = []
    for m in _SPOKEN_RE.finditer(text):
        toks = re.findall(r"[A-Za-z]+|\d+", m.group().lower())
        if not any(t in ("oh", "double", "triple", "treble", "then") for t in toks) or not any(t.isdigit() for t in toks):
            continue
        count, mult = 0, 1
        for t in toks:
            if t.isdigit():
                count += len(t) * mult
                mult = 1
            elif t == "double":
                mult = 2
            elif t in ("triple", "treble"):
                mult = 3
            elif t in _ONE_DIGIT:
                count += mult
                mult = 1
        if 10 <= count <= 12:
            out.append(m.span())
    return out


def _round6_other(text: str, words: set[str], has_digit: bool, found_addr: list[_Span],
                  taken: list[_Span]) -> dict[str, list[_Span]]:
    out: dict[str, list[_Span]] = {}
    addr, codes = _addresses(text, words, has_digit, found_addr)
    if addr:
        out["address"] = addr
    if codes:
        out["postcode"] = codes
    if has_digit:
        refs = [m.span(1) for m in _SPACED_REF_RE.finditer(text)
                if sum(c.isdigit() for c in m.group(1)) >= 6 and not _overlaps(*m.span(1), taken)]
        if refs:
            out["other_id"] = refs
        if words & {"oh", "double", "triple", "treble", "then"}:
            ph = [sp for sp in _spoken_phone(text) if not _overlaps(*sp, taken)]
            if ph:
                out["phone"] = ph
        if "born" in words:
            dob = [m.span() for m in _HOLIDAY_DOB_RE.finditer(text)]
            if dob:
                out["dob"] = dob
    if words & {"fb", "facebook", "insta", "instagram", "tiktok", "snap", "snapchat", "twitter", "youtube", "discord", "roblox",
                 "xbox", "psn"}:
        handles = [m.span(1) for m in _SOCIAL_NAME_RE.finditer(text) if m.group(1)[0].isupper()]
        if handles:
            out["social_handle"] = handles
    if words & _MAKE_WORDS:
        plates = [m.span(1) for m in _PLATE_END_RE.finditer(text) if not m.group(1).islower() or "'" in text or '"' in text]
        if plates:
            out["vehicle_reg"] = plates
    return out


def _public_number(text: str, span: _Span) -> bool:
    """'non urgent police 101': a public service number, not a reference."""
    return text[span[0]:span[1]] in ("101", "111", "999", "112", "105", "116") and \
        _PUBLIC_NUMBER_RE.search(text, max(0, span[0] - 20), span[0]) is not None
