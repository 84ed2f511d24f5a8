"""The server under test (`canishare serve` from the measured checkout's .venv), its fresh
database (a SQLite file, or a PostgreSQL database chaos_<hex> created and dropped), its
configuration, and `canishare export`."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psycopg
import yaml

from .chaos_people import SIGNING_SECRET

PG_BASE = os.environ.get("CHAOS_PG_URL") or "postgresql://postgres@127.0.0.1:5432/test"
BOT_TOKEN = "xoxb-chaos-0000-not-a-token"
PSEUDONYM_KEY = "chaos-pseudonym-key-not-a-secret"

TEAM_A = {"id": "team-a", "name": "Team A (channel)", "leads": ["U0LEADA1"], "deputies": ["U0DEPA1"],
          "escalation_channel": "C0ESCA"}
TEAM_B = {"id": "team-b", "name": "Team B (lead DMs)", "leads": ["U0LEADB1", "U0LEADB2"], "deputies": ["U0DEPB1"]}
ADMINS = ["U0ADMIN1"]
CHANNELS = {"C0ESCA", "C0DIGEST"}


def config(members_a: list[str], members_b: list[str]) -> dict:
    return {
        "organisation": "Chaosshire Children's Services (invented)",
        "policy": "hmg-2008",
        "teams": [{**TEAM_A, "members": members_a}, {**TEAM_B, "members": members_b}],
        "default_team": "team-a",
        "admins": ADMINS,
        "digest": {"channel": "C0DIGEST", "day": "monday", "time": "09:00", "timezone": "Europe/London"},
        "escalation": {"remind_after_minutes": 60},
        "retention_days": 2190,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_conninfo(dbname: str | None = None) -> str:
    base = PG_BASE.replace("postgresql+psycopg://", "postgresql://").replace("postgres://", "postgresql://", 1)
    if dbname is None:
        return base
    head, _, _ = base.rpartition("/")
    return f"{head}/{dbname}"


def pg_available() -> bool:
    try:
        with psycopg.connect(_pg_conninfo(), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001
        return False


@dataclass
class Db:
    kind: str
    url: str
    name: str = ""
    path: Path | None = None

    @classmethod
    def fresh(cls, kind: str, workdir: Path) -> Db:
        if kind == "sqlite":
            path = workdir / "chaos.db"
            return cls("sqlite", f"sqlite:///{path}", path=path)
        name = f"chaos_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return cls("postgresql", _pg_conninfo(name), name=name)

    def drop(self) -> None:
        if self.kind == "postgresql":
            try:
                with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            except Exception:  # noqa: BLE001
                pass
        elif self.path:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)

    def terminate_backends(self) -> int:
        """pg_terminate_backend on every connection the server holds to this database."""
        with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
            rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                                (self.name,)).fetchall()
        return sum(1 for (ok,) in rows if ok)


class Server:
    def __init__(self, repo: Path, workdir: Path, slack_url: str, db: Db, cfg: dict, port: int | None = None):
        self.repo = repo
        self.workdir = workdir
        self.db = db
        self.port = port or free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        cfg_path = workdir / "canishare.yml"
        cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SLACK_", "CANISHARE_", "DATABASE_", "PYTHONPATH", "VIRTUAL_ENV"))}
        env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack_url,
                    "CANISHARE_PSEUDONYM_KEY": PSEUDONYM_KEY, "CANISHARE_CONFIG": str(cfg_path), "DATABASE_URL": db.url,
                    "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"})  # nothing written into --repo
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.log_path = workdir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def exe(self) -> str:
        return str(self.repo / ".venv" / "bin" / "canishare")

    async def start(self, timeout: float = 60.0) -> float:
        """Start `canishare serve`; seconds until /healthz answers 200 (raises if it never does)."""
        self.starts += 1
        t0 = time.monotonic()
        with open(self.log_path, "ab") as log:
            log.write(f"\n--- start {self.starts} ---\n".encode())
            self.proc = subprocess.Popen([self.exe, "serve", "--port", str(self.port), "--workers", "1"], env=self.env,
                                         cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while time.monotonic() - t0 < timeout:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log_tail()}")
                try:
                    async with session.get(self.url + "/healthz") as resp:
                        if resp.status == 200:
                            return time.monotonic() - t0
                except (aiohttp.ClientError, OSError, TimeoutError):
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"no /healthz within {timeout} s: {self.log_tail()}")

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # our own process group only (start_new_session)
            except ProcessLookupError:
                pass
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            self.kill9()

    def log_tail(self, n: int = 1500) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    async def export(self) -> list[dict]:
        proc = await asyncio.create_subprocess_exec(self.exe, "export", "--format", "jsonl", env=self.env, cwd=self.workdir,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"export failed ({proc.returncode}): {err.decode(errors='replace')[-500:]}")
        return [json.loads(line) for line in out.decode().splitlines() if line.strip()]
