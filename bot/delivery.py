"""Delivering the outbox: what must reach Slack, sent after the transaction that needed it.

Each row is taken by a conditional update (so two threads or processes never send it at
once), posted with its delivery id in the message metadata, and every attempt is recorded.
What Slack says decides what happens next:

- temporary (rate limits, 5xx, `internal_error` …): tried again with backoff, urgent pings
  and next steps within seconds;
- uncertain (a timeout, a dropped connection, a process killed mid-call): the conversation's
  recent history is read first, and a post Slack did make is not made again;
- unreachable (`not_in_channel`, `channel_not_found`, a deactivated lead …): a ping goes
  another way at once (see Escalations.reroute) and the admins are told.
"""
from __future__ import annotations

import atexit
import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from storage.click_sql import record_sent
from storage.db import Database
from storage.models import DeliveryAttempt, Outbox, utcnow
from storage.outbox import LEASE, delivering

from .metrics import NEXT_QUESTION_SECONDS

log = logging.getLogger("canishare.delivery")

METADATA_EVENT = "canishare_delivery"
TEMPORARY = {"ratelimited", "rate_limited", "service_unavailable", "internal_error", "fatal_error", "request_timeout",
             "timeout", "team_added_to_org"}
UNREACHABLE = {"not_in_channel", "channel_not_found", "is_archived", "account_inactive", "user_not_found", "user_disabled",
               "cannot_dm_bot", "messages_tab_disabled", "restricted_action", "team_access_not_granted",
               "ekm_access_denied", "is_inactive", "not_allowed_token_type", "user_is_restricted"}
MAX_EDIT_ATTEMPTS = 8
MAX_TEMPORARY_BEFORE_REROUTE = 4  # a ping still failing after this also goes another way


def make_delivery_client(token: str, base_url: str | None, timeout: int = 8) -> WebClient:
    """The client deliveries use: Slack's own handlers retry 429 (honouring Retry-After) and
    5xx, which mean nothing was posted. A connection error or timeout is not retried blindly
    here: the post may have been made, so the deliverer looks at the history first."""
    kwargs: dict[str, Any] = {"token": token, "timeout": timeout}
    if base_url:
        kwargs["base_url"] = base_url
    client = WebClient(**kwargs)
    client.retry_handlers = [RateLimitErrorRetryHandler(max_retry_count=2), ServerErrorRetryHandler(max_retry_count=2)]
    return client


def classify(err: Exception) -> tuple[str, str]:
    """(temporary | uncertain | unreachable | refused, Slack's error code or the exception type)."""
    if isinstance(err, SlackApiError):
        code = str(err.response.get("error") or "")
        status = getattr(err.response, "status_code", 0) or 0
        if status == 429 or status >= 500 or code in TEMPORARY:
            return "temporary", code or f"http_{status}"
        if code in UNREACHABLE:
            return "unreachable", code
        return "refused", code or f"http_{status}"
    return "uncertain", type(err).__name__


def backoff(row: Outbox) -> timedelta:
    n = max(row.attempts, 1)
    if row.kind == "step" or (row.kind == "ping" and row.urgent):
        return timedelta(seconds=min(2 ** (n - 1), 5))
    if row.kind in ("ping", "notice", "alert"):
        return timedelta(seconds=min(2 ** n, 30))
    return timedelta(seconds=min(2 ** n, 120))


