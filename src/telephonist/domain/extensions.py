"""Extension types and numbering (EXT-1): the kinds of extension a company has and the
rule that extension numbers are 3 to 5 digits."""

from __future__ import annotations

from enum import StrEnum

from telephonist.domain.text import N_

EXTENSION_NUMBER_MIN_DIGITS = 3
EXTENSION_NUMBER_MAX_DIGITS = 5


class ExtensionType(StrEnum):
    """EXT-1 types, named as the public API names them."""

    USER = "User"
    CALL_QUEUE = "Department"
    MESSAGE_ONLY = "Voicemail"
    ANNOUNCEMENT_ONLY = "Announcement"
    PAGING_GROUP = "PagingOnly"
    SHARED_LINE = "SharedLinesGroup"
    AUTO_RECEPTIONIST = "IvrMenu"


EXTENSION_TYPE_LABELS: dict[ExtensionType, str] = {
    ExtensionType.USER: N_("User"),
    ExtensionType.CALL_QUEUE: N_("Call Queue"),
    ExtensionType.MESSAGE_ONLY: N_("Message-Only"),
    ExtensionType.ANNOUNCEMENT_ONLY: N_("Announcement-Only"),
    ExtensionType.PAGING_GROUP: N_("Paging Group"),
    ExtensionType.SHARED_LINE: N_("Shared Line"),
    ExtensionType.AUTO_RECEPTIONIST: N_("Auto-Receptionist"),
}


class ExtensionStatus(StrEnum):
    """Enabled once activated; NotActivated between the welcome e-mail and the wizard."""

    ENABLED = "Enabled"
    DISABLED = "Disabled"
    NOT_ACTIVATED = "NotActivated"


class ExtensionNumberError(ValueError):
    """An extension number that breaks the 3-5 digit rule."""


def validate_extension_number(number: str) -> str:
    """Return the number when it is 3 to 5 digits, else raise ExtensionNumberError."""
    if not (number.isascii() and number.isdigit()):
        raise ExtensionNumberError(f"Extension number '{number}' must contain digits only")
    if not EXTENSION_NUMBER_MIN_DIGITS <= len(number) <= EXTENSION_NUMBER_MAX_DIGITS:
        raise ExtensionNumberError(f"Extension number '{number}' must be 3 to 5 digits long")
    return number
