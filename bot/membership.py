"""Team membership kept in Slack: a team's user group (`members_usergroup`) and channel
(`members_channel`) are resolved into the database, and every process reads them from there.

Slack is asked on a schedule (bot/scheduled_tasks.py) and when it says a group or channel
changed (bot/listeners/membership.py), never when a practitioner clicks: `MemberCache` gives
`Settings.teams_of` the members from the table, re-read within seconds of a change.

A source Slack will not resolve (a missing scope, a deleted or disabled group, a channel the
bot was not invited to) keeps the members last known, and the admins are told once per
problem; a team is never emptied because Slack said nothing. Each person's row keeps the
time of the change that set it (`as_of`), so a repeated or late event never undoes a newer one.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable, Mapping, Protocol, TypeVar

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import MembershipMember, MembershipSource, Outbox, utcnow
from storage.outbox import enqueue

from .config import Settings, Team
from .membership_text import EMPTY, problem_text
from .messenger import Views

log = logging.getLogger("canishare.membership")

REFRESH_EVERY = timedelta(minutes=15)
RETRY_TEMPORARY = timedelta(minutes=1)  # Slack busy or unreachable: soon, without telling anyone
TEMPORARY = {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
             "unreachable", "team_added_to_org"}


class DirectoryError(Exception):
    """Slack would not answer; `code` is its error (e.g. missing_scope, no_such_subteam)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class Directory(Protocol):
    """The outbound port to Slack's directory (bot/slack_directory.py for Slack itself)."""

    def usergroup_members(self, usergroup: str) -> list[str]: ...
    def channel_members(self, channel: str) -> list[str]: ...
    def is_deactivated(self, user_id: str) -> bool: ...


# --- which sources the configuration names ----------------------------------------------------

def usergroup_source(usergroup: str) -> str:
    return f"usergroup:{usergroup}"


def channel_source(channel: str) -> str:
    return f"channel:{channel}"


def sources_of(team: Team) -> list[str]:
    found = [usergroup_source(team.members_usergroup)] if team.members_usergroup else []
    return found + ([channel_source(team.members_channel)] if team.members_channel else [])


def configured_sources(settings: Settings) -> dict[str, list[Team]]:
    """Every source a team names, with the teams that name it."""
    out: dict[str, list[Team]] = {}
    for team in settings.teams:
        for source in sources_of(team):
            out.setdefault(source, []).append(team)
    return out


# --- writing ----------------------------------------------------------------------------------

T = TypeVar("T")


def _retrying(work: Callable[[], T], attempts: int = 3) -> T:
    """Two processes may insert the same row at once; the loser's transaction runs again."""
    for attempt in range(attempts):
        try:
            return work()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _source_row(s: Session, source: str) -> MembershipSource:
    """The source's row, locked: writers of one source's members take turns (PostgreSQL;
    SQLite's writers always do), so no change or version step is lost."""
    row = s.get(MembershipSource, source, with_for_update=True)
    if row is None:
        row = MembershipSource(source=source, version=0)
        s.add(row)
        s.flush()
    return row


def _set(s: Session, source: str, user_ids: Iterable[str], present: bool, as_of: float,
         rows: Mapping[str, MembershipMember] | None = None) -> int:
    """Mark these people present (or not) as of `as_of`, unless a newer change already holds.
    Returns how many rows changed presence."""
    ids = sorted(set(user_ids))
    if rows is None:
        rows = {m.user_id: m for m in s.scalars(select(MembershipMember).where(
            MembershipMember.source == source, MembershipMember.user_id.in_(ids)))} if ids else {}
    changed = 0
    for user_id in ids:
        row = rows.get(user_id)
        if row is None:  # a removal of someone unknown is kept too: a late older add must not win
            s.add(MembershipMember(source=source, user_id=user_id, present=present, as_of=as_of))
            changed += int(present)
        elif row.as_of <= as_of:
            changed += int(row.present != present)
            row.present, row.as_of = present, as_of
    return changed


def apply_delta(db: Database, source: str, added: Iterable[str], removed: Iterable[str], as_of: float) -> bool:
    """An event's change. False when the source was never resolved in full (a change to an
    unknown list would make a partial one): the caller resolves it instead."""
    added, removed = list(added), list(removed)

    def work() -> bool:
        with db.transaction() as s:
            src = s.get(MembershipSource, source, with_for_update=True)
            if src is None or src.resolved_at is None:
                return False
            changed = _set(s, source, added, True, as_of) + _set(s, source, removed, False, as_of)
            if changed:
                src.version += 1
            return True

    return _retrying(work)


@dataclass(frozen=True)
class Resolution:
    source: str
    ok: bool
    members: int  # present after this resolution (kept ones when it failed)
    changed: int = 0
    problem: str | None = None
    reports: tuple[int, ...] = ()  # outbox ids of admin reports queued