class Deliverer:
    """Sends outbox rows. `hooks` (the escalation service) decides what a delivered or
    unreachable ping means; it is called inside the transaction that records the attempt."""

    def __init__(self, client: WebClient, db: Database, hooks: Any = None, edit: Callable[..., Any] | None = None):
        self.client = client
        self.db = db
        self.hooks = hooks
        self.records: _SentInto | None = None  # None: each "sent" mark is written at once
        self._busy: set[int] = set()
        self._lock = threading.Lock()

    # --- taking a row ---------------------------------------------------------------------
    def _take(self, row_id: int, now: datetime, force: bool, check_workspace: bool = False) -> Outbox | None:
        """The row, leased to this thread; None if it is not to be sent now. With
        `check_workspace`, also None once the app was removed from its workspace (see
        `_working`), checked in the same transaction: no transaction of its own before a post."""
        with self._lock:
            if row_id in self._busy:
                return None
            self._busy.add(row_id)
        try:
            with self.db.transaction() as s:
                if check_workspace and not delivering(s):
                    self._release(row_id)
                    return None
                cond = [Outbox.id == row_id, Outbox.status == "pending"]
                if not force:
                    cond.append(Outbox.due_at <= now)
                else:  # even forced, never a row another thread is sending now (its lease still runs)
                    cond.append(or_(Outbox.last_error.is_(None), Outbox.last_error != "in_flight", Outbox.due_at <= now))
                taken = s.execute(update(Outbox).where(*cond)
                                  .values(due_at=now + LEASE, attempts=Outbox.attempts + 1)
                                  .execution_options(synchronize_session=False)).rowcount
                row = s.get(Outbox, row_id) if taken == 1 else None
                if row is None:  # not due, already sent, or taken by another process
                    self._release(row_id)
                    return None
                # Whether an earlier attempt may have posted (a timeout, or a process that died
                # holding the row) is decided from what that attempt left behind.
                row.uncertain = row.attempts > 1 and (row.last_error in (None, "in_flight") or row.last_error.startswith("uncertain"))
                s.execute(update(Outbox).where(Outbox.id == row_id).values(last_error="in_flight")
                          .execution_options(synchronize_session=False))
                return row
        except BaseException:
            self._release(row_id)
            raise

    def _release(self, row_id: int) -> None:
        with self._lock:
            self._busy.discard(row_id)

    # --- public ---------------------------------------------------------------------------
    def deliver(self, row_ids: Iterable[int], force: bool = False, leased: Iterable[Outbox] = ()) -> int:
        """Deliver these rows now, in order (the caller's question before its pings). Nothing is
        sent once the app was removed from its workspace: checked as each row is taken. Rows in
        `leased` were born taken by this thread (storage.outbox.enqueue, in a transaction that
        checked the workspace): they are posted at once, with no transaction before the post."""
        owned = {row.id: row for row in leased}
        sent = 0
        for row_id in row_ids:
            row = owned.get(row_id)
            sent += (self._deliver_owned(row) if row is not None
                     else self._deliver_one(row_id, utcnow(), force, check_workspace=True))
        return sent

    def _deliver_owned(self, row: Outbox) -> int:
        with self._lock:
            if row.id in self._busy:
                return 0
            self._busy.add(row.id)
        try:
            row.uncertain = False  # its first attempt: nothing can have been posted yet
            return self._attempt(row)
        finally:
            self._release(row.id)

    def ensure(self, row_ids: list[int], wait: float = 5.0) -> bool:
        """Make sure these rows reach Slack now: deliver them, or, if another thread is already
        delivering them, wait for it. True when all were delivered."""
        self.deliver(row_ids, force=True)
        deadline = time.monotonic() + wait
        while True:
            with self.db.transaction() as s:
                left = s.execute(select(Outbox.id).where(Outbox.id.in_(row_ids), Outbox.status != "sent")).first()
            if left is None:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def run_due(self, now: datetime | None = None, limit: int = 50) -> int:
        now = now or utcnow()
        if not self._working():
            return 0
        with self.db.transaction() as s:
            ids = s.execute(select(Outbox.id).where(Outbox.status == "pending", Outbox.due_at <= now)
                            .order_by(Outbox.id).limit(limit)).scalars().all()
        return sum(self._deliver_one(i, now, False) for i in ids)

    def _working(self) -> bool:
        """False once the app was removed from its workspace: nothing can be delivered; rows wait."""
        try:
            with self.db.transaction() as s:
                return delivering(s)
        except SQLAlchemyError:
            return True  # the delivery itself will find the database down and wait

    def release_all(self) -> int:
        """At start-up: whatever a killed process was holding is due at once."""
        with self.db.transaction() as s:
            return s.execute(update(Outbox).where(Outbox.status == "pending").values(due_at=utcnow())
                             .execution_options(synchronize_session=False)).rowcount

    # --- one row --------------------------------------------------------------------------
    def _deliver_one(self, row_id: int, now: datetime, force: bool, check_workspace: bool = False) -> int:
        try:
            row = self._take(row_id, now, force, check_workspace)
        except SQLAlchemyError:
            log.warning("database unavailable; delivery waits")
            return 0
        if row is None:
            return 0
        try:
            return self._attempt(row)
        finally:
            self._release(row_id)

    def _attempt(self, row: Outbox) -> int:
        if row.key and row.method == "chat.postMessage" and getattr(row, "uncertain", False):
            try:
                found = self._find_posted(row)
            except Exception as err:  # noqa: BLE001 - cannot tell: try again shortly, never post blind
                self._failed(row, "uncertain", f"history_{classify(err)[1]}"[:48], None)
                return 0
            if found:
                self._delivered(row, found[0], found[1], "found")
                return 1
        refusal = self._refused_channel(row)
        if refusal:  # e.g. a channel shared with another organisation: the ping goes another way
            self._failed(row, "unreachable", refusal, None)
            return 0
        args = dict(row.args)
        if row.key and row.method == "chat.postMessage":
            args["metadata"] = {"event_type": METADATA_EVENT, "event_payload": {"delivery": row.key}}
        try:
            resp = self.client.api_call(row.method, json=args)
        except Exception as err:  # noqa: BLE001 - every failure is classified and recorded
            kind, code = classify(err)
            self._failed(row, kind, code, _retry_after(err))
            return 0
        channel = resp.get("channel") or args.get("channel")
        self._delivered(row, channel, resp.get("ts") or args.get("ts"), "delivered")
        return 1

    def _refused_channel(self, row: Outbox) -> str | None:
        """The escalation service's refusal of this ping's channel (bot/escalation_routing.py)."""
        check = getattr(self.hooks, "channel_refusal", None) if row.kind == "ping" else None
        return check(self.client, row) if check is not None else None

    def _dm_channel(self, row: Outbox) -> str | None:
        channel = row.dm_channel or str(row.args.get("channel") or "")
        if channel[:1] in ("U", "W"):
            opened = self.client.conversations_open(users=channel)
            channel = opened["channel"]["id"]
            with self.db.transaction() as s:
                s.execute(update(Outbox).where(Outbox.id == row.id).values(dm_channel=channel)
                          .execution_options(synchronize_session=False))
        return channel or None

    def _find_posted(self, row: Outbox) -> tuple[str, str] | None:
        """The message this row already made, if Slack did post it before we lost the answer."""
        channel = self._dm_channel(row)
        if not channel:
            return None
        oldest = f"{_epoch(row.created_at) - 60:.6f}"
        resp = self.client.conversations_history(channel=channel, oldest=oldest, limit=100, include_all_metadata=True)
        for message in resp.get("messages") or []:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == METADATA_EVENT and (meta.get("event_payload") or {}).get("delivery") == row.key:
                return channel, message.get("ts")
        return None

    def _record(self, s, row: Outbox, result: str, error: str | None, ts: str | None) -> None:
        s.add(DeliveryAttempt(outbox_id=row.id, key=row.key, kind=row.kind, target=str(row.args.get("channel") or "")[:32],
                              escalation_id=row.escalation_id, at=utcnow(), result=result, error=error, ts=ts))

    def _delivered(self, row: Outbox, channel: str | None, ts: str | None, how: str) -> None:
        follow_ids: list[int] = []
        if row.kind == "ping" and self.hooks is not None:
            follow_ids = self._delivered_ping(row, channel, ts, how)
        else:  # a next step, notice or edit: two plain statements, no ORM load of the row
            self._record_sent(row, channel, ts, how)
        for edit in row.after or []:  # e.g. the answered question, rewritten after the next one is out
            self._edit(edit)
        self.deliver(follow_ids)  # "your lead has it", straight after the ping

    def record_in_batches(self) -> None:
        """From now on "sent" marks are written by a thread of their own, several per
        transaction (SentRecords), instead of one transaction after every post."""
        if self.records is None:
            self.records = SentRecords().for_database(self.db)

    def _record_sent(self, row: Outbox, channel: str | None, ts: str | None, how: str) -> None:
        """Mark the row sent and record the attempt: plain bulk statements, no ORM load of the
        row; batched (record_in_batches) or at once."""
        now = utcnow()
        sent = {"id": row.id, "status": "sent", "sent_ts": ts, "sent_at": now, "last_error": None,
                "dm_channel": channel or row.dm_channel}
        attempt = {"outbox_id": row.id, "key": row.key, "kind": row.kind, "target": str(row.args.get("channel") or "")[:32],
                   "escalation_id": row.escalation_id, "at": now, "result": how, "error": None, "ts": ts}
        if self.records is not None:
            self.records.add(sent, attempt)
        else:
            write_sent(self.db, [(sent, attempt)])
        if row.kind == "step" and row.created_at is not None:  # written with the click's answer
            NEXT_QUESTION_SECONDS.observe(max(0.0, (now - row.created_at).total_seconds()))

    def _edit(self, edit: dict) -> None:
        try:
            self.client.api_call(edit.get("method", "chat.update"), json=edit["args"])
        except Exception as err:  # noqa: BLE001 - a stale old message is untidy, not harmful
            kind, code = classify(err)
            if kind in ("temporary", "uncertain"):
                with self.db.transaction() as s:
                    s.add(Outbox(method=edit.get("method", "chat.update"), args=edit["args"], kind="edit",
                                 due_at=utcnow() + timedelta(seconds=5)))
            else:
                log.warning("could not rewrite an answered message: %s", code)

    def _delivered_ping(self, row: Outbox, channel: str | None, ts: str | None, how: str) -> list[int]:
        """A ping: the escalation service decides what its delivery means, in the same
        transaction; returns the rows it queued in answer (to deliver next)."""
        with self.db.transaction() as s:
            fresh = s.get(Outbox, row.id)
            fresh.status, fresh.sent_ts, fresh.sent_at, fresh.last_error = "sent", ts, utcnow(), None
            fresh.dm_channel = channel or fresh.dm_channel
            self._record(s, fresh, how, None, ts)
            follow = self.hooks.delivered(s, fresh) or []
            s.flush()
            return [r.id for r in follow]

    def _failed(self, row: Outbox, kind: str, code: str, retry_after: int | None) -> None:
        log.warning("delivery of a %s failed (%s: %s), attempt %d", row.kind, kind, code, row.attempts)
        follow_ids: list[int] = []
        with self.db.transaction() as s:
            fresh = s.get(Outbox, row.id)
            self._record(s, fresh, kind, code[:64], None)
            give_up = kind in ("unreachable", "refused") or (fresh.kind == "edit" and fresh.attempts >= MAX_EDIT_ATTEMPTS)
            if give_up:
                fresh.status, fresh.last_error = "failed", code[:64]
                if self.hooks is not None and fresh.kind == "ping":
                    follow = self.hooks.unreachable(s, fresh, code) or []
                    s.flush()
                    follow_ids = [r.id for r in follow]
            else:
                wait = backoff(fresh)
                if retry_after:
                    wait = max(wait, timedelta(seconds=min(retry_after, 60)))
                fresh.due_at = utcnow() + wait
                fresh.last_error = (f"uncertain:{code}" if kind == "uncertain" else code)[:64]
                if self.hooks is not None and fresh.kind == "ping" and fresh.attempts == MAX_TEMPORARY_BEFORE_REROUTE:
                    follow = self.hooks.unreachable(s, fresh, code, keep_trying=True) or []
                    s.flush()
                    follow_ids = [r.id for r in follow]
        self.deliver(follow_ids)  # the other way, at once


