"""Retention: delete what the organisation no longer keeps, without breaking the hash chain.

What `purge` deletes, and nothing else:
- decision records created more than `retention_days` ago, with their escalations and the
  conversations they came from (those rows hold the practitioner's Slack user id);
- conversations given up more than 30 days ago: status 'abandoned', or still 'active' and
  untouched for 30 days (a half-walked question, with its Slack user id);
- seen_requests (delivery ids kept to drop Slack's retries) older than 7 days;
- outbox rows delivered or given up more than 30 days ago (never one still to deliver), and
  delivery attempts older than `retention_days`.

How the chain stays verifiable (see `storage.records.verify_chain`)
-------------------------------------------------------------------
The chain is global: entries of every record are interleaved by `seq`, and an old record
can have recent entries (an escalation claimed later), so the entries of purged records are
not, in general, a prefix of the chain. Deleting them outright would leave gaps that look
exactly like tampering; keeping them would keep the personal data we must delete (each
payload is the record's whole exported state, free text included).

So a purge turns each entry of a purged record into a *tombstone*, in place: `kind` becomes
"purged" and `payload` becomes "", while `seq`, `record_id` (a random id), `at`, `prev_hash`
and `hash` stay. The tombstone's own hash can no longer be recomputed, but it is still held
in place from both sides: it must carry the hash of the entry before it as `prev_hash`, and
the entry after it carries its `hash` (which that entry's own hash covers). `verify_chain`
accepts a tombstone only for a record that is gone entirely: no live entry and no row.

Tombstones that form the start of the chain are then deleted for good and the chain head's
anchor (`anchor_seq`, `anchor_hash`, which verification starts from) moves past them, so the
table does not grow for ever with the dead.

What verification still catches after a purge: an edited record row; an edited entry
(live: its hash; tombstone: the link to its successor); a deleted record or entry that was
not purged (a gap in `seq`, or a live last entry without its row); blanking some but not all
entries of a record, or blanking a record whose row is still there.

What no unkeyed hash chain can catch: someone with write access to the database who does
by hand exactly what a purge does (tombstone every entry of a record and delete its row).
That is why the purge runs only from `canishare purge` or the scheduler, and reports counts.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session

from .models import (naive_utc, ChainEntry, ChainHead, Conversation, DeliveryAttempt, Escalation, FollowUp, Outbox, Record, Referral,
                     SeenRequest)

if TYPE_CHECKING:
    from .db import Database

TOMBSTONE_KIND = "purged"
ABANDONED_AFTER = timedelta(days=30)
SEEN_AFTER = timedelta(days=7)
DELIVERED_AFTER = timedelta(days=30)  # outbox rows sent (or given up): they hold Slack ids and message texts


def is_tombstone(kind: str, payload: str) -> bool:
    return kind == TOMBSTONE_KIND and payload == ""


def purge(session: Session, now: datetime, retention_days: int, limit: int | None = None) -> dict[str, int]:
    """Delete what is due at `now` (naive UTC, or aware) in the caller's transaction; returns
    how many rows of each kind went. Safe to run again: a second run finds nothing due.

    With `limit`, only the `limit` oldest due records go (with everything of theirs), so a
    large purge can be split into short transactions (`purge_in_batches`)."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    now = naive_utc(now)
    cutoff = now - timedelta(days=retention_days)

    # Take the chain head's row lock first (SQLite: BEGIN IMMEDIATE already holds the write
    # lock), so no writer appends an entry to a record while it is being purged.
    session.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=ChainHead.seq))

    oldest = select(Record.id).where(Record.created_at < cutoff)
    if limit is not None:
        oldest = oldest.order_by(Record.created_at, Record.id).limit(limit)
    due_ids = oldest.subquery()
    due = select(due_ids.c.id)
    no_sync = {"synchronize_session": False}

    redacted = session.execute(
        update(ChainEntry).where(ChainEntry.record_id.in_(due)).values(kind=TOMBSTONE_KIND, payload=""),
        execution_options=no_sync,
    ).rowcount
    escalations = session.execute(
        delete(Escalation).where(Escalation.record_id.in_(due)), execution_options=no_sync
    ).rowcount
    # Referrals and their reminders hold the practitioner's Slack id: they go with the record.
    referrals = select(Referral.id).where(Referral.record_id.in_(due))
    session.execute(delete(FollowUp).where(FollowUp.referral_id.in_(referrals)), execution_options=no_sync)
    session.execute(delete(Referral).where(Referral.record_id.in_(due)), execution_options=no_sync)
    their_conversations = session.execute(
        delete(Conversation).where(
            Conversation.id.in_(select(Record.conversation_id).where(Record.id.in_(due), Record.conversation_id.is_not(None)))
        ),
        execution_options=no_sync,
    ).rowcount
    records = session.execute(delete(Record).where(Record.id.in_(due)), execution_options=no_sync).rowcount

    stale = select(Conversation.id).where(
        Conversation.status.in_(("abandoned", "active")), Conversation.updated_at < now - ABANDONED_AFTER
    )
    old_keys = select(SeenRequest.key).where(SeenRequest.at < now - SEEN_AFTER)
    if limit is not None:  # the same short transactions for these as for records
        stale = stale.order_by(Conversation.updated_at).limit(limit)
        old_keys = old_keys.order_by(SeenRequest.at).limit(limit)
    abandoned = session.execute(
        delete(Conversation).where(Conversation.id.in_(select(stale.subquery().c.id))), execution_options=no_sync
    ).rowcount
    seen = session.execute(
        delete(SeenRequest).where(SeenRequest.key.in_(select(old_keys.subquery().c.key))), execution_options=no_sync
    ).rowcount

    done = select(Outbox.id).where(Outbox.status.in_(("sent", "failed", "cancelled")), Outbox.created_at < now - DELIVERED_AFTER)
    old_attempts = select(DeliveryAttempt.id).where(DeliveryAttempt.at < cutoff)
    if limit is not None:
        done = done.order_by(Outbox.id).limit(limit)
        old_attempts = old_attempts.order_by(DeliveryAttempt.id).limit(limit)
    outbox = session.execute(delete(Outbox).where(Outbox.id.in_(select(done.subquery().c.id))), execution_options=no_sync).rowcount
    attempts = session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.id.in_(select(old_attempts.subquery().c.id))),
                               execution_options=no_sync).rowcount

    dropped = _drop_dead_prefix(session)
    session.flush()
    return {
        "records": records or 0,
        "chain_entries_redacted": redacted or 0,
        "chain_entries_dropped": dropped,
        "escalations": escalations or 0,
        "record_conversations": their_conversations or 0,
        "abandoned_conversations": abandoned or 0,
        "seen_requests": seen or 0,
        "outbox": outbox or 0,
        "delivery_attempts": attempts or 0,
    }


