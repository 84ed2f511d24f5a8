"""A safeguarding lead or deputy deactivated in Slack: the admins are told at once, once.

Slack says so in a `user_change` event (bot/listeners/membership.py) and, for a deactivation
the bot missed, in the scheduled check (users.info, bot/membership_refresh.py). The report
goes through the outbox, so it is delivered even if Slack is busy when it is written; the
`deactivated_leads` row is its key: one report per deactivation, however often Slack repeats
the event. Reactivation removes the row, so a later deactivation is reported again.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import DeactivatedLead, Outbox, utcnow
from storage.outbox import enqueue

from .config import Settings, Team
from .membership_text import report_text
from .messenger import Views

log = logging.getLogger("canishare.membership")


def roles_of(settings: Settings, user_id: str) -> list[tuple[Team, str]]:
    """(team, "safeguarding lead" | "deputy") for every team this person leads or deputises."""
    found = []
    for team in settings.teams:
        if user_id in team.leads:
            found.append((team, "safeguarding lead"))
        elif user_id in team.deputies:
            found.append((team, "deputy"))
    return found


def leads_and_deputies(settings: Settings) -> list[str]:
    return sorted({u for t in settings.teams for u in (*t.leads, *t.deputies)})


def note_user(db: Database, settings: Settings, user_id: str, deactivated: bool, views: Views,
              now: datetime | None = None) -> list[Outbox]:
    """What Slack says of this person now. Returns the admin reports queued (none when they
    lead no team, are active, or were already reported)."""
    roles = roles_of(settings, user_id)
    if not roles:
        return []
    if not deactivated:
        with db.transaction() as s:
            s.execute(delete(DeactivatedLead).where(DeactivatedLead.user_id == user_id))
        return []
    now = now or utcnow()
    try:
        with db.transaction() as s:
            if s.get(DeactivatedLead, user_id) is not None:
                return []
            s.add(DeactivatedLead(user_id=user_id, seen_at=now))
            s.flush()  # two processes with the same event: the second waits here, then fails
            text = report_text(user_id, roles)
            stamp = now.isoformat(timespec="microseconds")  # one report per problem (or deactivation) seen
            rows = [enqueue(s, key=f"deactivated:{user_id}:{stamp}:{admin}", kind="alert", channel=admin,
                            text="A safeguarding lead has been deactivated in Slack", blocks=views.notice(text))
                    for admin in settings.admins if admin != user_id]
            s.flush()
    except IntegrityError:
        return []
    if not rows:
        log.warning("a safeguarding lead was deactivated and there is no admin to tell")
    log.info("a deactivated safeguarding lead was reported to %d admin(s)", len(rows))
    return [r for r in rows if r is not None]


def forget_unnamed(db: Database, settings: Settings) -> int:
    """Rows for people no longer a lead or deputy: if they are named again while still
    deactivated, that is reported anew."""
    named = set(leads_and_deputies(settings))
    with db.transaction() as s:
        stale = [u for u in s.scalars(select(DeactivatedLead.user_id)) if u not in named]
        if stale:
            s.execute(delete(DeactivatedLead).where(DeactivatedLead.user_id.in_(stale)))
    return len(stale)
