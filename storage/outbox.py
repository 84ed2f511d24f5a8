"""Writing durable intent: rows the deliverer sends after the transaction commits.

`enqueue` is called inside the caller's session, so a row exists exactly when the change
that needs it was committed. A key already queued is not queued again.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from .click_sql import insert_outbox
from .models import Outbox, Workspace, utcnow

LEASE = timedelta(seconds=30)  # how long a taken row is left to its taker: longer than one attempt with retries


DELIVERING = "canishare_delivering"  # Session.info key: the answer, when already read in this transaction
REMOVED = exists().where(Workspace.status != "active")  # the app was removed from its workspace


def delivering(s: Session) -> bool:
    """False once the app was removed from its workspace: nothing can be delivered; rows wait.
    Read once per transaction: a click's own read of its conversation brings it along
    (bot/conversations.py, `load`), so the click path makes no query of its own for it."""
    known = s.info.get(DELIVERING)
    if known is None:
        known = s.info[DELIVERING] = not s.execute(select(REMOVED)).scalar()
    return known


def enqueue(s: Session, *, key: str, kind: str, channel: str, text: str, blocks: list[dict] | None = None,
            conversation_id: str | None = None, escalation_id: str | None = None, role: str | None = None,
            urgent: bool = False, after: list[dict[str, Any]] | None = None, workspace: str | None = None,
            leased: bool = False, new_key: bool = False) -> Outbox | None:
    """Queue a chat.postMessage under a delivery id, due at once (the wall clock: a reminder
    computed for a given moment is still sent now). Returns None if that id is already queued.

    With `leased`, the row is born taken by the caller's thread (attempt 1 in flight, as the
    deliverer's take leaves it), which then sends it straight after the commit without a
    transaction of its own before the post; if that thread never does, the row is due again
    when the lease ends and is sent as after any attempt that may have posted.

    With `new_key`, the caller vouches that no committed row can have this key (a next step's
    key carries the conversation's version, which this very transaction raised), so it is not
    looked up: one query less per click. The unique index still refuses a duplicate. Such a
    row (a click's next step) is inserted at once by the driver's own statement
    (storage/click_sql.py) and returned as a plain object with its id, not in the session."""
    key = key[:160]
    if not new_key and s.execute(select(Outbox.id).where(Outbox.key == key)).first() is not None:
        return None
    for pending in s.new:  # queued earlier in this same transaction
        if isinstance(pending, Outbox) and pending.key == key:
            return None
    now = utcnow()
    values = dict(method="chat.postMessage", args={"channel": channel, "text": text, "blocks": blocks},
                  key=key, kind=kind, status="pending", due_at=now + LEASE if leased else now, conversation_id=conversation_id,
                  escalation_id=escalation_id, role=role, urgent=urgent, after=after, workspace=workspace,
                  attempts=1 if leased else 0, last_error="in_flight" if leased else None, created_at=now)
    if new_key:  # a click's next step: inserted at once by the driver's own statement (storage/click_sql.py)
        row = insert_outbox(s, values)
    else:
        row = Outbox(**values)
        s.add(row)
    row.leased = leased  # not a column: tells the deliverer this thread holds it
    return row


def latest_step(s: Session, conversation_id: str) -> Outbox | None:
    """The newest question or outcome queued for a conversation."""
    return s.execute(
        select(Outbox).where(Outbox.conversation_id == conversation_id, Outbox.kind == "step").order_by(Outbox.id.desc()).limit(1)
    ).scalar_one_or_none()
