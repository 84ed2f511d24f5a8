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
from policy.outcomes import OUTCOME_LABELS
from policy.pack import Outcome
from storage.db import Database
from storage.models import Escalation, Outbox, Record, new_id, utcnow
from storage.outbox import enqueue
from storage.records import append, iso, pseudonymise

from .config import Settings, Team
from .messenger import Messenger, Views, slack_views
from .mrkdwn import channel_link, mention

log = logging.getLogger("canishare.escalation")
MAX_REMINDERS = 3

# What a lead may say their advice was, resolving a request (the only values of lead_outcome).
LEAD_OUTCOMES = {**{o: OUTCOME_LABELS[o] for o in ("share", "share_without_consent", "do_not_share")},
                 "other": "Other advice given"}
PICK_ONE = "Please pick one of the listed outcomes."


def ping_text(urgent: bool, user_id: str) -> str:
    """The ping's text; `user_id` is the practitioner's Slack user id."""
    prefix = "URGENT: " if urgent else ""
    return f"{prefix}{mention(user_id)} needs safeguarding advice about sharing information."


def practitioner_update(kind: str, lead: str, lead_outcome: str | None = None) -> str:
    if kind == "claimed":
        return f":eyes: {mention(lead)} has picked up your request and will be in touch."
    return f":white_check_mark: {mention(lead)} marked your request as resolved — advice: *{LEAD_OUTCOMES.get(lead_outcome or 'other')}*."


@dataclass
class ActResult:
    ok: bool
    message: str | None = None  # an ephemeral note for the person who clicked


