"""The one gate for a decision record's details: choices from the pack's lists plus one
short note, screened here, below Slack, whatever calls it.

`check()` is pure: it says which fields are wrong and why, in fixed words (and, for the
modal only, which words of the note look like a detail; see `explain_note`). `save()` runs
`check()` again itself and stores nothing unless every field passes, so no caller, present
or future, can store a flagged or unscreened note. As a last line, a mapper hook refuses
any flush of a record whose note screening flags, however it was set.

Nothing here logs, and a refusal carries only kinds of detail, never the text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

from sqlalchemy import event, select

from conversation.screening import KINDS, LABELS, Hit, locate, screen
from policy.record_choices import RecordChoices, parse_record_choices
from storage.db import Database
from storage.models import Record, utcnow
from storage.records import append

from . import conversations

FIELDS = ("shared_what", "shared_with", "reason", "note")


class FlaggedNote(ValueError):
    """A record was about to be written with a note that screening flags. Carries no text."""


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: a fixed message and, for a note, the kinds found."""

    message: str
    kinds: tuple[str, ...] = ()


@dataclass
class Saved:
    kind: Literal["saved", "refused", "finished", "not_yours", "missing"]
    problems: dict[str, Problem] = field(default_factory=dict)
    record: Record | None = None
    result: conversations.Result | None = None


def choices_of(pack) -> RecordChoices:
    if pack.record is not None:
        return pack.record
    return parse_record_choices(None, set(pack.outcomes), [])


def _ids(values: Iterable[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ():
        v = str(v)
        if v not in out:
            out.append(v)
    return out


def check(choices: RecordChoices, outcome: str, *, shared_what: Iterable[str] | None,
          shared_with: Iterable[str] | None, reason: str | None, note: str | None) -> dict[str, Problem]:
    """Every problem with the details, by field (empty: they may be stored)."""
    problems: dict[str, Problem] = {}
    what, whom = _ids(shared_what), _ids(shared_with)
    if not what:
        problems["shared_what"] = Problem("Choose at least one kind of information.")
    elif not set(what) <= choices.kind_ids():
        problems["shared_what"] = Problem("Choose from the list.")
    if not whom:
        problems["shared_with"] = Problem("Choose at least one recipient.")
    elif not set(whom) <= choices.recipient_ids():
        problems["shared_with"] = Problem("Choose from the list.")
    if not reason:
        problems["reason"] = Problem("Choose a reason.")
    elif reason not in {c.id for c in choices.purposes_for(outcome)}:
        problems["reason"] = Problem("Choose from the list.")
    if note is not None and not isinstance(note, str):
        problems["note"] = Problem("Something was wrong with the note; please type it again.")
    elif note:
        if len(note) > choices.note_limit:
            problems["note"] = Problem(f"Please keep the note under {choices.note_limit} characters.")
        else:
            found = screen(note)
            if found:
                kinds = tuple(f.kind for f in found)
                problems["note"] = Problem(refusal_message(kinds), kinds)
    return problems


# What to write instead, by kind of detail.
ADVICE = {
    "name": "describe the person by role (the child, mum, the older brother, the class teacher)",
    "nhs_number": "leave numbers out; say 'the NHS number' was shared",
    "upn": "leave numbers out; say 'the pupil number' was shared",
    "chi_number": "leave numbers out; say 'the CHI number' was shared",
    "ni_number": "leave numbers out; say 'the NI number' was shared",
    "phone": "leave the number out; say 'a contact number'",
    "email": "leave the address out; say 'an email address'",
    "address": "say the area or 'the family home' instead of the address",
    "postcode": "say the area or 'the family home' instead of the postcode",
    "dob": "give an age or school year instead of a date of birth",
    "social_handle": "say 'a social media account' instead of the handle",
    "vehicle_reg": "say 'a car' instead of the registration",
    "other_id": "leave reference numbers out",
}


def refusal_message(kinds: Iterable[str]) -> str:
    """A fixed message naming the kinds found and what to do instead; never the text."""
    kinds = [k for k in KINDS if k in set(kinds)]
    labels = [LABELS[k] for k in kinds]
    head = "This note looks like it contains " + (labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1])
    tips = "; ".join(dict.fromkeys(ADVICE[k] for k in kinds if k in ADVICE))
    return f"{head}. Nothing has been saved. Instead, {tips}."


def explain_note(note: str, limit: int = 3) -> str:
    """For the modal only (a response_action error, shown to the person who typed it): the
    refusal plus the words that look like a detail, quoted back. Never log or store this."""
    hits = locate(note)
    if not hits:
        return ""
    quoted: list[str] = []
    for h in hits:
        piece = " ".join(note[h.start:h.end].split())
        if piece and f"“{piece}”" not in quoted:
            quoted.append(f"“{piece[:40]}”")
        if len(quoted) >= limit:
            break
    message = refusal_message(h.kind for h in hits)
    return f"{', '.join(quoted)} {'looks' if len(quoted) == 1 else 'look'} like personal details. {message}"


def save(db: Database, *, conversation_id: str, user_id: str, shared_what: Iterable[str] | None,
         shared_with: Iterable[str] | None, reason: str | None, note: str | None) -> Saved:
    """Check and store a record's details in one transaction; once stored the decision is closed."""
    if isinstance(note, str):
        note = note.strip() or None
    with conversations.opened(db, conversation_id, user_id) as (s, refused, convo, flow):
        if refused:
            return Saved(refused.kind if refused.kind in ("not_yours", "missing") else "missing", result=refused)
        assert convo and flow
        outcome = flow.outcome(convo)
        record = s.execute(select(Record).where(Record.conversation_id == convo.id)).scalar_one_or_none()
        if record is None or outcome is None:
            return Saved("missing")
        if convo.status == "recorded":
            return Saved("finished", record=record, result=conversations.Result("finished", convo, flow, record=record, outcome=outcome))
        problems = check(choices_of(flow.pack), outcome.id, shared_what=shared_what, shared_with=shared_with,
                         reason=reason, note=note)
        if problems:
            return Saved("refused", problems)
        record.format = 2
        record.shared_what, record.shared_with, record.reason, record.note = _ids(shared_what), _ids(shared_with), reason, note
        append(s, record, "details")
        convo.status = "recorded"
        convo.updated_at = utcnow()
        return Saved("saved", record=record, result=conversations.Result("outcome", convo, flow, outcome=outcome, record=record))


@event.listens_for(Record, "before_insert")
@event.listens_for(Record, "before_update")
def _refuse_flagged_note(_mapper, _connection, target: Record) -> None:
    """The last line: whatever set it, a flagged note never reaches the database."""
    if target.note and screen(target.note):
        raise FlaggedNote("a record note that screening flags was refused; nothing was stored")


__all__ = ["ADVICE", "FIELDS", "FlaggedNote", "Hit", "Problem", "Saved", "check", "explain_note", "refusal_message", "save"]
