"""CH-2 forwarding numbers, BLK-1..BLK-5 caller blocking, PRE-1 do-not-disturb and CH-5
incoming call information through the official SDK."""

from __future__ import annotations

from ringcentral.platform.platform import Platform
from sqlalchemy import select

from telephonist.store.devices import Device
from tests.answering.conftest import Rita, error_codes, failure
from tests.support import RunningServer, database_of

EXTENSION = "/restapi/v1.0/account/~/extension/~"
NUMBERS = f"{EXTENSION}/forwarding-number"
BLOCKING = f"{EXTENSION}/caller-blocking"
LISTED = f"{BLOCKING}/phone-numbers"
PRESENCE = f"{EXTENSION}/presence"
PREVIEW = f"{EXTENSION}/answering-rule/preview"


def test_her_phones_are_forwarding_numbers_and_ten_is_the_most(
    as_rita: Platform, rita: Rita, demo_server: RunningServer
) -> None:
    listed = as_rita.get(NUMBERS).json_dict()
    phones = listed["records"]
    assert [(p["label"], p["type"], p["device"]["id"]) for p in phones] == [
        ("Softphone", "PhoneLine", str(rita.softphone_id)),
        ("Desk Phone", "PhoneLine", str(rita.desk_phone_id)),
    ]
    assert phones[0]["features"] == ["CallForwarding"]
    assert phones[0]["uri"].startswith(demo_server.url)
    added: list[str] = []
    try:
        for n in range(8):
            number = as_rita.post(
                NUMBERS,
                {"phoneNumber": f"(415) 555-01{n:02d}", "label": f"Number {n}", "type": "Other"},
            ).json_dict()
            added.append(number["id"])
        assert number["phoneNumber"] == "+14155550107"
        assert as_rita.get(NUMBERS).json_dict()["paging"]["totalElements"] == 10
        status, body = failure(
            lambda: as_rita.post(NUMBERS, {"phoneNumber": "+14155550199", "type": "Mobile"})
        )
        assert (status, error_codes(body)) == (400, [("CMN-101", "forwardingNumber")])
        assert "at most 10 forwarding numbers" in body["message"]

        as_rita.delete(f"{NUMBERS}/{added.pop()}")
        mobile = as_rita.post(
            NUMBERS, {"phoneNumber": "+14155550199", "label": "Mobile", "type": "Mobile"}
        ).json_dict()
        added.append(mobile["id"])
        renamed = as_rita.put(
            f"{NUMBERS}/{mobile['id']}", {"label": "Work mobile", "type": "BusinessMobilePhone"}
        ).json_dict()
        assert (renamed["label"], renamed["type"]) == ("Work mobile", "BusinessMobilePhone")
        assert as_rita.get(f"{NUMBERS}/{mobile['id']}").json_dict() == renamed
    finally:
        for number_id in added:
            as_rita.delete(f"{NUMBERS}/{number_id}")
    assert as_rita.get(NUMBERS).json_dict()["paging"]["totalElements"] == 2


def test_forwarding_numbers_refuse_bad_input(
    as_rita: Platform, as_other: Platform, demo_server: RunningServer, rita: Rita
) -> None:
    own_phone = as_rita.get(NUMBERS).json_dict()["records"][0]["id"]
    database = database_of(demo_server)
    with database.transaction() as session:
        others = session.scalars(select(Device.id).where(Device.account_id != rita.account_id))
        other_company_device = next(iter(others))
    database.dispose()
    cases = [
        ({"phoneNumber": "12", "type": "Home"}, 400, "phoneNumber"),
        ({"type": "PhoneLine", "device": {"id": str(other_company_device)}}, 400, "device.id"),
        ({"type": "PhoneLine", "device": {"id": str(rita.desk_phone_id)}}, 409, "phoneNumber"),
        ({"type": "Flying"}, 400, "type"),
    ]
    for body, status, field in cases:
        got, error = failure(lambda body=body: as_rita.post(NUMBERS, body))
        assert (got, error["errors"][0].get("parameterName")) == (status, field), body
    got, error = failure(lambda: as_rita.delete(f"{NUMBERS}/{own_phone}"))
    assert (got, error_codes(error)) == (400, [("CMN-101", "forwardingNumberId")])
    got, error = failure(lambda: as_rita.get(f"{NUMBERS}/987654"))
    assert (got, error_codes(error)) == (404, [("CMN-102", "forwardingNumberId")])
    got, error = failure(
        lambda: as_rita.put(f"{NUMBERS}/{own_phone}", {"phoneNumber": "+14155550100"})
    )
    assert (got, error_codes(error)) == (400, [("CMN-101", "phoneNumber")])


