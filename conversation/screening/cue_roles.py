"""Round 3 name cues: a word standing in apposition to a role, and names at a sentence's start.

General cues, not lists of names seen in misses: "Cliff, mum's dad, ...", "Mark (mum's
partner)", "dawn (mum)", "Hope (yr 7)", "Penny the childminder is ...", a word that is also a
common first name opening a sentence and doing something ("Robin is now staying ..."), two
first names joined by "and" ("Ruby and Jade are ..."), a lower-case first name and surname
opening a sentence ("mason whitfield was reported ..."), a first name and a capitalised word
before a person's verb ("Bridget Ward asked ...").
"""
from __future__ import annotations

import re
from bisect import bisect_left

from .cues import _PRED_RE, _STRONG_PRED_RE
from .namelists import (
    _AMBIGUOUS_FIRST,
    _ANY_FIRST,
    _EN,
    _NOT_NAMES_DATA,
    _ORG_WORDS,
    _PERSON_VERB_RE,
    _PLACE_PREFIX,
    _PLACES,
    _ROLE_WORDS,
    _STOP_WORDS,
    _TITLES,
    _WIDE_NAMES,
    _WIDE_SURNAMES,
    _WORD_NAMES,
)
from .tokens import _MONTH_WORDS, _Span, _Text, _fold

_ROLE_ALT = "|".join(sorted((re.escape(w) for w in _ROLE_WORDS), key=len, reverse=True))
_QUAL = r"(?:(?:step|half|older|younger|ex|foster|birth|paternal|maternal|new|former|little|big)[\s\-]?)?"
_OWNER = r"(?:(?:the|her|his|their|our|a|an|(?:mum|mam|mom|dad|mother|father|nan|nana|gran|grandma|grandad|aunt|auntie|uncle)['’]s)\s+){0,2}"
# "Cliff, mum's dad, is ...", "Frank, the grandad, ...", "Mark (mum's partner)", "mo (yr 10)".
_APPOSITION_RE = re.compile(
    r"(?<![\w'’@.\-])([A-Za-z][a-z'’\-]+)(?:\s*,\s*" + _OWNER + _QUAL + r"(?:" + _ROLE_ALT + r")\s*,"
    r"|\s*\(\s*" + _OWNER + _QUAL + r"(?:" + _ROLE_ALT + r")\s*\)"
    r"|\s*\(\s*(?:yr|year|y|aged?)\s*\d{1,2}\s*\))", re.IGNORECASE)
# "Penny the childminder is worried", "bill the stepdad answered": at a sentence's start.
_THE_ROLE_RE = re.compile(
    r"(?:^|(?<=[.!?;:\n]\s)|(?<=[.!?;:\n]))\s*([A-Za-z][a-z'’\-]+)\s+the\s+" + _QUAL + r"(?:" + _ROLE_ALT + r")"
    r"(?=\s+[a-z]|\s*,)", re.IGNORECASE)
# Not a name in front of a role: adverbs and fillers ("Later, the mum, ...", "Also (dad)").
_NOT_BEFORE_ROLE = _STOP_WORDS | _ROLE_WORDS | _ORG_WORDS | _MONTH_WORDS | _TITLES | frozenset(
    "meanwhile afterwards however apparently unfortunately sadly also then later earlier today yesterday tomorrow "
    "and or but so because who which that this these those there here where when while".split())
_NAME_WORDS = _ANY_FIRST | _WORD_NAMES | _AMBIGUOUS_FIRST
_FIRST_WORD_NAMES = (_NAME_WORDS & _EN) - _MONTH_WORDS - frozenset("will may can august".split())
_ROLE_OR_AGE = _ROLE_WORDS | frozenset("yr year y aged age".split())
_FUNCTION_WORDS = frozenset("and or but the a an of to in on at for with by from as is was be".split())
_PLACES_OF_A_CHILD = frozenset("nursery school class teacher classroom keyworker sw worker carer carers placement room "
                               "bedroom mum dad nan grandad house home flat".split())
# "Amber rating on the matrix", "Summer holiday": an -ing or plain word straight after a word-name is
# a noun it qualifies, not what a person does ("Robin is staying", "Summer was collected" keep theirs).
_BARE_ING_RE = re.compile(r"\s+[a-z]{3,}ing\b")
_PLURAL_PRED_RE = re.compile(r"\s+(?:are|were|have|had|both|said|told|say)\b")
_SENT_GAP_RE = re.compile(r"[.!?\n;:•\"“(]")
_ADJ_AFTER_RE = re.compile(r"\s+(?:is|was|has\s+been|will\s+be|seems|felt|feels)\s+(?:a|an|the|very|really|so|too|quite|"
                           r"more|less|over|difficult|hard|good|great|busy|long|short|fine|ok|okay|nice|lovely|warm|"
                           r"cold|wet|dry|here|coming|approaching|term|where|what|when|how|why)\b")


