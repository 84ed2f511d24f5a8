"""Admins change the configuration from the App Home: the service behind the settings modals.

Plain data in, plain data out, no Slack: a modal's values (read by bot/settings_form.py) and
the current Settings become the next Settings, validated by bot.config_store.settings_problems
and stored by ConfigStore.apply with the admin as its author. What is wrong comes back keyed
by the modal's block ids, so each message shows next to its field. Only admins change
anything: the check is here, whatever calls it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Protocol

from .config import Settings
from .config_store import ConfigRefused, FieldProblem, settings_problems
from .ids import Field
from .settings_form import MESSAGE_LIMIT, errors_by_block, organisation_errors, organisation_raw, team_errors, team_raw

NOT_ADMIN = "Only canishare admins can change the settings, so nothing was changed."
NOT_SAVED = "I couldn't save the settings just now, so nothing was changed. Please try Save again in a moment."
GONE = ("That team no longer exists (another admin may have removed it), so nothing was changed. "
        "Close this and open the settings again.")
STALE = ("{what} changed in version {number} ({author}) after you opened this form, so nothing was changed. "
         "Close this and open the settings again to see that change.")
HISTORY_LOOKED_AT = 50


class Store(Protocol):  # bot.config_store.ConfigStore
    def current(self) -> Settings: ...
    def latest(self) -> Any: ...
    def apply(self, new: Settings | dict, *, author: str, based_on: int | None = None) -> Any: ...
    def history(self, limit: int = 20) -> list[Any]: ...


ChannelCheck = Callable[[str], "str | None"]  # channel id -> what is wrong with it for the bot, or None
PersonCheck = Callable[[str], "str | None"]  # user id -> why they cannot be a lead or deputy, or None


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


# --- the service ------------------------------------------------------------------------------

class SettingsAdmin:
    def __init__(self, store: Store, check_channel: ChannelCheck | None = None, check_person: PersonCheck | None = None):
        self.store = store
        self.check_channel = check_channel or (lambda _c: None)
        self.check_person = check_person or (lambda _u: None)

    def save_team(self, user_id: str, team_id: str | None, values: dict[str, object], opened: int | None = None) -> Saved:
        """Add a team (team_id None) or change one, from the team modal's values; `opened`: the
        version the modal showed (another admin's change to this team since is not overwritten)."""
        newest, current = self._newest()
        fallback = Field.TEAM_NAME if team_id else Field.TEAM_ID
        if not current.is_admin(user_id):
            return Saved("refused", {fallback: NOT_ADMIN})
        existing = next((t for t in current.teams if t.id == team_id), None) if team_id else None
        if team_id and existing is None:
            return Saved("refused", {fallback: GONE})
        stale = team_id and self._moved_on(opened, newest, lambda s: next((t for t in s.teams if t.id == team_id), None),
                                           f"Team {existing.name if existing else team_id}")
        if stale:
            return Saved("refused", {fallback: stale})
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
        errors.update(self._people_problems(team, existing, errors))
        if errors:
            return Saved("refused", errors)
        what = f"Team {team['name']} {'changed' if existing else 'added'}."
        return self._apply(raw, user_id, what, lambda ps: team_errors(ps, index, adding=existing is None), newest)

    def _people_problems(self, team: dict, existing: Any, errors: dict[str, str]) -> dict[str, str]:
        """Newly named leads and deputies Slack says cannot be pinged (a bot, deactivated, not
        in this workspace), next to their field. Only new people, each asked once: a lead change
        must not wait on everyone already named."""
        before = set(existing.leads) | set(existing.deputies) if existing else set()
        found: dict[str, list[str]] = {}
        asked: set[str] = set()
        for role, block in (("leads", Field.TEAM_LEADS), ("deputies", Field.TEAM_DEPUTIES)):
            if block in errors:
                continue
            for user in team.get(role) or []:
                if user in before or user in asked:
                    continue
                asked.add(user)
                problem = self.check_person(user)
                if problem:
                    found.setdefault(block, []).append(problem)
        return {block: " ".join(ms)[:MESSAGE_LIMIT] for block, ms in found.items()}

    def remove_team(self, user_id: str, team_id: str) -> Saved:
        newest, current = self._newest()
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
        errors = errors_by_block(settings_problems(raw), lambda _p: Field.TEAM_NAME)
        if errors:
            return Saved("refused", errors)
        return self._apply(raw, user_id, f"Team {name} removed.", lambda ps: errors_by_block(ps, lambda _p: Field.TEAM_NAME),
                           newest)

    def save_organisation(self, user_id: str, values: dict[str, object], opened: int | None = None) -> Saved:
        newest, current = self._newest()
        if not current.is_admin(user_id):
            return Saved("refused", {Field.ORG_NAME: NOT_ADMIN})
        stale = self._moved_on(opened, newest, lambda s: s.model_dump(exclude={"teams"}), "The organisation settings")
        if stale:
            return Saved("refused", {Field.ORG_NAME: stale})
        raw = organisation_raw(values, current)
        errors = organisation_errors(settings_problems(raw))
        channel = raw["digest"].get("channel")
        if channel and channel != current.digest.channel and Field.DIGEST_CHANNEL not in errors:
            problem = self.check_channel(channel)
            if problem:
                errors[Field.DIGEST_CHANNEL] = problem
        if errors:
            return Saved("refused", errors)
        return self._apply(raw, user_id, "Organisation settings changed.", organisation_errors, newest)

    def _newest(self) -> tuple[Any, Settings]:
        """The newest stored version (read from the database, not a cache) and its settings: a
        change is built on it and stored only if it is still the newest (apply's based_on)."""
        newest = self.store.latest()
        return newest, newest.settings if newest is not None else self.store.current()

    def _moved_on(self, opened: int | None, newest: Any, part: Callable[[Settings], object], what: str) -> str | None:
        """Why saving would overwrite another admin's change to `part` made since version `opened`."""
        if opened is None or newest is None or newest.number == opened:
            return None
        then = next((v for v in self.store.history(limit=HISTORY_LOOKED_AT) if v.number == opened), None)
        if then is None or part(then.settings) == part(newest.settings):
            return None  # changed elsewhere only (or too long ago to tell): this form's fields are current
        return STALE.format(what=what, number=newest.number, author=newest.author)

    def _apply(self, raw: dict, user_id: str, what: str, errors_of: Callable[[list[FieldProblem]], dict[str, str]],
               newest: Any) -> Saved:
        based_on = newest.number if newest is not None else None
        try:  # refused, not merged, if another version was stored since `newest` was read
            version = self.store.apply(raw, author=f"slack:{user_id}", based_on=based_on)
        except ConfigRefused as refused:
            return Saved("refused", errors_of(list(refused.problems)))
        number = getattr(version, "number", None)
        if version is None or (based_on is not None and number == based_on):
            return Saved("unchanged", version=number)
        return Saved("saved", version=number, changes=tuple(getattr(version, "changes", ()) or ()), what=what)
