"""LOG-1 through the official SDK: an extension's call log and the company's, with the
public API's period, direction and view filters, paging, record shape, and refusals."""

from __future__ import annotations

from typing import Any

import pytest
from ringcentral import SDK
from ringcentral.http.api_exception import ApiException

from telephonist.identity import apps
from tests.calllog.conftest import CallHistory
from tests.demo_data import DULCINEA, HANK, PASSWORD, Login
from tests.support import RunningServer, database_of

LOG = "/restapi/v1.0/account/~/extension/~/call-log"
COMPANY_LOG = "/restapi/v1.0/account/~/call-log"
AFTERNOON = {"dateFrom": "2025-05-12T14:59:00.000Z", "dateTo": "2025-05-13T00:00:00.000Z"}


def failure(call) -> tuple[int, dict[str, Any]]:  # type: ignore[no-untyped-def]
    with pytest.raises(ApiException) as raised:
        call()
    response = raised.value.api_response().response()
    return response.status_code, response.json()


def ids(body: dict[str, Any]) -> list[str]:
    return [record["id"] for record in body["records"]]


def test_a_user_reads_her_calls_of_a_period_newest_first(
    sdk_login: Login, call_history: CallHistory, demo_server: RunningServer
) -> None:
    body = sdk_login().get(LOG, AFTERNOON).json_dict()
    assert ids(body) == call_history.dulcinea_calls
    from_hank = body["records"][-1]
    account, extension = call_history.account_id, call_history.dulcinea_id
    extension_uri = f"{demo_server.url}/restapi/v1.0/account/{account}/extension/{extension}"
    assert from_hank == {
        "uri": f"{extension_uri}/call-log/{from_hank['id']}",
        "id": call_history.dulcinea_calls[-1],
        "sessionId": from_hank["sessionId"],
        "startTime": "2025-05-12T15:00:00.000Z",
        "duration": 87,
        "durationMs": 87000,
        "type": "Voice",
        "direction": "Inbound",
        "action": "Phone Call",
        "result": "Accepted",
        "reason": "Accepted",
        "to": {"phoneNumber": "+14092402117", "extensionNumber": "11103", "name": "Dulcinea Dunn"},
        "from": {"phoneNumber": "+13039688766", "extensionNumber": "11101", "name": "Hank Hillos"},
        "extension": {"uri": extension_uri, "id": extension},
        "transport": "VoIP",
    }
    results = [(r["direction"], r["action"], r["result"]) for r in body["records"]]
    assert results == [
        ("Inbound", "Phone Call", "Voicemail"),
        ("Inbound", "Phone Call", "Missed"),
        ("Outbound", "VoIP Call", "Call connected"),
        ("Inbound", "Phone Call", "Accepted"),
    ]
    assert body["records"][2]["to"] == {"phoneNumber": "+14155550100", "name": "Golden Gate Bakery"}
    assert body["records"][1]["duration"] == 0


def test_the_default_period_is_the_last_24_hours(
    sdk_login: Login, call_history: CallHistory
) -> None:
    listed = ids(sdk_login().get(LOG, {"perPage": "max"}).json_dict())
    assert call_history.recent_call in listed
    assert call_history.stale_call not in listed
    assert call_history.dulcinea_calls[0] not in listed


def test_only_dateto_gives_the_24_hours_before_it(
    sdk_login: Login, call_history: CallHistory
) -> None:
    body = sdk_login().get(LOG, {"dateTo": "2025-05-12T17:30:00Z"}).json_dict()
    assert ids(body) == call_history.dulcinea_calls[1:]


def test_a_time_with_a_raw_plus_offset_as_the_sdk_sends_it(
    sdk_login: Login, call_history: CallHistory
) -> None:
    """16:00Z written as 17:00+01:00: the SDK does not encode the plus."""
    body = (
        sdk_login()
        .get(LOG, {"dateFrom": "2025-05-12T17:00:00+01:00", "dateTo": "2025-05-13T00:00:00+00:00"})
        .json_dict()
    )
    assert ids(body) == call_history.dulcinea_calls[:3]
    assert "dateFrom=2025-05-12T16%3A00%3A00.000Z" in body["uri"]


def test_direction_filter_takes_one_or_both(sdk_login: Login, call_history: CallHistory) -> None:
    platform = sdk_login()
    outbound = platform.get(LOG, {**AFTERNOON, "direction": "Outbound"}).json_dict()
    assert ids(outbound) == [call_history.dulcinea_calls[2]]
    both = platform.get(LOG, {**AFTERNOON, "direction": ["Inbound", "Outbound"]}).json_dict()
    assert ids(both) == call_history.dulcinea_calls
    voice = platform.get(LOG, {**AFTERNOON, "type": "Voice"}).json_dict()
    assert ids(voice) == call_history.dulcinea_calls
    assert platform.get(LOG, {**AFTERNOON, "type": "Fax"}).json_dict()["records"] == []


def test_phone_number_and_session_filters(sdk_login: Login, call_history: CallHistory) -> None:
    platform = sdk_login()
    new_york = platform.get(LOG, {**AFTERNOON, "phoneNumber": "12125550100"}).json_dict()
    assert ids(new_york) == call_history.dulcinea_calls[:2]
    first = platform.get(f"{LOG}/{call_history.dulcinea_calls[0]}").json_dict()
    by_session = platform.get(LOG, {**AFTERNOON, "sessionId": first["sessionId"]}).json_dict()
    assert ids(by_session) == [first["id"]]


