"""Engine, sessions and migrations. One session per unit of work, never shared across threads."""
from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_URL = "sqlite:///canishare.db"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


# --- what the database is, and what went wrong with it, in words an admin can act on -----------

SUPPORTED = "sqlite:///path/to/file.db, or postgresql://user@host:port/dbname (postgres:// and postgresql+psycopg:// also work)"


class DatabaseProblem(Exception):
    """The database cannot be used; the message is one line naming the problem and the fix."""


def check_url(url: str) -> None:
    """Refuse, before any driver is imported, a URL whose scheme this project does not support."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in ("sqlite", "postgres", "postgresql", "postgresql+psycopg"):
        try:
            make_url(url)
        except ArgumentError:
            raise DatabaseProblem(f"DATABASE_URL {describe(url)!r} is not a database URL; use {SUPPORTED}") from None
        return
    shown = f"the scheme {scheme + '://'!r}" if scheme else f"{describe(url)!r}"
    raise DatabaseProblem(f"DATABASE_URL uses {shown}, which canishare does not support; use {SUPPORTED}")


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (absolute), or None for an in-memory or non-SQLite URL."""
    if not url.lower().startswith("sqlite"):
        return None
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().resolve()


def describe(url: str | None = None) -> str:
    """The database in words, the password hidden: 'SQLite file /srv/canishare.db' or the URL."""
    url = url or database_url()
    try:
        path = sqlite_file(url)
        if path is not None:
            return f"SQLite file {path}"
        if url.lower().startswith("sqlite"):
            return "an in-memory SQLite database"
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)


def explain(err: BaseException, url: str | None = None) -> str:
    """One line for a database error: what is wrong (host, port, database, folder, login) and the fix."""
    url = url or database_url()
    if isinstance(err, DatabaseProblem):
        return str(err)
    where = describe(url)
    message = str(getattr(err, "orig", None) or err)
    low = message.lower()
    try:
        parsed = make_url(url)
        host, port, name = parsed.host or "localhost", parsed.port or 5432, parsed.database
    except (ArgumentError, ValueError):
        host, port, name = "?", "?", None
    path = sqlite_file(url) if url.lower().startswith("sqlite") else None
    if path is not None:
        if not path.parent.exists():
            return f"the folder {path.parent} does not exist (DATABASE_URL {url}); create it or correct DATABASE_URL"
        if "not a database" in low or "malformed" in low:
            return f"{path} is not a SQLite database; check DATABASE_URL"
        if "readonly" in low or "permission" in low or "unable to open" in low:
            return f"cannot open {path} (permissions?); check the file and its folder can be written by this user"
        if "locked" in low:
            return f"{path} is locked by another process; try again, or use PostgreSQL for several processes"
    if "could not translate host name" in low or "name or service not known" in low or "nodename nor servname" in low \
            or "temporary failure in name resolution" in low:
        return f"cannot find the database host {host!r} ({where}); check the host name in DATABASE_URL"
    if "connection refused" in low:
        return f"nothing is listening at {host} port {port} ({where}); check the port in DATABASE_URL and that PostgreSQL is running"
    if "timeout" in low or "timed out" in low:
        return f"the database at {host} port {port} did not answer in time ({where}); check the host, port and firewall"
    if "does not exist" in low and "database" in low:
        return (f"the database {name!r} does not exist on {host} ({where}); create it (createdb {name}) "
                f"or correct the name in DATABASE_URL")
    if "password authentication failed" in low or "no password supplied" in low or "role" in low and "does not exist" in low:
        return f"the database refused the login ({where}); check the user name and password in DATABASE_URL"
    if isinstance(err, ModuleNotFoundError):
        return f"DATABASE_URL needs a driver that is not installed ({err.name}); use {SUPPORTED}"
    return f"cannot use the database {where} ({type(err).__name__}: {message.splitlines()[0] if message else 'no detail'}); check DATABASE_URL"


def state(engine: Engine) -> str:
    """'ready' when the database holds canishare's tables, 'empty' when it holds none of them."""
    names = set(inspect(engine).get_table_names())
    return "ready" if {"alembic_version", "records"} & names else "empty"


