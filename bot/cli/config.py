"""`canishare config export` and `config import FILE`: the stored configuration as YAML, and a
YAML file stored as a new version (checked first, shown as a diff, confirmed)."""
from __future__ import annotations

import click

from . import _fail, _where, _workspace_data, main, workspace_option

HISTORY_SHOWN = 10  # versions listed in the export's header


@main.group()
def config() -> None:
    """The configuration held in the database: export it as YAML, or import a YAML file."""


def _version_comment(version) -> list[str]:
    from storage.records import iso

    return [f"#   version {version.number}, {iso(version.created_at)}, by {version.author}:",
            *(f"#     {line}" for line in version.changes)]


@config.command("export")
@workspace_option
def config_export(workspace: str | None) -> None:
    """Print the current configuration as YAML, headed by its version and recent changes."""
    from storage.records import iso

    from ..config_store import ConfigStore
    from ..config_text import settings_yaml

    db = _workspace_data(workspace)
    history = ConfigStore(db).history(limit=HISTORY_SHOWN)
    if not history and db.tenant is not None:
        _fail(f"{_where(db)} holds no configuration yet; its admins set it up in the App Home, or run "
              f"`canishare config import FILE --workspace {db.tenant}`")
    if not history:
        _fail(f"{_where(db)} holds no configuration yet; `canishare serve` stores canishare.yml there on its first "
              f"start, or run `canishare config import FILE`")
    current = history[0]
    lines = [f"# canishare configuration, version {current.number}, stored {iso(current.created_at)} by {current.author}",
             "# Change it in the App Home, or edit this file and run: canishare config import FILE",
             "# Recent changes, newest first:"]
    for version in history:
        lines += _version_comment(version)
    click.echo("\n".join(lines))
    click.echo(settings_yaml(current.settings), nl=False)


@config.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Store it without asking (for scripts).")
@workspace_option
def config_import(file: str, yes: bool, workspace: str | None) -> None:
    """Store FILE as the new configuration version (checked first; shows the changes and asks)."""
    from storage.access import cli_user

    from ..config import ConfigError, load_settings
    from ..config_store import ConfigRefused, ConfigStore
    from ..config_text import change_lines

    try:
        settings = load_settings(file)
    except ConfigError as err:
        _fail(str(err))
    db = _workspace_data(workspace, create=True)
    store = ConfigStore(db)
    before = store.latest()
    changes = change_lines(before.settings if before else None, settings)
    if before is not None and not changes:
        click.echo(f"no change: {file} is the stored configuration (version {before.number})")
        return
    click.echo(f"Changes from version {before.number} ({before.author}):" if before
               else "The database holds no configuration yet; this file becomes version 1:")
    for line in changes:
        click.echo(f"  {line}")
    if not yes:
        try:
            confirmed = click.confirm("Store this as the new configuration?", default=False)
        except click.Abort:
            confirmed = False
        if not confirmed:
            _fail("nothing changed (not confirmed; add --yes to store without asking)")
    try:
        version = store.apply(settings, author=cli_user())
    except ConfigRefused as err:
        _fail("refused, nothing changed:\n" + "\n".join(f"  - {p}" for p in err.problems))
    if before is not None and version.number == before.number:
        click.echo("no change")
        return
    click.echo(f"configuration version {version.number} stored (by {version.author}); running canishare "
               f"processes use it within seconds")
