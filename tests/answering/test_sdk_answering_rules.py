"""CH-1..CH-4 through the official SDK: every user has a user-hours and an after-hours
rule that can be changed but not deleted; custom rules with a weekly schedule, callers and
forwarding are created, read, changed and deleted; user hours; the rule preview and
"Validate rules"; bad input answered in the public error shape; and who may see what."""

from __future__ import annotations

from typing import Any

import httpx
from ringcentral.platform.platform import Platform

from tests.answering.conftest import (
    RITA_NUMBER,
    Rita,
    error_codes,
    failure,
)
from tests.demo_data import HANK, Login
from tests.support import RunningServer

RULES = "/restapi/v1.0/account/~/extension/~/answering-rule"
HOURS = "/restapi/v1.0/account/~/extension/~/business-hours"
NUMBERS = "/restapi/v1.0/account/~/extension/~/forwarding-number"
WORKWEEK = {
    day: [{"from": "09:00", "to": "17:00"}]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
}


def numbers_by_label(platform: Platform) -> dict[str, dict[str, Any]]:
    records = platform.get(NUMBERS).json_dict()["records"]
    return {record["label"]: record for record in records}


def ring_plan(rule: dict[str, Any]) -> list[tuple[int, list[str]]]:
    """(ring count, labels) of each forwarding entry."""
    return [
        (entry["ringCount"], [number["label"] for number in entry["forwardingNumbers"]])
        for entry in rule["forwarding"]["rules"]
    ]


def test_every_user_has_user_hours_and_after_hours_rules_ringing_their_phones(
    as_rita: Platform, rita: Rita, demo_server: RunningServer
) -> None:
    listed = as_rita.get(RULES, {"view": "Detailed"}).json_dict()
    assert [(r["id"], r["type"]) for r in listed["records"]] == [
        ("business-hours-rule", "BusinessHours"),
        ("after-hours-rule", "AfterHours"),
    ]
    assert listed["paging"]["totalElements"] == 2
    rule = as_rita.get(f"{RULES}/business-hours-rule").json_dict()
    base = f"{demo_server.url}/restapi/v1.0/account/{rita.account_id}/extension/{rita.extension_id}"
    assert rule["uri"] == f"{base}/answering-rule/business-hours-rule"
    assert rule["schedule"] == {"ref": "BusinessHours"}
    assert rule["callHandlingAction"] == "ForwardCalls"
    assert rule["forwarding"]["ringingMode"] == "Sequentially"
    assert ring_plan(rule) == [(4, ["Softphone"]), (4, ["Desk Phone"])]
    first = rule["forwarding"]["rules"][0]["forwardingNumbers"][0]
    assert first["type"] == "PhoneLine"
    assert first["uri"] == f"{base}/forwarding-number/{first['id']}"
    assert rule["voicemail"] == {
        "enabled": True,
        "recipient": {"id": str(rita.extension_id), "uri": base},
    }
    greetings = {g["type"]: g["preset"]["name"] for g in rule["greetings"]}
    assert greetings == {
        "Introductory": "None",
        "ConnectingMessage": "None",
        "ConnectingAudio": "Ring Tones",
        "Voicemail": "Default",
        "Announcement": "Default",
    }
    assert rule["screening"] == "Off"
    assert listed["records"][0] == rule
    simple = as_rita.get(RULES).json_dict()["records"][0]
    assert set(simple) == {"uri", "id", "type", "name", "enabled"}


def test_demo_users_work_monday_to_friday_and_ring_desk_phone_then_softphone(
    sdk_login: Login,
) -> None:
    dulcinea = sdk_login()
    hours = dulcinea.get(HOURS).json_dict()["schedule"]["weeklyRanges"]
    assert hours == WORKWEEK
    for rule_id in ("business-hours-rule", "after-hours-rule"):
        rule = dulcinea.get(f"{RULES}/{rule_id}").json_dict()
        assert ring_plan(rule) == [(4, ["Desk Phone"]), (4, ["Softphone"])]
        assert rule["voicemail"]["enabled"] is True


