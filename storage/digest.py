"""The weekly digest: counts only, aggregated in the database.

Nothing here loads a record into Python. Every figure is a GROUP BY / COUNT over indexed
columns (`records.created_at`, `escalations.opened_at`, `conversations(status, updated_at)`);
the only column fetched row by row is the minutes-to-claim of the week's claimed
escalations on SQLite, which has no median aggregate (PostgreSQL uses percentile_cont).

The output holds counts keyed by outcome, team id and node id, and ISO times: no
pseudonym, Slack ID, name or free text can reach it, because no such column is read.

Weeks are calendar weeks in the configured timezone: a digest ending on Monday 09:00
Europe/London starts the Monday before at 09:00 Europe/London, so a week that spans a clock
change lasts 167 or 169 hours and consecutive digests tile with no gap and no overlap.
"""
from __future__ import annotations

import statistics
from datetime import date, datetime, time as dtime, timedelta, timezone
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, extract, func, or_, select, text
from sqlalchemy.orm import Session

from policy.outcomes import OUTCOMES

from .access import count_by_action
from .models import Conversation, Escalation, Record, Referral, as_utc, naive_utc
from .records import iso

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ABANDON_AFTER = timedelta(hours=24)


class DigestSchedule(Protocol):
    """What the digest needs of `bot.config.DigestSettings` (kept structural: storage imports no bot)."""

    day: str
    time: str
    timezone: str


def weeks_before(end: datetime, tz: ZoneInfo, weeks: int = 1) -> datetime:
    """`end` moved back `weeks` calendar weeks on the wall clock of `tz` (aware, UTC)."""
    local = as_utc(end).astimezone(tz)
    # Same-zone arithmetic on an aware datetime is wall-clock arithmetic; the offset is then
    # worked out afresh, so 09:00 BST minus 7 days is 09:00 GMT when the clocks changed between.
    moved = local - timedelta(weeks=weeks)
    # Round-trip through UTC to normalise a wall time that does not exist (spring gap).
    return moved.astimezone(timezone.utc)


