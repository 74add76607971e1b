"""VM-4 through the official SDK: a mailbox's voicemails with the public API's filters and
shape, the audio download, marking read, deleting, restoring and purging, who may reach
which mailbox, and another company that sees nothing (principle 6)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ringcentral import SDK
from ringcentral.http.api_exception import ApiException
from ringcentral.platform.platform import Platform

from telephonist.identity import apps
from tests.demo_data import DULCINEA, HANK, PASSWORD, Login
from tests.support import RunningServer, database_of
from tests.voicemail.conftest import (
    MESSAGE_AUDIO,
    OTHER_DIRECT_NUMBER,
    ServerMailboxes,
    fresh_message,
)

STORE = "/restapi/v1.0/account/~/extension/~/message-store"
AFTERNOON = {"dateFrom": "2025-06-02T14:59:00.000Z", "dateTo": "2025-06-03T00:00:00.000Z"}


def failure(call: Callable[[], Any]) -> tuple[int, dict[str, Any]]:
    with pytest.raises(ApiException) as raised:
        call()
    response = raised.value.api_response().response()
    return response.status_code, response.json()


def ids(body: dict[str, Any]) -> list[int]:
    return [record["id"] for record in body["records"]]


def test_a_user_lists_her_voicemails_of_a_period_newest_first(
    sdk_login: Login, server_mailboxes: ServerMailboxes, demo_server: RunningServer
) -> None:
    body = sdk_login().get(STORE, AFTERNOON).json_dict()
    assert ids(body) == server_mailboxes.afternoon
    account, extension = server_mailboxes.account_id, server_mailboxes.dulcinea.extension_id
    uri = f"{demo_server.url}/restapi/v1.0/account/{account}/extension/{extension}"
    message_id = server_mailboxes.from_hank
    assert body["records"][-1] == {
        "uri": f"{uri}/message-store/{message_id}",
        "id": message_id,
        "extensionId": str(extension),
        "type": "VoiceMail",
        "to": [{"extensionNumber": "11103", "name": "Dulcinea Dunn"}],
        "from": {"extensionNumber": "11101", "name": "Hank Hillos"},
        "creationTime": "2025-06-02T15:00:00.000Z",
        "lastModifiedTime": "2025-06-02T15:00:00.000Z",
        "readStatus": "Unread",
        "priority": "Normal",
        "direction": "Inbound",
        "availability": "Alive",
        "messageStatus": "Received",
        "vmTranscriptionStatus": "NotAvailable",
        "attachments": [
            {
                "id": message_id,
                "uri": f"{uri}/message-store/{message_id}/content/{message_id}",
                "type": "AudioRecording",
                "contentType": "audio/wav",
                "vmDuration": 3,
                "size": 44 + len(MESSAGE_AUDIO),
                "fileName": f"voicemail-{message_id}.wav",
            }
        ],
    }
    urgent = body["records"][0]
    assert urgent["priority"] == "High"
    assert urgent["from"] == {"phoneNumber": "+14155550100", "name": "Golden Gate Bakery"}
    assert body["paging"]["totalElements"] == 3


def test_the_default_period_is_the_last_24_hours(
    sdk_login: Login, server_mailboxes: ServerMailboxes
) -> None:
    listed = ids(sdk_login().get(STORE, {"perPage": "max"}).json_dict())
    assert server_mailboxes.recent in listed
    assert server_mailboxes.stale not in listed
    assert server_mailboxes.from_hank not in listed


def test_filters_and_pages(sdk_login: Login, server_mailboxes: ServerMailboxes) -> None:
    platform = sdk_login()
    urgent, read, from_hank = server_mailboxes.afternoon

    def listed(**query: Any) -> list[int]:
        return ids(platform.get(STORE, {**AFTERNOON, **query}).json_dict())

    assert listed(readStatus="Unread") == [urgent, from_hank]
    assert listed(readStatus=["Read", "Unread"]) == [urgent, read, from_hank]
    assert listed(messageType="VoiceMail") == [urgent, read, from_hank]
    assert listed(messageType=["Fax", "SMS"]) == []
    assert listed(direction="Outbound") == []
    assert listed(phoneNumber="14155550100") == [urgent]
    first = platform.get(STORE, {**AFTERNOON, "perPage": 2}).json_dict()
    assert ids(first) == [urgent, read]
    assert first["paging"]["totalPages"] == 2
    second = platform.get(first["navigation"]["nextPage"]["uri"]).json_dict()
    assert ids(second) == [from_hank]


def test_the_audio_downloads_as_the_wav_that_was_recorded(
    sdk_login: Login, server_mailboxes: ServerMailboxes
) -> None:
    platform = sdk_login()
    message = platform.get(f"{STORE}/{server_mailboxes.from_hank}").json_dict()
    [attachment] = message["attachments"]
    response = platform.get(attachment["uri"])
    wav = response.body()
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE" and wav[44:] == MESSAGE_AUDIO
    headers = response.response().headers
    assert headers["content-type"] == "audio/wav"
    assert headers["content-disposition"] == (
        f'inline; filename="voicemail-{server_mailboxes.from_hank}.wav"'
    )
    saved = platform.get(
        attachment["uri"],
        {"contentDisposition": "Attachment", "contentDispositionFilename": "hank.wav"},
    )
    assert saved.response().headers["content-disposition"] == 'attachment; filename="hank.wav"'
    part = platform.get(attachment["uri"], headers={"Range": "bytes=44-1043"}).response()
    assert part.status_code == 206 and part.content == MESSAGE_AUDIO[:1000]
    status, body = failure(lambda: platform.get(f"{attachment['uri']}0"))
    assert status == 404 and body["errors"][0]["parameterName"] == "attachmentId"


def test_marking_read_and_unread(
    sdk_login: Login, server_mailboxes: ServerMailboxes, demo_server: RunningServer
) -> None:
    platform = sdk_login()
    message_id = fresh_message(demo_server, server_mailboxes)
    read = platform.put(f"{STORE}/{message_id}", {"readStatus": "Read"}).json_dict()
    assert read["readStatus"] == "Read" and read["id"] == message_id
    assert read["lastModifiedTime"] > read["creationTime"]
    again = platform.patch(f"{STORE}/{message_id}", {"readStatus": "Unread"}).json_dict()
    assert again["readStatus"] == "Unread"
    status, body = failure(lambda: platform.put(f"{STORE}/{message_id}", {"readStatus": "Seen"}))
    assert status == 400 and body["errors"][0]["parameterName"] == "readStatus"
    status, body = failure(lambda: platform.put(f"{STORE}/{message_id}", {}))
    assert status == 400


def test_delete_restore_and_purge(
    sdk_login: Login, server_mailboxes: ServerMailboxes, demo_server: RunningServer
) -> None:
    platform = sdk_login()
    message_id = fresh_message(demo_server, server_mailboxes)
    content = f"{STORE}/{message_id}/content/{message_id}"
    assert platform.delete(f"{STORE}/{message_id}").response().status_code == 204
    deleted = platform.get(f"{STORE}/{message_id}").json_dict()
    assert deleted["availability"] == "Deleted"
    assert message_id not in ids(platform.get(STORE, {"perPage": "max"}).json_dict())
    in_deleted = platform.get(STORE, {"availability": "Deleted", "perPage": "max"}).json_dict()
    assert message_id in ids(in_deleted)
    assert platform.get(content).body()[44:] == MESSAGE_AUDIO
    restored = platform.put(f"{STORE}/{message_id}", {"availability": "Alive"}).json_dict()
    assert restored["availability"] == "Alive"
    platform.delete(f"{STORE}/{message_id}")
    platform.delete(f"{STORE}/{message_id}")
    purged = platform.get(f"{STORE}/{message_id}").json_dict()
    assert (purged["availability"], purged["attachments"]) == ("Purged", [])
    assert failure(lambda: platform.get(content))[0] == 404
    alive = {"availability": "Alive"}
    assert failure(lambda: platform.put(f"{STORE}/{message_id}", alive))[0] == 409
    at_once = fresh_message(demo_server, server_mailboxes)
    platform.delete(f"{STORE}/{at_once}", query_params={"purge": "true"})
    assert platform.get(f"{STORE}/{at_once}").json_dict()["availability"] == "Purged"


def test_a_standard_user_reaches_only_her_own_mailbox(
    sdk_login: Login, server_mailboxes: ServerMailboxes
) -> None:
    platform = sdk_login()
    hanks = f"/restapi/v1.0/account/~/extension/{server_mailboxes.hank.extension_id}/message-store"
    status, body = failure(lambda: platform.get(hanks, AFTERNOON))
    assert status == 403 and body["errors"][0]["errorCode"] == "CMN-404"
    status, _ = failure(lambda: platform.get(f"{hanks}/{server_mailboxes.hanks_own}"))
    assert status == 403
    for message_id in (server_mailboxes.hanks_own, server_mailboxes.other_company, "1,2", 0):
        status, body = failure(lambda message_id=message_id: platform.get(f"{STORE}/{message_id}"))
        assert status == 404 and body["errors"][0]["parameterName"] == "messageId"


def test_an_admin_reaches_any_mailbox_of_the_company(
    sdk_login: Login, server_mailboxes: ServerMailboxes
) -> None:
    admin = sdk_login(*HANK)
    dulcinea = server_mailboxes.dulcinea.extension_id
    store = f"/restapi/v1.0/account/~/extension/{dulcinea}/message-store"
    assert ids(admin.get(store, AFTERNOON).json_dict()) == server_mailboxes.afternoon
    audio = admin.get(f"{store}/{server_mailboxes.urgent}/content/{server_mailboxes.urgent}")
    assert audio.body()[44:] == MESSAGE_AUDIO
    assert ids(admin.get(STORE, AFTERNOON).json_dict()) == [server_mailboxes.hanks_own]


@pytest.fixture
def vera(server_mailboxes: ServerMailboxes, demo_server: RunningServer) -> Iterator[Platform]:
    """The other company's user, through her company's app."""
    platform = SDK(*server_mailboxes.other_client, demo_server.url).platform()
    platform.login(username=OTHER_DIRECT_NUMBER, extension="101", password=PASSWORD)
    yield platform
    platform.logout()


def test_another_company_sees_none_of_these_voicemails(
    vera: Platform, server_mailboxes: ServerMailboxes
) -> None:
    assert ids(vera.get(STORE, AFTERNOON).json_dict()) == [server_mailboxes.other_company]
    dulcinea = server_mailboxes.dulcinea.extension_id
    for path in (
        f"/restapi/v1.0/account/~/extension/{dulcinea}/message-store",
        f"/restapi/v1.0/account/{server_mailboxes.account_id}/extension/~/message-store",
        f"{STORE}/{server_mailboxes.from_hank}",
        f"{STORE}/{server_mailboxes.from_hank}/content/{server_mailboxes.from_hank}",
    ):
        status, _ = failure(lambda path=path: vera.get(path, AFTERNOON))
        assert status == 404, path
    status, _ = failure(lambda: vera.delete(f"{STORE}/{server_mailboxes.from_hank}"))
    assert status == 404


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"dateFrom": "yesterday"}, "dateFrom"),
        ({"dateFrom": "2025-06-03", "dateTo": "2025-06-02"}, "dateFrom"),
        ({"availability": "Gone"}, "availability"),
        ({"readStatus": "Skimmed"}, "readStatus"),
        ({"messageType": "Telex"}, "messageType"),
        ({"direction": "Sideways"}, "direction"),
        ({"phoneNumber": "call-me"}, "phoneNumber"),
        ({"perPage": 1001}, "perPage"),
    ],
)
def test_bad_parameters_are_cmn_101_naming_the_parameter(
    sdk_login: Login, query: dict[str, Any], parameter: str
) -> None:
    status, body = failure(lambda: sdk_login().get(STORE, query))
    assert status == 400
    assert body["errors"][0]["errorCode"] == "CMN-101"
    assert body["errors"][0]["parameterName"] == parameter


def test_an_app_needs_read_messages_to_read_and_edit_messages_to_change(
    demo_server: RunningServer, server_mailboxes: ServerMailboxes
) -> None:
    database = database_of(demo_server)
    with database.transaction() as session:
        reader, reader_secret = apps.create_app(
            session, server_mailboxes.account_id, name="Voicemail reader", scopes="ReadMessages"
        )
        other, other_secret = apps.create_app(
            session, server_mailboxes.account_id, name="No messages", scopes="ReadAccounts"
        )
        clients = [(reader.client_id, reader_secret), (other.client_id, other_secret)]
    database.dispose()
    message = f"{STORE}/{server_mailboxes.from_hank}"
    platforms = []
    for client in clients:
        platform = SDK(*client, demo_server.url).platform()
        platform.login(username=DULCINEA[0], extension=DULCINEA[1], password=PASSWORD)
        platforms.append(platform)
    reading, neither = platforms
    try:
        assert reading.get(message).json_dict()["id"] == server_mailboxes.from_hank
        for call in (
            lambda: reading.put(message, {"readStatus": "Read"}),
            lambda: reading.delete(message),
            lambda: neither.get(message),
        ):
            status, body = failure(call)
            assert status == 403 and body["errors"][0]["errorCode"] == "CMN-401"
    finally:
        for platform in platforms:
            platform.logout()
