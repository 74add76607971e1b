"""Roles and permissions (ACC-9): a role is a set of permissions; every API call and page
names the permission it needs, and settings a role may not change are read-only.

OAuth applications carry their own scopes (the public API's "app permissions"); a call
needs both the user's permission and the application's scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telephonist.domain.text import N_


class Permission(StrEnum):
    """What a user may do."""

    READ_COMPANY = "ReadCompany"
    READ_DIRECTORY = "ReadDirectory"
    EDIT_OWN_SETTINGS = "EditOwnSettings"
    MANAGE_USERS = "ManageUsers"
    MANAGE_APPS = "ManageApps"
    MANAGE_TRUNKS = "ManageTrunks"
    INTERNATIONAL_CALLING = "InternationalCalling"


class AppScope(StrEnum):
    """What an OAuth application may do, with the public API's names."""

    READ_ACCOUNTS = "ReadAccounts"
    EDIT_EXTENSIONS = "EditExtensions"
    EDIT_ACCOUNTS = "EditAccounts"
    READ_CALL_LOG = "ReadCallLog"
    READ_MESSAGES = "ReadMessages"
    EDIT_MESSAGES = "EditMessages"
    READ_PRESENCE = "ReadPresence"
    EDIT_PRESENCE = "EditPresence"


APP_SCOPE_DESCRIPTIONS: dict[AppScope, str] = {
    AppScope.READ_ACCOUNTS: N_("View account, extension, directory and device information"),
    AppScope.EDIT_EXTENSIONS: N_("Change extension settings"),
    AppScope.EDIT_ACCOUNTS: N_("Change account settings and create extensions"),
    AppScope.READ_CALL_LOG: N_("View the call log"),
    AppScope.READ_MESSAGES: N_("View messages"),
    AppScope.EDIT_MESSAGES: N_("Mark, delete and restore messages"),
    AppScope.READ_PRESENCE: N_("View presence"),
    AppScope.EDIT_PRESENCE: N_("Change presence and do-not-disturb"),
}


@dataclass(frozen=True)
class RolePreset:
    """A role every account starts with."""

    name: str
    is_admin: bool
    permissions: frozenset[Permission]


_STANDARD = frozenset(
    {Permission.READ_COMPANY, Permission.READ_DIRECTORY, Permission.EDIT_OWN_SETTINGS}
)

SUPER_ADMIN = RolePreset("Super Admin", True, frozenset(Permission))
STANDARD = RolePreset("Standard", False, _STANDARD)
STANDARD_INTERNATIONAL = RolePreset(
    "Standard (International)", False, _STANDARD | {Permission.INTERNATIONAL_CALLING}
)
ROLE_PRESETS = (SUPER_ADMIN, STANDARD, STANDARD_INTERNATIONAL)


def parse_permissions(names: list[str]) -> frozenset[Permission]:
    """Permissions stored by name; unknown names (from a newer version) are ignored."""
    known = set(Permission.__members__.values())
    return frozenset(Permission(name) for name in names if name in known)


def parse_scopes(text: str) -> frozenset[AppScope]:
    """Scopes as a space- or comma-separated list; raises ValueError naming unknown ones."""
    names = [name for name in text.replace(",", " ").split() if name]
    known = set(AppScope.__members__.values())
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"Unknown scope(s): {', '.join(unknown)}")
    return frozenset(AppScope(name) for name in names)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user of one account, through the portal (``app_scopes`` None) or
    through an OAuth application limited to its scopes."""

    account_id: int
    extension_id: int
    is_admin: bool
    permissions: frozenset[Permission]
    app_scopes: frozenset[AppScope] | None = None
    session_id: str | None = None

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions

    def app_allows(self, scope: AppScope) -> bool:
        return self.app_scopes is None or scope in self.app_scopes
