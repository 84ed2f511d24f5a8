"""Engine, sessions and migrations. One session per unit of work, never shared across threads."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_URL = "sqlite:///canishare.db"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def make_engine(url: str | None = None) -> Engine:
    # hide_parameters: an error must never write a practitioner's text into a log.
    url = url or database_url()
    if url.startswith("postgres://"):  # the form many hosts hand out; SQLAlchemy wants postgresql://
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            # Let SQLAlchemy's begin event below open transactions, as IMMEDIATE ones.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _write_lock_up_front(conn):  # pragma: no cover - trivial
            # A deferred transaction that reads and then writes fails at once under WAL when
            # another writer got in between; taking the write lock at BEGIN makes it wait.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration; safe when several processes start at once."""
    cfg = alembic_config(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(724311)"))
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(724311)"))
                conn.commit()
    else:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


class Database:
    """The engine and its session factory, made once per process."""

    def __init__(self, url: str | None = None, engine: Engine | None = None):
        self.engine = engine or make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error: for every write."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read_only(self) -> Iterator[Session]:
        """A session that never commits: for reads. Closing it rolls back whatever was changed
        in it, and leaves what was read loaded (detached), for use after the block."""
        with self.sessions() as session:
            yield session

    def migrate(self) -> None:
        migrate(self.engine)
