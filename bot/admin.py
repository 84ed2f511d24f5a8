"""Admins' actions: post the digest now, get the export (their figures are bot/home.py's).

Only the configuration's `admins` reach any of it; anyone else is refused and nothing runs.
"""
from __future__ import annotations

import logging
import os
import tempfile
from datetime import datetime, timezone

from storage.db import Database
from storage.export import write_export

from .config import Settings
from .digest import this_week
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
    messenger.post_digest(settings.digest.channel, this_week(settings, db))
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
    finally:
        os.unlink(path)
    return None
