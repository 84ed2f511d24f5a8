"""The weekly digest as a service: the figures (storage.digest.compute_digest) for the week
to now. Rendering and posting are bot/digest_blocks.py; the weekly task is
bot/scheduled_tasks.py, beside the ticker."""
from __future__ import annotations

from datetime import datetime, timezone

from storage.db import Database
from storage.digest import compute_digest

from .config import Settings


def this_week(settings: Settings, db: Database, now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    with db.read_only() as s:
        return compute_digest(s, now, settings.digest.zone)
