"""LOG-2 records as the SIP B2BUA writes them: opened at the call's first second, answered,
closed with the public API's results, and closed at start-up when a previous run left
them open."""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from telephonist.calllog import records
from telephonist.calllog.records import CallResult
from telephonist.calllog.search import CallLogFilter, filter_problems, search_call_log
from telephonist.errors import InvalidInput, NotFound
from telephonist.store.database import Database
from telephonist.store.telephony import CallRecord
from tests.support import company_of_dulcinea

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
_sessions = itertools.count(1)


@dataclass(frozen=True)
class Company:
    database: Database
    account_id: int
    extension_id: int


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('calllog') / 'log.db'}")
    database.migrate()
    yield Company(database, *company_of_dulcinea(database, "Log Company"))
    database.dispose()


def call(demo: Company, session: Session, **overrides: Any) -> str:
    """Open a record of an inbound call from outside to Dulcinea at T0."""
    arguments: dict[str, Any] = {
        "account_id": demo.account_id,
        "extension_id": demo.extension_id,
        "session_id": f"session-{next(_sessions)}",
        "direction": "Inbound",
        "action": "Phone Call",
        "from_number": "+13039688766",
        "from_name": "Hank Hillos",
        "from_extension": "",
        "to_number": "+14092402117",
        "to_name": "Dulcinea Dunn",
        "to_extension": "11103",
        "transport": "PSTN",
        "start": T0,
        **overrides,
    }
    return records.open_record(session, **arguments)


def stored(demo: Company, record_id: str) -> CallRecord:
    with demo.database.transaction() as session:
        record = session.get(CallRecord, record_id)
        assert record is not None
        return record


def test_an_open_record_is_in_progress_and_not_listed(demo: Company) -> None:
    with demo.database.transaction() as session:
        record_id = call(demo, session)
    record = stored(demo, record_id)
    assert (record.in_progress, record.result, record.duration_ms) == (True, "In Progress", 0)
    assert (record.type, record.action, record.transport) == ("Voice", "Phone Call", "PSTN")
    with demo.database.transaction() as session:
        listed = search_call_log(
            session, demo.account_id, CallLogFilter(session_id=record.session_id), 1, 10
        )
    assert listed.rows == []


def test_record_ids_look_like_the_public_apis(demo: Company) -> None:
    with demo.database.transaction() as session:
        ids = {call(demo, session) for _ in range(50)}
    assert len(ids) == 50
    for record_id in ids:
        assert len(record_id) == 15
        assert set(record_id) <= set(string.ascii_letters + string.digits)


def test_an_answered_call_lasts_from_answer_to_hang_up(demo: Company) -> None:
    with demo.database.transaction() as session:
        record_id = call(demo, session)
        assert records.mark_answered(session, record_id, T0 + timedelta(seconds=5))
        assert records.close_record(
            session,
            record_id,
            result="Accepted",
            reason="Accepted",
            end=T0 + timedelta(seconds=92, milliseconds=500),
        )
    record = stored(demo, record_id)
    assert (record.result, record.reason, record.in_progress) == ("Accepted", "Accepted", False)
    assert record.duration_ms == 87_500
    assert record.end_time == record.last_modified == T0 + timedelta(seconds=92.5)


@pytest.mark.parametrize(
    ("direction", "result", "reason"),
    [
        ("Inbound", "Missed", "Not Answered"),
        ("Inbound", "Voicemail", "Not Answered"),
        ("Outbound", "No Answer", "No Answer"),
        ("Outbound", "Busy", "Line Busy"),
        ("Outbound", "Rejected", "Calls Not Accepted"),
        ("Outbound", "Wrong Number", "Bad Number"),
    ],
)
def test_an_unanswered_call_has_no_length(
    demo: Company, direction: str, result: str, reason: str
) -> None:
    with demo.database.transaction() as session:
        record_id = call(demo, session, direction=direction, action="VoIP Call")
        records.close_record(
            session, record_id, result=result, reason=reason, end=T0 + timedelta(seconds=20)
        )
    record = stored(demo, record_id)
    assert (record.result, record.reason, record.duration_ms) == (result, reason, 0)
    assert record.answer_time is None and not record.in_progress


def test_the_first_answer_and_the_first_close_win(demo: Company) -> None:
    with demo.database.transaction() as session:
        record_id = call(demo, session)
        assert records.mark_answered(session, record_id, T0 + timedelta(seconds=3))
        assert not records.mark_answered(session, record_id, T0 + timedelta(seconds=9))
        assert records.close_record(
            session,
            record_id,
            result="Accepted",
            reason="Accepted",
            end=T0 + timedelta(seconds=60),
        )
        assert not records.close_record(
            session, record_id, result="Call Failed", reason="Internal Error", end=T0
        )
        assert not records.mark_answered(session, record_id, T0 + timedelta(seconds=1))
    record = stored(demo, record_id)
    assert record.answer_time == T0 + timedelta(seconds=3)
    assert record.result == "Accepted"
    assert record.duration_ms == 57_000


