"""When a rule applies (CH-1, CH-4): weekly schedules with per-day ranges and specific
date ranges, read in the user's IANA time zone.

Rules, as the guide and the public API state them:

- Times are "hh:mm" wall-clock times in the user's time zone. A range covers ``from``
  up to, not including, ``to``: "12:00"-"13:00" covers 12:00:00 to 12:59:59.
- "24:00" as ``to`` means midnight at the end of the day; "24 hours" is 00:00-24:00.
- A range whose ``to`` is not after its ``from`` crosses midnight: Monday 22:00-06:00
  covers Monday 22:00 to Tuesday 06:00 (so 00:00-00:00 is also 24 hours).
- Daylight saving changes follow the wall clock: on the spring-forward day a range inside
  the skipped hour never applies; on the fall-back day the repeated hour matches twice.
- An empty user-hours schedule means user hours all the time (24/7), as the public API
  returns it; an empty weekly schedule on a custom rule never applies.
- Date ranges (holidays) are wall-clock datetimes in the user's zone (naive), or instants
  (aware); ``to`` is excluded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from telephonist.domain.answering.errors import RuleValidationError

MINUTES_PER_DAY = 24 * 60


class Weekday(StrEnum):
    """Days as the public API spells the keys of ``weeklyRanges``, Monday first (the
    order of ``datetime.weekday()``)."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """0 for Monday ... 6 for Sunday."""
        return WEEKDAYS.index(self)


WEEKDAYS: tuple[Weekday, ...] = tuple(Weekday)
WORKDAYS: tuple[Weekday, ...] = WEEKDAYS[:5]
"""The days "Copy to weekdays" fills."""


def parse_clock(text: str, *, field: str) -> int:
    """Minutes since midnight of an "hh:mm" time; "24:00" is 1440."""
    hours, sep, minutes = text.partition(":")
    if (
        sep != ":"
        or len(minutes) != 2
        or not (1 <= len(hours) <= 2)
        or not (hours.isascii() and hours.isdigit() and minutes.isdigit())
    ):
        raise RuleValidationError(f"Time '{text}' must be written hh:mm", field=field)
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > MINUTES_PER_DAY:
        raise RuleValidationError(f"Time '{text}' is not a time of day", field=field)
    return value


def format_clock(minutes: int) -> str:
    """The "hh:mm" text of minutes since midnight (1440 is "24:00")."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class TimeInterval:
    """One "from"-"to" range of a day, in minutes since midnight (see the module
    docstring for midnight crossing)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start < MINUTES_PER_DAY and 0 <= self.end <= MINUTES_PER_DAY):
            raise RuleValidationError("A time range must lie within a day", field="schedule")

    @classmethod
    def parse(cls, start: str, end: str, *, field: str = "schedule.weeklyRanges") -> TimeInterval:
        """From the public API's {"from": "hh:mm", "to": "hh:mm"}."""
        start_minutes = parse_clock(start, field=field)
        if start_minutes == MINUTES_PER_DAY:
            raise RuleValidationError("A range cannot start at 24:00", field=field)
        return cls(start_minutes, parse_clock(end, field=field))

    @classmethod
    def whole_day(cls) -> TimeInterval:
        """The "24 hours" box: 00:00-24:00."""
        return cls(0, MINUTES_PER_DAY)

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        """How long the range lasts."""
        return (
            self.end - self.start
            if not self.crosses_midnight
            else MINUTES_PER_DAY - self.start + self.end
        )

    @property
    def from_text(self) -> str:
        return format_clock(self.start)

    @property
    def to_text(self) -> str:
        return format_clock(self.end)


