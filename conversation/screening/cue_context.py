"""Round 4 name cues from the words around a name, for names that are also English words.

A surname that is a word after a police rank or a title, in lower case too ("dc smith", "Insp
ward"); a family named in the plural with a verb ("the Smiths were out"); a name in brackets
after a role ("mums boyfriend (kev)", "child A (Ruby) said"); a name after "known as",
"nicknamed" or "goes by" ("known as scrappy"); a first name and an initial doing something
("Ruby M was upset"); a role, then a name between commas ("gran, pat, has the kids").
"""
from __future__ import annotations

import re
from bisect import bisect_left

from .cue_lower import _NAMES_THAT_ARE_WORDS, _NOT_SUBJECT, _nameish, _unknown_lower
from .cues import _PRED_RE
from .namelists import _ANY_FIRST, _EN, _ROLE_WORDS, _SURNAME_WORDS, _WIDE_SURNAMES
from .tokens import _Span, _Text, _fold

_RANKS = frozenset("pc dc ds di dci dsi sgt insp inspector detective constable sergeant mr mrs ms mx dr".split())
_PLURAL_VERB_RE = re.compile(r"\s+(?:are|were|have|had|said|say|told|refused|refuse|moved|live|lived|want|wanted|"
                             r"did|didn['’]?t|don['’]?t|won['’]?t|weren['’]?t|aren['’]?t)\b")
_INTRO_WORDS = frozenset("as nicknamed by aka".split())  # the word before the name
_INTRO_RE = re.compile(r"(?:known\s+as|nicknamed|goes\s+by|go\s+by|aka|a\.k\.a\.?)\s+[\"'“]?$", re.IGNORECASE)
_INITIAL_VERB_RE = re.compile(r" [A-HJ-Z]\.?(?=\s)")
_BRACKET_WORD_RE = re.compile(r"\(\s*([A-Za-z][a-z'’\-]+)\s*\)")
_COMMA_WORD_RE = re.compile(r",\s*([a-z][a-z'’\-]+)\s*,")
_KIN_AFTER = frozenset("mum mam mom dad nan nana gran grandad grandma brother sister cousin uncle auntie aunty aunt "
                        "stepdad stepmum family household house".split())
_FIRST_OR_SURNAME = _ANY_FIRST | _WIDE_SURNAMES | _SURNAME_WORDS | _NAMES_THAT_ARE_WORDS
_CONTEXT_FIRST = _RANKS | _INTRO_WORDS | {"the"}
_ROLE_OR_CHILD = _ROLE_WORDS | frozenset("child pupil yp boy girl baby sibling fella bloke partner bf gf".split())


def _round4_context(tv: _Text) -> list[_Span]:
    text, toks, lows, blows, n = tv.text, tv.toks, tv.lows, tv.blows, len(tv.toks)
    out: list[_Span] = []
    for k in [k for k, w in enumerate(lows) if w in _CONTEXT_FIRST and k + 1 < n]:
        low = lows[k]
        if low in _RANKS and text[toks[k][1]:toks[k + 1][0]] in (" ", ". "):
            w = blows[k + 1]
            nxt_cap = toks[k + 1][2][0].isupper()
            if w in _SURNAME_WORDS and (nxt_cap or k + 2 >= n or _PRED_RE.match(text, toks[k + 1][1])
                                        or not text[toks[k + 1][1]:toks[k + 2][0]].isspace()):
                out.append(toks[k + 1][:2])  # "dc smith took ...", "Insp Ward"
        elif low == "the":
            w = toks[k + 1][2]
            if w[:1].isupper() and w.endswith("s") and not w.isupper():
                stem = _fold(w[:-1]).lower()
                for st in (stem, stem[:-1]) if stem.endswith("e") else (stem,):
                    if st in _SURNAME_WORDS and _PLURAL_VERB_RE.match(text, toks[k + 1][1]):
                        out.append((toks[k + 1][0], toks[k + 1][0] + len(st)))  # "the Smiths were out"
                        break
        elif low in _INTRO_WORDS and _INTRO_RE.search(text, max(0, toks[k][0] - 12), toks[k + 1][0]):
            w = blows[k + 1]
            strong = low != "by" or toks[k + 1][2][0].isupper() or _unknown_lower(w)
            if strong and w not in _NOT_SUBJECT and len(w) >= 2 and w not in ("a", "an", "the"):
                out.append(toks[k + 1][:2])  # "an older lad known as scrappy"
    for k in [k for k, w in enumerate(lows) if w in _KIN_AFTER and k > 0]:
        w = lows[k - 1]
        if w[-1:] == "s" and w not in _EN and w[:-1] not in _ROLE_OR_CHILD and (_nameish(w[:-1]) or w[:-1] in _NAMES_THAT_ARE_WORDS):
            out.append(toks[k - 1][:2])  # "tashas mum called": a possessive without its apostrophe
    for k in [k for k, (_s, _e, w) in enumerate(toks) if "-" in w]:
        parts = blows[k].split("-")
        if len(parts) == 2 and all(p in _FIRST_OR_SURNAME for p in parts) and blows[k] not in _EN and (
                _PRED_RE.match(text, toks[k][1]) or (k + 1 < n and lows[k + 1] in _KIN_AFTER)):
            out.append(toks[k][:2])  # "mia-rose is on a plan", "Smith-Jones family"
    if "(" in text:
        for m in _BRACKET_WORD_RE.finditer(text):
            w = _fold(m.group(1)).lower()
            j = bisect_left(tv.starts, m.start()) - 1
            before = blows[j] if j >= 0 else ""
            if w in _NOT_SUBJECT or w in _ROLE_OR_CHILD:
                continue
            if m.group(1)[0].isupper() and _nameish(w):
                out.append(m.span(1))  # "child A (Ruby) said"
            elif before in _ROLE_OR_CHILD and (_nameish(w) or _unknown_lower(w) or w in _NAMES_THAT_ARE_WORDS
                                               or (len(w) <= 4 and w not in _EN)):
                out.append(m.span(1))  # "mums boyfriend (kev) was there"
    for m in _INITIAL_VERB_RE.finditer(text):
        j = bisect_left(tv.starts, m.start()) - 1
        if j >= 0 and toks[j][1] == m.start() and toks[j][2][0].isupper() and _nameish(blows[j]) \
                and _PRED_RE.match(text, m.end()):
            out.append((toks[j][0], m.end()))  # "Ruby M was upset"
    if "," in text:
        for m in _COMMA_WORD_RE.finditer(text):
            j = bisect_left(tv.starts, m.start()) - 1
            w = _fold(m.group(1))
            if j >= 0 and blows[j] in _ROLE_OR_CHILD and w not in _NOT_SUBJECT and (
                    _nameish(w) or w in _NAMES_THAT_ARE_WORDS or w in _WIDE_SURNAMES or _unknown_lower(w)):
                out.append(m.span(1))  # "gran, pat, has the kids"
    return out
