"""What service functions raise when a request cannot be done. The REST edge turns each
into the public API's error body and status; the portal turns it into a message next to
the field. Nothing here knows about HTTP."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one input field; ``field`` uses the public API's name."""

    field: str
    message: str


class ServiceError(Exception):
    """Base of every refusal; ``message`` is fit to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """The resource does not exist for this caller (or belongs to another account)."""

    def __init__(self, parameter: str, message: str | None = None) -> None:
        super().__init__(message or f"Resource for parameter [{parameter}] is not found")
        self.parameter = parameter


class InvalidInput(ServiceError):
    """Input that breaks a rule; every problem is listed, not just the first."""

    def __init__(self, problems: list[FieldProblem], *, unprocessable: bool = False) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems
        self.unprocessable = unprocessable
        """True for well-formed values that break a business rule (password criteria)."""


class Conflict(ServiceError):
    """The change collides with existing data (a taken e-mail or extension number)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(ServiceError):
    """The caller's role or application may not do this."""

    def __init__(self, message: str, *, code: str = "CMN-408") -> None:
        super().__init__(message)
        self.code = code


class AuthenticationFailed(ServiceError):
    """Wrong or unusable credentials; the message never says which part was wrong."""

    def __init__(
        self, message: str = "Invalid resource owner credentials", *, code: str = "OAU-140"
    ) -> None:
        super().__init__(message)
        self.code = code


class TooManyAttempts(ServiceError):
    """Too many failures; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}."
        )
        self.retry_after = retry_after
