"""When a procedure's timescale falls due: pure functions, the clock passed in.

Nothing here reads the time or any configuration. The caller supplies the moment the
timescale starts (an aware datetime), the organisation's time zone and the days it is
closed: a `WorkingCalendar` (bank holidays of a UK nation, from the `holidays` package,
plus the organisation's own closure dates) or any set of dates.
"""
from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as _holidays

from policy.procedures import Timescale

# The bank-holiday calendars a configuration may name (working_days.calendar), and the
# subdivision of the `holidays` package's United Kingdom calendar each one is.
# England and Wales share their bank holidays; "none" counts weekends only.
CALENDARS = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
    "none": None,
}


@lru_cache(maxsize=None)
def _bank_holidays(subdivision: str) -> _holidays.HolidayBase:
    # The package fills in each year on first use, so one object serves every year.
    return _holidays.UK(subdiv=subdivision)


@dataclass(frozen=True)
class WorkingCalendar:
    """The days that are not working days besides weekends: a UK nation's bank holidays
    and the organisation's extra closure dates. Use it wherever a set of holidays is taken:
    `day in calendar` is True on a bank holiday or a closure date."""

    calendar: str = "england-and-wales"
    closed: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.calendar not in CALENDARS:
            raise ValueError(f"unknown working-day calendar {self.calendar!r}; "
                             f"calendars are {', '.join(CALENDARS)}")
        object.__setattr__(self, "closed", frozenset(self.closed))

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        if isinstance(day, datetime):
            day = day.date()
        if day in self.closed:
            return True
        subdivision = CALENDARS[self.calendar]
        return subdivision is not None and day in _bank_holidays(subdivision)

    def name_of(self, day: date) -> str | None:
        """Why `day` is closed ("Christmas Day", "closure date"), or None on an open day."""
        if day in self.closed:
            return "closure date"
        subdivision = CALENDARS[self.calendar]
        return _bank_holidays(subdivision).get(day) if subdivision else None


def working_calendar(calendar: str = "england-and-wales", closed: Iterable[date] = ()) -> WorkingCalendar:
    return WorkingCalendar(calendar, frozenset(closed))

# When a timescale counted in working days starts on a day that is not a working day,
# the count starts from this local time on the next working day.
WORKING_DAY_STARTS = time(9, 0)


def is_working_day(day: date, holidays: Container[date] = frozenset()) -> bool:
    """Monday to Friday, and not one of `holidays` (a set of dates or a WorkingCalendar)."""
    return day.weekday() < 5 and day not in holidays


def next_working_day(day: date, holidays: Container[date] = frozenset()) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    """`day` moved on `months` calendar months; a day past the end of the month becomes its
    last day (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + month // 12, month % 12 + 1, 1)
    last = (following - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def _at_wall_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`day` at local wall time `at` in `tz`, as an aware datetime in `tz`.

    A wall time that happens twice (clocks going back) means the first of the two, the
    earlier deadline. A wall time that never happens (clocks going forward) is moved on by
    the length of the gap: 01:30 on the March change day in London becomes 02:30 BST."""
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz)
    # The round trip through UTC normalises a wall time inside the spring gap.
    return local.astimezone(timezone.utc).astimezone(tz)


def due_at(start: datetime, timescale: Timescale, tz: ZoneInfo,
           holidays: Container[date] = frozenset()) -> datetime:
    """The moment a timescale that started at `start` runs out, as an aware datetime in `tz`.

    `start` must be aware (any zone); it is read on the wall clock of `tz`.

    - hours: exactly that many real hours later, whatever the clocks do (48 hours across
      the October clock change is still 48 hours, so it ends an hour earlier on the wall).
    - days: that many calendar days later at the same local wall time (so a day across a
      clock change is 23 or 25 real hours).
    - months: that many calendar months later at the same local wall time; a day past the
      end of the month becomes the month's last day (31 January + 3 months = 30 April).
    - working_days: Monday to Friday, not counting `holidays` (local dates: a set, or a
      WorkingCalendar of a UK nation's bank holidays and closure dates). From a start on
      a working day, count forward that many working days and end at the same local time of
      day: Thursday 10:00 + 1 = Friday 10:00; Friday 15:00 + 1 = Monday 15:00 (Tuesday
      15:00 if the Monday is a bank holiday). A start on a day that is not a working day
      (a weekend or a holiday) is treated as a start at 09:00 local on the next working day,
      and the count runs from there: Saturday 14:00 + 1 working day = Tuesday 09:00.

    All wall-clock arithmetic is done in local time in `tz` and only then turned into an
    instant, so deadlines keep their local time across clock changes (see _at_wall_time
    for the rare wall times that happen twice or never).
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be an aware datetime (with a time zone)")
    unit, amount = timescale.unit, timescale.amount
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"a timescale amount must be a whole number of at least 0, not {amount!r}")
    if unit == "hours":
        return (start.astimezone(timezone.utc) + timedelta(hours=amount)).astimezone(tz)

    local = start.astimezone(tz)
    wall = local.time()  # naive: hour, minute, second, microsecond
    if unit == "days":
        return _at_wall_time(local.date() + timedelta(days=amount), wall, tz)
    if unit == "months":
        return _at_wall_time(add_months(local.date(), amount), wall, tz)
    if unit == "working_days":
        day = local.date()
        if not is_working_day(day, holidays):
            day, wall = next_working_day(day, holidays), WORKING_DAY_STARTS
        for _ in range(amount):
            day = next_working_day(day, holidays)
        return _at_wall_time(day, wall, tz)
    raise ValueError(f"unknown timescale unit {unit!r}")