def _person_word(word: str) -> bool:
    """Could this word, in front of a role, be someone's name?"""
    low = _fold(word).lower().rstrip("'’")
    if word[0].isupper() and low in _NAME_WORDS and low not in _FUNCTION_WORDS and low not in _MONTH_WORDS:
        return True  # "Hope (yr 7)": a capitalised first name before a role
    if len(low) < 2 or low in _NOT_BEFORE_ROLE or low.endswith("ly") or (low in _PLACES and low not in _NAME_WORDS):
        return False
    if word[0].isupper():
        return low not in _NOT_NAMES_DATA or low in _NAME_WORDS
    return low in _NAME_WORDS or low in _WIDE_NAMES or (low not in _EN and len(low) >= 3)


def _round3_names(tv: _Text) -> list[_Span]:
    text = tv.text
    out: list[_Span] = []
    toks, lows, n = tv.toks, tv.lows, len(tv.toks)
    # Only around a role word (or "yr", "aged"): windows, not the whole text.
    roles = [k for k, lw in enumerate(tv.blows) if lw in _ROLE_OR_AGE]
    seen: set[int] = set()
    for k in roles if ("," in text or "(" in text) else ():
        lo, hi = toks[k][0] - 48, min(len(text), toks[k][1] + 8)
        j = k - 1
        while j >= 0 and toks[j][0] >= lo:  # a match starts at a token: try the few before the role
            after = text[toks[j][1]:toks[j][1] + 3]
            m = _APPOSITION_RE.match(text, toks[j][0], hi) if "," in after or "(" in after else None
            if m and m.start(1) not in seen and _person_word(m.group(1)):
                seen.add(m.start(1))
                out.append(m.span(1))
            j -= 1
    for k in roles:
        if k >= 2 and (lows[k - 1] == "the" or (k >= 3 and lows[k - 2] == "the")):
            lo = max(0, toks[k][0] - 40)
            for m in _THE_ROLE_RE.finditer(text, lo, min(len(text), toks[k][1] + 3)):
                if m.start(1) not in seen and _person_word(m.group(1)) and (
                        m.group(1)[0].isupper() or _fold(m.group(1)).lower() in _NAME_WORDS):
                    seen.add(m.start(1))
                    out.append(m.span(1))
    starts = tv.starts
    firsts = sorted({0} | {bisect_left(starts, m.start()) for m in _SENT_GAP_RE.finditer(text)} - {n}) if n else []
    for k in firsts:
        s, e, word = toks[k]
        if not word[0].isupper() or word.isupper():
            continue
        low = tv.blows[k]
        after = text[e:e + 60].lower()
        if low in _FIRST_WORD_NAMES and not tv.poss[k]:
            # "Robin is now staying ...", "Summer was collected by ..." (not "Summer was busy")
            if _PRED_RE.match(after) and not _ADJ_AFTER_RE.match(after) and not _BARE_ING_RE.match(after):
                out.append((s, e))
                continue
        if low in _NAME_WORDS and k + 2 < n and lows[k + 1] == "and" and toks[k + 2][2][0].isupper() \
                and tv.blows[k + 2] in _NAME_WORDS and (_PRED_RE.match(text, toks[k + 2][1])
                                                         or _PLURAL_PRED_RE.match(text, toks[k + 2][1])):
            out += [(s, e), toks[k + 2][:2]]  # "Ruby and Jade are twins"
            continue
        if tv.poss[k] and low in _NAME_WORDS and k + 1 < n and (lows[k + 1] in _ROLE_WORDS or lows[k + 1] in _PLACES_OF_A_CHILD) \
                and not (k > 0 and lows[k - 1].rstrip(".") in _PLACE_PREFIX):
            out.append((s, s + len(tv.bases[k])))  # "Honey's nursery are concerned"
            continue
        if low in _ANY_FIRST and low not in _AMBIGUOUS_FIRST and k + 1 < n and toks[k + 1][2][:1].isupper() \
                and text[e:toks[k + 1][0]] == " " and (
                    _STRONG_PRED_RE.match(text, toks[k + 1][1]) or _PERSON_VERB_RE.match(text, toks[k + 1][1])):
            out.append((s, toks[k + 1][1]))  # "Bridget Ward asked ..."
    # "mason whitfield was reported missing": a lower-case first name and surname opening a sentence.
    for k in firsts:
        s, e, word = toks[k]
        if k + 1 >= n or not word.islower():
            continue
        a, b = lows[k], lows[k + 1]
        if a in _NOT_BEFORE_ROLE or b in _NOT_BEFORE_ROLE or not toks[k + 1][2].islower():
            continue
        first_ok = a in _ANY_FIRST or (a not in _EN and len(a) >= 3)
        last_ok = b in _WIDE_SURNAMES or (b not in _EN and len(b) >= 3)
        if first_ok and last_ok and (a not in _EN or b not in _EN) and text[e:toks[k + 1][0]] == " " \
                and _PRED_RE.match(text, toks[k + 1][1]):
            out.append((s, toks[k + 1][1]))
    return out
