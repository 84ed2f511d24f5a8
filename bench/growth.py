"""Stored history for the growth benchmark: bulk SQLAlchemy core inserts in chunks of 10,000.

For each record: its conversation (decided or recorded), its chain entry, and for
seek_advice / urgent an escalation (mostly resolved) with its own chain entry; one extra
abandoned or idle walk per ten records. Conversations belong to USERS practitioners, the
same ids the growth run's simulated practitioners use, so their /canishare (which abandons
their active walk) looks through a real history. Each chain entry's prev_hash is the entry
before; the head is moved to the last entry, so new outcomes append after a million entries.
Hashes are random (the chain is not verified here). One transaction per chunk.
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from sqlalchemy import (
    column,
    create_engine,
    event,
    func,
    insert,
    select,
    table,
    text,
    update,
)
from sqlalchemy.engine import Engine

from storage.models import ChainEntry, ChainHead, Conversation, Escalation, Record

CHUNK = 10_000
USERS = 2_000
USER_PREFIX = "U0G"
OUTCOMES = (("share", 40), ("share_without_consent", 10), ("do_not_share", 25), ("seek_advice", 20), ("urgent", 5))
TEAM = "early-help"
NODES = ("danger", "purpose", "identifiable", "confidential", "consent", "legal_duty", "significant_harm", "serious_crime")
YEAR = timedelta(days=365)
PAD = " " * 240  # a chain payload is the whole record state: a few hundred bytes


def _hex(rng: random.Random, bits: int = 128) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def _plain(model) -> object:
    """The model's table without column types: values go to the driver as given (already
    serialised), which is most of the cost of a typed executemany of a million rows."""
    return table(model.__tablename__, *(column(c.name) for c in model.__table__.columns))


def count_records(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Record)).scalar_one()


def fill_engine(url: str) -> Engine:
    """An engine for filling only: on SQLite a 1 GiB page cache and no fsync (the random-keyed
    indexes of a 2 GB file otherwise make the last chunks several times slower than the first)."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-1048576")
            cur.close()
    return engine


def fill_to(engine: Engine, target: int, now: datetime, seed: int = 11) -> int:
    """Add records (and what goes with them) until there are `target`; returns rows inserted."""
    have = count_records(engine)
    if have >= target:
        return 0
    sqlite = engine.dialect.name == "sqlite"
    stamp = (lambda d: d.isoformat(sep=" ", timespec="microseconds")) if sqlite else (lambda d: d)
    rng = random.Random(seed + have)
    hexid = lambda: rng.randbytes(16).hex()
    hash64 = lambda: rng.randbytes(32).hex()
    outcomes = [o for o, _ in OUTCOMES]
    weights = [w for _, w in OUTCOMES]
    users = [f"{USER_PREFIX}{i:05d}" for i in range(USERS)]
    paths = {}  # (outcome, unsure) -> (path JSON, first step JSON)
    for outcome in outcomes:
        for unsure in (None, *NODES[1:]):
            path = [{"node": "danger", "answer": "yes" if outcome == "urgent" else "no"}]
            if unsure:
                path.append({"node": unsure, "answer": "not_sure"})
            paths[(outcome, unsure)] = (json.dumps(path), json.dumps(path[:1]))
    tables = {m: _plain(m) for m in (Record, Conversation, Escalation, ChainEntry)}
    span = YEAR.total_seconds()
    rows = 0
    with engine.connect() as conn:
        head = conn.execute(select(ChainHead.seq).where(ChainHead.id == 1)).scalar_one_or_none()
    seq = head or 0
    last_hash = ""
    for offset in range(have, target, CHUNK):  # one transaction per chunk, so the WAL is checkpointed as it goes
        with engine.begin() as conn:
            records, convos, escs, chain = [], [], [], []
            picked = rng.choices(outcomes, weights, k=min(CHUNK, target - offset))
            for outcome in picked:
                created = now - timedelta(seconds=rng.uniform(60, span))
                user = users[rng.randrange(USERS)]
                unsure = NODES[1 + rng.randrange(len(NODES) - 1)] if outcome == "seek_advice" else None
                path, first = paths[(outcome, unsure)]
                cid, record_id = hexid(), hexid()
                recorded = rng.random() < 0.7
                digest = hash64()
                at = stamp(created)
                records.append({
                    "id": record_id, "conversation_id": cid, "created_at": at, "updated_at": at,
                    "policy": "hmg-2008@1", "team": TEAM, "practitioner": hash64(), "path": path,
                    "outcome": outcome, "ground": "significant_harm" if outcome == "share_without_consent" else None,
                    "unsure_at": unsure, "escalation": None,
                    "shared_what": "Attendance concerns and a referral summary" if recorded else None,
                    "shared_with": "School designated safeguarding lead" if recorded else None,
                    "reason": "To coordinate support under the early help plan" if recorded else None,
                    "prev_hash": hash64(), "hash": digest,
                })
                seq += 1
                chain.append({"seq": seq, "record_id": record_id, "kind": "outcome", "at": at,
                              "payload": f'{{"id":"{record_id}","outcome":"{outcome}","path":{path},"team":"{TEAM}"}}' + PAD,
                              "prev_hash": last_hash or hash64(), "hash": digest})
                last_hash = digest
                convos.append({
                    "id": cid, "workspace": "T0BENCH", "user_id": user, "team": TEAM, "channel_id": "D" + user[1:],
                    "policy": "hmg-2008@1", "state": outcome, "path": path, "status": "recorded" if recorded else "decided",
                    "message_ts": None, "created_at": stamp(created - timedelta(minutes=2)), "updated_at": at, "version": 1,
                })
                if rng.random() < 0.1:  # a walk given up along the way
                    when = now - timedelta(seconds=rng.uniform(60, span))
                    convos.append({
                        "id": hexid(), "workspace": "T0BENCH", "user_id": user, "team": TEAM, "channel_id": "D" + user[1:],
                        "policy": "hmg-2008@1", "state": "purpose", "path": first, "status": "abandoned",
                        "message_ts": None, "created_at": stamp(when - timedelta(minutes=3)), "updated_at": stamp(when),
                        "version": 2,
                    })
                if outcome in ("seek_advice", "urgent"):
                    opened = created + timedelta(seconds=5)
                    claimed = opened + timedelta(minutes=rng.expovariate(1 / 25))
                    resolved = claimed + timedelta(minutes=rng.uniform(5, 240))
                    escs.append({
                        "id": hexid(), "record_id": record_id, "conversation_id": cid, "team": TEAM,
                        "practitioner_user": user, "urgent": outcome == "urgent", "node": unsure, "status": "resolved",
                        "opened_at": stamp(opened), "claimed_at": stamp(claimed), "claimed_by": "U0LEAD1",
                        "resolved_at": stamp(resolved), "lead_outcome": "advice_given", "pings": "[]",
                        "reminders_sent": 0, "remind_at": None, "version": 3,
                    })
                    seq += 1
                    last_hash = hash64()
                    chain.append({"seq": seq, "record_id": record_id, "kind": "escalation_resolved", "at": stamp(resolved),
                                  "payload": "{}" + PAD, "prev_hash": digest, "hash": last_hash})
            for model, batch in ((Record, records), (Conversation, convos), (Escalation, escs), (ChainEntry, chain)):
                if batch:
                    conn.execute(insert(tables[model]), batch)
                    rows += len(batch)
    with engine.begin() as conn:
        if head is None:
            conn.execute(insert(ChainHead).values(id=1, seq=seq, hash=last_hash, anchor_seq=0, anchor_hash="0" * 64))
        else:
            conn.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=seq, hash=last_hash))
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return rows
