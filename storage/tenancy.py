"""Many organisations on one deployment: which tenant a request belongs to, and where its data is.

A tenant is an Enterprise Grid org (E…) for an org-wide install, else a workspace (T…). Its
data lives apart *structurally*, so no query in storage/ needs a tenant condition:
- PostgreSQL: one schema per tenant, ``t_<id lowercased>``, on the control database's engine
  and pool; every transaction of the tenant's Database sets its search_path to that schema
  alone (storage.db.schema_engine), so unqualified SQL cannot reach another tenant's tables,
  nor the control plane's in ``public``.
- SQLite: one file per tenant next to the control file (``canishare.db`` ->
  ``canishare.t_<id>.db``), with its own engine.
The control database (DATABASE_URL itself) keeps the registry of tenants (table ``tenants``),
the installations and the scheduler's lease. A single-workspace deployment has no tenants and
uses the control database as it always has.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url

from .db import Database, DatabaseProblem, make_engine, schema_engine, schema_exists, sqlite_file
from .models import TenantRow, utcnow

TENANT_ID = re.compile(r"^[A-Z0-9]{5,20}$")
KINDS = ("workspace", "enterprise")


class TenantNotFound(LookupError):
    """No tenant of that id was ever installed on this deployment."""


def check_tenant_id(tenant_id: str) -> str:
    """The id, if it has the shape of a Slack team or enterprise id; it names a schema and a file."""
    if not isinstance(tenant_id, str) or not TENANT_ID.match(tenant_id):
        raise ValueError(f"not a Slack workspace or organisation id: {tenant_id!r}")
    return tenant_id


def tenant_key(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool) -> str:
    """The tenant of an installation or a request: the org for an org-wide install, else the workspace."""
    if is_enterprise_install:
        if not enterprise_id:
            raise ValueError("an org-wide install without an enterprise id")
        return check_tenant_id(enterprise_id)
    if not team_id:
        raise ValueError("a workspace install without a team id")
    return check_tenant_id(team_id)


def tenant_pseudonym_key(master: str, tenant_id: str) -> str:
    """The tenant's own pseudonym key, derived from the deployment's master key: the same person
    gets unrelated pseudonyms in two tenants, and one tenant's key reveals nothing of another's."""
    return hmac.new(master.encode("utf-8"), f"canishare tenant {tenant_id}".encode("utf-8"), hashlib.sha256).hexdigest()


def schema_name(tenant_id: str) -> str:
    return "t_" + check_tenant_id(tenant_id).lower()


def sqlite_tenant_file(control_file: Path, tenant_id: str) -> Path:
    """canishare.db -> canishare.t_t0aaa1.db, in the control file's folder."""
    return control_file.with_name(f"{control_file.stem}.{schema_name(tenant_id)}{control_file.suffix or '.db'}")


@dataclass(frozen=True)
class TenantInfo:
    id: str
    kind: str
    name: str
    installed_at: datetime
    removed_at: datetime | None
    installer: str | None

    @property
    def active(self) -> bool:
        return self.removed_at is None


def _info(row: TenantRow) -> TenantInfo:
    return TenantInfo(row.id, row.kind, row.name, row.installed_at, row.removed_at, row.installer_user)


