"""A family or household by its surname (round 10): "Both Ward kids", "the Nowak children",
"spoke to the Smiths", "The Wards are on plot 3"; the surname may also be an English or
organisation word ("Ward"), but not a community, a service or a year ("Traveller children",
"Foster families", "the Washington family hub")."""
from __future__ import annotations

import re

from .data import _words
from .namelists import (_ANY_FIRST, _ORG_WORDS, _PLACES, _ROLE_WORDS, _SURNAME_WORDS, _TITLES, _WIDE_NAMES,
                        _WIDE_SURNAMES)
from .tokens import _MONTH_WORDS, _Span, _Text
from .clean_shapes import _LANGUAGES

_NAMES_EXTRA = _words("names_extra.txt")

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


# a household by its plural surname after a contact verb: "spoke to the Smiths", "visited the Hughes"
_CONTACT_PLURAL_WORDS = frozenset("spoke speaking talked met visited rang phoned called told asked contacted saw seen visit "
                                   "referred supporting supported".split())  # a gate for _contact_plural
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
        span = _plural_stem(m, lambda st: (st in _WIDE_SURNAMES or st in _SURNAME_WORDS) and st not in _PLACES
                            and st not in _ROLE_WORDS)
        if span:
            out.append(span)
    return out


# a family by its plural surname as a subject: "The Wards are on plot 3", "the Nowaks have moved"
_PLURAL_SUBJECT_VERBS = ("are", "were", "have", "had", "live", "lived", "moved", "said", "say", "refused", "declined",
                         "arrived", "left", "own", "rent")
_PLURAL_SUBJECT_RE = re.compile(r"[Tt]he\s+([A-Z][a-z'’]{2,}?)(e?s)\s+(?:" + "|".join(_PLURAL_SUBJECT_VERBS) + r")\b")
_PLURAL_SUBJECT_WORDS = frozenset(_PLURAL_SUBJECT_VERBS)


def _plural_subject(tv: _Text, work: str) -> list[_Span]:
    out = []
    lows, toks = tv.lows, tv.toks
    for k in [j - 1 for j in tv.upper_first if j and lows[j - 1] == "the" and j + 1 < len(lows)
              and lows[j + 1] in _PLURAL_SUBJECT_WORDS]:
        m = _PLURAL_SUBJECT_RE.match(work, toks[k][0])
        if not m:
            continue
        span = _plural_stem(m, lambda st: (st in _WIDE_SURNAMES or st in _NAMES_EXTRA) and st not in _PLACES
                            and st not in _ROLE_WORDS and st not in _LANGUAGES)
        if span:
            out.append(span)
    return out


def _plural_stem(m: re.Match, is_surname) -> _Span | None:
    """The surname inside a plural (group 1 the stem, group 2 "s" or "es"): "Hughes" may be the
    Hughes or the Hughs; the first reading `is_surname` accepts."""
    low = m.group(1).lower()
    for st in (low, low + "e") if m.group(2) == "es" else (low,):
        if is_surname(st):
            return m.start(1), m.start(1) + len(st)
    return None


