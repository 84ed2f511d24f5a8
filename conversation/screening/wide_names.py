from __future__ import annotations

import re

from .allow import _PLACES
from .cues import _CAPS_TOKEN_RE, _ORG_RUN_WORDS, _PRED_RE
from .data import _words, _words_lines
from .namelists import (
    _EN,
    _AMBIGUOUS_FIRST,
    _ANY_FIRST,
    _CAP_WORD_AFTER_RE,
    _COMMON,
    _CONDITIONS,
    _DICTIONARY_FIRST,
    _EPONYM_WORDS,
    _FAMILY_AFTER_RE,
    _FIRST_NAMES,
    _INITIAL_SURNAME_RE,
    _INTERESTING,
    _LOWER_NAME_CONTEXT,
    _NOT_NAMES_HAND,
    _ORG_AFTER_RE,
    _ORG_WORDS,
    _PERSON_VERB_RE,
    _PLACE_BEFORE_RE,
    _PLACE_PREFIX,
    _PLACES_GB,
    _ROLE_WORDS,
    _SAID_AFTER_RE,
    _STOP_WORDS,
    _SURNAME_CONTEXT_RE,
    _SURNAME_CONTEXT_WORDS,
    _SURNAME_SHAPE_RE,
    _TITLES,
    _TITLES_LOWER_ONLY,
    _TITLE_FIRST,
    _WIDE_FIRST,
    _WIDE_NAMES,
    _WIDE_SURNAMES,
)
from .tokens import _split_possessive, _MONTH_WORDS, _Span, _Text, _fold, _overlaps, gap_is_space


def _run_end(text: str, end: int) -> int:
    """The end of the capitalised run a name ends or continues ("Jenny| Lind")."""
    return _CAP_WORD_AFTER_RE.match(text, end).end()


# Hyphenated place names: "Ashton-under-Lyne", "Stratford-upon-Avon", "Weston-super-Mare".
_HYPHEN_PLACE_RE = re.compile(r"[A-Za-z]+-(?:under|upon|on|super|le|la|en|in|by|with|next|cum|over|the|de)-[A-Za-z]")
# Moving somewhere: "relocating to Lewis", "placed in Stanley" (a UK place word, not only a place abroad).
_MOVED_TO_RE = re.compile(r"\b(?:relocat\w*|mov(?:e|ed|es|ing)|placed|placement|transferr\w*|rehoused|housed|"
                          r"evacuated|emigrat\w*)\s+(?:\w+\s+){0,2}(?:to|in|into|out\s+to|up\s+to|down\s+to)\s+$", re.IGNORECASE)


_PLACE_NOUNS = _words("place_nouns.txt")
_MEDIA_WORDS = _words("media_words.txt") - {"single:"}
_MEDIA_SINGLE = frozenset(w for line in _words_lines("media_words.txt") if line.startswith("single:")
                          for w in line.split(":", 1)[1].split())
_LOWER_AFTER_RE = re.compile(r"\s+([a-z][a-z\-]+)\b")
_CAP_BEFORE_RE = re.compile(r"[A-Z][a-z'’\-]+\s$")


# Said to be a thing, not a person: "X is the app ...", "X is another game", "X was the school ...".
_A_THING_RE = re.compile(
    r"\s+(?:is|was|are|were)\s+(?:the|a|an|another|one)\s+(?:(?:catholic|local|new|other|only|main|same|nearest|usual|"
    r"secondary|primary|special|free|online|popular|big|small|chat|dating|social|gaming)\s+)?"
    r"(?:app|apps|game|games|website|site|platform|programme|program|show|series|drug|medication|medicine|brand|"
    r"school|secondary|primary|nursery|academy|college|club|area|estate|town|village|city|church|mosque|shop|"
    r"charity|service|hospital|clinic|ward|street|road|film|book|song|band)"
    r"(?=\s*$|\s*[,.;:!?)]|\s+(?:she|he|they|that|which|where|for|in|on|at|near|with|by|we|you|i|and|but|so|the|all|everyone|people|kids)\b)",
    re.IGNORECASE)
