"""Person cues (round 10), by class, and the clean shapes that look like them.

Names:
- a lower-case first name from the name lists (not a dictionary word) after a verb said to a person
  or "little" ("told dwayne we'd share it", "spoke with kai", "little kai was quiet");
- a capitalised surname before a household's plural ("Both Ward kids", "the Nowak children",
  "the Lowe family"), though the word is also an English or organisation word;
- a listed name that is the subject of a reflexive ("Bailey keeps wetting himself");
- a rank or title and a surname that is also a place or word, then a predicate ("PC Dale confirmed").

Clean:
- "the" and a single capitalised word that no household noun follows is a venue or a thing
  ("a trip to the Lowry", "at the Baltic"), not a person;
- a name before a service's compound noun is the service ("the Washington family hub");
- languages are no names (``languages.txt``).
"""
from __future__ import annotations

import re

from .cue_lower import _LIST_FIRST, _NOT_SUBJECT
from .data import _words
from .namelists import (_ANY_FIRST, _COMMON, _DICTIONARY_FIRST, _EN, _ORG_WORDS, _PLACES, _ROLE_WORDS, _STOP_WORDS,
                        _SURNAME_WORDS, _TITLES, _WIDE_NAMES, _WIDE_SURNAMES)
from .tokens import _MONTH_WORDS, _Span, _Text

_LANGUAGES = _words("languages.txt")
_NAMES_EXTRA = _words("names_extra.txt")
# a language that is also a listed name ("Shona", "Akan") is a language only beside a language cue
_NAME_LANGUAGES = frozenset(w for w in _LANGUAGES if w in _ANY_FIRST or w in _WIDE_NAMES)
_LANG_CUE_RE = re.compile(r"\b(?:speaks?|spoke|spoken|speaking|language|languages|interpreter|interpreters|translator|"
                          r"translated|fluent|dialect|dialects|bilingual)\b", re.IGNORECASE)

# ---------------------------------------------------------------- lower-case names after a verb to a person
_TO_PERSON = frozenset("""told tell telling asked ask asking rang phoned called texted messaged met meet saw seen
    visited reminded reassured thanked warned praised collected supported little""".split())
_TO_PERSON_PREP = frozenset("spoke speak speaking talked talk talking chatted sat met".split())  # then to/with
_LOWER_FIRST = frozenset(w for w in _LIST_FIRST if w not in _DICTIONARY_FIRST and w not in _COMMON
                         and w not in _STOP_WORDS and w not in _PLACES and w not in _NOT_SUBJECT and len(w) >= 3)


# "staying with gary", "went off with tyreese", "scared of craig", "mum and darren"
_WITH_PERSON = frozenset("""staying stays stayed living lives lived off playing fighting arguing argued out seen hanging
    hangs sleeping slept left gone goes went run ran contact""".split())
_OF_PERSON = frozenset("scared afraid frightened terrified wary jealous".split())
_AND_PERSON = frozenset("mum mam mom dad nan nana gran grandad grandma brother sister auntie aunty aunt uncle cousin "
                        "stepdad stepmum".split())
_LOWER_GATE = _TO_PERSON | _TO_PERSON_PREP | frozenset(["with", "of", "and"])


def _positions(lows: list[str], keys) -> list[int]:
    """Where each of keys stands in lows, found with list.index (C) rather than a loop over every token."""
    out = []
    for w in keys:
        i = -1
        try:
            while True:
                i = lows.index(w, i + 1)
                out.append(i)
        except ValueError:
            pass
    out.sort()
    return out


def _lower_after_verb(tv: _Text, words: set[str]) -> list[_Span]:
    lows, toks = tv.lows, tv.toks
    n = len(lows)
    out: list[_Span] = []
    for k in _positions(lows, words & _LOWER_GATE):
        w = lows[k]
        j = -1
        if w in _TO_PERSON:
            j = k + 1
        elif w in _TO_PERSON_PREP and k + 2 < n and lows[k + 1] in ("to", "with"):
            j = k + 2
        elif k and (w == "with" and lows[k - 1] in _WITH_PERSON or w == "of" and lows[k - 1] in _OF_PERSON
                    or w == "and" and lows[k - 1] in _AND_PERSON):
            j = k + 1
        if 0 < j < n and toks[j][2].islower() and lows[j] in _LOWER_FIRST and not tv.poss[j]:
            out.append(toks[j][:2])
    return out


