"""Retention: purge deletes exactly what is due, and the hash chain still verifies after it
while still catching edits and deletions that no purge made."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import delete, func, select, update

from storage.db import Database
from storage.models import ChainEntry, ChainHead, Conversation, Escalation, Record, SeenRequest
from storage.records import append, pseudonymise, verify_chain
from storage.retention import TOMBSTONE_KIND, purge, purge_in_batches
from tests.conftest import PSEUDONYM_KEY, TEST_CONFIG

NOW = datetime(2026, 6, 15, 12, 0)
DAYS = 365
CUTOFF = NOW - timedelta(days=DAYS)
FREE_TEXT = "Told by Jane Example at 12 Acacia Avenue"


def record(s, created: datetime, conversation_id: str | None = None, outcome: str = "share") -> Record:
    r = Record(created_at=created, policy="hmg-2008@1", team="early-help", practitioner=pseudonymise(PSEUDONYM_KEY, "U0PRACT1"),
               path=[{"node": "danger", "answer": "no"}], outcome=outcome, conversation_id=conversation_id)
    s.add(r)
    append(s, r, "outcome", created)
    return r


def details(s, r: Record, at: datetime) -> None:
    """Details as records made before migration 0004 held them: free text (format 1)."""
    r.format = 1
    r.legacy_shared_what, r.legacy_shared_with, r.legacy_reason = FREE_TEXT, "school nurse", FREE_TEXT
    append(s, r, "details", at)


def conversation(s, status: str, updated: datetime) -> str:
    c = Conversation(workspace="T0TEST", user_id="U0PRACT1", team="early-help", policy="hmg-2008@1", state="danger",
                     path=[], status=status, created_at=updated, updated_at=updated)
    s.add(c)
    s.flush()
    return c.id


def escalation(s, r: Record, opened: datetime) -> str:
    e = Escalation(record_id=r.id, conversation_id=r.conversation_id or "x", team="early-help", practitioner_user="U0PRACT1",
                   opened_at=opened, pings=[])
    s.add(e)
    s.flush()
    return e.id


@dataclass
class World:
    purged_records: set[str]
    kept_records: set[str]
    purged_conversations: set[str]
    kept_conversations: set[str]
    purged_escalations: set[str]
    kept_escalations: set[str]
    purged_seen: set[str]
    kept_seen: set[str]


def build(s) -> World:
    """Old and new records whose chain entries interleave: the purged records' entries are
    not a prefix of the chain (an old record got a later entry)."""
    c_old1 = conversation(s, "recorded", CUTOFF - timedelta(days=30))
    c_keep1 = conversation(s, "recorded", CUTOFF + timedelta(days=1))
    old1 = record(s, CUTOFF - timedelta(days=40), c_old1, "seek_advice")          # seq 1
    old2 = record(s, CUTOFF - timedelta(minutes=1))                               # seq 2
    keep1 = record(s, CUTOFF + timedelta(minutes=1), c_keep1, "seek_advice")      # seq 3
    details(s, old1, CUTOFF + timedelta(days=2))                                  # seq 4: old record, late entry
    keep2 = record(s, NOW - timedelta(days=10))                                   # seq 5
    details(s, old2, NOW - timedelta(days=9))                                     # seq 6
    details(s, keep1, NOW - timedelta(days=8))                                    # seq 7
    e_old = escalation(s, old1, CUTOFF - timedelta(days=40))
    e_keep = escalation(s, keep1, CUTOFF + timedelta(minutes=1))
    purged_convos = {
        c_old1,
        conversation(s, "abandoned", NOW - timedelta(days=31)),
        conversation(s, "active", NOW - timedelta(days=30, minutes=1)),
    }
    kept_convos = {
        c_keep1,
        conversation(s, "abandoned", NOW - timedelta(days=29)),
        conversation(s, "active", NOW - timedelta(days=1)),
        conversation(s, "decided", NOW - timedelta(days=100)),  # decided, its record not yet due
        conversation(s, "recorded", NOW - timedelta(days=300)),
    }
    s.add_all([SeenRequest(key="old", at=NOW - timedelta(days=7, seconds=1)), SeenRequest(key="new", at=NOW - timedelta(days=6))])
    s.flush()
    return World({old1.id, old2.id}, {keep1.id, keep2.id}, purged_convos, kept_convos, {e_old}, {e_keep}, {"old"}, {"new"})


@pytest.fixture
def world(database: Database) -> tuple[Database, World]:
    with database.transaction() as s:
        w = build(s)
    with database.read_only() as s:
        assert verify_chain(s).ok
    return database, w


@pytest.fixture
def purged(world: tuple[Database, World]) -> tuple[Database, World, dict[str, int]]:
    db, w = world
    with db.transaction() as s:
        counts = purge(s, NOW, DAYS)
    return db, w, counts


def ids(s, column) -> set:
    return set(s.execute(select(column)).scalars())


def test_purge_deletes_exactly_what_is_due(purged) -> None:
    db, w, counts = purged
    assert counts == {
        "records": 2,
        "chain_entries_redacted": 4,  # seq 1, 2, 4, 6
        "chain_entries_dropped": 2,  # seq 1, 2: the dead start of the chain
        "escalations": 1,
        "record_conversations": 1,
        "abandoned_conversations": 2,
        "seen_requests": 1,
        "outbox": 0,
        "delivery_attempts": 0,
    }
    with db.read_only() as s:
        assert ids(s, Record.id) == w.kept_records
        assert ids(s, Conversation.id) == w.kept_conversations
        assert ids(s, Escalation.id) == w.kept_escalations
        assert ids(s, SeenRequest.key) == w.kept_seen
        entries = s.execute(select(ChainEntry).order_by(ChainEntry.seq)).scalars().all()
        assert [e.seq for e in entries] == [3, 4, 5, 6, 7]
        dead = [e for e in entries if e.kind == TOMBSTONE_KIND]
        assert [e.seq for e in dead] == [4, 6] and all(e.payload == "" for e in dead)
        assert {e.record_id for e in dead} == w.purged_records
        assert all(FREE_TEXT not in e.payload for e in entries if e.record_id not in w.kept_records)
        head = s.get(ChainHead, 1)
        assert head.anchor_seq == 2 and head.seq == 7


def test_purge_in_batches_deletes_the_same(world) -> None:
    db, w = world
    counts = purge_in_batches(db, NOW, DAYS, batch=1)
    assert counts == {"records": 2, "chain_entries_redacted": 4, "chain_entries_dropped": 2, "escalations": 1,
                      "record_conversations": 1, "abandoned_conversations": 2, "seen_requests": 1,
                      "outbox": 0, "delivery_attempts": 0}
    with db.read_only() as s:
        assert ids(s, Record.id) == w.kept_records
        assert ids(s, Conversation.id) == w.kept_conversations
        assert ids(s, Escalation.id) == w.kept_escalations
        assert verify_chain(s).ok


def test_a_limited_purge_takes_the_oldest_and_verifies(world) -> None:
    db, w = world
    with db.transaction() as s:
        oldest = s.execute(select(Record.id).order_by(Record.created_at).limit(1)).scalar_one()
        counts = purge(s, NOW, DAYS, limit=1)
    assert counts["records"] == 1 and counts["chain_entries_redacted"] == 2 and counts["chain_entries_dropped"] == 1
    with db.read_only() as s:
        assert s.get(Record, oldest) is None
        assert ids(s, Record.id) == (w.purged_records - {oldest}) | w.kept_records
        report = verify_chain(s)
        assert report.ok, str(report)


def test_verify_passes_after_purge_and_after_more_writes(purged) -> None:
    db, w, _ = purged
    with db.read_only() as s:
        report = verify_chain(s)
    assert report.ok, str(report)
    assert report.records == 2 and report.entries == 5
    with db.transaction() as s:
        r = record(s, NOW)
        details(s, s.get(Record, next(iter(w.kept_records))), NOW)
    with db.read_only() as s:
        assert verify_chain(s).ok
    # A second purge finds nothing more (the tombstones in the middle stay until they lead the chain).
    with db.transaction() as s:
        again = purge(s, NOW + timedelta(seconds=30), DAYS)
    assert again["records"] == again["chain_entries_redacted"] == again["chain_entries_dropped"] == 0
    with db.read_only() as s:
        assert verify_chain(s).ok
        assert s.get(Record, r.id) is not None


def test_purging_everything_leaves_an_empty_verifiable_chain(world) -> None:
    db, w = world
    with db.transaction() as s:
        counts = purge(s, NOW + timedelta(days=DAYS + 30), DAYS)
    assert counts["records"] == 4 and counts["chain_entries_dropped"] == 7
    with db.read_only() as s:
        assert s.execute(select(func.count()).select_from(ChainEntry)).scalar() == 0
        report = verify_chain(s)
        assert report.ok and report.entries == 0, str(report)
        head = s.get(ChainHead, 1)
        assert head.anchor_seq == 7 and head.anchor_hash == head.hash
    with db.transaction() as s:
        record(s, NOW + timedelta(days=DAYS + 30))
    with db.read_only() as s:
        assert verify_chain(s).ok


def _tamper_and_verify(db: Database, statement, expect_record: str | None = None) -> str:
    with db.transaction() as s:
        s.execute(statement)
    with db.read_only() as s:
        report = verify_chain(s)
    assert not report.ok
    if expect_record is not None:
        assert report.record_id == expect_record, str(report)
    return report.problem or ""


def test_verify_detects_an_edited_record_after_purge(purged) -> None:
    db, w, _ = purged
    target = sorted(w.kept_records)[0]
    problem = _tamper_and_verify(db, update(Record).where(Record.id == target).values(reason="something else"), target)
    assert "edited" in problem


def test_verify_detects_an_edited_chain_entry_after_purge(purged) -> None:
    db, _, _ = purged
    problem = _tamper_and_verify(db, update(ChainEntry).where(ChainEntry.seq == 5).values(payload='{"outcome":"share"}'))
    assert "changed" in problem


def test_verify_detects_an_edited_tombstone(purged) -> None:
    db, _, _ = purged
    problem = _tamper_and_verify(db, update(ChainEntry).where(ChainEntry.seq == 4).values(hash="f" * 64))
    assert "does not follow" in problem


def test_verify_detects_a_deleted_record_after_purge(purged) -> None:
    db, w, _ = purged
    target = sorted(w.kept_records)[0]
    with db.transaction() as s:
        s.execute(delete(Escalation).where(Escalation.record_id == target))
    problem = _tamper_and_verify(db, delete(Record).where(Record.id == target), target)
    assert "deleted outside a purge" in problem


@pytest.mark.parametrize("seq", [3, 4, 5, 7])
def test_verify_detects_a_deleted_entry_after_purge(purged, seq: int) -> None:
    db, _, _ = purged
    problem = _tamper_and_verify(db, delete(ChainEntry).where(ChainEntry.seq == seq))
    assert "missing" in problem


def test_verify_detects_blanking_a_record_that_was_not_purged(purged) -> None:
    db, w, _ = purged
    target = sorted(w.kept_records)[0]
    blank = update(ChainEntry).where(ChainEntry.record_id == target).values(kind=TOMBSTONE_KIND, payload="")
    problem = _tamper_and_verify(db, blank, target)
    assert "purged but its row is still there" in problem


def test_verify_detects_blanking_one_entry_of_a_kept_record(world) -> None:
    db, w = world
    with db.read_only() as s:
        keep1 = s.execute(select(ChainEntry.record_id).where(ChainEntry.seq == 3)).scalar_one()
    problem = _tamper_and_verify(db, update(ChainEntry).where(ChainEntry.seq == 3).values(kind=TOMBSTONE_KIND, payload=""), keep1)
    assert "blanked" in problem


def test_cli_purge_prints_counts(world, fresh_db: str, tmp_path) -> None:
    from bot.cli import main

    db, _ = world
    cfg = tmp_path / "canishare.yml"
    cfg.write_text(yaml.safe_dump({**TEST_CONFIG, "retention_days": 1}))
    env = {"DATABASE_URL": fresh_db, "CANISHARE_CONFIG": str(cfg)}
    dry = CliRunner().invoke(main, ["purge", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "would delete" in dry.stdout and "4 decision records past retention" in dry.stdout
    with db.read_only() as s:  # a dry run deletes nothing
        assert s.execute(select(func.count()).select_from(Record)).scalar() == 4
    refused = CliRunner().invoke(main, ["purge"], env=env, input="")  # no terminal to ask on: refused
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    result = CliRunner().invoke(main, ["purge", "--yes"], env=env)
    assert result.exit_code == 0, result.output
    assert "4 decision records past retention" in result.stdout and "2 Slack delivery ids" in result.stdout
    assert "seen_requests" not in result.stdout  # words, not table names
    with db.read_only() as s:
        assert verify_chain(s).ok
        assert s.execute(select(func.count()).select_from(Record)).scalar() == 0


def test_purge_takes_referrals_and_their_reminders_with_the_record(database) -> None:
    from storage.models import FollowUp, Referral

    with database.transaction() as s:
        old, new = record(s, CUTOFF - timedelta(days=1)), record(s, CUTOFF + timedelta(days=1))
        s.flush()
        for r in (old, new):
            ref = Referral(record_id=r.id, team="early-help", made_at=r.created_at, confirm_by=r.created_at,
                           decision_due=r.created_at)
            s.add(ref)
            s.flush()
            s.add(FollowUp(referral_id=ref.id, user_id="U0PRACT1", step="check_decision", due_at=r.created_at))
    with database.transaction() as s:
        purge(s, NOW, DAYS)
    with database.read_only() as s:
        assert ids(s, Referral.record_id) == {new.id}
        assert len(ids(s, FollowUp.id)) == 1
        assert verify_chain(s).ok


def test_batched_purge_also_batches_abandoned_conversations(database) -> None:
    with database.transaction() as s:
        for _ in range(7):
            conversation(s, "abandoned", NOW - timedelta(days=40))
        kept = conversation(s, "abandoned", NOW - timedelta(days=2))
    with database.transaction() as s:  # one short transaction takes at most one batch
        assert purge(s, NOW, DAYS, limit=3)["abandoned_conversations"] == 3
    counts = purge_in_batches(database, NOW, DAYS, batch=3)
    assert counts["abandoned_conversations"] == 4
    with database.read_only() as s:
        assert ids(s, Conversation.id) == {kept}


def test_purge_keeps_every_outbox_row_still_to_deliver(database: Database) -> None:
    from storage.models import Outbox

    old = NOW - timedelta(days=400)
    with database.transaction() as s:
        for status in ("pending", "sent", "failed"):
            s.add(Outbox(method="chat.postMessage", args={}, key=f"k-{status}", kind="step", status=status,
                         created_at=old, due_at=old))
        s.add(Outbox(method="chat.postMessage", args={}, key="k-recent", kind="step", status="sent",
                     created_at=NOW - timedelta(days=1), due_at=NOW))
    counts = purge_in_batches(database, NOW, DAYS, batch=1)
    assert counts["outbox"] == 2
    with database.read_only() as s:
        assert ids(s, Outbox.key) == {"k-pending", "k-recent"}
