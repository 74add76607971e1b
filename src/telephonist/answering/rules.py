"""An extension's answering rules (CH-1..CH-4, ``answering-rule``): the user-hours rule
("business-hours-rule") and the after-hours rule ("after-hours-rule"), which every
extension has and which can be changed but not deleted, and its custom rules, tried in
the user's order before them.

Rules come in and go out as domain ``AnsweringRule`` values (the portal builds them; the
REST API parses the public API's JSON with ``parse_rule``). Saving checks what the domain
cannot: that the forwarding numbers, greetings and voicemail recipient belong to the
extension or its account, and that called numbers are the extension's own. A rule never
saved yet is its default: forward to the extension's own phones, then take a message."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telephonist.accounts import company
from telephonist.accounts.extensions import direct_numbers, find_by_number, get_extension
from telephonist.answering import recordings
from telephonist.answering.codec import References, RuleDoc, rule_document, rule_from_document
from telephonist.answering.forwarding import default_forwarding, list_forwarding_numbers
from telephonist.domain.answering.errors import RuleValidationError
from telephonist.domain.answering.model import (
    AnsweringRule,
    ConnectingAudio,
    ConnectingAudioKind,
    Forwarding,
    ForwardingNumber,
    Greeting,
    RuleType,
)
from telephonist.domain.extensions import ExtensionType
from telephonist.domain.phone_numbers import PhoneNumberError, to_e164
from telephonist.domain.text import N_
from telephonist.errors import FieldProblem, InvalidInput, NotFound
from telephonist.store.answering import AnsweringRuleRecord
from telephonist.store.base import utcnow
from telephonist.store.extensions import Extension

log = logging.getLogger(__name__)

BUSINESS_HOURS_RULE_ID = "business-hours-rule"
AFTER_HOURS_RULE_ID = "after-hours-rule"
DEFAULT_RULE_IDS = {
    RuleType.BUSINESS_HOURS: BUSINESS_HOURS_RULE_ID,
    RuleType.AFTER_HOURS: AFTER_HOURS_RULE_ID,
}
RECIPIENT_TYPES = frozenset({ExtensionType.USER.value, ExtensionType.MESSAGE_ONLY.value})
"""VM-2: messages go to a user or a message-only extension."""


@dataclass(frozen=True)
class RuleBook:
    """All of an extension's rules, custom rules in the order they are tried."""

    user_hours_rule: AnsweringRule
    after_hours_rule: AnsweringRule
    custom_rules: tuple[AnsweringRule, ...]

    @property
    def all(self) -> tuple[AnsweringRule, ...]:
        return (self.user_hours_rule, self.after_hours_rule, *self.custom_rules)


def rule_type_of(rule_id: str) -> RuleType:
    """The kind of rule an id names; custom rule ids are numbers."""
    for kind, default_id in DEFAULT_RULE_IDS.items():
        if rule_id == default_id:
            return kind
    if not rule_id.isdigit():
        raise NotFound("ruleId")
    return RuleType.CUSTOM


def problems_of(error: RuleValidationError | ValidationError) -> InvalidInput:
    """A domain or document error as the public error list (field names of the API)."""
    if isinstance(error, RuleValidationError):
        return InvalidInput([FieldProblem(error.field, error.message)])
    return InvalidInput(
        [
            FieldProblem(
                ".".join(str(part) for part in problem["loc"]) or "body",
                f"{problem['msg']}",
            )
            for problem in error.errors()
        ]
    )


# --- reading ----------------------------------------------------------------------------


def _records(session: Session, account_id: int, extension_id: int) -> list[AnsweringRuleRecord]:
    return list(
        session.scalars(
            select(AnsweringRuleRecord)
            .where(
                AnsweringRuleRecord.account_id == account_id,
                AnsweringRuleRecord.extension_id == extension_id,
            )
            .order_by(AnsweringRuleRecord.position, AnsweringRuleRecord.id)
        )
    )


def _pruned(
    document: Mapping[str, Any], numbers: set[str], greetings: set[str], recipients: set[str]
) -> dict[str, Any]:
    """A stored document without what has gone since it was saved (a removed phone, a
    deleted greeting or recipient): a rule keeps working with what is left."""
    pruned = dict(document)
    forwarding = pruned.get("forwarding")
    if isinstance(forwarding, dict):
        entries = []
        for entry in forwarding.get("rules", []):
            kept = [n for n in entry.get("forwardingNumbers", []) if n.get("id") in numbers]
            if kept:
                entries.append({**entry, "forwardingNumbers": kept})
        pruned["forwarding"] = {**forwarding, "rules": entries}
    pruned["greetings"] = [
        greeting
        for greeting in pruned.get("greetings", [])
        if "custom" not in greeting or greeting["custom"].get("id") in greetings
    ]
    voicemail = pruned.get("voicemail")
    if isinstance(voicemail, dict) and voicemail.get("recipient", {}).get("id") not in (
        None,
        *recipients,
    ):
        pruned["voicemail"] = {"enabled": voicemail.get("enabled", True)}
    return pruned