# ---------------------------------------------------------------- a household by its surname
_HOUSEHOLD = (r"(?:kids|children|boys|girls|twins|siblings|brothers|sisters|lads|youngsters|family|household|"
              r"grandchildren|cousins)")
_SURNAME_HOUSE_RE = re.compile(r"(?<![\w'’])([A-Z][a-z'’]{2,}(?:-[A-Z][a-z]+)?)\s+" + _HOUSEHOLD + r"\b(?!\s+(?:hub|hubs|centre|center|"
                               r"support|services?|worker|workers|court|liaison|group|groups|network|time|law|planning|"
                               r"therapy|therapist|practitioner|nurse|partnership|meeting|meetings|conference|work|room|"
                               r"assessment|intervention|programme|team|unit|drug|doctor|GP|friendly|fun|day|days|"
                               r"learning|centres|zone|club|action)\b)")
_HOUSEHOLD_WORDS = frozenset(re.findall(r"[a-z]+", _HOUSEHOLD))
_NOT_HOUSEHOLD_NAME = frozenset("""traveller travellers gypsy roma irish polish muslim christian jewish sikh hindu
    foster reception nursery primary secondary school year class form church local other new whole extended wider
    blended adoptive birth host royal""".split())


def _surname_household(tv: _Text, work: str) -> list[_Span]:
    out = []
    toks, lows = tv.toks, tv.lows
    n = len(lows)
    for j in tv.upper_first:
        if j + 1 >= n or lows[j + 1] not in _HOUSEHOLD_WORDS:
            continue
        m = _SURNAME_HOUSE_RE.match(work, toks[j][0])
        if not m:
            continue
        w = m.group(1)
        low = w.lower()
        if low in _NOT_HOUSEHOLD_NAME or low in _PLACES or low in _ROLE_WORDS or low in _TITLES or low in _MONTH_WORDS \
                or low in _LANGUAGES:
            continue
        if not (low in _WIDE_SURNAMES or low in _SURNAME_WORDS or low in _WIDE_NAMES or low in _ANY_FIRST
                or low in _ORG_WORDS and low in _NAMES_EXTRA):
            continue
        before = work[max(0, m.start() - 12):m.start()].lower()
        # at a sentence start a capitalised word may be anything ("Foster families"): there, a determiner first
        if not before.strip() or before.rstrip()[-1:] in ".!?:;\n":
            continue
        out.append(m.span(1))
    return out


# ---------------------------------------------------------------- the subject of a reflexive
_REFLEXIVE_RE = re.compile(r"(?<![\w'’])([A-Z][a-z]{2,})\s+(?:[a-z]+\s+){1,3}?(?:himself|herself)\b")


def _reflexive_subject(tv: _Text, work: str) -> list[_Span]:
    out = []
    toks = tv.toks
    for k in [k for k, w in enumerate(tv.lows) if w == "himself" or w == "herself"]:
        m = None
        for j in range(max(0, k - 4), k - 1):
            if toks[j][2][0].isupper():
                m = _REFLEXIVE_RE.match(work, toks[j][0])
                if m and m.end() == toks[k][1]:
                    break
                m = None
        if not m:
            continue
        low = m.group(1).lower()
        if low in _ROLE_WORDS or low in _TITLES or low in _PLACES or low in _NOT_SUBJECT or low in _STOP_WORDS:
            continue
        if low in _ANY_FIRST or low in _WIDE_NAMES or low in _SURNAME_WORDS:
            out.append(m.span(1))
    return out


