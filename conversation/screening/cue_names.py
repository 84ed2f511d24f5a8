from __future__ import annotations

import re

from .allow import _PLACES
from .cues import (
    _CONTACT_BEFORE_RE,
    _CONTACT_LAST,
    _DOTTED_INITIALS_RE,
    _DOTTED_NOT_NAME,
    _INITIALS_ROLE_RE,
    _KIN_AFTER_RE,
    _LOWER_SURNAME_CONTEXT_RE,
    _NAME_ROLE_BRACKET_RE,
    _NICKNAME_RE,
    _ORG_RUN_WORDS,
    _PLACE_PREP_BEFORE_RE,
    _PLURAL_SURNAME_RE,
    _ROLE_INITIALS_RE,
    _STRONG_CONTACT_RE,
    _STRONG_PRED_RE,
    _name_like,
    _pred,
    _unknown,
)
from .namelists import (
    _AMBIGUOUS_FIRST,
    _CONDITIONS,
    _EN,
    _EPONYM_WORDS,
    _FAMILY_AFTER_RE,
    _INTERESTING,
    _NOT_NAME,
    _NOT_NAMES_DATA,
    _ORG_WORDS,
    _PLACE_PREFIX,
    _ROLE_WORDS,
    _STOP_WORDS,
    _SURNAME_CONTEXT_WORDS,
    _WIDE_SURNAMES,
    _WORD_NAMES,
)
from .names import _camel_case
from .tokens import _MONTH_WORDS, _Span, _Text, _fold, _overlaps


_WHERE_AFTER_RE = re.compile(r"\s+(?:is|was|will\s+be)\s+(?:where|when|what|how|why)\b")


