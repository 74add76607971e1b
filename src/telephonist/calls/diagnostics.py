"""What the phone system holds right now (calls, dialogs, transactions, registrations,
media endpoints and ports, trunk registrations): for the admin, for tests that assert
nothing leaks after a call, and for benchmarks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from telephonist.api.dependencies import PrincipalDep
from telephonist.errors import PermissionDenied

router = APIRouter()


@router.get("/v1.0/telephonist/diagnostics")
async def diagnostics(request: Request, principal: PrincipalDep) -> dict[str, Any]:
    """Counters of the SIP server of this process (admins only)."""
    if not principal.is_admin:
        raise PermissionDenied("Only an administrator can read diagnostics", code="CMN-402")
    sip = getattr(request.app.state, "sip", None)
    if sip is None:
        return {"sip": None}
    return {"sip": await sip.counters()}