def resolve(db: Database, directory: Directory, settings: Settings, source: str, views: Views,
            now: datetime | None = None) -> Resolution:
    """Ask Slack for the source's whole list and make the table say the same."""
    now = now or utcnow()
    kind, ident = source.split(":", 1)
    as_of = time.time()  # before asking: any event after this moment is newer than the answer
    try:
        members = directory.usergroup_members(ident) if kind == "usergroup" else directory.channel_members(ident)
    except DirectoryError as err:
        return _failed(db, settings, source, err.code, views, now)
    members = sorted({m for m in members if isinstance(m, str) and m})

    def work() -> Resolution | None:
        with db.transaction() as s:
            src = _source_row(s, source)
            rows = {m.user_id: m for m in s.scalars(select(MembershipMember).where(MembershipMember.source == source))}
            known = sum(1 for r in rows.values() if r.present)
            if not members and known:
                return None
            changed = _set(s, source, members, True, as_of, rows)
            changed += _set(s, source, [u for u, r in rows.items() if r.present and u not in members], False, as_of, rows)
            if changed:
                src.version += 1
            src.resolved_at = src.checked_at = now
            src.problem = src.problem_since = None
            return Resolution(source, True, len(members), changed)

    done = _retrying(work)
    if done is None:
        return _failed(db, settings, source, EMPTY, views, now)
    if done.changed:
        log.info("membership of %s: %d people (%d changed)", source, done.members, done.changed)
    return done


def _failed(db: Database, settings: Settings, source: str, code: str, views: Views, now: datetime) -> Resolution:
    """Keep what we knew; tell the admins once per problem (a conditional update, so two
    processes failing together report once)."""
    temporary = code in TEMPORARY
    log.warning("could not resolve the members of %s: %s", source, code)

    def work() -> tuple[int, list[Outbox]]:
        with db.transaction() as s:
            _source_row(s, source)
            # A temporary failure is due again after RETRY_TEMPORARY, a lasting one after REFRESH_EVERY.
            checked = now - REFRESH_EVERY + RETRY_TEMPORARY if temporary else now
            s.execute(update(MembershipSource).where(MembershipSource.source == source).values(checked_at=checked))
            known = s.scalar(select(func.count()).select_from(MembershipMember).where(
                MembershipMember.source == source, MembershipMember.present.is_(True))) or 0
            if temporary:
                return known, []
            taken = s.execute(update(MembershipSource).where(
                MembershipSource.source == source, or_(MembershipSource.problem.is_(None), MembershipSource.problem != code))
                .values(problem=code, problem_since=now)).rowcount
            if not taken:
                return known, []
            if not settings.admins:
                log.warning("no admins to tell that %s could not be resolved", source)
            text = problem_text(source, code, configured_sources(settings).get(source, []), known)
            stamp = now.isoformat(timespec="microseconds")  # one report per problem (or deactivation) seen
            rows = [enqueue(s, key=f"membership:{source}:{code}:{stamp}:{admin}", kind="alert", channel=admin,
                            text="A team's membership could not be read from Slack", blocks=views.notice(text))
                    for admin in settings.admins]
            s.flush()
            return known, [r for r in rows if r is not None]

    known, rows = _retrying(work)
    return Resolution(source, False, known, problem=code, reports=tuple(r.id for r in rows))


# --- reading, on the click path --------------------------------------------------------------

class MemberCache:
    """The resolved members, per process: re-read from the table when a source's version
    moved (checked at most every `poll_seconds`). Never asks Slack. A database error keeps
    what was read last."""

    def __init__(self, db: Database, poll_seconds: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.db = db
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._checked = float("-inf")
        self._versions: dict[str, int] = {}
        self._members: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def members(self) -> dict[str, frozenset[str]]:
        """source -> present user ids."""
        if self.clock() - self._checked >= self.poll_seconds and self._lock.acquire(blocking=not self._members):
            try:  # one thread re-reads; the others go on with what is there
                self._reload()
            finally:
                self._lock.release()
        return self._members

    def _reload(self) -> None:
        try:
            with self.db.glance() as s:  # a read: never waits for (or holds) SQLite's write lock
                versions = dict(s.execute(select(MembershipSource.source, MembershipSource.version)).all())
                if versions != self._versions or self._checked == float("-inf"):
                    found: dict[str, set[str]] = {}
                    for source, user_id in s.execute(select(MembershipMember.source, MembershipMember.user_id)
                                                     .where(MembershipMember.present.is_(True))):
                        found.setdefault(source, set()).add(user_id)
                    self._members = {k: frozenset(v) for k, v in found.items()}
                    self._versions = versions
        except SQLAlchemyError:
            log.warning("could not read team memberships; using the ones read before")
        self._checked = self.clock()

    def by_team(self, settings: Settings) -> dict[str, frozenset[str]]:
        """team id -> its members from Slack, for Settings.teams_of."""
        members = self.members()
        out: dict[str, frozenset[str]] = {}
        for team in settings.teams:
            found = frozenset().union(*(members.get(src, frozenset()) for src in sources_of(team)))
            if found:
                out[team.id] = found
        return out


@dataclass(frozen=True)
class SourceStatus:
    """What the App Home can show of a source: how many people, read when, what went wrong."""
    members: int
    resolved_at: datetime | None
    problem: str | None


def statuses(db: Database, settings: Settings) -> dict[str, SourceStatus]:
    """source -> its status, for every source a team names (one never read yet: 0, None, None)."""
    wanted = sorted(configured_sources(settings))
    with db.read_only() as s:
        rows = {r.source: r for r in s.scalars(select(MembershipSource).where(MembershipSource.source.in_(wanted)))}
        counts = dict(s.execute(select(MembershipMember.source, func.count()).where(
            MembershipMember.source.in_(wanted), MembershipMember.present.is_(True)).group_by(MembershipMember.source)).all())
    return {src: SourceStatus(counts.get(src, 0), rows[src].resolved_at if src in rows else None,
                              rows[src].problem if src in rows else None) for src in wanted}
