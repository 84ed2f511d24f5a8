"""On SQLite, a process's threads take turns at the file's write lock in Python (Database._turn),
so the next thread goes the moment the lock is free instead of sleeping in SQLite's busy
handler; and nothing that worked before hangs (a second transaction, or a glance, inside one)."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from storage.db import Database, sqlite_turns
from storage.models import Conversation, Workspace
from storage.outbox import DELIVERING, delivering


@pytest.fixture
def sqlite_db(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'turns.db'}")
    db.migrate()
    yield db
    db.engine.dispose()


def _conversation(db: Database) -> str:
    with db.transaction() as s:
        convo = Conversation(workspace="T0TURN", user_id="U0TURN", team="t", policy="hmg-2024@2", status="active", state="danger", path=[])
        s.add(convo)
        s.flush()
        return convo.id


def test_one_lock_per_file_however_many_databases_share_its_engine(sqlite_db: Database):
    other = Database(engine=sqlite_db.engine)
    assert sqlite_db._writer is not None and other._writer is sqlite_db._writer
    assert sqlite_turns(Database(str(sqlite_db.engine.url).replace("turns.db", "other.db")).engine) is not sqlite_db._writer


def test_postgresql_takes_no_turns_in_python(database: Database):
    if database.dialect == "sqlite":
        pytest.skip("this test is about PostgreSQL (it runs in the PostgreSQL pass)")
    assert database._writer is None


def test_a_second_thread_waits_for_the_first_transaction_and_then_sees_its_write(sqlite_db: Database):
    cid = _conversation(sqlite_db)
    inside, release, seen = threading.Event(), threading.Event(), []

    def first() -> None:
        with sqlite_db.transaction() as s:
            s.execute(update(Conversation).where(Conversation.id == cid).values(state="q2"))
            inside.set()
            release.wait(5)

    def second() -> None:
        with sqlite_db.transaction() as s:
            seen.append(s.execute(select(Conversation.state).where(Conversation.id == cid)).scalar_one())

    a = threading.Thread(target=first)
    a.start()
    assert inside.wait(5)
    b = threading.Thread(target=second)
    b.start()
    time.sleep(0.2)
    assert seen == []  # still waiting its turn: the first has not committed
    release.set()
    a.join(5)
    b.join(5)
    assert seen == ["q2"]


def test_a_failed_transaction_gives_up_its_turn(sqlite_db: Database):
    with pytest.raises(RuntimeError):
        with sqlite_db.transaction():
            raise RuntimeError("boom")
    done = []
    t = threading.Thread(target=lambda: done.append(_conversation(sqlite_db)))
    t.start()
    t.join(5)
    assert done, "another thread could not write after a rolled-back transaction"


def test_a_glance_inside_a_transaction_does_not_hang(sqlite_db: Database):
    cid = _conversation(sqlite_db)
    with sqlite_db.transaction() as s:
        s.execute(update(Conversation).where(Conversation.id == cid).values(state="q3"))
        with sqlite_db.glance() as g:
            assert g.execute(select(Conversation.state).where(Conversation.id == cid)).scalar_one() == "danger"


def test_the_click_reads_whether_it_can_deliver_with_its_conversation(sqlite_db: Database):
    from bot.conversations import load

    cid = _conversation(sqlite_db)
    with sqlite_db.transaction() as s:
        refused, convo, _flow = load(s, cid, "U0TURN")
        assert s.info[DELIVERING] is True and delivering(s) is True
    with sqlite_db.transaction() as s:
        s.add(Workspace(id="T0TURN", status="removed"))
    with sqlite_db.transaction() as s:
        load(s, cid, "U0TURN")
        assert s.info[DELIVERING] is False and delivering(s) is False
    with sqlite_db.transaction() as s:  # without a conversation read first, it is asked for
        assert delivering(s) is False


def test_a_turn_not_had_in_time_goes_ahead_to_sqlites_own_wait(sqlite_db: Database, monkeypatch):
    import storage.db as db_module

    monkeypatch.setattr(db_module, "TURN_WAIT", 0.2)
    held, done = threading.Event(), threading.Event()

    def hold() -> None:  # a thread that has the turn and never lets go (e.g. waiting on another file)
        sqlite_db._writer.acquire()
        held.set()
        done.wait(5)
        sqlite_db._writer.release()

    t = threading.Thread(target=hold)
    t.start()
    assert held.wait(5)
    started = time.monotonic()
    _conversation(sqlite_db)  # not held by SQLite's lock: it goes ahead once its wait is over
    assert 0.15 <= time.monotonic() - started < 5
    done.set()
    t.join(5)
