"""Slack Connect: a person from another organisation, in a channel shared with one of ours.

Their questions and records belong to their own organisation, never to the tenant whose
channel they happen to be in. So a request whose actor's own workspace (interactions:
`user.team_id`; message and mention events: `event.user_team`) is not the tenant's is turned
away before any listener runs: to their own organisation's canishare when it is installed,
else with a polite refusal. Where the payload names no actor team (slash commands carry the
invoking workspace as `team_id`, which is how the tenant was resolved) there is nothing to
compare and the tenant stands.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

from slack_sdk import WebClient

log = logging.getLogger("canishare.tenants")

OWN_WORKSPACE = ("This channel is shared with another organisation. Your organisation has its own canishare: please "
                 "use it from your own workspace (/canishare there, or its Home tab), so that your question and its "
                 "record stay with your organisation.")


@dataclass(frozen=True)
class Foreign:
    home: str  # the person's own workspace (T…) or Grid org (E…)
    installed: bool  # their organisation has canishare too


def actor_home(body: dict) -> str | None:
    """The workspace (or Grid org) of whoever acted, as the payload says it; None if it does not."""
    user = body.get("user")
    if isinstance(user, dict) and isinstance(user.get("team_id"), str) and user["team_id"]:
        return user["team_id"]
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("user_team"), str) and event["user_team"]:
        return event["user_team"]
    return None


def payload_enterprise(body: dict) -> str | None:
    """The Grid org the payload says the request came through (interactions, events, commands)."""
    enterprise, team = body.get("enterprise"), body.get("team")
    auths = [a for a in body.get("authorizations") or [] if isinstance(a, dict)]
    for value in ((enterprise or {}).get("id") if isinstance(enterprise, dict) else None,
                  (team or {}).get("enterprise_id") if isinstance(team, dict) else None,
                  auths[0].get("enterprise_id") if auths else None,
                  body.get("enterprise_id")):
        if isinstance(value, str) and value:
            return value
    return None


def foreign_actor(body: dict, tenant: str, is_active: Callable[[str], bool]) -> Foreign | None:
    """Whether the actor is from another organisation than `tenant`; None when they are ours
    (or the payload does not say)."""
    home = actor_home(body)
    if not home or home == tenant:
        return None
    if tenant.startswith("E"):  # an org-wide install: every workspace of the org is ours
        if home.startswith("E") or is_active(home):  # another org, or a workspace with canishare of its own
            return Foreign(home, is_active(home))
        return None  # a workspace of this org (Grid user ids are org-wide)
    # A workspace tenant: a Grid user of the same org may be named by the org's id.
    if home.startswith("E") and home == payload_enterprise(body):
        return None
    return Foreign(home, is_active(home))


def tell_later(client: WebClient, body: dict, text: str) -> None:
    """An ephemeral note to the person, off the request thread (the answer to Slack must not wait)."""
    from .listeners import channel_of, user_id_of

    channel, user = channel_of(body), user_id_of(body)
    if not channel or not user:
        return

    def post() -> None:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        except Exception as error:  # noqa: BLE001 - best effort: the person sees nothing happen
            log.warning("could not tell a person from another organisation: %s", type(error).__name__)

    threading.Thread(target=post, name="canishare-connect-note", daemon=True).start()
