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

from conversation.flow import flow_for_ref
from storage.db import Database
from storage.models import Escalation, Record, utcnow
from storage.records import append, iso, pseudonymise

from .blocks import notice_blocks, to_dicts
from .config import Settings, Team
from .escalation_blocks import ping_blocks, ping_text, practitioner_update
from .messenger import Messenger

log = logging.getLogger("canishare.escalation")
MAX_REMINDERS = 3


@dataclass
class ActResult:
    ok: bool
    message: str | None = None  # an ephemeral note for the person who clicked


class Escalations:
    def __init__(self, settings: Settings, db: Database, pseudonym_key: str):
        self.settings = settings
        self.db = db
        self.key = pseudonym_key

    # --- who ------------------------------------------------------------------------------
    def responders(self, team: Team) -> set[str]:
        return set(team.leads) | set(team.deputies)

    def may_act(self, user_id: str, team_id: str) -> bool:
        return user_id in self.responders(self.settings.team(team_id))

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
    def open(self, messenger: Messenger, *, record_id: str, conversation_id: str, practitioner: str, team_id: str,
             urgent: bool, now: datetime | None = None) -> Escalation | None:
        """Open (once per record) and ping at once. Returns None if it was already open."""
        now = now or utcnow()
        remind = timedelta(minutes=self.settings.escalation.remind_after_minutes)
        try:
            with self.db.session() as s:
                record = s.get(Record, record_id)
                esc = Escalation(record_id=record_id, conversation_id=conversation_id, team=team_id,
                                 practitioner_user=practitioner, urgent=urgent, node=record.unsure_at if record else None,
                                 status="open", opened_at=now, remind_at=now + remind, pings=[])
                s.add(esc)
                s.flush()
                self._write_record(s, esc, now)
        except IntegrityError:
            return None
        pings = self._send_pings(messenger, esc, reminder=0)
        with self.db.session() as s:
            s.execute(update(Escalation).where(Escalation.id == esc.id).values(pings=pings))
        esc.pings = pings
        return esc

    def _targets(self, team: Team, urgent: bool, reminder: int) -> list[str]:
        """Where a ping goes: the team channel, or each lead's DM; deputies when urgent or overdue."""
        with_deputies = urgent or reminder >= 2
        targets: list[str] = [team.escalation_channel] if team.escalation_channel else list(team.leads)
        if with_deputies:
            targets += [d for d in team.deputies if d not in targets]
        return targets

    def _blocks(self, esc: Escalation, reminder: int = 0) -> list[dict]:
        with self.db.session() as s:
            record = s.get(Record, esc.record_id)
            path = list(record.path) if record else []
            policy = record.policy if record else None
        unsure, reasons = None, []
        if policy:
            flow = flow_for_ref(policy)
            reasons = [(flow.pack.nodes[p["node"]], p["answer"]) for p in path if p["answer"] != "not_sure"]
            unsure = flow.pack.nodes.get(esc.node) if esc.node else None
        return to_dicts(ping_blocks(esc.id, esc.practitioner_user, esc.urgent, unsure, reasons, esc.opened_at,
                                    esc.status, esc.claimed_by, esc.lead_outcome, reminder))

    def _send_pings(self, messenger: Messenger, esc: Escalation, reminder: int) -> list[dict]:
        team = self.settings.team(esc.team)
        blocks = self._blocks(esc, reminder)
        text = ping_text(esc.urgent, esc.practitioner_user)
        if team.escalation_channel:  # mention the leads so the channel post notifies them
            leads = " ".join(f"<@{u}>" for u in team.leads)
            text = f"{leads} {text}"
        sent = []
        for target in self._targets(team, esc.urgent, reminder):
            posted = messenger.post(target, text, blocks)
            if posted:
                sent.append({"channel": posted[0], "ts": posted[1]})
        return sent

    # --- claim and resolve ----------------------------------------------------------------
    def _act(self, messenger: Messenger, escalation_id: str, user_id: str, change,
             clicked: tuple[str, str] | None = None) -> ActResult:
        now = utcnow()
        try:
            with self.db.session() as s:
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
        # The clicked message too: its ts may not be stored yet if the lead was very quick.
        targets = {(p["channel"], p["ts"]) for p in esc.pings or []}
        if clicked and all(clicked):
            targets.add(clicked)
        for channel, ts in sorted(targets):
            messenger.update(channel, ts, ping_text(esc.urgent, esc.practitioner_user), blocks)
        messenger.post(esc.practitioner_user, "Update from your safeguarding lead",
                       to_dicts(notice_blocks(practitioner_update(esc.status, user_id, esc.lead_outcome))))
        return ActResult(True)

    def claim(self, messenger: Messenger, escalation_id: str, user_id: str, clicked: tuple[str, str] | None = None) -> ActResult:
        def change(esc: Escalation, now: datetime) -> str | None:
            if esc.status != "open":
                return f"Already {esc.status} by <@{esc.claimed_by}>."
            esc.status, esc.claimed_by, esc.claimed_at, esc.remind_at = "claimed", user_id, now, None
            return None

        return self._act(messenger, escalation_id, user_id, change, clicked)

    def resolve(self, messenger: Messenger, escalation_id: str, user_id: str, lead_outcome: str,
                clicked: tuple[str, str] | None = None) -> ActResult:
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
    def remind_due(self, messenger: Messenger, now: datetime) -> int:
        """Remind about unclaimed requests that are due. Each reminder is taken by a
        conditional update first, so two processes running this at once send it once."""
        remind = timedelta(minutes=self.settings.escalation.remind_after_minutes)
        with self.db.session() as s:
            due = s.execute(
                select(Escalation.id, Escalation.reminders_sent)
                .where(Escalation.status == "open", Escalation.remind_at <= now)
                .order_by(Escalation.remind_at)
                .limit(100)
            ).all()
        sent = 0
        for esc_id, count in due:
            nxt = count + 1
            with self.db.session() as s:
                taken = s.execute(
                    update(Escalation)
                    .where(Escalation.id == esc_id, Escalation.reminders_sent == count, Escalation.status == "open")
                    .values(reminders_sent=nxt, remind_at=(now + remind) if nxt < MAX_REMINDERS else None,
                            version=Escalation.version + 1)
                    .execution_options(synchronize_session=False)
                ).rowcount
            if taken != 1:
                continue
            with self.db.session() as s:
                esc = s.get(Escalation, esc_id)
            pings = self._send_pings(messenger, esc, reminder=nxt)
            with self.db.session() as s:
                fresh = s.get(Escalation, esc_id)
                fresh.pings = list(fresh.pings or []) + pings
            sent += 1
        return sent

    def open_for(self, user_id: str) -> list[Escalation]:
        """Open or claimed requests this person can act on, oldest first (for App Home)."""
        teams = [t.id for t in self.settings.teams if user_id in self.responders(t)]
        if not teams:
            return []
        with self.db.session() as s:
            return list(
                s.execute(
                    select(Escalation).where(Escalation.team.in_(teams), Escalation.status != "resolved").order_by(Escalation.opened_at)
                ).scalars()
            )

