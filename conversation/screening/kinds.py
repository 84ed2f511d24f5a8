from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str
    label: str


# Stable output order of kinds.
KINDS: tuple[str, ...] = (
    "name",
    "nhs_number",
    "upn",
    "chi_number",
    "ni_number",
    "phone",
    "email",
    "address",
    "postcode",
    "dob",
    "social_handle",
    "vehicle_reg",
    "other_id",
)

LABELS: dict[str, str] = {
    "nhs_number": "an NHS number",
    "ni_number": "a National Insurance number",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address",
    "dob": "a date of birth",
    "name": "a name",
    "upn": "a pupil number (UPN)",
    "chi_number": "a CHI number",
    "address": "an address",
    "social_handle": "a social media handle",
    "vehicle_reg": "a vehicle registration",
    "other_id": "a reference number",
}

_FINDINGS: dict[str, Finding] = {k: Finding(k, LABELS[k]) for k in KINDS}

_MAX_EXPLAIN = 149
_EXPLAIN_HEAD = "This looks like it contains "
_EXPLAIN_TAIL = ". Please describe it without details that identify someone."

# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    """Where a detail was found: for the person who typed it (the modal), never a log."""

    kind: str
    start: int
    end: int


def _join(labels: list[str]) -> str:
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def explain(findings: list[Finding]) -> str:
    """One short message (under 150 characters) naming what was found.

    Built only from the fixed labels, so it can never echo the user's text.
    Returns "" when there is nothing to explain.
    """
    kinds = {f.kind for f in findings if isinstance(f, Finding)}
    labels = [LABELS[k] for k in KINDS if k in kinds]
    if not labels:
        return ""
    msg = _EXPLAIN_HEAD + _join(labels) + _EXPLAIN_TAIL
    if len(msg) <= _MAX_EXPLAIN:
        return msg
    for keep in range(len(labels) - 1, 0, -1):
        msg = _EXPLAIN_HEAD + ", ".join(labels[:keep]) + " and other personal details" + _EXPLAIN_TAIL
        if len(msg) <= _MAX_EXPLAIN:
            return msg
    return _EXPLAIN_HEAD + "personal details" + _EXPLAIN_TAIL
