"""Custom greetings (GS-1, GS-3, GS-4, GS-5, VM-1, BLK-2, CH-3): a recording uploaded
(WAV, MP3, Ogg, WebM, M4A: ``media.convert`` turns it into the 8 kHz mono WAV the media
engine plays) or recorded by phone, kept in the blob store, and applied where it is
played: a rule's greeting of its type, or the blocked callers' message."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from telephonist.accounts.extensions import get_extension
from telephonist.answering import recordings, settings
from telephonist.answering.blocking import BlockingChange, update_blocking
from telephonist.answering.codec import GreetingType
from telephonist.answering.rules import (
    AFTER_HOURS_RULE_ID,
    BUSINESS_HOURS_RULE_ID,
    get_rule,
    keep_voicemail_greetings,
    list_rules,
    update_rule,
    with_greeting,
)
from telephonist.domain.answering.model import AnsweringRule, ConnectingAudioKind, Greeting
from telephonist.domain.text import N_
from telephonist.errors import FieldProblem, InvalidInput
from telephonist.media.convert import AudioConversionError, convert_upload
from telephonist.store.blobs import BlobStore
from telephonist.store.identity import Greeting as GreetingRow

FOLDER = "greetings"
NAME_MAX = 200
RULE_TYPES = frozenset(
    {
        GreetingType.INTRODUCTORY,
        GreetingType.CONNECTING_MESSAGE,
        GreetingType.CONNECTING_AUDIO,
        GreetingType.VOICEMAIL,
        GreetingType.ANNOUNCEMENT,
    }
)
"""Greetings a rule plays; the others are kept (Unavailable, HoldMusic) or are the
blocked callers' messages."""
BLOCKED_TYPES = frozenset(
    {
        GreetingType.BLOCKED_CALLERS_SPECIFIC,
        GreetingType.BLOCKED_CALLERS_ALL,
        GreetingType.BLOCKED_PAY_PHONES,
    }
)
UPLOAD_TYPES = frozenset(
    {*RULE_TYPES, *BLOCKED_TYPES, GreetingType.UNAVAILABLE, GreetingType.HOLD_MUSIC}
)


def upload_greeting(
    session: Session,
    blobs: BlobStore,
    account_id: int,
    extension_id: int,
    greeting_type: GreetingType,
    data: bytes,
    file_name: str,
    *,
    answering_rule_id: str | None = None,
    apply: bool = True,
) -> GreetingRow:
    """An uploaded recording, converted, stored and (``apply``) put to use. Blocks while
    ffmpeg converts it: call from a worker thread."""
    try:
        converted = convert_upload(data)
    except AudioConversionError as error:
        raise InvalidInput([FieldProblem("binary", error.message)]) from error
    greeting_id = save_custom_greeting(
        session,
        blobs,
        account_id,
        extension_id,
        greeting_type,
        converted.wav,
        file_name,
        answering_rule_id=answering_rule_id,
        apply=apply,
    )
    return recordings.get_greeting(session, account_id, extension_id, greeting_id)


def save_custom_greeting(
    session: Session,
    blobs: BlobStore,
    account_id: int,
    extension_id: int,
    greeting_type: GreetingType,
    wav_bytes: bytes,
    name: str,
    *,
    answering_rule_id: str | None = None,
    apply: bool = True,
) -> str:
    """Keep an 8 kHz mono WAV as a custom greeting of the extension and return its id;
    see :func:`keep_custom_greeting`. A refused greeting leaves no file behind."""
    blob_key = blobs.put(FOLDER, wav_bytes, ".wav")
    try:
        return keep_custom_greeting(
            session,
            account_id,
            extension_id,
            greeting_type,
            blob_key,
            name,
            answering_rule_id=answering_rule_id,
            apply=apply,
        )
    except Exception:
        blobs.delete(blob_key)
        raise


