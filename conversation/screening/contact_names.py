"""A name inside an email address or handle (round 5): "janinemarsh@…", "@cerysxo_14", "jb_mcgowan@…".

The address is refused as an email or handle anyway; this says it also holds a name, as the
independent sets label it, so the finding is not a weaker kind than what was typed. A piece of
the local part (letters between digits, dots, dashes and underscores, with decorative x's
trimmed: "xXcallumXx") is a name when it is, begins with or ends with a listed first name or
surname of four letters or more ("janinemarsh"), or is a listed name of three letters.
"""
from __future__ import annotations

import re

from .namelists import _ANY_FIRST, _WIDE_SURNAMES
from .tokens import _Span

# Every first-name list, also the names that are words ("grace" in "gracesmum@..."): the address
# is refused anyway, so a word-name costs no false alarm here.
_NAMES = _ANY_FIRST | _WIDE_SURNAMES
_PIECE_RE = re.compile(r"[a-z]+")
_SPELLED_AT_RE = re.compile(r"\s*(?:\(at\)|\[at\]|\{at\}|\bat\b|@)", re.IGNORECASE)


def _holds_name(local: str) -> bool:
    for piece in _PIECE_RE.findall(local.lower()):
        piece = piece.strip("x") if len(piece) > 5 else piece
        if len(piece) == 3 and piece in _NAMES:
            return True
        for cut in range(len(piece), 3, -1):
            if piece[:cut] in _NAMES or piece[len(piece) - cut:] in _NAMES:
                return True
    return False


def _names_in_contacts(text: str, spans: list[_Span]) -> list[_Span]:
    """The email or handle spans whose local part holds a name."""
    out = []
    for a, b in spans:
        found = text[a:b].lstrip("@")
        m = _SPELLED_AT_RE.search(found)
        local = found[:m.start()] if m else found
        if _holds_name(local):
            out.append((a, b))
    return out
