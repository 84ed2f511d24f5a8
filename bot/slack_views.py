"""bot.messenger.Views for Slack: the Block Kit builders, as plain dicts."""
from __future__ import annotations

from datetime import tzinfo
from typing import Any, Sequence

from .blocks import notice_blocks, to_dicts
from .escalation_blocks import ping_blocks
from .procedure_blocks import reminder_blocks


class SlackViews:
    def notice(self, text: str) -> list[dict]:
        return to_dicts(notice_blocks(text))

    def ping(self, esc: Any, unsure: Any | None, reasons: Sequence[tuple[Any, str]], reminder: int) -> list[dict]:
        return to_dicts(ping_blocks(esc.id, esc.practitioner_user, esc.urgent, unsure, reasons, esc.opened_at,
                                    esc.status, esc.claimed_by, esc.lead_outcome, reminder))

    def reminder(self, item: Any, referral: Any, tz: tzinfo | None) -> list[dict]:
        return to_dicts(reminder_blocks(item, referral, tz))
