"""A practitioner's conversation through the flowchart: loads the row, asks the conversation layer,
saves the row and the record. One session per call; the caller renders the result.

The per-click path is one indexed read of the conversation and one versioned write, sent
to the driver as written (storage/click_sql.py); the record (and its chain entry) is
written, through the ORM, only when an outcome is reached.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterator, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from conversation.flow import AlreadyAnswered, AnswerRefused, Flow, flow_for, flow_for_ref
from policy.pack import Node, Outcome
from storage.click_sql import read_conversation, write_answer
from storage.db import Database
from storage.models import Conversation, Outbox, Record, SeenRequest, utcnow
from storage.outbox import DELIVERING, REMOVED, latest_step
from storage.records import append, decided_at, pseudonymise

# What must reach Slack after a change, queued in the change's own transaction: given the
# session and the result, it adds outbox rows (the next question or outcome, pings).
Plan = Callable[[Session, "Result"], list[Outbox]]

Kind = Literal["question", "outcome", "already", "not_yours", "missing", "finished", "busy"]


@dataclass
class Result:
    kind: Kind
    conversation: Conversation | None = None
    flow: Flow | None = None
    node: Node | None = None  # the question to ask now
    outcome: Outcome | None = None
    record: Record | None = None
    answered: Node | None = None  # the question just answered (or taken back)
    answer: str | None = None
    previous: str | None = None  # for "already": what was answered before
    deliveries: list[int] = field(default_factory=list)  # outbox rows to deliver now, in order
    leased: list[Any] = field(default_factory=list)  # those of them born taken by this thread (storage.outbox.enqueue)
    step_pending: bool = False  # for "already": the next step has not reached Slack yet
    decided_at: datetime | None = None  # when the outcome was reached (naive UTC)

    @property
    def number(self) -> int:
        """The number of the question asked now (1-based)."""
        return len(self.conversation.path) + 1 if self.conversation else 1


_REQUEST = re.compile(r"\?|shar|can i|may i|should i|could i|start|begin|help|advice|advise|consent|safeguard|"
                      r"disclos|pass on|tell|inform|worr|concern|refer|child|family|parent|record", re.IGNORECASE)


def wants_to_start(text: object) -> bool:
    """Whether a DM reads as a request ("can I share this?") rather than "thanks" or "ok"."""
    return isinstance(text, str) and bool(_REQUEST.search(text))


def first_time(db: Database, key: str) -> bool:
    """True the first time a natural key is seen; a retried or duplicated delivery gets False."""
    try:
        with db.transaction() as s:
            s.add(SeenRequest(key=key[:128]))
    except IntegrityError:
        return False
    return True


def _queue(s: Session, plan: Plan | None, result: Result) -> Result:
    if plan is not None:
        rows = plan(s, result)
        s.flush()
        result.deliveries = [r.id for r in rows]
        result.leased = [r for r in rows if getattr(r, "leased", False)]
    return result


def start(db: Database, *, workspace: str, user_id: str, team: str, policy: str, channel_id: str | None,
          plan: Plan | None = None) -> Result:
    flow = flow_for(policy)
    with db.transaction() as s:
        # A new conversation replaces one left half-way: the old one counts as abandoned, and its
        # question not yet delivered is cancelled: arriving late, below the new one's first
        # question, it would be the message the practitioner clicks (found by bench/chaos).
        replaced = s.execute(select(Conversation.id).where(Conversation.user_id == user_id,
                                                           Conversation.status == "active")).scalars().all()
        if replaced:
            s.execute(
                update(Conversation)
                .where(Conversation.id.in_(replaced), Conversation.status == "active")
                .values(status="abandoned", updated_at=utcnow(), version=Conversation.version + 1)
            )
            s.execute(
                update(Outbox)
                .where(Outbox.conversation_id.in_(replaced), Outbox.kind == "step", Outbox.status == "pending")
                .values(status="cancelled", last_error="replaced by a new conversation")
                .execution_options(synchronize_session=False)
            )
        convo = Conversation(
            workspace=workspace, user_id=user_id, team=team, channel_id=channel_id, policy=flow.pack.ref, status="active"
        )
        flow.start(convo)
        s.add(convo)
        s.flush()
        return _queue(s, plan, Result("question", convo, flow, node=flow.question(convo)))


def load(s: Session, conversation_id: str, user_id: str,
         open_only: bool = False) -> tuple[Result | None, Conversation | None, Flow | None]:
    """The conversation if it is this user's (and, with open_only, still open to answers):
    (None, conversation, flow), or (the refusal, None, None)."""
    convo = None
    if conversation_id:  # with whether the app can deliver (storage.outbox.delivering): one query, not two
        row = s.execute(select(Conversation, REMOVED).where(Conversation.id == conversation_id)).first()
        if row is not None:
            convo, removed = row
            s.info[DELIVERING] = not removed
    if convo is None:
        return Result("missing"), None, None
    return _refusal(convo, user_id, open_only)


def _refusal(convo: Conversation, user_id: str, open_only: bool) -> tuple[Result | None, Conversation | None, Flow | None]:
    if convo.user_id != user_id:
        return Result("not_yours"), None, None
    flow = flow_for_ref(convo.policy)
    if open_only and convo.status in ("recorded", "abandoned"):
        return Result("finished", convo, flow), None, None
    return None, convo, flow


@contextmanager
def opened(db: Database, conversation_id: str, user_id: str,
           open_only: bool = False) -> Iterator[tuple[Session, Result | None, Conversation | None, Flow | None]]:
    """A transaction with the conversation loaded as `load` says."""
    with db.transaction() as s:
        yield (s, *load(s, conversation_id, user_id, open_only))


def _load_for_answer(s: Session, conversation_id: str, user_id: str) -> tuple[Result | None, Conversation | None, Flow | None]:
    """`load(..., open_only=True)` for the click path: the conversation as a plain object, read
    with the driver's own statement (storage/click_sql.py); `write_answer` saves it."""
    found = read_conversation(s, conversation_id) if conversation_id else None
    if found is None:
        return Result("missing"), None, None
    convo, removed = found
    s.info[DELIVERING] = not removed
    return _refusal(convo, user_id, open_only=True)