class Tenants:
    """The control plane's registry of tenants and their databases (one per process)."""

    def __init__(self, control: Database):
        self.control = control
        self._databases: dict[str, Database] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        if control.dialect == "sqlite":
            path = sqlite_file(control.engine.url.render_as_string(hide_password=False))
            if path is None:
                raise DatabaseProblem("a deployment for many workspaces needs a database file or PostgreSQL, "
                                      "not an in-memory SQLite database")
            self._control_file = path

    # --- the registry ----------------------------------------------------------------------------

    def ensure(self, tenant_id: str, *, kind: str, name: str, installer: str | None) -> Database:
        """The tenant's Database, its schema or file created and migrated, its row (re)activated.
        Idempotent, and safe when several threads or processes install the same tenant at once."""
        check_tenant_id(tenant_id)
        if kind not in KINDS:
            raise ValueError(f"a tenant's kind is one of {', '.join(KINDS)}, not {kind!r}")
        db = self._open(tenant_id, create=True)  # the data's home first: a row never points at nothing
        # One statement, insert or reactivate: two installs of the same tenant at once never collide.
        insert = pg_insert if self.control.dialect == "postgresql" else sqlite_insert
        stmt = insert(TenantRow).values(id=tenant_id, kind=kind, name=(name or tenant_id)[:200], installed_at=utcnow(),
                                        removed_at=None, installer_user=installer)
        again = {"kind": stmt.excluded.kind, "removed_at": None}
        if name:
            again["name"] = stmt.excluded.name
        if installer:
            again["installer_user"] = stmt.excluded.installer_user
        with self.control.transaction() as s:
            s.execute(stmt.on_conflict_do_update(index_elements=[TenantRow.id], set_=again))
        return db

    def _row(self, tenant_id: str) -> TenantRow | None:
        with self.control.glance() as s:
            return s.get(TenantRow, tenant_id)

    def database(self, tenant_id: str) -> Database:
        """The tenant's Database (also after an uninstall: its data is kept), made once per process.
        TenantNotFound for an id never installed here."""
        db = self._databases.get(tenant_id)
        if db is not None:
            return db
        if not isinstance(tenant_id, str) or not TENANT_ID.match(tenant_id) or self._row(tenant_id) is None:
            raise TenantNotFound(tenant_id)
        return self._open(tenant_id, create=False)

    def active(self) -> list[str]:
        """Installed and not removed, sorted."""
        with self.control.glance() as s:
            return list(s.execute(select(TenantRow.id).where(TenantRow.removed_at.is_(None)).order_by(TenantRow.id)).scalars())

    def all(self) -> list[TenantInfo]:
        with self.control.glance() as s:
            return [_info(row) for row in s.execute(select(TenantRow).order_by(TenantRow.id)).scalars()]

    def remove(self, tenant_id: str) -> None:
        """Uninstalled: no more work for it; its data is kept (retention, the data processing
        agreement) and a reinstall finds it. An unknown id is nothing to do."""
        with self.control.transaction() as s:
            s.execute(update(TenantRow).where(TenantRow.id == tenant_id, TenantRow.removed_at.is_(None))
                      .values(removed_at=utcnow()))

    def is_active(self, tenant_id: str) -> bool:
        row = self._row(tenant_id) if isinstance(tenant_id, str) else None
        return row is not None and row.removed_at is None

    def revisions(self, tenant_id: str) -> list[str] | None:
        """The migrations the tenant's data is at, without migrating it; None when it is missing."""
        from alembic.migration import MigrationContext

        try:
            db = self._databases.get(tenant_id) or self._make(check_tenant_id(tenant_id), create=False)
        except DatabaseProblem:
            return None
        try:
            with db.engine.connect() as conn:
                return sorted(MigrationContext.configure(conn).get_current_heads())
        finally:
            if tenant_id not in self._databases and db.dialect == "sqlite":
                db.engine.dispose()

    def close(self) -> None:
        """Close the tenants' own engines (SQLite); on PostgreSQL they share the control pool."""
        with self._guard:
            for db in self._databases.values():
                if db.engine is not self.control.engine and db.dialect == "sqlite":
                    db.engine.dispose()
            self._databases.clear()

    # --- where a tenant's data lives ---------------------------------------------------------------

    def _lock(self, tenant_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(tenant_id, threading.Lock())

    def _open(self, tenant_id: str, *, create: bool) -> Database:
        with self._lock(tenant_id):  # one engine and one migration per tenant per process
            db = self._databases.get(tenant_id)
            if db is not None:
                return db
            db = self._make(tenant_id, create)
            db.migrate()  # across processes: PostgreSQL's migration lock, SQLite's write lock
            db.tenant = tenant_id
            self._databases[tenant_id] = db
            return db

    def _make(self, tenant_id: str, create: bool) -> Database:
        if self.control.dialect == "postgresql":
            schema = schema_name(tenant_id)
            if not create and not schema_exists(self.control.engine, schema):
                raise DatabaseProblem(f"the data of {tenant_id} (schema {schema}) is missing from the database; "
                                      f"restore it from a backup (nothing was created)")
            return Database(engine=schema_engine(self.control.engine, schema))
        path = sqlite_tenant_file(self._control_file, tenant_id)
        if not create and not path.exists():
            raise DatabaseProblem(f"the data of {tenant_id} ({path}) is missing; restore it from a backup "
                                  f"(nothing was created)")
        url = make_url(self.control.engine.url.render_as_string(hide_password=False)).set(database=str(path))
        return Database(engine=make_engine(url.render_as_string(hide_password=False)))
