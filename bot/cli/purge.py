"""`canishare purge`: delete what the retention rules say is due."""
from __future__ import annotations

import sys

import click

from . import _fail, _settings, _workspace_data, main, workspace_option


PURGE_WORDS = (
    ("records", "decision records past retention"),
    ("chain_entries_redacted", "hash-chain entries of those records blanked (the chain still verifies)"),
    ("chain_entries_dropped", "blanked hash-chain entries at the start of the chain removed"),
    ("escalations", "escalations of those records"),
    ("record_conversations", "conversations those records came from"),
    ("abandoned_conversations", "unfinished conversations idle for 30 days"),
    ("seen_requests", "Slack delivery ids kept to drop retries (older than 7 days)"),
    ("outbox", "sent or given-up messages in the delivery queue (older than 30 days)"),
    ("delivery_attempts", "delivery attempts past retention"),
)


def _purge_lines(counts: dict[str, int]) -> list[str]:
    words = dict(PURGE_WORDS)
    keys = [k for k, _ in PURGE_WORDS] + [k for k in counts if k not in words]
    return [f"  {counts.get(k, 0)} {words.get(k, k.replace('_', ' '))}" for k in keys if counts.get(k)]


@main.command()
@click.option("--dry-run", is_flag=True, help="Show what would be deleted, and delete nothing.")
@click.option("--yes", is_flag=True, help="Delete without asking (for scripts and cron).")
@workspace_option
def purge(dry_run: bool, yes: bool, workspace: str | None) -> None:
    """Delete what the retention rules say is due now (asks first unless --yes)."""
    from storage.models import utcnow
    from storage.retention import purge as purge_due
    from storage.retention import purge_in_batches

    db = _workspace_data(workspace)
    settings = _settings(db)  # retention_days: never a default when the configuration is missing
    now = utcnow()
    with db.read_only() as s:  # the purge itself, rolled back: exactly what a real one would delete
        due = purge_due(s, now, settings.retention_days)
        s.rollback()
    lines = _purge_lines(due)
    if not lines:
        click.echo(f"nothing is due for deletion (records are kept {settings.retention_days} days)")
        return
    click.echo(f"{'would delete' if dry_run else 'due for deletion'} (records are kept {settings.retention_days} days):")
    for line in lines:
        click.echo(line)
    if dry_run:
        return
    if not yes:
        if not sys.stdin.isatty():
            _fail("purge deletes for good: add --yes to confirm (or --dry-run to only look)")
        if not click.confirm("Delete these for good?", default=False):
            _fail("nothing deleted")
    counts = purge_in_batches(db, now, settings.retention_days)
    from storage.access import cli_user, record_access

    record_access(db, "purge", cli_user(), {"retention_days": settings.retention_days}, sum(counts.values()))
    click.echo("deleted:")
    for line in _purge_lines(counts) or ["  nothing (another purge got there first)"]:
        click.echo(line)