def test_pages_follow_the_navigation_links(sdk_login: Login, call_history: CallHistory) -> None:
    platform = sdk_login()
    first = platform.get(LOG, {**AFTERNOON, "perPage": 3}).json_dict()
    assert ids(first) == call_history.dulcinea_calls[:3]
    assert first["paging"] == {
        "page": 1,
        "totalPages": 2,
        "perPage": 3,
        "totalElements": 4,
        "pageStart": 0,
        "pageEnd": 2,
    }
    second = platform.get(first["navigation"]["nextPage"]["uri"]).json_dict()
    assert ids(second) == call_history.dulcinea_calls[3:]
    assert second["paging"]["pageStart"] == 3
    assert "nextPage" not in second["navigation"]
    assert ids(platform.get(second["navigation"]["firstPage"]["uri"]).json_dict()) == ids(first)


def test_the_detailed_view_adds_last_modified_and_the_leg(
    sdk_login: Login, call_history: CallHistory
) -> None:
    platform = sdk_login()
    body = platform.get(LOG, {**AFTERNOON, "view": "Detailed"}).json_dict()
    to_outside = body["records"][2]
    assert to_outside["uri"].endswith("?view=Detailed")
    assert to_outside["lastModifiedTime"] == "2025-05-12T16:00:34.000Z"
    [leg] = to_outside["legs"]
    assert leg["legType"] == "SipToPstnUnmetered" and leg["master"] is True
    assert (leg["startTime"], leg["duration"], leg["result"]) == (
        "2025-05-12T16:00:00.000Z",
        26,
        "Call connected",
    )
    simple = platform.get(LOG, AFTERNOON).json_dict()["records"][2]
    assert "legs" not in simple and "lastModifiedTime" not in simple
    one = platform.get(f"{LOG}/{to_outside['id']}", {"view": "Detailed"}).json_dict()
    assert one == to_outside


def test_one_record_by_id_and_anyone_elses_is_not_found(
    sdk_login: Login, call_history: CallHistory
) -> None:
    platform = sdk_login()
    one = platform.get(f"{LOG}/{call_history.dulcinea_calls[1]}").json_dict()
    assert (one["result"], one["from"]["name"]) == ("Missed", "NEW YORK NY")
    for record_id in (call_history.other_company_call, call_history.hank_call, "NoSuchRecord1"):
        status, body = failure(lambda record_id=record_id: platform.get(f"{LOG}/{record_id}"))
        assert status == 404
        assert body["errors"][0]["errorCode"] == "CMN-102"
        assert body["errors"][0]["parameterName"] == "callRecordId"


def test_a_standard_user_reads_neither_the_company_log_nor_anothers(
    sdk_login: Login, call_history: CallHistory
) -> None:
    platform = sdk_login()
    status, body = failure(lambda: platform.get(COMPANY_LOG, AFTERNOON))
    assert status == 403 and body["errors"][0]["errorCode"] == "CMN-402"
    hank_log = f"/restapi/v1.0/account/~/extension/{call_history.hank_id}/call-log"
    status, body = failure(lambda: platform.get(hank_log, AFTERNOON))
    assert status == 403 and body["errors"][0]["errorCode"] == "CMN-404"


def test_an_admin_reads_the_company_log_and_any_extensions(
    sdk_login: Login, call_history: CallHistory
) -> None:
    admin = sdk_login(*HANK)
    company = admin.get(COMPANY_LOG, AFTERNOON).json_dict()
    calls = call_history.dulcinea_calls
    assert ids(company) == [*calls[:3], call_history.hank_call, calls[3]]
    dulcinea_log = f"/restapi/v1.0/account/~/extension/{call_history.dulcinea_id}/call-log"
    assert ids(admin.get(dulcinea_log, AFTERNOON).json_dict()) == calls
    one = admin.get(f"{COMPANY_LOG}/{call_history.hank_call}").json_dict()
    assert one["to"]["name"] == "Joe Hall"
    status, _body = failure(lambda: admin.get(f"{COMPANY_LOG}/{call_history.other_company_call}"))
    assert status == 404


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"dateFrom": "yesterday"}, "dateFrom"),
        ({"dateTo": "2025-13-45"}, "dateTo"),
        ({"dateFrom": "2025-05-13", "dateTo": "2025-05-12"}, "dateFrom"),
        ({"direction": "Sideways"}, "direction"),
        ({"type": "Telex"}, "type"),
        ({"view": "Fancy"}, "view"),
        ({"phoneNumber": "call-me"}, "phoneNumber"),
        ({"perPage": 1001}, "perPage"),
    ],
)
def test_bad_parameters_are_cmn_101_naming_the_parameter(
    sdk_login: Login, query: dict[str, Any], parameter: str
) -> None:
    status, body = failure(lambda: sdk_login().get(LOG, query))
    assert status == 400
    assert body["errors"][0]["errorCode"] == "CMN-101"
    assert body["errors"][0]["parameterName"] == parameter


def test_an_app_without_read_call_log_is_refused(
    demo_server: RunningServer, call_history: CallHistory
) -> None:
    database = database_of(demo_server)
    with database.transaction() as session:
        app, secret = apps.create_app(
            session, call_history.account_id, name="Directory only", scopes="ReadAccounts"
        )
        client = (app.client_id, secret)
    database.dispose()
    platform = SDK(*client, demo_server.url).platform()
    platform.login(username=DULCINEA[0], extension=DULCINEA[1], password=PASSWORD)
    try:
        status, body = failure(lambda: platform.get(LOG))
        assert status == 403 and body["errors"][0]["errorCode"] == "CMN-401"
        assert "ReadCallLog" in body["errors"][0]["message"]
    finally:
        platform.logout()