def _round2_names(tv: _Text, covered: list[_Span]) -> list[_Span]:
    text, toks, lows = tv.text, tv.toks, tv.lows
    words_r2 = set(lows)
    n = len(toks)
    out: list[_Span] = []
    mask = bytearray(len(text))
    for a, b in covered:
        mask[a:b] = b"\x01" * (b - a)
    plain = _EN_PLAIN
    for k in sorted(set(tv.upper_first).union([k for k, lw in enumerate(lows) if lw not in plain])):
        # most tokens, plain lower-case English words, are skipped above
        s, e, word = toks[k]
        if mask.find(1, s, e) != -1:
            continue
        base, poss = tv.bases[k], tv.poss[k]
        if len(base) < 2 or base.isupper():
            continue
        be = s + len(base)
        low = _fold(base).lower()
        word_name = low in _WORD_NAMES or low in _AMBIGUOUS_FIRST
        if (low in _NOT_NAME and not word_name) or low in _NOT_NAMES_DATA or _camel_case(base):
            continue
        known = low in _INTERESTING or word_name or (low[:2] == "mc" or low[:2] in ("o'", "o’")) and len(low) > 4
        unknown = _unknown(base)
        if not (known or unknown):
            continue  # a capitalised common word ("The", "School")
        cap = base[0].isupper()
        before = text[max(0, s - 30):s]
        after = text[be:be + 60]
        after_low = after.lower()
        prev = lows[k - 1] if k else ""
        sent_start = k == 0 or not _SENT_GAP.isdisjoint(text[toks[k - 1][1]:s])
        nxt = toks[k + 1][2] if k + 1 < n else ""
        if nxt and _fold(nxt).lower().rstrip("'’s") in _EPONYM_WORDS and not poss:
            continue  # "Gillick principle", "Osman warning"
        if poss and (low in _CONDITIONS or _HAS_BEFORE_RE.search(before)):
            continue  # "mum has Addison's"
        if not word_name and _FAMILY_AFTER_RE.match(text, be) and not (k > 0 and lows[k - 1] in ("a", "an")):
            out.append((s, be))  # "mcdonagh boys fighting", "Przybylski family"
            continue
        contact = k > 0 and (lows[k - 1] in _CONTACT_LAST or lows[k - 1] in ("to", "with")) and \
            _CONTACT_BEFORE_RE.search(before) is not None
        if poss:
            m = _KIN_AFTER_RE.match(text, be)
            rel = m.group(1).lower() if m else ""
            rel_ok = rel.rstrip("s") in _ROLE_WORDS or rel in _ROLE_WORDS or rel in (
                "host", "upn", "nhs", "dob", "number", "phone", "mobile", "address", "house", "home", "flat", "room",
                "school", "class", "teacher", "sw", "keyworker", "worker", "bedroom", "birthday", "carers", "placement",
                "bf", "gf", "ex", "mate", "mates", "friends", "family", "uncle", "auntie", "nan", "grandad", "cousin")
            if cap and rel in _ID_WORDS_AFTER:
                out.append((s, be))  # "Mikey's NHS number"
                continue
            if rel_ok and (unknown or low in _INTERESTING or (word_name and not cap)):
                if not (k > 0 and lows[k - 1].rstrip(".") in _PLACE_PREFIX):
                    out.append((s, be))
                    continue
        if cap:
            if not sent_start and _PLACE_PREP_BEFORE_RE.search(before) and not contact:
                continue
            if k > 0 and lows[k - 1] in _PLACES and toks[k - 1][2][:1].isupper() and text[toks[k - 1][1]:s] == " ":
                continue  # "Leeds Beckett", "Merthyr Tydfil"
            nxt_tok = toks[k + 1] if k + 1 < n else None
            nxt_joined = nxt_tok is not None and text[e:nxt_tok[0]] in (" ", "\u00a0") and not poss
            if nxt_joined and nxt[:1].isupper() and _fold(nxt).lower().rstrip("'’s") in _ORG_RUN_WORDS:
                continue
            if unknown:
                if (_pred(after_low) or contact or not base.isascii()
                        or (nxt_joined and nxt[:1].isupper() and _pred(text[toks[k + 1][1]:toks[k + 1][1] + 60].lower()))
                        or (nxt_joined and nxt[:1].isupper() and not nxt.isupper() and _name_like(nxt))
                        or (poss and sent_start)):
                    out.append((s, be))
                    continue
            elif word_name and low not in _MONTH_WORDS:
                if _STRONG_PRED_RE.match(after_low) or (contact and prev not in ("and", "with", "for", "from", "by")):
                    out.append((s, be))
                    continue
            elif low in _INTERESTING:
                if _WHERE_AFTER_RE.match(after_low):
                    continue  # "April is when the tenancy ends", "Lincoln is where ...": a time or a place
                if (sent_start and (_pred(after_low) or (nxt_joined and nxt[:1].isupper() and _name_like(nxt)))) or \
                        (contact and prev not in ("and", "with", "by")):
                    out.append((s, be))  # "scared of Dwayne", "told Kerry"
                    continue
        else:
            if not base.islower() or len(low) < 3:
                continue
            if low in _MODAL_WORDS and (prev in _ROLE_WORDS or prev in _SUBJECT_ABBREVIATIONS):
                continue  # "the sw will do a visit": a modal verb after its subject
            if word_name or low in _EN:
                # lower-case word-names need a strong cue: "hunter missing", "told joy"
                if (sent_start and _STRONG_PRED_RE.match(after_low)) or (
                        contact and re.search(r"\b(?:told|asked|saw|met|with|to|sw|hv)\s+$", before, re.IGNORECASE)
                        and not re.match(r"\s+(?:of|and|is)\b", after_low)):
                    out.append((s, be))
                continue
            if low in _INTERESTING:
                if contact or _pred(after_low):
                    out.append((s, be))  # "chatted to kacper", "thanh found at the raid"
            elif (len(low) >= 5 and _STRONG_CONTACT_RE.search(before)) or (sent_start and _STRONG_PRED_RE.match(after_low)):
                out.append((s, be))  # a word in no list: only with a strong cue ("sw kelechi")
    # "saw the Nowaks at clinic", "the Mongans on the site".
    for m in (_PLURAL_SURNAME_RE.finditer(text) if "the" in words_r2 and _THE_CAP_RE.search(text) else ()):
        stem = m.group(1)
        lw = _fold(stem).lower()
        if lw in _NOT_NAME or _overlaps(*m.span(1), covered + out):
            continue
        if _unknown(stem) and (lw + "s") not in _EN:
            if not re.match(r"\s+[A-Z][a-z]+", text[m.end():m.end() + 20]):
                out.append(m.span(1))
        elif lw in _WIDE_SURNAMES and _pred(text[m.end():m.end() + 60].lower()) or re.match(
                r"\s+(?:want|wants|are|were|have|had|say|said|told|refused|refuse|moved|live|lived)\b", text[m.end():m.end() + 20]):
            if lw in _WIDE_SURNAMES:
                out.append(m.span(1))  # "the Walshes want a meeting"
    # "the kowalczuk address": a surname in lower case before a household word.
    for m in (_LOWER_SURNAME_CONTEXT_RE.finditer(text) if words_r2 & _SURNAME_CONTEXT_WORDS else ()):
        lw = _fold(m.group(1)).lower()
        if lw not in _NOT_NAME and (lw in _WIDE_SURNAMES or _unknown(m.group(1))) and lw not in _EN:
            out.append(m.span(1))
    # Nicknames: "lil jay", "Big Mo".
    for m in (_NICKNAME_RE.finditer(text) if words_r2 & _NICKNAME_WORDS else ()):
        lw = _fold(m.group(2)).lower()
        if lw in _ROLE_WORDS or lw in _STOP_WORDS or lw in _NOT_NAMES_DATA:
            continue
        if m.group(1).lower().startswith("lil") or m.group(2)[0].isupper() and m.group(1)[0].isupper():
            out.append(m.span(2))
    for m in (_DOTTED_INITIALS_RE.finditer(text) if _DOTTED_HINT_RE.search(text) else ()):
        if re.sub(r"[.\s]", "", m.group()) not in _DOTTED_NOT_NAME:
            out.append(m.span())
    if _CAPS_IN_PUNCT_RE.search(text):
        out += [m.span(1) for m in _ROLE_INITIALS_RE.finditer(text)]
    bracket = "(" in text
    if bracket and _CAPS_BRACKET_RE.search(text):
        out += [m.span(1) for m in _INITIALS_ROLE_RE.finditer(text)]
    for m in (_NAME_ROLE_BRACKET_RE.finditer(text) if bracket else ()):
        lw = _fold(m.group(1)).lower()
        if lw not in _STOP_WORDS and lw not in _ORG_WORDS and lw not in _ROLE_WORDS and lw not in _THINGS_NOT_PEOPLE:
            out.append(m.span(1))
    return out