def test_a_custom_rule_is_created_read_changed_and_deleted(as_rita: Platform) -> None:
    mobile = as_rita.post(
        NUMBERS, {"phoneNumber": "+14155550123", "label": "My mobile", "type": "Mobile"}
    ).json_dict()
    phones = numbers_by_label(as_rita)
    try:
        created = as_rita.post(
            RULES,
            {
                "type": "Custom",
                "name": "Big customer in the morning",
                "enabled": True,
                "callers": [{"callerId": "+1 (650) 555-0100", "name": "Big Customer"}],
                "calledNumbers": [{"phoneNumber": RITA_NUMBER}],
                "schedule": {
                    "weeklyRanges": {
                        "monday": [{"from": "08:00", "to": "12:00"}],
                        "friday": [{"from": "22:00", "to": "06:00"}],
                    }
                },
                "callHandlingAction": "ForwardCalls",
                "forwarding": {
                    "ringingMode": "Sequentially",
                    "rules": [
                        {
                            "index": 1,
                            "ringCount": 2,
                            "forwardingNumbers": [
                                {"id": phones["Desk Phone"]["id"]},
                                {"id": phones["Softphone"]["id"]},
                            ],
                        },
                        {"index": 2, "ringCount": 5, "forwardingNumbers": [{"id": mobile["id"]}]},
                    ],
                },
                "screening": "UnknownCallerId",
            },
        ).json_dict()
        rule_id = created["id"]
        assert rule_id.isdigit()
        read = as_rita.get(f"{RULES}/{rule_id}").json_dict()
        assert read == created
        assert read["type"] == "Custom"
        assert read["callers"] == [{"callerId": "+1 (650) 555-0100", "name": "Big Customer"}]
        assert read["calledNumbers"] == [{"phoneNumber": RITA_NUMBER}]
        assert read["schedule"] == {
            "weeklyRanges": {
                "monday": [{"from": "08:00", "to": "12:00"}],
                "friday": [{"from": "22:00", "to": "06:00"}],
            }
        }
        assert ring_plan(read) == [(2, ["Desk Phone", "Softphone"]), (5, ["My mobile"])]
        assert read["forwarding"]["rules"][1]["forwardingNumbers"][0]["phoneNumber"] == (
            "+14155550123"
        )
        assert read["screening"] == "UnknownCallerId"

        changed = as_rita.put(
            f"{RULES}/{rule_id}",
            {
                "name": "Big customer",
                "enabled": False,
                "forwarding": {"ringingMode": "Simultaneously"},
            },
        ).json_dict()
        assert (changed["name"], changed["enabled"]) == ("Big customer", False)
        assert changed["forwarding"]["ringingMode"] == "Simultaneously"
        assert ring_plan(changed) == ring_plan(read), "a PUT changes only what it names"
        assert changed["callers"] == read["callers"]

        christmas = {"ranges": [{"from": "2026-12-24T00:00:00", "to": "2026-12-27T00:00:00"}]}
        holidays = as_rita.put(f"{RULES}/{rule_id}", {"schedule": christmas}).json_dict()
        assert holidays["schedule"] == christmas, "a new schedule replaces the weekly one"

        listed = as_rita.get(RULES, {"type": "Custom"}).json_dict()["records"]
        assert [(r["id"], r["name"], r["enabled"]) for r in listed] == [
            (rule_id, "Big customer", False)
        ]
        assert (
            as_rita.get(RULES, {"enabledOnly": "true", "type": "Custom"}).json_dict()["records"]
            == []
        )

        assert as_rita.delete(f"{RULES}/{rule_id}").response().status_code == 204
        status, body = failure(lambda: as_rita.get(f"{RULES}/{rule_id}"))
        assert (status, error_codes(body)) == (404, [("CMN-102", "ruleId")])
    finally:
        as_rita.delete(f"{NUMBERS}/{mobile['id']}")


def test_user_hours_and_after_hours_rules_change_but_are_never_deleted(
    as_rita: Platform,
) -> None:
    try:
        changed = as_rita.put(
            f"{RULES}/after-hours-rule",
            {"callHandlingAction": "TakeMessagesOnly", "greetings": []},
        ).json_dict()
        assert changed["callHandlingAction"] == "TakeMessagesOnly"
        assert as_rita.get(f"{RULES}/after-hours-rule").json_dict() == changed
        announcing = as_rita.put(
            f"{RULES}/business-hours-rule",
            {"callHandlingAction": "PlayAnnouncementOnly", "schedule": {"ref": "BusinessHours"}},
        ).json_dict()
        assert announcing["callHandlingAction"] == "PlayAnnouncementOnly"
        for rule_id in ("business-hours-rule", "after-hours-rule"):
            status, body = failure(lambda rule_id=rule_id: as_rita.delete(f"{RULES}/{rule_id}"))
            assert (status, error_codes(body)) == (400, [("CMN-101", "ruleId")])
            assert "cannot be deleted" in body["message"]
        status, body = failure(
            lambda: as_rita.put(
                f"{RULES}/business-hours-rule", {"callers": [{"callerId": "+16505550100"}]}
            )
        )
        assert (status, error_codes(body)) == (400, [("CMN-101", "type")])
    finally:
        for rule_id in ("business-hours-rule", "after-hours-rule"):
            as_rita.put(f"{RULES}/{rule_id}", {"callHandlingAction": "ForwardCalls"})


