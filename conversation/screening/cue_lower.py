"""Round 4 name cues: lower-case names, which case notes typed in a hurry are full of.

General cues, not names seen in misses: a lower-case name opening a sentence and doing what a
person does ("dev says ...", "pat from next door ...", "gwenllian missed ..."); a lower-case
possessive before a relation ("brook's stepdad"); a word in front of a bracketed relation
("dean (mums ex)"); a word in no dictionary saying something anywhere ("... and jamal said");
a first name before an identifier ("mustafa dob ...", "ali upn ..."); initials with a
possessive and a relation ("KT's mum"); a plural surname in lower case ("the okonkwos"); and
patronymics ("rhys ap gruffydd", "Omar bin Said").
"""
from __future__ import annotations

import re
from bisect import bisect_left

from .cue_roles import _NAME_WORDS
from .cues import _PRED_RE, _STRONG_PRED_RE
from .data import _words
from .namelists import _inflected_en
from .namelists import _AMBIGUOUS_FIRST, _ANY_FIRST, _EN, _WIDE_FIRST, _NOT_NAME, _ORG_WORDS, _PLACES, _ROLE_WORDS, _TITLES, _WIDE_NAMES, _WIDE_SURNAMES
from .tokens import _MONTH_WORDS, _Span, _Text, _fold

# First names that are also (not very frequent) English words, from names-dataset: names only
# with a strong cue.
_NAMES_THAT_ARE_WORDS = _words("names_dataset_words.txt")
# Not a person in front of a verb, though some are also in a name list.
_NOT_SUBJECT = _ROLE_WORDS | _ORG_WORDS | _MONTH_WORDS | _TITLES | frozenset(
    """i me you he she it we they him her them his its our your their my mine someone somebody anyone anybody
    everyone everybody nobody noone none all both each either neither few many most some several staff school
    police housing health council court family everything nothing something one two three other others another
    will may can could would should must might shall did does do had has have was were is are been being not
    nothing just then now also still only even already never always sometimes hopefully apparently meanwhile
    afterwards however unfortunately sadly later earlier today yesterday tomorrow and or but so because who which
    that this these those there here where when while owner boy girl baby lady man woman lad guy bloke neighbour
    trust senior junior minor mate bro champion king queen prince princess lord duke""".split())
_KIN = _ROLE_WORDS | frozenset("mum mam mom dad nan nana gran grandad grandma brother sister bro sis cousin uncle "
                               "auntie aunty aunt stepdad stepmum partner bf gf boyfriend girlfriend ex mate mates "
                               "friend friends family house home".split())
# What a person, not a thing, does: strong enough to make a lower-case word that is also an
# English word ("summer", "honey", "pat") a name when it opens a sentence.
_PERSON_DOES_RE = re.compile(
    r"\s+(?:(?:has|had|also|then|just|now|never|still|keeps|kept|always|often)\s+)?"
    r"(?:said|says|told|tells|disclosed|discloses|wants|wanted|asked|asks|cried|cries|admitted|admits|denied|denies|"
    r"refused|refuses|shouted|screamed|hit|hits|kicked|punched|slapped|ran\s+off|went\s+missing|goes\s+missing|"
    r"(?:is|was|has\s+been|seems|seemed|looked|looks|felt|feels)\s+(?:really\s+|very\s+|so\s+)?(?:scared|frightened|"
    r"worried|upset|sad|angry|withdrawn|tearful|hungry|tired)|was\s+(?:seen|hit|found|missing)|has\s+(?:a\s+)?bruis\w+|"
    # where a person stays or what happened to them at school (round 5): "callum is staying at ..."
    r"(?:is|was|has\s+been|are|were)\s+(?:now\s+|still\s+|currently\s+)?(?:staying|living|sleeping|stopping|sofa\s+surfing|"
    r"excluded|suspended|pregnant|back\s+(?:with|at|home|living))|"
    r"doesn['’]?t\s+(?:like|want)|didn['’]?t\s+(?:want|come|attend)|won['’]?t\s+(?:talk|speak|eat|go)|"
    r"(?:wasn['’]?t|isn['’]?t|hasn['’]?t\s+been|was\s+not|is\s+not|has\s+not\s+been)\s+in\b|didnt\s+(?:want|come)|"
    r"from\s+next\s+door|next\s+door|(?:from|at)\s+(?:school|nursery|church|the\s+mosque)\s+(?:said|says|told))\b")
