"""`canishare db`: create the database, or bring it to the newest schema."""
from __future__ import annotations

import sys

import click

from . import _database, _fail, main


@main.group()
def db() -> None:
    """The database: create it, or bring it to the newest schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create the database's tables, or apply new migrations (also done by `serve`)."""
    from sqlalchemy import text

    from storage.db import describe

    database = _database(create=True)
    with database.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    click.echo(f"canishare: {describe()} is at the newest schema (revision {revision})")


@db.command("current")
def db_current() -> None:
    """Show the schema's migration and whether it is the newest (exit 1 when an upgrade is due)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from storage.db import DatabaseProblem, alembic_config, describe, open_existing

    try:
        database = open_existing(migrate=False)
    except DatabaseProblem as err:
        _fail(str(err))
    with database.engine.connect() as conn:
        have = sorted(MigrationContext.configure(conn).get_current_heads())
    heads = sorted(ScriptDirectory.from_config(alembic_config(database.engine)).get_heads())
    state = "the newest" if have == heads else f"behind (newest {', '.join(heads)}): run `canishare db upgrade`"
    click.echo(f"{describe()}: at {', '.join(have) or 'no migration'}, {state}")
    sys.exit(0 if have == heads else 1)
