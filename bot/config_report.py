"""Configuration problems in an operator's words: which line of the YAML file, which team by
name, which setting, and what to do about it."""
from __future__ import annotations

import yaml
from pydantic import ValidationError


class ConfigError(Exception):
    """The configuration cannot be used; the message lists every problem."""


def _node_at(root: yaml.Node | None, loc: tuple) -> yaml.Node | None:
    """The YAML node a pydantic error location points at (the deepest one that exists)."""
    node, found = root, root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
            if nxt is None:  # a missing key: point at the mapping that lacks it
                break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        found = node
    return found


def _where(raw: object, loc: tuple) -> str:
    """A human path for an error location: one-based, teams by name ("team 'Early Help', leads")."""
    words: list[str] = []
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "teams" and isinstance(parts[1], int):
        teams = raw.get("teams") if isinstance(raw, dict) else None
        team = teams[parts[1]] if isinstance(teams, list) and parts[1] < len(teams) else None
        name = team.get("name") or team.get("id") if isinstance(team, dict) else None
        words.append(f"team {name!r}" if name else f"team {parts[1] + 1}")
        parts = parts[2:]
    names = [str(p) for p in parts if not isinstance(p, int) and not str(p).startswith(("function-", "literal["))]
    items = [f"item {p + 1}" for p in parts if isinstance(p, int)]
    if names or items:
        words.append(" ".join([".".join(names), *items]).strip())
    return ", ".join(w for w in words if w) or "(top level)"


_TOP_LEVEL_MESSAGES = {"default_team": "default_team", "team ids must be unique": "teams", "at least one team": "teams"}


def validation_problems(path: object, root: yaml.Node | None, raw: object, err: ValidationError) -> ConfigError:
    """The ConfigError for a configuration pydantic refused: one line per problem, with its line number."""
    lines = []
    for e in err.errors():
        loc = tuple(e["loc"])
        message = e["msg"].removeprefix("Value error, ")
        if not loc:
            loc = next(((key,) for start, key in _TOP_LEVEL_MESSAGES.items() if message.startswith(start)), ())
        node = _node_at(root, loc) if loc else None
        line = f"line {node.start_mark.line + 1}: " if node is not None else ""
        if e["type"] == "missing":
            message = f"{loc[-1]} is required here" if loc else message
            loc = loc[:-1]
        elif e["type"] == "extra_forbidden":
            message = "not a setting canishare knows (check the spelling)"
        lines.append(f"  - {line}{_where(raw, loc)}: {message}")
    return ConfigError(f"{path} has problems:\n" + "\n".join(lines))
