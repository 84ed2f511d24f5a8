"""Configuration versions as links of the records' hash chain.

Who changed the configuration, and to what, is audited like an access: each version is a
chain entry (record_id ``-config-``, kind ``config.change``) whose payload holds the version
number, author, the SHA-256 of the stored body and the change lines. `verify_chain` recomputes
every entry's hash, and `check_versions` compares every stored version with its entry, so
editing a row of ``config_versions`` (a lead swapped in the database) is found.
Change lines hold configuration values (Slack ids, team ids), never record content.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import ConfigVersionRow
from .records import canonical, link

CONFIG = "-config-"  # the record_id of configuration entries: no record has it (ids are hex)
KIND = "config.change"


class Unchanged(Exception):
    """The new body is the latest version's: nothing is written."""


def is_config(kind: str) -> bool:
    return kind.startswith("config.")


def body_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def latest_number(session: Session) -> int | None:
    return session.execute(select(func.max(ConfigVersionRow.number))).scalar()


def latest_row(session: Session) -> ConfigVersionRow | None:
    return session.execute(select(ConfigVersionRow).order_by(ConfigVersionRow.number.desc()).limit(1)).scalar()


def _payload(row: ConfigVersionRow) -> dict:
    return {"version": row.number, "author": row.author, "body_hash": row.body_hash, "changes": list(row.changes)}


def add_version(session: Session, author: str, body: str, now: datetime,
                changes_of: Callable[[ConfigVersionRow | None], list[str]]) -> ConfigVersionRow:
    """Store `body` as the next version, in the caller's transaction, under the chain head's
    lock: `changes_of(latest)` runs under that lock, so its checks (and the number) see every
    other writer's version. It may raise (a refusal, or Unchanged) to write nothing."""
    row = ConfigVersionRow(created_at=now, author=author[:64], body=body, body_hash=body_hash(body), changes=[])

    def payload(_prev: str) -> str:
        latest = latest_row(session)
        if latest is not None and latest.body_hash == row.body_hash:
            raise Unchanged()
        row.changes = changes_of(latest)
        row.number = (latest.number if latest is not None else 0) + 1
        return canonical(_payload(row))

    entry = link(session, CONFIG, KIND, now, payload)
    row.chain_seq = entry.seq
    session.add(row)
    session.flush()
    return row


def check_versions(session: Session, entries: dict[int, str]) -> str | None:
    """The first stored version that does not match its chain entry (`entries`: seq -> payload
    of every configuration entry), in words; None when all match."""
    rows = session.execute(select(ConfigVersionRow).order_by(ConfigVersionRow.number)).scalars()
    for row in rows:
        payload = entries.pop(row.chain_seq, None)
        if payload is None:
            return f"configuration version {row.number} has no entry in the chain"
        if json.loads(payload) != _payload(row) or body_hash(row.body) != row.body_hash:
            return f"configuration version {row.number} differs from its chain entry (edited?)"
    if entries:
        seq = min(entries)
        return f"configuration version {json.loads(entries[seq]).get('version')} was deleted (chain entry {seq})"
    return None
