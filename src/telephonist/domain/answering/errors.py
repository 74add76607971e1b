"""The one error of the answering-rule engine: rule or settings data that cannot be
evaluated (a range that ends before it starts, eleven forwarding numbers, "25:00"). Raised
when the dataclasses are built, so a bad rule is refused when it is saved, never while a
call waits."""

from __future__ import annotations


class RuleValidationError(ValueError):
    """Malformed answering-rule data; ``field`` names the public API field at fault
    (e.g. "schedule.weeklyRanges.monday", "forwarding.rules") for the REST error body."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
