"""GS-1, VM-1, BLK-2 custom greetings through the official SDK: a WAV or MP3 recording
uploaded (the SDK's multipart/form-data and multipart/mixed, and the public API's form
fields) becomes an 8 kHz mono WAV that the rule plays and the user downloads; files that
are not audio are refused; the greeting dictionary lists the standard greetings."""

from __future__ import annotations

import io
import subprocess
import wave
from pathlib import Path

import httpx
import pytest
from ringcentral.http.multipart_builder import MultipartBuilder
from ringcentral.platform.platform import Platform

from tests.answering.conftest import error_codes, failure
from tests.demo_data import Login
from tests.support import RunningServer

EXTENSION = "/restapi/v1.0/account/~/extension/~"
GREETING = f"{EXTENSION}/greeting"
RULES = f"{EXTENSION}/answering-rule"


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A 44.1 kHz stereo WAV made by sox and an MP3 made by ffmpeg, 1.5 s of tone each."""
    folder: Path = tmp_path_factory.mktemp("greetings")
    wav, mp3 = folder / "hello.wav", folder / "hello.mp3"
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", str(wav), "synth", "1.5", "sine", "440"],
        check=True,
    )
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
         "sine=frequency=660:duration=1.5", "-ac", "1", str(mp3)],
        check=True,
    )  # fmt: skip
    return {"wav": wav.read_bytes(), "mp3": mp3.read_bytes()}


def upload(
    platform: Platform,
    body: dict[str, str | dict[str, str]],
    file: tuple[str, bytes, str],
    *,
    mixed: bool = False,
    path: str = GREETING,
) -> dict[str, object]:
    request = (
        MultipartBuilder(platform).set_body(body).add(file).set_multipart_mixed(mixed).request(path)
    )
    return platform.send_request(request).json_dict()


def as_wav(data: bytes) -> tuple[int, int, int, float]:
    with wave.open(io.BytesIO(data)) as reader:
        frames = reader.getnframes()
        rate = reader.getframerate()
        return rate, reader.getnchannels(), reader.getsampwidth(), frames / rate


def test_an_uploaded_voicemail_greeting_is_played_by_its_rule_and_downloaded(
    as_rita: Platform, recordings: dict[str, bytes], demo_server: RunningServer
) -> None:
    weekdays = {day: [{"from": "09:00", "to": "17:00"}] for day in ("monday", "friday")}
    as_rita.put(f"{EXTENSION}/business-hours", {"schedule": {"weeklyRanges": weekdays}})
    created = upload(
        as_rita,
        {"type": "Voicemail", "answeringRule": {"id": "after-hours-rule"}},
        ("hello.wav", recordings["wav"], "audio/wav"),
    )
    greeting_id = str(created["id"])
    assert created["type"] == "Voicemail"
    assert created["contentType"] == "audio/wav"
    assert created["answeringRule"] == {
        "uri": f"{str(created['uri']).split('/greeting/')[0]}/answering-rule/after-hours-rule",
        "id": "after-hours-rule",
    }
    assert as_rita.get(f"{GREETING}/{greeting_id}").json_dict() == created
    content = as_rita.get(f"{GREETING}/{greeting_id}/content").response()
    assert content.headers["content-type"] == "audio/wav"
    rate, channels, width, seconds = as_wav(content.content)
    assert (rate, channels, width) == (8000, 1, 2)
    assert seconds == pytest.approx(1.5, abs=0.05)
    after_hours = as_rita.get(f"{RULES}/after-hours-rule").json_dict()
    voicemail = next(g for g in after_hours["greetings"] if g["type"] == "Voicemail")
    assert voicemail["custom"]["id"] == greeting_id
    user_hours = as_rita.get(f"{RULES}/business-hours-rule").json_dict()
    assert next(g for g in user_hours["greetings"] if g["type"] == "Voicemail")["preset"][
        "name"
    ] == ("Default")
    plan = as_rita.get(
        f"{RULES}/preview", {"callerNumber": "+13125550100", "dateTime": "2026-06-06T10:00:00"}
    ).json_dict()
    assert plan["steps"][-1]["greeting"]["customGreetingId"] == greeting_id
    as_rita.put(
        f"{RULES}/after-hours-rule",
        {"greetings": [{"type": "Voicemail", "preset": {"id": "400"}}]},
    )


def test_an_mp3_sent_as_multipart_mixed_becomes_the_greeting_of_both_rules(
    as_rita: Platform, recordings: dict[str, bytes]
) -> None:
    created = upload(
        as_rita,
        {"type": "Introductory"},
        ("hello.mp3", recordings["mp3"], "audio/mpeg"),
        mixed=True,
    )
    try:
        for rule_id in ("business-hours-rule", "after-hours-rule"):
            rule = as_rita.get(f"{RULES}/{rule_id}").json_dict()
            introductory = next(g for g in rule["greetings"] if g["type"] == "Introductory")
            assert introductory["custom"]["id"] == created["id"]
        content = as_rita.get(f"{GREETING}/{created['id']}/content").response().content
        assert as_wav(content)[:3] == (8000, 1, 2)
    finally:
        for rule_id in ("business-hours-rule", "after-hours-rule"):
            as_rita.put(
                f"{RULES}/{rule_id}",
                {"greetings": [{"type": "Introductory", "preset": {"id": "100"}}]},
            )


def test_the_public_apis_form_fields_work_too(
    as_rita: Platform, recordings: dict[str, bytes], demo_server: RunningServer
) -> None:
    response = httpx.post(
        f"{demo_server.url}{GREETING}",
        params={"apply": "false"},
        data={"type": "Announcement", "answeringRuleId": "business-hours-rule"},
        files={"binary": ("hello.wav", recordings["wav"], "audio/wav")},
        headers={"Authorization": f"Bearer {as_rita.auth().access_token()}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "Announcement"
    assert "answeringRule" not in response.json(), "apply=false plays it nowhere yet"


def test_a_file_that_is_not_audio_is_refused(
    as_rita: Platform, recordings: dict[str, bytes]
) -> None:
    status, body = failure(
        lambda: upload(
            as_rita,
            {"type": "Voicemail", "answeringRule": {"id": "business-hours-rule"}},
            ("notes.wav", b"these are my meeting notes, not a recording" * 20, "audio/wav"),
        )
    )
    assert (status, error_codes(body)) == (400, [("CMN-101", "binary")])
    assert "not a recording" in body["message"]
    status, body = failure(
        lambda: upload(as_rita, {"type": "Fanfare"}, ("a.wav", b"RIFF", "audio/wav"))
    )
    assert (status, error_codes(body)) == (400, [("CMN-101", "type")])
    status, body = failure(
        lambda: upload(
            as_rita,
            {"type": "Voicemail", "answeringRule": {"id": "42424242"}},
            ("hello.wav", recordings["wav"], "audio/wav"),
        )
    )
    assert (status, error_codes(body)) == (404, [("CMN-102", "ruleId")])


def test_someone_elses_greeting_is_not_found(
    as_rita: Platform, sdk_login: Login, recordings: dict[str, bytes]
) -> None:
    dulcinea = sdk_login()
    theirs = upload(
        dulcinea,
        {"type": "ConnectingAudio"},
        ("hello.wav", recordings["wav"], "audio/wav"),
    )
    try:
        status, body = failure(lambda: as_rita.get(f"{GREETING}/{theirs['id']}"))
        assert (status, error_codes(body)) == (404, [("CMN-102", "greetingId")])
        status, body = failure(
            lambda: as_rita.put(
                f"{RULES}/business-hours-rule",
                {"greetings": [{"type": "ConnectingAudio", "custom": {"id": theirs["id"]}}]},
            )
        )
        assert (status, error_codes(body)) == (
            400,
            [("CMN-101", "greetings.ConnectingAudio.custom.id")],
        )
    finally:
        for rule_id in ("business-hours-rule", "after-hours-rule"):
            dulcinea.put(
                f"{RULES}/{rule_id}",
                {"greetings": [{"type": "ConnectingAudio", "preset": {"id": "300"}}]},
            )


def test_the_greeting_dictionary_lists_the_standard_greetings(as_rita: Platform) -> None:
    listed = as_rita.get(
        "/restapi/v1.0/dictionary/greeting", {"type": "ConnectingAudio"}
    ).json_dict()
    assert [(r["name"], r["category"]) for r in listed["records"]] == [
        ("Ring Tones", "RingTones"),
        ("Acoustic", "Music"),
        ("Ambient", "Music"),
    ]
    acoustic = listed["records"][1]
    assert (
        as_rita.get(f"/restapi/v1.0/dictionary/greeting/{acoustic['id']}").json_dict() == acoustic
    )
    chosen = as_rita.put(
        f"{RULES}/business-hours-rule",
        {"greetings": [{"type": "ConnectingAudio", "preset": {"id": acoustic["id"]}}]},
    ).json_dict()
    audio = next(g for g in chosen["greetings"] if g["type"] == "ConnectingAudio")
    assert audio["preset"]["name"] == "Acoustic"
    as_rita.put(
        f"{RULES}/business-hours-rule",
        {"greetings": [{"type": "ConnectingAudio", "preset": {"id": "300"}}]},
    )
    blocked = as_rita.get(
        "/restapi/v1.0/dictionary/greeting", {"usageType": "BlockedCalls"}
    ).json_dict()
    assert {r["type"] for r in blocked["records"]} >= {"BlockedCallersSpecific", "BlockedPayPhones"}
    status, body = failure(lambda: as_rita.get("/restapi/v1.0/dictionary/greeting/1"))
    assert (status, error_codes(body)) == (404, [("CMN-102", "greetingId")])


def test_hold_music_is_chosen_uploaded_read_and_checked(
    as_rita: Platform, recordings: dict[str, bytes]
) -> None:
    """GS-5: the Acoustic track at full volume until the user chooses; an uploaded HoldMusic
    recording becomes the hold music and the public API's greeting/hold-music; the volume
    is a percentage; only one's own hold music recordings can be chosen."""
    music = f"{EXTENSION}/hold-music"
    assert {k: v for k, v in as_rita.get(music).json_dict().items() if k != "uri"} == {
        "enabled": True,
        "kind": "Music",
        "musicTrack": "acoustic",
        "customGreetingId": None,
        "volume": 100,
    }
    status, body = failure(lambda: as_rita.get(f"{GREETING}/hold-music"))
    assert (status, error_codes(body)) == (404, [("CMN-102", "greetingId")])
    created = upload(as_rita, {"type": "HoldMusic"}, ("hold.wav", recordings["wav"], "audio/wav"))
    chosen = as_rita.get(music).json_dict()
    assert (chosen["kind"], chosen["customGreetingId"]) == ("Custom", created["id"])
    custom = as_rita.get(f"{GREETING}/hold-music").json_dict()
    assert (custom["id"], custom["type"]) == (created["id"], "HoldMusic")
    softer = as_rita.put(music, {"volume": 40, "enabled": False}).json_dict()
    assert (softer["volume"], softer["enabled"], softer["kind"]) == (40, False, "Custom")
    status, body = failure(lambda: as_rita.put(music, {"volume": 101}))
    assert (status, [field for _code, field in error_codes(body)]) == (400, ["volume"])
    voicemail = upload(
        as_rita,
        {"type": "Voicemail"},
        ("vm.wav", recordings["wav"], "audio/wav"),
        path=f"{GREETING}?apply=false",  # kept, played nowhere
    )
    for not_hold_music in (str(voicemail["id"]), "999999"):
        status, body = failure(
            lambda chosen=not_hold_music: as_rita.put(music, {"customGreetingId": chosen})
        )
        assert [field for _code, field in error_codes(body)] == ["customGreetingId"]
    status, body = failure(lambda: as_rita.put(music, {"kind": "Music", "musicTrack": "polka"}))
    assert [field for _code, field in error_codes(body)] == ["musicTrack"]
    back = as_rita.put(
        music, {"kind": "Music", "musicTrack": "ambient", "volume": 100, "enabled": True}
    )
    assert back.json_dict()["musicTrack"] == "ambient"
    as_rita.put(music, {"musicTrack": "acoustic"})
