"""Decision records: writes as a hash chain, pseudonyms, and the export view.

Every write to a record appends a ChainEntry whose payload is the record's whole exported
state after the write; `hash` = SHA-256 over the entry (including the previous hash), so
editing or deleting any entry, or editing a record row, is detectable by `verify_chain`.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import ChainEntry, ChainHead, Record, utcnow

GENESIS = "0" * 64
EXPORT_FIELDS = (
    "id",
    "created_at",
    "policy",
    "team",
    "practitioner",
    "path",
    "outcome",
    "ground",
    "escalation",
    "shared_what",
    "shared_with",
    "reason",
    "note",
    "prev_hash",
    "hash",
)


def pseudonymise(key: str, user_id: str) -> str:
    """Keyed pseudonym (HMAC-SHA256): stable per person, meaningless without the key."""
    return hmac.new(key.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def record_state(record: Record) -> dict[str, Any]:
    """The record as exported, without its chain fields (the payload of its chain entries)."""
    state: dict[str, Any] = {
        "id": record.id,
        "created_at": iso(record.created_at),
        "policy": record.policy,
        "team": record.team,
        "practitioner": record.practitioner,
        "path": [{"node": s["node"], "answer": s["answer"]} for s in record.path or []],
        "outcome": record.outcome,
        "ground": record.ground,
        "escalation": record.escalation,
    }
    choices = {
        "shared_what": None if record.shared_what is None else list(record.shared_what),
        "shared_with": None if record.shared_with is None else list(record.shared_with),
        "reason": record.reason,
        "note": record.note,
    }
    legacy = {"shared_what": record.legacy_shared_what, "shared_with": record.legacy_shared_with,
              "reason": record.legacy_reason}
    if record.format == 1:
        # Made before record details were choices (migration 0004): the free text it was
        # stored and hashed with, and no note key, so its chain entries still verify. The
        # new columns are always empty on such a record; anything written there since is
        # part of the state, so verify_chain sees the edit.
        state.update(legacy)
        state.update({f"details_{k}": v for k, v in choices.items() if v is not None})
        return state
    state.update(choices)
    state.update({f"legacy_{k}": v for k, v in legacy.items() if v is not None})  # never set: an edit shows
    return state


def export_row(record: Record) -> dict[str, Any]:
    state = record_state(record)
    row = {k: state.get(k) for k in EXPORT_FIELDS[:-2]}  # records of format 1 had no note
    row["prev_hash"] = record.prev_hash
    row["hash"] = record.hash
    return row


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(seq: int, record_id: str, kind: str, at: str, payload: str, prev_hash: str) -> str:
    material = canonical({"seq": seq, "record": record_id, "kind": kind, "at": at, "payload": payload, "prev": prev_hash})
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _claim_head(session: Session) -> ChainHead:
    """Lock the chain head for this transaction: the UPDATE takes the write lock first,
    on SQLite and PostgreSQL alike, so two writers can never both extend the same hash."""
    bumped = session.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=ChainHead.seq + 1))
    if bumped.rowcount == 0:
        session.add(ChainHead(id=1, seq=1, hash=GENESIS, anchor_seq=0, anchor_hash=GENESIS))
        session.flush()
    query = select(ChainHead).where(ChainHead.id == 1).execution_options(populate_existing=True)
    return session.execute(query).scalar_one()


def link(session: Session, record_id: str, kind: str, now: datetime,
         payload_of: Callable[[str], str]) -> ChainEntry:
    """Add the next link of the chain under the head's lock. `payload_of(prev_hash)` gives
    the payload (a record's state may include the previous hash it is stamped with)."""
    session.flush()
    head = _claim_head(session)
    seq, prev = head.seq, head.hash
    payload = payload_of(prev)
    digest = entry_hash(seq, record_id, kind, iso(now) or "", payload, prev)
    head.hash = digest
    entry = ChainEntry(seq=seq, record_id=record_id, kind=kind, at=now, payload=payload, prev_hash=prev, hash=digest)
    session.add(entry)
    session.flush()
    return entry


def append(session: Session, record: Record, kind: str, now: datetime | None = None) -> ChainEntry:
    """Write `record`'s current state as the next link of the chain, and stamp the record."""
    now = now or utcnow()

    def state(prev: str) -> str:
        record.updated_at = now
        record.prev_hash = prev
        return canonical(record_state(record))

    session.flush()  # a new record gets its id here
    entry = link(session, record.id, kind, now, state)
    record.hash = entry.hash
    session.flush()
    return entry


def decided_at(session: Session, record: Record) -> datetime:
    """When the record's outcome was reached (its latest "outcome" entry): not changed by the
    details, the escalation or a referral written to the record later."""
    at = session.execute(select(ChainEntry.at).where(ChainEntry.record_id == record.id, ChainEntry.kind == "outcome")
                         .order_by(ChainEntry.seq.desc()).limit(1)).scalar()
    return at or record.created_at


@dataclass
class ChainReport:
    ok: bool
    entries: int
    records: int
    problem: str | None = None
    record_id: str | None = None
    accesses: int = 0  # exports, digest posts and purges logged in the chain (storage.access)
    configs: int = 0  # configuration versions (storage.config_chain)

    def __str__(self) -> str:
        if self.ok:
            logged = f", {self.accesses} of them logged accesses" if self.accesses else ""
            if self.configs:
                logged += f", {self.configs} configuration version{'s' if self.configs != 1 else ''}"
            return f"chain intact: {self.entries} entries over {self.records} records{logged}"
        if self.record_id is None:
            return f"chain broken: {self.problem}"
        return f"chain broken at record {self.record_id}: {self.problem}"


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in order; name the first record whose history does not add up.

    A retention purge (storage.retention) leaves a tombstone in place of each entry of a
    purged record: kind "purged", empty payload, seq and hashes kept. Its own hash cannot be
    recomputed, but it must still follow the entry before it and be followed by the entry
    after it, and its record must be gone entirely (no live entry, no row). Tombstones at the
    start of the chain may be dropped, the head's anchor then marking where the chain starts.
    """
    from .config_chain import check_versions, is_config
    from .retention import is_tombstone  # retention imports this module

    head = session.get(ChainHead, 1)
    expected_prev = head.anchor_hash if head else GENESIS
    expected_seq = (head.anchor_seq if head else 0) + 1
    latest: dict[str, ChainEntry] = {}
    purged: set[str] = set()
    count = accesses = 0
    configs: dict[int, str] = {}  # seq -> payload of each configuration entry
    query = select(ChainEntry).order_by(ChainEntry.seq).execution_options(yield_per=1000)
    for entry in session.execute(query).scalars():
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(False, count, len(latest), f"entry {expected_seq} is missing (deleted?)", entry.record_id)
        if entry.prev_hash != expected_prev:
            return ChainReport(False, count, len(latest), f"entry {entry.seq} does not follow the one before", entry.record_id)
        access = entry.kind.startswith("access.")  # storage.access: belongs to no record, only hash-checked
        config = is_config(entry.kind)  # storage.config_chain: checked against config_versions below
        if is_tombstone(entry.kind, entry.payload):
            purged.add(entry.record_id)
        elif entry_hash(entry.seq, entry.record_id, entry.kind, iso(entry.at) or "", entry.payload,
                        entry.prev_hash) != entry.hash:
            what = "access log entry" if access else "configuration entry" if config else "entry"
            return ChainReport(False, count, len(latest), f"{what} {entry.seq} was changed after it was written",
                               None if access or config else entry.record_id)
        elif access:
            accesses += 1
        elif config:
            configs[entry.seq] = entry.payload
        else:
            latest[entry.record_id] = entry
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    if head is not None and head.hash != expected_prev:
        return ChainReport(False, count, len(latest), "the newest entries are missing", None)
    blanked = purged & latest.keys()
    if blanked:
        return ChainReport(False, count, len(latest), "some of the record's entries were blanked but it was not purged",
                           min(blanked))
    records = select(Record).order_by(Record.created_at, Record.id).execution_options(yield_per=1000)
    seen = 0
    for record in session.execute(records).scalars():
        seen += 1
        entry = latest.pop(record.id, None)
        if entry is None:
            problem = "the record was purged but its row is still there" if record.id in purged else "the record has no entry in the chain"
            return ChainReport(False, count, seen, problem, record.id)
        if entry.hash != record.hash or canonical(record_state(record)) != entry.payload:
            return ChainReport(False, count, seen, "the record differs from its last chain entry (edited?)", record.id)
    if latest:
        missing = next(iter(latest))
        return ChainReport(False, count, seen, "the record was deleted outside a purge", missing)
    versions = len(configs)
    problem = check_versions(session, configs)
    if problem:
        return ChainReport(False, count, seen, problem, None)
    return ChainReport(True, count, seen, accesses=accesses, configs=versions)


def iter_records(session: Session, since: datetime | None = None, team: str | None = None) -> Iterator[Record]:
    """Records oldest first, streamed in batches so memory stays flat."""
    query = select(Record).order_by(Record.created_at, Record.id)
    if since is not None:
        query = query.where(Record.created_at >= since)
    if team is not None:
        query = query.where(Record.team == team)
    for record in session.execute(query.execution_options(yield_per=500)).scalars():
        yield record
        session.expunge(record)