_ID_WORDS_AFTER = frozenset("nhs upn dob number phone mobile address email snap snapchat insta instagram tiktok "
                            "postcode ni chi".split())
_WORD_NAMES_ANY = _WORD_NAMES | _AMBIGUOUS_FIRST
_THINGS_NOT_PEOPLE = frozenset("the a an my his her their our this that who police school".split())
_NICKNAME_WORDS = frozenset("lil lil' lil’ big little young".split())
_HAS_BEFORE_RE = re.compile(r"\b(?:has|had|with|of)\s+$")
_EN_PLAIN = _EN - _WORD_NAMES_ANY
# Cheap gates: what each full-text pattern above cannot match without.
_THE_CAP_RE = re.compile(r"[Tt]he\s+[A-Z]")
_DOTTED_HINT_RE = re.compile(r"[A-Z]\.\s?[A-Z]\.")
_CAPS_IN_PUNCT_RE = re.compile(r"[,(]\s*[A-Z]{2,3}\s*[,)]")
_CAPS_BRACKET_RE = re.compile(r"[A-Z]\.?\s*\(")
_MODAL_WORDS = frozenset("will may can could would should must might shall".split())
_SUBJECT_ABBREVIATIONS = frozenset("sw hv dsl gp iro yot camhs mash police school he she they we i you it who".split())
_SENT_GAP = frozenset(".!?\n;:•\"“(")
