"""The outbound ports: what the services need to say to people, and nothing about how.

Services (escalation, follow-through, admin, digest) take a `Messenger` and plain data, and
ask `Views` for the blocks of what they send; the Slack implementations are
`bot.slack_messenger.SlackMessenger` and `bot.slack_views.SlackViews`, beside the Block Kit
builders. Blocks are plain dicts (Block Kit JSON), so a test can pass any object with these
methods.
"""
from __future__ import annotations

from datetime import tzinfo
from typing import Any, Protocol, Sequence


class Messenger(Protocol):
    def post(self, channel: str, text: str, blocks: list[dict] | None = None) -> tuple[str, str] | None:
        """Post a message; (channel, ts), or None when it was queued for later."""

    def update(self, channel: str, ts: str, text: str, blocks: list[dict] | None = None) -> bool:
        """Rewrite a posted message; False when it was queued for later."""

    def ephemeral(self, channel: str, user_id: str, text: str, blocks: list[dict] | None = None) -> None:
        """A note only `user_id` sees (in their DM when there is no conversation to put it in)."""

    def upload(self, user_id: str, path: str, filename: str, title: str, comment: str) -> None:
        """A file to a person's DM."""

    def post_digest(self, channel: str, digest: dict[str, Any], labels: dict[str, dict[str, str]] | None = None) -> str:
        """The weekly digest (and its chart) to a channel; its ts. Raises if it did not go."""


class Views(Protocol):
    """The blocks of what the services queue or send."""

    def notice(self, text: str) -> list[dict]:
        """One paragraph of mrkdwn."""

    def ping(self, esc: Any, unsure: Any | None, reasons: Sequence[tuple[Any, str]], reminder: int) -> list[dict]:
        """A safeguarding lead's ping for escalation `esc` as it stands."""

    def reminder(self, item: Any, referral: Any, tz: tzinfo | None) -> list[dict]:
        """A referral reminder with its Done and Dismiss buttons."""


def slack_views() -> Views:
    """The Slack rendering, for callers that do not pass one (imported only when called)."""
    from .slack_views import SlackViews

    return SlackViews()
