"""Where a safeguarding lead's ping goes, and what Slack's answer to each delivery means:
the first round's targets, the way round a target Slack refuses (each lead's DM, then the
deputies, then the admins), and telling the practitioner only what was really delivered.

A mixin of bot.escalation.Escalations (it uses its settings, database and views); the
deliverer calls `delivered` and `unreachable` inside its own transaction.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from conversation.flow import flow_for_ref
from storage.models import Escalation, Outbox, Record, utcnow
from storage.outbox import enqueue

from .config import Settings, Team
from .messenger import Views
from .mrkdwn import channel_link, mention

log = logging.getLogger("canishare.escalation")

SHARED_CHANNEL = "ext_shared_channel"  # the refusal recorded for a ping kept out of a Slack Connect channel
SHARED_CHECK_SECONDS = 300.0  # how long a channel's "shared or not" is trusted
_shared_seen: dict[tuple[int, str], tuple[bool, float]] = {}  # (id of the client, channel) -> (shared, when)
_shared_lock = threading.Lock()


def shared_with_another_org(info: dict) -> bool:
    """conversations.info's channel: shared with another organisation (Slack Connect), or on its
    way to be. A channel shared only between workspaces of one Grid org (is_org_shared) is not."""
    return bool(info.get("is_ext_shared") or info.get("is_pending_ext_shared"))


def ping_text(urgent: bool, user_id: str) -> str:
    """The ping's text; `user_id` is the practitioner's Slack user id."""
    prefix = "URGENT: " if urgent else ""
    return f"{prefix}{mention(user_id)} needs safeguarding advice about sharing information."


class PingRouting:
    settings: Settings  # Escalations.settings: the current configuration, read per call
    views: Views

    def _targets(self, team: Team, urgent: bool, reminder: int) -> list[tuple[str, str]]:
        """Where a ping goes, as (role, id): the team channel, or each lead's DM; deputies when
        urgent or overdue."""
        with_deputies = urgent or reminder >= 2
        targets: list[tuple[str, str]] = ([("channel", team.escalation_channel)] if team.escalation_channel
                                          else [("lead", u) for u in team.leads])
        if with_deputies:
            targets += [("deputy", d) for d in team.deputies if d not in team.leads]
        return targets

    def channel_refusal(self, client: Any, row: Outbox) -> str | None:
        """Before a ping is posted to a team's escalation channel: SHARED_CHANNEL when that channel
        is shared with another organisation and the team does not allow it (shared_channel_allowed),
        so the ping goes the DM way instead, as for a channel Slack refuses, and the admins are
        told why. None: post it. A channel Slack will not describe is left to the post itself."""
        if not getattr(self, "check_shared_channels", False) or row.role != "channel" or not row.escalation_id:
            return None
        with self.db.transaction() as s:
            esc = s.get(Escalation, row.escalation_id)
            team_id = esc.team if esc is not None else None
        team = self.settings.team(team_id) if team_id else None
        if team is None or team.shared_channel_allowed:
            return None
        channel = str(row.args.get("channel") or "")
        key, now = (id(client), channel), time.monotonic()
        seen = _shared_seen.get(key)
        if seen is None or now - seen[1] >= SHARED_CHECK_SECONDS:
            try:
                info = client.conversations_info(channel=channel).get("channel") or {}
            except Exception as error:  # noqa: BLE001 - the post will meet the same problem and say so
                log.warning("could not check whether an escalation channel is shared: %s", type(error).__name__)
                return None
            seen = (shared_with_another_org(info), now)
            with _shared_lock:
                _shared_seen[key] = seen
        return SHARED_CHANNEL if seen[0] else None

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
        elif code == SHARED_CHANNEL:
            fix = (f" {channel_link(target)} is shared with another organisation, so requests are not posted there. "
                   f"To fix it, choose a channel only your organisation is in for this team in my Home tab.")
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
