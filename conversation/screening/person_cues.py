"""Person cues (round 10), by class (the family rules are in ``family_names``, the clean shapes in
``clean_shapes``):

- a lower-case first name from the name lists (not a dictionary word) after a verb said to a person,
  "little", or a with/of/and cue ("told dwayne we'd share it", "spoke with kai", "little kai was
  quiet", "staying with gary", "scared of craig", "mum and darren");
- a listed name that is the subject of a reflexive ("Bailey keeps wetting himself");
- a rank or title and a surname that is also a place or word, before a predicate or the end of the
  run ("PC Dale confirmed", "by Ms Hill, class teacher");
- a role or relation, then a colon or "of", then a capitalised word ("Caller: Shirley", "mum of Harley").
"""
from __future__ import annotations

import re

from .cue_lower import _LIST_FIRST, _NOT_SUBJECT
from .data import _words
from .namelists import (_ANY_FIRST, _COMMON, _DICTIONARY_FIRST, _EN, _ORG_WORDS, _PLACES, _PLACES_GB, _ROLE_WORDS,
                        _STOP_WORDS, _SURNAME_WORDS, _TITLES, _WIDE_NAMES)
from .clean_shapes import _LANGUAGES
from .family_names import (_CONTACT_PLURAL_WORDS, _HOUSEHOLD_WORDS, _PLURAL_SUBJECT_WORDS, _contact_plural, _plural_subject,
                           _surname_household)
from .tokens import _MONTH_WORDS, _Span, _Text

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


# a title and one capitalised word that ends the run: "by Ms Hill, class teacher", "Ms Brook (SENCO) agreed"
_TITLE_ALONE_RE = re.compile(r"\b(?:PC|DC|DS|DI|DCI|Sgt|Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+([A-Z][a-z]{2,})\b(?![’'\-]|\s+[A-Z&])"
                             r"(?=\s*(?:[,;:.()!?]|$|\s+(?:and|or|from|at|of|in|on|to|for|who|with|about|has|had|is|was|"
                             r"will|would|said|says|called|rang|asked|confirmed|agreed|advised|attended|noticed|visited)\b))")
_NOT_SURNAME_AFTER_TITLE = _words("brands.txt") | _words("not_names.txt")


_RANKS_CASED = frozenset("PC DC DS DI DCI DSI PCSO Sgt Insp Inspector Sergeant Constable Detective Mr Mrs Ms Miss Mx Dr".split())
_RANK_GATE = frozenset(w.lower() for w in _RANKS_CASED)  # the note's words are lower-cased


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


# a role or relation, then a colon or "of", then a capitalised word: "Caller: Shirley", "mum of Harley"
_ROLE_OF = _ROLE_WORDS | frozenset("""caller referrer informant mum mam mom dad nan nana gran grandad grandma brother sister
    auntie aunty aunt uncle cousin stepdad stepmum father mother son daughter grandmother grandfather parent carer""".split())
_ROLE_OF_SKIP = frozenset("""school schools team service services council police family families staff head heads
    department unit ward group class year""".split())


def _role_then_name(tv: _Text, work: str) -> list[_Span]:
    out = []
    toks, lows = tv.toks, tv.lows
    for j in tv.upper_first:
        if j == 0:
            continue
        p = lows[j - 1]
        if p in _ROLE_OF:  # set look-ups first: most capitals follow neither a role nor "role of"
            if p in _ROLE_OF_SKIP or work[toks[j - 1][1]:toks[j][0]].strip() != ":":
                continue
        elif p == "of" and j > 1 and lows[j - 2] in _ROLE_OF:
            if lows[j - 2] in _ROLE_OF_SKIP or work[toks[j - 1][1]:toks[j][0]] != " " \
                    or work[toks[j - 2][1]:toks[j - 1][0]] != " ":
                continue
        else:
            continue
        word = tv.bases[j]
        low = word.lower()
        if word.isupper() or low in _ROLE_WORDS or low in _ORG_WORDS or low in _STOP_WORDS and low not in _ANY_FIRST \
                or low in _NOT_SURNAME_AFTER_TITLE and low not in _ANY_FIRST or low in _TITLES or low in _MONTH_WORDS \
                or low in _LANGUAGES:
            continue
        if low in _ANY_FIRST or low in _WIDE_NAMES or low in _SURNAME_WORDS or low not in _EN:
            out.append((toks[j][0], toks[j][0] + len(word)))
    return out


# a lower-case word opening a sentence, then speech about a person: "ploy said she doesnt like ...";
# the word may be an English word, but not a common one, a role, a service or a pronoun
_SPEECH_ABOUT_RE = re.compile(r"\s+(?:has\s+|had\s+|then\s+|also\s+)?(?:said|says|told|tells|disclosed)\s+"
                              r"(?:she|he|they|her|him|them|that|mum|dad|nan|staff|me|us)\b")