@dataclass(frozen=True)
class WeeklySchedule:
    """Ranges per weekday, Monday first (``days[0]``); a day with no range is closed."""

    days: tuple[tuple[TimeInterval, ...], ...] = ((),) * 7

    def __post_init__(self) -> None:
        if len(self.days) != len(WEEKDAYS):
            raise RuleValidationError("A weekly schedule has seven days", field="schedule")

    @classmethod
    def from_days(cls, ranges: Mapping[Weekday, tuple[TimeInterval, ...]]) -> WeeklySchedule:
        """From the public API's ``weeklyRanges`` keyed by day."""
        return cls(tuple(tuple(ranges.get(day, ())) for day in WEEKDAYS))

    @classmethod
    def every_day(
        cls, *intervals: TimeInterval, days: tuple[Weekday, ...] = WEEKDAYS
    ) -> WeeklySchedule:
        """The same ranges on ``days`` ("Copy to weekdays" when ``days=WORKDAYS``)."""
        return cls.from_days(dict.fromkeys(days, intervals))

    def day(self, weekday: Weekday) -> tuple[TimeInterval, ...]:
        return self.days[weekday.number]

    @property
    def is_empty(self) -> bool:
        return not any(self.days)

    def covers(self, weekday: int, minute: int) -> bool:
        """True when the wall-clock ``minute`` of ``weekday`` (0 = Monday) is inside a
        range, including a range of the day before that runs past midnight."""
        for interval in self.days[weekday]:
            if interval.start <= minute and (interval.crosses_midnight or minute < interval.end):
                return True
        return any(
            interval.crosses_midnight and minute < interval.end
            for interval in self.days[weekday - 1]
        )


EMPTY_WEEK = WeeklySchedule()
"""No range at all: for user hours it means 24/7, for a custom rule never."""


@dataclass(frozen=True)
class DateRange:
    """A specific period such as a holiday; ``end`` excluded. Naive datetimes are wall
    clock in the user's zone; aware ones are instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if (self.start.tzinfo is None) != (self.end.tzinfo is None):
            raise RuleValidationError(
                "Both ends of a date range need a time zone, or neither", field="schedule.ranges"
            )
        if self.end <= self.start:
            raise RuleValidationError(
                "A date range must end after it starts", field="schedule.ranges"
            )

    def contains(self, moment: Moment) -> bool:
        at = moment.wall if self.start.tzinfo is None else moment.instant
        return self.start <= at < self.end


class ScheduleRef(StrEnum):
    """A custom rule may follow the user's own hours instead of its own schedule."""

    BUSINESS_HOURS = "BusinessHours"
    AFTER_HOURS = "AfterHours"


@dataclass(frozen=True)
class RuleSchedule:
    """The date/time condition of a rule: a weekly schedule, or date ranges, or a
    reference to the user's hours; exactly one of them (as the public API requires)."""

    weekly: WeeklySchedule | None = None
    date_ranges: tuple[DateRange, ...] = ()
    ref: ScheduleRef | None = None

    def __post_init__(self) -> None:
        given = (self.weekly is not None) + bool(self.date_ranges) + (self.ref is not None)
        if given != 1:
            raise RuleValidationError(
                "A schedule is either a weekly schedule, date ranges or a reference to user hours",
                field="schedule",
            )

    @property
    def is_empty(self) -> bool:
        """True when the schedule can never apply (a weekly schedule with no range)."""
        return self.weekly is not None and self.weekly.is_empty

    def applies(self, moment: Moment, *, in_user_hours: bool) -> bool:
        if self.weekly is not None:
            return self.weekly.covers(moment.weekday, moment.minute)
        if self.ref is not None:
            return in_user_hours == (self.ref is ScheduleRef.BUSINESS_HOURS)
        return any(period.contains(moment) for period in self.date_ranges)


@dataclass(frozen=True)
class Moment:
    """``now`` read once in the user's zone: what every schedule check needs."""

    instant: datetime
    local: datetime
    """Aware, in the user's zone (the preview's "Saturday 10:00")."""
    wall: datetime
    weekday: int
    minute: int

    @classmethod
    def at(cls, now: datetime, time_zone: str) -> Moment:
        """``now`` (aware) seen from ``time_zone``; a naive ``now`` is a programming error."""
        if now.tzinfo is None:
            raise ValueError("route() needs an aware datetime for now")
        local = now.astimezone(ZoneInfo(time_zone))
        return cls(
            now, local, local.replace(tzinfo=None), local.weekday(), local.hour * 60 + local.minute
        )


def in_user_hours(user_hours: WeeklySchedule, moment: Moment) -> bool:
    """User hours apply at ``moment``; an empty schedule means 24/7."""
    return user_hours.is_empty or user_hours.covers(moment.weekday, moment.minute)
