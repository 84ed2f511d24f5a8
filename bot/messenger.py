"""The outbound port: what the services need to say to people, and nothing about how.

Services (escalation, follow-through, admin, digest) take a `Messenger` and plain data; the
Slack implementation is `bot.slack_messenger.SlackMessenger`, beside the Block Kit builders.
Blocks are plain dicts (Block Kit JSON), so a test can pass any object with these methods.
"""
from __future__ import annotations

from typing import Protocol


class Messenger(Protocol):
    def post(self, channel: str, text: str, blocks: list[dict] | None = None) -> tuple[str, str] | None:
        """Post a message; (channel, ts), or None when it was queued for later."""

    def update(self, channel: str, ts: str, text: str, blocks: list[dict] | None = None) -> bool:
        """Rewrite a posted message; False when it was queued for later."""

    def ephemeral(self, channel: str, user_id: str, text: str, blocks: list[dict] | None = None) -> None:
        """A note only `user_id` sees (in their DM when there is no conversation to put it in)."""

    def upload(self, user_id: str, path: str, filename: str, title: str, comment: str) -> None:
        """A file to a person's DM."""
