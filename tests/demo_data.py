"""The demo company's facts that tests sign in with (README lists the same)."""

from __future__ import annotations

from collections.abc import Callable

from ringcentral.platform.platform import Platform

DEMO_CLIENT = ("demo-client", "demo-secret")
PASSWORD = "Welcome#2026"
PIN = "591738"
DULCINEA = ("+14092402117", "11103")
JOE = ("+14092090429", "11102")
HANK = ("+13039688766", "11101")
COMPANY_NUMBER = "+14092402583"

Login = Callable[..., Platform]

# Extension numbers that tests add to the session-wide demo company, one range per module
# so that no two modules ever take the same number, whatever order they run in:
# 11150 tests/answering (Rita), 11160-11161 tests/answering/test_pages.py,
# 11170-11189 tests/portal/test_browser.py, 11300 and up tests/identity/test_onboarding.py.