def test_a_colleagues_phone_can_be_a_forwarding_number(
    as_rita: Platform, demo_server: RunningServer, rita: Rita
) -> None:
    database = database_of(demo_server)
    with database.transaction() as session:
        colleague_phone = session.scalar(
            select(Device.id).where(
                Device.account_id == rita.account_id,
                Device.extension_id != rita.extension_id,
                Device.kind == "HardPhone",
            )
        )
    database.dispose()
    number = as_rita.post(
        NUMBERS,
        {"type": "PhoneLine", "device": {"id": str(colleague_phone)}, "label": "Joe's desk"},
    ).json_dict()
    try:
        assert (number["type"], number["device"], number["label"]) == (
            "PhoneLine",
            {"id": str(colleague_phone)},
            "Joe's desk",
        )
    finally:
        as_rita.delete(f"{NUMBERS}/{number['id']}")


def test_caller_blocking_settings_and_the_block_list(as_rita: Platform) -> None:
    defaults = as_rita.get(BLOCKING).json_dict()
    assert (defaults["mode"], defaults["noCallerId"], defaults["payPhones"]) == (
        "Specific",
        "Allow",
        "Allow",
    )
    assert defaults["robocalls"] == "RingDevicesAndApps"
    assert {g["type"]: g["preset"]["name"] for g in defaults["greetings"]} == {
        "BlockedCallersSpecific": "Default",
        "BlockedCallersAll": "Default",
        "BlockedPayPhones": "Default",
    }
    blocked = as_rita.post(
        LISTED, {"phoneNumber": "+1 800 555 0000", "label": "Robocaller", "status": "Blocked"}
    ).json_dict()
    area = as_rita.post(LISTED, {"phoneNumber": "212", "label": "New York"}).json_dict()
    trusted = as_rita.post(LISTED, {"phoneNumber": "+14155550100", "status": "Allowed"}).json_dict()
    try:
        assert (blocked["phoneNumber"], blocked["label"], blocked["status"]) == (
            "+18005550000",
            "Robocaller",
            "Blocked",
        )
        assert (area["phoneNumber"], area["status"]) == ("212", "Blocked")
        listed = as_rita.get(LISTED).json_dict()
        assert [r["id"] for r in listed["records"]] == [blocked["id"], area["id"]]
        allowed = as_rita.get(LISTED, {"status": "Allowed"}).json_dict()["records"]
        assert [r["phoneNumber"] for r in allowed] == ["+14155550100"]
        assert as_rita.get(f"{LISTED}/{blocked['id']}").json_dict() == blocked

        status, body = failure(lambda: as_rita.post(LISTED, {"phoneNumber": "+18005550000"}))
        assert (status, error_codes(body)) == (409, [("CMN-409", "phoneNumber")])
        status, body = failure(lambda: as_rita.post(LISTED, {"phoneNumber": "not a number"}))
        assert (status, error_codes(body)) == (400, [("CMN-101", "phoneNumber")])

        plan = as_rita.get(PREVIEW, {"callerNumber": "+12125550100"}).json_dict()
        assert (plan["reason"], plan["detail"]) == ("BlockedNumber", "212")
        assert [step["type"] for step in plan["steps"]] == ["PlayPrompt", "Disconnect"]

        moved = as_rita.put(f"{LISTED}/{area['id']}", {"status": "Allowed"}).json_dict()
        assert moved["status"] == "Allowed"
        changed = as_rita.put(
            BLOCKING,
            {
                "mode": "All",
                "noCallerId": "BlockCallsAndFaxes",
                "payPhones": "Block",
                "robocalls": "PlayMessageAndDisconnect",
            },
        ).json_dict()
        assert (
            changed["mode"],
            changed["noCallerId"],
            changed["payPhones"],
            changed["robocalls"],
        ) == (
            "All",
            "BlockCallsAndFaxes",
            "Block",
            "PlayMessageAndDisconnect",
        )
        assert as_rita.get(BLOCKING).json_dict() == changed
        everyone = as_rita.get(PREVIEW, {"callerNumber": "+13125550100"}).json_dict()
        assert everyone["reason"] == "BlockedAllCalls"
        friend = as_rita.get(PREVIEW, {"callerNumber": "+14155550100"}).json_dict()
        assert not friend["reason"].startswith("Blocked")
        status, body = failure(lambda: as_rita.put(BLOCKING, {"mode": "Some"}))
        assert (status, error_codes(body)) == (400, [("CMN-101", "mode")])
    finally:
        as_rita.put(
            BLOCKING,
            {
                "mode": "Specific",
                "noCallerId": "Allow",
                "payPhones": "Allow",
                "robocalls": "RingDevicesAndApps",
            },
        )
        for number in (blocked, area, trusted):
            as_rita.delete(f"{LISTED}/{number['id']}")
    assert as_rita.get(LISTED).json_dict()["records"] == []


