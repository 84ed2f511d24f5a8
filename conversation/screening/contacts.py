from __future__ import annotations

import re

from .allow import _MAILBOX_WORDS
from .mailboxes import _role_mailbox
from .namelists import _STOP_WORDS
from .tokens import _kept, _overlaps, _Span, _windows

# --------------------------------------------------------------------------
# Email
# --------------------------------------------------------------------------
# A cheap bounded candidate pass keeps the scan linear; each candidate is
# then checked with the stricter pattern.
_EMAIL_CAND_RE = re.compile(r"[A-Za-z0-9._%+'\-]{1,64}@[A-Za-z0-9.\-]{1,255}")
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._%+'\-]{0,62}[A-Za-z0-9_%+\-])?@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,24}\b"
)


def _scan_emails(text: str) -> list[_Span]:
    if "@" not in text:
        return []
    out: list[_Span] = []
    for cand in _EMAIL_CAND_RE.finditer(text):
        m = _EMAIL_RE.search(text, cand.start(), cand.end())
        if m:
            out.append(m.span())
    return out
# Emails written out: "kerry dot hughes at gmail dot com", "k.hughes (at) example.com".
_SPELLED_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z0-9][A-Za-z0-9._\-]*(?:\s*(?:\.|\(dot\)|\[dot\]|\bdot\b|\bunderscore\b|\bdash\b|\bhyphen\b)\s*[A-Za-z0-9_\-]+)*)"
    r"\s*(?:\(at\)|\[at\]|\{at\}|\bat\b|@)\s*"
    r"([A-Za-z0-9\-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)\s*[A-Za-z0-9\-]+)+)",
    re.IGNORECASE,
)
# An "at" (any spelling) and a domain with a dot after it: where a spelled-out address can be.
_AT_DOMAIN_RE = re.compile(r"(?:\(at\)|\[at\]|\{at\}|\bat\b|@)\s*[A-Za-z0-9\-]+\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)",
                           re.IGNORECASE)
_TLD_HINT_RE = re.compile(r"a(?<!\wa)t\s+[a-z0-9\-]+\s*\.\s*(?:com|co|org|net|uk|gov|nhs|ac|sch|ie|io)\b")
_SPELLED_HINT_RE = re.compile(r"\b[Aa][Tt]\b|\([Aa][Tt]\)|\[[Aa][Tt]\]|@")
_WEBMAIL_WORDS = frozenset("gmail googlemail hotmail outlook yahoo icloud live btinternet aol protonmail msn sky "
                           "virginmedia talktalk".split())
_WEBMAIL_GATE = _WEBMAIL_WORDS - {"live", "sky", "msn"}
_WEBMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z0-9][A-Za-z0-9._\-]{1,40}(?:\s+(?:underscore|dot|dash|hyphen)\s+[A-Za-z0-9][A-Za-z0-9._\-]{0,20}){0,3})"
    r"\s+(?:at|@|\(at\)|\[at\])\s+(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|live|"
    r"btinternet|aol|protonmail|msn|sky|virginmedia|talktalk)\b", re.IGNORECASE)
_TLDS = frozenset("com net org uk co ac gov nhs sch edu io me info biz ie eu de fr pl ro".split())
# Social media handles: "@kerry_h22", "snap: kerryh", "insta kerry.h".
_HANDLE_RE = re.compile(r"@(?<![A-Za-z0-9._%+\-@]@)([A-Za-z0-9_](?:[A-Za-z0-9_.]{1,29}))")
_HANDLE_AFTER_RE = re.compile(
    r"\b(?:snapchat|snap|insta|instagram|tiktok|tik\s+tok|twitter|x|facebook|fb|discord|telegram|kik|username|"
    r"user\s*name|handle|gamertag|gamer\s*tag|account|profile|psn|xbox\s+live)\s*(?:name|id|handle|account)?\s*"
    r"(?:is|was|called|named|as|:|\s-\s|=)\s*[\"'“]?([A-Za-z0-9_.]{3,30})",
    re.IGNORECASE,
)
_HANDLE_CUES = frozenset("snapchat snap insta instagram tiktok tik twitter x facebook fb discord telegram kik username user "
                         "handle gamertag gamer account profile psn xbox".split())
_HANDLE_WORDS = frozenset("the a an her his their private public new old fake second open closed deleted blocked".split())


def _mailbox(local: str) -> bool:
    words = [w for w in re.split(r"[\s._\-+]+|\bdot\b", local.lower()) if w]
    return bool(words) and all(w.rstrip("0123456789") in _MAILBOX_WORDS or w in _MAILBOX_WORDS for w in words)


def _scan_spelled_emails(text: str, taken: list[_Span]) -> list[_Span]:
    if not _SPELLED_HINT_RE.search(text):
        return []
    webmail = _kept(_WEBMAIL_RE.finditer(text), taken, lambda m: not _mailbox(m.group(1)))
    out = []
    for m in _windows(_SPELLED_EMAIL_RE, text, _AT_DOMAIN_RE, 160, 120):  # only around an "at" and a domain
        if not _spelled_email(m):
            # round 9: "send it to mum at jo.reid at example dot com": what followed the first "at"
            # is the local part of the address, not a domain
            m = _SPELLED_EMAIL_RE.match(text, m.start(2))
            if not m or not _spelled_email(m):
                continue
        if not _overlaps(*m.span(), taken):
            out.append(m.span())
    return webmail + out


def _spelled_email(m: re.Match) -> bool:
    """A spelled-out address ("jo dot bloggs at gmail dot com") with a real TLD, not a mailbox name."""
    local, domain = m.group(1), m.group(2)
    parts = [p for p in re.split(r"\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)\s*", domain.lower()) if p]
    if not parts or parts[-1] not in _TLDS:
        return False
    spelled = re.search(r"\bdot\b|\(at\)|\[at\]|\bat\b", m.group(), re.IGNORECASE)
    return bool(spelled) and not _role_mailbox(local, parts[0])


def _scan_handles(text: str, emails: list[_Span], words: set[str]) -> list[_Span]:
    out = []
    if "@" in text:
        for m in _HANDLE_RE.finditer(text):
            if _overlaps(*m.span(), emails):
                continue
            if m.group(1).isdigit():
                continue  # "@10am"
            out.append(m.span())
    for m in (_HANDLE_AFTER_RE.finditer(text) if words & _HANDLE_CUES else ()):
        h = m.group(1)
        if h.lower() in _HANDLE_WORDS or h.lower() in _STOP_WORDS:
            continue
        if not (re.search(r"[\d_.]", h) or h != h.lower() or len(h) >= 5):
            continue
        out.append(m.span(1))
    return out
