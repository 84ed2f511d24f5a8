from __future__ import annotations

from bisect import bisect_left
from bisect import bisect_right
import re
import unicodedata

_Span = tuple[int, int]

# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------
_MONTH_WORDS = frozenset(
    """jan january feb february mar march apr april may jun june jul july aug august sep
    sept september oct october nov november dec december""".split()
)
_DIGIT_RE = re.compile(r"\d")
_SENTENCE_END_RE = re.compile(r"[.!?](?=\s|$)|[\n;]")

# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------
_ASCII_TOKEN_RE = re.compile(r"[A-Za-z]+(?:['\-][A-Za-z]+)*'?")
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*['’]?")


# --------------------------------------------------------------------------
# Detectors
# --------------------------------------------------------------------------
def _overlaps(a: int, b: int, spans: list[_Span]) -> bool:
    return any(a < e and s < b for s, e in spans)


def _split_possessive(word: str) -> tuple[str, bool]:
    if word[-1] in "'’":
        return word[:-1], True
    if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
        return word[:-2], True
    return word, False


class _Text:
    """Per-call shared view of the text: tokens and sentence boundaries."""

    __slots__ = ("text", "toks", "starts", "sent_ends", "lows", "bases", "blows", "poss", "upper_first")

    def __init__(self, text: str) -> None:
        self.text = text
        rx = _ASCII_TOKEN_RE if text.isascii() else _TOKEN_RE  # the same tokens on ASCII text, found faster
        self.toks = toks = [(m.start(), m.end(), m.group()) for m in rx.finditer(text)]
        starts, _ends, words = zip(*toks) if toks else ((), (), ())
        self.starts = list(starts)
        self.sent_ends = [m.end() for m in _SENTENCE_END_RE.finditer(text)]
        # Tokens hold no spaces, so one lower() of the joined tokens gives each token's lower case.
        self.lows = lows = " ".join(words).lower().split(" ") if words else []
        # Possessives split once for every rule: bases ("Leo" for "Leo's"), their lower case, flags.
        self.bases = bases = list(words)
        self.blows = blows = list(lows)
        self.poss = poss = [False] * len(toks)
        for k in [k for k, w in enumerate(bases) if w[-1] in "'’sS"]:
            b, p = _split_possessive(bases[k])
            if p:
                bases[k], blows[k], poss[k] = b, b.lower(), True
        self.upper_first = [k for k, w in enumerate(bases) if w[0].isupper()]

    def sentence_start(self, pos: int) -> int:
        i = bisect_right(self.sent_ends, pos) - 1
        return self.sent_ends[i] if i >= 0 else 0

    def sentence_end(self, pos: int) -> int:
        i = bisect_left(self.sent_ends, pos + 1)
        return self.sent_ends[i] - 1 if i < len(self.sent_ends) else len(self.text)

    def words_between(self, lo: int, hi: int) -> list[str]:
        i = bisect_left(self.starts, lo)
        j = bisect_left(self.starts, hi)
        return [self.toks[k][2].lower() for k in range(i, j) if self.toks[k][1] <= hi]
_NON_DIGIT_RE = re.compile(r"\D+")
_DIGIT_RUN_RE = re.compile(r"\d(?:[ \u00a0\-.()]{0,2}\d)*")
_WORD_RE = re.compile(r"[a-z]+")


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def gap_is_space(text: str, a: int, b: int) -> bool:
    return text[a:b] in (" ", "\u00a0")


def _fold(word: str) -> str:
    """Strip diacritics for list look-ups: "Aistė" -> "aiste", "Siân" -> "sian"."""
    if word.isascii():
        return word
    word = word.replace("ł", "l").replace("Ł", "L").replace("đ", "d").replace("ı", "i").replace("ø", "o")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _mask(text: str, spans: list[_Span]) -> str:
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _kept(matches, taken: list[_Span], keep) -> list[_Span]:
    """The spans of the matches that overlap nothing already taken and that keep(match) accepts."""
    return [m.span() for m in matches if not _overlaps(*m.span(), taken) and keep(m)]


def _windows(rx: re.Pattern, text: str, anchor: re.Pattern, back: int, ahead: int, anchors=None) -> list[re.Match]:
    """rx's matches, searched only in windows around each match of anchor (a cheap pattern every
    match of rx contains), reaching back and ahead far enough for all of rx. ``anchors``: anchor's
    matches, when the caller already has them (round 10: found once for both NI scans)."""
    out: list[re.Match] = []
    n = len(text)
    for a in anchor.finditer(text) if anchors is None else anchors:
        for m in rx.finditer(text, max(0, a.start() - back), min(n, a.end() + ahead)):
            if m.start() <= a.start() < m.end() and (not out or m.start() >= out[-1].end()):
                out.append(m)
    return out
