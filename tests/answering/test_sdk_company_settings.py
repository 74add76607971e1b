"""Company-wide call handling through the official SDK: company hours, the longest
voicemail message (VM-1) and the robocall list (BLK-3) are read by users and changed by
admins only."""

from __future__ import annotations

from ringcentral.platform.platform import Platform

from tests.answering.conftest import error_codes, failure
from tests.demo_data import HANK, Login

ACCOUNT = "/restapi/v1.0/account/~"
SETTINGS = f"{ACCOUNT}/telephonist/answering-settings"
ROBOCALLS = f"{ACCOUNT}/telephonist/robocall-numbers"


def test_company_hours_are_changed_by_admins_only(as_rita: Platform, sdk_login: Login) -> None:
    hank = sdk_login(username=HANK[0], extension=HANK[1])
    office = {"monday": [{"from": "08:30", "to": "18:00"}]}
    try:
        saved = hank.put(
            f"{ACCOUNT}/business-hours", {"schedule": {"weeklyRanges": office}}
        ).json_dict()
        assert saved["schedule"]["weeklyRanges"] == office
        assert as_rita.get(f"{ACCOUNT}/business-hours").json_dict() == saved
        status, body = failure(
            lambda: as_rita.put(f"{ACCOUNT}/business-hours", {"schedule": {"weeklyRanges": {}}})
        )
        assert (status, body["errors"][0]["errorCode"]) == (403, "CMN-402")
        status, body = failure(
            lambda: hank.put(
                f"{ACCOUNT}/business-hours",
                {"schedule": {"weeklyRanges": {"monday": [{"from": "18:00", "to": "24:30"}]}}},
            )
        )
        assert (status, error_codes(body)) == (400, [("CMN-101", "schedule.weeklyRanges.monday")])
    finally:
        hank.put(f"{ACCOUNT}/business-hours", {"schedule": {"weeklyRanges": {}}})


def test_admins_set_the_longest_message_and_the_robocall_list(
    as_rita: Platform, sdk_login: Login
) -> None:
    hank = sdk_login(username=HANK[0], extension=HANK[1])
    assert as_rita.get(SETTINGS).json_dict()["maxMessageSeconds"] == 180
    try:
        assert (
            hank.put(SETTINGS, {"maxMessageSeconds": 120}).json_dict()["maxMessageSeconds"] == 120
        )
        status, body = failure(lambda: hank.put(SETTINGS, {"maxMessageSeconds": 5}))
        assert (status, error_codes(body)) == (400, [("CMN-101", "maxMessageSeconds")])
        status, body = failure(lambda: as_rita.put(SETTINGS, {"maxMessageSeconds": 600}))
        assert (status, body["errors"][0]["errorCode"]) == (403, "CMN-402")
    finally:
        hank.put(SETTINGS, {"maxMessageSeconds": 180})
    robocaller = hank.post(ROBOCALLS, {"phoneNumber": "+1 900", "label": "Premium"}).json_dict()
    try:
        assert (robocaller["phoneNumber"], robocaller["label"]) == ("+1900", "Premium")
        listed = as_rita.get(ROBOCALLS).json_dict()["records"]
        assert [number["id"] for number in listed] == [robocaller["id"]]
        status, body = failure(lambda: hank.post(ROBOCALLS, {"phoneNumber": "+1900"}))
        assert (status, error_codes(body)) == (409, [("CMN-409", "phoneNumber")])
        status, _ = failure(lambda: as_rita.post(ROBOCALLS, {"phoneNumber": "+1901"}))
        assert status == 403
    finally:
        hank.delete(f"{ROBOCALLS}/{robocaller['id']}")
    assert as_rita.get(ROBOCALLS).json_dict()["records"] == []
