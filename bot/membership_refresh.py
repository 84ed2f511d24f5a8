"""The scheduled part of team membership (a ticker task, bot/scheduled_tasks.py): resolve
every configured user group and channel that is due (never resolved, or older than
REFRESH_EVERY), and look up every lead and deputy so a deactivation the events missed is
still reported. The ticker runs in one process at a time (its database lease)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import Job, MembershipMember, MembershipSource, naive_utc

from .config import Settings
from .deactivated_leads import forget_unnamed, leads_and_deputies, note_user
from .membership import REFRESH_EVERY, Directory, DirectoryError, configured_sources, resolve
from .messenger import Views

log = logging.getLogger("canishare.membership")
USERS_JOB = "membership_users"


def forget_unconfigured(db: Database, settings: Settings) -> int:
    """Drop sources no team names any more: if one is named again, it is resolved afresh
    rather than trusted from an old list (events for it were ignored meanwhile)."""
    wanted = set(configured_sources(settings))
    with db.transaction() as s:
        stale = [src for src in s.scalars(select(MembershipSource.source)) if src not in wanted]
        if stale:
            s.execute(delete(MembershipMember).where(MembershipMember.source.in_(stale)))
            s.execute(delete(MembershipSource).where(MembershipSource.source.in_(stale)))
    return len(stale)


def due_sources(db: Database, settings: Settings, now: datetime) -> list[str]:
    wanted = sorted(configured_sources(settings))
    if not wanted:
        return []
    with db.read_only() as s:
        checked = dict(s.execute(select(MembershipSource.source, MembershipSource.checked_at)
                                 .where(MembershipSource.source.in_(wanted))).all())
    return [src for src in wanted if checked.get(src) is None or checked[src] <= now - REFRESH_EVERY]


@dataclass
class Refreshed:
    resolved: int = 0
    failed: int = 0
    changed: int = 0
    users_checked: int = 0
    reports: list[int] = field(default_factory=list)  # outbox ids of admin reports queued


def refresh_due(db: Database, directory: Directory, settings: Settings, views: Views, now: datetime,
                check_users: bool) -> Refreshed:
    """Resolve what is due; with `check_users`, also ask Slack about every lead and deputy."""
    now = naive_utc(now)
    out = Refreshed()
    forget_unconfigured(db, settings)
    for source in due_sources(db, settings, now):
        done = resolve(db, directory, settings, source, views, now)
        out.resolved += int(done.ok)
        out.failed += int(not done.ok)
        out.changed += done.changed
        out.reports += done.reports
    if check_users:
        forget_unnamed(db, settings)
        for user_id in leads_and_deputies(settings):
            try:
                gone = directory.is_deactivated(user_id)
            except DirectoryError as err:
                log.warning("could not check a lead's account: %s", err.code)
                if err.code == "missing_scope":
                    break
                continue
            out.users_checked += 1
            out.reports += [r.id for r in note_user(db, settings, user_id, gone, views, now)]
    return out


def users_check_due(db: Database, now: datetime) -> bool:
    """Claim this REFRESH_EVERY's check of the leads' accounts (the jobs table: a restart
    neither repeats nor skips it; the first runs at once)."""
    now = naive_utc(now)
    with db.read_only() as s:
        job = s.get(Job, USERS_JOB)
        due = job.due_at if job is not None else None
    if due is None:
        try:
            with db.transaction() as s:
                s.add(Job(name=USERS_JOB, due_at=now + REFRESH_EVERY, last_run_at=now))
            return True
        except IntegrityError:  # another process made it first: its check is this one
            return False
    if due > now:
        return False
    with db.transaction() as s:
        return s.execute(update(Job).where(Job.name == USERS_JOB, Job.due_at == due)
                         .values(due_at=now + REFRESH_EVERY, last_run_at=now)).rowcount == 1


def run(db: Database, directory: Directory, settings: Settings, views: Views, now: datetime,
        deliverer: Any = None) -> Refreshed:
    """The ticker task: what is due, then the admins' reports delivered at once."""
    done = refresh_due(db, directory, settings, views, now, check_users=users_check_due(db, now))
    if done.reports and deliverer is not None:
        deliverer.deliver(done.reports)
    return done
