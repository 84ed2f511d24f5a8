"""Clean shapes that look like a person (round 10): a venue after "the" ("a trip to the Lowry"),
a service's compound noun after a name ("the Washington family hub"), a language
(``languages.txt``; one that is also a listed name only beside a language cue)."""
from __future__ import annotations

import re

from .data import _words
from .namelists import _ANY_FIRST, _WIDE_NAMES
from .tokens import _Span

_LANGUAGES = _words("languages.txt")
# a language that is also a listed name ("Shona", "Akan") is a language only beside a language cue
_NAME_LANGUAGES = frozenset(w for w in _LANGUAGES if w in _ANY_FIRST or w in _WIDE_NAMES)
_LANG_CUE_RE = re.compile(r"\b(?:speaks?|spoke|spoken|speaking|language|languages|interpreter|interpreters|translator|"
                          r"translated|fluent|dialect|dialects|bilingual)\b", re.IGNORECASE)

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

