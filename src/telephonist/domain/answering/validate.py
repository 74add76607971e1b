"""CH-4 "Validate rules": which custom rules overlap or conflict with one another
("Cliquez sur Valider les règles pour vérifier si votre règle se chevauche ou entre en
conflit avec une autre règle"), and which cannot work as written.

Only enabled custom rules are compared (disabling a rule is how the guide resolves a
conflict). Two rules overlap when one call can match both: their callers, called numbers
and times all intersect; the earlier rule wins. It is a conflict when they handle calls
differently, and the later rule is shadowed when every call it matches also matches the
earlier one. Times are compared on the week (weekly schedules, references to user or
after hours) and on the calendar (date ranges, projected on the week when compared with a
weekly schedule).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC as _UTC
from datetime import datetime, timedelta
from enum import StrEnum

from telephonist.domain.answering.model import AnsweringRule, CallHandlingAction
from telephonist.domain.answering.schedule import (
    EMPTY_WEEK,
    MINUTES_PER_DAY,
    RuleSchedule,
    ScheduleRef,
    WeeklySchedule,
)
from telephonist.domain.answering.wording import Sentence
from telephonist.domain.text import N_

MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
Spans = tuple[tuple[int, int], ...]
"""Sorted, merged [start, end) minute ranges of the week, Monday 00:00 = 0."""


class FindingKind(StrEnum):
    SHADOWED = "Shadowed"  # never applies: an earlier rule takes every call it would
    CONFLICT = "Conflict"  # both can match one call and handle it differently
    OVERLAP = "Overlap"  # both can match one call, and handle it the same way
    NO_CONDITIONS = "NoConditions"  # applies to every call: user hours never apply
    EMPTY_SCHEDULE = "EmptySchedule"  # a weekly schedule with no range: never applies
    NOTHING_RINGS = "NothingRings"  # forwards calls but no forwarding number is active


@dataclass(frozen=True)
class Finding:
    """One problem: the rules concerned (the later one last) and a translatable message."""

    kind: FindingKind
    rule_ids: tuple[str, ...]
    message: Sentence


def validate_rules(
    rules: Iterable[AnsweringRule], *, user_hours: WeeklySchedule = EMPTY_WEEK
) -> tuple[Finding, ...]:
    """Every finding about ``rules`` (custom rules in evaluation order); ``user_hours``
    gives meaning to schedules that follow the user's hours."""
    enabled = [rule for rule in rules if rule.enabled]
    findings = [finding for rule in enabled for finding in _own_findings(rule)]
    live = [rule for rule in enabled if rule.schedule is None or not rule.schedule.is_empty]
    for position, later in enumerate(live):
        for earlier in live[:position]:
            finding = _compare(earlier, later, user_hours)
            if finding is not None:
                findings.append(finding)
                if finding.kind is FindingKind.SHADOWED:
                    break
    return tuple(findings)


def _own_findings(rule: AnsweringRule) -> list[Finding]:
    found = []
    if not rule.has_conditions:
        found.append(
            Finding(
                FindingKind.NO_CONDITIONS,
                (rule.id,),
                Sentence.of(
                    N_(
                        '"{rule}" has no condition: it applies to every call, so your user-hours '
                        "and after-hours rules never apply."
                    ),
                    rule=rule.name,
                ),
            )
        )
    if rule.schedule is not None and rule.schedule.is_empty:
        found.append(
            Finding(
                FindingKind.EMPTY_SCHEDULE,
                (rule.id,),
                Sentence.of(
                    N_('"{rule}" has a weekly schedule with no time range: it never applies.'),
                    rule=rule.name,
                ),
            )
        )
    if rule.action is CallHandlingAction.FORWARD_CALLS and not rule.forwarding.ordered_entries:
        found.append(
            Finding(
                FindingKind.NOTHING_RINGS,
                (rule.id,),
                Sentence.of(
                    N_('"{rule}" forwards calls, but no forwarding number is active.'),
                    rule=rule.name,
                ),
            )
        )
    return found


def _compare(
    earlier: AnsweringRule, later: AnsweringRule, user_hours: WeeklySchedule
) -> Finding | None:
    earlier_times = _Times.of(earlier.schedule, user_hours)
    later_times = _Times.of(later.schedule, user_hours)
    if not (
        _callers_overlap(earlier, later)
        and _called_overlap(earlier, later)
        and earlier_times.overlaps(later_times)
    ):
        return None
    ids = (earlier.id, later.id)
    if (
        _callers_cover(earlier, later)
        and _called_cover(earlier, later)
        and earlier_times.covers(later_times)
    ):
        return Finding(
            FindingKind.SHADOWED,
            ids,
            Sentence.of(
                N_(
                    '"{later}" never applies: "{earlier}" comes first and takes every call '
                    "it would."
                ),
                later=later.name,
                earlier=earlier.name,
            ),
        )
    if _same_handling(earlier, later):
        return Finding(
            FindingKind.OVERLAP,
            ids,
            Sentence.of(
                N_('"{earlier}" and "{later}" overlap; they handle calls the same way.'),
                earlier=earlier.name,
                later=later.name,
            ),
        )
    return Finding(
        FindingKind.CONFLICT,
        ids,
        Sentence.of(
            N_(
                '"{earlier}" and "{later}" conflict: some calls match both, and "{earlier}" '
                "applies to them because it comes first."
            ),
            earlier=earlier.name,
            later=later.name,
        ),
    )


