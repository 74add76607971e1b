"""The far end of a message as the transports see it: address, port and transport."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Peer:
    """Where a message came from or goes to; ``transport`` is ``udp``, ``tcp``, ``tls``,
    ``ws`` or ``wss``. Reliable transports get no retransmission timers (§17)."""

    host: str
    port: int
    transport: str = "udp"

    @property
    def reliable(self) -> bool:
        """Whether the transport itself retransmits (everything but UDP)."""
        return self.transport.lower() != "udp"