_SPEECH_RE = re.compile(r"\s+(?:(?:has|had|also|then|just|now)\s+)?(?:said|says|told|tells|disclosed|discloses|admitted|"
                        r"denied|alleged|reported|texted|messaged)\b")
# A first name straight before an identifier or an age: "mustafa dob 1.12.2012", "ali upn ...".
_ID_AFTER_RE = re.compile(r"\s*[,(:\-]?\s*(?:d\.?o\.?b\b|date\s+of\s+birth|upn\b|nhs\s+(?:no|number)|(?:y|yr|year)\s*\d{1,2}\s*[,)]|aged?\s*\d|\(\s*(?:yr|year|y|aged?)?\s*\d{1,2}\s*\)|"
                          r"\d{1,2}\s*(?:yrs?|y/?o|years?\s+old)|born\s+(?:on|in)?\s*\d)", re.IGNORECASE)
# "dean (mums ex)", "kerry (her aunty)": a word and a bracketed relation of up to three words.
_BRACKET_RE = re.compile(r"\(\s*((?:[a-z'’]+\s+){0,2}[a-z'’]+)\s*\)", re.IGNORECASE)
_OWNER_WORDS = frozenset("mums mum's mum’s dads dad's dad’s nans nan's her his their the a an my our step new old former "
                         "ex older younger big little".split())
_INITIALS_KIN_RE = re.compile(r"([A-Z](?<![\w.][A-Z])[A-Z]{1,2})['’]s\s+(?:(?:step|older|younger|little|big|baby|new|ex)[\s\-]?)?"
                              r"([a-z]+)\b")
_NOT_INITIALS = frozenset("GP SW HV DSL YOT CAMHS MASH NHS PC DC DS DI IRO SEN SENCO LA LADO CSC YP YJS TA CP CIN LAC CLA "
                          "UK EU BBC PE RE ICT DT HR IT OT SLT SLA SALT EHCP CAF DV AA NA MP".split())
_PATRONYMIC_WORDS = frozenset("ap ab ferch verch bin ibn bint binti".split())
_SPEECH_WORDS = frozenset("said says told tells disclosed discloses admitted denied alleged reported texted messaged".split())
_SPEECH_FILLERS = frozenset("has had also then just now".split())
_ID_AFTER_POSS = frozenset("nhs upn dob d.o.b chi ni phone mobile number email snap snapchat insta instagram tiktok "
                           "address postcode passport".split())
_ID_WORDS = frozenset("dob d date upn nhs aged age born yr yrs years y yo".split())
_AGE_ANCHOR_RE = re.compile(r"\(\s*(?:yr|year|y|aged?)?\s*\d{1,2}\s*\)", re.IGNORECASE)
_INITIALS_GATE_RE = re.compile(r"[A-Z][A-Z]['’]s")
_ABOUT_WORDS = frozenset("about for with regarding re".split())
_CONCERN_WORDS = frozenset("worried worry worries concerned concern concerns seen spotted hanging referral referred "
                           "safeguarding raised sighting".split())
# First names from the name lists (not the names that are words): a lower-case one is a name
# after a concern ("worried about kai") or beside another ("dylan and connor").
_LIST_FIRST = _WIDE_FIRST - _AMBIGUOUS_FIRST - _MONTH_WORDS
_POSSESSIVES = frozenset("her his their".split())
_PLURAL_DOES_RE = re.compile(r"\s+(?:are|were|have|had|both|said|told|keep|kept|went|ran)\b")
_SAID_WORDS = frozenset("said says told tells that disclosed admitted alleged reported".split())
_MISSED_RE = re.compile(r"\s+(?:has\s+|had\s+)?(?:missed|attended|stayed|slept|went|goes|walked|wandered|turned\s+up)\b")
_SENT_GAP_RE = re.compile(r"[.!?\n;:•\"“(]")


