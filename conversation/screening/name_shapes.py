"""Shapes of names, and the false alarms on names (added in round 6; see other_shapes.py)."""
from __future__ import annotations

import re
from bisect import bisect_left

from .data import _words
from .namelists import _ANY_FIRST, _COMMON, _DICTIONARY_FIRST, _EN, _FIRST_NAMES, _ROLE_WORDS, _STOP_WORDS, _SURNAME_WORDS, _WIDE_FIRST, _WIDE_NAMES, _WIDE_SURNAMES
from .tokens import _Span, _Text

from .cues import _PRED_RE
from .partial_places import _UNITS



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
_PERSON_NOUNS = frozenset("""lady ladies man men woman women neighbour neighbours guy guys bloke lad lads boy boys girl girls
    couple family people kids kid child children someone somebody person folk lot fella mate mates friend friends
    tenant tenants landlord landlady owner resident residents""".split())
_NICK_BASES = (_FIRST_NAMES | _WIDE_FIRST) - _COMMON
_NICK_SUFFIXES = ("ey", "ie", "y", "o", "a", "s", "zza", "za")
_SINGLE6 = frozenset("bcdefghjklmnopqrstuvwxyz")
_INITIAL_TOKEN_RE = re.compile(r" ([b-hj-zB-HJ-Z])\.? ")
_KIN_ADJ6 = frozenset("older younger big little baby twin new step half eldest youngest".split())
_INITIAL_AFTER_RE = re.compile(r"\.?\s+(?:[a-z]{3,}ing|said|says|told|was|is|has|had|"
                              r"hit|kicked|punched|ran|came|went|left|refused|shouted|swore|threw|took|got)\b")
_THE_KIDS_RE = re.compile(r"the\s+([a-z]{3,}|[A-Z][a-z]{2,})\s+(?:kids|children|boys|girls|twins|family|household|siblings|"
                          r"brothers|sisters|lot|clan)\b")
_NOT_FAMILY_WORD = frozenset("""foster care school other older younger little big same white black brown young new local
    next poor rich sick twin street gang traveller travellers english polish asylum refugee host birth adoptive step
    whole entire extended nuclear blended neighbour neighbours neighbouring wider immediate army forces military
    church nursery primary secondary year class reception tier village town city estate rural farming working
    middle upper lower royal first second third last previous current former hard poorer richer mixed""".split())
_NEG_AT_RE = re.compile(r"\s(?:wouldnt|didnt|doesnt|couldnt|wont|isnt|wasnt|hasnt|hadnt|cant|aint|shouldnt|dont|wouldn't|"
                        r"didn't|doesn't|couldn't|won't|isn't|wasn't|hasn't|hadn't|can't|shouldn't|don't)\b")
_WORD_BEFORE_RE = re.compile(r"(?<![A-Za-z'’])([a-z]{3,}|[A-Z][a-z]{2,})$")
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
                if len(st) >= 3 and st in _NICK_BASES:
                    return True
    return False


_NICK_EN = frozenset(w for w in _EN if w.endswith(_NICK_SUFFIXES) and w not in _COMMON and _nick_stem(w))
_SUR_NOT_EN = _WIDE_SURNAMES - _EN


def _first_like(low: str) -> bool:
    return low in _ANY_FIRST or low in _WIDE_NAMES or _nick_stem(low)


_FIRST_ORG_RE = re.compile(r"([A-Z][a-z]+)\s+(?:Ward|Hall|House|Church|Chapel|Court|Lane|Park|Cross|Close|Wing|Street|Way|"
                           r"Drive|Hill)\b")
_SOCIAL_NAME_RE = re.compile(r"\b(?:fb|facebook|insta|instagram|tiktok|snap|snapchat|twitter|youtube|discord|roblox|xbox|psn)"
                             r"\s+(?:display\s+)?(?:name|account|profile|page|username|user|gamertag)\s*(?:is\s+|was\s+|:\s*)?"
                             r"([A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,3})", re.IGNORECASE)


_START_LOWER_RE = re.compile(r"[.!?;\n]\s*([a-z][a-z'’\-]{2,})(?=\s+(?:was|is|has\s+been|had\s+been|got|been|keeps|kept)\s+"
                             r"(?:\w+ly\s+|not\s+|being\s+)?(?:sent|taken|seen|found|excluded|suspended|collected|picked|brought|"
                             r"dropped|kept|put|moved|placed|late|absent|off|crying|kicking|fighting|shouting|swearing|missing|"
                             r"upset|tearful|quiet|withdrawn|hungry|smelly|unkempt|sick|poorly|injured|hurt|bruised|[a-z]{3,}ed|"
                             r"[a-z]{3,}ing)\b)")
