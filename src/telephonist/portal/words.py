"""How the portal names stored values (device kinds, statuses, roles, phone types) in the
visitor's language."""

from __future__ import annotations

from jinja2 import pass_context
from jinja2.runtime import Context

from telephonist.domain.text import N_

DISPLAY_WORDS = {
    "HardPhone": N_("Desk Phone"),
    "SoftPhone": N_("Softphone"),
    "OtherPhone": N_("Existing Phone"),
    "WebPhone": N_("Browser Phone"),
    "Offline": N_("Offline"),
    "Online": N_("Online"),
    "Enabled": N_("Enabled"),
    "Disabled": N_("Disabled"),
    "NotActivated": N_("Not activated"),
    "Super Admin": N_("Super Admin"),
    "Standard": N_("Standard"),
    "Standard (International)": N_("Standard (International)"),
    "Home": N_("Home"),
    "Mobile": N_("Mobile"),
    "Work": N_("Work"),
    "Other": N_("Other"),
}


@pass_context
def word(context: Context, value: str) -> str:
    """Jinja filter: the display word for ``value``, translated."""
    translate = context["_"]
    return str(translate(DISPLAY_WORDS.get(value, value)))
