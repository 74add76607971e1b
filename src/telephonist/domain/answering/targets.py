"""What a ring step rings (CH-2): one of our phones, an extension's apps or all its
phones, or an outside number. Shared by the settings (a forwarding number knows its
target) and the plan (ring steps list targets)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RingTargetKind(StrEnum):
    DEVICE = "Device"  # one registered desk phone or softphone (ours: a system phone)
    APPS = "Apps"  # an extension's desktop & mobile apps
    EXTENSION = "Extension"  # every registered phone of an extension (e.g. another user's)
    OUTSIDE_NUMBER = "OutsideNumber"  # a mobile/home/work number, called through a trunk


@dataclass(frozen=True)
class RingTarget:
    """What to ring: ``value`` is the device id, the extension id or the E.164 number
    according to ``kind``; ``label`` is the user's name for it ("Mobile", "Desk phone")."""

    kind: RingTargetKind
    value: str
    label: str = ""

    @property
    def is_system_phone(self) -> bool:
        """CH-5: our own phones know who answers; an outside number does not."""
        return self.kind is not RingTargetKind.OUTSIDE_NUMBER