def open_existing(url: str | None = None, migrate: bool = True) -> "Database":
    """The database named by `url` (default DATABASE_URL), brought to the newest schema, only if it
    already exists and holds canishare's tables: a reading command must never create one.
    Raises DatabaseProblem, with one line naming the database and the fix."""
    url = url or database_url()
    check_url(url)
    where = describe(url)
    path = sqlite_file(url)
    if url.lower().startswith("sqlite") and path is None:
        raise DatabaseProblem(f"{where} is always empty; set DATABASE_URL to the bot's database")
    if path is not None and not path.exists():
        if os.environ.get("DATABASE_URL"):
            raise DatabaseProblem(f"no database at {path} (DATABASE_URL is {url}); check DATABASE_URL names the bot's database")
        raise DatabaseProblem(f"no database at {path} (DATABASE_URL is not set, so canishare looked in this folder); "
                              f"run this where the bot runs (or use scripts/canishare), or set DATABASE_URL to the bot's database")
    try:
        db = Database(url)
        if state(db.engine) == "empty":
            db.engine.dispose()
            raise DatabaseProblem(f"{where} holds no canishare data (no tables); check DATABASE_URL names the bot's "
                                  f"database (a new one gets its tables from canishare db upgrade or canishare serve)")
        if migrate:
            db.migrate()
        return db
    except (SQLAlchemyError, ModuleNotFoundError) as err:
        raise DatabaseProblem(explain(err, url)) from None


def open_or_create(url: str | None = None) -> "Database":
    """The database, created and brought to the newest schema if need be (serve, db upgrade)."""
    url = url or database_url()
    check_url(url)
    path = sqlite_file(url)
    if path is not None and not path.parent.exists():
        raise DatabaseProblem(f"the folder {path.parent} does not exist (DATABASE_URL {url}); create it or correct DATABASE_URL")
    try:
        db = Database(url)
        db.migrate()
        return db
    except (SQLAlchemyError, ModuleNotFoundError) as err:
        raise DatabaseProblem(explain(err, url)) from None


TURN_WAIT = 30.0  # seconds: SQLite's busy timeout, and the longest a thread waits its turn (Database._turn)


def make_engine(url: str | None = None, pool_size: int | None = None) -> Engine:
    """`pool_size`: connections a process may hold at once (PostgreSQL), at least the number of
    threads that use the database at the same time; None: 10, plus 20 on demand."""
    # hide_parameters: an error must never write a practitioner's text into a log.
    url = url or database_url()
    if url.startswith("postgres://"):  # the form many hosts hand out; SQLAlchemy wants postgresql://
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": TURN_WAIT}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            # Let SQLAlchemy's begin event below open transactions, as IMMEDIATE ones.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            # Switching a new file to WAL needs it to itself, and SQLite answers "locked" at
            # once (no busy wait) when another process opens the same new file in that instant
            # (a tenant's file made by two processes at once): wait for it as for any lock.
            for wait in (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 0):
                try:
                    cur.execute("PRAGMA journal_mode=WAL")
                    break
                except sqlite3.OperationalError as err:
                    if "locked" not in str(err) or not wait:
                        raise
                    time.sleep(wait)
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _write_lock_up_front(conn):  # pragma: no cover - trivial
            # A deferred transaction that reads and then writes fails at once under WAL when
            # another writer got in between; taking the write lock at BEGIN makes it wait.
            # Database.glance() reads only, so it takes no lock (and never waits for one).
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("canishare_glance") else "BEGIN IMMEDIATE")

        return engine
    # pool_pre_ping costs a round trip per checkout (a fraction of a millisecond on a local
    # network) and is kept: after a database restart or failover no practitioner's click is the
    # one that finds a dead connection. pool_recycle replaces a connection after 5 minutes,
    # before a firewall or proxy drops it for being idle; connect_timeout makes an unreachable
    # server an error in seconds rather than a hang.
    sizes = dict(pool_size=10, max_overflow=20) if pool_size is None else dict(pool_size=pool_size, max_overflow=4)
    return create_engine(url, pool_pre_ping=True, pool_recycle=300, hide_parameters=True,
                         connect_args={"connect_timeout": 10}, **sizes)


# --- a tenant's schema on PostgreSQL (storage.tenancy) -----------------------------------------

SCHEMA_OPTION = "canishare_schema"
_SCHEMA_NAME = re.compile(r"^t_[a-z0-9]{5,20}$")