def answer(db: Database, *, conversation_id: str, user_id: str, node_id: str, answer: str, pseudonym_key: str,
           now: datetime | None = None, plan: Plan | None = None) -> Result:
    try:
        with db.transaction() as s:
            refused, convo, flow = _load_for_answer(s, conversation_id, user_id)
            if refused:
                return refused
            assert convo and flow
            version = convo.version
            try:
                step = flow.answer(convo, node_id, answer)
            except AlreadyAnswered as err:
                already = Result("already", convo, flow, answered=flow.pack.nodes.get(node_id), answer=answer,
                                 previous=err.previous)
                step = latest_step(s, convo.id)
                if step is not None and step.status != "sent":  # "your next step is below" must be true
                    if step.status == "failed":  # Slack refused it before; a new click asks again
                        step.status, step.due_at = "pending", utcnow()
                    already.step_pending, already.deliveries = True, [step.id]
                return already
            except AnswerRefused:
                if node_id in flow.pack.nodes and answer in ("yes", "no", "not_sure"):
                    return Result("already", convo, flow, answered=flow.pack.nodes[node_id], answer=answer)
                return Result("missing", convo, flow)
            convo.updated_at = now or utcnow()
            result = Result("question", convo, flow, node=flow.question(convo), answered=step.answered, answer=answer)
            if step.outcome is not None:
                convo.status = "decided"
            write_answer(s, convo, version)  # the version check: a racing click for the same question loses here
            if step.outcome is not None:
                result.kind, result.outcome = "outcome", step.outcome
                result.record = _decide(s, convo, flow, pseudonym_key, convo.updated_at)
                result.decided_at = convo.updated_at
            return _queue(s, plan, result)
    except StaleDataError:  # another click on the same question committed first
        return Result("already", answer=answer, previous=answer)


def _decide(s: Session, convo: Conversation, flow: Flow, key: str, now: datetime) -> Record:
    """Create or update the conversation's record on reaching an outcome; appends to the chain."""
    record = s.execute(select(Record).where(Record.conversation_id == convo.id)).scalar_one_or_none()
    if record is None:
        record = Record(conversation_id=convo.id, created_at=now, team=convo.team,
                        practitioner=pseudonymise(key, convo.user_id))
        s.add(record)
    record.policy = convo.policy
    record.path = list(convo.path)
    record.outcome = convo.state
    record.ground = flow.ground(convo)
    record.unsure_at = flow.unsure_at(convo)
    append(s, record, "outcome", now)
    return record


def back(db: Database, *, conversation_id: str, user_id: str, from_node: str, to_node: str | None = None,
         plan: Plan | None = None) -> Result:
    """Take back the last answer (or, with `to_node`, every answer from that question on),
    from the question or outcome message `from_node`. Only before the record is stored."""
    try:
        with opened(db, conversation_id, user_id, open_only=True) as (s, refused, convo, flow):
            if refused:
                return refused
            assert convo and flow
            if convo.state != from_node or not convo.path:
                return Result("already", convo, flow)
            if to_node is not None and to_node not in {p["node"] for p in convo.path}:
                return Result("missing", convo, flow)
            was_at = convo.state
            node = flow.back_to(convo, to_node) if to_node else flow.back(convo)
            convo.status = "active"
            convo.updated_at = utcnow()
            s.flush()
            answered = flow.pack.nodes.get(was_at)
            return _queue(s, plan, Result("question", convo, flow, node=node, answered=answered,
                                          outcome=flow.pack.outcomes.get(was_at)))
    except StaleDataError:
        return Result("already")


def current(db: Database, *, conversation_id: str, user_id: str) -> Result:
    with opened(db, conversation_id, user_id) as (s, refused, convo, flow):
        if refused:
            return refused
        assert convo and flow
        record = s.execute(select(Record).where(Record.conversation_id == convo.id)).scalar_one_or_none()
        return Result("outcome" if flow.outcome(convo) else "question", convo, flow, node=flow.question(convo),
                      outcome=flow.outcome(convo), record=record, decided_at=decided_at(s, record) if record else None)

