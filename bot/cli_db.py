"""`canishare db upgrade|current`: migrations as an operator step, not only at start-up."""
from __future__ import annotations

import sys
from pathlib import Path

import click


def _database():
    from storage.db import Database

    return Database()


def _describe(db) -> str:
    url = db.engine.url
    return f"{url.get_backend_name()} database {url.database or ''}" + (f" on {url.host}" if url.host else "")


@click.group()
def db() -> None:
    """Database schema: upgrade to the newest migration, or show where it is."""


@db.command()
def upgrade() -> None:
    """Apply every migration not yet applied (safe to run while other processes start)."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.health import readiness

    database = _database()
    try:
        database.migrate()
    except SQLAlchemyError as err:
        click.echo(f"canishare: cannot upgrade the {_describe(database)} ({type(err).__name__}); check DATABASE_URL",
                   err=True)
        sys.exit(1)
    ready, reason = readiness(database)
    click.echo(f"canishare: {_describe(database)} is at the newest migration" if ready else f"canishare: {reason}")
    sys.exit(0 if ready else 1)


@db.command()
def current() -> None:
    """Show the schema's migration and whether it is the newest (exit 1 when an upgrade is due)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import alembic_config

    database = _database()
    url = database.engine.url
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        click.echo(f"canishare: no database at {url.database} (SQLite): run `canishare db upgrade` to create it, "
                   "or set DATABASE_URL", err=True)
        sys.exit(1)
    try:
        with database.engine.connect() as conn:
            have = sorted(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as err:
        click.echo(f"canishare: cannot read the {_describe(database)} ({type(err).__name__}); check DATABASE_URL", err=True)
        sys.exit(1)
    heads = sorted(ScriptDirectory.from_config(alembic_config(database.engine)).get_heads())
    click.echo(f"{_describe(database)}: at {', '.join(have) or 'no migration (empty)'}; newest {', '.join(heads)}")
    sys.exit(0 if have == heads else 1)
