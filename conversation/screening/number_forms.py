"""Number forms (round 10): a number's grouping or cue says which kind it is, when an earlier rule
read it as another kind or let a nearer kind take it.

- a UK mobile without its leading 0, grouped as a mobile is written ("7700 900264", "7700-900-264"),
  is a phone even when its ten digits also pass the NHS check (NHS numbers are written 3-3-4);
- ten digits starting with 7 after a phone cue ("call back number given as 7700900264") likewise;
- a reference after a reference cue, in letters, digits and hyphens ("case no CS-2026-004417"),
  is a reference even when a phone rule took its digit groups.
"""
from __future__ import annotations

import re

from .refs import _OTHER_ID_RE
from .tokens import _Span, _overlaps

# four then six digits, or four three three: a mobile's grouping (an NHS number is 3-3-4)
_MOBILE_GROUPED_RE = re.compile(r"(?<![\d+])7\d{3}(?:[ \-.]\d{6}|[ \-.]\d{3}[ \-.]\d{3})(?![\d])")
_MOBILE_PLAIN_RE = re.compile(r"(?<![\d+])7\d{9}(?!\d)")
_PHONE_CUE_RE = re.compile(r"\b(?:phone|tel|telephone|mobile|mob|number|call|calls|ring|text|whatsapp|contact|rang|"
                           r"called|reach|reached|on)\b", re.IGNORECASE)
_NHS_CUE_RE = re.compile(r"\bnhs\b", re.IGNORECASE)


def _number_forms(work: str, words: set[str], nhs: list[_Span], phones: list[_Span], ref_cues: bool) -> dict[str, list[_Span]]:
    out: dict[str, list[_Span]] = {}
    if nhs and "7" in work and "nhs" not in words:
        ph = [m.span() for m in _MOBILE_GROUPED_RE.finditer(work) if _overlaps(*m.span(), nhs)]
        for m in _MOBILE_PLAIN_RE.finditer(work):
            if _overlaps(*m.span(), nhs) and _PHONE_CUE_RE.search(work, max(0, m.start() - 40), m.start()):
                ph.append(m.span())
        if ph:
            out["phone"] = ph
    if phones and ref_cues:
        refs: list[_Span] = []
        # the cue stands at most a few words before the token: search only just before each phone
        ms = [m for ps, pe in phones for m in _OTHER_ID_RE.finditer(work, max(0, ps - 40), pe)]
        for m in ms:
            tok = m.group(1)
            # letters and digits in one hyphenated token: a reference, whatever read its digits first
            if "-" in tok and any(c.isalpha() for c in tok) and _overlaps(*m.span(1), phones) \
                    and not _overlaps(*m.span(1), refs):
                refs.append(m.span(1))
        if refs:
            out["other_id"] = refs
    return out
