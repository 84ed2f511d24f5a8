"""The `canishare` command line."""
from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime

import click

from policy import PackError, load_pack


def _fail(message: str) -> None:
    click.echo(f"canishare: {message}", err=True)
    sys.exit(1)


def _settings():
    from .config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as err:
        _fail(str(err))


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


def _port(value: str | None, source: str) -> int:
    """A TCP port from --port or PORT, refused in one line when it is not 1 to 65535 (0, which
    tests use, lets the system pick a free one)."""
    text = (value or "").strip()
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        _fail(f"{source} must be a port number from 1 to 65535, not {value!r}")
    return int(text)


def _check_port_free(port: int) -> None:
    """Fail in one line, before gunicorn starts, when the port cannot be listened on."""
    import errno
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            probe.bind(("0.0.0.0", port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                _fail(f"port {port} is already in use (another canishare, or another program, is listening there); "
                      f"stop it, or choose another port with --port N or PORT=N")
            if err.errno == errno.EACCES:
                _fail(f"port {port} needs administrator rights on this machine; use a port above 1023 "
                      f"(e.g. --port 3000) behind your proxy")
            _fail(f"cannot listen on port {port} ({err.strerror}); choose another with --port N")


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
    from .logs import configure
    from .secret_files import SecretFileError, apply_to_environ

    configure(logging.INFO if verbose else logging.WARNING, log_format)
    try:
        apply_to_environ()  # NAME_FILE=/run/secrets/... (containers) becomes NAME for every later reader
    except SecretFileError as err:
        _fail(str(err))


def _metrics_dir() -> None:
    """Before prometheus_client is imported: a fresh folder where the workers share their metrics."""
    import tempfile
    from pathlib import Path

    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not given:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="canishare-metrics-")
        return
    folder = Path(given)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):  # a previous run's counts would be added to this one's
            stale.unlink()
    except OSError as err:
        _fail(f"PROMETHEUS_MULTIPROC_DIR={given} cannot be used ({err.strerror}): give a folder this user may write")


@main.command()
@click.option("--port", default=None, help="Port for HTTP mode (default: $PORT, else 3000).")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes (use PostgreSQL for more than one).")
@click.option("--threads", type=int, default=8, show_default=True, help="Threads per worker.")
def serve(port: str | None, workers: int, threads: int) -> None:
    """Run the Slack app (HTTP at /slack/events, or Socket Mode with SLACK_APP_TOKEN)."""
    from .config import ConfigError, load_secrets

    _metrics_dir()
    from .server import serve_http, serve_socket_mode
    from .startup import check_slack_ids

    logging.getLogger("canishare").setLevel(logging.INFO)
    if port is not None:
        http_port = _port(port, "--port")
    elif os.environ.get("PORT"):
        http_port = _port(os.environ["PORT"], "PORT")
    else:
        http_port = 3000
    settings = _settings()
    try:
        secrets = load_secrets()
    except ConfigError as err:
        _fail(str(err))
    if not secrets.app_token:
        _check_port_free(http_port)
    db = _database(create=True)
    if workers > 1 and db.dialect == "sqlite":
        _fail("more than one worker needs PostgreSQL (set DATABASE_URL); SQLite is for a single process")
    from slack_sdk.errors import SlackApiError, SlackClientError

    try:
        problems = check_slack_ids(settings, secrets)
    except SlackApiError as err:
        _fail(f"Slack refused a start-up check ({err.response.get('error')}); check the app's scopes and SLACK_BOT_TOKEN")
    except SlackClientError as err:
        _fail(f"cannot reach Slack's Web API ({type(err).__name__}); check the network or SLACK_API_URL")
    if len(problems) == 1:
        _fail(f"cannot start: {problems[0]}")
    if problems:
        _fail("cannot start:\n" + "\n".join(f"  - {p}" for p in problems))
    db.engine.dispose()  # each worker opens its own connections
    if secrets.app_token:
        click.echo("canishare: Socket Mode", err=True)
        serve_socket_mode(settings, secrets, None)
        return
    click.echo(f"canishare: listening on port {http_port} (POST /slack/events, GET /healthz, /readyz, /metrics)", err=True)
    serve_http(settings, secrets, None, http_port, workers, threads)


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


def _team_names() -> dict[str, str]:
    """Team id -> name from the configuration, when there is a readable one (else nothing)."""
    from .config import ConfigError, config_path, load_settings

    if config_path() is None:
        return {}
    try:
        return {t.id: t.name for t in load_settings().teams}
    except (ConfigError, OSError):
        return {}