_STRONG_START_RE = re.compile(r"\s+(?:was|is|has\s+been|had\s+been|got|been|keeps|kept)\s+(?:\w+ly\s+|not\s+|being\s+)?"
                              r"(?:sent\s+home|excluded|suspended|crying|kicking\s+off|fighting|shouting|swearing|missing|"
                              r"upset|tearful|withdrawn|hungry|unkempt|injured|hurt|bruised|hit|punched|kicked|bullied|"
                              r"collected|picked\s+up|late\s+(?:again|to|for)|absent)\b")
_START_GATE = frozenset("was is been got keeps kept".split())
_KIN_GATE = frozenset("""mum mam mom dad nan nana gran grandad grandma boyfriend girlfriend partner mate friend uncle aunt
    auntie aunty cousin brother sister bro sis stepdad stepmum ex bf gf neighbour son daughter nephew niece carer baby
    mums dads nans grans""".split())
_NEXT_DOOR_GATE = frozenset("door doors upstairs downstairs road".split())
_KIDS_GATE = frozenset("kids children boys girls twins family household siblings brothers sisters lot clan".split())
_NEG_GATE = frozenset("""wouldnt didnt doesnt couldnt wont isnt wasnt hasnt hadnt cant aint shouldnt dont wouldn didn doesn
    couldn won isn wasn hasn hadn can shouldn don""".split())
_HER_GATE = frozenset("her his their".split())
_FAKER_FIRST = _words("names_first.txt")
_NOT_KIN_NAME = frozenset("""will may can could would should must might shall did does do had has have was were is are
    been being not new old ex own other real birth biological house home flat car phone partner boyfriend girlfriend
    side family friend friends mate mates""".split())