# What is said of a place, not a person: distance, area, county.
_PLACE_PRED_RE = re.compile(
    r"\s+(?:is|was|isn['’]t|wasn['’]t|will\s+be|would\s+be)\s+(?:just\s+|quite\s+|too\s+|very\s+|really\s+)?"
    r"(?:out\s+of\s+(?:county|area|borough|the\s+area|the\s+county|the\s+borough)|"
    r"a\s+(?:long|fair|short)\s+(?:bus\s+|train\s+|car\s+|taxi\s+)?(?:way|drive|trip|journey|ride|walk)|"
    r"far\b|miles\s+away|(?:an?\s+|\d+\s+)?(?:hour|hours|miles|minutes)\s+(?:away|drive|from)|nearer|closer|nearby|on\s+the\s+(?:coast|border)|"
    r"in\s+(?:the\s+)?(?:north|south|east|west|midlands)|over\s+the\s+border|across\s+the\s+(?:border|county))")


def _is_place(text: str, span: _Span) -> bool:
    """'placed in Beverley': a place that is also a name, after a place preposition."""
    if _HYPHEN_PLACE_RE.match(text, span[0]):
        return True
    word = _split_possessive(text[span[0]:span[1]])[0].lower()
    if word in _PLACES_GB and text[span[1] - 2:span[1]] not in ("'s", "’s") and _MOVED_TO_RE.search(text, max(0, span[0] - 40), span[0]):
        return True
    if (word in _PLACES_GB or word in _PLACES or word not in _ANY_FIRST) and _PLACE_PRED_RE.match(text, span[1]):
        return True  # "Stanley is out of county", "Beverley is a long way for contact": said of a place
    if word in _PLACES_GB and word not in _ANY_FIRST and " " not in text[span[0]:span[1]] and _SAID_AFTER_RE.match(text, span[1]):
        return True  # "Leeds said the transfer will go ahead": the council of a place, not a person
    return word in _PLACES and _PLACE_BEFORE_RE.search(text, max(0, span[0] - 12), span[0]) is not None \
        and _SPOKE_TO_RE.search(text, max(0, span[0] - 24), span[0]) is None


# "spoke to Hope", "talked with Shirley": a person, though the word is also a place.
_SPOKE_TO_RE = re.compile(r"\b(?:spoke|speak|speaking|spoken|talked|talking|talk|chatted|chatting|said|explained|wrote|"
                          r"listened|introduced|messaged|texted|lied|disclosed|confided|apologised|shouted|sent)\s+"
                          r"(?:it\s+|this\s+|that\s+)?to\s+$|\b(?:scared|afraid|frightened|terrified|wary|fond)\s+of\s+$",
                          re.IGNORECASE)


# Round 10: first names from the core lists (not names-dataset's, which hold many places abroad), and
# the words of moving or being from somewhere, after which even such a word is a place ("fled from Goma").
_CORE_FIRST = (_words("names_first.txt") | _words("names_extra.txt") | _FIRST_NAMES) & _WIDE_FIRST
_MOTION_BEFORE_RE = re.compile(r"\b(?:moved|moving|came|come|comes|fled|flee|arrived|returned|travelled|traveled|flew|fly|"
                               r"flying|lives|lived|living|live|born|originally|relocated|back|deported|visiting|visited|"
                               r"holiday|trip|flight|flights|family|is|are|was|were)\b[^.;\n]*$", re.IGNORECASE)