def _recipient_ids(
    session: Session, account_id: int, records: Iterable[AnsweringRuleRecord]
) -> set[str]:
    wanted = {
        int(rid)
        for record in records
        if isinstance(record.document.get("voicemail"), dict)
        and isinstance(rid := record.document["voicemail"].get("recipient", {}).get("id"), str)
        and rid.isdigit()
    }
    if not wanted:
        return set()
    return {
        str(extension_id)
        for extension_id in session.scalars(
            select(Extension.id).where(
                Extension.account_id == account_id,
                Extension.id.in_(wanted),
                Extension.type.in_(RECIPIENT_TYPES),
            )
        )
    }


def read_rules(
    session: Session,
    account_id: int,
    extension_id: int,
    numbers: Sequence[ForwardingNumber] | None = None,
) -> RuleBook:
    """The extension's rules as the router uses them. A stored rule that no longer reads
    (which saving prevents) is logged and replaced by its default, or left out."""
    if numbers is None:
        numbers = list_forwarding_numbers(session, account_id, extension_id)
    records = _records(session, account_id, extension_id)
    refs = References(
        numbers={number.id: number for number in numbers},
        default_forwarding=default_forwarding(numbers, extension_id),
        voicemail=recordings.extension_voicemail_greeting(session, account_id, extension_id),
    )
    greetings = recordings.greeting_ids(session, account_id, extension_id)
    recipients = _recipient_ids(session, account_id, records)
    found: dict[RuleType, AnsweringRule] = {}
    custom: list[AnsweringRule] = []
    for record in records:
        kind = RuleType(record.type)
        rule_id = DEFAULT_RULE_IDS.get(kind, str(record.id))
        document = _pruned(record.document, set(refs.numbers), greetings, recipients)
        try:
            rule = rule_from_document(RuleDoc.model_validate(document), rule_id, kind, refs)
        except (RuleValidationError, ValidationError):
            log.exception(
                "answering rule %s of extension %s does not read", record.id, extension_id
            )
            continue
        if kind is RuleType.CUSTOM:
            custom.append(rule)
        else:
            found[kind] = rule
    return RuleBook(
        user_hours_rule=found.get(RuleType.BUSINESS_HOURS)
        or _default(RuleType.BUSINESS_HOURS, refs),
        after_hours_rule=found.get(RuleType.AFTER_HOURS) or _default(RuleType.AFTER_HOURS, refs),
        custom_rules=tuple(custom),
    )


def _default(kind: RuleType, refs: References) -> AnsweringRule:
    names = {RuleType.BUSINESS_HOURS: N_("User hours"), RuleType.AFTER_HOURS: N_("After hours")}
    return rule_from_document(RuleDoc(name=names[kind]), DEFAULT_RULE_IDS[kind], kind, refs)


def list_rules(session: Session, account_id: int, extension_id: int) -> list[AnsweringRule]:
    """User hours, after hours, then the custom rules in the order they are tried."""
    get_extension(session, account_id, extension_id)
    return list(read_rules(session, account_id, extension_id).all)


def get_rule(session: Session, account_id: int, extension_id: int, rule_id: str) -> AnsweringRule:
    """One rule of the extension by its public id."""
    for rule in list_rules(session, account_id, extension_id):
        if rule.id == rule_id:
            return rule
    raise NotFound("ruleId")


# --- parsing and checking ---------------------------------------------------------------


def parse_rule(
    session: Session,
    account_id: int,
    extension_id: int,
    document: Mapping[str, Any],
    rule_id: str,
    rule_type: RuleType,
) -> AnsweringRule:
    """A rule from the public API's JSON; every id it names must be the extension's."""
    numbers = list_forwarding_numbers(session, account_id, extension_id)
    refs = References(
        numbers={number.id: number for number in numbers},
        default_forwarding=default_forwarding(numbers, extension_id),
        voicemail=recordings.extension_voicemail_greeting(session, account_id, extension_id),
        check_custom_greeting=recordings.greeting_checker(session, account_id, extension_id),
    )
    try:
        return rule_from_document(RuleDoc.model_validate(document), rule_id, rule_type, refs)
    except (RuleValidationError, ValidationError) as error:
        raise problems_of(error) from error


