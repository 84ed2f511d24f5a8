from __future__ import annotations


from .cues import _PRED_RE
from .namelists import (
    _AFTER_AGE_RE,
    _AFTER_ROLE_RE,
    _AND_ROLE_RE,
    _FAMILY_AFTER_RE,
    _FIRST_OR_AMBIGUOUS,
    _GAP_AFTER_ROLE_RE,
    _DICTIONARY_FIRST,
    _HONORIFICS,
    _INTERESTING,
    _LONE_FIRST_NAMES,
    _NAME_CONNECTORS,
    _NAME_INTRO_RE,
    _NAME_PREFIXES,
    _ORG_WORDS,
    _PLACE_PREFIX,
    _ROLE_PAIRS,
    _ROLE_WORDS,
    _TITLES,
    _RUN_JOINERS,
    _SAID_AFTER_RE,
    _SENTENCE_GAP_CHARS,
    _STOP_OR_ORG,
    _STOP_WORDS,
    _THING_CALLED_RE,
    _inflected_en,
)
from .tokens import _split_possessive, _Span, _Text


def _looks_like_name(first: str, second: str | None) -> bool:
    f = _split_possessive(first)[0].lower()
    if second is None:
        return f in _LONE_FIRST_NAMES
    s = second.lower()
    if f in _STOP_WORDS or f in _ORG_WORDS or s in _STOP_WORDS or s in _ORG_WORDS:
        return False
    return f in _FIRST_OR_AMBIGUOUS or s in _LONE_FIRST_NAMES


def _camel_case(word: str) -> bool:
    """True for brand-like words ("FaceTimed", "WhatsApp"), not "McDonald"."""
    if word[1:].islower():
        return False  # no capital after the first letter (most words): nothing below can return True
    seg = 0
    for i in range(1, len(word)):
        c = word[i]
        if c in "-'’":
            seg = i + 1
        elif c.isupper() and i > seg and word[seg:i].lower() not in _NAME_PREFIXES:
            return True
    return False


