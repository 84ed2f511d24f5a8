"""At `serve`: the configuration the bot will use, and what start-up says about the file.

The database holds the configuration. An empty one is seeded from the YAML file (how existing
deployments upgrade: their file becomes version 1). Later the file is only compared: when it
differs, start-up says so, with who changed what since (in Slack or by an import), and the
database's version is used until `canishare config import FILE`.
"""
from __future__ import annotations

import logging
from pathlib import Path

from storage.records import iso

from .config import Settings
from .config_report import ConfigError
from .config_store import ADMINS_ENV, ConfigStore, ConfigVersion, env_admins, with_bootstrap_admins
from .config_text import change_lines

log = logging.getLogger("canishare.config")

NO_CONFIGURATION = ("no configuration: the database holds none and there is no file; set CANISHARE_CONFIG to a "
                    "YAML file, put canishare.yml in the working directory, or run `canishare config import FILE` "
                    "(canishare.example.yml is a starting point)")
SHOWN_VERSIONS = 10  # the newest versions listed when the file differs


def effective_settings(store: ConfigStore, file_settings: Settings | None, path: Path | None) -> Settings:
    """Seed an empty store from the file, add CANISHARE_ADMINS when no admin is configured,
    report a file that differs; return the configuration to serve with. Raises ConfigError
    when there is neither a stored configuration nor a file."""
    latest = store.latest()
    if latest is None:
        if file_settings is None:
            raise ConfigError(NO_CONFIGURATION)
        if store.seed(file_settings):
            log.info("configuration version 1 stored from %s", path)
        latest = store.latest()
    assert latest is not None
    if not latest.settings.admins and env_admins():
        latest = store.apply(with_bootstrap_admins(latest.settings), author=f"env:{ADMINS_ENV}")
        log.info("admins from %s added (configuration version %d)", ADMINS_ENV, latest.number)
    if file_settings is not None:
        lines = file_differs(store, with_bootstrap_admins(file_settings), path)
        if lines:
            log.warning("\n".join(lines))
    return latest.settings


def _same(a: Settings, b: Settings) -> bool:
    return a.model_dump(mode="json") == b.model_dump(mode="json")


def _version_lines(version: ConfigVersion) -> list[str]:
    head = f"  version {version.number}, {iso(version.created_at)}, by {version.author}:"
    return [head, *(f"    {line}" for line in version.changes)]


def file_differs(store: ConfigStore, file_settings: Settings, path: Path | None) -> list[str]:
    """The warning about a file that differs from the stored configuration ([] when it does not)."""
    history = store.history(limit=100)
    current = history[0]
    if _same(current.settings, file_settings):
        return []
    name = str(path) if path is not None else "the configuration file"
    lines = [f"{name} differs from the configuration in the database (version {current.number}, "
             f"{iso(current.created_at)}, by {current.author}). The database's version is used; the file is "
             f"ignored until `canishare config import {name}`."]
    matching = next((v for v in history if _same(v.settings, file_settings)), None)
    if matching is not None:
        since = [v for v in history if v.number > matching.number]
        lines.append(f"The file is the same as version {matching.number}; changed since:")
    else:
        lines.append("The file matches no stored version. It differs in (file -> database):")
        lines += [f"    {line}" for line in change_lines(file_settings, current.settings)]
        since = history
        lines.append("Recent changes:")
    for version in reversed(since[:SHOWN_VERSIONS]):
        lines += _version_lines(version)
    if len(since) > SHOWN_VERSIONS:
        lines.append(f"  ({len(since) - SHOWN_VERSIONS} older changes: `canishare config export` shows the history)")
    return lines