def purge_in_batches(db: "Database", now: datetime, retention_days: int, batch: int = 500) -> dict[str, int]:
    """`purge` in transactions of at most `batch` records each, so a large purge (the first
    one, or after retention_days is lowered) never holds the write lock for long; on SQLite
    that lock stops every click. Returns the summed counts."""
    total: dict[str, int] = {}
    while True:
        with db.transaction() as s:
            counts = purge(s, now, retention_days, limit=batch)
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
        if max(counts["records"], counts["abandoned_conversations"], counts["seen_requests"], counts["outbox"],
               counts["delivery_attempts"]) < batch:
            return total


def _drop_dead_prefix(session: Session) -> int:
    """Delete the tombstones at the start of the chain and move the anchor past them."""
    head = session.execute(
        select(ChainHead).where(ChainHead.id == 1).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        return 0
    tombstone = and_(ChainEntry.kind == TOMBSTONE_KIND, ChainEntry.payload == "")
    first_live = session.execute(select(func.min(ChainEntry.seq)).where(~tombstone)).scalar()
    last_dead = first_live - 1 if first_live is not None else session.execute(select(func.max(ChainEntry.seq))).scalar()
    if last_dead is None or last_dead <= head.anchor_seq:
        return 0
    anchor = session.execute(
        select(ChainEntry).where(ChainEntry.seq == last_dead).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if anchor is None or not is_tombstone(anchor.kind, anchor.payload):
        return 0  # a gap before the first live entry: not ours to paper over; verify will say so
    dead_count = session.execute(
        select(func.count()).select_from(ChainEntry).where(ChainEntry.seq <= last_dead, tombstone)
    ).scalar() or 0
    if dead_count != last_dead - head.anchor_seq:
        return 0  # entries missing from the prefix already: leave it for verify to report
    anchor_hash = anchor.hash
    dropped = session.execute(
        delete(ChainEntry).where(ChainEntry.seq <= last_dead), execution_options={"synchronize_session": False}
    ).rowcount or 0
    session.execute(update(ChainHead).where(ChainHead.id == 1).values(anchor_seq=last_dead, anchor_hash=anchor_hash))
    session.expire(head)
    return dropped
