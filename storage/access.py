"""Audit of access: every export, digest post and purge is a link in the records' hash chain.

Who looked at the records, when, at what scope and how many is what a data protection
officer asks first after an incident. Writing it into the same chain as the records means
an entry cannot be removed or changed without `canishare verify` saying so. An access entry
belongs to no record (``record_id`` is ``ACCESS``) and is never purged by retention.

`who` is the operating-system user for the command line (``cli:alice``), or the admin's Slack
user id for the App Home (``slack:U0ADMIN1``; admins are named by id in the configuration
already) or ``scheduler`` for scheduled work. Scope holds only filters (format, dates, team),
never record content.
"""
from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import ChainEntry, utcnow
from .records import canonical, iso, link

ACCESS = "-access-"  # the record_id of access entries: no record has it (ids are hex)
ACTIONS = ("export", "digest", "purge")
_KIND = "access.{}"


def cli_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
        return "cli:unknown"


def is_access(kind: str) -> bool:
    return kind.startswith("access.")


def log_access(session: Session, action: str, who: str, scope: dict[str, Any], count: int,
               now: datetime | None = None) -> ChainEntry:
    """Append one access entry to the chain (in the caller's transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access action {action!r}")
    payload = canonical({"who": who, "scope": {k: v for k, v in scope.items() if v is not None}, "count": count})
    return link(session, ACCESS, _KIND.format(action), now or utcnow(), lambda _prev: payload)


@dataclass(frozen=True)
class Access:
    at: datetime
    action: str
    who: str
    scope: dict[str, Any]
    count: int

    def line(self) -> str:
        scope = ", ".join(f"{k} {v}" for k, v in sorted(self.scope.items())) or "everything"
        noun = {"export": "records exported", "digest": "decisions in the digest", "purge": "rows purged"}[self.action]
        return f"{iso(self.at)}  {self.action:<6}  by {self.who}  ({scope}): {self.count} {noun}"


def accesses(session: Session, since: datetime | None = None) -> Iterator[Access]:
    query = select(ChainEntry).where(ChainEntry.record_id == ACCESS).order_by(ChainEntry.seq)
    if since is not None:
        query = query.where(ChainEntry.at >= since)
    for entry in session.execute(query).scalars():
        data = json.loads(entry.payload)
        yield Access(entry.at, entry.kind.split(".", 1)[1], data["who"], data.get("scope", {}), data["count"])


def count_by_action(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """Accesses in [start, end), every action present (zeros included), for the digest."""
    counts = dict.fromkeys(ACTIONS, 0)
    rows = session.execute(select(ChainEntry.kind, func.count()).where(
        ChainEntry.record_id == ACCESS, ChainEntry.at >= start, ChainEntry.at < end).group_by(ChainEntry.kind))
    for kind, n in rows:
        counts[kind.split(".", 1)[1]] = n
    return counts


def record_access(db, action: str, who: str, scope: dict[str, Any], count: int) -> None:
    """log_access in a transaction of its own, for a caller that has just done the access."""
    with db.transaction() as s:
        log_access(s, action, who, scope, count)