def schema_engine(engine: Engine, schema: str) -> Engine:
    """`engine`'s pool, with every transaction confined to `schema`: each one starts with
    SET LOCAL search_path (the engine's begin event, so sessions, glance(), engine.connect(),
    the inspector and Alembic all get it), and `public` is not on the path, so unqualified SQL,
    the ORM's and the raw SQL of storage/digest.py alike, reaches only that schema's tables.
    SET LOCAL ends with the transaction: a pooled connection never carries one tenant's path
    into another's use of it."""
    if not _SCHEMA_NAME.match(schema):  # the name is spliced into SQL: only our own shape passes
        raise ValueError(f"not a tenant schema name: {schema!r}")
    scoped = engine.execution_options(**{SCHEMA_OPTION: schema})

    @event.listens_for(scoped, "begin")
    def _confine_to_schema(conn):
        # Under autocommit SET LOCAL is a no-op (a warning), and the SQL would reach public's tables.
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT" \
                or getattr(conn.connection.dbapi_connection, "autocommit", False):
            raise RuntimeError("a tenant's connection must run in transactions (not AUTOCOMMIT)")
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')

    return scoped


def engine_schema(engine: Engine) -> str | None:
    """The tenant schema an engine is confined to (schema_engine), or None."""
    return engine.get_execution_options().get(SCHEMA_OPTION)


def schema_exists(engine: Engine, schema: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first() is not None


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


_MIGRATING = threading.Lock()  # Alembic keeps its context in module globals: one migration per process at a time


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration; safe when several processes start at once,
    and when several threads of one (tenants installing at the same moment) do."""
    with _MIGRATING:
        _migrate(engine)


def _migrate(engine: Engine) -> None:
    cfg = alembic_config(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            # One lock for every schema of the deployment: a tenant's schema is created and
            # migrated by one process at a time, however many install or start at once.
            conn.execute(text("SELECT pg_advisory_lock(724311)"))
            try:
                schema = engine_schema(engine)
                if schema is not None:
                    conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
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


def sqlite_turns(engine: Engine) -> threading.RLock | None:
    """The lock this process's threads take turns by at an SQLite file (Database._turn): one
    per engine, however many Database objects share it. None on PostgreSQL (row locks)."""
    if engine.dialect.name != "sqlite":
        return None
    with _TURNS_MADE:
        lock = engine.__dict__.get("_canishare_turns")
        if lock is None:
            lock = engine.__dict__["_canishare_turns"] = threading.RLock()
        return lock


_TURNS_MADE = threading.Lock()


@contextmanager
def _turn_at(lock: threading.RLock) -> Iterator[None]:
    had = lock.acquire(timeout=TURN_WAIT)
    try:
        yield
    finally:
        if had:
            lock.release()


class Database:
    """The engine and its session factory, made once per process."""

    def __init__(self, url: str | None = None, engine: Engine | None = None, pool_size: int | None = None):
        self.engine = engine or make_engine(url, pool_size)
        self.tenant: str | None = None  # the tenant whose data this is (storage.tenancy); None: the deployment's own
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sqlite_turns(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error: for every write."""
        with self._turn(), self.sessions() as session:
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
        with self._turn(), self.sessions() as session:
            yield session

    def _turn(self) -> AbstractContextManager[Any]:
        """On SQLite, this process's threads take turns at the file's write lock here, in
        Python: every transaction begins IMMEDIATE (it holds the write lock), and a thread
        that found it held would be put to sleep by SQLite's busy handler for 1 ms, then 2,
        then 5, however soon the lock was free; a practitioner's click that met the delivery
        thread's "sent" marks waited milliseconds for a lock held for a fraction of one. Here
        the next thread runs the moment the lock is let go. Another process (a second worker,
        the CLI) still meets SQLite's own wait. Re-entrant: a thread that opens a second
        transaction inside its first meets SQLite's lock as before, never a hang of its own;
        and a turn not had within SQLite's own timeout goes ahead to meet SQLite's lock (two
        threads each in one file's transaction and waiting for the other's file can never
        wait for ever here, only as long as SQLite would have)."""
        return _turn_at(self._writer) if self._writer is not None else nullcontext()

    @contextmanager
    def glance(self) -> Iterator[Session]:
        """A read-only session that never waits for a write lock, even on SQLite: for a quick
        look (the newest configuration version) that may happen while the same thread holds a
        write transaction in another session."""
        with self.engine.connect() as conn:
            conn.execution_options(canishare_glance=True)
            with Session(bind=conn, expire_on_commit=False) as session:
                yield session

    def migrate(self) -> None:
        migrate(self.engine)