def test_do_not_disturb_is_set_through_presence(as_rita: Platform, rita: Rita) -> None:
    presence = as_rita.get(PRESENCE).json_dict()
    assert presence["dndStatus"] == "TakeAllCalls"
    assert presence["extension"]["id"] == rita.extension_id
    assert presence["presenceStatus"] == "Offline", "no phone of hers is registered"
    try:
        for status in (
            "DoNotAcceptDepartmentCalls",
            "TakeDepartmentCallsOnly",
            "DoNotAcceptAnyCalls",
        ):
            changed = as_rita.put(PRESENCE, {"dndStatus": status}).json_dict()
            assert changed["dndStatus"] == status
            assert as_rita.get(PRESENCE).json_dict()["dndStatus"] == status
        plan = as_rita.get(PREVIEW, {"callerNumber": "+13125550100"}).json_dict()
        assert plan["reason"] == "DndNoCalls"
        assert [step["type"] for step in plan["steps"]] == ["TakeMessage"]
        message = as_rita.put(
            PRESENCE, {"userStatus": "Busy", "message": "In a meeting"}
        ).json_dict()
        assert (message["userStatus"], message["message"], message["dndStatus"]) == (
            "Busy",
            "In a meeting",
            "DoNotAcceptAnyCalls",
        )
        status, body = failure(lambda: as_rita.put(PRESENCE, {"dndStatus": "Unknown"}))
        assert (status, error_codes(body)) == (400, [("CMN-101", "dndStatus")])
    finally:
        as_rita.put(
            PRESENCE, {"dndStatus": "TakeAllCalls", "userStatus": "Available", "message": ""}
        )


def test_incoming_call_information_is_our_own_resource(as_rita: Platform) -> None:
    path = f"{EXTENSION}/incoming-call-info"
    assert as_rita.get(path).json_dict() | {"uri": ""} == {
        "uri": "",
        "displayedNumber": "IncomingCallerId",
        "announce": False,
        "directCalls": "NonSystemPhonesOnly",
        "queueCalls": "NonSystemPhonesOnly",
        "includeMailboxName": True,
        "requirePin": False,
    }
    try:
        changed = as_rita.put(
            path, {"displayedNumber": "CalledNumber", "announce": True, "requirePin": True}
        ).json_dict()
        assert (changed["displayedNumber"], changed["announce"], changed["requirePin"]) == (
            "CalledNumber",
            True,
            True,
        )
        assert changed["directCalls"] == "NonSystemPhonesOnly"
        status, body = failure(lambda: as_rita.put(path, {"queueCalls": "Never"}))
        assert (status, error_codes(body)) == (400, [("CMN-101", "queueCalls")])
    finally:
        as_rita.put(
            path, {"displayedNumber": "IncomingCallerId", "announce": False, "requirePin": False}
        )
