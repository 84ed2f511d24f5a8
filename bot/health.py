"""Liveness and readiness, as a load balancer or Kubernetes asks for them.

`/healthz`: the process answers. `/readyz`: the database answers a query *and* its schema is
at the newest migration, so a worker that would fail on the first click is taken out of
rotation, with the reason in the body (no secrets, no URLs).
"""
from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage.db import Database, alembic_config


def _head_revisions(db: Database) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(db.engine)).get_heads())


def readiness(db: Database) -> tuple[bool, str]:
    """(ready, one-line reason)."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as err:  # noqa: BLE001 - any failure means "not ready"; the class says which
        return False, f"database not answering ({type(err).__name__})"
    heads = _head_revisions(db)
    if current != heads:
        have = ", ".join(sorted(current)) or "none"
        return False, f"database schema not current (at {have}, code needs {', '.join(sorted(heads))}): run `canishare db upgrade`"
    return True, "ready"
