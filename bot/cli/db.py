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
    _upgrade_workspaces(database)


def _upgrade_workspaces(control) -> None:
    """On a deployment that many workspaces install, each one's schema or file too (they are
    also brought up to date as each is first used, so this only saves the wait)."""
    from storage.db import DatabaseProblem
    from storage.tenancy import Tenants

    tenants = Tenants(control)
    ids = [info.id for info in tenants.all()]
    missing = []
    for tenant_id in ids:
        try:
            tenants.database(tenant_id)
        except DatabaseProblem as err:
            missing.append(str(err))
    tenants.close()
    if ids:
        click.echo(f"canishare: {len(ids) - len(missing)} of {len(ids)} workspaces' data at the newest schema")
    if missing:
        _fail("; ".join(missing))


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
    behind = _workspaces_behind(database, heads)
    sys.exit(0 if have == heads and not behind else 1)


def _workspaces_behind(control, heads: list[str]) -> int:
    """On a deployment that many workspaces install: each one's migrations, one line each for
    those not at the newest (missing data included); how many those are."""
    from storage.tenancy import Tenants

    tenants = Tenants(control)
    infos = tenants.all()
    behind = 0
    for info in infos:
        have = tenants.revisions(info.id)
        if have != heads:
            behind += 1
            at = "its data is missing" if have is None else f"at {', '.join(have) or 'no migration'}"
            click.echo(f"  workspace {info.id}: {at}, behind: run `canishare db upgrade`")
    if infos:
        click.echo(f"  {len(infos) - behind} of {len(infos)} workspaces at the newest schema")
    return behind
