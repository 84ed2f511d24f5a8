"""Shared fixtures: a fresh database (SQLite, or PostgreSQL when DATABASE_URL says so),
the fake Slack Web API, and the real server started as a subprocess."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.fakeslack import FakeSlack
from tests.slackreq import SIGNING_SECRET, SlackSender

PSEUDONYM_KEY = "test-pseudonym-key-not-a-secret"
BOT_TOKEN = "xoxb-test-token"

TEST_CONFIG = {
    "organisation": "Testshire Children's Services",
    "policy": "hmg-2008",
    "teams": [
        {"id": "early-help", "name": "Early Help", "leads": ["U0LEAD1"], "deputies": ["U0DEP1"],
         "escalation_channel": "C0ESC1", "members": ["U0PRACT1", "U0PRACT2", "U0MULTI"]},
        {"id": "school-nursing", "name": "School Nursing", "leads": ["U0LEAD2"], "deputies": ["U0DEP2"],
         "members": ["U0PRACT3", "U0MULTI"]},
    ],
    "default_team": "early-help",
    "admins": ["U0ADMIN1"],
    "digest": {"channel": "C0DIGEST", "day": "monday", "time": "09:00", "timezone": "Europe/London"},
    "escalation": {"remind_after_minutes": 60},
    "retention_days": 2190,
}


def base_database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    return url if url and url.startswith("postgres") else None


class FreshDatabase:
    """A database of our own for one fixture: a new PostgreSQL database, or an SQLite file."""

    def __init__(self, tmp: Path):
        base = base_database_url()
        self.admin = None
        if base:
            base_url = make_url(base.replace("postgres://", "postgresql://", 1))
            if base_url.drivername == "postgresql":
                base_url = base_url.set(drivername="postgresql+psycopg")
            self.name = f"canishare_t_{uuid.uuid4().hex[:12]}"
            self.admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
            self.url = base_url.set(database=self.name).render_as_string(hide_password=False)
        else:
            self.url = f"sqlite:///{tmp / f'canishare-{uuid.uuid4().hex[:8]}.db'}"

    def drop(self) -> None:
        if self.admin is not None:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[str]:
    db = FreshDatabase(tmp_path)
    yield db.url
    db.drop()


@pytest.fixture
def database(fresh_db: str):
    from storage.db import Database

    db = Database(fresh_db)
    db.migrate()
    yield db
    db.engine.dispose()


@pytest.fixture(scope="module")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()
    assert not fake.invalid, f"the bot sent Block Kit that Slack would refuse: {fake.invalid[:5]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def canishare_exe() -> str:
    exe = Path(sys.executable).parent / "canishare"
    return str(exe) if exe.exists() else "canishare"


@dataclass
class Server:
    url: str
    port: int
    env: dict[str, str]
    workdir: Path
    proc: subprocess.Popen
    fake: FakeSlack
    slack: SlackSender
    db_url: str

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([canishare_exe(), *args], env=self.env, cwd=self.workdir, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"canishare {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def stop(self, sig: str = "term") -> None:
        if sig == "kill":  # the whole process group, as a crash or an OOM kill takes master and workers
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log(self) -> str:
        path = self.workdir / "server.log"
        return path.read_text() if path.exists() else ""


def server_env(workdir: Path, fake: FakeSlack, db_url: str, config: dict | None = None) -> dict[str, str]:
    cfg = workdir / "canishare.yml"
    cfg.write_text(yaml.safe_dump(config or TEST_CONFIG))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CANISHARE_"))}
    env.update({
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
        "CANISHARE_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "CANISHARE_CONFIG": str(cfg),
        "DATABASE_URL": db_url,
        "PYTHONUNBUFFERED": "1",
    })
    return env


def start_server(workdir: Path, fake: FakeSlack, db_url: str, config: dict | None = None, extra_args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None, port: int | None = None) -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    env = env or server_env(workdir, fake, db_url, config)
    port = port or free_port()
    log = open(workdir / "server.log", "ab")
    proc = subprocess.Popen([canishare_exe(), "serve", "--port", str(port), *extra_args], env=env, cwd=workdir,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited ({proc.returncode}):\n{(workdir / 'server.log').read_text()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as resp:
                if resp.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError("server did not answer /healthz within 30 s")
    return Server(url, port, env, workdir, proc, fake, SlackSender(url), db_url)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, fake_slack: FakeSlack) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("server")
    db = FreshDatabase(tmp)
    srv = start_server(tmp, fake_slack, db.url)
    yield srv
    srv.stop()
    db.drop()