def _name_shapes(tv: _Text, words: set[str]) -> list[_Span]:
    text, toks, lows = tv.text, tv.toks, tv.lows
    n = len(toks)
    out: list[_Span] = []
    starts = []
    if words & _START_GATE:
        first = _START_LOWER_RE.match("." + text[:40])
        starts = ([(first.start(1) - 1, first.end(1) - 1, first.group(1))] if first else []) + [
            (m.start(1), m.end(1), m.group(1)) for m in _START_LOWER_RE.finditer(text)]
    for s0, e0, low in starts:
        if low in _STOP_WORDS or low in _NOT_SUBJECT6 or low in _ROLE_WORDS or low in _PERSON_NOUNS:
            continue
        if (low in _FIRST_NAMES or low in _FAKER_FIRST) and (
                low not in _COMMON and low not in _DICTIONARY_FIRST or _STRONG_START_RE.match(text, e0)):
            out.append((s0, e0))  # "brody was sent home"; "van was parked" is a van
    kin = words & _KIN_GATE
    kin_at = [k for k, w in enumerate(tv.blows) if w in kin] if kin else []
    for k in kin_at:
        if k + 1 >= n:
            continue
        s, e, w = toks[k + 1]
        low = lows[k + 1]
        if not w.islower() or len(low) < 3 or text[toks[k][1]:s] != " " or low in _NOT_KIN_NAME or low in _NOT_SUBJECT6 \
                or low in _STOP_WORDS or low in _UNITS or low in _KIN_GATE:
            continue
        if (low in _FIRST_NAMES or low in _ANY_FIRST and low not in _COMMON or _nick_stem(low) and low not in _COMMON) \
                and _PRED_RE.match(text, e):
            out.append((s, e))  # "mums boyfriend dale is back"
    for m in (_FIRST_ORG_RE.finditer(text) if words & _ORG_SURNAMES else ()):
        low = m.group(1).lower()
        if m.start() and text[m.start() - 1].isalpha():
            continue
        if (low in _FIRST_NAMES or low in _WIDE_FIRST) and low not in _STOP_WORDS and _PERSON_AFTER_RE.match(text, m.end()):
            out.append(m.span())  # "Derek Hall (uncle) said", "Bridget Ward asked"
    for m in (_NEXT_DOOR_RE.finditer(text) if words & _NEXT_DOOR_GATE else ()):
        w = m.group(1)
        low = w.lower()
        if low in _NOT_SUBJECT6 or low in _PERSON_NOUNS or not (_first_like(low) or w[0].isupper() and low not in _EN):
            continue
        if w.islower() and (low in _COMMON or low in _EN and low not in _ANY_FIRST):
            continue
        out.append(m.span(1))  # "June next door called it in"
    # a first name or nickname and a listed surname, in lower case ("mikey doherty said")
    sur = words & _WIDE_SURNAMES
    if sur and not (words & _NICK_EN or sur & _SUR_NOT_EN and words & _WIDE_FIRST):
        sur = None
    for k in ([k for k, w in enumerate(lows) if w in sur and k] if sur else ()):
        (s, e, a), (s2, e2, b) = toks[k - 1], toks[k]
        if text[e:s2] != " " or not a.islower() or not b.islower():
            continue
        la = lows[k - 1]
        if la in _NOT_SUBJECT6 or la in _STOP_WORDS or la in _COMMON:
            continue
        if (b not in _EN and (la in _WIDE_FIRST or _nick_stem(la))) or (la in _EN and _nick_stem(la)):
            out.append((s, e2))
    for k in ([bisect_left(tv.starts, m.start(1)) for m in _INITIAL_TOKEN_RE.finditer(text)] if words & _SINGLE6 else ()):
        if not 0 < k < n - 1:
            continue
        w = lows[k - 1]
        if not toks[k - 1][2][0].islower() and not toks[k - 1][2].istitle() or len(w) < 3:
            continue
        if w in _NOT_SUBJECT6 or w in _STOP_WORDS or not (w in _WIDE_FIRST or w in _FIRST_NAMES):
            continue
        if _INITIAL_AFTER_RE.match(text, toks[k][1]):
            out.append(toks[k - 1][:2])  # "ethan m swearing"
    for k in kin_at:
        if not k:
            continue
        j = k - 1 if lows[k - 1] not in _KIN_ADJ6 or k < 2 else k - 2
        w = lows[j]
        if w in _HER_GATE and j >= 2 and (lows[j - 1] in ("n", "an", "and") or text[toks[j - 1][1]:toks[j][0]].strip() == "&"):
            i = j - 2 if lows[j - 1] in ("n", "an", "and") else j - 1
            low = lows[i]
            if low not in _NOT_SUBJECT6 and low not in _UNITS and len(low) >= 3 and (low in _ANY_FIRST or low in _FIRST_NAMES) \
                    and (low not in _STOP_WORDS or low in _AMBIGUOUS_SEASON):
                out.append(toks[i][:2])  # "ivy n her mum"
            continue
        if len(w) < 4 or w[-1] != "s" or "'" in w or "’" in w:
            continue
        stem, whole = w[:-1], w
        if stem in _NOT_SUBJECT6 or whole in _COMMON or whole in _STOP_WORDS or stem in _STOP_WORDS:
            continue
        if (stem in _WIDE_FIRST or stem in _FIRST_NAMES) and (whole not in _EN or stem in _FIRST_NAMES):
            out.append((toks[j][0], toks[j][0] + len(stem)))  # "abdirahmans older bro"
    for m in (_THE_KIDS_RE.finditer(text) if "the" in words and words & _KIDS_GATE else ()):
        w = m.group(1).lower()
        if m.start() and text[m.start() - 1].isalnum():
            continue
        if w in _NOT_FAMILY_WORD or w in _STOP_WORDS and w not in _SURNAME_WORDS:
            continue
        if w in _SURNAME_WORDS or (w in _WIDE_SURNAMES and w not in _EN):
            out.append(m.span(1))  # "the smith kids"
    for neg in (_NEG_AT_RE.finditer(text) if words & _NEG_GATE else ()):
        m = _WORD_BEFORE_RE.search(text, max(0, neg.start() - 30), neg.start())
        if not m:
            continue
        w = m.group(1)
        low = w.lower()
        if low in _NOT_SUBJECT6 or low in _UNITS:
            continue
        if (low in _ANY_FIRST or low in _FIRST_NAMES) and (low not in _STOP_WORDS or low in _AMBIGUOUS_SEASON) \
                or (_nick_stem(low) and low not in _COMMON):
            out.append(m.span(1))  # "summer wouldnt get changed"
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
_EVENT_BEFORE_RE = re.compile(r"\b(?:Operation|Op|Project|Storm|Hurricane|Exercise)\s+$")


def _not_name_shape(text: str, span: _Span, words: set[str]) -> bool:
    s, e = span
    if s and text[s - 1].isdigit():
        return True  # "14yo", "3yrs"
    if _EVENT_BEFORE_RE.search(text, max(0, s - 12), s):
        return True  # "Operation Stovewood"
    if _CARE_ORG_AFTER_RE.match(text, e):
        return True  # "Princess Royal Maternity", "Leeds Beckett University"
    word = text[s:e]
    if word.islower() and word in ("side", "end", "way", "place", "bit", "lot") \
            and re.search(r"\b(?:mum|mam|dad|nan|gran)['’]?s\s+$", text[max(0, s - 8):s]) and re.match(r"\s+(?:side|family|end|house|place|fault|way|car|phone|partner)\b|\s*$", text[e:e + 10]) is None:
        return True  # "on mums side"
    return False

