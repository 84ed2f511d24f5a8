"""The scheduled tasks beside the ticker (bot/scheduler.py): the weekly digest, the daily
retention purge, and the reminders and second-chance deliveries every tick."""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Callable

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from storage.access import record_access
from storage.db import Database
from storage.digest import compute_digest, next_digest_slot, scheduled_digest_end
from storage.models import Job, naive_utc
from storage.retention import purge_in_batches

from . import followup, membership_refresh
from .config import Settings
from .config_store import SettingsSource, live
from .digest import digest_labels
from .digest_blocks import post_digest
from .listeners import Deps
from .slack_directory import SlackDirectory
from .slack_messenger import SlackMessenger

log = logging.getLogger("canishare.digest")

DIGEST_JOB = "weekly_digest"
RETENTION_JOB = "retention"
DIGEST_LEASE = timedelta(minutes=10)  # how long a claim holds before another process may retry
RETRY_AFTER = timedelta(minutes=5)  # after a failed post
RETENTION_EVERY = timedelta(days=1)


def _owner() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]


def _read_or_create(db: Database, name: str, first_due: datetime) -> datetime | None:
    """The job's due time; a missing row is created with `first_due` (None: it was just made
    by another process, come back next tick)."""
    with db.transaction() as s:
        job = s.get(Job, name)
        if job is not None:
            return job.due_at
    try:
        with db.transaction() as s:
            s.add(Job(name=name, due_at=first_due))
        return first_due
    except IntegrityError:
        return None


def _follow_schedule(db: Database, due: datetime, now: datetime, schedule) -> datetime:
    """The due time, moved to the schedule's next slot when an admin has changed the digest's
    day, time or zone since it was set (it is then no slot of the schedule): the new schedule
    starts at its next slot, with no surprise post for a slot of the old one."""
    if naive_utc(scheduled_digest_end(due, schedule)) == due:
        return due
    moved = naive_utc(next_digest_slot(now, schedule))
    with db.transaction() as s:
        s.execute(update(Job).where(Job.name == DIGEST_JOB, Job.due_at == due).values(due_at=moved))
    log.info("weekly digest moved to the new schedule")
    return moved


def weekly_digest_task(settings: Settings | SettingsSource, db: Database, client: WebClient) -> Callable[[datetime], str | None]:
    """A ticker task that posts the digest once per weekly slot.

    The next slot is the `weekly_digest` row of the jobs table. A process that finds it due
    claims it with a conditional UPDATE (same due_at as read, no live lease), posts, and
    then moves due_at to the first slot after now. So two processes never both post; a
    restart neither repeats a week (due_at has moved on) nor skips one (a slot missed while
    the server was down is still due, and is posted once, for the latest week, on return).
    A failed post releases the claim for a retry in RETRY_AFTER. On first run the row is
    created with the next slot: no digest for weeks before the bot was running. The schedule
    and channel are read from the current configuration at every tick.
    """
    config = live(settings)
    owner = _owner()

    def task(now: datetime) -> str | None:
        now = naive_utc(now)
        current = config.current()
        schedule = current.digest
        if not schedule.channel:
            return None
        due = _read_or_create(db, DIGEST_JOB, naive_utc(next_digest_slot(now, schedule)))
        if due is not None:
            due = _follow_schedule(db, due, now, schedule)
        if due is None or due > now:
            return None
        with db.transaction() as s:
            taken = s.execute(
                update(Job)
                .where(Job.name == DIGEST_JOB, Job.due_at == due, or_(Job.lease_until.is_(None), Job.lease_until < now))
                .values(lease_owner=owner, lease_until=now + DIGEST_LEASE)
            ).rowcount
        if not taken:
            return None
        mine = (Job.name == DIGEST_JOB, Job.due_at == due, Job.lease_owner == owner)
        try:
            with db.transaction() as s:
                digest = compute_digest(s, scheduled_digest_end(now, schedule), schedule.zone)
            ts = post_digest(client, schedule.channel, digest, digest_labels(current))
        except Exception:
            with db.transaction() as s:
                s.execute(update(Job).where(*mine).values(lease_until=now + RETRY_AFTER))
            raise
        with db.transaction() as s:
            s.execute(update(Job).where(*mine).values(
                due_at=naive_utc(next_digest_slot(now, schedule)), last_run_at=now, lease_owner=None, lease_until=None))
        record_access(db, "digest", "scheduler", {"channel": schedule.channel, "period_start": digest["period_start"]},
                      digest["total"])
        log.info("weekly digest posted (%d decisions)", digest["total"])
        return ts

    task.__name__ = "weekly_digest"
    return task


