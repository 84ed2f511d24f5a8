"""`canishare workspaces`: the workspaces (and Enterprise Grid orgs) a deployment serves."""
from __future__ import annotations

import json

import click

from . import _database, main


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def workspaces(fmt: str) -> None:
    """The workspaces that installed canishare: id, kind, name, installed, removed."""
    from storage.records import iso
    from storage.tenancy import Tenants

    control = _database()
    infos = Tenants(control).all()
    if fmt == "json":
        click.echo(json.dumps([{"id": i.id, "kind": i.kind, "name": i.name, "installed_at": iso(i.installed_at),
                                "removed_at": iso(i.removed_at) if i.removed_at else None} for i in infos], indent=2))
        return
    if not infos:
        click.echo("no workspaces installed through Slack: this deployment serves one workspace (SLACK_BOT_TOKEN); "
                   "commands need no --workspace")
        return
    rows = [("id", "kind", "name", "installed", "removed")] + [
        (i.id, i.kind, i.name, f"{i.installed_at:%Y-%m-%d %H:%M}", f"{i.removed_at:%Y-%m-%d %H:%M}" if i.removed_at else "-")
        for i in infos]
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    for r in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(r[:4], widths)) + "  " + r[4])
    active = sum(1 for i in infos if i.active)
    click.echo(f"{active} active, {len(infos) - active} removed (a removed workspace's data is kept; "
               f"`canishare purge --workspace ID` applies its retention)")