# ---------------------------------------------------------------- a rank and a surname that is also a word
_RANK_PRED_RE = re.compile(
    r"\b(?:PC|DC|DS|DI|DCI|DSI|PCSO|Sgt|Insp|Inspector|Sergeant|Constable|Detective|Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+"
    r"([A-Z][a-z]{2,})\s+(?:has\s+|had\s+|then\s+|also\s+)?(?:confirmed|said|says|advised|called|rang|phoned|visited|attended|"
    r"asked|stated|reported|explained|agreed|informed|told|will|came|emailed|spoke|arrested|wants|wanted|shared|raised)\b")
_CONTACT_PLURAL_WORDS = frozenset("spoke speaking talked met visited rang phoned called told asked contacted saw seen visit "
                                   "referred supporting supported".split())  # a gate for _contact_plural
_RANK_GATE = frozenset("pc dc ds di dci dsi pcso sgt insp inspector sergeant constable detective mr mrs ms miss mx dr".split())


# a title and one capitalised word that ends the run: "by Ms Hill, class teacher", "Ms Brook (SENCO) agreed"
_TITLE_ALONE_RE = re.compile(r"\b(?:PC|DC|DS|DI|DCI|Sgt|Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+([A-Z][a-z]{2,})\b(?![’'\-]|\s+[A-Z&])"
                             r"(?=\s*(?:[,;:.()!?]|$|\s+(?:and|or|from|at|of|in|on|to|for|who|with|about|has|had|is|was|"
                             r"will|would|said|says|called|rang|asked|confirmed|agreed|advised|attended|noticed|visited)\b))")
_NOT_SURNAME_AFTER_TITLE = _words("brands.txt") | _words("not_names.txt")


_RANKS_CASED = frozenset("PC DC DS DI DCI DSI PCSO Sgt Insp Inspector Sergeant Constable Detective Mr Mrs Ms Miss Mx Dr".split())


def _rank_surname(tv: _Text, work: str) -> list[_Span]:
    out = []
    toks = tv.toks
    at = [toks[k][0] for k in tv.upper_first if toks[k][2] in _RANKS_CASED]
    for m in [_RANK_PRED_RE.match(work, a) for a in at]:
        if not m:
            continue
        low = m.group(1).lower()
        if low in _ROLE_WORDS or low in _STOP_WORDS and low not in _ANY_FIRST:
            continue
        out.append(m.span(1))
    for m in [_TITLE_ALONE_RE.match(work, a) for a in at]:
        if not m:
            continue
        low = m.group(1).lower()
        if low in _ROLE_WORDS or low in _NOT_SURNAME_AFTER_TITLE or low in _MONTH_WORDS or low in _TITLES:
            continue
        out.append(m.span(1))
    return out


# a household by its plural surname after a contact verb: "spoke to the Smiths", "visited the Hughes"
_THE_PLURAL_RE = re.compile(r"[Tt]he\s+([A-Z][a-z'’]{2,}?)(e?s)\b(?![’'\-])")
_CONTACT_LAST = frozenset("visited met rang phoned called told asked contacted saw seen referred supporting supported".split())
_CONTACT_THEN_PREP = frozenset("spoke speaking talked met visit".split())


def _contact_plural(tv: _Text, work: str) -> list[_Span]:
    out = []
    lows, toks = tv.lows, tv.toks
    for k in [j - 1 for j in tv.upper_first if j > 1 and lows[j - 1] == "the"]:
        if not (lows[k - 1] in _CONTACT_LAST or lows[k - 1] in ("to", "with") and k > 1 and lows[k - 2] in _CONTACT_THEN_PREP):
            continue
        if not toks[k + 1][2][0].isupper():
            continue
        m = _THE_PLURAL_RE.match(work, toks[k][0])
        if not m:
            continue
        stem = m.group(1)
        low = stem.lower()
        for st in (low, low + "e") if m.group(2) == "es" else (low,):
            if (st in _WIDE_SURNAMES or st in _SURNAME_WORDS) and st not in _PLACES and st not in _ROLE_WORDS:
                out.append((m.start(1), m.start(1) + len(st)))
                break
    return out


# a family by its plural surname as a subject: "The Wards are on plot 3", "the Nowaks have moved"
_PLURAL_SUBJECT_RE = re.compile(r"[Tt]he\s+([A-Z][a-z'’]{2,}?)(e?s)\s+(?:are|were|have|had|live|lived|moved|said|say|"
                                r"refused|declined|arrived|left|own|rent)\b")
