"""The configuration as text: the change lines between two versions, and the YAML file.

Change lines name settings by their path, teams by id ("teams.early-help.leads: U0LEAD1 ->
U0LEAD2"); they carry configuration values (Slack user, channel and group ids, names of
teams), never anything from a decision record.
"""
from __future__ import annotations

from typing import Any

import yaml

from .config import Settings

SHORT = 3  # lists up to this long are shown whole ("a, b -> a, c"); longer ones as added/removed


def _show(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return str(value)


def _list_change(path: str, old: list, new: list) -> str:
    if len(old) <= SHORT and len(new) <= SHORT:
        return f"{path}: {_show(old)} -> {_show(new)}"
    added = [v for v in new if v not in old]
    removed = [v for v in old if v not in new]
    words = [f"added {_show(added)}" if added else "", f"removed {_show(removed)}" if removed else ""]
    return f"{path}: {'; '.join(w for w in words if w) or 'order changed'}"


def _diff(path: str, old: Any, new: Any, out: list[str]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            _diff(f"{path}.{key}" if path else str(key), old.get(key), new.get(key), out)
    elif isinstance(old, list) and isinstance(new, list) and all(not isinstance(v, (dict, list)) for v in old + new):
        out.append(_list_change(path, old, new))
    else:
        out.append(f"{path}: {_show(old)} -> {_show(new)}")


def _team_summary(team: dict) -> str:
    parts = [f"name {team.get('name')!r}", f"leads {_show(team.get('leads'))}"]
    parts += [f"{k.replace('_', ' ')} {_show(v)}" for k, v in team.items()
              if k not in ("id", "name", "leads") and v not in (None, [], {})]
    return ", ".join(parts)


def change_lines(old: Settings | None, new: Settings) -> list[str]:
    """What changed from `old` to `new`, one line per setting; [] when nothing did."""
    after = new.model_dump(mode="json")
    if old is None:
        teams = ", ".join(t["id"] for t in after["teams"])
        return [f"configuration created: teams {teams}; admins {_show(after['admins'])}"]
    before = old.model_dump(mode="json")
    out: list[str] = []
    old_teams = {t["id"]: t for t in before.pop("teams")}
    new_teams = {t["id"]: t for t in after.pop("teams")}
    for team_id, team in old_teams.items():
        if team_id not in new_teams:
            out.append(f"teams.{team_id}: removed (was {_team_summary(team)})")
        else:
            _diff(f"teams.{team_id}", team, new_teams[team_id], out)
    for team_id, team in new_teams.items():
        if team_id not in old_teams:
            out.append(f"teams.{team_id}: added ({_team_summary(team)})")
    if not out and list(old_teams) != list(new_teams):
        out.append(f"teams: order changed to {', '.join(new_teams)}")
    _diff("", before, after, out)
    return out


def settings_yaml(settings: Settings) -> str:
    """The configuration as a YAML file in DESIGN's shape (what `config import` reads back)."""
    data = settings.model_dump(mode="python", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, allow_unicode=True, width=100)
