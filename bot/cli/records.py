"""`canishare export` and `canishare verify`: the decision records out, and their hash chain checked."""
from __future__ import annotations

import sys
from datetime import datetime

import click

from . import _fail, _where, _workspace_data, main, workspace_option


SINCE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
SINCE_EXAMPLES = "2026-12-01, 01/12/2026 or 1/12/2026 (day first), or 2026-12-01T09:00"


def _since(value: str | None) -> datetime | None:
    """A date as a UK admin types it: ISO (2026-12-01) or day first (01/12/2026, 1/12/2026)."""
    if value is None:
        return None
    text = value.strip().replace("Z", "")
    for fmt in SINCE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    _fail(f"--since {value!r} is not a date canishare reads; use {SINCE_EXAMPLES}")


def _team_names(session, yaml_fallback: bool = True) -> dict[str, str]:
    """Team id -> name from the configuration (the stored one, else the YAML file unless the data
    is one workspace's of many), when there is a readable one (else nothing)."""
    import json

    from storage.config_chain import latest_row

    from ..config import ConfigError, config_path, load_settings

    stored = latest_row(session)
    if stored is not None:
        return {t["id"]: t["name"] for t in json.loads(stored.body)["teams"]}
    if not yaml_fallback or config_path() is None:
        return {}
    try:
        return {t.id: t.name for t in load_settings().teams}
    except (ConfigError, OSError):
        return {}


def _resolve_team(session, team: str, yaml_fallback: bool = True) -> str:
    """The team id for --team: a team's id, or its name (any case); refused with the accepted values."""
    from sqlalchemy import select

    from storage.models import Record

    names = _team_names(session, yaml_fallback)
    in_records = {t for (t,) in session.execute(select(Record.team).distinct()) if t}
    known = sorted(set(names) | in_records)
    if team in known:
        return team
    by_name = [tid for tid, name in names.items() if name.casefold() == team.strip().casefold()]
    if len(by_name) == 1:
        click.echo(f"canishare: team {team!r} is {by_name[0]}", err=True)
        return by_name[0]
    if not known:
        _fail(f"no team {team!r}: there are no records and no teams configured yet")
    accepted = ", ".join(f"{tid} ({names[tid]})" if tid in names else tid for tid in known)
    _fail(f"no team {team!r}; use a team id or name: {accepted}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--since", default=None, metavar="DATE",
              help=f"Only records created on or after this date (UTC): {SINCE_EXAMPLES}.")
@click.option("--team", default=None, help="Only this team's records (the team's id or name).")
@workspace_option
def export(fmt: str, since: str | None, team: str | None, workspace: str | None) -> None:
    """Decision records to stdout, oldest first."""
    from storage.export import write_export

    since_at = _since(since)
    db = _workspace_data(workspace)
    with db.read_only() as s:
        team_id = _resolve_team(s, team, yaml_fallback=db.tenant is None) if team is not None else None
        count = write_export(s, sys.stdout, fmt, since_at, team_id)
    sys.stdout.flush()
    from storage.access import cli_user, record_access

    record_access(db, "export", cli_user(), {"format": fmt, "since": since_at.isoformat() if since_at else None,
                                             "team": team_id}, count)
    which = " and ".join(filter(None, [f"of team {team_id}" if team_id else "",
                                        f"since {since_at:%Y-%m-%d %H:%M} UTC" if since_at else ""]))
    click.echo(f"canishare: exported {count} record{'s' if count != 1 else ''}{' ' + which if which else ''} "
               f"from {_where(db)}", err=True)


@main.command()
@click.option("--log", "show_log", is_flag=True, help="Also list every logged access: exports, digest posts, purges.")
@workspace_option
def verify(show_log: bool, workspace: str | None) -> None:
    """Check the records' hash chain; names the first broken record."""
    from storage.access import accesses
    from storage.records import verify_chain

    db = _workspace_data(workspace)
    with db.read_only() as s:
        report = verify_chain(s)
        logged = [a.line() for a in accesses(s)] if show_log else []
    if report.ok and report.entries == 0:
        click.echo("no decision records yet: nothing to verify (the chain is empty)")
        sys.exit(0)
    click.echo(str(report))
    if report.ok:
        click.echo("  (each record has one entry per change: its outcome, then any record details, escalation "
                   "steps or purge, plus one per export, digest post or purge (see --log) and one per configuration version; every entry's hash was recomputed and every record matches its latest entry)")
    if show_log:
        _show_access_log(logged)
    sys.exit(0 if report.ok else 1)


def _show_access_log(lines: list[str]) -> None:
    click.echo("Access log (entries of the chain, verified with it):" if lines
               else "Access log: no exports, digest posts or purges yet")
    for line in lines:
        click.echo(f"  {line}")