def keep_custom_greeting(
    session: Session,
    account_id: int,
    extension_id: int,
    greeting_type: GreetingType,
    blob_key: str,
    name: str,
    *,
    answering_rule_id: str | None = None,
    apply: bool = True,
) -> str:
    """Make the 8 kHz mono WAV already in the blob store at ``blob_key`` a custom greeting
    of the extension and return its id. With ``apply``, it is played from now on: by the
    rule ``answering_rule_id``, or by both the user-hours and after-hours rules when none
    is named (a greeting recorded by phone from the mailbox, or uploaded in the
    activation wizard), to blocked callers for the Blocked... types, or to held
    callers for HoldMusic (GS-5)."""
    get_extension(session, account_id, extension_id)
    if greeting_type not in UPLOAD_TYPES:
        raise InvalidInput(
            [FieldProblem("type", f"{greeting_type.value} greetings cannot be recorded")]
        )
    targets = (
        _rules_to_change(session, account_id, extension_id, greeting_type, answering_rule_id)
        if apply
        else []
    )
    if greeting_type is GreetingType.VOICEMAIL:
        keep_voicemail_greetings(session, account_id, extension_id)
    greeting = GreetingRow(
        account_id=account_id,
        extension_id=extension_id,
        kind=greeting_type.value,
        blob_key=blob_key,
        content_type="audio/wav",
        file_name=(name.strip() or f"{greeting_type.value}.wav")[-NAME_MAX:],
    )
    session.add(greeting)
    session.flush()
    greeting_id = str(greeting.id)
    for rule in targets:
        update_rule(
            session,
            account_id,
            extension_id,
            rule.id,
            with_greeting(rule, greeting_type.value, greeting_id),
        )
    if apply and greeting_type in BLOCKED_TYPES:
        chosen = Greeting(greeting_id)
        change = (
            BlockingChange(pay_phone_greeting=chosen)
            if greeting_type is GreetingType.BLOCKED_PAY_PHONES
            else BlockingChange(blocked_greeting=chosen)
        )
        update_blocking(session, account_id, extension_id, change)
    if apply and greeting_type is GreetingType.HOLD_MUSIC:
        current = settings.get_hold_music(session, account_id, extension_id)
        music = replace(current, kind=ConnectingAudioKind.CUSTOM, custom_id=greeting_id)
        settings.set_hold_music(session, account_id, extension_id, music)
    return greeting_id


def _rules_to_change(
    session: Session,
    account_id: int,
    extension_id: int,
    greeting_type: GreetingType,
    answering_rule_id: str | None,
) -> list[AnsweringRule]:
    """The rules an applied greeting changes, checked before anything is stored."""
    if greeting_type not in RULE_TYPES:
        if answering_rule_id:
            raise InvalidInput(
                [
                    FieldProblem(
                        "answeringRuleId",
                        N_("This type of greeting is not played by an answering rule"),
                    )
                ]
            )
        return []
    if answering_rule_id:
        return [get_rule(session, account_id, extension_id, answering_rule_id)]
    return [
        get_rule(session, account_id, extension_id, rule_id)
        for rule_id in (BUSINESS_HOURS_RULE_ID, AFTER_HOURS_RULE_ID)
    ]


def greeting_content(
    session: Session, blobs: BlobStore, account_id: int, extension_id: int, greeting_id: str
) -> tuple[bytes, str]:
    """The audio of one of the extension's greetings and its media type."""
    greeting = recordings.get_greeting(session, account_id, extension_id, greeting_id)
    return blobs.get(greeting.blob_key), greeting.content_type


def rule_playing(
    session: Session, account_id: int, extension_id: int, greeting_id: str
) -> AnsweringRule | None:
    """The first rule that plays the greeting, if any (the public API's ``answeringRule``)."""
    for rule in list_rules(session, account_id, extension_id):
        g = rule.greetings
        chosen = (g.introductory, g.connecting_message, g.voicemail, g.announcement)
        ids = {greeting.custom_id for greeting in chosen if greeting is not None}
        if greeting_id in ids or g.connecting_audio.custom_id == greeting_id:
            return rule
    return None