def _checked(
    session: Session, account_id: int, extension_id: int, rule: AnsweringRule
) -> AnsweringRule:
    """``rule`` with its references checked and its numbers in E.164."""
    problems: list[FieldProblem] = []
    known = {n.id: n for n in list_forwarding_numbers(session, account_id, extension_id)}
    entries = []
    for entry in rule.forwarding.entries:
        missing = [number.id for number in entry.numbers if number.id not in known]
        if missing:
            problems.append(
                FieldProblem(
                    "forwarding.rules.forwardingNumbers.id",
                    f"Forwarding number '{missing[0]}' is not one of this extension's "
                    "forwarding numbers",
                )
            )
            continue
        entries.append(replace(entry, numbers=tuple(known[n.id] for n in entry.numbers)))
    forwarding: Forwarding = replace(rule.forwarding, entries=tuple(entries))
    recipient = rule.voicemail.recipient_extension_id
    if recipient is not None and not _is_recipient(session, account_id, recipient):
        problems.append(
            FieldProblem(
                "voicemail.recipient.id",
                N_("The message recipient must be a user or message-only extension of the company"),
            )
        )
    greetings = recordings.greeting_ids(session, account_id, extension_id)
    g = rule.greetings
    custom_ids = [
        greeting.custom_id
        for greeting in (g.introductory, g.connecting_message, g.voicemail, g.announcement)
        if greeting is not None and greeting.custom_id is not None
    ]
    if g.connecting_audio.custom_id is not None:
        custom_ids.append(g.connecting_audio.custom_id)
    if any(custom_id not in greetings for custom_id in custom_ids):
        problems.append(
            FieldProblem("greetings.custom.id", N_("This custom greeting is not one of yours"))
        )
    region = company.get_account(session, account_id).home_country
    own = {number.e164 for number in direct_numbers(session, account_id, extension_id)}
    called = []
    for text in rule.called_numbers:
        try:
            e164 = to_e164(text, region)
        except PhoneNumberError as error:
            problems.append(FieldProblem("calledNumbers.phoneNumber", str(error)))
            continue
        if e164 not in own:
            problems.append(
                FieldProblem(
                    "calledNumbers.phoneNumber",
                    f"{e164} is not one of this extension's phone numbers",
                )
            )
        called.append(e164)
    unconditional = rule.unconditional_forwarding_number
    if unconditional:
        unconditional = _destination(session, account_id, unconditional, region, problems)
    if problems:
        raise InvalidInput(problems)
    try:
        return replace(
            rule,
            forwarding=forwarding,
            called_numbers=tuple(called),
            unconditional_forwarding_number=unconditional,
        )
    except RuleValidationError as error:
        raise problems_of(error) from error


def _is_recipient(session: Session, account_id: int, extension_id: str) -> bool:
    if not extension_id.isdigit():
        return False
    try:
        extension = get_extension(session, account_id, int(extension_id))
    except NotFound:
        return False
    return extension.type in RECIPIENT_TYPES


def _destination(
    session: Session, account_id: int, text: str, region: str, problems: list[FieldProblem]
) -> str:
    """An unconditional forwarding number: an extension number of the company, or an
    outside number in E.164."""
    cleaned = text.strip()
    if cleaned.isdigit() and find_by_number(session, account_id, cleaned) is not None:
        return cleaned
    try:
        return to_e164(cleaned, region)
    except PhoneNumberError as error:
        problems.append(FieldProblem("unconditionalForwarding.phoneNumber", str(error)))
        return cleaned


# --- changing ---------------------------------------------------------------------------


def _stored(rule: AnsweringRule) -> dict[str, Any]:
    document = rule_document(rule)
    document.pop("id")
    return document


def create_custom_rule(
    session: Session, account_id: int, extension_id: int, rule: AnsweringRule
) -> AnsweringRule:
    """Add a custom rule, tried after the existing ones (its ``id`` is ignored)."""
    get_extension(session, account_id, extension_id)
    if rule.type is not RuleType.CUSTOM:
        raise InvalidInput([FieldProblem("type", N_("Only custom rules can be added"))])
    rule = _checked(session, account_id, extension_id, rule)
    last = session.scalar(
        select(func.max(AnsweringRuleRecord.position)).where(
            AnsweringRuleRecord.account_id == account_id,
            AnsweringRuleRecord.extension_id == extension_id,
            AnsweringRuleRecord.type == RuleType.CUSTOM.value,
        )
    )
    record = AnsweringRuleRecord(
        account_id=account_id,
        extension_id=extension_id,
        type=RuleType.CUSTOM.value,
        position=(last or 0) + 1,
        document=_stored(rule),
    )
    session.add(record)
    session.flush()
    return get_rule(session, account_id, extension_id, str(record.id))