def _resolve_team(session, team: str) -> str:
    """The team id for --team: a team's id, or its name (any case); refused with the accepted values."""
    from sqlalchemy import select

    from storage.models import Record

    names = _team_names()
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
def export(fmt: str, since: str | None, team: str | None) -> None:
    """Decision records to stdout, oldest first."""
    from storage.db import describe
    from storage.export import write_export

    since_at = _since(since)
    db = _database()
    with db.read_only() as s:
        team_id = _resolve_team(s, team) if team is not None else None
        count = write_export(s, sys.stdout, fmt, since_at, team_id)
    sys.stdout.flush()
    from storage.access import cli_user, record_access

    record_access(db, "export", cli_user(), {"format": fmt, "since": since_at.isoformat() if since_at else None,
                                             "team": team_id}, count)
    which = " and ".join(filter(None, [f"of team {team_id}" if team_id else "",
                                        f"since {since_at:%Y-%m-%d %H:%M} UTC" if since_at else ""]))
    click.echo(f"canishare: exported {count} record{'s' if count != 1 else ''}{' ' + which if which else ''} "
               f"from {describe()}", err=True)


@main.command()
@click.option("--log", "show_log", is_flag=True, help="Also list every logged access: exports, digest posts, purges.")
def verify(show_log: bool) -> None:
    """Check the records' hash chain; names the first broken record."""
    from storage.access import accesses
    from storage.records import verify_chain

    db = _database()
    with db.read_only() as s:
        report = verify_chain(s)
        logged = [a.line() for a in accesses(s)] if show_log else []
    if report.ok and report.entries == 0:
        click.echo("no decision records yet: nothing to verify (the chain is empty)")
        sys.exit(0)
    click.echo(str(report))
    if report.ok:
        click.echo("  (each record has one entry per change: its outcome, then any record details, escalation "
                   "steps or purge, plus one per export, digest post or purge (see --log); every entry's hash was recomputed and every record matches its latest entry)")
    if show_log:
        _show_access_log(logged)
    sys.exit(0 if report.ok else 1)


def _show_access_log(lines: list[str]) -> None:
    click.echo("Access log (entries of the chain, verified with it):" if lines
               else "Access log: no exports, digest posts or purges yet")
    for line in lines:
        click.echo(f"  {line}")


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


@main.group()
def policy() -> None:
    """Check or draw a policy pack."""


@policy.command("check")
@click.argument("pack", required=False)
@click.option("--all", "check_all", is_flag=True, help="Check every shipped pack.")
@click.option("--scenarios", "scenarios_from", type=click.Path(exists=True), default=None,
              help="A scenario file, or a folder of <pack id>.yaml scenario files "
                   "(default: policy/scenarios/, or ../scenarios/ beside a pack given as a file).")
def policy_check(pack: str | None, check_all: bool, scenarios_from: str | None) -> None:
    """Validate a pack and run its scenarios (default: the configured one, else hmg-2024).

    Exits 1 if the pack is not valid or any scenario's expected outcome disagrees with it;
    paths no scenario exercises are listed but do not fail the check.
    """
    from policy.pack import available_packs
    from policy.scenarios import ScenarioError, coverage, default_scenario_source

    if check_all and pack:
        _fail("give a pack or --all, not both")
    if check_all and scenarios_from and not os.path.isdir(scenarios_from):
        _fail("with --all, --scenarios must be a folder of <pack id>.yaml files")
    failed = False
    for name in available_packs() if check_all else [pack or _configured_pack()]:
        try:
            loaded = load_pack(name)
        except PackError as err:
            click.echo(f"canishare: {err}", err=True)
            failed = True
            continue
        paths = loaded.paths()
        click.echo(f"{loaded.ref}: valid — {len(loaded.nodes)} questions, {len(loaded.outcomes)} outcomes, {len(paths)} paths")
        click.echo(f"{loaded.ref}: escalates (declared by the pack) — "
                   + ", ".join(f"{o.id}: {o.escalate}" for o in loaded.outcomes.values()))
        try:
            report = coverage(loaded, scenarios_from or default_scenario_source(name))
        except ScenarioError as err:
            click.echo(f"canishare: {err}", err=True)
            failed = True
            continue
        for line in report.lines():
            click.echo(line)
        failed = failed or not report.ok
    from policy.procedures import ProcedureError, timescale_report

    try:  # the procedures' timescales: every one dated and cited, local ones marked
        for line in timescale_report():
            click.echo(line)
    except ProcedureError as err:
        click.echo(f"canishare: {err}", err=True)
        failed = True
    sys.exit(1 if failed else 0)


