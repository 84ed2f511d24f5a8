"""What the admins are told about team membership: a user group or channel Slack will not
list, and a safeguarding lead deactivated in Slack. Plain mrkdwn, each with the fix."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .mrkdwn import channel_link, escape, mention

if TYPE_CHECKING:
    from .config import Team

EMPTY = "empty"  # Slack listed no one where we know people: kept, and said


def problem_text(source: str, code: str, teams: list[Team], known: int) -> str:
    kind, ident = source.split(":", 1)
    names = ", ".join(f"*{escape(t.name)}*" for t in teams) or "a team"
    what = f"user group `{ident}`" if kind == "usergroup" else f"channel {channel_link(ident)}"
    kept = (f"Until it is fixed, I keep the {known} member{'s' if known != 1 else ''} I last knew." if known
            else "Until it is fixed, people only in it count as in no team (the default team, if there is one).")
    if code == "missing_scope":
        why = ("the app lacks the permission to read it (usergroups:read)" if kind == "usergroup"
               else "the app lacks the permission to read it (channels:read, groups:read)")
        fix = "Reinstall the app from its manifest so Slack grants it."
    elif code == "no_such_subteam":
        why, fix = "Slack says it no longer exists or was disabled", f"Choose another user group for {names} in my Home tab."
    elif code in ("channel_not_found", "not_in_channel"):
        why = "Slack will not show me its members"
        fix = (f"Invite @canishare to {channel_link(ident)} (/invite @canishare there), or choose another "
               f"channel in my Home tab.")
    elif code == EMPTY:
        why = "Slack lists no one in it"
        fix = f"If it really is empty, remove it from {names} in my Home tab."
    else:
        why, fix = f"Slack refused ({escape(code)})", "I will try again every 15 minutes."
    return f":warning: I could not read the members of {what}, which sets who is in {names}: {why}. {fix} {kept}"


def report_text(user_id: str, roles: list[tuple[Team, str]]) -> str:
    named = "; ".join(f"{role} of *{escape(team.name)}*" for team, role in roles)
    only = [t for t, role in roles if role == "safeguarding lead" and t.leads == [user_id]]
    warning = (f" They were the only safeguarding lead of {', '.join(f'*{escape(t.name)}*' for t in only)}: "
               f"name a new one now." if only else "")
    return (f":warning: {mention(user_id)} has been deactivated in Slack and can no longer receive safeguarding "
            f"requests. They are {named}.{warning} To fix it, open my Home tab, go to the team's settings, name "
            f"another lead (or deputy) and remove {mention(user_id)}.")
