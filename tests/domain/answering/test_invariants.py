"""Hypothesis invariants of route() and validate_rules() over random settings, calls and
times: no plan rings more than 10 forwarding numbers; sequential plans ring in priority
order; a blocked caller never reaches a phone; every plan ends in voicemail, a forward, an
announcement or a disconnect; a rule "Validate rules" calls shadowed never takes a call,
and two rules that take the same call are always reported."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from telephonist.domain.answering.blocking import check_blocking
from telephonist.domain.answering.model import (
    AnnouncementScope,
    AnsweringRule,
    Attestation,
    BlockingSettings,
    BlockMode,
    CallerCondition,
    CallHandlingAction,
    DisplayedNumber,
    DndStatus,
    ExtensionSettings,
    Forwarding,
    ForwardingEntry,
    ForwardingNumber,
    ForwardingNumberType,
    Greeting,
    IncomingCall,
    IncomingCallInfo,
    ListedNumber,
    NoCallerIdBlocking,
    RingingMode,
    RobocallHandling,
    RuleGreetings,
    RuleType,
    Screening,
    Verstat,
    VoicemailSettings,
)
from telephonist.domain.answering.plan import (
    FINAL_STEPS,
    CallPlan,
    Disconnect,
    DisconnectReason,
    ForwardTo,
    PlanReason,
)
from telephonist.domain.answering.preview import describe
from telephonist.domain.answering.route import active_rule, route
from telephonist.domain.answering.schedule import (
    WEEKDAYS,
    DateRange,
    Moment,
    RuleSchedule,
    ScheduleRef,
    TimeInterval,
    WeeklySchedule,
)
from telephonist.domain.answering.validate import FindingKind, validate_rules
from telephonist.i18n import gettext_for

ZONES = ("America/New_York", "Europe/Paris", "Asia/Kolkata", "UTC")
CALLERS = ("+16505551234", "+16505550000", "+14155551234", "+33612345678", "+442071234567", "101")
PATTERNS = ("+1650", "650", "+1", "+33", "06", "+3", "+16505551234", "415", "101", "+44")
MY_NUMBERS = ("+14092402788", "+14092402117")

POOL = (
    ForwardingNumber("apps", "Apps", ForwardingNumberType.EXTENSION_APPS, extension_id="11103"),
    ForwardingNumber("desk", "Desk", ForwardingNumberType.PHONE_LINE, device_id="d1"),
    ForwardingNumber("colleague", "Joe", ForwardingNumberType.PHONE_LINE, device_id="d9"),
    *(
        ForwardingNumber(f"n{i}", f"Phone {i}", ForwardingNumberType.MOBILE, f"+1650555{i:04d}")
        for i in range(9)
    ),
)

clock = st.integers(0, 24 * 60 - 1).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")
interval = st.builds(lambda a, b: TimeInterval.parse(a, b), clock, clock)
weekly = st.lists(st.tuples(st.sampled_from(WEEKDAYS), interval), max_size=4).map(
    lambda pairs: WeeklySchedule.from_days(
        {d: tuple(i for e, i in pairs if e == d) for d, _ in pairs}
    )
)
moments = st.datetimes(datetime(2027, 1, 1), datetime(2027, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
date_range = st.builds(
    lambda start, minutes: DateRange(start, start + timedelta(minutes=minutes)),
    moments,
    st.integers(1, 60 * 24 * 10),
)
schedule = st.one_of(
    st.none(),
    weekly.map(lambda w: RuleSchedule(weekly=w)),
    st.lists(date_range, min_size=1, max_size=2).map(lambda r: RuleSchedule(date_ranges=tuple(r))),
    st.sampled_from(ScheduleRef).map(lambda ref: RuleSchedule(ref=ref)),
)


@st.composite
def forwarding(draw: st.DrawFn) -> Forwarding:
    numbers = draw(st.lists(st.sampled_from(POOL), unique=True, max_size=len(POOL) - 2))
    groups = draw(st.lists(st.integers(1, 3), max_size=len(numbers)))
    entries, position = [], 0
    indexes = draw(
        st.lists(st.integers(0, 50), unique=True, min_size=len(groups), max_size=len(groups))
    )
    for size, index in zip(groups, indexes, strict=True):
        chunk = tuple(numbers[position : position + size])
        position += size
        if chunk:
            entries.append(
                ForwardingEntry(index, chunk, draw(st.integers(1, 8)), draw(st.booleans()))
            )
    return Forwarding(draw(st.sampled_from(RingingMode)), tuple(entries), draw(st.booleans()))


@st.composite
def rule(draw: st.DrawFn, rule_type: RuleType, rule_id: str) -> AnsweringRule:
    action = draw(st.sampled_from(CallHandlingAction))
    conditions: dict[str, object] = {}
    if rule_type is RuleType.CUSTOM:
        conditions = {
            "callers": tuple(
                CallerCondition(p) for p in draw(st.lists(st.sampled_from(PATTERNS), max_size=2))
            ),
            "called_numbers": tuple(
                draw(st.lists(st.sampled_from(MY_NUMBERS), unique=True, max_size=1))
            ),
            "schedule": draw(schedule),
        }
    return AnsweringRule(
        rule_id,
        rule_type,
        rule_id,
        enabled=draw(st.booleans()) or rule_type is not RuleType.CUSTOM,
        action=action,
        forwarding=draw(forwarding()),
        unconditional_forwarding_number="+16505559999"
        if action is CallHandlingAction.UNCONDITIONAL_FORWARDING
        else None,
        voicemail=VoicemailSettings(draw(st.booleans())),
        greetings=RuleGreetings(
            introductory=draw(st.sampled_from((None, Greeting(), Greeting("g1")))),
            connecting_message=draw(st.sampled_from((None, Greeting()))),
        ),
        screening=draw(st.sampled_from(Screening)),
        **conditions,  # type: ignore[arg-type]
    )


@st.composite
def extension(draw: st.DrawFn) -> ExtensionSettings:
    count = draw(st.integers(0, 5))
    return ExtensionSettings(
        extension_id="11103",
        extension_number="11103",
        name="Dulcinea Dunn",
        user_hours_rule=draw(rule(RuleType.BUSINESS_HOURS, "bh")),
        after_hours_rule=draw(rule(RuleType.AFTER_HOURS, "ah")),
        time_zone=draw(st.sampled_from(ZONES)),
        user_hours=draw(weekly),
        custom_rules=tuple(draw(rule(RuleType.CUSTOM, f"c{i}")) for i in range(count)),
        blocking=BlockingSettings(
            mode=draw(st.sampled_from(BlockMode)),
            blocked=tuple(
                ListedNumber(p) for p in draw(st.lists(st.sampled_from(PATTERNS), max_size=2))
            ),
            allowed=tuple(
                ListedNumber(p) for p in draw(st.lists(st.sampled_from(PATTERNS), max_size=2))
            ),
            no_caller_id=draw(st.sampled_from(NoCallerIdBlocking)),
            pay_phones_blocked=draw(st.booleans()),
            robocalls=draw(st.sampled_from(RobocallHandling)),
        ),
        dnd=draw(st.sampled_from(DndStatus)),
        incoming_call_info=IncomingCallInfo(
            displayed_number=draw(st.sampled_from(DisplayedNumber)),
            announce=draw(st.booleans()),
            direct_calls=draw(st.sampled_from(AnnouncementScope)),
            queue_calls=draw(
                st.sampled_from(
                    (AnnouncementScope.ALWAYS, AnnouncementScope.NON_SYSTEM_PHONES_ONLY)
                )
            ),
            include_mailbox_name=draw(st.booleans()),
            require_pin=draw(st.booleans()),
        ),
        contact_numbers=frozenset(draw(st.lists(st.sampled_from(CALLERS), max_size=2))),
    )


calls = st.builds(
    IncomingCall,
    caller_number=st.sampled_from((None, *CALLERS)),
    called_number=st.sampled_from(MY_NUMBERS),
    queue_name=st.sampled_from((None, "Sales")),
    fax=st.booleans(),
    pay_phone=st.booleans(),
    verstat=st.sampled_from((None, *Verstat)),
    attestation=st.sampled_from((None, *Attestation)),
    on_robocall_list=st.booleans(),
)
instants = st.datetimes(datetime(2027, 1, 1), datetime(2028, 1, 1), timezones=st.just(UTC))

FRENCH = gettext_for("fr").gettext


def rule_by_id(settings_: ExtensionSettings, rule_id: str) -> AnsweringRule:
    rules = (*settings_.custom_rules, settings_.user_hours_rule, settings_.after_hours_rule)
    return next(r for r in rules if r.id == rule_id)


def check_sequential_order(
    plan: CallPlan, settings_: ExtensionSettings, call: IncomingCall
) -> None:
    assert plan.rule is not None
    forwarding_ = rule_by_id(settings_, plan.rule.id).forwarding
    by_targets = {tuple(n.ring_target for n in e.numbers): e for e in forwarding_.entries}
    rung = [by_targets[ring.targets] for ring in plan.rings]
    assert all(entry.enabled for entry in rung)
    keys = [((not e.rings_apps) if forwarding_.apps_ring_first else False, e.index) for e in rung]
    assert keys == sorted(keys)
    assert rung == list(forwarding_.ordered_entries)


@settings(max_examples=250, deadline=None)
@given(extension(), calls, instants)
def test_plans_keep_the_guides_promises(
    settings_: ExtensionSettings, call: IncomingCall, now: datetime
) -> None:
    plan = route(call, settings_, now)
    assert plan == route(call, settings_, now)

    targets = {target for ring in plan.rings for target in ring.targets}
    assert len(targets) <= 10

    assert isinstance(plan.final_step, FINAL_STEPS)
    assert not any(isinstance(step, FINAL_STEPS) for step in plan.steps[:-1])
    if any(isinstance(step, ForwardTo) for step in plan.steps):
        assert len(plan.steps) == 1

    blocked = not call.is_queue_call and check_blocking(call, settings_.blocking) is not None
    assert blocked == plan.reason.is_blocked
    if blocked:
        assert not plan.rings
        assert plan.final_step == Disconnect(DisconnectReason.BLOCKED)

    if (
        plan.rule is not None
        and plan.rings
        and plan.reason in (PlanReason.CUSTOM_RULE, PlanReason.USER_HOURS, PlanReason.AFTER_HOURS)
    ):
        rule_ = rule_by_id(settings_, plan.rule.id)
        if (
            rule_.action is CallHandlingAction.FORWARD_CALLS
            and rule_.forwarding.ringing_mode is RingingMode.SEQUENTIALLY
            and rule_.forwarding.ordered_entries  # else a queue call rings all phones
        ):
            check_sequential_order(plan, settings_, call)

    for translate in (None, FRENCH):
        sentences = describe(plan) if translate is None else describe(plan, translate)
        assert sentences and all(sentence.strip() for sentence in sentences)


@settings(max_examples=250, deadline=None)
@given(extension(), calls, instants)
def test_validate_rules_agrees_with_route(
    settings_: ExtensionSettings, call: IncomingCall, now: datetime
) -> None:
    findings = validate_rules(settings_.custom_rules, user_hours=settings_.user_hours)
    shadowed = {f.rule_ids[-1] for f in findings if f.kind is FindingKind.SHADOWED}
    reported = {frozenset(f.rule_ids) for f in findings if len(f.rule_ids) == 2}
    moment = Moment.at(now, settings_.time_zone)
    matching = []
    enabled = [r for r in settings_.custom_rules if r.enabled]
    for position, candidate in enumerate(enabled):
        alone = replace(settings_, custom_rules=(candidate,))
        if active_rule(call, alone, moment) is candidate:
            matching.append((position, candidate))
    if matching:
        assert active_rule(call, settings_, moment) is matching[0][1]
        assert matching[0][1].id not in shadowed
    for index, (_, later) in enumerate(matching):
        for _, earlier in matching[:index]:
            assert frozenset((earlier.id, later.id)) in reported or later.id in shadowed
