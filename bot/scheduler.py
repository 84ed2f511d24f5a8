"""Due work driven from the database: reminders, queued messages, digests, retention.

Due times are rows, so a restart neither skips nor repeats them. Every serving process
runs the ticker, but only the holder of the database lease does the work, and each piece
of work is itself taken by a conditional update, so two processes never send twice.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from storage.db import Database
from storage.models import Job, utcnow

log = logging.getLogger("canishare.scheduler")
LEASE = timedelta(seconds=90)
TICK_SECONDS = 30


class Lease:
    """A named lease in the jobs table: one holder at a time across processes."""

    def __init__(self, db: Database, name: str = "scheduler", owner: str | None = None):
        self.db = db
        self.name = name
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def acquire(self, now: datetime) -> bool:
        with self.db.transaction() as s:
            taken = s.execute(
                update(Job)
                .where(Job.name == self.name,
                       or_(Job.lease_until.is_(None), Job.lease_until < now, Job.lease_owner == self.owner))
                .values(lease_owner=self.owner, lease_until=now + LEASE)
            ).rowcount
        if taken:
            return True
        try:
            with self.db.transaction() as s:
                s.add(Job(name=self.name, due_at=now, lease_owner=self.owner, lease_until=now + LEASE))
            return True
        except IntegrityError:
            return False


class Ticker:
    """Runs `tasks(now)` every TICK_SECONDS while this process holds the lease."""

    def __init__(self, db: Database, tasks: list[Callable[[datetime], object]], clock: Callable[[], datetime] = utcnow):
        self.lease = Lease(db)
        self.tasks = tasks
        self.clock = clock
        self._scheduler: BackgroundScheduler | None = None

    def tick(self) -> None:
        now = self.clock()
        try:
            if not self.lease.acquire(now):
                return
        except SQLAlchemyError:
            log.warning("database unavailable; scheduled work waits for the next tick")
            return
        for task in self.tasks:
            try:
                task(now)
            except Exception:  # noqa: BLE001 - one failing task must not stop the others
                log.exception("scheduled task %s failed", getattr(task, "__name__", task))

    def start(self) -> None:
        self._scheduler = BackgroundScheduler(daemon=True)
        self._scheduler.add_job(self.tick, "interval", seconds=TICK_SECONDS, next_run_time=utcnow() + timedelta(seconds=2),
                                max_instances=1, coalesce=True)
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler:
            self._scheduler.shutdown(wait=False)
