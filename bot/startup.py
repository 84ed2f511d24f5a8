"""Start-up checks against Slack: every configured person and channel must exist."""
from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError, SlackClientError

from .config import Secrets, Settings
from .membership import DirectoryError
from .slack_directory import SlackDirectory
from .slack_messenger import make_client

log = logging.getLogger("canishare.startup")


def check_slack_ids(settings: Settings, secrets: Secrets) -> list[str]:
    """Problems with configured IDs, in words an operator can act on. Leads, deputies and
    channels are fatal: an escalation that goes nowhere leaves a child at risk. An unknown
    member or admin is only logged, so one person leaving cannot take the service down."""
    client = make_client(secrets.bot_token, secrets.api_url)
    where = secrets.api_url or "https://slack.com/api/"
    sdk_log = logging.getLogger("slack_sdk.web.base_client")
    level = sdk_log.level
    sdk_log.setLevel(logging.CRITICAL)  # its own ERROR line per retry would bury the one line below
    try:
        client.auth_test()
    except SlackApiError as err:
        return [f"Slack refused SLACK_BOT_TOKEN ({err.response.get('error')}); copy the Bot User OAuth Token (xoxb-…) again"]
    except OSError as err:
        reason = getattr(err, "reason", None) or err
        return [f"cannot reach Slack's Web API at {where} ({type(err).__name__}: {reason}); check the network, "
                f"a proxy, or SLACK_API_URL (its form: https://host/api/)"]
    finally:
        sdk_log.setLevel(level)
    problems: list[str] = []
    roles: dict[str, str] = {}
    for team in settings.teams:
        for u in team.members:
            roles.setdefault(u, f"member of {team.id}")
        for u in team.deputies:
            roles[u] = f"deputy of {team.id}"
        for u in team.leads:
            roles[u] = f"safeguarding lead of {team.id}"
    for u in settings.admins:
        roles.setdefault(u, "admin")
    for user_id, role in sorted(roles.items(), key=lambda kv: (not kv[1].startswith("safeguarding"), kv[0])):
        try:
            user = client.users_info(user=user_id)["user"]
            if user.get("deleted"):
                _report(problems, role, f"{user_id} ({role}) has been deactivated in Slack")
        except SlackApiError as err:
            error = err.response.get("error")
            if error in ("user_not_found", "invalid_user"):
                _report(problems, role, f"{user_id} ({role}) is not a user in this workspace")
            elif error == "missing_scope":
                log.warning("cannot check user ids: the app lacks users:read")
                break
            else:
                raise
    escalation_channels = {t.escalation_channel for t in settings.teams if t.escalation_channel}
    for channel in sorted(settings.all_channel_ids()):
        try:
            info = client.conversations_info(channel=channel).get("channel") or {}
            if info.get("is_archived"):
                problems.append(f"channel {channel} is archived; unarchive it or configure another channel")
            elif channel in escalation_channels and info.get("is_member") is False:
                # Every ping there would fail with not_in_channel.
                name = info.get("name") or channel
                problems.append(f"the bot is not a member of escalation channel #{name} ({channel}); "
                                f"invite @canishare to #{name} (/invite @canishare in the channel)")
        except SlackApiError as err:
            error = err.response.get("error")
            if error == "channel_not_found":
                problems.append(f"channel {channel} does not exist or the app has not been added to it")
            elif error == "missing_scope":
                log.warning("cannot check channel ids: the app lacks channels:read")
                break
            else:
                raise
    check_membership_sources(settings, client)
    return problems


def check_membership_sources(settings: Settings, client) -> list[str]:
    """A team's user group or members channel Slack cannot show is a warning, never fatal:
    membership keeps the members last read from it (and a team's own members list), and one
    group deleted in Slack must not stop every team's escalations. Returns what was logged."""
    warnings: list[str] = []

    def warn(message: str) -> None:
        warnings.append(message)
        log.warning("configuration: %s", message)

    grouped = sorted((t for t in settings.teams if t.members_usergroup), key=lambda t: t.id)
    # One usergroups.list for every team, not a member list per group: a group missing from the
    # enabled groups is what usergroups.users.list would answer no_such_subteam for, and the
    # members themselves are read by the scheduled refresh (once, not again here).
    try:
        known = {g["id"] for g in SlackDirectory(client).usergroups()} if grouped else set()
    except DirectoryError as err:
        known = None
        if err.code == "missing_scope":
            warn("cannot read user groups: the app lacks the usergroups:read scope, so teams' members_usergroup "
                 "are not resolved (members keep their last known list); add usergroups:read and reinstall the app")
        else:
            warn(f"could not read the workspace's user groups ({err.code}); teams keep their last known members")
    for team in grouped if known is not None else ():
        if team.members_usergroup not in known:
            warn(f"user group {team.members_usergroup} (members of {team.id}) does not exist or is disabled in Slack; "
                 f"its last known members stay in the team until you pick another group or enable it")
    for team in sorted((t for t in settings.teams if t.members_channel), key=lambda t: t.id):
        channel = team.members_channel
        try:
            info = client.conversations_info(channel=channel).get("channel") or {}
        except SlackApiError as err:
            error = err.response.get("error")
            if error == "missing_scope":
                warn("cannot check members channels: the app lacks channels:read")
                break
            if error == "channel_not_found":
                warn(f"members channel {channel} of {team.id} does not exist or the app has not been added to it; "
                     f"its last known members stay in the team")
            else:
                warn(f"could not check members channel {channel} of {team.id}: {error}")
            continue
        except (SlackClientError, OSError) as err:
            warn(f"could not check members channel {channel} of {team.id}: {type(err).__name__}")
            continue
        if info.get("is_archived"):
            name = info.get("name") or channel
            warn(f"members channel #{name} ({channel}) of {team.id} is archived; its last known members stay in the "
                 f"team until you unarchive it or pick another channel")
    return warnings


def _report(problems: list[str], role: str, message: str) -> None:
    if role.startswith(("safeguarding lead", "deputy")):
        problems.append(message)
    else:
        log.warning("configuration: %s", message)