def _scan_wide_names(tv: _Text, known: list[_Span], words: set[str]) -> list[_Span]:
    text, toks = tv.text, tv.toks
    out: list[_Span] = []
    if words & _TITLE_FIRST:
        n = len(toks)
        lows = tv.lows
        for k in [i for i, lw in enumerate(lows) if lw in _TITLE_FIRST and i + 1 < n]:
            t1 = lows[k]
            j = k + 1
            title = t1
            if k + 2 < n and f"{t1} {lows[k + 1]}" in _TITLES:
                title = f"{t1} {lows[k + 1]}"
                j = k + 2
            elif t1 not in _TITLES:
                continue
            gap = text[toks[j - 1][1]:toks[j][0]]
            if gap not in (" ", ". ", ".", "\u00a0"):
                continue
            word = toks[j][2]
            w = _split_possessive(word)[0].lower()
            if w in _STOP_WORDS or w in _ORG_WORDS or w in _COMMON or w in _TITLES or (w in _PLACES and not word[0].isupper()):
                continue  # "DC Hartley", "Mr Preston": after a title a capitalised place word is a surname (round 5)
            if word[0].islower() or title in _TITLES_LOWER_ONLY:
                if w not in _WIDE_NAMES:
                    continue
            elif not word[0].isupper() or word.isupper():
                continue
            out.append((toks[j][0], toks[j][1]))
    for m in (_SURNAME_CONTEXT_RE.finditer(text) if words & _SURNAME_CONTEXT_WORDS else ()):
        w = m.group(1).lower()
        if w in _STOP_WORDS or w in _ORG_WORDS or w in _PLACES or w in _COMMON:
            continue
        out.append(m.span(1))
    covered = known + out
    wide = _WIDE_NAMES
    n = len(toks)
    lows = tv.lows
    interesting = _INTERESTING
    upper = tv.upper_first
    blows = tv.blows
    for k in sorted(set(upper).union([k for k, lw in enumerate(blows) if lw in interesting])):
        # a capital, or a name in the lists (a possessive "aoife's" too)
        s, e, word = toks[k]
        low = lows[k]
        if not word[0].isupper() and low not in interesting and not (low[-2:] in ("'s", "’s") and low[:-2] in interesting):
            continue
        base, poss = word, False
        if low not in wide and low[-1] in "'’s":
            base, poss = _split_possessive(word)
            low = base.lower()
        nxt = toks[k + 1][2] if k + 1 < n else ""
        nxt_low = lows[k + 1] if k + 1 < n else ""
        if poss and k + 1 < n and nxt_low.rstrip("s") in _ROLE_WORDS and low in _ANY_FIRST and gap_is_space(text, e, toks[k + 1][0]):
            if not (k > 0 and toks[k - 1][2].lower() in _PLACE_PREFIX):
                out.append((s, e))  # "grace's mum", "Aoife's dad"
                continue
        if low not in wide:
            # "Rose came in upset": a name that is also a word, doing something a person does.
            if base[:1].isupper() and not base.isupper() and low in _AMBIGUOUS_FIRST and low not in _MONTH_WORDS \
                    and low not in _STOP_WORDS and low not in _ORG_WORDS \
                    and _PERSON_VERB_RE.match(text, e) and not (k > 0 and toks[k - 1][2].lower() in ("the", "a", "an")):
                out.append((s, e))
            # "Kowalczyk family have moved": a surname-shaped word before family/household.
            elif base[:1].isupper() and _FAMILY_AFTER_RE.match(text, e) and _SURNAME_SHAPE_RE.search(low) \
                    and low not in _STOP_WORDS and low not in _ORG_WORDS:
                out.append((s, e))
            continue
        if _overlaps(s, e, covered):
            continue
        if k > 0 and toks[k - 1][2].lower().rstrip(".") in _PLACE_PREFIX:
            continue  # "St Mary's", "Mount Pleasant"
        cap = base[:1].isupper() and not base.isupper()
        if cap:
            sent_start = k == 0 or any(c in ".!?\n;:•\"“" for c in text[toks[k - 1][1]:s])
            if _PLACE_BEFORE_RE.search(text, max(0, s - 12), s) and low not in _FIRST_NAMES and (
                    low in _PLACES_GB or low in _PLACES or low in _EN or low not in _CORE_FIRST
                    or _MOTION_BEFORE_RE.search(text, max(0, s - 30), s)):
                continue  # round 10: a first name in no dictionary and no gazetteer is no place ("update from Tayla")
            nxt_cap = nxt[:1].isupper() and not nxt.isupper()
            if nxt_cap and nxt_low in _ORG_WORDS:
                continue  # "Rahman Centre"
            if _ORG_AFTER_RE.match(text, e):
                continue  # "Jenny Lind children's ward"
            first_name = low in _WIDE_FIRST and not (low in _DICTIONARY_FIRST and not _PRED_RE.match(text, e))
            if sent_start and not (nxt_cap or poss or first_name or _SAID_AFTER_RE.match(text, e)
                                   or _FAMILY_AFTER_RE.match(text, e)):
                continue
            out.append((s, e))
        elif base.islower() and low in _WIDE_FIRST:
            prev = toks[k - 1][2].lower().rstrip("'’s") if k > 0 else ""
            if prev in _LOWER_NAME_CONTEXT and low not in _MODAL_VERBS:
                out.append((s, e))  # "mum aoife"
            elif nxt_low in _WIDE_SURNAMES and gap_is_space(text, e, toks[k + 1][0]):
                out.append((s, e))  # "kerry okafor", "mehwish akhtar says"
            elif (_SAID_AFTER_RE.match(text, e) or _PERSON_VERB_RE.match(text, e)) and low not in _COMMON:
                out.append((s, e))  # "mihaela said", "kacper went missing"
            elif low not in _EN and len(low) >= 4:
                out.append((s, e))  # "lidia"/"oksana" alone: a lower-case first name that is no English word
    # "J. Kowalski signed": an initial and a surname.
    for m in _INITIAL_SURNAME_RE.finditer(text):
        if m.group(1).lower() in _WIDE_SURNAMES:
            out.append(m.span())
    return out


