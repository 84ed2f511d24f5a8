"""The organisation's configuration (YAML) and the environment, checked at start-up.

A mistake here is reported before the bot serves anyone, in words an operator can act on,
never discovered when a practitioner needs their safeguarding lead.
"""
from __future__ import annotations

import os
import re
from datetime import date
from datetime import time as dtime
from pathlib import Path
from typing import Collection, Literal, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from conversation.timescales import CALENDARS, WorkingCalendar
from policy import PackError, load_pack
from policy.procedures import Timescale, local_timescale_names, parse_timescale_value

from .config_report import ConfigError, validation_problems
from .config_secrets import KEY_FILE, Secrets, load_secrets  # noqa: F401  (importable from here as before)

# The pack a configuration without `policy:` uses: the current national advice.
DEFAULT_POLICY = "hmg-2024"

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
MEMBERS_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")  # a public or private channel; a DM has no team
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

def _check_users(ids: list[str], what: str) -> list[str]:
    bad = [i for i in ids if not USER_ID.match(i)]
    if bad:
        raise ValueError(f"{what} must be Slack user IDs like U0123ABCD, not {', '.join(map(repr, bad))}")
    return ids


def _check_slack_id(channel: str | None, what: str, pattern: re.Pattern[str] = CHANNEL_ID,
                   kind: str = "channel", like: str = "C0123ABCD") -> str | None:
    """An optional Slack id of one kind (a channel unless told otherwise), or a ValueError naming the field."""
    if channel is not None and not pattern.match(channel):
        raise ValueError(f"{what} must be a Slack {kind} ID like {like}, not {channel!r}")
    return channel