def _nameish(low: str) -> bool:
    """In a first-name or name list and not a word that opens a sentence as something else."""
    return (low in _NAME_WORDS or low in _WIDE_NAMES or low in _NAMES_THAT_ARE_WORDS) and low not in _NOT_SUBJECT


def _unknown_lower(low: str) -> bool:
    return len(low) >= 3 and low.isalpha() and low not in _EN and low not in _NOT_NAME and low not in _NOT_SUBJECT \
        and not _inflected_en(low)


def _round4_names(tv: _Text) -> list[_Span]:
    text, toks, n = tv.text, tv.toks, len(tv.toks)
    if not n:
        return []
    out: list[_Span] = []
    blows, bases, poss = tv.blows, tv.bases, tv.poss
    starts = tv.starts
    firsts = sorted({0} | {bisect_left(starts, m.start()) for m in _SENT_GAP_RE.finditer(text)} - {n})
    for k in firsts:
        s, e, word = toks[k]
        base = bases[k]
        if not base.islower():
            continue
        low = _fold(blows[k])
        be = s + len(base)
        if poss[k]:
            # "brook's stepdad collected her"
            if k + 1 < n and blows[k + 1] in _KIN and (_nameish(low) or _unknown_lower(low)) and low not in _PLACES:
                out.append((s, be))
            continue
        if low in _NOT_SUBJECT or (len(low) < 3 and not _nameish(low)):
            continue
        if (_nameish(low) or _unknown_lower(low)) and _PERSON_DOES_RE.match(text, e):
            out.append((s, e))  # "dev says ...", "summer wants ...", "pat from next door ..."
        elif _unknown_lower(low) and len(low) >= 4 and (_STRONG_PRED_RE.match(text, e) or _MISSED_RE.match(text, e)):
            out.append((s, e))  # "gwenllian missed her appointment": a word in no dictionary doing something
    lows = tv.lows
    # The rules below look at a few tokens picked by set look-ups (a regex per token is too slow).
    speech_at = {k - 1 for k, w in enumerate(lows) if w in _SPEECH_WORDS and k}
    speech_at |= {k - 1 for k in list(speech_at) if k > 0 and lows[k] in _SPEECH_FILLERS}
    said_at = {k + 1 for k, w in enumerate(lows) if w in _SAID_WORDS}
    ident_at = {k - 1 for k, w in enumerate(lows) if w in _ID_WORDS and k}
    ident_at |= {k for k, w in enumerate(lows) if poss[k] and k + 1 < n and lows[k + 1] in _ID_AFTER_POSS}
    if "(" in text:
        ident_at |= {bisect_left(starts, m.start()) - 1 for m in _AGE_ANCHOR_RE.finditer(text)}
    for k in [k for k, w in enumerate(lows) if w in _ABOUT_WORDS and 0 < k < n - 1 and lows[k - 1] in _CONCERN_WORDS]:
        w = blows[k + 1]
        if toks[k + 1][2].islower() and w in _LIST_FIRST and w not in _NOT_SUBJECT and w not in _PLACES:
            out.append(toks[k + 1][:2])  # "worried about kai", "seen with dylan"
    for k in [k for k, w in enumerate(lows) if w == "and" and 0 < k < n - 1]:
        a, b = blows[k - 1], blows[k + 1]
        if not (toks[k - 1][2].islower() and toks[k + 1][2].islower()) or a in _NOT_SUBJECT:
            continue
        if a in _LIST_FIRST and k + 2 < n and b in _POSSESSIVES and blows[k + 2] in _ROLE_WORDS:
            out.append(toks[k - 1][:2])  # "lena and her brother"
        elif (a in _LIST_FIRST and b in _ANY_FIRST or a in _ANY_FIRST and b in _LIST_FIRST) and b not in _NOT_SUBJECT and (
                (a in _LIST_FIRST and b in _LIST_FIRST) or _PLURAL_DOES_RE.match(text, toks[k + 1][1])):
            out += [toks[k - 1][:2], toks[k + 1][:2]]  # "leon and mason were fighting", "dylan and connor"
    for k in sorted((speech_at | said_at | ident_at) - {-1, n}):
        speech, said_before, ident = k in speech_at, k in said_at, k in ident_at
        s, e, word = toks[k]
        base = bases[k]
        low = _fold(blows[k])
        if low in _NOT_SUBJECT:
            continue
        if ident and base[0].isupper() and not base.isupper() and _nameish(low) and _AGE_ANCHOR_RE.match(text, e + 1):
            out.append((s, e))  # "spoke to Hope (yr 7)": an age in brackets, even after a place word
            continue
        if low in _PLACES:
            continue
        if poss[k] and k + 1 < n and lows[k + 1] in _ID_AFTER_POSS and low not in _NOT_NAME and len(low) >= 3 and (
                _nameish(low) or _unknown_lower(low) or base[0].isupper() and not base.isupper() and low not in _EN):
            out.append((s, s + len(base)))  # "Mikey's NHS number is ..."
            continue
        if ident and base[0].isupper() and not base.isupper() and _nameish(low) and _ID_AFTER_RE.match(text, e):
            out.append((s, e))  # "Kayden dob ..."
            continue
        if not base.islower() or poss[k]:
            continue
        if speech and _unknown_lower(low) and len(low) >= 4 and _SPEECH_RE.match(text, e):
            out.append((s, e))  # "... and jamal said", "she said that kai told her"
        elif said_before and (low in _NAME_WORDS or low in _WIDE_NAMES) and _PRED_RE.match(text, e):
            out.append((s, e))  # "she said jamal gave her vapes"
        elif ident and (_nameish(low) or _unknown_lower(low)) and len(low) >= 2 and _ID_AFTER_RE.match(text, e):
            out.append((s, e))  # "mustafa dob 1.12.2012", "ali (14)"
    if "(" in text:
        for m in _BRACKET_RE.finditer(text):
            j = bisect_left(starts, m.start()) - 1
            if j < 0 or not text[toks[j][1]:m.start()].isspace() and toks[j][1] != m.start():
                continue
            inner = m.group(1).lower().split()
            lw = _fold(blows[j]) if not poss[j] else ""
            if not lw or not any(w.rstrip("s") in _KIN or w in _KIN for w in inner) or not any(
                    w in _OWNER_WORDS or w.endswith(("s", "'s", "’s")) for w in inner[:-1] or inner):
                continue
            if lw in _NOT_SUBJECT or lw in _KIN or lw in _NOT_NAME and lw not in _NAME_WORDS:
                continue
            if _nameish(lw) or _unknown_lower(lw) or toks[j][2][0].isupper():
                out.append(toks[j][:2])  # "dean (mums ex)"
    if ("'" in text or "’" in text) and _INITIALS_GATE_RE.search(text):
        for m in _INITIALS_KIN_RE.finditer(text):
            if m.group(1) not in _NOT_INITIALS and m.group(2) in _KIN:
                out.append(m.span(1))  # "KT's mum"
    for k in [k for k, w in enumerate(lows) if (w == "the" or w in _PATRONYMIC_WORDS) and k + 1 < n]:
        low = lows[k]
        if low == "the":
            w = toks[k + 1][2]
            if w[-1] == "s" and w.islower() and len(w) > 3 and text[toks[k][1]:toks[k + 1][0]] == " ":
                stem = _fold(w[:-1])
                for st in (stem, stem[:-1]) if stem.endswith("e") else (stem,):
                    if st in _WIDE_SURNAMES and st not in _EN and w not in _EN and st not in _NOT_NAME:
                        out.append((toks[k + 1][0], toks[k + 1][0] + len(st)))  # "visited the okonkwos"
                        break
        elif low in _PATRONYMIC_WORDS and k > 0 and toks[k][2].islower() and text[toks[k - 1][1]:toks[k][0]] == " " \
                and text[toks[k][1]:toks[k + 1][0]] == " ":
            a, b = _fold(lows[k - 1]), _fold(lows[k + 1])
            if a not in _NOT_SUBJECT and (a in _NAME_WORDS or a in _WIDE_NAMES or _unknown_lower(a)) and b not in _NOT_SUBJECT and (
                    b in _WIDE_NAMES or b not in _EN) and b.isalpha():
                out.append((toks[k - 1][0], toks[k + 1][1]))  # "rhys ap gruffydd"
    return out