_PLURAL_SUBJECT_WORDS = frozenset("are were have had live lived moved said say refused declined arrived left own rent".split())

def _plural_subject(tv: _Text, work: str) -> list[_Span]:
    out = []
    lows, toks = tv.lows, tv.toks
    for k in [j - 1 for j in tv.upper_first if j and lows[j - 1] == "the" and j + 1 < len(lows)
              and lows[j + 1] in _PLURAL_SUBJECT_WORDS]:
        m = _PLURAL_SUBJECT_RE.match(work, toks[k][0])
        if not m:
            continue
        low = m.group(1).lower()
        for st in (low, low + "e") if m.group(2) == "es" else (low,):
            if (st in _WIDE_SURNAMES or st in _NAMES_EXTRA) and st not in _PLACES and st not in _ROLE_WORDS \
                    and st not in _LANGUAGES:
                out.append((m.start(1), m.start(1) + len(st)))
                break
    return out


def _person_cues(tv: _Text, work: str, words: set[str]) -> list[_Span]:
    out = _lower_after_verb(tv, words)
    if words & _HOUSEHOLD_WORDS:
        out += _surname_household(tv, work)
    if "himself" in words or "herself" in words:
        out += _reflexive_subject(tv, work)
    if "the" in words:
        if words & _CONTACT_PLURAL_WORDS:
            out += _contact_plural(tv, work)
        if words & _PLURAL_SUBJECT_WORDS:
            out += _plural_subject(tv, work)
    return out


def _rank_names(tv: _Text, work: str, words: set[str]) -> list[_Span]:
    """Judged apart from the other names: a place word after a rank is still a surname ("PC Dale")."""
    return _rank_surname(tv, work) if words & _RANK_GATE else []


# ---------------------------------------------------------------- clean shapes
_HOUSEHOLD_AFTER = frozenset("""address house home flat family families kids kid children child boy boys girl girls baby
    twins household siblings brothers sisters parents case referral file lad lads toddler youngster teenager teen cousins
    grandparents father mother dad mum residence property tenancy trailer caravan plot pitch door garden place""".split())
_NEXT_WORD_RE = re.compile(r"['’]?\s*([A-Za-z]+)")
_SERVICE_COMPOUND_RE = re.compile(
    r"\s+(?:family|families|community|youth|children['’]?s?|childrens|health|sports|leisure|medical|resource|learning|"
    r"advice|wellbeing|carers['’]?|early\s+help|start|hope)\s+(?:hub|hubs|centre|center|club|service|services|team|group|"
    r"unit|project|clinic|practice|partnership|network|trust|forum|house|zone|base)\b", re.IGNORECASE)


_SERVICE_FIRST = frozenset("""family families community youth children's childrens children’s health sports leisure medical
    resource learning advice wellbeing carers carers' carers’ early start hope""".split())


def _clean_person_shape(work: str, sp: _Span) -> bool:
    """True when the span is a venue or service, or a language, not a person."""
    s, e = sp
    word = work[s:e]
    low = word.lower()
    if low in _LANGUAGES and (low not in _NAME_LANGUAGES or _LANG_CUE_RE.search(work, max(0, s - 40), e + 40)):
        return True
    nxt = work[e + 1:e + 14].split(" ", 1)[0].lower() if work[e:e + 1] == " " else ""
    if nxt in _SERVICE_FIRST and _SERVICE_COMPOUND_RE.match(work, e):
        return True
    if " " in word or word[-1:] in "sS'’" or work[e:e + 1].isalpha() or work[e:e + 1] in ("'", "’", "-") \
            or work[max(0, s - 4):s].lower() != "the " or (s > 4 and not work[s - 5].isspace()):
        return False
    nxt_m = _NEXT_WORD_RE.match(work, e)
    if nxt_m and (nxt_m.group(1)[0].isupper() or nxt_m.group(1).lower() in _HOUSEHOLD_AFTER):
        return False
    return True
