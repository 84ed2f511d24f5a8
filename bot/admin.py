"""Admins in Slack: this week's figures in App Home, post the digest now, get the export.

Only the configuration's `admins` reach any of it; anyone else is refused and nothing runs.
"""
from __future__ import annotations

import logging
import os
import tempfile
from datetime import datetime, timezone

from slack_sdk import WebClient
from slack_sdk.models.blocks import ActionsBlock, Block, ContextBlock, DividerBlock, HeaderBlock, PlainTextObject, SectionBlock

from storage.db import Database
from storage.digest import compute_digest
from storage.export import write_export

from . import blocks as B
from .ids import ADMIN_CSV, ADMIN_POST, Action, BlockId
from .config import Settings
from .messenger import Messenger
from .digest import OUTCOME_LABELS, post_digest

log = logging.getLogger("canishare.admin")

REFUSAL = "Only canishare admins can do that, so nothing was done. Ask your organisation's canishare admin if you need it."


def this_week(settings: Settings, db: Database, now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    with db.sessions() as s:
        return compute_digest(s, now, settings.digest.zone)


def admin_blocks(digest: dict) -> list[Block]:
    """Figures for the last 7 days, and the admin's two buttons."""
    outcomes = " · ".join(f"{OUTCOME_LABELS.get(k, k)}: *{v}*" for k, v in digest["by_outcome"].items())
    esc = digest["escalations"]
    median = esc.get("median_minutes_to_claim")
    claim = f"{median:.0f} min" if isinstance(median, (int, float)) else "n/a"
    unsure = sorted(digest["unsure_at"].items(), key=lambda kv: -kv[1])[:3]
    unsure_text = ", ".join(f"{B.escape(node)} ({n})" for node, n in unsure) or "none"
    return [
        DividerBlock(),
        HeaderBlock(text=PlainTextObject(text="Last 7 days (admins)")),
        SectionBlock(block_id=BlockId.ADMIN_FIGURES, text=B.md(
            f"*Decisions:* {digest['total']} — {outcomes}\n"
            f"*Escalations:* {esc['opened']} opened, {esc['claimed']} claimed, {esc['resolved']} resolved; median time to claim {claim}\n"
            f"*Most often unsure at:* {unsure_text}\n"
            f"*Abandoned part-way:* {digest.get('abandoned', 0)}")),
        ActionsBlock(block_id=BlockId.ADMIN_ACTIONS, elements=[
            B.button("Post the digest now", Action.ADMIN_POST_DIGEST, ADMIN_POST),
            B.button("Send me the export (CSV)", Action.ADMIN_EXPORT, ADMIN_CSV),
        ]),
        ContextBlock(elements=[B.md(":lock: Counts only here. The export holds pseudonyms and screened reasons; keep it secure.")]),
    ]


def post_digest_now(settings: Settings, db: Database, client: WebClient, user_id: str) -> str:
    """Returns what to tell the admin."""
    if not settings.is_admin(user_id):
        return REFUSAL
    if not settings.digest.channel:
        return "No digest channel is configured (digest.channel in canishare.yml)."
    post_digest(client, settings.digest.channel, this_week(settings, db))
    return f"Digest posted to <#{settings.digest.channel}>."


def send_export(settings: Settings, db: Database, messenger: Messenger, user_id: str) -> str | None:
    """Upload the CSV export to the admin's DM. Streams through a temporary file, so
    memory stays flat however many records there are."""
    if not settings.is_admin(user_id):
        return REFUSAL
    fd, path = tempfile.mkstemp(prefix="canishare-export-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out, db.sessions() as s:
            count = write_export(s, out, "csv")
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        messenger.upload(user_id, path, filename=f"canishare-export-{stamp}.csv", title=f"canishare decision records ({count})",
                         comment=f"The export you asked for: {count} decision records, oldest first.")
    finally:
        os.unlink(path)
    return None
