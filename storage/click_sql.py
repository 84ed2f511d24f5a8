"""The click path's statements, sent to the driver as written, in the caller's session.

An answer click reads its conversation, writes it back with the version check and queues
its next step: three statements, eight times per decision. Through the ORM (or Core, which
compiles and caches a statement on every execution) each cost 0.3-0.5 ms of Python on this
2-core machine, three to four times that in the server, against 0.01 ms for the database
itself; they were most of the time between a click and its next question (bench/results-16e.md).
Here the SQL text is made once per dialect, the values go through the column types' own
converters (SQLAlchemy's bind and result processors, so a row reads and writes exactly as
through the ORM), and `Connection.exec_driver_sql` runs it in the session's own transaction:
the same BEGIN (IMMEDIATE on SQLite, the tenant's search_path on PostgreSQL), the same
error types (SQLAlchemy's DBAPIError family), the same commit.

The delivery thread's "sent" marks go the same way (`record_sent`): not on a click's path,
but they share its process and its GIL. Everything else (records, the chain, escalations,
every other outbox row) stays with the ORM.
"""
from __future__ import annotations

import re
import threading
from typing import Any, Callable, Iterable

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .models import Conversation, DeliveryAttempt, Outbox, Workspace

Convert = Callable[[Any], Any] | None

# What an answer changes (bot/conversations.py `answer`); the version rises with every write.
ANSWER_COLUMNS = ("state", "path", "status", "updated_at")
# What a delivery changes in its outbox row (bot/delivery.py `write_sent`).
SENT_COLUMNS = ("status", "sent_ts", "sent_at", "last_error", "dm_channel")


def _quote(name: str) -> str:
    return f'"{name}"'  # "key" is a keyword in SQLite; both dialects take double-quoted names


def _binders(dialect: Dialect, table: Table, columns: Iterable[str]) -> dict[str, Convert]:
    return {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns}


def _bound(binders: dict[str, Convert], values: dict[str, Any]) -> dict[str, Any]:
    return {name: _converted(values.get(name), convert) for name, convert in binders.items()}


def _converted(value: Any, convert: Convert) -> Any:
    return value if convert is None or value is None else convert(value)


class _Statements:
    """The SQL and the converters for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect.name
        conversations, outbox, attempts = Conversation.__table__, Outbox.__table__, DeliveryAttempt.__table__
        self.convo_columns = [c.name for c in conversations.columns]
        self.read_convo: dict[str, Convert] = {
            c.name: c.type.dialect_impl(dialect).result_processor(dialect, None) for c in conversations.columns}
        removed = (f"EXISTS (SELECT 1 FROM {_quote(Workspace.__table__.name)} "
                   f"WHERE {_quote('status')} <> 'active')")  # storage.outbox.REMOVED
        self.select = self._sql(f"SELECT {', '.join(map(_quote, self.convo_columns))}, {removed} "
                                f"FROM {_quote(conversations.name)} WHERE {_quote('id')} = :id")
        self.write_convo = _binders(dialect, conversations, ANSWER_COLUMNS)
        self.update = self._update(conversations, ANSWER_COLUMNS, f" AND {_quote('version')} = :version",
                                   extra=f", {_quote('version')} = :new_version")
        self.write_outbox = _binders(dialect, outbox, [c.name for c in outbox.columns if c.name != "id"])
        self.insert = self._insert(outbox, self.write_outbox, returning=self.dialect != "sqlite")
        self.write_sent = _binders(dialect, outbox, SENT_COLUMNS)
        self.sent = self._update(outbox, SENT_COLUMNS)
        self.write_attempt = _binders(dialect, attempts, [c.name for c in attempts.columns if c.name != "id"])
        self.attempt = self._insert(attempts, self.write_attempt)

    def _update(self, table: Table, columns: Iterable[str], where: str = "", extra: str = "") -> str:
        sets = ", ".join(f"{_quote(c)} = :{c}" for c in columns)
        return self._sql(f"UPDATE {_quote(table.name)} SET {sets}{extra} WHERE {_quote('id')} = :id{where}")

    def _insert(self, table: Table, columns: Iterable[str], returning: bool = False) -> str:
        names = list(columns)
        tail = f" RETURNING {_quote('id')}" if returning else ""
        return self._sql(f"INSERT INTO {_quote(table.name)} ({', '.join(map(_quote, names))}) "
                         f"VALUES ({', '.join(':' + c for c in names)}){tail}")

    def _sql(self, text: str) -> str:
        # sqlite3 takes :name as written; psycopg takes %(name)s. No other colon or % in these.
        return text if self.dialect == "sqlite" else re.sub(r":(\w+)", r"%(\1)s", text)


_made: dict[str, _Statements] = {}
_making = threading.Lock()


def _statements(s: Session) -> _Statements:
    dialect = s.get_bind().dialect
    known = _made.get(dialect.name)
    if known is None:
        with _making:
            known = _made.setdefault(dialect.name, _Statements(dialect))
    return known


def read_conversation(s: Session, conversation_id: str) -> tuple[Conversation, bool] | None:
    """The conversation (a plain, unsaved object: write it back with `write_answer`) and
    whether the app was removed from its workspace; None if there is no such conversation."""
    st = _statements(s)
    row = s.connection().exec_driver_sql(st.select, {"id": conversation_id}).first()
    if row is None:
        return None
    values = {name: _converted(value, st.read_convo[name]) for name, value in zip(st.convo_columns, row)}
    return Conversation(**values), bool(row[-1])


def write_answer(s: Session, convo: Conversation, version: int) -> None:
    """Write the answer's changes if the row is still at `version`; StaleDataError if a racing
    click wrote first (as the ORM's version check raises)."""
    st = _statements(s)
    params = _bound(st.write_convo, {name: getattr(convo, name) for name in ANSWER_COLUMNS})
    params.update(id=convo.id, version=version, new_version=version + 1)
    if s.connection().exec_driver_sql(st.update, params).rowcount != 1:
        raise StaleDataError(f"conversation {convo.id} changed since it was read")
    convo.version = version + 1


def insert_outbox(s: Session, values: dict[str, Any]) -> Outbox:
    """Insert an outbox row; returns it as a plain object with its id (not in the session)."""
    st = _statements(s)
    result = s.connection().exec_driver_sql(st.insert, _bound(st.write_outbox, values))
    row_id = result.lastrowid if st.dialect == "sqlite" else result.scalar_one()
    return Outbox(id=row_id, **values)


def record_sent(s: Session, items: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """(outbox row's new values with its id, its delivery attempt) pairs: one UPDATE and one
    INSERT, each executed once for all of them."""
    st = _statements(s)
    conn = s.connection()
    conn.exec_driver_sql(st.sent, [dict(_bound(st.write_sent, sent), id=sent["id"]) for sent, _ in items])
    conn.exec_driver_sql(st.attempt, [_bound(st.write_attempt, attempt) for _, attempt in items])
