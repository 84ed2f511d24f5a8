"""Block Kit for the admins' settings: their Settings section in the App Home, the team modal
and the organisation modal. Slack's own pickers for people and channels; every input's
block id is a bot.ids.Field and its action id Action.INPUT, which bot/settings_admin.py reads.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Sequence
from zoneinfo import available_timezones

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ConfirmObject,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from conversation.timescales import CALENDARS
from policy.pack import available_packs, load_pack

from . import blocks as B
from .config import DAYS, Settings, Team
from .ids import NO_CHOICE, SETTINGS_ADD, SETTINGS_ORG, Action, BlockId, Callback, Field, Ref, SettingsForm
from .settings_form import team_fields

OPTION_TEXT, OPTIONS = 75, 100  # Slack's limits for an option's text and a menu's options
TEAMS_SHOWN = 40  # the App Home holds 100 blocks, and the rest of the Home needs some
PEOPLE_SHOWN = 8
# The zones a UK organisation is likely to want, first; a static menu holds 100 options.
ZONES_FIRST = ("Europe/London", "Europe/Dublin", "Europe/Isle_of_Man", "Europe/Jersey", "Europe/Guernsey", "UTC")
CHANNELS = ConversationFilter(include=["public", "private"], exclude_bot_users=True, exclude_external_shared_channels=True)
INVITE = "/invite @canishare"


def _option(label: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=label if len(label) <= OPTION_TEXT else label[: OPTION_TEXT - 1] + "…"),
                  value=value)


def _people(ids: Sequence[str]) -> str:
    if not ids:
        return "none"
    shown = ", ".join(B.mention(u) for u in ids[:PEOPLE_SHOWN])
    return shown + (f" and {len(ids) - PEOPLE_SHOWN} more" if len(ids) > PEOPLE_SHOWN else "")


def membership_text(team: Team) -> str:
    """Where a team's members come from, in a line."""
    sources = [f"{len(team.members)} listed"] if team.members else []
    group, channel = getattr(team, "members_usergroup", None), getattr(team, "members_channel", None)
    if group:
        sources.append(f"user group <!subteam^{group}>")
    if channel:
        sources.append(f"everyone in <#{channel}>")
    return ", ".join(sources) or "none listed (practitioners reach the default team)"


def team_line(team: Team, settings: Settings) -> SectionBlock:
    pack = team.policy or f"{settings.policy} (organisation's)"
    channel = f"<#{team.escalation_channel}>" if team.escalation_channel else "none (leads get a DM)"
    default = " · _default team_" if settings.default_team == team.id else ""
    text = (f"*{B.escape(team.name)}* (`{B.escape(team.id)}`){default}\n"
            f"Pack: {B.escape(pack)} · Leads: {_people(team.leads)} · Deputies: {_people(team.deputies)}\n"
            f"Escalation channel: {channel} · Members: {membership_text(team)}")
    return SectionBlock(block_id=BlockId.SETTINGS_TEAM.of(team.id), text=B.md(text),
                        accessory=B.button("Edit", Action.SETTINGS_TEAM_EDIT, Ref(team.id).encode()))


def settings_section(settings: Settings, version: int | None = None, author: str | None = None,
                     changed_at: datetime | None = None) -> list[Block]:
    """The admins' Settings: every team with an Edit button, Add team, Organisation settings."""
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text=PlainTextObject(text="Settings (admins)"))]
    teams = settings.teams[:TEAMS_SHOWN]
    blocks += [team_line(t, settings) for t in teams]
    if len(settings.teams) > TEAMS_SHOWN:
        blocks.append(ContextBlock(elements=[B.md(f"…and {len(settings.teams) - TEAMS_SHOWN} more teams; "
                                                  "`canishare config export` lists them all.")]))
    blocks.append(ActionsBlock(block_id=BlockId.SETTINGS_ACTIONS, elements=[
        B.button("Add team", Action.SETTINGS_TEAM_ADD, SETTINGS_ADD, "primary"),
        B.button("Organisation settings", Action.SETTINGS_ORG_EDIT, SETTINGS_ORG),
    ]))
    if version is not None:
        who = B.mention(author.removeprefix("slack:")) if author and author.startswith("slack:") else B.escape(author or "?")
        when = f" on {changed_at:%d %b %Y %H:%M} UTC" if changed_at else ""
        blocks.append(ContextBlock(elements=[B.md(f"Configuration version {version}, last changed by {who}{when}.")]))
    return blocks


# --- modals ---------------------------------------------------------------------------------

def _input(block: Field, label: str, element, optional: bool = False, hint: str | None = None) -> InputBlock:
    return InputBlock(block_id=block, label=PlainTextObject(text=label), element=element, optional=optional,
                      hint=PlainTextObject(text=hint) if hint else None)