@policy.command("graph")
@click.argument("pack", required=False)
@click.option("--format", "fmt", type=click.Choice(["mermaid", "png"]), default="mermaid", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of stdout.")
@click.option("--procedure", "procedure_key", default=None, help="Draw procedure N (1-5) instead of a pack.")
def policy_graph(pack: str | None, fmt: str, output: str | None, procedure_key: str | None) -> None:
    """Draw the pack's (or a procedure's) flowchart: Mermaid text, or a PNG image (drawn offline)."""
    if procedure_key is not None:
        from policy import procedures
        from policy.render import render_procedure_png

        try:
            proc = procedures.procedure(procedure_key)
        except KeyError:
            _fail(f"no procedure {procedure_key!r}; there are procedures 1 to 5")
        name = f"procedure {proc.number}"
        data = procedures.to_mermaid(proc).encode() if fmt == "mermaid" else render_procedure_png(proc)
    else:
        try:
            loaded = load_pack(pack or _configured_pack())
        except PackError as err:
            _fail(str(err))
        from policy.render import render

        name = loaded.ref
        data = render(loaded, fmt)
    if fmt == "mermaid" and output is None:
        click.echo(data.decode(), nl=False)
        return
    if output is not None:
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        with open(output, "wb") as handle:
            handle.write(data)
        click.echo(f"{name}: wrote {output}", err=True)
        return
    if sys.stdout.isatty():
        _fail("a PNG is binary: use --output FILE, or redirect stdout to a file")
    stream = click.get_binary_stream("stdout")
    stream.write(data)
    stream.flush()


def _configured_pack() -> str:
    from .config import DEFAULT_POLICY, ConfigError, config_path

    path = config_path()
    if path is None or not path.exists():
        return DEFAULT_POLICY
    import yaml

    try:
        return str((yaml.safe_load(path.read_text()) or {}).get("policy") or DEFAULT_POLICY)
    except (yaml.YAMLError, ConfigError, AttributeError):
        return DEFAULT_POLICY


@main.command()
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@click.option("--post", is_flag=True, help="Also post it to the configured digest channel (needs SLACK_BOT_TOKEN).")
@click.option("--last-slot", is_flag=True, help="Cover the 7 days ending at the most recent scheduled slot, not now.")
def digest(fmt: str, post: bool, last_slot: bool) -> None:
    """The last 7 days' digest: counts only, never names or case details."""
    from datetime import timedelta, timezone

    from .config import DigestSettings, config_path
    from .digest_blocks import digest_text, post_digest
    from storage.digest import compute_digest, scheduled_digest_end

    from .digest import digest_labels

    path = config_path()
    settings = _settings() if (post or path is not None) else None
    schedule = settings.digest if settings is not None else DigestSettings()
    labels = digest_labels(settings) if settings is not None else None
    token = os.environ.get("SLACK_BOT_TOKEN")
    if post and not token:
        _fail("--post needs SLACK_BOT_TOKEN")
    if post and not schedule.channel:
        _fail("--post needs digest.channel in the configuration")
    now = datetime.now(timezone.utc)
    # Up to the next whole second, so a record written a moment ago is in.
    end = scheduled_digest_end(now, schedule) if last_slot else (now + timedelta(seconds=1)).replace(microsecond=0)
    db = _database()
    with db.read_only() as s:
        d = compute_digest(s, end, schedule.zone)
    click.echo(json.dumps(d, indent=2) if fmt == "json" else digest_text(d, labels), nl=fmt == "json")
    if post:
        from slack_sdk.errors import SlackApiError, SlackClientError

        from .slack_messenger import make_client

        api_url = os.environ.get("SLACK_API_URL") or None
        if api_url and not api_url.endswith("/"):
            api_url += "/"
        try:
            ts = post_digest(make_client(token, api_url), schedule.channel, d, labels)
        except SlackApiError as err:
            _fail(f"Slack refused the digest: {err.response.get('error')}")
        except (SlackClientError, OSError) as err:
            _fail(f"could not reach Slack ({type(err).__name__})")
        from storage.access import cli_user, record_access

        record_access(db, "digest", cli_user(), {"channel": schedule.channel, "period_start": d["period_start"]},
                      d["total"])
        click.echo(f"canishare: digest posted to {schedule.channel} (ts {ts})", err=True)


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
def purge(dry_run: bool, yes: bool) -> None:
    """Delete what the retention rules say is due now (asks first unless --yes)."""
    from storage.models import utcnow
    from storage.retention import purge as purge_due
    from storage.retention import purge_in_batches

    db = _database()
    settings = _settings()  # retention_days: never a default when the configuration is missing
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


if __name__ == "__main__":  # pragma: no cover
    main()