def write_sent(db: Database, items: list[tuple[dict, dict]]) -> None:
    """(outbox row's new values, its delivery attempt) pairs, in one transaction."""
    with db.transaction() as s:
        record_sent(s, items)


class SentRecords:
    """Writes "sent" marks in batches, from a thread of its own, so a click's post is not
    followed by a transaction of its own: on PostgreSQL each commit waits for its WAL flush,
    and on SQLite it takes the write lock the practitioner's next click needs at that moment.

    A mark still in memory when the process dies (kill -9) leaves its row in flight, as a
    process killed just after its post always did: once its lease ends the row is taken again
    and, as after any attempt that may have posted, found in the conversation's history rather
    than posted twice. A normal exit writes what is left (atexit).

    One thread serves every database of the process (each tenant's, on a deployment of many:
    a thread per tenant would not scale to a hundred councils). Each database's marks are
    written in its own transaction, and a database that refuses keeps its marks waiting
    without holding up the others'. `for_database(db)` is what a Deliverer keeps as `records`.
    """

    WINDOW = 0.02  # seconds: the posts of the next few clicks join the same transaction
    RETRY = 1.0  # seconds between tries while the database is unavailable
    MAX_WAITING = 10_000  # beyond this (a long outage) marks are dropped: their leases end and history decides

    def __init__(self) -> None:
        self._items: dict[int, tuple[Database, list[tuple[dict, dict]]]] = {}
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def for_database(self, db: Database) -> "_SentInto":
        return _SentInto(self, db)

    def add(self, db: Database, sent: dict, attempt: dict) -> None:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="canishare-sent-records", daemon=True)
                self._thread.start()
                atexit.register(self.flush)
            self._items.setdefault(id(db), (db, []))[1].append((sent, attempt))
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not any(items for _db, items in self._items.values()):
                    self._cond.wait()
            time.sleep(self.WINDOW)
            if not self.flush():
                time.sleep(self.RETRY)

    def flush(self) -> bool:
        """Write every database's waiting marks; False if any database refused (its marks wait)."""
        with self._cond:
            pending, self._items = self._items, {}
        ok = True
        for key, (db, items) in pending.items():
            if not items:
                continue
            try:
                write_sent(db, items)
            except SQLAlchemyError:
                ok = False
                log.warning("database unavailable; %d delivery record(s) wait", len(items))
                with self._cond:
                    self._items.setdefault(key, (db, []))[1][:0] = items[-self.MAX_WAITING:]
            except Exception as error:  # noqa: BLE001 - the thread must outlive any one failure
                log.error("could not write delivery records: %s", type(error).__name__)
        return ok


