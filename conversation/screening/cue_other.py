from __future__ import annotations

import re

from .contacts import _HANDLE_WORDS
from .cues import (
    _ADDR_CUE_NUMBER_RE,
    _CODE_NUMBER_RE,
    _DISCORD_TAG_RE,
    _HOUSE_CALLED_RE,
    _LOWER_OUTWARD_RE,
    _NUMBER_CAPS_POSTCODE_RE,
    _ON_STREET_RE,
    _PLATFORM_HANDLE_RE,
    _SLASH_REF_RE,
    _STRONG_HANDLE_RE,
)
from .dates import _NUM_DATE_RE
from .namelists import _STOP_WORDS
from .numbers import _POSTCODE_AREAS
from .tokens import _DIGIT_RE, _MONTH_WORDS, _NON_DIGIT_RE, _Span, _overlaps


def _round2_other(text: str, words: set[str], taken: list[_Span]) -> dict[str, list[_Span]]:
    found: dict[str, list[_Span]] = {"social_handle": [], "address": [], "postcode": [], "other_id": []}
    if "#" in text:
        found["social_handle"] += [m.span() for m in _DISCORD_TAG_RE.finditer(text)]
    for m in (_PLATFORM_HANDLE_RE.finditer(text) if words & _PLATFORM_WORDS else ()):
        h = m.group(1)
        if h.lower() in _HANDLE_WORDS or h.lower() in _STOP_WORDS or _overlaps(*m.span(1), taken):
            continue
        if re.fullmatch(r"\d+(?:am|pm)?|\d{1,2}[.:]\d{2}|(?:19|20)\d\d", h, re.IGNORECASE):
            continue
        found["social_handle"].append(m.span(1))
    for m in (_STRONG_HANDLE_RE.finditer(text) if words & _PLATFORM_WORDS else ()):
        h = m.group(1).split()[0]
        if h.lower() in _HANDLE_WORDS or h.lower() in _STOP_WORDS or h.lower() in ("and", "or", "but", "which", "that"):
            continue
        found["social_handle"].append(m.span(1))
    if _DIGIT_RE.search(text):
        for rx in ((_ADDR_CUE_NUMBER_RE, _NUMBER_CAPS_POSTCODE_RE) if _NUM_CAP_RE.search(text) else ()):
            for m in rx.finditer(text):
                words_in = re.findall(r"[A-Za-z'’]+", m.group(1))
                if words_in and words_in[0].lower() in _NOT_ADDRESS_FIRST:
                    continue
                found["address"].append(m.span(1))
        for m in (_CODE_NUMBER_RE.finditer(text) if words & _CODE_WORDS and _FIVE_DIGITS_RE.search(text) else ()):
            if not _overlaps(*m.span(1), taken):
                found["other_id"].append(m.span(1))
        for m in (_SLASH_REF_RE.finditer(text) if _SLASH_HINT_RE.search(text) else ()):
            if not _overlaps(*m.span(), taken) and len(_NON_DIGIT_RE.sub("", m.group())) >= 4 \
                    and not _NUM_DATE_RE.fullmatch(m.group()):
                found["other_id"].append(m.span())
        for m in (_LOWER_OUTWARD_RE.finditer(text) if words & _MOVE_WORDS and _LOWER_DIGIT_RE.search(text) else ()):
            if m.group(1).upper() in _POSTCODE_AREAS:
                found["postcode"].append((m.start(1), m.end(2)))
    if words & _STREET_NAME_WORDS and _STREET_CAP_RE.search(text):
        found["address"] += [m.span(1) for m in _ON_STREET_RE.finditer(text)]
    if "called" in words or "named" in words or "known" in words:
        found["address"] += [m.span(1) for m in _HOUSE_CALLED_RE.finditer(text)]
    return found


_PLATFORM_WORDS = frozenset(
    "snapchat snap insta instagram ig tiktok tik tok twitter discord telegram kik twitch roblox youtube yt steam fortnite "
    "minecraft psn xbox playstation ps4 ps5 threads bereal whatsapp facebook fb reddit onlyfans username user name "
    "handle gamertag gamer tag acc account profile channel".split())
_CODE_WORDS = frozenset("number no num ref reference id".split())
_MOVE_WORDS = frozenset("moved moving relocated relocating rehoused housed lives living live based staying stays placed "
                        "address".split())
_STREET_NAME_WORDS = frozenset("lane road street close avenue drive crescent grove terrace gardens way court walk row mews "
                               "rise place parade square wynd brae fold croft chase rd st ave dr cl".split())
_NOT_ADDRESS_FIRST = _MONTH_WORDS | frozenset(
    "mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday am pm year years yr weeks week "
    "days day months month hours hour mins minutes times people children pupils kids the and of".split())
# Cheap gates: what each full-text pattern above cannot match without.
_NUM_CAP_RE = re.compile(r"\d[A-Za-z]?,?\s+[A-Z]")
_FIVE_DIGITS_RE = re.compile(r"\d{5}")
_SLASH_HINT_RE = re.compile(r"[A-Z]\d{0,4}[/\-]")
_STREET_CAP_RE = re.compile(r"(?:Lane|Road|Street|Close|Avenue|Drive|Crescent|Grove|Terrace|Gardens|Way|Court|Walk|Row|Mews|"
                            r"Rise|Place|Parade|Square|Wynd|Brae|Fold|Croft|Chase|Rd|St|Ave|Dr|Cl)\b")
_LOWER_DIGIT_RE = re.compile(r"[a-z]\d")  # a gate for _LOWER_OUTWARD_RE