def test_bad_rules_are_refused_with_the_field_at_fault(
    as_rita: Platform, as_other: Platform
) -> None:
    other_extension = as_other.get("/restapi/v1.0/account/~/extension/~").json_dict()["id"]
    rule = {"type": "Custom", "name": "Bad"}
    cases = [
        (
            {"schedule": {"weeklyRanges": {"monday": [{"from": "25:00", "to": "26:00"}]}}},
            "schedule.weeklyRanges.monday",
        ),
        (
            {"forwarding": {"rules": [{"ringCount": 2, "forwardingNumbers": [{"id": "999999"}]}]}},
            "forwarding.rules.forwardingNumbers.id",
        ),
        (
            {"voicemail": {"enabled": True, "recipient": {"id": str(other_extension)}}},
            "voicemail.recipient.id",
        ),
        ({"callHandlingAction": "AgentQueue"}, "callHandlingAction"),
        ({"callers": [{"callerId": "call me maybe"}]}, "callers.callerId"),
        ({"calledNumbers": [{"phoneNumber": "+14092402117"}]}, "calledNumbers.phoneNumber"),
        ({"callHandlingAction": "UnconditionalForwarding"}, "unconditionalForwarding.phoneNumber"),
        (
            {"greetings": [{"type": "Voicemail", "custom": {"id": "424242"}}]},
            "greetings.Voicemail.custom.id",
        ),
        ({"name": " "}, "name"),
        ({"type": "BusinessHours"}, "type"),
    ]
    for extra, field in cases:
        status, body = failure(lambda extra=extra: as_rita.post(RULES, rule | extra))
        assert status == 400, extra
        assert field in [error.get("parameterName") for error in body["errors"]], (extra, body)
        assert body["errors"][0]["errorCode"] == "CMN-101"
    assert as_rita.get(RULES, {"type": "Custom"}).json_dict()["records"] == []


def test_user_hours_are_read_and_set_and_empty_means_always(as_rita: Platform) -> None:
    saved = as_rita.put(HOURS, {"schedule": {"weeklyRanges": WORKWEEK}}).json_dict()
    assert saved["schedule"]["weeklyRanges"] == WORKWEEK
    assert saved["uri"].endswith("/business-hours")
    assert as_rita.get(HOURS).json_dict() == saved
    status, body = failure(
        lambda: as_rita.put(
            HOURS, {"schedule": {"weeklyRanges": {"sunday": [{"from": "9:60", "to": "10:00"}]}}}
        )
    )
    assert (status, error_codes(body)) == (400, [("CMN-101", "schedule.weeklyRanges.sunday")])
    always = as_rita.put(HOURS, {"schedule": {"weeklyRanges": {}}}).json_dict()
    assert always["schedule"] == {"weeklyRanges": {}}
    as_rita.put(HOURS, {"schedule": {"weeklyRanges": WORKWEEK}})


def test_the_preview_says_what_happens_to_a_call(
    as_rita: Platform, demo_server: RunningServer
) -> None:
    """The French check uses httpx: the SDK breaks on an Accept-Language header."""
    as_rita.put(HOURS, {"schedule": {"weeklyRanges": WORKWEEK}})
    vip = as_rita.post(
        RULES,
        {
            "type": "Custom",
            "name": "Boss",
            "callers": [{"callerId": "+16505550100"}],
            "callHandlingAction": "UnconditionalForwarding",
            "unconditionalForwarding": {"phoneNumber": "+14155550199"},
        },
    ).json_dict()
    try:
        preview = "/restapi/v1.0/account/~/extension/~/answering-rule/preview"
        weekday = as_rita.get(
            preview, {"callerNumber": "+12125550100", "dateTime": "2026-06-01T10:00:00"}
        ).json_dict()
        assert weekday["reason"] == "UserHours"
        assert weekday["answeringRule"]["id"] == "business-hours-rule"
        assert weekday["dateTime"].startswith("2026-06-01T10:00:00")
        assert [step["type"] for step in weekday["steps"]] == ["Ring", "Ring", "TakeMessage"]
        assert weekday["steps"][0]["seconds"] == 20
        assert weekday["steps"][0]["legs"][0]["target"]["label"] == "Softphone"
        assert weekday["description"][0].startswith("Monday 10:00")

        saturday = as_rita.get(
            preview, {"callerNumber": "+12125550100", "dateTime": "2026-06-06T10:00:00"}
        ).json_dict()
        assert (saturday["reason"], saturday["answeringRule"]["id"]) == (
            "AfterHours",
            "after-hours-rule",
        )
        boss = as_rita.get(preview, {"callerNumber": "+16505550100"}).json_dict()
        assert (boss["reason"], boss["answeringRule"]["id"]) == ("CustomRule", vip["id"])
        assert boss["steps"] == [{"type": "ForwardTo", "phoneNumber": "+14155550199"}]
        french = httpx.get(
            f"{demo_server.url}{preview}",
            params={"callerNumber": "+12125550100", "dateTime": "2026-06-06T10:00:00"},
            headers={
                "Authorization": f"Bearer {as_rita.auth().access_token()}",
                "Accept-Language": "fr-FR",
            },
        ).json()
        assert french["description"][0].startswith("Samedi 10:00")
        status, body = failure(lambda: as_rita.get(preview, {"dateTime": "tomorrow"}))
        assert (status, error_codes(body)) == (400, [("CMN-101", "dateTime")])
    finally:
        as_rita.delete(f"{RULES}/{vip['id']}")