def _select(options: list[Option], initial: str | None, placeholder: str) -> StaticSelectElement:
    options = options[:OPTIONS]
    chosen = next((o for o in options if o.value == initial), None)
    return StaticSelectElement(action_id=Action.INPUT, options=options, initial_option=chosen,
                               placeholder=PlainTextObject(text=placeholder))


def _users(initial: Sequence[str], placeholder: str) -> UserMultiSelectElement:
    return UserMultiSelectElement(action_id=Action.INPUT, initial_users=list(initial) or None,
                                  placeholder=PlainTextObject(text=placeholder))


def _channel(initial: str | None) -> ConversationSelectElement:
    return ConversationSelectElement(action_id=Action.INPUT, initial_conversation=initial, filter=CHANNELS,
                                     placeholder=PlainTextObject(text="Pick a channel"))


def _number(initial: int, low: int, high: int | None = None) -> NumberInputElement:
    return NumberInputElement(action_id=Action.INPUT, is_decimal_allowed=False, initial_value=str(initial),
                              min_value=str(low), max_value=str(high) if high else None)


def pack_options(with_default: str | None = None) -> list[Option]:
    found = [_option(f"{name} — {load_pack(name).title}", name) for name in available_packs()]
    return ([_option(f"The organisation's pack ({with_default})", NO_CHOICE)] if with_default else []) + found


def team_modal(settings: Settings, team: Team | None, version: int | None,
               usergroups: Sequence[tuple[str, str]] | None) -> View:
    """Add a team (team None) or edit one. `usergroups`: (id, label) from usergroups.list, or
    None when Slack would not list them (then the group's ID is typed)."""
    has = team_fields()
    blocks: list[Block] = []
    if team is None:
        blocks.append(_input(Field.TEAM_ID, "Team ID", PlainTextInputElement(
            action_id=Action.INPUT, max_length=40, placeholder=PlainTextObject(text="e.g. early-help")),
            hint="Lower-case letters, digits and dashes; it is kept in records and cannot be changed later."))
    blocks += [
        _input(Field.TEAM_NAME, "Name", PlainTextInputElement(action_id=Action.INPUT, max_length=80,
                                                              initial_value=team.name if team else None)),
        _input(Field.TEAM_POLICY, "Policy pack", _select(pack_options(settings.policy),
                                                         (team.policy if team else None) or NO_CHOICE, "Pick a pack")),
        _input(Field.TEAM_LEADS, "Safeguarding leads", _users(team.leads if team else [], "Pick the leads"),
               hint="They are pinged when a practitioner is unsure. Every team needs at least one."),
        _input(Field.TEAM_DEPUTIES, "Deputies", _users(team.deputies if team else [], "Pick deputies"), optional=True,
               hint="Pinged when no lead can be reached."),
        _input(Field.TEAM_CHANNEL, "Escalation channel", _channel(team.escalation_channel if team else None),
               optional=True, hint=f"Requests for advice are posted here (otherwise each lead gets a DM). "
                                   f"Invite me first: {INVITE} in the channel."),
        _input(Field.TEAM_MEMBERS, "Members", _users(team.members if team else [], "Pick practitioners"), optional=True,
               hint="Practitioners in no team reach the default team."),
    ]
    if "members_usergroup" in has:
        current = getattr(team, "members_usergroup", None) if team else None
        if usergroups is None or len(usergroups) >= OPTIONS:  # a menu holds 100: then the handle is typed
            element = PlainTextInputElement(action_id=Action.INPUT, initial_value=current,
                                            placeholder=PlainTextObject(text="e.g. @school-nurses or S0123ABCD"))
            hint = ("I couldn't list your user groups (I need the usergroups:read scope), so type the group's ID."
                    if usergroups is None else "Type the group's @handle (or its ID).")
        else:
            groups = [_option("No user group", NO_CHOICE)] + [_option(label, gid) for gid, label in usergroups]
            if current and all(o.value != current for o in groups):
                groups.insert(1, _option(f"The current group ({current})", current))
            element, hint = _select(groups, current or NO_CHOICE, "Pick a user group"), "Everyone in the group belongs to the team."
        blocks.append(_input(Field.TEAM_USERGROUP, "Members from a user group", element, optional=True, hint=hint))
    if "members_channel" in has:
        blocks.append(_input(Field.TEAM_MEMBERS_CHANNEL, "Members from a channel",
                             _channel(getattr(team, "members_channel", None) if team else None), optional=True,
                             hint="Everyone in the channel belongs to the team."))
    if team is not None:
        blocks += [DividerBlock(), ActionsBlock(block_id=BlockId.SETTINGS_REMOVE, elements=[_remove_button(team)])]
    title = "Add a team" if team is None else "Edit team"
    return View(type="modal", callback_id=Callback.SETTINGS_TEAM, title=PlainTextObject(text=title),
                submit=PlainTextObject(text="Save"), close=PlainTextObject(text="Cancel"),
                private_metadata=SettingsForm(team.id if team else None, version).encode(), blocks=blocks)