class _SentInto:
    """One database's door into SentRecords (what Deliverer.records needs: add)."""

    def __init__(self, shared: SentRecords, db: Database):
        self.shared, self.db = shared, db

    def add(self, sent: dict, attempt: dict) -> None:
        self.shared.add(self.db, sent, attempt)

    def flush(self) -> bool:
        return self.shared.flush()


def _retry_after(err: Exception) -> int | None:
    headers = getattr(getattr(err, "response", None), "headers", None) or {}
    value = next((v for k, v in headers.items() if str(k).lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _epoch(naive_utc: datetime) -> float:
    from datetime import timezone
    return naive_utc.replace(tzinfo=timezone.utc).timestamp()


class DeliveryLoop:
    """Delivers due rows every second in the background; the first pass runs at once.

    Given one Deliverer (one workspace), that one; given `tenants` (a callable answering the
    Deps of every active tenant, bot/tenant_deps.TenantDeps.served), each tenant's deliverer in
    turn on every pass, on its own database with its own token: one failing tenant never stops
    the others, and a tenant removed since the last pass is simply not in the list."""

    def __init__(self, deliverer: Deliverer | None = None, interval: float = 1.0,
                 tenants: Callable[[], Iterable[Any]] | None = None):
        assert (deliverer is None) != (tenants is None), "one deliverer, or the tenants'"
        self.deliverer = deliverer
        self.tenants = tenants
        self.interval = interval
        self._released: set[str] = set()  # tenants whose leftovers from before the restart were released
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="canishare-delivery", daemon=True)

    def start(self) -> "DeliveryLoop":
        if self.deliverer is not None:
            self.deliverer.record_in_batches()
            self._release(self.deliverer)
        self._thread.start()
        return self

    @staticmethod
    def _release(deliverer: Deliverer) -> None:
        try:
            released = deliverer.release_all()
            if released:
                log.warning("delivering %d undelivered item(s) left from before the restart", released)
        except SQLAlchemyError:
            log.warning("database unavailable at start; undelivered items go when it answers")

    def stop(self) -> None:
        self._stop.set()

    def run_once(self) -> None:
        if self.deliverer is not None:
            self.deliverer.run_due()
            return
        for deps in self.tenants():  # type: ignore[misc]
            try:
                if deps.tenant not in self._released:
                    self._released.add(deps.tenant)
                    self._release(deps.deliverer)
                deps.deliverer.run_due()
            except Exception as error:  # noqa: BLE001 - one tenant's failure must not stop the others
                log.error("delivery pass failed for tenant %s: %s", deps.tenant, type(error).__name__)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the loop must outlive any one failure
                log.exception("delivery pass failed")
            self._stop.wait(self.interval)
