"""Marking user-facing text for translation without translating it here: pure code keeps
English messages, and the portal or e-mail edge translates them into the user's language
(the marker lets the message extractor find them)."""


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Return ``message`` unchanged; extraction collects it into the catalogues."""
    return message
