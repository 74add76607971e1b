"""Account, extensions, numbers, devices and directory through the official SDK (EXT-1..5,
DEV-1, DEV-3), with paging, filters, updates, permissions and errors in the public shape."""

from __future__ import annotations

import httpx
import pytest
from ringcentral.http.api_exception import ApiException

from tests.demo_data import COMPANY_NUMBER, DULCINEA, HANK, JOE, Login
from tests.support import RunningServer


def failure(call) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    with pytest.raises(ApiException) as raised:
        call()
    response = raised.value.api_response().response()
    return response.status_code, response.json()


def test_account_shows_the_company_number_and_operator(sdk_login: Login) -> None:
    account = sdk_login().get("/restapi/v1.0/account/~").json_dict()
    assert account["mainNumber"] == COMPANY_NUMBER
    assert account["operator"]["extensionNumber"] == "11101"
    assert account["uri"].endswith(f"/restapi/v1.0/account/{account['id']}")
    same = sdk_login().get(f"/restapi/v1.0/account/{account['id']}").json_dict()
    assert same["id"] == account["id"]


def test_extension_list_pages_with_navigation(sdk_login: Login) -> None:
    platform = sdk_login()
    everything = platform.get("/account/~/extension").json_dict()["records"]
    first = platform.get("/account/~/extension", {"perPage": 2}).json_dict()
    total = len(everything)
    assert total >= 6
    assert first["paging"] == {
        "page": 1,
        "totalPages": (total + 1) // 2,
        "perPage": 2,
        "totalElements": total,
        "pageStart": 0,
        "pageEnd": 1,
    }
    assert {"firstPage", "nextPage", "lastPage"} <= first["navigation"].keys()
    second = platform.get(first["navigation"]["nextPage"]["uri"]).json_dict()
    assert second["paging"]["page"] == 2 and second["paging"]["pageStart"] == 2
    numbers = [record["extensionNumber"] for record in first["records"] + second["records"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 4


def test_extension_list_filters_by_type_and_status(sdk_login: Login) -> None:
    platform = sdk_login()
    users = platform.get("/account/~/extension", {"type": "User", "status": "Enabled"}).json_dict()[
        "records"
    ]
    numbers = [record["extensionNumber"] for record in users]
    # Other tests add users to the shared demo company; the demo's three come first.
    assert numbers[:3] == ["11101", "11102", "11103"] and numbers == sorted(numbers)
    assert {(record["type"], record["status"]) for record in users} == {("User", "Enabled")}
    queues_and_ivr = platform.get(
        "/account/~/extension", {"type": ["Department", "IvrMenu"]}
    ).json_dict()["records"]
    assert {(r["extensionNumber"], r["type"]) for r in queues_and_ivr} == {
        ("11001", "Department"),
        ("12000", "IvrMenu"),
    }
    disabled = platform.get("/account/~/extension", {"status": "Disabled"}).json_dict()
    assert disabled["records"] == [] and disabled["paging"]["totalElements"] == 0


def test_every_extension_type_of_the_demo_is_listed(sdk_login: Login) -> None:
    records = sdk_login().get("/account/~/extension").json_dict()["records"]
    by_number = {record["extensionNumber"]: (record["type"], record["name"]) for record in records}
    assert by_number["11001"] == ("Department", "Call Queue Test")
    assert by_number["11011"] == ("Voicemail", "Message-only Ext")
    assert by_number["12000"] == ("IvrMenu", "Office")


def test_bad_paging_parameters_are_named_in_the_error(sdk_login: Login) -> None:
    status, body = failure(lambda: sdk_login().get("/account/~/extension", {"perPage": "lots"}))
    assert status == 400
    assert body["errors"][0] == {
        "errorCode": "CMN-101",
        "message": "Parameter [perPage] value is invalid",
        "parameterName": "perPage",
    }


def test_current_extension_has_contact_and_regional_settings(sdk_login: Login) -> None:
    me = sdk_login().get("/account/~/extension/~").json_dict()
    assert me["contact"]["email"] == "dulcinea.dunn@demo.example"
    assert me["regionalSettings"]["language"]["localeCode"] == "fr-FR"
    assert me["regionalSettings"]["timezone"]["id"] == "America/Chicago"
    assert me["permissions"]["admin"]["enabled"] is False


def test_user_updates_own_contact_and_regional_settings(sdk_login: Login) -> None:
    platform = sdk_login(*HANK)
    body = {
        "contact": {
            "jobTitle": "Owner",
            "department": "Management",
            "mobilePhone": "(720) 555-0142",
        },
        "regionalSettings": {
            "timezone": {"id": "America/Denver"},
            "timeFormat": "24h",
            "language": {"id": "1033"},
        },
    }
    updated = platform.put("/account/~/extension/~", body).json_dict()
    assert updated["contact"]["jobTitle"] == "Owner"
    assert updated["contact"]["mobilePhone"] == "+17205550142"
    assert updated["regionalSettings"]["timezone"]["id"] == "America/Denver"
    assert updated["regionalSettings"]["language"]["localeCode"] == "en-US"
    assert updated["regionalSettings"]["timeFormat"] == "24h"
    reread = platform.get("/account/~/extension/~").json_dict()
    assert reread["contact"]["department"] == "Management"
    platform.put(
        "/account/~/extension/~",
        {
            "regionalSettings": {
                "timezone": {"id": "America/Chicago"},
                "timeFormat": "12h",
                "language": {"id": "1036"},
            }
        },
    )


def test_invalid_update_names_every_bad_field_and_changes_nothing(sdk_login: Login) -> None:
    platform = sdk_login()
    before = platform.get("/account/~/extension/~").json_dict()
    status, body = failure(
        lambda: platform.put(
            "/account/~/extension/~",
            {
                "contact": {"firstName": " ", "email": "not-an-email"},
                "regionalSettings": {"timezone": {"id": "Mars/Olympus"}},
            },
        )
    )
    assert status == 400
    named = {error["parameterName"] for error in body["errors"]}
    assert {"firstName", "email"} <= named
    after = platform.get("/account/~/extension/~").json_dict()
    assert after["contact"] == before["contact"]
    status, body = failure(
        lambda: platform.put(
            "/account/~/extension/~", {"regionalSettings": {"timezone": {"id": "Mars/Olympus"}}}
        )
    )
    assert status == 400 and body["errors"][0]["parameterName"] == "timezone"


def test_a_user_cannot_change_their_own_extension_number(sdk_login: Login) -> None:
    status, body = failure(
        lambda: sdk_login().put("/account/~/extension/~", {"extensionNumber": "11199"})
    )
    assert status == 403 and body["errors"][0]["errorCode"] == "CMN-402"


def test_a_standard_user_cannot_change_someone_else(sdk_login: Login) -> None:
    platform = sdk_login()
    users = platform.get("/account/~/extension", {"type": "User"}).json_dict()["records"]
    joe = next(record for record in users if record["extensionNumber"] == "11102")
    assert platform.get(f"/account/~/extension/{joe['id']}").json_dict()["name"] == "Joe Hall"
    status, body = failure(
        lambda: platform.put(f"/account/~/extension/{joe['id']}", {"contact": {"jobTitle": "Boss"}})
    )
    assert status == 403 and body["errors"][0]["errorCode"] == "CMN-402"


def test_an_admin_changes_another_users_details(sdk_login: Login) -> None:
    admin = sdk_login(*HANK)
    users = admin.get("/account/~/extension", {"type": "User"}).json_dict()["records"]
    joe = next(record for record in users if record["extensionNumber"] == "11102")
    changed = admin.put(
        f"/account/~/extension/{joe['id']}", {"contact": {"department": "Sales"}}
    ).json_dict()
    assert changed["contact"]["department"] == "Sales"


def test_email_taken_by_another_user_is_a_conflict(sdk_login: Login) -> None:
    status, body = failure(
        lambda: sdk_login().put(
            "/account/~/extension/~", {"contact": {"email": "joe.hall@demo.example"}}
        )
    )
    assert status == 409 and body["errors"][0]["parameterName"] == "email"


def test_phone_numbers_list_the_direct_number_then_the_company_number(sdk_login: Login) -> None:
    records = sdk_login().get("/account/~/extension/~/phone-number").json_dict()["records"]
    assert [(r["phoneNumber"], r["usageType"]) for r in records] == [
        ("+14092402117", "DirectNumber"),
        ("+14092402583", "MainCompanyNumber"),
    ]
    assert "CallerId" in records[0]["features"]


def test_devices_show_sip_credentials_and_emergency_address(sdk_login: Login) -> None:
    records = sdk_login().get("/account/~/extension/~/device").json_dict()["records"]
    assert [(r["type"], r["sipInfo"]["username"], r["sipInfo"]["password"]) for r in records] == [
        ("HardPhone", "11103", "sip11103demo"),
        ("SoftPhone", "11103s", "sip11103sdemo"),
    ]
    assert records[0]["emergencyServiceAddress"]["city"] == "Belmont"


def test_a_standard_user_cannot_list_someone_elses_phones(sdk_login: Login) -> None:
    platform = sdk_login()
    hank = platform.get("/account/~/extension", {"extensionNumber": "11101"}).json_dict()[
        "records"
    ][0]
    status, _body = failure(lambda: platform.get(f"/account/~/extension/{hank['id']}/device"))
    assert status == 403


def test_directory_lists_every_extension_with_numbers(sdk_login: Login) -> None:
    platform = sdk_login()
    entries = platform.get("/account/~/directory/entries").json_dict()
    by_number = {entry["extensionNumber"]: entry for entry in entries["records"]}
    assert {"11001", "11011", "11101", "11102", "11103", "12000"} <= set(by_number)
    dulcinea = by_number["11103"]
    assert (dulcinea["firstName"], dulcinea["lastName"], dulcinea["email"]) == (
        "Dulcinea",
        "Dunn",
        "dulcinea.dunn@demo.example",
    )
    assert dulcinea["phoneNumbers"][0]["phoneNumber"] == "+14092402117"
    assert dulcinea["account"]["mainNumber"]["phoneNumber"] == COMPANY_NUMBER
    one = platform.get(f"/account/~/directory/entries/{dulcinea['id']}").json_dict()
    assert one["name"] == "Dulcinea Dunn"
    found = platform.post(
        "/account/~/directory/entries/search", {"searchString": "hall"}
    ).json_dict()["records"]
    assert [entry["extensionNumber"] for entry in found] == ["11102"]


def test_unknown_extension_is_cmn_102(sdk_login: Login) -> None:
    status, body = failure(lambda: sdk_login().get("/account/~/extension/99999999"))
    assert status == 404
    assert body["errors"][0] == {
        "errorCode": "CMN-102",
        "message": "Resource for parameter [extensionId] is not found",
        "parameterName": "extensionId",
    }


def test_unknown_path_is_cmn_120(sdk_login: Login) -> None:
    status, body = failure(lambda: sdk_login().get("/restapi/v1.0/account/~/no-such-thing"))
    assert status == 404 and body["errors"][0]["errorCode"] == "CMN-120"


def test_malformed_json_body_is_cmn_103_not_a_stack_trace(
    sdk_login: Login, demo_server: RunningServer
) -> None:
    token = sdk_login().auth().access_token()
    response = httpx.put(
        f"{demo_server.url}/restapi/v1.0/account/~/extension/~",
        content=b"{not json",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["errorCode"] == "CMN-103"
    assert "Traceback" not in response.text


def test_sdk_with_a_trailing_slash_server_url_still_works(
    sdk_login: Login, demo_server: RunningServer
) -> None:
    platform = sdk_login(server=demo_server.url + "/")
    assert platform.get("/account/~/extension/~").json_dict()["extensionNumber"] == DULCINEA[1]


def test_a_new_password_through_the_api_must_meet_every_criterion(sdk_login: Login) -> None:
    platform = sdk_login(*JOE)
    status, body = failure(
        lambda: platform.put("/account/~/extension/~", {"password": "aaa1", "ivrPin": "1234"})
    )
    assert status == 422
    unmet = {(error["parameterName"], error["message"]) for error in body["errors"]}
    assert ("password", "Length 8-32 characters") in unmet
    assert ("password", 'No repeating (e.g. "222", "AAA", "www")') in unmet
    assert ("ivrPin", 'No sequential (e.g. "1234", "7890")') in unmet
    platform.put("/account/~/extension/~", {"password": "Welcome#2026", "ivrPin": "591738"})
