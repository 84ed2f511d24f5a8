"""The Slack implementation of the outbound port (bot/messenger.py): slack_sdk, with what to do when Slack is not answering.

The WebClient already retries connection errors, 429 (honouring Retry-After) and 5xx with
backoff. A message that still cannot be posted goes to the outbox table and the scheduler
tries again later, so a Slack outage loses no question, outcome or ping.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler

from storage.db import Database
from storage.models import Outbox, utcnow

from .digest_blocks import post_digest

log = logging.getLogger("canishare.slack")

# Errors a retry may cure; anything else (e.g. channel_not_found) is a fault to report, not repeat.
TRANSIENT = {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
MAX_ATTEMPTS = 8


def make_client(token: str, base_url: str | None) -> WebClient:
    kwargs: dict[str, Any] = {"token": token, "timeout": 10}
    if base_url:
        kwargs["base_url"] = base_url
    client = WebClient(**kwargs)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=3),
    ]
    return client


def _is_transient(err: Exception) -> bool:
    if isinstance(err, SlackApiError):
        status = getattr(err.response, "status_code", 0) or 0
        return status == 429 or status >= 500 or err.response.get("error") in TRANSIENT
    return isinstance(err, (SlackClientError, OSError))


class SlackMessenger:
    """bot.messenger.Messenger over a slack_sdk WebClient."""

    def __init__(self, client: WebClient, db: Database):
        self.client = client
        self.db = db

    def post(self, channel: str, text: str, blocks: list[dict] | None = None) -> tuple[str, str] | None:
        """Post a message; returns (channel, ts), or None when it was queued for later."""
        args = {"channel": channel, "text": text, "blocks": blocks}
        try:
            resp = self.client.chat_postMessage(**args)
            return resp["channel"], resp["ts"]
        except Exception as err:  # noqa: BLE001 - any failure must not lose the message
            self._queue_or_log("chat.postMessage", args, err)
            return None

    def update(self, channel: str, ts: str, text: str, blocks: list[dict] | None = None) -> bool:
        args = {"channel": channel, "ts": ts, "text": text, "blocks": blocks}
        try:
            self.client.chat_update(**args)
            return True
        except Exception as err:  # noqa: BLE001
            self._queue_or_log("chat.update", args, err)
            return False

    def ephemeral(self, channel: str, user_id: str, text: str, blocks: list[dict] | None = None) -> None:
        """A note only `user_id` sees. With no conversation to put it in (a click in App Home),
        it goes to their DM with the bot, where they will see it."""
        if not channel or channel[:1] in ("U", "W") or channel == user_id:
            self.post(user_id, text, blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
            return
        try:
            self.client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
        except Exception as err:  # noqa: BLE001 - an ephemeral note is not worth keeping
            log.warning("could not send an ephemeral message: %s", type(err).__name__)

    def upload(self, user_id: str, path: str, filename: str, title: str, comment: str) -> None:
        dm = self.client.conversations_open(users=user_id)["channel"]["id"]
        self.client.files_upload_v2(channel=dm, file=path, filename=filename, title=title, initial_comment=comment)

    def post_digest(self, channel: str, digest: dict[str, Any], labels: dict[str, dict[str, str]] | None = None) -> str:
        return post_digest(self.client, channel, digest, labels)

    def _queue_or_log(self, method: str, args: dict[str, Any], err: Exception) -> None:
        if not _is_transient(err):
            log.error("Slack refused %s: %s", method, getattr(getattr(err, "response", None), "get", lambda _k: type(err).__name__)("error"))
            return
        log.warning("Slack unavailable for %s (%s); queued to retry", method, type(err).__name__)
        try:
            with self.db.transaction() as s:
                s.add(Outbox(method=method, args=args, kind="edit", due_at=utcnow() + timedelta(seconds=5)))
        except Exception:  # noqa: BLE001
            log.exception("could not queue a Slack message")