def _scan_names(tv: _Text) -> list[_Span]:
    text = tv.text
    toks = tv.toks
    n = len(toks)
    if not n:
        return []
    hits: list[tuple[int, int]] = []

    base, low, poss, lows = tv.bases, tv.blows, tv.poss, tv.lows
    cap = [False] * n
    initial = [False] * n
    for k in tv.upper_first:
        b = base[k]
        if len(b) == 1:
            initial[k] = b not in "IA"
        else:
            cap[k] = not b.isupper()

    def gap(k: int) -> str:  # text between token k-1 and token k
        return text[toks[k - 1][1]:toks[k][0]]

    def sentence_break(k: int) -> bool:
        if k == 0:
            return True
        g = gap(k)
        if _SENTENCE_GAP_CHARS.isdisjoint(g):
            return False
        if "." in g and _HARD_BREAK_CHARS.isdisjoint(g):
            pl = low[k - 1]
            if pl in _HONORIFICS or pl in _PLACE_PREFIX or initial[k - 1]:
                return False
        return True

    def joined(k: int) -> bool:  # token k continues a capitalised run
        return not poss[k - 1] and gap(k) in (" ", "\u00a0")

    # Capitalised runs: (first, last, is_org).
    run_of: list[tuple[int, int, bool] | None] = [None] * n
    runs: list[tuple[int, int, bool]] = []
    nxt_free = 0
    for k in tv.upper_first:  # a run starts at a capital (cap or initial)
        if k < nxt_free or not (cap[k] or initial[k]):
            continue
        j = k
        while j + 1 < n:
            if (cap[j + 1] or initial[j + 1]) and joined(j + 1):
                j += 1
                continue
            # "University of Leeds", "Action for Children", "Team Around the Family"
            if (
                j + 2 < n
                and low[j + 1] in _RUN_JOINERS
                and not cap[j + 1]
                and cap[j + 2]
                and joined(j + 1)
                and joined(j + 2)
                and (low[j + 1] != "and" or low[j + 2] in _ORG_WORDS or low[j] in _ORG_WORDS)
            ):
                j += 2
                continue
            break
        if j == k:  # most runs are one word
            is_org = low[k] in _ORG_WORDS or (low[k] in _PLACE_PREFIX and cap[k])
        else:
            is_org = any(low[x] in _ORG_WORDS or (low[x] in _PLACE_PREFIX and cap[x]) for x in range(k, j + 1))
        if k > 0 and low[k - 1] in _PLACE_PREFIX and base[k - 1][0].isupper() and gap(k) in (". ", "."):
            is_org = True  # "St. Mary's"
        r = (k, j, is_org)
        runs.append(r)
        for x in range(k, j + 1):
            run_of[x] = r
        nxt_free = j + 1

    def candidate(x: int) -> bool:
        """A capitalised word that could be (part of) a person's name."""
        if not cap[x]:
            return False
        lw = low[x]
        if lw in _STOP_OR_ORG or lows[x] in _STOP_OR_ORG:
            return False
        if "-" in lw and lw.split("-", 1)[0] in _STOP_OR_ORG:
            return False  # "Facebook-messaged", "Social-care"
        if "-" in lw and _inflected_en(lw.rsplit("-", 1)[1]) and base[x].rsplit("-", 1)[1].islower():
            return False  # round 9: a compound verb, "Jack-knifed", "Sky-rocketing"
        if _camel_case(base[x]):
            return False
        r = run_of[x]
        return r is None or not r[2]

    role_or_pair = _ROLE_OR_PAIR_LAST
    for i in sorted(set(tv.upper_first).union([i for i, lw in enumerate(low) if lw in role_or_pair])):
        lw = low[i]  # rules 1 and 3 need a capital, rule 2 a role word
        # 1. Honorific + name: "Mrs Okafor", "Dr. Achebe", "Mr J Smith".
        if lw in _HONORIFICS and base[i][0].isupper() and not poss[i] and i + 1 < n:
            g = gap(i + 1)
            nxt = i + 1
            if g in (" ", ". ", "\u00a0") and (
                (cap[nxt] and low[nxt] not in _STOP_WORDS and low[nxt] not in _ORG_WORDS) or initial[nxt]
            ):
                if not (lw in ("miss", "master", "sir") and g != " "):
                    hits.append((i, i + 1)); continue

        # 2. Role word + name: "pupil Jayden", "mum, Kerry Hughes",
        #    "a boy called Jayden", "the young person (Kacey)", "mum kerry".
        if i + 1 < n and (lw in _ROLE_WORDS or (i > 0 and (low[i - 1], lw) in _ROLE_PAIRS and gap(i) == " ")):
            j = i + 1
            while j < n and low[j] in _NAME_CONNECTORS and not cap[j]:
                j += 1
            if j < n and not sentence_break(j) and _GAP_AFTER_ROLE_RE.fullmatch(gap(j)):
                if candidate(j):
                    hits.append((j, j)); continue
                if not cap[j] and low[j] in _LONE_FIRST_NAMES and not base[j].isupper():
                    hits.append((j, j)); continue

        # 3. A common first name: "said Jayden", "Olivia-Rose", and
        #    "Grace Williams" (ambiguous first name + surname).
        if cap[i] and candidate(i):
            if lw in _LONE_FIRST_NAMES and not (lw in _DICTIONARY_FIRST and sentence_break(i) and not poss[i]
                                                 and not _PRED_RE.match(text, toks[i][1])
                                                 and not (i + 1 < n and cap[i + 1] and low[i + 1] in _INTERESTING)):
                hits.append((i, i)); continue  # not "Lily pads and ...", "Jasmine tea was ...", "Ivy League"
            if "-" in lw:
                parts = base[i].split("-")
                # "Olivia-Rose", "Bailey-Jo": double-barrelled first names.
                if any(p.lower() in _LONE_FIRST_NAMES for p in parts):
                    hits.append((i, i)); continue
                if all(p[:1].isupper() for p in parts) and any(p.lower() in _FIRST_OR_AMBIGUOUS for p in parts):
                    hits.append((i, i)); continue
            if lw in _FIRST_OR_AMBIGUOUS and i + 1 < n and candidate(i + 1) and joined(i + 1):
                hits.append((i, i)); continue
            # 4. "her name is Brogan", "a man called Dean".
            if _NAME_INTRO_RE.search(text, max(0, toks[i][0] - 30), toks[i][0]) and not _THING_CALLED_RE.search(
                    text, max(0, toks[i][0] - 30), toks[i][0]):
                hits.append((i, i)); continue

    # 5. Name + person context: "Amelia Brown, the child", "Leo's mum",
    #    "Mia Robinson, aged 7", "Tyler (Year 8)", "the Hughes family".
    for run_first, last, is_org in runs:
        if is_org:
            continue
        k = last
        while k >= run_first and candidate(k):
            k -= 1
        first = k + 1  # trailing stretch of candidate words
        if first > last or last - first >= 3:
            continue
        length = last - first + 1
        end = toks[last][1]
        if poss[last]:
            m = _AFTER_ROLE_RE.match(text, end)
            if m and m.group(1).lower() in _ROLE_WORDS:
                hits.append((first, last)); continue
        if _AFTER_AGE_RE.match(text, end):
            hits.append((first, last)); continue
        if length >= 2:
            m = _AFTER_ROLE_RE.match(text, end)
            if m and not text.startswith(" and", end):
                w1 = m.group(1).lower()
                w2 = (m.group(2) or "").lower()
                if w1 in _ROLE_WORDS or (w1, w2) in _ROLE_PAIRS:
                    hits.append((first, last)); continue
        m = _AND_ROLE_RE.match(text, end)
        if m and m.group(1).lower() in _ROLE_WORDS:
            hits.append((first, last)); continue
        if length == 1 and first > 0 and low[first - 1] == "the" and _FAMILY_AFTER_RE.match(text, end):
            hits.append((first, last)); continue
        # 6. A single name saying something: "Olamide said ...".
        #    Not a title or profession saying it ("Optician said", "Teacher said": round 9).
        if length == 1 and first == run_first and _SAID_AFTER_RE.match(text, end) and low[first] not in _TITLES:
            hits.append((first, last)); continue
    return [(toks[x][0], toks[y][1]) for x, y in hits]


_ROLE_OR_PAIR_LAST = _ROLE_WORDS | frozenset(p[1] for p in _ROLE_PAIRS)
_HARD_BREAK_CHARS = frozenset("!?;\n•")
