"""SQLAlchemy models. Times are naive UTC throughout (SQLite keeps no zone)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def naive_utc(moment: datetime) -> datetime:
    """A time as the database keeps it: UTC, without a zone (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def as_utc(moment: datetime) -> datetime:
    """A naive-UTC time from the database, made aware (an aware time is converted to UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    """Where one practitioner is in one walk through the flowchart.

    Holds the Slack user id because the bot must know whose DM it is and who may answer;
    it never reaches a record, an export or a digest.
    """

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    workspace: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    team: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    policy: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(64))
    path: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # active -> decided (an outcome) -> recorded (details stored); or abandoned
    status: Mapped[str] = mapped_column(String(16), default="active")
    message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_conversations_status_updated", "status", "updated_at"),)


class Record(Base):
    """The decision record: its current state. Every change is also a ChainEntry."""

    __tablename__ = "records"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    policy: Mapped[str] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(String(64), index=True)
    practitioner: Mapped[str] = mapped_column(String(64))
    path: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(32))
    ground: Mapped[str | None] = mapped_column(String(64))
    unsure_at: Mapped[str | None] = mapped_column(String(64))  # kept apart so the digest can GROUP BY it
    escalation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Record details. Records of format 2 (from migration 0004 on) hold ids from the pack's
    # record lists plus one screened note; older records (format 1) keep the free text they
    # were stored with, in the legacy_* columns, so they still export and verify unchanged.
    format: Mapped[int] = mapped_column(Integer, default=2, server_default="1", nullable=False)
    shared_what: Mapped[list[str] | None] = mapped_column("shared_what_ids", JSON)
    shared_with: Mapped[list[str] | None] = mapped_column("shared_with_ids", JSON)
    reason: Mapped[str | None] = mapped_column("reason_id", String(64))
    note: Mapped[str | None] = mapped_column(Text)
    legacy_shared_what: Mapped[str | None] = mapped_column("shared_what", Text)
    legacy_shared_with: Mapped[str | None] = mapped_column("shared_with", Text)
    legacy_reason: Mapped[str | None] = mapped_column("reason", Text)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")  # set by records.append
    hash: Mapped[str] = mapped_column(String(64), default="")

    # The digest's week: an index-only range scan grouped by these (no heap reads).
    __table_args__ = (Index("ix_records_digest", "created_at", "outcome", "team", "unsure_at"),)


class ChainEntry(Base):
    """One append-only write to a record, linked to the entry before it by hash."""

    __tablename__ = "record_chain"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ChainHead(Base):
    """A single row: the last entry of the chain. Updating it first serialises writers."""

    __tablename__ = "chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
    # After a purge the chain starts later; this is the prev_hash its first kept entry must carry.
    anchor_seq: Mapped[int] = mapped_column(Integer, default=0)
    anchor_hash: Mapped[str] = mapped_column(String(64))


class Escalation(Base):
    """A request for a safeguarding lead's advice, and its follow-through."""

    __tablename__ = "escalations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(32), index=True)
    team: Mapped[str] = mapped_column(String(64))
    practitioner_user: Mapped[str] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(default=False)
    node: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, claimed, resolved
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    lead_outcome: Mapped[str | None] = mapped_column(String(32))
    pings: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{channel, ts}]
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    remind_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
    # The digest's week: counts and time-to-claim from the index alone.
    __table_args__ = (Index("ix_escalations_digest", "opened_at", "claimed_at", "resolved_at"),)


class Outbox(Base):
    """Something that must reach Slack: written in the same transaction as the change that
    needs it (a next question, an outcome, an escalation ping), then delivered from here.

    `key` is the delivery id (carried in the message's metadata, so a post Slack made before
    a timeout is found in the conversation's history rather than posted twice). Rows without
    a key are best-effort retries of edits (chat.update) that failed for a temporary reason.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    method: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    key: Mapped[str | None] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="edit")  # step, ping, notice, alert, edit
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed, cancelled (a replaced conversation's question)
    workspace: Mapped[str | None] = mapped_column(String(32))
    conversation_id: Mapped[str | None] = mapped_column(String(32), index=True)
    escalation_id: Mapped[str | None] = mapped_column(String(32), index=True)
    role: Mapped[str | None] = mapped_column(String(16))  # for pings: channel, lead, deputy, admin
    urgent: Mapped[bool] = mapped_column(default=False)
    dm_channel: Mapped[str | None] = mapped_column(String(32))  # where it went (a D… id for a DM)
    sent_ts: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(64))
    after: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # edits to make once delivered

    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)


class DeliveryAttempt(Base):
    """Every attempt to deliver an outbox row, and what Slack said."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(Integer, index=True)
    key: Mapped[str | None] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str | None] = mapped_column(String(32))
    escalation_id: Mapped[str | None] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    result: Mapped[str] = mapped_column(String(16))  # delivered, found, temporary, unreachable, refused
    error: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(32))


