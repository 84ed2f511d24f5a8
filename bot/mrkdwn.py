"""Slack's mrkdwn as plain text: escaping and mentions. No Slack SDK, so services can word
what they say without knowing Block Kit."""
from __future__ import annotations


def escape(text: str) -> str:
    """Slack mrkdwn control characters, so no text can mention, link or ping anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>"