def _record(
    session: Session, account_id: int, extension_id: int, rule_id: str
) -> AnsweringRuleRecord | None:
    kind = rule_type_of(rule_id)
    query = select(AnsweringRuleRecord).where(
        AnsweringRuleRecord.account_id == account_id,
        AnsweringRuleRecord.extension_id == extension_id,
        AnsweringRuleRecord.type == kind.value,
    )
    if kind is RuleType.CUSTOM:
        query = query.where(AnsweringRuleRecord.id == int(rule_id))
    return session.scalar(query)


def update_rule(
    session: Session, account_id: int, extension_id: int, rule_id: str, rule: AnsweringRule
) -> AnsweringRule:
    """Replace a rule's settings (its kind and position stay)."""
    get_extension(session, account_id, extension_id)
    kind = rule_type_of(rule_id)
    if rule.type is not kind:
        raise InvalidInput([FieldProblem("type", N_("A rule's type cannot be changed"))])
    record = _record(session, account_id, extension_id, rule_id)
    if record is None:
        if kind is RuleType.CUSTOM:
            raise NotFound("ruleId")
        record = AnsweringRuleRecord(
            account_id=account_id, extension_id=extension_id, type=kind.value, position=0
        )
        session.add(record)
    record.document = _stored(_checked(session, account_id, extension_id, rule))
    record.updated_at = utcnow()
    session.flush()
    return get_rule(session, account_id, extension_id, rule_id)


def keep_voicemail_greetings(session: Session, account_id: int, extension_id: int) -> None:
    """Before the extension gets a new voicemail greeting of its own: the user-hours and
    after-hours rules never changed so far play the extension's newest voicemail
    greeting, so they are made to keep the one they play now (and only that: their
    forwarding still follows the extension's phones)."""
    for kind, rule_id in DEFAULT_RULE_IDS.items():
        if _record(session, account_id, extension_id, rule_id) is not None:
            continue
        current = get_rule(session, account_id, extension_id, rule_id)
        greetings = [g for g in rule_document(current)["greetings"] if g["type"] == "Voicemail"]
        session.add(
            AnsweringRuleRecord(
                account_id=account_id,
                extension_id=extension_id,
                type=kind.value,
                position=0,
                document={"name": current.name, "greetings": greetings},
            )
        )
    session.flush()


def delete_rule(session: Session, account_id: int, extension_id: int, rule_id: str) -> None:
    """Delete a custom rule; the user-hours and after-hours rules always exist."""
    get_extension(session, account_id, extension_id)
    if rule_type_of(rule_id) is not RuleType.CUSTOM:
        raise InvalidInput(
            [
                FieldProblem(
                    "ruleId",
                    N_("The user-hours and after-hours rules cannot be deleted, only changed"),
                )
            ]
        )
    record = _record(session, account_id, extension_id, rule_id)
    if record is None:
        raise NotFound("ruleId")
    session.delete(record)
    session.flush()


def reorder_custom_rules(
    session: Session, account_id: int, extension_id: int, rule_ids: Sequence[str]
) -> list[AnsweringRule]:
    """Put the custom rules in the order they are tried (first match wins)."""
    records = {
        str(record.id): record
        for record in _records(session, account_id, extension_id)
        if record.type == RuleType.CUSTOM.value
    }
    if sorted(rule_ids) != sorted(records):
        raise InvalidInput(
            [FieldProblem("records", N_("List every custom rule exactly once to reorder them"))]
        )
    for position, rule_id in enumerate(rule_ids, start=1):
        records[rule_id].position = position
    session.flush()
    return list(read_rules(session, account_id, extension_id).custom_rules)


RULE_GREETING_FIELDS = {
    "Introductory": "introductory",
    "ConnectingMessage": "connecting_message",
    "Voicemail": "voicemail",
    "Announcement": "announcement",
}
"""The greeting types a rule plays, besides ConnectingAudio (GS-1, GS-3, VM-1, CH-3)."""


def with_greeting(rule: AnsweringRule, kind: str, greeting_id: str) -> AnsweringRule:
    """``rule`` playing the custom greeting ``greeting_id`` as its ``kind`` greeting."""
    if kind == "ConnectingAudio":
        audio = ConnectingAudio(ConnectingAudioKind.CUSTOM, custom_id=greeting_id)
        return replace(rule, greetings=replace(rule.greetings, connecting_audio=audio))
    if kind not in RULE_GREETING_FIELDS:
        raise InvalidInput(
            [FieldProblem("type", f"A {kind} greeting is not played by an answering rule")]
        )
    changed: dict[str, Any] = {RULE_GREETING_FIELDS[kind]: Greeting(greeting_id)}
    return replace(rule, greetings=replace(rule.greetings, **changed))
