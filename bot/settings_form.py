"""The settings modals' values in and their errors out, as plain data (no Slack): a
view_submission's state (block id -> action id -> element state, as Slack sends it) read into
values, those values laid over the current configuration as a raw settings dict, and each
FieldProblem (a path into the whole Settings) put next to the block that edits it.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from .config import Settings, Team
from .config_store import FieldProblem
from .ids import NO_CHOICE, Field

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


def errors_by_block(problems: Iterable[FieldProblem], where: Callable[[tuple], str]) -> dict[str, str]:
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

    return errors_by_block(problems, where)


def organisation_errors(problems: Iterable[FieldProblem]) -> dict[str, str]:
    def where(path: tuple) -> str:
        for length in range(len(path), 0, -1):
            if tuple(path[:length]) in ORG_BLOCKS:
                return ORG_BLOCKS[tuple(path[:length])]
        return Field.ORG_NAME

    return errors_by_block(problems, where)
