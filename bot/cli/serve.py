"""`canishare serve`: the port, the metrics folder and the start-up checks before the app runs."""
from __future__ import annotations

import logging
import os

import click

from . import _database, _fail, main


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
    from ..config import ConfigError, config_path, load_secrets, load_settings
    from ..config_startup import NO_CONFIGURATION, effective_settings
    from ..config_store import ConfigStore, env_admins, with_bootstrap_admins

    _metrics_dir()
    from ..server import serve_http, serve_socket_mode
    from ..startup import check_slack_ids

    logging.getLogger("canishare").setLevel(logging.INFO)
    if port is not None:
        http_port = _port(port, "--port")
    elif os.environ.get("PORT"):
        http_port = _port(os.environ["PORT"], "PORT")
    else:
        http_port = 3000
    path = config_path()
    try:
        file_settings = load_settings(path) if path is not None else None  # a broken file is refused, as ever
        env_admins()
        secrets = load_secrets()
    except ConfigError as err:
        _fail(str(err))
    if not secrets.app_token:
        _check_port_free(http_port)
    db = _database(create=True)
    if workers > 1 and db.dialect == "sqlite":
        _fail("more than one worker needs PostgreSQL (set DATABASE_URL); SQLite is for a single process")
    if getattr(secrets, "multi_workspace", False):
        _serve_many(file_settings, secrets, db, http_port, workers, threads)
        return
    store = ConfigStore(db)
    stored = store.latest()  # the database's configuration wins; an empty store is seeded from the file
    if stored is None and file_settings is None:
        _fail(NO_CONFIGURATION)
    settings = with_bootstrap_admins(stored.settings if stored is not None else file_settings)
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
    effective_settings(store, file_settings, path)  # checked: now seed, add CANISHARE_ADMINS, report the file
    db.engine.dispose()  # each worker opens its own connections
    if secrets.app_token:
        click.echo("canishare: Socket Mode", err=True)
        serve_socket_mode(settings, secrets, None)
        return
    click.echo(f"canishare: listening on port {http_port} (POST /slack/events, GET /healthz, /readyz, /metrics)", err=True)
    serve_http(settings, secrets, None, http_port, workers, threads)


def _serve_many(file_settings, secrets, db, http_port: int, workers: int, threads: int) -> None:
    """Many workspaces (SLACK_CLIENT_ID): no configuration or Slack ids to check here. Each
    workspace gets its own configuration when it installs (its installer is its first admin),
    and the file, if any, only gives a new workspace's policy."""
    from ..server import serve_http

    if secrets.app_token:
        _fail("Socket Mode serves one workspace: for many workspaces (SLACK_CLIENT_ID) unset SLACK_APP_TOKEN "
              "and give Slack this server's HTTPS address (/slack/events, /slack/install, /slack/oauth_redirect)")
    db.engine.dispose()  # each worker opens its own connections
    click.echo(f"canishare: many workspaces; listening on port {http_port} (POST /slack/events, GET /slack/install, "
               f"/healthz, /readyz, /metrics)", err=True)
    serve_http(file_settings, secrets, None, http_port, workers, threads)
