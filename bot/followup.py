"""After "I am making a referral": the reminders a practitioner asked for, held in the
database, sent once, and closed when they mark the step done or dismiss it.

Timescales come from procedure 1's data (`confirm_in_writing`, `decision_on_next_steps`);
the confirmation reminder comes halfway through its window, so there is still time to act.
Every event is a chain entry on the decision record (kinds only, never text).
"""
from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from conversation.timescales import due_at
from policy.procedures import Timescale, procedure
from storage.db import Database
from storage.models import Conversation, FollowUp, Record, Referral, as_utc, naive_utc, utcnow
from storage.records import append

from .messenger import Messenger, Views, slack_views

STEPS = ("confirm_in_writing", "check_decision")


@dataclass
class ReferralResult:
    ok: bool
    referral: Referral | None = None
    message: str | None = None


def deadlines(made_at: datetime, tz: ZoneInfo, holidays: Container[date] = frozenset(),
              local: Mapping[str, Timescale] | None = None) -> dict[str, datetime]:
    """Naive-UTC deadlines and reminder times for a referral made at `made_at` (naive UTC);
    `holidays` is the organisation's working-day calendar, `local` its local timescales."""
    referral = procedure(1, local=local)
    start = as_utc(made_at)
    confirm_by = due_at(start, referral.timescales["confirm_in_writing"], tz, holidays)
    decision_due = due_at(start, referral.timescales["decision_on_next_steps"], tz, holidays)
    return {
        "confirm_by": naive_utc(confirm_by),
        "decision_due": naive_utc(decision_due),
        "confirm_in_writing": naive_utc(start + (confirm_by - start) / 2),
        "check_decision": naive_utc(decision_due),
    }


def make_referral(db: Database, conversation_id: str, user_id: str, tz: ZoneInfo, now: datetime | None = None,
                  holidays: Container[date] = frozenset(), local: Mapping[str, Timescale] | None = None) -> ReferralResult:
    now = now or utcnow()
    with db.transaction() as s:
        convo = s.get(Conversation, conversation_id)
        if convo is None or convo.user_id != user_id:
            return ReferralResult(False, message="This isn't your conversation.")
        record = s.execute(select(Record).where(Record.conversation_id == conversation_id)).scalar_one_or_none()
        if record is None:
            return ReferralResult(False, message="There is no decision to attach a referral to yet.")
        existing = s.execute(select(Referral).where(Referral.record_id == record.id)).scalar_one_or_none()
        if existing is not None:
            return ReferralResult(True, existing)
        due = deadlines(now, tz, holidays, local)
        referral = Referral(record_id=record.id, team=record.team, made_at=now, confirm_by=due["confirm_by"],
                            decision_due=due["decision_due"])
        s.add(referral)
        try:
            s.flush()
        except IntegrityError:  # a double click: the other one made it
            s.rollback()
            return ReferralResult(True, s.execute(select(Referral).where(Referral.record_id == record.id)).scalar_one())
        append(s, record, "referral_made", now)
        return ReferralResult(True, referral)


def owns_referral(db: Database, referral_id: str, user_id: str) -> bool:
    """Whether this referral (and so the message offering its reminders) is this person's."""
    with db.transaction() as s:
        referral = s.get(Referral, referral_id) if referral_id else None
        record = s.get(Record, referral.record_id) if referral else None
        convo = s.get(Conversation, record.conversation_id) if record and record.conversation_id else None
        return convo is not None and convo.user_id == user_id


def schedule_reminders(db: Database, referral_id: str, user_id: str, tz: ZoneInfo,
                       holidays: Container[date] = frozenset(),
                       local: Mapping[str, Timescale] | None = None) -> tuple[list[FollowUp], Referral] | None:
    """The two reminders for a referral, and the referral; asking twice schedules nothing
    more. None if the referral is not this person's (or not there)."""
    with db.transaction() as s:
        referral = s.get(Referral, referral_id)
        record = s.get(Record, referral.record_id) if referral else None
        convo = s.get(Conversation, record.conversation_id) if record and record.conversation_id else None
        if referral is None or convo is None or convo.user_id != user_id:
            return None
        due = deadlines(referral.made_at, tz, holidays, local)
        existing = {f.step: f for f in s.execute(select(FollowUp).where(FollowUp.referral_id == referral_id)).scalars()}
        for step in STEPS:
            if step not in existing:
                existing[step] = FollowUp(referral_id=referral_id, user_id=user_id, step=step, due_at=due[step])
                s.add(existing[step])
        try:
            s.flush()
        except IntegrityError:
            s.rollback()
            items = list(s.execute(select(FollowUp).where(FollowUp.referral_id == referral_id)).scalars())
            return (items, s.get(Referral, referral_id)) if items else None
        return [existing[step] for step in STEPS], referral


def close(db: Database, followup_id: str, user_id: str, status: str, now: datetime | None = None) -> str:
    """Mark a step done (or dismiss its reminder). Returns what to tell the practitioner."""
    assert status in ("done", "dismissed")
    now = now or utcnow()
    with db.transaction() as s:
        item = s.get(FollowUp, followup_id)
        if item is None or item.user_id != user_id:
            return "I can't find that reminder."
        if item.status in ("done", "dismissed"):
            return "Already noted."
        item.status, item.closed_at = status, now
        referral = s.get(Referral, item.referral_id)
        if status == "done" and referral is not None:
            if item.step == "confirm_in_writing":
                referral.confirmed_at = now
            else:
                referral.checked_at = now
        record = s.get(Record, referral.record_id) if referral else None
        if record is not None:
            append(s, record, f"{item.step}_{status}", now)
    if status == "dismissed":
        return "Reminder dismissed."
    return "Noted as done. Thank you." if item.step == "check_decision" else "Noted: confirmed in writing. Thank you."


def send_due(db: Database, messenger: Messenger, now: datetime, tz: ZoneInfo | None = None, views: Views | None = None) -> int:
    """Send reminders that are due and still open; each is taken by a conditional update
    first, so two processes never send the same one."""
    with db.transaction() as s:
        due = s.execute(select(FollowUp.id).where(FollowUp.status == "scheduled", FollowUp.due_at <= now).limit(100)).scalars().all()
    sent = 0
    for followup_id in due:
        with db.transaction() as s:
            taken = s.execute(update(FollowUp).where(FollowUp.id == followup_id, FollowUp.status == "scheduled")
                              .values(status="sent", sent_at=now)).rowcount
            item = s.get(FollowUp, followup_id) if taken else None
            referral = s.get(Referral, item.referral_id) if item else None
        if item is None or referral is None:
            continue
        messenger.post(item.user_id, "A reminder about your referral", (views or slack_views()).reminder(item, referral, tz))
        sent += 1
    return sent