def _slot_on(day: date, at: dtime, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(timezone.utc)


def scheduled_digest_end(now_utc: datetime, schedule: DigestSchedule) -> datetime:
    """The most recent weekly slot (configured day and time in the configured zone) at or
    before `now_utc`, as an aware UTC datetime. A naive `now_utc` is taken to be UTC."""
    now = as_utc(now_utc)
    tz = ZoneInfo(schedule.timezone)
    at = dtime.fromisoformat(schedule.time)
    weekday = DAYS.index(str(schedule.day).lower())
    local_today = now.astimezone(tz).date()
    day = local_today - timedelta(days=(local_today.weekday() - weekday) % 7)
    slot = _slot_on(day, at, tz)
    if slot > now:
        slot = _slot_on(day - timedelta(days=7), at, tz)
    return slot


def next_digest_slot(now_utc: datetime, schedule: DigestSchedule) -> datetime:
    """The first weekly slot strictly after `now_utc` (aware UTC)."""
    tz = ZoneInfo(schedule.timezone)
    at = dtime.fromisoformat(schedule.time)
    last = scheduled_digest_end(now_utc, schedule)
    return _slot_on(last.astimezone(tz).date() + timedelta(days=7), at, tz)


# --- the figures ---------------------------------------------------------------------------

def _records(session: Session, start: datetime, end: datetime) -> tuple[int, dict[str, int], dict[str, int], dict[str, int]]:
    """One indexed range scan, grouped by (outcome, team, unsure_at): a few dozen groups at most."""
    rows = session.execute(
        select(Record.outcome, Record.team, Record.unsure_at, func.count())
        .where(Record.created_at >= start, Record.created_at < end)
        .group_by(Record.outcome, Record.team, Record.unsure_at)
    ).all()
    by_outcome = {o: 0 for o in OUTCOMES}
    by_team: dict[str, int] = {}
    unsure: dict[str, int] = {}
    total = 0
    for outcome, team, unsure_at, n in rows:
        total += n
        by_outcome[outcome] = by_outcome.get(outcome, 0) + n
        by_team[team] = by_team.get(team, 0) + n
        if unsure_at:
            unsure[unsure_at] = unsure.get(unsure_at, 0) + n
    return (total, by_outcome, dict(sorted(by_team.items(), key=lambda kv: (-kv[1], kv[0]))),
            dict(sorted(unsure.items(), key=lambda kv: (-kv[1], kv[0]))))


def _median_minutes_to_claim(session: Session, in_period: Any) -> float | None:
    claimed = and_(in_period, Escalation.claimed_at.is_not(None))
    if session.get_bind().dialect.name == "postgresql":
        minutes = extract("epoch", Escalation.claimed_at - Escalation.opened_at) / 60.0
        value = session.execute(select(func.percentile_cont(0.5).within_group(minutes)).where(claimed)).scalar()
        return None if value is None else round(float(value), 1)
    # SQLite has no median aggregate: fetch the one column of durations (a week's claims).
    minutes = (func.julianday(Escalation.claimed_at) - func.julianday(Escalation.opened_at)) * 1440.0
    values = session.execute(select(minutes).where(claimed)).scalars().all()
    return round(float(statistics.median(values)), 1) if values else None


def _escalations(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    in_period = and_(Escalation.opened_at >= start, Escalation.opened_at < end)
    opened, claimed, resolved = session.execute(
        select(
            func.count(),
            func.count(Escalation.claimed_at),
            func.count(Escalation.resolved_at),
        ).where(in_period)
    ).one()
    return {
        "opened": int(opened or 0),
        "claimed": int(claimed or 0),
        "resolved": int(resolved or 0),
        "median_minutes_to_claim": _median_minutes_to_claim(session, in_period) if claimed else None,
    }


def _abandoned(session: Session, start: datetime, end: datetime) -> int:
    """Walks given up in the week: those replaced by a new walk (status 'abandoned', counted
    when that happened) and those left active, counted in the week they passed 24 h idle,
    so each is counted once, in one week."""
    idle_start, idle_end = start - ABANDON_AFTER, end - ABANDON_AFTER
    n = session.execute(
        select(func.count()).select_from(Conversation).where(
            or_(
                and_(Conversation.status == "abandoned", Conversation.updated_at >= start, Conversation.updated_at < end),
                and_(Conversation.status == "active", Conversation.updated_at >= idle_start, Conversation.updated_at < idle_end),
            )
        )
    ).scalar()
    return int(n or 0)


def _referrals(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """Referrals made in the week, and how many were confirmed in writing (and in time)."""
    on_time = case((and_(Referral.confirmed_at.is_not(None), Referral.confirmed_at <= Referral.confirm_by), 1))
    made, confirmed, in_time = session.execute(
        select(func.count(), func.count(Referral.confirmed_at), func.count(on_time))
        .where(Referral.made_at >= start, Referral.made_at < end)
    ).one()
    return {"made": int(made or 0), "confirmed_in_writing": int(confirmed or 0), "confirmed_on_time": int(in_time or 0)}


_SHARED_SQL = {
    # One range scan over the week's records; each id list unnested by the database itself.
    "sqlite": "SELECT j.value, count(*) FROM records, json_each(records.{col}) AS j "
              "WHERE records.created_at >= :start AND records.created_at < :end "
              "AND json_type(records.{col}) = 'array' GROUP BY j.value",
    "postgresql": "SELECT j.value, count(*) FROM records, json_array_elements_text(records.{col}) AS j(value) "
                  "WHERE records.created_at >= :start AND records.created_at < :end "
                  "AND json_typeof(records.{col}) = 'array' GROUP BY j.value",
}


def _shared(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    """What was shared with whom: how many of the week's records named each kind of
    information and each recipient (ids from the pack's lists; never free text)."""
    dialect = session.get_bind().dialect.name
    sql = _SHARED_SQL.get(dialect, _SHARED_SQL["postgresql"])
    out: dict[str, Any] = {}
    for key, col in (("kinds", "shared_what_ids"), ("recipients", "shared_with_ids")):
        rows = session.execute(text(sql.format(col=col)), {"start": start, "end": end}).all()
        out[key] = dict(sorted(((str(v), int(n)) for v, n in rows), key=lambda kv: (-kv[1], kv[0])))
    out["records"] = int(session.execute(
        select(func.count()).select_from(Record).where(Record.created_at >= start, Record.created_at < end,
                                                       Record.shared_what.is_not(None), Record.format >= 2)
    ).scalar() or 0)
    return out


def _period(session: Session, start_utc: datetime, end_utc: datetime, tz: ZoneInfo) -> dict[str, Any]:
    start, end = naive_utc(start_utc), naive_utc(end_utc)
    total, by_outcome, by_team, unsure = _records(session, start, end)
    return {
        "period_start": iso(start),
        "period_end": iso(end),
        "period_start_local": start_utc.astimezone(tz).isoformat(timespec="minutes"),
        "period_end_local": end_utc.astimezone(tz).isoformat(timespec="minutes"),
        "total": total,
        "by_outcome": by_outcome,
        "by_team": by_team,
        "unsure_at": unsure,
        "escalations": _escalations(session, start, end),
        "abandoned": _abandoned(session, start, end),
        "referrals": _referrals(session, start, end),
        "shared": _shared(session, start, end),
        "access": count_by_action(session, start, end),
    }


def compute_digest(session: Session, end: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """The digest for the calendar week (in `tz`) ending at `end`, with the week before it
    under "previous". `end` should be aware; a naive one is taken to be UTC.

    Periods are half-open: a record created exactly at `end` belongs to the next digest."""
    end_utc = as_utc(end)
    start_utc = weeks_before(end_utc, tz, 1)
    prev_start_utc = weeks_before(end_utc, tz, 2)
    digest = _period(session, start_utc, end_utc, tz)
    digest["timezone"] = tz.key
    digest["previous"] = _period(session, prev_start_utc, start_utc, tz)
    return digest