def retention_task(settings: Settings | SettingsSource, db: Database) -> Callable[[datetime], dict[str, int] | None]:
    """A ticker task that runs the retention purge once a day (first run: at once).

    It claims the day's run by moving due_at on with a conditional UPDATE (the value read),
    so two processes never purge together, then purges in short batches. A purge that fails
    part-way is due again in an hour; what it already deleted stays deleted (each batch is
    complete in itself and the chain verifies after each). retention_days is read at each run."""
    config = live(settings)

    def task(now: datetime) -> dict[str, int] | None:
        now = naive_utc(now)
        days = config.current().retention_days
        due = _read_or_create(db, RETENTION_JOB, now)
        if due is None or due > now:
            return None
        next_due = now + RETENTION_EVERY
        with db.transaction() as s:
            taken = s.execute(
                update(Job).where(Job.name == RETENTION_JOB, Job.due_at == due).values(due_at=next_due, last_run_at=now)
            ).rowcount
        if not taken:
            return None
        try:
            counts = purge_in_batches(db, now, days)
        except Exception:
            with db.transaction() as s:
                s.execute(update(Job).where(Job.name == RETENTION_JOB, Job.due_at == next_due)
                          .values(due_at=now + timedelta(hours=1)))
            raise
        if sum(counts.values()):
            record_access(db, "purge", "scheduler", {"retention_days": days}, sum(counts.values()))
        log.info("retention purge: %s", ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "nothing due")
        return counts

    task.__name__ = "retention"
    return task


def scheduled_tasks(bolt: App, db: Database) -> list[Callable]:
    """What the ticker runs in a serving process, given its Bolt app: one workspace's tasks, or,
    with many workspaces, one task that runs every active tenant's tasks in turn (the ticker's
    single lease is the control database's: one scheduler per deployment)."""
    source = bolt.canishare_deps  # type: ignore[attr-defined]
    if isinstance(source, Deps):
        return tasks_for(source, bolt.client, db)
    return [each_tenant(source)]


def tasks_for(deps: Deps, client: WebClient, db: Database) -> list[Callable]:
    """One workspace's scheduled tasks, on its database with its bot client."""
    messenger = SlackMessenger(client, db)

    def escalation_reminders(now):
        return deps.escalations.remind_due(messenger, now)

    def outbox(now):  # the delivery loop runs every second; this is a second chance
        return deps.deliverer.run_due(now)

    def referral_reminders(now):
        return followup.send_due(db, messenger, now, deps.settings.digest.zone, views=deps.escalations.views)

    def team_membership(now):  # user groups, members channels, deactivated leads (bot/membership_refresh.py)
        return membership_refresh.run(db, SlackDirectory(client), deps.settings, deps.escalations.views, now,
                                      deps.deliverer)

    return [escalation_reminders, outbox, referral_reminders, team_membership,
            weekly_digest_task(deps.config, db, client), retention_task(deps.config, db)]


def each_tenant(source) -> Callable[[datetime], int]:
    """A ticker task running every active tenant's tasks (tasks_for) with that tenant's Deps:
    its database, configuration, pseudonym key and bot token. A tenant's failing task is logged
    (its type) and the next task and tenant go on. Returns how many tenants were visited."""
    held: dict[str, list[Callable]] = {}  # per tenant, built once: the digest task keeps its claim owner

    def task(now: datetime) -> int:
        visited = 0
        for deps in source.served():  # bot.tenant_deps.TenantDeps: active tenants only
            visited += 1
            tasks = held.get(deps.tenant)
            if tasks is None:
                tasks = held[deps.tenant] = tasks_for(deps, deps.client, deps.db)
            for one in tasks:
                try:
                    one(now)
                except Exception as error:  # noqa: BLE001 - one tenant's failure must not stop the others
                    log.error("scheduled task %s failed for tenant %s: %s", getattr(one, "__name__", "?"),
                              deps.tenant, type(error).__name__)
        return visited

    task.__name__ = "each_tenant"
    return task