def test_an_answer_that_crossed_the_cancel_leaves_a_missed_call_missed(demo: Company) -> None:
    with demo.database.transaction() as session:
        record_id = call(demo, session)
        records.close_record(
            session,
            record_id,
            result="Missed",
            reason="Not Answered",
            end=T0 + timedelta(seconds=9),
        )
        assert not records.mark_answered(session, record_id, T0 + timedelta(seconds=10))
    assert stored(demo, record_id).duration_ms == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answer_after=st.one_of(st.none(), st.integers(-5_000, 3_600_000)),
    end_after=st.integers(-5_000, 7_200_000),
)
def test_a_length_is_never_negative_and_never_counts_ringing(
    demo: Company, answer_after: int | None, end_after: int
) -> None:
    """Clocks may step back between events; the length still runs from answer to end."""
    with demo.database.transaction() as session:
        record_id = call(demo, session)
        if answer_after is not None:
            records.mark_answered(session, record_id, T0 + timedelta(milliseconds=answer_after))
        records.close_record(
            session,
            record_id,
            result="Accepted" if answer_after is not None else "Missed",
            reason="",
            end=T0 + timedelta(milliseconds=end_after),
        )
    record = stored(demo, record_id)
    assert record.duration_ms >= 0
    if answer_after is None:
        assert record.duration_ms == 0
    else:
        answered = max(answer_after, 0)
        assert record.duration_ms == max(0, max(end_after, 0) - answered)


def test_start_up_closes_what_the_previous_run_left_open(demo: Company) -> None:
    now = T0 + timedelta(minutes=10)
    with demo.database.transaction() as session:
        records.close_abandoned_records(session, T0)
        answered_in = call(demo, session)
        records.mark_answered(session, answered_in, T0 + timedelta(minutes=1))
        ringing_in = call(demo, session)
        answered_out = call(demo, session, direction="Outbound", action="VoIP Call")
        records.mark_answered(session, answered_out, T0 + timedelta(minutes=2))
        ringing_out = call(demo, session, direction="Outbound", action="VoIP Call")
        finished = call(demo, session)
        records.close_record(session, finished, result="Missed", reason="Not Answered", end=T0)
    with demo.database.transaction() as session:
        assert records.close_abandoned_records(session, now) == 4
        assert records.close_abandoned_records(session, now) == 0
    expected = {
        answered_in: ("Hang Up", 9 * 60_000),
        ringing_in: ("Missed", 0),
        answered_out: ("Hang Up", 8 * 60_000),
        ringing_out: ("No Answer", 0),
        finished: ("Missed", 0),
    }
    for record_id, (result, duration_ms) in expected.items():
        record = stored(demo, record_id)
        assert (record.result, record.duration_ms, record.in_progress) == (
            result,
            duration_ms,
            False,
        )
    assert stored(demo, answered_in).end_time == now
    assert stored(demo, answered_in).reason == "Internal Error"
    assert stored(demo, finished).end_time == T0


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"direction": "Sideways"}, "direction"),
        ({"action": "Carrier Pigeon"}, "action"),
        ({"transport": "ISDN"}, "transport"),
        ({"start": datetime(2026, 3, 2, 14, 0)}, "timezone-aware"),
        ({"session_id": "x" * 65}, "session_id"),
        ({"session_id": ""}, "session_id"),
        ({"to_extension": "123456"}, "to_extension"),
    ],
)
def test_a_programming_error_is_refused_when_opening(
    demo: Company, overrides: dict[str, Any], complaint: str
) -> None:
    with demo.database.transaction() as session, pytest.raises(ValueError, match=complaint):
        call(demo, session, **overrides)


@pytest.mark.parametrize(
    ("result", "reason", "complaint"),
    [
        ("In Progress", "", "final result"),
        ("Splendid", "", "result"),
        ("Accepted", "Because", "reason"),
    ],
)
def test_a_programming_error_is_refused_when_closing(
    demo: Company, result: str, reason: str, complaint: str
) -> None:
    with demo.database.transaction() as session:
        record_id = call(demo, session)
        with pytest.raises(ValueError, match=complaint):
            records.close_record(session, record_id, result=result, reason=reason, end=T0)
    assert stored(demo, record_id).in_progress


def test_unknown_record_is_not_found(demo: Company) -> None:
    with demo.database.transaction() as session:
        with pytest.raises(NotFound):
            records.mark_answered(session, "NoSuchRecord123", T0)
        with pytest.raises(NotFound):
            records.close_record(session, "NoSuchRecord123", result="Missed", reason="", end=T0)


def test_names_and_numbers_from_the_network_are_cut_to_fit(demo: Company) -> None:
    with demo.database.transaction() as session:
        record_id = call(demo, session, from_name="N" * 500, from_number="sip:" + "9" * 100)
    record = stored(demo, record_id)
    assert record.from_name == "N" * 200
    assert len(record.from_number) == 40


def test_the_enums_can_be_passed_as_well_as_their_values(demo: Company) -> None:
    with demo.database.transaction() as session:
        record_id = call(
            demo,
            session,
            direction=records.Direction.OUTBOUND,
            action=records.CallAction.VOIP_CALL,
            transport=records.Transport.VOIP,
        )
        records.close_record(
            session,
            record_id,
            result=CallResult.NO_ANSWER,
            reason=records.CallReason.NO_ANSWER,
            end=T0,
        )
    record = stored(demo, record_id)
    assert (record.direction, record.action, record.result) == (
        "Outbound",
        "VoIP Call",
        "No Answer",
    )


def test_a_filter_names_every_bad_value() -> None:
    problems = filter_problems(
        CallLogFilter(
            directions=["Inbound", "Upward"],
            types=["Telex"],
            date_from=T0,
            date_to=T0 - timedelta(days=1),
        )
    )
    assert [problem.field for problem in problems] == ["direction", "type", "dateFrom"]


def test_searching_with_a_bad_filter_is_invalid_input(demo: Company) -> None:
    with demo.database.transaction() as session, pytest.raises(InvalidInput):
        search_call_log(session, demo.account_id, CallLogFilter(types=["Telex"]), 1, 10)
