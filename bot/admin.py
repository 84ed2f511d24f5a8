"""Admins' actions: post the digest now, get the export (their figures are bot/home.py's).

Only the configuration's `admins` reach any of it; anyone else is refused and nothing runs.
"""
from __future__ import annotations

import logging
import os
import tempfile
from datetime import datetime, timezone

from storage.db import Database
from storage.access import record_access
from storage.export import write_export

from .config import Settings
from .digest import digest_labels, this_week
from .messenger import Messenger
from .mrkdwn import channel_link

log = logging.getLogger("canishare.admin")

REFUSAL = "Only canishare admins can do that, so nothing was done. Ask your organisation's canishare admin if you need it."


def post_digest_now(settings: Settings, db: Database, messenger: Messenger, user_id: str) -> str:
    """Returns what to tell the admin."""
    if not settings.is_admin(user_id):
        return REFUSAL
    if not settings.digest.channel:
        return "No digest channel is configured (digest.channel in canishare.yml)."
    digest = this_week(settings, db)
    messenger.post_digest(settings.digest.channel, digest, digest_labels(settings))
    record_access(db, "digest", f"slack:{user_id}", {"channel": settings.digest.channel,
                                                      "period_start": digest["period_start"], "via": "app_home"},
                  digest["total"])
    return f"Digest posted to {channel_link(settings.digest.channel)}."


def send_export(settings: Settings, db: Database, messenger: Messenger, user_id: str) -> str | None:
    """Upload the CSV export to the admin's DM. Streams through a temporary file, so
    memory stays flat however many records there are."""
    if not settings.is_admin(user_id):
        return REFUSAL
    fd, path = tempfile.mkstemp(prefix="canishare-export-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out, db.read_only() as s:
            count = write_export(s, out, "csv")
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        messenger.upload(user_id, path, filename=f"canishare-export-{stamp}.csv", title=f"canishare decision records ({count})",
                         comment=f"The export you asked for: {count} decision records, oldest first.")
        record_access(db, "export", f"slack:{user_id}", {"format": "csv", "via": "app_home"}, count)
    finally:
        os.unlink(path)
    return None
