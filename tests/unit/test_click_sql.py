"""The click path's driver-level statements (storage/click_sql.py) read and write exactly what
the ORM reads and writes, on SQLite and on PostgreSQL, and keep the version check."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from storage.click_sql import insert_outbox, read_conversation, record_sent, write_answer
from storage.db import Database
from storage.models import Conversation, DeliveryAttempt, Outbox, Workspace, utcnow

PATH = [{"node": "danger", "answer": "no"}, {"node": "consent", "answer": "not_sure"}]


def _conversation(db: Database) -> str:
    with db.transaction() as s:
        convo = Conversation(workspace="T0CLICK", user_id="U0CLICK", team="t", policy="hmg-2024@2", status="active",
                             state="consent", path=PATH[:1], channel_id=None)
        s.add(convo)
        s.flush()
        return convo.id


def _orm(db: Database, conversation_id: str) -> Conversation:
    with db.read_only() as s:
        return s.get(Conversation, conversation_id)


def test_a_conversation_reads_as_the_orm_reads_it(database: Database):
    cid = _conversation(database)
    with database.transaction() as s:
        found = read_conversation(s, cid)
    assert found is not None
    convo, removed = found
    orm = _orm(database, cid)
    columns = [c.name for c in Conversation.__table__.columns]
    assert {c: getattr(convo, c) for c in columns} == {c: getattr(orm, c) for c in columns}
    assert isinstance(convo.created_at, datetime) and convo.path == PATH[:1] and removed is False


def test_no_such_conversation_is_none(database: Database):
    with database.transaction() as s:
        assert read_conversation(s, "nothing-here") is None


def test_removed_from_the_workspace_is_read_with_the_conversation(database: Database):
    cid = _conversation(database)
    with database.transaction() as s:
        s.add(Workspace(id="T0CLICK", status="uninstalled"))
    with database.transaction() as s:
        found = read_conversation(s, cid)
    assert found is not None and found[1] is True


def test_an_answer_is_written_with_the_version_check(database: Database):
    cid = _conversation(database)
    when = utcnow().replace(microsecond=123456)
    with database.transaction() as s:
        convo, _ = read_conversation(s, cid)
        version = convo.version
        convo.state, convo.path, convo.status, convo.updated_at = "share", PATH, "decided", when
        write_answer(s, convo, version)
    orm = _orm(database, cid)
    assert (orm.state, orm.path, orm.status, orm.updated_at, orm.version) == ("share", PATH, "decided", when, version + 1)
    assert convo.version == version + 1


def test_a_racing_write_loses_with_stale_data(database: Database):
    cid = _conversation(database)
    with database.transaction() as s:
        convo, _ = read_conversation(s, cid)
    with database.transaction() as s:  # another click's answer committed first
        s.execute(update(Conversation).where(Conversation.id == cid).values(version=Conversation.version + 1))
    convo.state = "share"
    with pytest.raises(StaleDataError):
        with database.transaction() as s:
            write_answer(s, convo, convo.version)
    assert _orm(database, cid).state == "consent"


def test_an_outbox_row_reads_back_through_the_orm_unchanged(database: Database):
    now = utcnow()
    values = dict(method="chat.postMessage", args={"channel": "U0CLICK", "text": "Question 2", "blocks": [{"type": "divider"}]},
                  key="step:c:2", kind="step", status="pending", due_at=now + timedelta(seconds=30), conversation_id="c",
                  escalation_id=None, role=None, urgent=False, after=[{"method": "chat.update", "args": {"ts": "1.2"}}],
                  workspace="T0CLICK", attempts=1, last_error="in_flight", created_at=now)
    with database.transaction() as s:
        first = insert_outbox(s, values)
        second = insert_outbox(s, dict(values, key="step:c:3", urgent=True, after=None))
    assert second.id > first.id
    with database.read_only() as s:
        rows = {r.id: r for r in s.execute(select(Outbox)).scalars()}
    for row in (first, second):
        stored = rows[row.id]
        assert {c: getattr(stored, c) for c in values} == {c: getattr(row, c) for c in values}
    assert rows[second.id].urgent is True and rows[second.id].after is None


def test_sent_marks_and_attempts_are_written_together(database: Database):
    now = utcnow()
    with database.transaction() as s:
        ids = [insert_outbox(s, dict(method="chat.postMessage", args={"channel": "U1"}, key=f"k{i}", kind="step",
                                     status="pending", due_at=now, attempts=1, urgent=False, created_at=now)).id
               for i in range(3)]
    items = [({"id": i, "status": "sent", "sent_ts": f"17.{i}", "sent_at": now, "last_error": None, "dm_channel": "D1"},
              {"outbox_id": i, "key": f"k{n}", "kind": "step", "target": "U1", "escalation_id": None, "at": now,
               "result": "delivered", "error": None, "ts": f"17.{i}"}) for n, i in enumerate(ids)]
    with database.transaction() as s:
        record_sent(s, items)
    with database.read_only() as s:
        rows = s.execute(select(Outbox).order_by(Outbox.id)).scalars().all()
        attempts = s.execute(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).scalars().all()
    assert [(r.status, r.sent_ts, r.sent_at, r.dm_channel) for r in rows] == [("sent", f"17.{i}", now, "D1") for i in ids]
    assert [(a.outbox_id, a.result, a.ts) for a in attempts] == [(i, "delivered", f"17.{i}") for i in ids]