def test_validation_reports_rules_that_overlap_or_conflict(as_rita: Platform) -> None:
    validation = "/restapi/v1.0/account/~/extension/~/answering-rule/validation"
    assert as_rita.get(validation).json_dict()["records"] == []
    morning = {"monday": [{"from": "08:00", "to": "12:00"}]}
    first = as_rita.post(
        RULES,
        {
            "type": "Custom",
            "name": "Mornings",
            "schedule": {"weeklyRanges": morning},
            "callHandlingAction": "TakeMessagesOnly",
        },
    ).json_dict()
    second = as_rita.post(
        RULES,
        {
            "type": "Custom",
            "name": "Monday 9 to 10",
            "schedule": {"weeklyRanges": {"monday": [{"from": "09:00", "to": "10:00"}]}},
            "callHandlingAction": "PlayAnnouncementOnly",
        },
    ).json_dict()
    try:
        found = as_rita.get(validation).json_dict()
        assert found["valid"] is False
        kinds = {
            (record["kind"], tuple(rule["id"] for rule in record["answeringRules"]))
            for record in found["records"]
        }
        assert ("Shadowed", (first["id"], second["id"])) in kinds
        assert all(record["message"] for record in found["records"])
    finally:
        as_rita.delete(f"{RULES}/{first['id']}")
        as_rita.delete(f"{RULES}/{second['id']}")


def test_users_see_their_own_rules_and_admins_everyones(
    as_rita: Platform, sdk_login: Login, rita: Rita
) -> None:
    dulcinea = sdk_login()
    dulcinea_id = dulcinea.get("/restapi/v1.0/account/~/extension/~").json_dict()["id"]
    status, body = failure(
        lambda: as_rita.get(f"/restapi/v1.0/account/~/extension/{dulcinea_id}/answering-rule")
    )
    assert (status, body["errors"][0]["errorCode"]) == (403, "CMN-404")
    status, body = failure(
        lambda: as_rita.put(
            f"/restapi/v1.0/account/~/extension/{dulcinea_id}/answering-rule/business-hours-rule",
            {"enabled": True},
        )
    )
    assert (status, body["errors"][0]["errorCode"]) == (403, "CMN-402")
    hank = sdk_login(username=HANK[0], extension=HANK[1])
    theirs = f"/restapi/v1.0/account/~/extension/{rita.extension_id}/answering-rule"
    assert len(hank.get(theirs).json_dict()["records"]) >= 2
    rule = hank.put(f"{theirs}/after-hours-rule", {"screening": "NoCallerId"}).json_dict()
    assert rule["screening"] == "NoCallerId"
    assert as_rita.get(f"{RULES}/after-hours-rule").json_dict()["screening"] == "NoCallerId"
    hank.put(f"{theirs}/after-hours-rule", {"screening": "Off"})


def test_another_company_sees_none_of_it(as_other: Platform, rita: Rita) -> None:
    base = f"/restapi/v1.0/account/~/extension/{rita.extension_id}"
    for path in (
        "answering-rule",
        "answering-rule/business-hours-rule",
        "answering-rule/preview",
        "answering-rule/validation",
        "business-hours",
        "forwarding-number",
        "caller-blocking",
        "caller-blocking/phone-numbers",
        "presence",
        "incoming-call-info",
    ):
        status, body = failure(lambda path=path: as_other.get(f"{base}/{path}"))
        assert (status, error_codes(body)) == (404, [("CMN-102", "extensionId")]), path
    status, _ = failure(
        lambda: as_other.put(f"{base}/answering-rule/business-hours-rule", {"enabled": False})
    )
    assert status == 404
    other_rules = as_other.get(RULES).json_dict()["records"]
    assert [rule["id"] for rule in other_rules] == ["business-hours-rule", "after-hours-rule"]
