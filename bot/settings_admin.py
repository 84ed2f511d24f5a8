"""Admins change the configuration from the App Home: the service behind the settings modals.

Plain data in, plain data out, no Slack: a modal's submitted state (block id -> element
state, as Slack sends it) and the current Settings become the next Settings, validated by
bot.config_store.settings_problems and stored by ConfigStore.apply with the admin as its
author. What is wrong comes back keyed by the modal's block ids, so each message shows
next to its field. Only admins change anything: the check is here, whatever calls it.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Protocol

from .config import Settings, Team
from .config_store import ConfigRefused, FieldProblem, settings_problems
from .ids import NO_CHOICE, Field

log = logging.getLogger("canishare.settings")

NOT_ADMIN = "Only canishare admins can change the settings, so nothing was changed."
NOT_SAVED = "I couldn't save the settings just now, so nothing was changed. Please try Save again in a moment."
GONE = "That team no longer exists (another admin may have removed it), so nothing was changed. Close this and open the settings again."
MESSAGE_LIMIT = 500  # an error under a field stays readable

# Which block of the team modal edits which Team field (FieldProblem paths end in these).
TEAM_BLOCKS: dict[str, Field] = {
    "id": Field.TEAM_ID, "name": Field.TEAM_NAME, "policy": Field.TEAM_POLICY, "leads": Field.TEAM_LEADS,
    "deputies": Field.TEAM_DEPUTIES, "escalation_channel": Field.TEAM_CHANNEL, "members": Field.TEAM_MEMBERS,
    "members_usergroup": Field.TEAM_USERGROUP, "members_channel": Field.TEAM_MEMBERS_CHANNEL,
}
# Which block of the organisation modal edits which Settings path.
ORG_BLOCKS: dict[tuple[str, ...], Field] = {
    ("organisation",): Field.ORG_NAME, ("policy",): Field.ORG_POLICY, ("admins",): Field.ORG_ADMINS,
    ("default_team",): Field.DEFAULT_TEAM, ("digest", "channel"): Field.DIGEST_CHANNEL, ("digest", "day"): Field.DIGEST_DAY,
    ("digest", "time"): Field.DIGEST_TIME, ("digest", "timezone"): Field.DIGEST_TIMEZONE,
    ("escalation", "remind_after_minutes"): Field.REMIND_MINUTES,
    ("escalation", "urgent_remind_after_minutes"): Field.URGENT_MINUTES,
    ("working_days", "calendar"): Field.CALENDAR, ("working_days", "closed"): Field.CLOSURES,
    ("retention_days",): Field.RETENTION_DAYS,
}


def team_fields() -> set[str]:
    """The Team fields this version of the configuration has (membership from a user group or a
    channel arrives with issue 19's membership work; the modal offers only what exists)."""
    return set(Team.model_fields)


class Store(Protocol):  # bot.config_store.ConfigStore
    def current(self) -> Settings: ...
    def latest(self) -> Any: ...
    def apply(self, new: Settings | dict, *, author: str) -> Any: ...


ChannelCheck = Callable[[str], "str | None"]  # channel id -> what is wrong with it for the bot, or None


@dataclass(frozen=True)
class Saved:
    """What happened. kind: saved (a new version), unchanged (nothing differed), refused (errors
    by block id; nothing changed)."""

    kind: Literal["saved", "unchanged", "refused"]
    errors: dict[str, str] = field(default_factory=dict)
    version: int | None = None
    changes: tuple[str, ...] = ()
    what: str = ""

    @property
    def told(self) -> str:
        """What the admin is told, in words that are true."""
        if self.kind == "saved":
            lines = "\n".join(f"• {c}" for c in self.changes[:20])
            return f"{self.what} Saved as configuration version {self.version}." + (f"\n{lines}" if lines else "")
        if self.kind == "unchanged":
            return "Nothing was different from the current settings, so nothing was changed" + (
                f" (still version {self.version})." if self.version else ".")
        return " ".join(self.errors.values())


# --- reading a submitted modal ----------------------------------------------------------------

def element_value(state: object) -> object:
    """The value of one element's state in a view_submission, whatever its type; None when
    nothing is chosen. Only strings (or lists of strings) come out."""
    if not isinstance(state, dict):
        return None
    kind = state.get("type")
    if kind in ("multi_users_select", "multi_conversations_select", "multi_channels_select"):
        key = {"multi_users_select": "selected_users", "multi_conversations_select": "selected_conversations",
               "multi_channels_select": "selected_channels"}[kind]
        chosen = state.get(key)
        return [v for v in chosen if isinstance(v, str)] if isinstance(chosen, list) else []
    if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        options = state.get("selected_options")
        return [o["value"] for o in options if isinstance(o, dict) and isinstance(o.get("value"), str)] \
            if isinstance(options, list) else []
    for key in ("selected_conversation", "selected_channel", "selected_user", "selected_time", "selected_date"):
        if key in state:
            value = state.get(key)
            return value if isinstance(value, str) and value else None
    if "selected_option" in state:
        option = state.get("selected_option")
        value = option.get("value") if isinstance(option, dict) else None
        return None if not isinstance(value, str) or value == NO_CHOICE else value
    value = state.get("value")
    return value.strip() or None if isinstance(value, str) else None


def submitted(values: object) -> dict[str, object]:
    """view.state.values (block id -> action id -> element state) as block id -> value."""
    if not isinstance(values, dict):
        raise ValueError("no state")
    found: dict[str, object] = {}
    for block_id, actions in values.items():
        if isinstance(actions, dict) and actions:
            found[str(block_id)] = element_value(next(iter(actions.values())))
    return found


def _ids(value: object) -> list[str]:
    if isinstance(value, list):
        return list(dict.fromkeys(v for v in value if isinstance(v, str) and v))
    return [value] if isinstance(value, str) and value else []


def _dates(value: object) -> list[str]:
    """Closure dates typed one per line (or separated by commas or spaces)."""
    return [d for d in re.split(r"[\s,;]+", value) if d] if isinstance(value, str) else []


# --- turning it into settings ----------------------------------------------------------------

def team_raw(values: dict[str, object], existing: Team | None) -> dict[str, Any]:
    """A team as a raw dict: the existing one with the submitted fields over it."""
    raw: dict[str, Any] = existing.model_dump(mode="json") if existing else {}
    has = team_fields()
    if existing is None:
        raw["id"] = values.get(Field.TEAM_ID) or ""
    raw["name"] = values.get(Field.TEAM_NAME) or ""
    if Field.TEAM_POLICY in values:
        raw["policy"] = values[Field.TEAM_POLICY]  # None: the organisation's pack
    for name in ("leads", "deputies", "members"):
        if TEAM_BLOCKS[name] in values:
            raw[name] = _ids(values[TEAM_BLOCKS[name]])
    for name in ("escalation_channel", "members_usergroup", "members_channel"):
        if name in has and TEAM_BLOCKS[name] in values:
            raw[name] = values[TEAM_BLOCKS[name]]
    return raw


def organisation_raw(values: dict[str, object], current: Settings) -> dict[str, Any]:
    raw = current.model_dump(mode="json")
    if Field.ORG_NAME in values:
        raw["organisation"] = values[Field.ORG_NAME] or ""
    if values.get(Field.ORG_POLICY):
        raw["policy"] = values[Field.ORG_POLICY]
    if Field.ORG_ADMINS in values:
        raw["admins"] = _ids(values[Field.ORG_ADMINS])
    if Field.DEFAULT_TEAM in values:
        raw["default_team"] = values[Field.DEFAULT_TEAM]
    digest, escalation, working = raw["digest"], raw["escalation"], raw["working_days"]
    for block, (section, key) in {Field.DIGEST_CHANNEL: (digest, "channel"), Field.DIGEST_DAY: (digest, "day"),
                                  Field.DIGEST_TIME: (digest, "time"), Field.DIGEST_TIMEZONE: (digest, "timezone"),
                                  Field.REMIND_MINUTES: (escalation, "remind_after_minutes"),
                                  Field.URGENT_MINUTES: (escalation, "urgent_remind_after_minutes"),
                                  Field.CALENDAR: (working, "calendar"), Field.RETENTION_DAYS: (raw, "retention_days")}.items():
        if block not in values:
            continue
        value = values[block]
        if value is None and key != "channel":  # an emptied required field: say so next to it
            value = ""
        section[key] = value
    if Field.CLOSURES in values:
        working["closed"] = _dates(values[Field.CLOSURES])
    return raw


def _blocks_for(problems: Iterable[FieldProblem], where: Callable[[tuple], str]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    for p in problems:
        block = where(tuple(p.path))
        if p.message not in errors.setdefault(block, []):
            errors[block].append(p.message)
    return {b: "; ".join(m)[:MESSAGE_LIMIT] for b, m in errors.items()}


def team_errors(problems: Iterable[FieldProblem], index: int, adding: bool) -> dict[str, str]:
    """FieldProblems (paths into the whole Settings) as errors by block id of the team modal.
    A problem with no field of its own in this modal shows under the team's first field."""
    fallback = Field.TEAM_ID if adding else Field.TEAM_NAME

    def where(path: tuple) -> str:
        if len(path) >= 3 and path[0] == "teams" and path[1] == index and path[2] in TEAM_BLOCKS:
            block = TEAM_BLOCKS[path[2]]
            return fallback if block == Field.TEAM_ID and not adding else block
        return fallback

    return _blocks_for(problems, where)


def organisation_errors(problems: Iterable[FieldProblem]) -> dict[str, str]:
    def where(path: tuple) -> str:
        for length in range(len(path), 0, -1):
            if tuple(path[:length]) in ORG_BLOCKS:
                return ORG_BLOCKS[tuple(path[:length])]
        return Field.ORG_NAME

    return _blocks_for(problems, where)


# --- the service ------------------------------------------------------------------------------

class SettingsAdmin:
    def __init__(self, store: Store, check_channel: ChannelCheck | None = None):
        self.store = store
        self.check_channel = check_channel or (lambda _c: None)

    def save_team(self, user_id: str, team_id: str | None, values: dict[str, object]) -> Saved:
        """Add a team (team_id None) or change one, from the team modal's values."""
        current = self.store.current()
        fallback = Field.TEAM_NAME if team_id else Field.TEAM_ID
        if not current.is_admin(user_id):
            return Saved("refused", {fallback: NOT_ADMIN})
        existing = next((t for t in current.teams if t.id == team_id), None) if team_id else None
        if team_id and existing is None:
            return Saved("refused", {fallback: GONE})
        raw = current.model_dump(mode="json")
        team = team_raw(values, existing)
        index = next(i for i, t in enumerate(current.teams) if t.id == team_id) if existing else len(current.teams)
        if existing:
            raw["teams"][index] = team
        else:
            raw["teams"].append(team)
        errors = team_errors(settings_problems(raw), index, adding=existing is None)
        taken = next((t for t in current.teams if t.id == team["id"]), None) if existing is None else None
        if taken is not None:  # said at once, not only once every other field is right
            errors[Field.TEAM_ID] = f"{taken.name} already has the ID {taken.id}; pick another."
        channel = team.get("escalation_channel")
        # Only a newly chosen channel is checked: a lead change must not wait on an old channel.
        if channel and channel != (existing.escalation_channel if existing else None) and Field.TEAM_CHANNEL not in errors:
            problem = self.check_channel(channel)
            if problem:
                errors[Field.TEAM_CHANNEL] = problem
        if errors:
            return Saved("refused", errors)
        what = f"Team {team['name']} {'changed' if existing else 'added'}."
        return self._apply(raw, user_id, what, lambda ps: team_errors(ps, index, adding=existing is None))

    def remove_team(self, user_id: str, team_id: str) -> Saved:
        current = self.store.current()
        if not current.is_admin(user_id):
            return Saved("refused", {Field.TEAM_NAME: NOT_ADMIN})
        if not any(t.id == team_id for t in current.teams):
            return Saved("refused", {Field.TEAM_NAME: GONE})
        name = current.team(team_id).name
        raw = current.model_dump(mode="json")
        raw["teams"] = [t for t in raw["teams"] if t["id"] != team_id]
        if raw.get("default_team") == team_id:
            return Saved("refused", {Field.TEAM_NAME: f"{name} is the default team. Choose another default team in "
                                                      "Organisation settings first, then remove it."})
        errors = _blocks_for(settings_problems(raw), lambda _p: Field.TEAM_NAME)
        if errors:
            return Saved("refused", errors)
        return self._apply(raw, user_id, f"Team {name} removed.", lambda ps: _blocks_for(ps, lambda _p: Field.TEAM_NAME))

    def save_organisation(self, user_id: str, values: dict[str, object]) -> Saved:
        current = self.store.current()
        if not current.is_admin(user_id):
            return Saved("refused", {Field.ORG_NAME: NOT_ADMIN})
        raw = organisation_raw(values, current)
        errors = organisation_errors(settings_problems(raw))
        channel = raw["digest"].get("channel")
        if channel and channel != current.digest.channel and Field.DIGEST_CHANNEL not in errors:
            problem = self.check_channel(channel)
            if problem:
                errors[Field.DIGEST_CHANNEL] = problem
        if errors:
            return Saved("refused", errors)
        return self._apply(raw, user_id, "Organisation settings changed.", organisation_errors)

    def _apply(self, raw: dict, user_id: str, what: str, errors_of: Callable[[list[FieldProblem]], dict[str, str]]) -> Saved:
        before = self.store.latest()
        try:
            version = self.store.apply(raw, author=f"slack:{user_id}")
        except ConfigRefused as refused:
            return Saved("refused", errors_of(list(refused.problems)))
        number = getattr(version, "number", None)
        if version is None or (before is not None and number == before.number):
            return Saved("unchanged", version=number)
        return Saved("saved", version=number, changes=tuple(getattr(version, "changes", ()) or ()), what=what)
