"""Edge protection (issue 3 item 7): what is dropped before any SIP processing.

Scanners (``friendly-scanner`` and friends) are dropped silently, an address that fails
digest authentication too often is banned for a while (logged), messages are bounded in
size, and each address may hold only so many TCP/TLS connections."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from telephonist.domain.failure_limits import FailureLimiter

log = logging.getLogger(__name__)

SCANNER_AGENTS = ("friendly-scanner", "sipvicious", "sipcli", "sip-scan", "sundayddr", "iwar")


def is_scanner(user_agent: str | None) -> bool:
    """True for the user agents of well-known SIP scanners."""
    if not user_agent:
        return False
    lowered = user_agent.lower()
    return any(agent in lowered for agent in SCANNER_AGENTS)


@dataclass
class EdgeGuard:
    """Per-address bans and connection counts; pure bookkeeping fed with ``now``."""

    auth_failures: FailureLimiter
    max_message_bytes: int
    max_connections_per_address: int
    connections: Counter[str] = field(default_factory=Counter)

    def banned(self, address: str, now: float) -> bool:
        return self.auth_failures.retry_after(address, now) > 0

    def failed_authentication(self, address: str, now: float) -> None:
        if self.auth_failures.record_failure(address, now):
            log.warning(
                "banned %s for %.0f s after repeated failed SIP authentications",
                address,
                self.auth_failures.ban_seconds,
            )

    def succeeded_authentication(self, address: str) -> None:
        self.auth_failures.record_success(address)

    def open_connection(self, address: str) -> bool:
        """Count a new connection; False when the address already holds too many."""
        if self.connections[address] >= self.max_connections_per_address:
            log.warning("refused a connection from %s: too many open connections", address)
            return False
        self.connections[address] += 1
        return True

    def close_connection(self, address: str) -> None:
        self.connections[address] -= 1
        if self.connections[address] <= 0:
            del self.connections[address]
