"""Query parameters the public API shares between its resources (call log, message
store...), parsed the same way everywhere with the public API's error for a bad value."""

from __future__ import annotations

from datetime import UTC, datetime

from telephonist.api.errors import ApiError


def moment_parameter(value: str | None, parameter: str) -> datetime | None:
    """An ISO 8601 date or time, in UTC; without an offset it is UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(
            400,
            "CMN-101",
            f"Parameter [{parameter}] value is invalid: use ISO 8601, "
            "e.g. 2026-01-06T23:07:20.000Z",
            parameterName=parameter,
        ) from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def phone_number_parameter(value: str | None) -> str | None:
    """The public API's "E.164 without +" (a + is tolerated) as stored: with the +."""
    if not value:
        return None
    digits = value.removeprefix("+")
    if not digits.isdigit():
        raise ApiError(
            400,
            "CMN-101",
            "Parameter [phoneNumber] value is invalid: use digits, e.g. 14155550100",
            parameterName="phoneNumber",
        )
    return "+" + digits