class Workspace(Base):
    """A workspace the app was removed from (app_uninstalled, tokens_revoked): no work for it."""

    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # active, uninstalled, revoked
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Job(Base):
    """A due time held in the database, so restarts neither skip nor repeat, and one
    process claims it (the lease) when several run."""

    __tablename__ = "jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)


class SeenRequest(Base):
    """Natural keys of Slack deliveries already handled (event ids, retries)."""

    __tablename__ = "seen_requests"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class MembershipSource(Base):
    """A user group or channel whose members belong to a team ("usergroup:S…", "channel:C…"),
    as last resolved from Slack. `version` moves on with every change of its members, so a
    process's cache knows when to read them again; `problem` is Slack's last refusal (the
    members last known are kept), reported to the admins once per `problem_since`."""

    __tablename__ = "membership_sources"

    source: Mapped[str] = mapped_column(String(48), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)  # last full resolution Slack answered
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)  # last time Slack was asked
    problem: Mapped[str | None] = mapped_column(String(64))
    problem_since: Mapped[datetime | None] = mapped_column(DateTime)


class MembershipMember(Base):
    """One person in a source. A removal is kept as present=False with the time Slack gave
    it (`as_of`, epoch seconds), so a late or repeated older event cannot undo a newer one."""

    __tablename__ = "membership_members"

    source: Mapped[str] = mapped_column(ForeignKey("membership_sources.source", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    present: Mapped[bool] = mapped_column(default=True)
    as_of: Mapped[float] = mapped_column(Float)


class DeactivatedLead(Base):
    """A safeguarding lead or deputy Slack says is deactivated, reported to the admins once
    (the row is the report's key); removed when they are active again or no longer named."""

    __tablename__ = "deactivated_leads"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Referral(Base):
    """A practitioner said they are making a referral to children's social care."""

    __tablename__ = "referrals"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    record_id: Mapped[str] = mapped_column(String(32), unique=True)
    team: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    confirm_by: Mapped[datetime] = mapped_column(DateTime)  # the written confirmation's deadline
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_due: Mapped[datetime] = mapped_column(DateTime)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)


class FollowUp(Base):
    """A reminder the practitioner asked for; a due time held in the database."""

    __tablename__ = "followups"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))  # confirm_in_writing, check_decision
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # scheduled, sent, done, dismissed
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("referral_id", "step"),)


class ConfigVersionRow(Base):
    """One version of the organisation's configuration (bot.config_store): the whole Settings
    as canonical JSON, who stored it and when. Each is also a hash-chain entry (record_id
    "-config-"), whose payload carries `body_hash`, so an edited row is found by verify."""

    __tablename__ = "config_versions"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    author: Mapped[str] = mapped_column(String(64))  # slack:U0ADMIN1, cli:alice, file, env
    body: Mapped[str] = mapped_column(Text)
    body_hash: Mapped[str] = mapped_column(String(64))
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)  # change lines against the version before
    chain_seq: Mapped[int] = mapped_column(Integer)


class TenantRow(Base):
    """A workspace (T…) or Enterprise Grid org (E…) that installed canishare: the control
    plane's registry (storage.tenancy). Its data lives apart, in its own PostgreSQL schema or
    SQLite file; this row only says it exists. Uninstalling sets `removed_at` and keeps the
    data (retention, the data processing agreement); a reinstall clears it."""

    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # workspace, enterprise
    name: Mapped[str] = mapped_column(String(200))
    installed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    installer_user: Mapped[str | None] = mapped_column(String(32))
