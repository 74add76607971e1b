"""Settings > Screening, Greeting & Hold Music: the User Hours and After Hours tabs (user
greeting GS-1, call screening GS-2, connecting message GS-3, audio while connecting GS-4,
hold music GS-5) and the Blocked Calls tab (BLK-1..BLK-6); custom greetings uploaded as
files or recorded with the browser's microphone, for every page that plays one."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from telephonist.answering import blocking, greetings, rules, settings
from telephonist.answering.codec import GreetingType
from telephonist.answering.pages_forms import (
    UPLOAD_PAGES,
    Errors,
    custom_greetings,
    greeting_of,
    greeting_value,
    save_rule,
    service_errors,
    translator,
    upload_page,
    upload_pages_per_period,
)
from telephonist.domain.answering.errors import RuleValidationError
from telephonist.domain.answering.model import (
    BlockMode,
    ConnectingAudio,
    ConnectingAudioKind,
    HoldMusic,
    NoCallerIdBlocking,
    RobocallHandling,
    Screening,
)
from telephonist.domain.answering.plan import DEFAULT_PROMPT_TEXT, PromptKind
from telephonist.domain.text import N_
from telephonist.errors import Conflict, InvalidInput
from telephonist.media.convert import ConversionLimits
from telephonist.media.music import MusicTrack
from telephonist.portal.rendering import render
from telephonist.portal.visitors import CurrentUser, SignedIn, check_csrf, runtime_of

router = APIRouter()
FormText = Annotated[str, Form()]

PERIODS = {
    "user-hours": (rules.BUSINESS_HOURS_RULE_ID, N_("User Hours")),
    "after-hours": (rules.AFTER_HOURS_RULE_ID, N_("After Hours")),
}
SCREENING_CHOICES = (
    (Screening.OFF.value, N_("Off")),
    (Screening.NO_CALLER_ID.value, N_("If Caller ID not present")),
    (Screening.UNKNOWN_CALLER_ID.value, N_("If caller not in contact list")),
    (Screening.ALWAYS.value, N_("Always")),
)
AUDIO_CHOICES = (
    (ConnectingAudioKind.RING_TONES.value, N_("Ring Tones")),
    (ConnectingAudioKind.MUSIC.value, N_("Music")),
    (ConnectingAudioKind.CUSTOM.value, N_("Custom")),
)
BLOCK_MODES = (
    (BlockMode.SPECIFIC.value, N_("Specific calls and faxes")),
    (BlockMode.ALL.value, N_("All calls")),
)
ROBOCALL_CHOICES = (
    (RobocallHandling.RING_DEVICES.value, N_("Ring devices and apps")),
    (RobocallHandling.PLAY_MESSAGE_AND_DISCONNECT.value, N_("Play message and disconnect")),
)
NO_CALLER_ID_CHOICES = (
    (NoCallerIdBlocking.ALLOW.value, N_("None")),
    (NoCallerIdBlocking.BLOCK_CALLS_AND_FAXES.value, N_("Calls and faxes")),
    (NoCallerIdBlocking.BLOCK_FAXES.value, N_("Faxes")),
)
NOTICES = {
    "saved": N_("Your changes have been saved."),
    "greeting": N_("Your custom greeting was recorded and successfully activated."),
    "added": N_("The number was added."),
    "removed": N_("The number was removed."),
    "created": N_("The rule was added."),
}
RULE_FIELDS = {"greetings.ConnectingAudio": "audio_kind", "greetings": "form"}


def notice_of(me: SignedIn, done: str | None) -> str | None:
    return translator(me)(NOTICES[done]) if done in NOTICES else None


def prompt_text(me: SignedIn, kind: PromptKind) -> str:
    """A default greeting's words, as callers hear them, in the user's language."""
    return translator(me)(DEFAULT_PROMPT_TEXT[kind]).format(name=me.extension.name)


# --- blocked calls ----------------------------------------------------------------------


def _blocked_values(request: Request, me: SignedIn) -> dict[str, Any]:
    with runtime_of(request).db.transaction() as session:
        current = blocking.get_blocking(session, me.account.id, me.extension.id)
    return {
        "mode": current.mode.value,
        "robocalls": current.robocalls.value,
        "no_caller_id": current.no_caller_id.value,
        "pay_phones_blocked": current.pay_phones_blocked,
        "blocked_greeting": greeting_value(current.blocked_greeting),
        "pay_phone_greeting": greeting_value(current.pay_phone_greeting),
        "blocked_number": "",
        "blocked_label": "",
        "trusted_number": "",
        "trusted_label": "",
    }


def _blocked_page(
    request: Request,
    me: SignedIn,
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
    done: str | None = None,
) -> Response:
    shown = _blocked_values(request, me)
    shown.update(values or {})
    with runtime_of(request).db.transaction() as session:
        listed = blocking.list_numbers(session, me.account.id, me.extension.id)
        choices = {
            "blocked": custom_greetings(
                session,
                me,
                [
                    GreetingType.BLOCKED_CALLERS_SPECIFIC.value,
                    GreetingType.BLOCKED_CALLERS_ALL.value,
                ],
            ),
            "pay_phone": custom_greetings(session, me, [GreetingType.BLOCKED_PAY_PHONES.value]),
        }
    context = {
        "tab": "settings",
        "panel": "screening",
        "subtab": "blocked",
        "next_path": "/settings/screening/blocked",
        "values": shown,
        "errors": errors or {},
        "blocked": [n for n in listed if n.status == blocking.ListStatus.BLOCKED.value],
        "trusted": [n for n in listed if n.status == blocking.ListStatus.ALLOWED.value],
        "choices": choices,
        "block_modes": BLOCK_MODES,
        "robocall_choices": ROBOCALL_CHOICES,
        "no_caller_id_choices": NO_CALLER_ID_CHOICES,
        "blocked_text": prompt_text(me, PromptKind.BLOCKED),
        "pay_phone_text": prompt_text(me, PromptKind.BLOCKED_PAY_PHONE),
        "notice": notice_of(me, done),
    }
    status = 400 if errors else 200
    return render(request, "answering/blocked.html", context, status_code=status)


upload_page("/settings/screening/blocked")(_blocked_page)


@router.get("/settings/screening/blocked")
def blocked_calls(request: Request, me: CurrentUser, done: str | None = None) -> Response:
    """BLK-1..BLK-6: the Blocked Calls tab."""
    return _blocked_page(request, me, done=done)


@router.post("/settings/screening/blocked")
def save_blocked_calls(
    request: Request,
    me: CurrentUser,
    csrf_token: FormText = "",
    mode: FormText = "",
    robocalls: FormText = "",
    no_caller_id: FormText = "",
    pay_phones_blocked: FormText = "",
    blocked_greeting: FormText = "default",
    pay_phone_greeting: FormText = "default",
) -> Response:
    """BLK-1, BLK-3, BLK-4, BLK-5 and what blocked callers hear (BLK-2)."""
    check_csrf(request, csrf_token)
    values = {
        "mode": mode,
        "robocalls": robocalls,
        "no_caller_id": no_caller_id,
        "pay_phones_blocked": pay_phones_blocked == "on",
        "blocked_greeting": blocked_greeting,
        "pay_phone_greeting": pay_phone_greeting,
    }
    errors: Errors = {}
    for name, value, choices in (
        ("mode", mode, BLOCK_MODES),
        ("robocalls", robocalls, ROBOCALL_CHOICES),
        ("no_caller_id", no_caller_id, NO_CALLER_ID_CHOICES),
    ):
        if value not in {choice for choice, _label in choices}:
            errors[name] = [N_("Choose one of the options")]
    if errors:
        return _blocked_page(request, me, errors, values)
    change = blocking.BlockingChange(
        mode=BlockMode(mode),
        no_caller_id=NoCallerIdBlocking(no_caller_id),
        pay_phones_blocked=pay_phones_blocked == "on",
        robocalls=RobocallHandling(robocalls),
        blocked_greeting=greeting_of(blocked_greeting),
        pay_phone_greeting=greeting_of(pay_phone_greeting),
    )
    try:
        with runtime_of(request).db.transaction() as session:
            blocking.update_blocking(session, me.account.id, me.extension.id, change)
    except InvalidInput as error:
        return _blocked_page(
            request, me, service_errors(error, {"greetings": "blocked_greeting"}), values
        )
    return RedirectResponse("/settings/screening/blocked?done=saved", status_code=303)


@router.post("/settings/screening/blocked/numbers")
def add_listed_number(
    request: Request,
    me: CurrentUser,
    csrf_token: FormText = "",
    status: FormText = "Blocked",
    phone_number: FormText = "",
    label: FormText = "",
) -> Response:
    """BLK-2 block list and BLK-3 trusted numbers: one number or area code, named or not."""
    check_csrf(request, csrf_token)
    trusted = status == blocking.ListStatus.ALLOWED.value
    prefix = "trusted" if trusted else "blocked"
    try:
        with runtime_of(request).db.transaction() as session:
            blocking.add_number(
                session,
                me.account.id,
                me.extension.id,
                phone_number,
                label,
                blocking.ListStatus.ALLOWED if trusted else blocking.ListStatus.BLOCKED,
            )
    except (InvalidInput, Conflict) as error:
        errors = service_errors(
            error, {"phoneNumber": f"{prefix}_number", "label": f"{prefix}_label"}
        )
        values = {f"{prefix}_number": phone_number, f"{prefix}_label": label}
        return _blocked_page(request, me, errors, values)
    return RedirectResponse("/settings/screening/blocked?done=added", status_code=303)


@router.post("/settings/screening/blocked/numbers/{number_id}/delete")
def remove_listed_number(
    request: Request, number_id: str, me: CurrentUser, csrf_token: FormText = ""
) -> Response:
    check_csrf(request, csrf_token)
    with runtime_of(request).db.transaction() as session:
        blocking.remove_number(session, me.account.id, me.extension.id, number_id)
    return RedirectResponse("/settings/screening/blocked?done=removed", status_code=303)


# --- user hours / after hours -----------------------------------------------------------


def _screening_values(request: Request, me: SignedIn, rule_id: str) -> dict[str, Any]:
    with runtime_of(request).db.transaction() as session:
        rule = rules.get_rule(session, me.account.id, me.extension.id, rule_id)
        hold = settings.get_hold_music(session, me.account.id, me.extension.id)
    g = rule.greetings
    return {
        "intro_on": g.introductory is not None,
        "intro": greeting_value(g.introductory),
        "connecting_on": g.connecting_message is not None,
        "connecting": greeting_value(g.connecting_message),
        "audio_kind": g.connecting_audio.kind.value,
        "music_track": g.connecting_audio.music_track or MusicTrack.ACOUSTIC.value,
        "audio_custom": g.connecting_audio.custom_id or "default",
        "screening": rule.screening.value,
        "hold_on": hold.enabled,
        "hold_kind": hold.kind.value,
        "hold_track": hold.music_track,
        "hold_custom": hold.custom_id or "default",
        "hold_volume": str(hold.volume),
    }


def _screening_page(
    request: Request,
    me: SignedIn,
    period: str,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    done: str | None = None,
) -> Response:
    rule_id, label = PERIODS[period]
    with runtime_of(request).db.transaction() as session:
        choices = {
            kind: custom_greetings(session, me, [kind])
            for kind in ("Introductory", "ConnectingMessage", "ConnectingAudio", "HoldMusic")
        }
    context = {
        "tab": "settings",
        "panel": "screening",
        "subtab": period,
        "period": period,
        "period_label": label,
        "rule_id": rule_id,
        "next_path": f"/settings/screening/{period}",
        "values": values or _screening_values(request, me, rule_id),
        "errors": errors or {},
        "choices": choices,
        "screening_choices": SCREENING_CHOICES,
        "audio_choices": AUDIO_CHOICES,
        "music_tracks": [(track.value, track.title) for track in MusicTrack],
        "user_greeting_text": prompt_text(me, PromptKind.USER_GREETING),
        "connecting_text": prompt_text(me, PromptKind.CONNECTING_MESSAGE),
        "notice": notice_of(me, done),
    }
    status = 400 if errors else 200
    return render(request, "answering/screening.html", context, status_code=status)


@router.get("/settings/screening")
def screening_home() -> Response:
    return RedirectResponse("/settings/screening/user-hours", status_code=303)


@router.get("/settings/screening/{period}")
def screening_page(
    request: Request, period: str, me: CurrentUser, done: str | None = None
) -> Response:
    """GS-1..GS-5 for the user-hours or the after-hours rule."""
    if period not in PERIODS:
        raise HTTPException(404)
    return _screening_page(request, me, period, done=done)


upload_pages_per_period("/settings/screening", list(PERIODS), _screening_page)


@router.post("/settings/screening/{period}")
def save_screening(
    request: Request,
    period: str,
    me: CurrentUser,
    csrf_token: FormText = "",
    intro_on: FormText = "",
    intro: FormText = "default",
    connecting_on: FormText = "",
    connecting: FormText = "default",
    audio_kind: FormText = "",
    music_track: FormText = "",
    audio_custom: FormText = "default",
    screening: FormText = "",
    hold_on: FormText = "",
    hold_kind: FormText = "",
    hold_track: FormText = "",
    hold_custom: FormText = "default",
    hold_volume: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    if period not in PERIODS:
        raise HTTPException(404)
    values = {
        "intro_on": intro_on == "on",
        "intro": intro,
        "connecting_on": connecting_on == "on",
        "connecting": connecting,
        "audio_kind": audio_kind,
        "music_track": music_track,
        "audio_custom": audio_custom,
        "screening": screening,
        "hold_on": hold_on == "on",
        "hold_kind": hold_kind,
        "hold_track": hold_track,
        "hold_custom": hold_custom,
        "hold_volume": hold_volume,
    }
    errors: Errors = {}
    hold = _hold_music_of(hold_on, hold_kind, hold_track, hold_custom, hold_volume, errors)
    if screening not in {value for value, _label in SCREENING_CHOICES}:
        errors["screening"] = [N_("Choose when callers are asked to say their name")]
    if audio_kind not in {value for value, _label in AUDIO_CHOICES}:
        errors["audio_kind"] = [N_("Choose what callers hear while connecting")]
    if audio_kind == ConnectingAudioKind.MUSIC.value and music_track not in {
        track.value for track in MusicTrack
    }:
        errors["music_track"] = [N_("Choose a music track")]
    if errors or hold is None:
        return _screening_page(request, me, period, values, errors)
    rule_id = PERIODS[period][0]
    try:
        with runtime_of(request).db.transaction() as session:
            rule = rules.get_rule(session, me.account.id, me.extension.id, rule_id)
            kind = ConnectingAudioKind(audio_kind)
            audio = ConnectingAudio(
                kind,
                music_track=music_track if kind is ConnectingAudioKind.MUSIC else "",
                custom_id=greeting_of(audio_custom).custom_id
                if kind is ConnectingAudioKind.CUSTOM
                else None,
            )
            chosen = replace(
                rule.greetings,
                introductory=greeting_of(intro) if intro_on == "on" else None,
                connecting_message=greeting_of(connecting) if connecting_on == "on" else None,
                connecting_audio=audio,
            )
            save_rule(session, me, replace(rule, greetings=chosen, screening=Screening(screening)))
            settings.set_hold_music(session, me.account.id, me.extension.id, hold)
    except (InvalidInput, RuleValidationError) as error:
        fields = {**RULE_FIELDS, **HOLD_MUSIC_FIELDS}
        return _screening_page(request, me, period, values, service_errors(error, fields))
    return RedirectResponse(f"/settings/screening/{period}?done=saved", status_code=303)


HOLD_MUSIC_FIELDS = {"customGreetingId": "hold_custom", "volume": "hold_volume"}


def _hold_music_of(
    enabled: str, kind: str, track: str, custom: str, volume: str, errors: Errors
) -> HoldMusic | None:
    """GS-5 from the form, or None with the reasons added to ``errors``."""
    if kind not in {value for value, _label in AUDIO_CHOICES}:
        errors["hold_kind"] = [N_("Choose what callers on hold hear")]
        return None
    chosen = ConnectingAudioKind(kind)
    if chosen is ConnectingAudioKind.MUSIC and track not in {t.value for t in MusicTrack}:
        errors["hold_track"] = [N_("Choose a music track")]
    if chosen is ConnectingAudioKind.CUSTOM and custom in {"", "default"}:
        errors["hold_custom"] = [N_("Choose one of your hold music recordings")]
    level = int(volume) if volume.isdigit() else -1
    if not 0 <= level <= 100:
        errors["hold_volume"] = [N_("The volume is a percentage from 0 to 100")]
    if errors:
        return None
    return HoldMusic(
        enabled=enabled == "on",
        kind=chosen,
        music_track=track if chosen is ConnectingAudioKind.MUSIC else MusicTrack.ACOUSTIC.value,
        custom_id=custom if chosen is ConnectingAudioKind.CUSTOM else None,
        volume=level,
    )


# --- custom greetings -------------------------------------------------------------------


@router.post("/settings/greetings")
def upload_greeting(
    request: Request,
    me: CurrentUser,
    binary: Annotated[UploadFile | None, File()] = None,
    csrf_token: FormText = "",
    type: FormText = "",
    rule_id: FormText = "",
    next: FormText = "",
) -> Response:
    """A WAV or MP3 file, or a microphone recording (WebM/Ogg), converted and played from
    now on where the page that sent it says. Runs in a worker thread (ffmpeg)."""
    check_csrf(request, csrf_token)
    page = UPLOAD_PAGES.get(next)
    if page is None:
        raise HTTPException(400)
    field = f"binary_{type}"
    try:
        kind = GreetingType(type)
    except ValueError:
        raise HTTPException(400) from None
    limit = ConversionLimits().max_bytes
    data = binary.file.read(limit + 1) if binary is not None else b""
    if not data:
        return page(request, me, {field: [N_("Choose a WAV or MP3 file, or record one")]})
    if len(data) > limit:
        return page(request, me, {field: [N_("The file is larger than 20 MB")]})
    try:
        with runtime_of(request).db.transaction() as session:
            greetings.upload_greeting(
                session,
                runtime_of(request).blobs,
                me.account.id,
                me.extension.id,
                kind,
                data,
                (binary.filename if binary is not None else "") or "recording",
                answering_rule_id=rule_id or None,
            )
    except InvalidInput as error:
        return page(request, me, service_errors(error, {"": field}))
    return RedirectResponse(f"{next}?done=greeting", status_code=303)


@router.get("/settings/greetings/{greeting_id}/audio")
def greeting_audio(request: Request, greeting_id: str, me: CurrentUser) -> Response:
    """A custom greeting for the page's player."""
    with runtime_of(request).db.transaction() as session:
        audio, media_type = greetings.greeting_content(
            session, runtime_of(request).blobs, me.account.id, me.extension.id, greeting_id
        )
    return Response(audio, media_type=media_type)
