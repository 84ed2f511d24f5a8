"""Organisations' shared mailboxes (round 5): "schoolnursing@…", "cp.conferences@…", "YOT.duty@…".

Round 2's rule allows an address only when every word of its local part is in allow.yaml's
``mailbox_words``; fresh text keeps naming inboxes with one word outside that list ("gateway.team",
"cp.conferences") or with the words run together ("virtualschool", "childrensfrontdoor"). So a
local part on an organisation's domain is a mailbox when it splits (at dots, dashes and
underscores, and where words are run together) into words that are each a mailbox word or a
plain English word that is no name, at least one of them a mailbox word, and it has no digits
(a person's address often has a year or a number; "team1" stays in the list). Webmail domains
(gmail, outlook, ...) are a person's, so they get only the list rule.
"""
from __future__ import annotations

import re

from .allow import _MAILBOX_WORDS
from .data import _words
from .namelists import _AMBIGUOUS_FIRST, _DICTIONARY_FIRST, _EN, _INTERESTING, _NOT_NAMES_HAND, _ORG_WORDS, _WORD_NAMES

# Services' own words (not_names.txt: "sendiass", "kooth") and organisations' words ("council",
# "academy") name an inbox or an account as well as the list's words do.
_SERVICE_WORDS = _MAILBOX_WORDS | _NOT_NAMES_HAND | (_ORG_WORDS - frozenset("house houses home garden gardens kitchen".split()))
# English words that are also names ("smith", "ward", "rose", "amber") are no plain words here.
_NAME_WORDS = (_INTERESTING | _AMBIGUOUS_FIRST | _DICTIONARY_FIRST | _WORD_NAMES | _words("names_dataset_surname_words.txt")
               | _words("names_dataset_words.txt"))

_WEBMAIL_DOMAINS = frozenset("gmail googlemail hotmail outlook yahoo icloud live btinternet aol protonmail msn sky "
                             "virginmedia talktalk ymail me mail gmx".split())
_SPLIT_RE = re.compile(r"[\s._\-+]+|\bdot\b")


_FUNCTION_WORDS = frozenset("the and our my his her their your its for from with".split())  # "the.wards@": a family


def _listed(word: str) -> bool:
    """A service word that is not also a name ("team", "referrals"; not "ward", which is a surname too)."""
    return (word in _SERVICE_WORDS or (word.endswith("s") and word[:-1] in _SERVICE_WORDS)) and \
        word not in _NAME_WORDS and word.rstrip("s") not in _NAME_WORDS


def _plain(word: str) -> bool:
    """An English word that is no name ("gateway", "conferences"); three letters at least."""
    return len(word) >= 3 and word in _EN and word not in _NAME_WORDS and word.rstrip("s") not in _NAME_WORDS \
        and word not in _FUNCTION_WORDS


def _pieces(word: str, memo: dict | None = None) -> tuple[bool, bool] | None:
    """(every piece allowed, some piece listed) for the best split of a run-together word, or None."""
    memo = {} if memo is None else memo
    if word in memo:
        return memo[word]
    memo[word] = got = _split(word, memo)
    return got


def _split(word: str, memo: dict) -> tuple[bool, bool] | None:
    if _listed(word):
        return True, True
    best = (True, False) if _plain(word) else None
    for cut in range(3, len(word) - 2):
        head, tail = word[:cut], word[cut:]
        if not (_listed(head) or _plain(head)):
            continue
        rest = _pieces(tail, memo)
        if rest is not None:
            split = (True, _listed(head) or rest[1])
            if split[1]:
                return split
            best = best or split
    return best


def _role_mailbox(local: str, domain: str) -> bool:
    """A shared inbox on an organisation's domain, not a person's address."""
    words = [w for w in _SPLIT_RE.split(local.lower()) if w]
    if not words:
        return False
    if all(w.rstrip("0123456789") in _MAILBOX_WORDS or w in _MAILBOX_WORDS for w in words):
        return True  # the list rule (round 2), for any domain
    first = _SPLIT_RE.split(domain.lower().strip())[0] if domain else ""
    if not first or first in _WEBMAIL_DOMAINS or any(c.isdigit() for c in local):
        return False
    listed = False
    for w in words:
        got = _pieces(w)
        if got is None:
            return False
        listed = listed or got[1]
    return listed


_CAMEL_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _org_handle(handle: str) -> bool:
    """An organisation's account ("@examplecouncil", "@LeedsSchools"): its words, split at capitals and
    where run together, are service or plain English words, one at least a service word; no digits."""
    handle = handle.lstrip("@")
    if not handle or any(c.isdigit() for c in handle):
        return False
    listed = False
    for w in _CAMEL_RE.findall(handle.replace("_", " ").replace(".", " ")):
        got = _pieces(w.lower())
        if got is None:
            return False
        listed = listed or got[1]
    return listed
