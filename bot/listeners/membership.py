"""Slack telling us who is in a team: a user group's members changed, someone joined or left
a team's members channel, or a person was deactivated (bot/membership.py,
bot/deactivated_leads.py). Every write is idempotent: Slack repeats events, and a repeat may
come with a new event id.
"""
from __future__ import annotations

import logging
import time

from slack_bolt import App
from slack_sdk import WebClient

from .. import membership
from ..deactivated_leads import note_user
from ..slack_directory import SlackDirectory
from . import Deps, acked

log = logging.getLogger("canishare.listeners")


def _deliver(deps: Deps, ids: list[int] | tuple[int, ...]) -> None:
    if ids and deps.deliverer is not None:  # the delivery loop would send them within a second anyway
        deps.deliverer.deliver(list(ids))


def _users(value: object) -> list[str]:
    return [u for u in value if isinstance(u, str) and u] if isinstance(value, list) else []


def _changed(deps: Deps, client: WebClient, source: str, added: list[str], removed: list[str], as_of: float) -> None:
    settings = deps.settings
    if source not in membership.configured_sources(settings):
        return  # a group or channel no team uses (an escalation channel, say)
    if membership.apply_delta(deps.db, source, added, removed, as_of):
        return
    # Never resolved in full (just configured, or Slack refused before): ask for the whole list.
    done = membership.resolve(deps.db, SlackDirectory(client), settings, source, deps.escalations.views)
    _deliver(deps, done.reports)


def on_subteam_members_changed(deps: Deps, event: dict, client: WebClient, **_) -> None:
    subteam = event.get("subteam_id")
    if not isinstance(subteam, str) or not subteam:
        return
    try:  # Slack's seconds; rounded up, so a list read in the same second does not outrank it
        as_of = float(event.get("date_update")) + 1
    except (TypeError, ValueError):  # no date: it is news now
        as_of = time.time()
    _changed(deps, client, membership.usergroup_source(subteam), _users(event.get("added_users")),
             _users(event.get("removed_users")), as_of)


def on_member_channel(deps: Deps, event: dict, client: WebClient, **_) -> None:
    channel, user = event.get("channel"), event.get("user")
    if not isinstance(channel, str) or not isinstance(user, str) or not channel or not user:
        return
    try:
        as_of = float(event.get("event_ts"))
    except (TypeError, ValueError):
        return
    joined = event.get("type") == "member_joined_channel"
    _changed(deps, client, membership.channel_source(channel), [user] if joined else [], [] if joined else [user], as_of)


def on_user_change(deps: Deps, event: dict, **_) -> None:
    user = event.get("user") if isinstance(event.get("user"), dict) else {}
    user_id = user.get("id")
    if not isinstance(user_id, str) or not user_id:
        return
    rows = note_user(deps.db, deps.settings, user_id, bool(user.get("deleted")), deps.escalations.views)
    _deliver(deps, [r.id for r in rows])


def register(app: App, deps: Deps) -> None:
    if isinstance(deps, Deps) and deps.membership is None:  # a tenant's Deps come with their own
        deps.membership = membership.MemberCache(deps.db)
    acked(deps, app.event("subteam_members_changed"), on_subteam_members_changed)
    acked(deps, app.event("member_joined_channel"), on_member_channel)
    acked(deps, app.event("member_left_channel"), on_member_channel)
    acked(deps, app.event("user_change"), on_user_change)