_SENT_BREAK = frozenset(".!?\n;:•")
_SPEECH_FILLERS = frozenset("has had then also".split())
_SPEECH_WORDS = frozenset("said says told tells disclosed".split())
_AGENT_ENDINGS = ("er", "ers", "or", "ors", "ant", "ants", "ent", "ents", "ist", "ists", "ian", "ians", "ee", "ees")


def _lower_speaker(tv: _Text, work: str, words: set[str]) -> list[_Span]:
    out = []
    toks, lows = tv.toks, tv.lows
    for k in _positions(lows, words & _SPEECH_WORDS):
        j = k - 1
        if j >= 0 and lows[j] in _SPEECH_FILLERS:
            j -= 1
        if j < 0 or not toks[j][2].islower() or len(lows[j]) < 3:
            continue
        if j and not _SENT_BREAK.intersection(work[toks[j - 1][1]:toks[j][0]]):
            continue  # only a word opening a sentence
        low = lows[j]
        if low in _COMMON or low in _ROLE_WORDS or low in _ORG_WORDS or low in _STOP_WORDS or low in _NOT_SUBJECT \
                or low in _TITLES or low in _PLACES or low in _MONTH_WORDS or low in _LANGUAGES:
            continue
        if low in _EN and low.endswith(_AGENT_ENDINGS) and low not in _ANY_FIRST:
            continue  # "caller said she", "informant told us": an agent noun, not a name
        if _SPEECH_ABOUT_RE.match(work, toks[j][1]):
            out.append(toks[j][:2])
    return out


# two capitalised name syllables side by side: "Xiao Min is being kept home", "Thanh Huong said"
_SYLLABLES = _words("name_syllables.txt")


def _syllable_names(tv: _Text, work: str) -> list[_Span]:
    out = []
    toks, blows = tv.toks, tv.blows
    up = tv.upper_first
    for a, b in zip(up, up[1:]):
        if b == a + 1 and blows[a] in _SYLLABLES and blows[b] in _SYLLABLES and not toks[a][2].isupper() \
                and not toks[b][2].isupper() and work[toks[a][1]:toks[b][0]] == " ":
            out.append((toks[a][0], toks[b][1]))
    return out


# a concern about or for someone, by a capitalised word in no dictionary: "worried about Babajide"
_CONCERN_ABOUT = frozenset("""worried worry worries concerned concern concerns anxious scared fears fear safeguarding
    referral referred query queries update""".split())
_ABOUT_FOR = frozenset("about for re regarding".split())


def _concern_about(tv: _Text) -> list[_Span]:
    out = []
    toks, lows, blows, bases = tv.toks, tv.lows, tv.blows, tv.bases
    for j in tv.upper_first:
        if j < 2 or lows[j - 1] not in _ABOUT_FOR or lows[j - 2] not in _CONCERN_ABOUT:
            continue
        low, word = blows[j], bases[j]
        if word.isupper() or len(low) < 3 or low in _EN or low in _PLACES or low in _PLACES_GB or low in _ORG_WORDS \
                or low in _STOP_WORDS or low in _NOT_SURNAME_AFTER_TITLE or low in _LANGUAGES:
            continue
        out.append((toks[j][0], toks[j][0] + len(word)))
    return out


def _person_cues(tv: _Text, work: str, words: set[str]) -> list[_Span]:
    out = _lower_after_verb(tv, words) if not _LOWER_FIRST.isdisjoint(words) else []
    if words & _HOUSEHOLD_WORDS:
        out += _surname_household(tv, work)
    if "himself" in words or "herself" in words:
        out += _reflexive_subject(tv, work)
    if words & _SPEECH_WORDS:
        out += _lower_speaker(tv, work, words)
    if not _CONCERN_ABOUT.isdisjoint(words) and not _ABOUT_FOR.isdisjoint(words):
        out += _concern_about(tv)
    if not _SYLLABLES.isdisjoint(words):
        out += _syllable_names(tv, work)
    if ":" in work or "of" in words:
        out += _role_then_name(tv, work)
    if "the" in words:
        if words & _CONTACT_PLURAL_WORDS:
            out += _contact_plural(tv, work)
        if words & _PLURAL_SUBJECT_WORDS:
            out += _plural_subject(tv, work)
    return out


def _rank_names(tv: _Text, work: str, words: set[str]) -> list[_Span]:
    """Judged apart from the other names: a place word after a rank is still a surname ("PC Dale")."""
    return _rank_surname(tv, work) if words & _RANK_GATE else []