class Escalations:
    def __init__(self, settings: Settings, db: Database, pseudonym_key: str, views: Views | None = None):
        self.settings = settings
        self.db = db
        self.key = pseudonym_key
        self._views = views

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
    def remind_delay(self, urgent: bool) -> timedelta:
        minutes = self.settings.escalation.urgent_remind_after_minutes if urgent else self.settings.escalation.remind_after_minutes
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

    def _targets(self, team: Team, urgent: bool, reminder: int) -> list[tuple[str, str]]:
        """Where a ping goes, as (role, id): the team channel, or each lead's DM; deputies when
        urgent or overdue."""
        with_deputies = urgent or reminder >= 2
        targets: list[tuple[str, str]] = ([("channel", team.escalation_channel)] if team.escalation_channel
                                          else [("lead", u) for u in team.leads])
        if with_deputies:
            targets += [("deputy", d) for d in team.deputies if d not in team.leads]
        return targets

    def fallback(self, team: Team, role: str) -> list[tuple[str, str]]:
        """Where a ping goes when Slack cannot deliver it to a target of this role: the channel's
        leads by DM, then the deputies, then the admins."""
        if role == "channel":
            return [("lead", u) for u in team.leads]
        if role == "lead":
            return [("deputy", d) for d in team.deputies if d not in team.leads] or self.fallback(team, "deputy")
        if role == "deputy":
            return [("admin", a) for a in self.settings.admins]
        return []

    def _ping_text(self, esc: Escalation, role: str) -> str:
        text = ping_text(esc.urgent, esc.practitioner_user)
        if role == "channel":  # mention the leads so the channel post notifies them
            team = self.settings.team(esc.team)
            text = " ".join(mention(u) for u in team.leads) + " " + text
        return text

    def _queue_pings(self, s: Session, esc: Escalation, reminder: int, now: datetime,
                     targets: list[tuple[str, str]] | None = None) -> list[Outbox]:
        team = self.settings.team(esc.team)
        blocks = self._blocks_in(s, esc, reminder)
        rows = []
        for role, target in targets if targets is not None else self._targets(team, esc.urgent, reminder):
            row = enqueue(s, key=f"ping:{esc.id}:{reminder}:{target}", kind="ping", channel=target,
                          text=self._ping_text(esc, role), blocks=blocks, escalation_id=esc.id, role=role,
                          urgent=esc.urgent, conversation_id=esc.conversation_id)
            if row is not None:
                rows.append(row)
        return rows

    # --- what deliveries mean (called by the deliverer, inside its transaction) -------------
    @staticmethod
    def _reminder_of(row: Outbox) -> int:
        try:
            return int((row.key or "").split(":")[2])
        except (IndexError, ValueError):
            return 0

    def delivered(self, s: Session, row: Outbox) -> list[Outbox]:
        """A ping reached Slack: tell the practitioner exactly where (first round only).
        Returns what it queued, for the deliverer to send at once."""
        esc = s.get(Escalation, row.escalation_id) if row.escalation_id else None
        if esc is None or self._reminder_of(row) != 0:
            return []
        target = str(row.args.get("channel") or "")
        team = self.settings.team(esc.team)
        leads = ", ".join(mention(u) for u in team.leads)
        text = {
            "channel": f"I've posted your request in {channel_link(target)}, mentioning {leads}.",
            "lead": f"I've sent your request to {mention(target)} directly.",
            "deputy": f"I've sent your request to {mention(target)} (deputy safeguarding lead).",
            "admin": (f"I couldn't reach your safeguarding lead or their deputies in Slack, so I've sent your request to "
                      f"{mention(target)} (canishare admin). Please phone your safeguarding lead as well."),
        }.get(row.role or "", f"I've sent your request to {mention(target)}.")
        if esc.urgent:
            text = ":rotating_light: " + text + " Don't wait for a reply if a child is in danger: call 999."
        else:
            text = ":incoming_envelope: " + text
        told = enqueue(s, key=f"told:{esc.id}:{target}", kind="notice", channel=esc.practitioner_user,
                       text="Your safeguarding lead has your request", blocks=self.views.notice(text),
                       conversation_id=esc.conversation_id, escalation_id=esc.id)
        return [told] if told is not None else []

    def unreachable(self, s: Session, row: Outbox, code: str, keep_trying: bool = False) -> list[Outbox]:
        """Slack cannot deliver this ping: send it another way at once and tell the admins.
        Returns what it queued (the other ways first), for the deliverer to send at once."""
        esc = s.get(Escalation, row.escalation_id) if row.escalation_id else None
        if esc is None:
            return []
        team = self.settings.team(esc.team)
        reminder = self._reminder_of(row)
        target = str(row.args.get("channel") or "")
        routes = self.fallback(team, row.role or "")
        queued = self._queue_pings(s, esc, reminder, utcnow(), routes)
        where = channel_link(target) if row.role == "channel" else mention(target)
        fix = ""
        if code == "not_in_channel":
            fix = f" To fix it, invite @canishare to {channel_link(target)}."
        elif code in ("channel_not_found", "is_archived"):
            fix = " To fix it, set a working escalation channel for this team in my Home tab."
        elif code in ("account_inactive", "user_not_found", "user_disabled"):
            fix = " To fix it, replace this person in the team's leads or deputies in my Home tab."
        gone = ", ".join(mention(t) for _r, t in routes) or "nobody else (there is no one left to try)"
        how = "is failing repeatedly" if keep_trying else f"was refused ({code})"
        alert = (f":warning: A {'*URGENT* ' if esc.urgent else ''}safeguarding request for team {team.name} could not be "
                 f"delivered to {where}: Slack {how}. It has gone to {gone}.{fix}")
        alerts = []
        if row.role != "admin":
            for admin in self.settings.admins:
                alerts.append(enqueue(s, key=f"alert:{esc.id}:{reminder}:{target}:{admin}", kind="alert", channel=admin,
                                      text="An escalation could not be delivered", blocks=self.views.notice(alert),
                                      escalation_id=esc.id))
        out = queued + [a for a in alerts if a is not None]
        if keep_trying or queued or reminder != 0:
            return out
        s.flush()
        alive = s.execute(select(Outbox.id).where(Outbox.escalation_id == esc.id, Outbox.kind == "ping",
                                                  Outbox.status.in_(("pending", "sent")))).first()
        if alive is None:  # every way has failed: say so plainly, never "they have been told"
            text = (":warning: I could not get your request to your safeguarding lead through Slack. "
                    "Please phone them, or your manager, now.")
            if esc.urgent:
                text += " If a child is in danger, call 999."
            note = enqueue(s, key=f"unreached:{esc.id}", kind="notice", channel=esc.practitioner_user,
                           text="I could not reach your safeguarding lead", blocks=self.views.notice(text),
                           conversation_id=esc.conversation_id, escalation_id=esc.id)
            if note is not None:
                out.append(note)
        return out

    def _blocks(self, esc: Escalation, reminder: int = 0) -> list[dict]:
        with self.db.transaction() as s:
            return self._blocks_in(s, esc, reminder)

    def _blocks_in(self, s: Session, esc: Escalation, reminder: int = 0) -> list[dict]:
        record = s.get(Record, esc.record_id)
        path = list(record.path) if record else []
        policy = record.policy if record else None
        unsure, reasons = None, []
        if policy:
            flow = flow_for_ref(policy)
            reasons = [(flow.pack.nodes[p["node"]], p["answer"]) for p in path if p["answer"] != "not_sure"]
            unsure = flow.pack.nodes.get(esc.node) if esc.node else None
        return self.views.ping(esc, unsure, reasons, reminder)

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

