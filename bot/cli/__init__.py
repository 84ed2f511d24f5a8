"""The `canishare` command line: the group, its error handling and the helpers every command shares.

One module per concern registers its commands on `main`: serve, records (export, verify), db,
policy, digest, purge, config (export, import), workspaces."""
from __future__ import annotations

import logging
import sys

import click


def _fail(message: str) -> None:
    click.echo(f"canishare: {message}", err=True)
    sys.exit(1)


def _settings(db=None):
    """The configuration: the database's newest version when `db` holds one, else the YAML file
    (a database from before configurations were stored, or none given). A workspace of a
    deployment for many has only its stored configuration: the file is the deployment's, not its."""
    from ..config import ConfigError, load_settings

    if db is not None:
        stored = _stored_settings(db)
        if stored is not None:
            return stored
        if db.tenant is not None:
            _fail(f"workspace {db.tenant} holds no configuration yet; its admins set it up in the App Home, "
                  f"or run `canishare config import FILE --workspace {db.tenant}`")
    try:
        return load_settings()
    except ConfigError as err:
        _fail(str(err))


def _stored_settings(db):
    from ..config_store import ConfigStore

    version = ConfigStore(db).latest()
    return version.settings if version is not None else None


WORKSPACE_HELP = ("On a deployment that many workspaces install: the workspace (T...) or Enterprise Grid org "
                  "(E...) whose data to use (also CANISHARE_WORKSPACE); `canishare workspaces` lists them.")


def workspace_option(command):
    """--workspace ID (env CANISHARE_WORKSPACE), for every command that reads or changes a workspace's data."""
    return click.option("--workspace", default=None, envvar="CANISHARE_WORKSPACE", metavar="ID",
                        help=WORKSPACE_HELP)(command)


def _database(create: bool = False):
    """The bot's database (DATABASE_URL), named on stderr. Only `serve` and `db upgrade` may create
    it; every other command refuses (exit 1) a missing or empty one, saying which database it
    looked at. On a deployment that many workspaces install this is the deployment's own
    database (the registry of workspaces); their data is reached with `_workspace_data`."""
    db = _open(create)
    click.echo(f"canishare: database: {_where(db)}", err=True)
    return db


def _workspace_data(workspace: str | None, create: bool = False):
    """The database whose records a command reads or changes, named on stderr: the bot's own
    on a single-workspace deployment, else the workspace `workspace` names, which must be given
    (there is no default workspace) and be one the deployment serves."""
    db = _workspace_database(_open(create), workspace)
    click.echo(f"canishare: database: {_where(db)}", err=True)
    return db


def _open(create: bool):
    from storage.db import DatabaseProblem, open_existing, open_or_create

    try:
        return open_or_create() if create else open_existing()
    except DatabaseProblem as err:
        _fail(str(err))


def _where(db) -> str:
    """The database in words, and the workspace when it is one of many."""
    from storage.db import describe

    return describe() if db.tenant is None else f"workspace {db.tenant} in {describe()}"


def _served(infos) -> str:
    active = [i.id for i in infos if i.active]
    removed = [i.id for i in infos if not i.active]
    listed = ", ".join(active) + ("; " if active and removed else "") + (f"removed: {', '.join(removed)}" if removed else "")
    return f"this deployment serves {len(active)} workspace{'' if len(active) == 1 else 's'} ({listed})"


def _workspace_database(control, workspace: str | None):
    """`control` itself on a single-workspace deployment (no tenants); else the named tenant's."""
    from storage.db import DatabaseProblem
    from storage.tenancy import TenantNotFound, Tenants

    tenants = Tenants(control)
    infos = tenants.all()
    if not infos:
        if workspace:
            _fail(f"this deployment serves one workspace (SLACK_BOT_TOKEN), so --workspace {workspace} does not apply; "
                  f"run the command without --workspace (and without CANISHARE_WORKSPACE)")
        return control
    if not workspace:
        _fail(f"{_served(infos)}; choose one with --workspace")
    wanted = workspace.strip().upper()
    if wanted not in {i.id for i in infos}:
        _fail(f"no workspace {workspace!r}: {_served(infos)}; choose one with --workspace")
    try:
        return tenants.database(wanted)
    except TenantNotFound:  # removed from the registry since the list above
        _fail(f"no workspace {workspace!r}: {_served(tenants.all())}; choose one with --workspace")
    except DatabaseProblem as err:
        _fail(str(err))


class _Commands(click.Group):
    """No traceback reaches an admin: an unexpected error is one line (the traceback with -v)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001
            if ctx.params.get("verbose"):
                raise
            from sqlalchemy.exc import SQLAlchemyError

            if isinstance(err, SQLAlchemyError):
                from storage.db import explain

                _fail(explain(err))
            _fail(f"unexpected error ({type(err).__name__}: {str(err).splitlines()[0] if str(err) else 'no detail'}); "
                  f"run again with -v for the details")


@click.group(cls=_Commands)
@click.option("-v", "--verbose", is_flag=True, help="More log output (never message text).")
@click.option("--log-format", type=click.Choice(["text", "json"]), envvar="CANISHARE_LOG_FORMAT", default="text",
              show_default=True, help="json: one JSON object per line, with a correlation id (also CANISHARE_LOG_FORMAT).")
def main(verbose: bool, log_format: str) -> None:
    """canishare: can I share this information about a child?"""
    from ..logs import configure
    from ..secret_files import SecretFileError, apply_to_environ

    configure(logging.INFO if verbose else logging.WARNING, log_format)
    try:
        apply_to_environ()  # NAME_FILE=/run/secrets/... (containers) becomes NAME for every later reader
    except SecretFileError as err:
        _fail(str(err))


from . import config, db, digest, policy, purge, records, serve, tokens, workspaces  # noqa: E402,F401  (each registers its commands)

__all__ = ["main"]
