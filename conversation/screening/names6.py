"""Round 6: names and the false alarms on names (see round6.py)."""
from __future__ import annotations

import re

from .data import _words
from .namelists import _ANY_FIRST, _COMMON, _DICTIONARY_FIRST, _EN, _FIRST_NAMES, _ROLE_WORDS, _STOP_WORDS, _WIDE_FIRST, _WIDE_NAMES, _WIDE_SURNAMES
from .tokens import _Span

from .cues import _PRED_RE
from .places6 import _UNITS

_SURNAME_WORDS = _words("names_dataset_surname_words.txt")


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
_NICK_SUFFIXES = ("ey", "ie", "y", "o", "a", "s", "zza", "za")
_INITIAL_PRED_RE = re.compile(r"\b([a-z]{3,}|[A-Z][a-z]{2,})\s+([a-zA-Z])\.?\s+(?:[a-z]{3,}ing|said|says|told|was|is|has|had|"
                              r"hit|kicked|punched|ran|came|went|left|refused|shouted|swore|threw|took|got)\b")
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


_START_LOWER_RE = re.compile(r"(?:^|[.!?;\n]\s*)([a-z][a-z'’\-]{2,})(?=\s+(?:was|is|has\s+been|had\s+been|got|been|keeps|kept)\s+"
                             r"(?:\w+ly\s+|not\s+|being\s+)?(?:sent|taken|seen|found|excluded|suspended|collected|picked|brought|"
                             r"dropped|kept|put|moved|placed|late|absent|off|crying|kicking|fighting|shouting|swearing|missing|"
                             r"upset|tearful|quiet|withdrawn|hungry|smelly|unkempt|sick|poorly|injured|hurt|bruised|[a-z]{3,}ed|"
                             r"[a-z]{3,}ing)\b)")
_STRONG_START_RE = re.compile(r"\s+(?:was|is|has\s+been|had\s+been|got|been|keeps|kept)\s+(?:\w+ly\s+|not\s+|being\s+)?"
                              r"(?:sent\s+home|excluded|suspended|crying|kicking\s+off|fighting|shouting|swearing|missing|"
                              r"upset|tearful|withdrawn|hungry|unkempt|injured|hurt|bruised|hit|punched|kicked|bullied|"
                              r"collected|picked\s+up|late\s+(?:again|to|for)|absent)\b")
_KIN_LOWER_RE = re.compile(r"\b(?:mum|mam|mom|dad|nan|gran|grandad|boyfriend|girlfriend|partner|mate|friend|uncle|aunt|auntie|"
                           r"aunty|cousin|brother|sister|bro|sis|stepdad|stepmum|ex|bf|gf|neighbour)(?:['’]?s)?\s+(?=([a-z]{3,})\b)")
_FAKER_FIRST = _words("names_first.txt")
_NOT_KIN_NAME = frozenset("""will may can could would should must might shall did does do had has have was were is are
    been being not new old ex own other real birth biological house home flat car phone partner boyfriend girlfriend
    side family friend friends mate mates""".split())


def _round6_names(text: str, words: set[str]) -> list[_Span]:
    out: list[_Span] = []
    for m in _START_LOWER_RE.finditer(text):
        low = m.group(1)
        if low in _STOP_WORDS or low in _NOT_SUBJECT6 or low in _ROLE_WORDS or low in _PERSON_NOUNS:
            continue
        if (low in _FIRST_NAMES or low in _FAKER_FIRST) and (
                low not in _COMMON and low not in _DICTIONARY_FIRST or _STRONG_START_RE.match(text, m.end(1))):
            out.append(m.span(1))  # "brody was sent home"; "van was parked" is a van
    for m in _KIN_LOWER_RE.finditer(text):
        low = m.group(1)
        if low in _NOT_KIN_NAME or low in _NOT_SUBJECT6 or low in _STOP_WORDS or low in _UNITS:
            continue
        if (low in _FIRST_NAMES or low in _ANY_FIRST and low not in _COMMON or _nick_stem(low) and low not in _COMMON) \
                and _PRED_RE.match(text, m.end(1)):
            out.append(m.span(1))  # "mums boyfriend dale is back"
    for m in _FIRST_ORG_RE.finditer(text):
        low = m.group(1).lower()
        if (low in _FIRST_NAMES or low in _WIDE_FIRST) and low not in _STOP_WORDS and _PERSON_AFTER_RE.match(text, m.end()):
            out.append(m.span())  # "Derek Hall (uncle) said", "Bridget Ward asked"
    for m in _NEXT_DOOR_RE.finditer(text):
        w = m.group(1)
        low = w.lower()
        if low in _NOT_SUBJECT6 or low in _PERSON_NOUNS or not (_first_like(low) or w[0].isupper() and low not in _EN):
            continue
        if w.islower() and (low in _COMMON or low in _EN and low not in _ANY_FIRST):
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

