"""A workspace the app was removed from (app_uninstalled) or whose bot token was revoked
(tokens_revoked): remembered in the database, so no process keeps working for it. Queued
deliveries wait (nothing is dropped) until the app is installed again.

With many workspaces each tenant's database holds its own row (keyed by the tenant id): the
tenant's deliverer stops with it, while the control plane's registry (storage/tenancy.py)
takes the tenant out of every request and background loop (bot/tenant_deps.py)."""
from __future__ import annotations

import logging

from storage.db import Database
from storage.models import Workspace, utcnow

log = logging.getLogger("canishare.workspaces")


def removed(db: Database, team_id: str, status: str) -> None:
    assert status in ("uninstalled", "revoked")
    with db.transaction() as s:
        row = s.get(Workspace, team_id or "")
        if row is None:
            s.add(Workspace(id=team_id or "", status=status, changed_at=utcnow()))
        else:
            row.status, row.changed_at = status, utcnow()
    log.error("the app was %s in workspace %s: work for it has stopped until it is installed again",
              "uninstalled" if status == "uninstalled" else "revoked (bot token)", team_id)


def active(db: Database, team_id: str) -> bool:
    with db.transaction() as s:
        row = s.get(Workspace, team_id or "")
        return row is None or row.status == "active"


def reinstalled(db: Database, team_id: str) -> None:
    """At start-up with a token Slack accepts: the workspace is ours again."""
    with db.transaction() as s:
        row = s.get(Workspace, team_id or "")
        if row is not None and row.status != "active":
            row.status, row.changed_at = "active", utcnow()
