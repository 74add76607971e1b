"""Counting failed attempts to ban guessers for a while: sign-in per user and per IP (ACC-6),
and later SIP digest failures per IP. Pure: callers pass ``now``."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class FailureLimiter:
    """Bans a key for ``ban_seconds`` once it fails ``max_failures`` times in ``window_seconds``."""

    max_failures: int
    window_seconds: float
    ban_seconds: float
    _failures: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _banned_until: dict[str, float] = field(default_factory=dict, repr=False)

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again; 0 when it is not banned."""
        until = self._banned_until.get(key)
        if until is None:
            return 0.0
        if until <= now:
            del self._banned_until[key]
            return 0.0
        return until - now

    def record_failure(self, key: str, now: float) -> bool:
        """Count one failure; True when this failure starts a ban."""
        failures = self._failures.setdefault(key, deque())
        failures.append(now)
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        if len(failures) >= self.max_failures:
            self._banned_until[key] = now + self.ban_seconds
            failures.clear()
            return True
        return False

    def record_success(self, key: str) -> None:
        """A success forgets earlier failures of that key."""
        self._failures.pop(key, None)

    def forget_expired(self, now: float) -> None:
        """Drop bookkeeping that can no longer matter, to bound memory."""
        for key in [k for k, until in self._banned_until.items() if until <= now]:
            del self._banned_until[key]
        for key in [
            k for k, times in self._failures.items() if times[-1] <= now - self.window_seconds
        ]:
            del self._failures[key]
