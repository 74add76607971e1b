"""Failed attempts ban a key for a while (ACC-6 sign-in; later SIP digest failures)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from telephonist.domain.failure_limits import FailureLimiter


def test_the_fifth_failure_in_the_window_starts_a_ban() -> None:
    limiter = FailureLimiter(max_failures=5, window_seconds=60, ban_seconds=600)
    for second in range(4):
        assert not limiter.record_failure("10.0.0.1", float(second))
    assert limiter.retry_after("10.0.0.1", 4.0) == 0
    assert limiter.record_failure("10.0.0.1", 4.0)
    assert limiter.retry_after("10.0.0.1", 5.0) == 599
    assert limiter.retry_after("10.0.0.2", 5.0) == 0
    assert limiter.retry_after("10.0.0.1", 604.0) == 0


def test_failures_older_than_the_window_are_forgotten() -> None:
    limiter = FailureLimiter(max_failures=3, window_seconds=10, ban_seconds=100)
    limiter.record_failure("user", 0.0)
    limiter.record_failure("user", 1.0)
    assert not limiter.record_failure("user", 11.5)
    assert limiter.retry_after("user", 12.0) == 0


def test_a_success_clears_earlier_failures() -> None:
    limiter = FailureLimiter(max_failures=2, window_seconds=60, ban_seconds=60)
    limiter.record_failure("user", 0.0)
    limiter.record_success("user")
    assert not limiter.record_failure("user", 1.0)


@given(st.lists(st.floats(min_value=0, max_value=1000, allow_nan=False), max_size=50))
def test_never_banned_with_fewer_failures_than_the_limit_in_any_window(times: list[float]) -> None:
    limiter = FailureLimiter(max_failures=5, window_seconds=60, ban_seconds=600)
    started_ban = [limiter.record_failure("k", moment) for moment in sorted(times)]
    if len(times) < 5:
        assert not any(started_ban)