def _check_pack(name: str) -> None:
    try:
        load_pack(name)
    except PackError as err:
        lines = [line.strip().lstrip("- ") for line in str(err).splitlines() if line.strip()]
        raise ValueError(" ".join(lines[:1]) + (" " + "; ".join(lines[1:]) if lines[1:] else "")) from None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Team(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    leads: list[str]
    deputies: list[str] = []
    escalation_channel: str | None = None
    members: list[str] = []
    # Membership kept in Slack, resolved by bot/membership.py: a user group's and a channel's members belong too.
    members_usergroup: str | None = None
    members_channel: str | None = None
    policy: str | None = None  # overrides the organisation's pack for this team
    # Slack Connect: pings may go to an escalation channel shared with another organisation only
    # when an admin allows it (None, the default, is "no"; None keeps it out of exported YAML).
    shared_channel_allowed: bool | None = None

    @field_validator("policy")
    @classmethod
    def _policy(cls, v: str | None) -> str | None:
        if v is not None:
            _check_pack(v)
        return v

    @field_validator("leads")
    @classmethod
    def _leads(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("every team needs at least one safeguarding lead (leads: [U...])")
        return _check_users(v, "leads")

    @field_validator("deputies", "members")
    @classmethod
    def _users(cls, v: list[str]) -> list[str]:
        return _check_users(v, "deputies and members")

    @field_validator("escalation_channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        return _check_slack_id(v, "escalation_channel")

    @field_validator("members_usergroup")
    @classmethod
    def _usergroup(cls, v: str | None) -> str | None:
        return _check_slack_id(v, "members_usergroup", USERGROUP_ID, "user group", "S0123ABCD")

    @field_validator("members_channel")
    @classmethod
    def _members_channel(cls, v: str | None) -> str | None:
        return _check_slack_id(v, "members_channel", MEMBERS_CHANNEL_ID)


class DigestSettings(Strict):
    channel: str | None = None
    day: Literal[DAYS] = "monday"  # type: ignore[valid-type]
    time: str = "09:00"
    timezone: str = "Europe/London"

    @field_validator("day", mode="before")
    @classmethod
    def _day(cls, v: str) -> str:
        return str(v).lower()

    @field_validator("time")
    @classmethod
    def _time(cls, v: str) -> str:
        try:
            dtime.fromisoformat(v)
        except ValueError:
            raise ValueError(f"digest time must be HH:MM, not {v!r}") from None
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {v!r} (use a name like Europe/London)") from None
        return v

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        return _check_slack_id(v, "digest channel")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class EscalationSettings(Strict):
    remind_after_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # An urgent request nobody has claimed is raised again after minutes, not the routine hour.
    urgent_remind_after_minutes: int = Field(default=5, ge=1, le=24 * 60)


class WorkingDays(Strict):
    """Which days count as working days for procedure timescales: Monday to Friday, less a
    UK nation's bank holidays (`calendar`) and the organisation's own closure dates."""

    calendar: str = "england-and-wales"
    closed: list[date] = []

    @field_validator("calendar", mode="before")
    @classmethod
    def _calendar(cls, v: object) -> str:
        name = str(v).strip().lower().replace(" ", "-").replace("_", "-")
        if name not in CALENDARS:
            raise ValueError(f"working_days.calendar must be one of {', '.join(CALENDARS)}, not {v!r}")
        return name

    @property
    def holidays(self) -> WorkingCalendar:
        """The closed days, for conversation.timescales.due_at."""
        return WorkingCalendar(self.calendar, frozenset(self.closed))


class Settings(Strict):
    organisation: str
    policy: str = DEFAULT_POLICY
    teams: list[Team]
    default_team: str | None = None
    admins: list[str] = []
    digest: DigestSettings = DigestSettings()
    escalation: EscalationSettings = EscalationSettings()
    working_days: WorkingDays = WorkingDays()
    # The organisation's own values for the procedures' local timescales (those no national
    # text sets), e.g. {confirm_in_writing: {hours: 24}}; unset ones keep the shipped default.
    local_timescales: dict[str, dict[str, int]] = {}
    retention_days: int = Field(default=2190, ge=1)

    @field_validator("admins")
    @classmethod
    def _admins(cls, v: list[str]) -> list[str]:
        return _check_users(v, "admins")

    @field_validator("policy")
    @classmethod
    def _policy(cls, v: str) -> str:
        _check_pack(v)
        return v

    @field_validator("local_timescales")
    @classmethod
    def _local_timescales(cls, v: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        allowed = local_timescale_names()
        problems: list[str] = []
        for name, value in v.items():
            if name not in allowed:
                problems.append(f"{name!r} is not a local timescale (local ones: {', '.join(sorted(allowed)) or 'none'}); "
                                f"national timescales cannot be changed")
                continue
            parse_timescale_value(value, f"local timescale {name!r}", problems)
        if problems:
            raise ValueError("; ".join(problems))
        return v

    @property
    def local_timescale_values(self) -> dict[str, Timescale]:
        """local_timescales as Timescale values, for policy.procedures.procedure(..., local=...)."""
        found: dict[str, Timescale] = {}
        for name, value in self.local_timescales.items():
            parsed = parse_timescale_value(value, name, [])
            if parsed is not None:
                found[name] = parsed
        return found

    @model_validator(mode="after")
    def _cross_checks(self) -> "Settings":
        if not self.teams:
            raise ValueError("at least one team is needed")
        ids = [t.id for t in self.teams]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"team ids must be unique: {', '.join(dupes)}")
        if self.default_team is not None and self.default_team not in ids:
            raise ValueError(f"default_team {self.default_team!r} is not one of the teams ({', '.join(ids)})")
        return self

    # --- questions the bot asks of the configuration --------------------------------------
    def team(self, team_id: str) -> Team:
        return next(t for t in self.teams if t.id == team_id)

    def teams_of(self, user_id: str, resolved: Mapping[str, Collection[str]] | None = None) -> list[Team]:
        """The teams a practitioner works in; the default team when they are in none.
        `resolved`: team id -> the members Slack gave for its user group and channel
        (bot.membership.MemberCache.by_team), read from the database, never from Slack here."""
        resolved = resolved or {}
        mine = [t for t in self.teams if user_id in t.members or user_id in t.leads or user_id in t.deputies
                or user_id in resolved.get(t.id, ())]
        if mine:
            return mine
        if self.default_team:
            return [self.team(self.default_team)]
        return [self.teams[0]] if len(self.teams) == 1 else []

    def policy_for(self, team_id: str) -> str:
        return self.team(team_id).policy or self.policy

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admins

    def all_user_ids(self) -> set[str]:
        ids = set(self.admins)
        for t in self.teams:
            ids |= set(t.leads) | set(t.deputies) | set(t.members)
        return ids

    def all_channel_ids(self) -> set[str]:
        ids = {t.escalation_channel for t in self.teams if t.escalation_channel}
        if self.digest.channel:
            ids.add(self.digest.channel)
        return ids


def config_path() -> Path | None:
    named = os.environ.get("CANISHARE_CONFIG")
    if named:
        return Path(named)
    default = Path("canishare.yml")
    return default if default.exists() else None


def load_settings(path: Path | str | None = None) -> Settings:
    path = Path(path) if path else config_path()
    if path is None:
        raise ConfigError(
            "no configuration: set CANISHARE_CONFIG to a YAML file, or put canishare.yml in the working "
            "directory (canishare.example.yml is a starting point)"
        )
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read configuration file {path} ({type(err).__name__}); check the file") from None
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(source)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        where = f"{path} line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        problem = " ".join(filter(None, [getattr(err, "context", None), getattr(err, "problem", None)])) or str(err)
        raise ConfigError(f"{where}: not valid YAML: {problem} (check the indentation and colons there)") from None
    if raw is not None and not isinstance(raw, dict):
        raise ConfigError(f"{path} line 1: the configuration must be a mapping of settings (organisation:, teams:, ...), "
                          f"see canishare.example.yml")
    try:
        return Settings.model_validate(raw or {})
    except ValidationError as err:
        raise validation_problems(path, root, raw, err) from None