def _not_a_person(text: str, span: _Span) -> bool:
    """A name inside an organisation's or a thing's name, or an eponym ("Noah's Ark Children's
    Hospital", "the Jay report", "Pierre Robin sequence", "nan has Raynaud's")."""
    end = _run_end(text, span[1])
    if _ORG_AFTER_RE.match(text, end):
        return True
    run = text[span[0]:end]
    caps = _CAPS_TOKEN_RE.findall(run)
    if any(_split_possessive(w)[0].lower() in _ORG_RUN_WORDS for w in caps[1:]):
        return True
    if len(caps) > 1 and caps[1].lower() in _EPONYM_WORDS:
        return True  # "Martha's Rule", "Jade's Law", "Gillick Principle": a name on a rule, not a person here
    m = re.match(r"['’]?s?\s+([A-Za-z]+)", text[end:end + 30])
    if m and m.group(1).lower() in _EPONYM_WORDS:
        return True
    after = _LOWER_AFTER_RE.match(text, end)
    if after and text[end - 2:end] not in ("'s", "’s"):
        noun = after.group(1)
        full = len(caps) > 1 or _CAP_BEFORE_RE.search(text, max(0, span[0] - 30), span[0]) is not None
        if noun in _PLACE_NOUNS or (noun in _MEDIA_WORDS and full) or noun in _MEDIA_SINGLE:
            return True  # "Thomas Telford school", "Stanley park", "Harry Kane shirt"
    word = _split_possessive(text[span[0]:span[1]])[0]
    if text[span[1] - 2:span[1]] in ("'s", "’s") and word.lower() in _CONDITIONS:
        return True
    if _A_THING_RE.match(text, end):
        return True  # "Yubo is the app she was using", "Christ the King is the catholic secondary"
    if " " not in word and _fold(word).lower() in _NOT_NAMES_HAND:
        return True  # "Stonewall training", "Kooth helped": organisations, not people
    return False


_MODAL_VERBS = frozenset("will may can could would should must might shall".split())  # "the sw will call"