def _same_handling(a: AnsweringRule, b: AnsweringRule) -> bool:
    """Equal apart from identity and conditions."""
    return _handling(a) == _handling(b)


def _handling(rule: AnsweringRule) -> tuple[object, ...]:
    return (
        rule.action,
        rule.forwarding,
        rule.unconditional_forwarding_number,
        rule.voicemail,
        rule.greetings,
        rule.screening,
    )


def _callers_overlap(a: AnsweringRule, b: AnsweringRule) -> bool:
    if not a.callers or not b.callers:
        return True
    return any(x.pattern.overlaps(y.pattern) for x in a.callers for y in b.callers)


def _callers_cover(a: AnsweringRule, b: AnsweringRule) -> bool:
    if not a.callers:
        return True
    return bool(b.callers) and all(
        any(x.pattern.covers(y.pattern) for x in a.callers) for y in b.callers
    )


def _called_overlap(a: AnsweringRule, b: AnsweringRule) -> bool:
    if not a.called_numbers or not b.called_numbers:
        return True
    return bool(set(a.called_numbers) & set(b.called_numbers))


def _called_cover(a: AnsweringRule, b: AnsweringRule) -> bool:
    if not a.called_numbers:
        return True
    return bool(b.called_numbers) and set(b.called_numbers) <= set(a.called_numbers)


@dataclass(frozen=True)
class _Times:
    """When a rule applies: minute spans of the week, or calendar ranges (naive wall
    clock; aware ranges are compared in UTC). ``dates`` is None for weekly times."""

    week: Spans
    dates: tuple[tuple[datetime, datetime], ...] | None = None

    @classmethod
    def of(cls, schedule: RuleSchedule | None, user_hours: WeeklySchedule) -> _Times:
        if schedule is None:
            return cls(((0, MINUTES_PER_WEEK),))
        if schedule.weekly is not None:
            return cls(_week_spans(schedule.weekly))
        if schedule.ref is not None:
            hours = _week_spans(user_hours) if not user_hours.is_empty else ((0, MINUTES_PER_WEEK),)
            return cls(hours if schedule.ref is ScheduleRef.BUSINESS_HOURS else _complement(hours))
        dates = _merge_dates(
            (_naive(period.start), _naive(period.end)) for period in schedule.date_ranges
        )
        return cls(_merge(span for start, end in dates for span in _project(start, end)), dates)

    def overlaps(self, other: _Times) -> bool:
        if self.dates is not None and other.dates is not None:
            return any(a < d and c < b for a, b in self.dates for c, d in other.dates)
        return bool(_intersect(self.week, other.week))

    def covers(self, other: _Times) -> bool:
        if self.dates is not None:
            if other.dates is None:
                return False
            return all(any(a <= c and d <= b for a, b in self.dates) for c, d in other.dates)
        return _intersect(self.week, other.week) == other.week


def _naive(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(_UTC).replace(tzinfo=None)


def _week_spans(weekly: WeeklySchedule) -> Spans:
    spans = []
    for day, intervals in enumerate(weekly.days):
        base = day * MINUTES_PER_DAY
        for interval in intervals:
            start = base + interval.start
            end = start + interval.minutes
            if end <= MINUTES_PER_WEEK:
                spans.append((start, end))
            else:  # Sunday night into Monday morning
                spans.extend(((start, MINUTES_PER_WEEK), (0, end - MINUTES_PER_WEEK)))
    return _merge(spans)


def _project(start: datetime, end: datetime) -> Spans:
    """The minutes of the week a calendar range touches."""
    if end - start >= timedelta(days=7):
        return ((0, MINUTES_PER_WEEK),)
    start = start.replace(second=0, microsecond=0)
    offset = start.weekday() * MINUTES_PER_DAY + start.hour * 60 + start.minute
    length = max(1, math.ceil((end - start).total_seconds() / 60))
    if offset + length <= MINUTES_PER_WEEK:
        return ((offset, offset + length),)
    return ((offset, MINUTES_PER_WEEK), (0, offset + length - MINUTES_PER_WEEK))


def _merge(spans: Iterable[tuple[int, int]]) -> Spans:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(span for span in spans if span[0] < span[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _merge_dates(
    ranges: Iterable[tuple[datetime, datetime]],
) -> tuple[tuple[datetime, datetime], ...]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _intersect(a: Spans, b: Spans) -> Spans:
    return _merge(
        (max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b if max(s1, s2) < min(e1, e2)
    )


def _complement(spans: Spans) -> Spans:
    gaps, cursor = [], 0
    for start, end in spans:
        gaps.append((cursor, start))
        cursor = end
    gaps.append((cursor, MINUTES_PER_WEEK))
    return _merge(gaps)
