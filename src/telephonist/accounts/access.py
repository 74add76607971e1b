"""Who may change an extension's settings (ACC-9), for both faces."""

from __future__ import annotations

from telephonist.domain.permissions import Permission, Principal
from telephonist.errors import PermissionDenied
from telephonist.store.extensions import Extension


def require_editor(principal: Principal, extension: Extension) -> None:
    """Users edit themselves when their role allows it (ACC-9); admins edit anyone."""
    if principal.is_admin:
        return
    if principal.extension_id != extension.id:
        raise PermissionDenied(
            "In order to change another extension, user needs to have [Users] permission",
            code="CMN-402",
        )
    if not principal.has(Permission.EDIT_OWN_SETTINGS):
        raise PermissionDenied(
            "Your role does not allow you to change your settings", code="CMN-408"
        )