def _remove_button(team: Team):
    button = B.button("Remove team", Action.SETTINGS_TEAM_REMOVE, Ref(team.id).encode(), "danger")
    button.confirm = ConfirmObject(
        title="Remove this team?", confirm="Remove", deny="Keep it", style="danger",
        text=f"{team.name} will be removed from canishare. Its decision records stay; its members reach the default team.")
    return button


def _zones(current: str) -> list[Option]:
    rest = sorted(z for z in available_timezones() if z.startswith("Europe/") and z not in ZONES_FIRST)
    names = list(dict.fromkeys([current, *ZONES_FIRST, *rest]))[:OPTIONS]
    return [_option(z, z) for z in names]


def organisation_modal(settings: Settings, version: int | None) -> View:
    d, e, w = settings.digest, settings.escalation, settings.working_days
    teams = [_option("No default team", NO_CHOICE)] + [_option(t.name, t.id) for t in settings.teams]
    blocks: list[Block] = [
        _input(Field.ORG_NAME, "Organisation name", PlainTextInputElement(action_id=Action.INPUT, max_length=120,
                                                                          initial_value=settings.organisation)),
        _input(Field.ORG_POLICY, "Policy pack", _select(pack_options(), settings.policy, "Pick a pack"),
               hint="Teams without a pack of their own use this one."),
        _input(Field.ORG_ADMINS, "Admins", _users(settings.admins, "Pick admins"),
               hint="They change these settings. There must always be at least one."),
        _input(Field.DEFAULT_TEAM, "Default team", _select(teams, settings.default_team or NO_CHOICE, "Pick a team"),
               hint="Practitioners who are in no team ask this team's leads."),
        _input(Field.DIGEST_CHANNEL, "Digest channel", _channel(d.channel), optional=True,
               hint=f"The weekly digest is posted here. Invite me first: {INVITE} in the channel."),
        _input(Field.DIGEST_DAY, "Digest day", _select([_option(day.capitalize(), day) for day in DAYS], d.day, "Pick a day")),
        _input(Field.DIGEST_TIME, "Digest time", TimePickerElement(action_id=Action.INPUT, initial_time=d.time)),
        _input(Field.DIGEST_TIMEZONE, "Time zone", _select(_zones(d.timezone), d.timezone, "Pick a time zone")),
        _input(Field.REMIND_MINUTES, "Remind leads after (minutes)", _number(e.remind_after_minutes, 1, 7 * 24 * 60),
               hint="A request nobody has claimed is raised again after this long."),
        _input(Field.URGENT_MINUTES, "Remind about urgent requests after (minutes)",
               _number(e.urgent_remind_after_minutes, 1, 24 * 60)),
        _input(Field.CALENDAR, "Working-day calendar", _select(
            [_option("No bank holidays" if c == "none" else c.replace("-", " ").title(), c) for c in CALENDARS],
            w.calendar, "Pick a calendar"), hint="Bank holidays that do not count as working days."),
        _input(Field.CLOSURES, "Closure dates", PlainTextInputElement(
            action_id=Action.INPUT, multiline=True, initial_value="\n".join(x.isoformat() for x in w.closed) or None,
            placeholder=PlainTextObject(text="2025-12-29")), optional=True,
            hint="Other days you are closed, one per line as YYYY-MM-DD."),
        _input(Field.RETENTION_DAYS, "Keep records for (days)", _number(settings.retention_days, 1),
               hint="Decision records older than this are deleted."),
    ]
    return View(type="modal", callback_id=Callback.SETTINGS_ORG, title=PlainTextObject(text="Organisation settings"),
                submit=PlainTextObject(text="Save"), close=PlainTextObject(text="Cancel"),
                private_metadata=SettingsForm(None, version).encode(), blocks=blocks)


SLACK_ID = re.compile(r"\b(?=[A-Z0-9]*\d)([UWCGS][A-Z0-9]{2,})\b")  # ids hold a digit; words like CSV do not


def _named(match: re.Match) -> str:
    found = match.group(1)
    return {"C": f"<#{found}>", "G": f"<#{found}>", "S": f"<!subteam^{found}>"}.get(found[0], f"<@{found}>")


def done_view(title: str, text: str) -> View:
    """What a settings modal becomes once Slack has what happened to say: the people, channels
    and user groups in it shown by name (Slack renders the ids the change lines carry)."""
    return View(type="modal", title=PlainTextObject(text=title[:24]), close=PlainTextObject(text="Close"),
                blocks=[SectionBlock(text=B.md(SLACK_ID.sub(_named, B.escape(text))))])
