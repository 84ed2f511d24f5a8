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


def _database():
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import Database

    try:
        db = Database()
        db.migrate()
        return db
    except SQLAlchemyError as err:
        _fail(f"cannot reach the database ({type(err).__name__}); check DATABASE_URL")


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="More log output (never message text).")
def main(verbose: bool) -> None:
    """canishare: can I share this information about a child?"""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--port", type=int, default=None, help="Port for HTTP mode (default: $PORT, else 3000).")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes (use PostgreSQL for more than one).")
@click.option("--threads", type=int, default=8, show_default=True, help="Threads per worker.")
def serve(port: int | None, workers: int, threads: int) -> None:
    """Run the Slack app (HTTP at /slack/events, or Socket Mode with SLACK_APP_TOKEN)."""
    from .config import ConfigError, load_secrets
    from .server import serve_http, serve_socket_mode
    from .startup import check_slack_ids

    logging.getLogger("canishare").setLevel(logging.INFO)
    settings = _settings()
    try:
        secrets = load_secrets()
    except ConfigError as err:
        _fail(str(err))
    db = _database()
    if workers > 1 and db.dialect == "sqlite":
        _fail("more than one worker needs PostgreSQL (set DATABASE_URL); SQLite is for a single process")
    problems = check_slack_ids(settings, secrets)
    if problems:
        _fail("cannot start:\n" + "\n".join(f"  - {p}" for p in problems))
    db.engine.dispose()  # each worker opens its own connections
    if secrets.app_token:
        click.echo("canishare: Socket Mode", err=True)
        serve_socket_mode(settings, secrets, None)
        return
    port = port or int(os.environ.get("PORT") or 3000)
    click.echo(f"canishare: listening on port {port} (POST /slack/events, GET /healthz)", err=True)
    serve_http(settings, secrets, None, port, workers, threads)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), default=None,
              help="Only records created on or after this date (UTC).")
@click.option("--team", default=None, help="Only this team's records (team id).")
def export(fmt: str, since: datetime | None, team: str | None) -> None:
    """Decision records to stdout, oldest first."""
    from storage.export import write_export

    db = _database()
    with db.sessions() as s:
        write_export(s, sys.stdout, fmt, since, team)


@main.command()
def verify() -> None:
    """Check the records' hash chain; names the first broken record."""
    from storage.records import verify_chain

    db = _database()
    with db.sessions() as s:
        report = verify_chain(s)
    click.echo(str(report))
    sys.exit(0 if report.ok else 1)


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

    path = config_path()
    schedule = _settings().digest if (post or path is not None) else DigestSettings()
    token = os.environ.get("SLACK_BOT_TOKEN")
    if post and not token:
        _fail("--post needs SLACK_BOT_TOKEN")
    if post and not schedule.channel:
        _fail("--post needs digest.channel in the configuration")
    now = datetime.now(timezone.utc)
    # Up to the next whole second, so a record written a moment ago is in.
    end = scheduled_digest_end(now, schedule) if last_slot else (now + timedelta(seconds=1)).replace(microsecond=0)
    db = _database()
    with db.sessions() as s:
        d = compute_digest(s, end, schedule.zone)
    click.echo(json.dumps(d, indent=2) if fmt == "json" else digest_text(d), nl=fmt == "json")
    if post:
        from slack_sdk.errors import SlackApiError, SlackClientError

        from .slack_messenger import make_client

        api_url = os.environ.get("SLACK_API_URL") or None
        if api_url and not api_url.endswith("/"):
            api_url += "/"
        try:
            ts = post_digest(make_client(token, api_url), schedule.channel, d)
        except SlackApiError as err:
            _fail(f"Slack refused the digest: {err.response.get('error')}")
        except (SlackClientError, OSError) as err:
            _fail(f"could not reach Slack ({type(err).__name__})")
        click.echo(f"canishare: digest posted to {schedule.channel} (ts {ts})", err=True)


@main.command()
def purge() -> None:
    """Delete what the retention rules say is due now; prints the counts."""
    from storage.models import utcnow
    from storage.retention import purge_in_batches

    settings = _settings()
    db = _database()
    counts = purge_in_batches(db, utcnow(), settings.retention_days)
    for key, value in counts.items():
        click.echo(f"{key}: {value}")


if __name__ == "__main__":  # pragma: no cover
    main()
