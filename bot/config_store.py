"""The organisation's configuration, held in the database as numbered versions.

Every change is a new version (who, when, what changed) and a link of the hash chain
(storage.config_chain), so it is audited like a record. Every process reads the newest
version: `current()` is cached, and re-checks the newest version number at most every
`poll_seconds`, so a change made in one process (the App Home, `config import`) reaches every
other within seconds, without a restart. The rules that protect people are kept here, whoever
calls: the last admin cannot be removed, every team keeps a lead, and a team with open
escalations cannot be removed (its leads would never hear of them again).
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from storage.config_chain import Unchanged, add_version, body_hash, latest_number
from storage.db import Database
from storage.models import ConfigVersionRow, Conversation, Escalation, as_utc, naive_utc, utcnow
from storage.records import canonical

from .config import USER_ID, Settings
from .config_report import ConfigError
from .config_text import change_lines

log = logging.getLogger("canishare.config")

ADMINS_ENV = "CANISHARE_ADMINS"


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong, for the modal to show next to its field."""

    path: tuple[str | int, ...]  # pydantic's loc, e.g. ("teams", 0, "leads") or ("digest", "time")
    message: str

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.path)
        return f"{where}: {self.message}" if where else self.message


class ConfigRefused(Exception):
    """The configuration was not stored; `.problems` says why, field by field."""

    def __init__(self, problems: list[FieldProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# A problem pydantic reports for the whole configuration belongs to the field it is about.
_WHOLE = {"default_team": ("default_team",), "team ids must be unique": ("teams",), "at least one team": ("teams",)}


def settings_problems(raw: dict) -> list[FieldProblem]:
    """Every problem with `raw` as a configuration, as the YAML file's checks find them."""
    if not isinstance(raw, dict):
        return [FieldProblem((), "the configuration must be a mapping of settings (organisation:, teams:, ...)")]
    try:
        Settings.model_validate(raw)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            loc = tuple(e["loc"])
            message = e["msg"].removeprefix("Value error, ")
            if not loc:
                loc = next((path for start, path in _WHOLE.items() if message.startswith(start)), ())
            if e["type"] == "missing":
                message = "this is required"
            elif e["type"] == "extra_forbidden":
                message = "not a setting canishare knows"
            problems.append(FieldProblem(loc, message))
        return problems
    return []


@dataclass(frozen=True)
class ConfigVersion:
    number: int
    author: str  # "slack:U0ADMIN1" (App Home), "cli:alice" (config import), "file" (seeded), "env:CANISHARE_ADMINS"
    created_at: datetime  # aware, UTC
    settings: Settings
    changes: list[str]  # against the version before


class SettingsSource(Protocol):
    def current(self) -> Settings: ...


class FixedConfig:
    """Settings that never change, where there is no store: a database without a stored
    configuration (the YAML file then), and tests of one service."""

    def __init__(self, settings: Settings):
        self._settings = settings

    def current(self) -> Settings:
        return self._settings


def live(source: Settings | SettingsSource) -> SettingsSource:
    """A settings source from either a source or a fixed Settings (older callers, tests)."""
    return FixedConfig(source) if isinstance(source, Settings) else source


class NoConfiguration(LookupError):
    """The store holds no version and no fallback was given."""


def _body(settings: Settings) -> str:
    return canonical(settings.model_dump(mode="json"))


def _version(row: ConfigVersionRow) -> ConfigVersion:
    return ConfigVersion(row.number, row.author, as_utc(row.created_at), Settings.model_validate(json.loads(row.body)),
                         list(row.changes))


class ConfigStore:
    def __init__(self, db: Database, poll_seconds: float = 2.0, *, fallback: Settings | None = None):
        """`fallback`: what current() returns while the store is empty (the YAML file)."""
        self.db = db
        self.poll_seconds = poll_seconds
        self.fallback = fallback
        self._version: ConfigVersion | None = None
        self._checked = float("-inf")  # time.monotonic() of the last look at the newest number
        self._lock = threading.Lock()

    # --- reading ------------------------------------------------------------------------
    def current(self) -> Settings:
        """The newest configuration. No query when it was checked less than poll_seconds ago;
        then one query of the newest version number, and the version read only when it moved."""
        if time.monotonic() - self._checked >= self.poll_seconds:
            # One thread looks; the others go on with the version they have rather than wait
            # (a thread may call this while holding a connection the looker needs).
            if self._lock.acquire(blocking=self._version is None):
                try:
                    if time.monotonic() - self._checked >= self.poll_seconds:
                        self._refresh()
                finally:
                    self._lock.release()
        version = self._version
        if version is not None:
            return version.settings
        if self.fallback is not None:
            return self.fallback
        raise NoConfiguration("no configuration is stored in the database yet")

    def _refresh(self) -> None:
        try:
            with self.db.glance() as s:  # called inside other transactions: must not wait for a lock
                number = latest_number(s)
                held = self._version.number if self._version else None
                if number != held:
                    row = s.get(ConfigVersionRow, number) if number is not None else None
                    self._version = _version(row) if row is not None else None
                    if held is not None and row is not None:
                        log.info("configuration version %d is in use (by %s)", row.number, row.author)
        except SQLAlchemyError:
            if self._version is None:
                raise
            log.warning("could not check for a newer configuration; using version %d", self._version.number)
        self._checked = time.monotonic()

    def latest(self) -> ConfigVersion | None:
        with self.db.glance() as s:
            number = latest_number(s)
            row = s.get(ConfigVersionRow, number) if number is not None else None
            return _version(row) if row is not None else None

    def history(self, limit: int = 20) -> list[ConfigVersion]:
        """The newest `limit` versions, newest first."""
        with self.db.glance() as s:
            rows = s.execute(select(ConfigVersionRow).order_by(ConfigVersionRow.number.desc()).limit(limit)).scalars()
            return [_version(r) for r in rows]

    # --- writing ------------------------------------------------------------------------
    def apply(self, new: Settings | dict, *, author: str, now: datetime | None = None,
              based_on: int | None = None) -> ConfigVersion:
        """Store `new` as the next version and return it. Refused (ConfigRefused, nothing
        written) when it is not a valid configuration, removes the last admin, or removes a
        team that has open escalations; with `based_on` (the version an editor started from),
        also when someone stored another version since. A change identical to the newest
        version writes nothing and returns that version (its number tells the caller nothing
        changed)."""
        if isinstance(new, dict):
            problems = settings_problems(new)
            if problems:
                raise ConfigRefused(problems)
            new = Settings.model_validate(new)
        body = _body(new)
        latest = self.latest()
        if latest is not None and _body(latest.settings) == body:
            return latest
        at = naive_utc(now) if now is not None else utcnow()

        def changes_of(row: ConfigVersionRow | None) -> list[str]:
            if based_on is not None and row is not None and row.number != based_on:
                raise ConfigRefused([FieldProblem((), (
                    f"the configuration was changed by {row.author} (version {row.number}) after you opened it; "
                    f"nothing was saved: open it again to see that change"))])
            old = _version(row).settings if row is not None else None
            self._refuse_unsafe(s, old, new)
            moved = self._move_conversations_of_removed_teams(s, old, new)
            return (change_lines(old, new) or ["no setting changed"]) + moved

        try:
            with self.db.transaction() as s:
                row = add_version(s, author, body, at, changes_of)
                version = _version(row)
        except Unchanged:
            return self.latest() or latest  # type: ignore[return-value]
        with self._lock:
            if self._version is None or self._version.number < version.number:
                self._version = version
        log.info("configuration version %d stored by %s", version.number, author)
        return version

    @staticmethod
    def _refuse_unsafe(s, old: Settings | None, new: Settings) -> None:
        if old is None:
            return
        problems: list[FieldProblem] = []
        if old.admins and not new.admins:
            problems.append(FieldProblem(("admins",), "the last admin cannot be removed: add another admin first"))
        kept = {t.id for t in new.teams}
        for team in old.teams:
            if team.id in kept:
                continue
            open_ = s.execute(select(func.count()).select_from(Escalation).where(
                Escalation.team == team.id, Escalation.status != "resolved")).scalar()
            if open_:
                problems.append(FieldProblem(("teams",), (
                    f"team {team.name!r} ({team.id}) has {open_} open escalation{'s' if open_ != 1 else ''}: "
                    f"they must be resolved before the team can be removed")))
        if problems:
            raise ConfigRefused(problems)

    @staticmethod
    def _move_conversations_of_removed_teams(s, old: Settings | None, new: Settings) -> list[str]:
        """A practitioner part-way through a conversation for a team that is removed carries on
        with the default team (else the first one), in the same transaction as the change, so
        their outcome still reaches a lead instead of failing on a team that no longer exists."""
        if old is None:
            return []
        kept = {t.id for t in new.teams}
        successor = new.default_team or new.teams[0].id
        lines = []
        for team in old.teams:
            if team.id in kept:
                continue
            moved = s.execute(update(Conversation).where(Conversation.team == team.id, Conversation.status == "active")
                              .values(team=successor).execution_options(synchronize_session=False)).rowcount
            if moved:
                lines.append(f"{moved} conversation{'s' if moved != 1 else ''} in progress for {team.id} "
                             f"moved to {successor}")
        return lines

    def seed(self, settings: Settings) -> bool:
        """Store `settings` as version 1 (author "file") only if the store is empty; True if it did."""
        class _NotEmpty(Exception):
            pass

        def first(row: ConfigVersionRow | None) -> list[str]:
            if row is not None:
                raise _NotEmpty()
            return change_lines(None, settings)

        try:
            with self.db.transaction() as s:
                version = _version(add_version(s, "file", _body(settings), utcnow(), first))
        except (_NotEmpty, Unchanged):
            return False
        with self._lock:
            self._version, self._checked = version, time.monotonic()
        return True


# --- the first admins ----------------------------------------------------------------------

def env_admins() -> list[str]:
    """CANISHARE_ADMINS (comma-separated Slack user ids): the first admins of a new
    installation. A malformed id is refused, as in the YAML file."""
    ids = [i.strip() for i in os.environ.get(ADMINS_ENV, "").split(",") if i.strip()]
    bad = [i for i in ids if not USER_ID.match(i)]
    if bad:
        raise ConfigError(f"{ADMINS_ENV} must be Slack user IDs like U0123ABCD, separated by commas, "
                          f"not {', '.join(map(repr, bad))}")
    return ids


def with_bootstrap_admins(settings: Settings) -> Settings:
    """`settings` with CANISHARE_ADMINS as its admins when it names none."""
    ids = env_admins()
    if settings.admins or not ids:
        return settings
    return Settings.model_validate({**settings.model_dump(mode="json"), "admins": ids})


__all__ = ["ConfigRefused", "ConfigStore", "ConfigVersion", "FieldProblem", "FixedConfig", "NoConfiguration",
           "SettingsSource", "body_hash", "env_admins", "live", "settings_problems", "with_bootstrap_admins"]
