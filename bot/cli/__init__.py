"""The `canishare` command line: the group, its error handling and the helpers every command shares.

One module per concern registers its commands on `main`: serve, records (export, verify), db,
policy, digest, purge, config (export, import)."""
from __future__ import annotations

import logging
import sys

import click


def _fail(message: str) -> None:
    click.echo(f"canishare: {message}", err=True)
    sys.exit(1)


def _settings(db=None):
    """The configuration: the database's newest version when `db` holds one, else the YAML file
    (a database from before configurations were stored, or none given)."""
    from ..config import ConfigError, load_settings

    if db is not None:
        stored = _stored_settings(db)
        if stored is not None:
            return stored
    try:
        return load_settings()
    except ConfigError as err:
        _fail(str(err))


def _stored_settings(db):
    from ..config_store import ConfigStore

    version = ConfigStore(db).latest()
    return version.settings if version is not None else None


def _database(create: bool = False):
    """The bot's database, named on stderr. Only `serve` and `db upgrade` may create it; every
    other command refuses (exit 1) a missing or empty one, saying which database it looked at."""
    from storage.db import DatabaseProblem, describe, open_existing, open_or_create

    try:
        db = open_or_create() if create else open_existing()
    except DatabaseProblem as err:
        _fail(str(err))
    click.echo(f"canishare: database: {describe()}", err=True)
    return db


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


from . import config, db, digest, policy, purge, records, serve  # noqa: E402,F401  (each registers its commands)

__all__ = ["main"]
