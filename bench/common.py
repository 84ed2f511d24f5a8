"""Shared pieces: the configuration the bot runs with, fresh databases, server processes,
signed Slack requests, and percentiles."""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
SIGNING_SECRET = "bench-signing-secret-0123456789"
BOT_TOKEN = "xoxb-bench-token"
PSEUDONYM_KEY = "bench-pseudonym-key-not-a-secret"
PG_BASE = os.environ.get("BENCH_PG_URL") or "postgresql://postgres@127.0.0.1:5432/test"

CONFIG = {
    "organisation": "Benchshire Children's Services",
    "policy": "hmg-2008",
    "teams": [
        {"id": "early-help", "name": "Early Help", "leads": ["U0LEAD1"], "deputies": ["U0DEP1"],
         "escalation_channel": "C0ESC1", "members": []},
    ],
    "default_team": "early-help",  # every simulated practitioner lands here
    "admins": ["U0ADMIN1"],
    "escalation": {"remind_after_minutes": 60},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exe(name: str) -> str:
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


# --- databases ------------------------------------------------------------------------------

@dataclass
class FreshDb:
    url: str
    kind: str  # "sqlite" | "postgresql"
    _drop: object = None

    def drop(self) -> None:
        if callable(self._drop):
            self._drop()


def fresh_sqlite(workdir: Path, name: str | None = None) -> FreshDb:
    path = workdir / (name or f"bench-{uuid.uuid4().hex[:8]}.db")
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)

    def drop() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)

    return FreshDb(f"sqlite:///{path}", "sqlite", drop)


def fresh_pg(base: str = PG_BASE) -> FreshDb:
    url = make_url(base.replace("postgres://", "postgresql://", 1))
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"canishare_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return FreshDb(url.set(database=name).render_as_string(hide_password=False), "postgresql", drop)


def pg_available(base: str = PG_BASE) -> bool:
    try:
        url = make_url(base.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql+psycopg")
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


# --- server processes -----------------------------------------------------------------------

def server_env(workdir: Path, slack_url: str, db_url: str) -> dict[str, str]:
    workdir.mkdir(parents=True, exist_ok=True)
    cfg = workdir / "canishare.yml"
    cfg.write_text(yaml.safe_dump(CONFIG))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CANISHARE_", "BENCH_"))}
    env.update({
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack_url,
        "CANISHARE_PSEUDONYM_KEY": PSEUDONYM_KEY, "CANISHARE_CONFIG": str(cfg), "DATABASE_URL": db_url,
        "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT),
    })
    return env


@dataclass
class Proc:
    argv: list[str]
    env: dict[str, str]
    workdir: Path
    port: int
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    log_name: str = "server.log"
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Proc:
        with open(self.workdir / self.log_name, "ab") as log:  # the child keeps its own copy of the descriptor
            self.started_at = time.perf_counter()
            self.proc = subprocess.Popen(self.argv, env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        # Only our own process group (start_new_session): gunicorn's master and its workers.
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def log(self) -> str:
        path = self.workdir / self.log_name
        return path.read_text(errors="replace") if path.exists() else ""


def bot_server(workdir: Path, slack_url: str, db_url: str, workers: int = 1, threads: int = 8,
               variant: str | None = None) -> Proc:
    """`canishare serve` itself, or (with a variant) the same CLI with bench/variant_serve.py's tweaks."""
    port = free_port()
    env = server_env(workdir, slack_url, db_url)
    args = ["serve", "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    if variant:
        env["BENCH_VARIANT"] = variant
        argv = [sys.executable, "-m", "bench.variant_serve", *args]
    else:
        argv = [exe("canishare"), *args]
    return Proc(argv, env, workdir, port)


def floor_server(workdir: Path, slack_url: str, workers: int = 1, threads: int = 8, before_response: bool = False) -> Proc:
    port = free_port()
    env = server_env(workdir, slack_url, "sqlite:///unused.db")
    argv = [sys.executable, "-m", "bench.floor_app", "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    if before_response:
        argv.append("--process-before-response")
    return Proc(argv, env, workdir, port, log_name="floor.log")


# --- signed Slack requests ------------------------------------------------------------------

def signed_headers(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}


def command_body(user: str, workspace: str, in_dm: bool = True) -> bytes:
    """/canishare typed in the bot's DM, or (in_dm=False) in a channel."""
    channel, name = ("D" + user[1:], "directmessage") if in_dm else ("C0BENCH", "general")
    return urlencode({
        "token": "legacy", "team_id": workspace, "team_domain": "bench", "channel_id": channel,
        "channel_name": name, "user_id": user, "user_name": "someone", "command": "/canishare", "text": "",
        "api_app_id": "A0APP", "response_url": "http://127.0.0.1:9/hooks", "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
    }).encode()


def click_body(user: str, workspace: str, message: dict, action_id: str, value: str) -> bytes:
    """A block_actions payload for a button on `message`, as Slack sends it (message included)."""
    channel = message["channel"]
    payload = {
        "type": "block_actions", "user": {"id": user, "username": "someone", "team_id": workspace},
        "api_app_id": "A0APP", "token": "legacy", "team": {"id": workspace, "domain": "bench"},
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
        "trigger_id": f"trig-{uuid.uuid4().hex[:8]}", "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "ts": message["ts"], "text": message.get("text", ""), "blocks": message.get("blocks")},
        "response_url": "http://127.0.0.1:9/hooks",
        "actions": [{"action_id": action_id, "block_id": "answer", "type": "button", "value": value,
                     "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


# --- numbers --------------------------------------------------------------------------------

def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.1f}"
