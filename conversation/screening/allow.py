from __future__ import annotations

import re

from .data import _words_lines, _yaml
from .tokens import _Span, _digits


# --------------------------------------------------------------------------
# Detectors for the kinds that need no name logic (issue 14)
# --------------------------------------------------------------------------
_ALLOW = _yaml("allow.yaml")
_ALLOWED_PHONES = frozenset(re.sub(r"\D", "", str(p)) for p in _ALLOW.get("phones", []))
_MAILBOX_WORDS = frozenset(str(w).lower() for w in _ALLOW.get("mailbox_words", []))
_PLACES = frozenset(str(w).lower() for w in _ALLOW.get("places", []))
_ORG_HANDLES = frozenset(str(w).lower() for w in _ALLOW.get("handles", []))
_PHRASES_RE = re.compile(
    r"(?<![A-Za-z])(?:" + "|".join(
        re.escape(str(p)).replace(r"\ ", r"\s+").replace("'", "['’]?")
        for p in sorted(_ALLOW.get("phrases", []), key=len, reverse=True)) + r")(?![A-Za-z])",
    re.IGNORECASE,
)

_EPONYM_RE = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?['’]s\s+(?:Law|law|Syndrome|syndrome|Disease|disease)\b")
_PHRASES = [str(p) for p in _ALLOW.get("phrases", [])] + _words_lines("brands.txt")
_PHRASE_RES = [
    (frozenset(re.findall(r"[a-z]+", str(p).lower().replace("'s", ""))),
     re.compile(r"(?<![A-Za-z])" + re.escape(str(p)).replace(r"\ ", r"\s+").replace("'", "['’]?") + r"(?![A-Za-z])",
                re.IGNORECASE))
    for p in sorted(_PHRASES, key=len, reverse=True)
]
# Each phrase filed under its longest word, so a note checks only the phrases it could hold.
_PHRASE_INDEX: dict[str, list] = {}
for _need, _rx in _PHRASE_RES:
    _PHRASE_INDEX.setdefault(max(sorted(_need), key=len) if _need else "", []).append((_need, _rx))
_PHRASE_KEYS = frozenset(_PHRASE_INDEX)
_PHRASE_FIRST = frozenset(re.findall(r"[a-z]+", str(p).lower())[0] for p in _ALLOW.get("phrases", []))


_HELPLINE_BEFORE_RE = re.compile(r"\b(?:helpline|help\s+line|advice\s+line|line|freephone|hotline)\b[^.\n]{0,20}$", re.IGNORECASE)


def _allowed_phone(text: str, span: _Span) -> bool:
    d = _digits(text[span[0]:span[1]])
    national = "0" + d[2:] if d.startswith("44") else d
    if national.startswith(("080", "116", "03")):
        return True  # freephone, 116 and 03 numbers are organisations' lines, never a person's own
    if _ORG_BEFORE_PHONE_RE.search(text, max(0, span[0] - 60), span[0]):
        return True  # "Forced Marriage Unit on 020 ..."
    if d.startswith(("0800", "0808", "0300", "0345", "116")) and _HELPLINE_BEFORE_RE.search(text, max(0, span[0] - 40), span[0]):
        return True  # a national helpline, said to be one
    return _digits(text[span[0]:span[1]]).lstrip("+").removeprefix("44") in _ALLOWED_PHONES or \
        _digits(text[span[0]:span[1]]) in _ALLOWED_PHONES or \
        "0" + _digits(text[span[0]:span[1]]).removeprefix("44") in _ALLOWED_PHONES
_ORG_BEFORE_PHONE_RE = re.compile(r"\b[A-Z][a-z]+\s+(?:Unit|Service|Team|Helpline|Line|Centre|Trust|Charity|Foundation|"
                                  r"Office|Council|Hub|Desk|Project|Network|Campaign)\b[^.\n\d]{0,20}$")
