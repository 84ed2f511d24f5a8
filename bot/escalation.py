"""Escalation to safeguarding leads: open, ping, claim, resolve, remind.

Who may act is decided here from the configuration; every change of state is a versioned
update (so two leads clicking at once cannot both claim) and an entry in the record's chain.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from policy.outcomes import OUTCOME_LABELS
from policy.pack import Outcome
from storage.db import Database
from storage.models import Escalation, Outbox, Record, new_id, utcnow
from storage.records import append, iso, pseudonymise

from .config import Settings, Team
from .config_store import SettingsSource, live
from .messenger import Messenger, Views, slack_views
from .escalation_routing import PingRouting, ping_text
from .mrkdwn import mention

log = logging.getLogger("canishare.escalation")
MAX_REMINDERS = 3

# What a lead may say their advice was, resolving a request (the only values of lead_outcome).
LEAD_OUTCOMES = {**{o: OUTCOME_LABELS[o] for o in ("share", "share_without_consent", "do_not_share")},
                 "other": "Other advice given"}
PICK_ONE = "Please pick one of the listed outcomes."


def practitioner_update(kind: str, lead: str, lead_outcome: str | None = None) -> str:
    if kind == "claimed":
        return f":eyes: {mention(lead)} has picked up your request and will be in touch."
    return f":white_check_mark: {mention(lead)} marked your request as resolved — advice: *{LEAD_OUTCOMES.get(lead_outcome or 'other')}*."


@dataclass
class ActResult:
    ok: bool
    message: str | None = None  # an ephemeral note for the person who clicked


class Escalations(PingRouting):
    def __init__(self, settings: Settings | SettingsSource, db: Database, pseudonym_key: str, views: Views | None = None,
                 check_shared_channels: bool = False):
        self.config = live(settings)
        self.db = db
        self.key = pseudonym_key
        self._views = views
        # Many workspaces on one deployment: escalation channels shared with another
        # organisation are refused unless the team allows them (escalation_routing).
        self.check_shared_channels = check_shared_channels

    @property
    def settings(self) -> Settings:
        """The configuration now (bot.config_store): who leads a team may change at any moment."""
        return self.config.current()

    @property
    def views(self) -> Views:
        """How pings and notices look (bot.slack_views.SlackViews unless given)."""
        if self._views is None:
            self._views = slack_views()
        return self._views

    # --- who ------------------------------------------------------------------------------
    def responders(self, team: Team) -> set[str]:
        return set(team.leads) | set(team.deputies)

    def may_act(self, user_id: str, team_id: str) -> bool:
        team = next((t for t in self.settings.teams if t.id == team_id), None)  # None: removed since
        return team is not None and user_id in self.responders(team)

    # --- record field ---------------------------------------------------------------------
    def _record_field(self, esc: Escalation) -> dict:
        return {
            "status": esc.status,
            "urgent": esc.urgent,
            "opened_at": iso(esc.opened_at),
            "claimed_at": iso(esc.claimed_at),
            "resolved_at": iso(esc.resolved_at),
            "resolver": pseudonymise(self.key, esc.claimed_by) if esc.status == "resolved" and esc.claimed_by else None,
            "lead_outcome": esc.lead_outcome,
        }

    def _write_record(self, s: Session, esc: Escalation, now: datetime) -> None:
        record = s.get(Record, esc.record_id)
        if record is not None:
            record.escalation = self._record_field(esc)
            append(s, record, f"escalation_{esc.status}", now)

    # --- open -----------------------------------------------------------------------------
    def remind_delay(self, urgent: bool) -> timedelta:
        timing = self.settings.escalation
        minutes = timing.urgent_remind_after_minutes if urgent else timing.remind_after_minutes
        return timedelta(minutes=minutes)

    def open_in(self, s: Session, *, record: Record, conversation_id: str, user_id: str, team_id: str,
                urgent: bool, now: datetime | None = None) -> Escalation | None:
        """Open the escalation inside the caller's transaction (the one that writes the record),
        with its pings queued in the outbox: committed together, or not at all."""
        now = now or utcnow()
        if s.execute(select(Escalation.id).where(Escalation.record_id == record.id)).first() is not None:
            return None
        esc = Escalation(id=new_id(), record_id=record.id, conversation_id=conversation_id, team=team_id,
                         practitioner_user=user_id, urgent=urgent, node=record.unsure_at, status="open",
                         opened_at=now, remind_at=now + self.remind_delay(urgent), pings=[])
        s.add(esc)
        s.flush()
        self._write_record(s, esc, now)
        self._queue_pings(s, esc, 0, now)
        return esc

    def open_for_outcome(self, s: Session, *, record: Record, conversation_id: str, user_id: str, team_id: str,
                         outcome: Outcome) -> list[Outbox]:
        """An outcome reached: the pack declares whether it escalates, and how urgently
        (`outcome.escalates`, `outcome.urgent`); nothing else decides. Inside the record's
        transaction; returns the pings queued, to deliver at once."""
        if not outcome.escalates:
            return []
        esc = self.open_in(s, record=record, conversation_id=conversation_id, user_id=user_id,
                           team_id=team_id, urgent=outcome.urgent)
        return self.queued(s, esc)

    @staticmethod
    def queued(s: Session, esc: Escalation | None) -> list[Outbox]:
        """The pings queued for an escalation and not yet delivered, oldest first."""
        if esc is None:
            return []
        s.flush()
        return list(s.execute(select(Outbox).where(Outbox.escalation_id == esc.id, Outbox.kind == "ping",
                                                   Outbox.status == "pending").order_by(Outbox.id)).scalars())

    def open(self, messenger: Messenger | None = None, *, record_id: str, conversation_id: str, user_id: str,
             team_id: str, urgent: bool, now: datetime | None = None) -> Escalation | None:
        """Open (once per record) in a transaction of its own; the pings are queued, and the
        deliverer sends them. Returns None if it was already open."""
        try:
            with self.db.transaction() as s:
                record = s.get(Record, record_id)
                if record is None:
                    return None
                return self.open_in(s, record=record, conversation_id=conversation_id, user_id=user_id,
                                    team_id=team_id, urgent=urgent, now=now)
        except IntegrityError:
            return None

    # --- claim and resolve ----------------------------------------------------------------
    def _act(self, messenger: Messenger, escalation_id: str, user_id: str, change,
             clicked: tuple[str, str] | None = None) -> ActResult:
        now = utcnow()
        try:
            with self.db.transaction() as s:
                esc = s.get(Escalation, escalation_id)
                if esc is None:
                    return ActResult(False, "I can't find that request any more.")
                if not self.may_act(user_id, esc.team):
                    return ActResult(False, "Only this team's safeguarding leads and deputies can act on this request. Nothing was changed.")
                refusal = change(esc, now)
                if refusal:
                    return ActResult(False, refusal)
                s.flush()
                self._write_record(s, esc, now)
        except StaleDataError:
            return ActResult(False, "Someone else acted on this at the same moment; the message shows where it stands.")
        blocks = self._blocks(esc)
        # Every ping Slack took (from the outbox), and the clicked message too.
        with self.db.transaction() as s:
            sent = s.execute(select(Outbox.dm_channel, Outbox.sent_ts).where(
                Outbox.escalation_id == esc.id, Outbox.kind == "ping", Outbox.status == "sent")).all()
        targets = {(p["channel"], p["ts"]) for p in esc.pings or []} | {(c, t) for c, t in sent if c and t}
        if clicked and all(clicked):
            targets.add(clicked)
        for channel, ts in sorted(targets):
            messenger.update(channel, ts, ping_text(esc.urgent, esc.practitioner_user), blocks)
        messenger.post(esc.practitioner_user, "Update from your safeguarding lead",
                       self.views.notice(practitioner_update(esc.status, user_id, esc.lead_outcome)))
        return ActResult(True)

    def claim(self, messenger: Messenger, escalation_id: str, user_id: str, clicked: tuple[str, str] | None = None) -> ActResult:
        def change(esc: Escalation, now: datetime) -> str | None:
            if esc.status != "open":
                return f"Already {esc.status} by {mention(esc.claimed_by or '')}."
            esc.status, esc.claimed_by, esc.claimed_at, esc.remind_at = "claimed", user_id, now, None
            return None

        return self._act(messenger, escalation_id, user_id, change, clicked)

    def resolve(self, messenger: Messenger, escalation_id: str, user_id: str, lead_outcome: str,
                clicked: tuple[str, str] | None = None) -> ActResult:
        if lead_outcome not in LEAD_OUTCOMES:  # the only values a record's lead_outcome takes
            return ActResult(False, PICK_ONE)

        def change(esc: Escalation, now: datetime) -> str | None:
            if esc.status == "resolved":
                return "This request is already resolved."
            if esc.status == "claimed" and esc.claimed_by != user_id and not self.may_act(user_id, esc.team):
                return "Only this team's safeguarding leads and deputies can resolve this request."
            esc.claimed_by = esc.claimed_by or user_id
            esc.claimed_at = esc.claimed_at or now
            esc.status, esc.resolved_at, esc.lead_outcome, esc.remind_at = "resolved", now, lead_outcome, None
            return None

        return self._act(messenger, escalation_id, user_id, change, clicked)

    # --- reminders ------------------------------------------------------------------------
    def remind_due(self, messenger: Messenger | None, now: datetime) -> int:
        """Queue reminders about unclaimed requests that are due. Each reminder is taken by a
        conditional update in the transaction that queues its pings, so two processes running
        this at once queue it once."""
        with self.db.transaction() as s:
            due = s.execute(
                select(Escalation.id, Escalation.reminders_sent, Escalation.urgent)
                .where(Escalation.status == "open", Escalation.remind_at <= now)
                .order_by(Escalation.remind_at)
                .limit(100)
            ).all()
        sent = 0
        for esc_id, count, urgent in due:
            nxt = count + 1
            with self.db.transaction() as s:
                taken = s.execute(
                    update(Escalation)
                    .where(Escalation.id == esc_id, Escalation.reminders_sent == count, Escalation.status == "open")
                    .values(reminders_sent=nxt, remind_at=(now + self.remind_delay(urgent)) if nxt < MAX_REMINDERS else None,
                            version=Escalation.version + 1)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if taken != 1:
                    continue
                esc = s.get(Escalation, esc_id)
                s.refresh(esc)
                self._queue_pings(s, esc, nxt, now)
            sent += 1
        return sent

    def open_for(self, user_id: str) -> list[Escalation]:
        """Open or claimed requests this person can act on, oldest first (for App Home)."""
        teams = [t.id for t in self.settings.teams if user_id in self.responders(t)]
        if not teams:
            return []
        with self.db.transaction() as s:
            return list(
                s.execute(
                    select(Escalation).where(Escalation.team.in_(teams), Escalation.status != "resolved").order_by(Escalation.opened_at)
                ).scalars()
            )

