"""Account activation: the welcome e-mail (ACC-1) and the activation wizard (ACC-2).

The wizard's answers are kept in the link's draft and written to the user's records only
by its last step, in one transaction: leaving the wizard before the end loses them, as
the guide warns, and never leaves a half-activated user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from telephonist.accounts import company, devices, users
from telephonist.accounts.extensions import direct_numbers, get_extension
from telephonist.answering import greetings
from telephonist.answering.codec import GreetingType
from telephonist.domain import regional
from telephonist.domain.credentials import normalize_security_answer
from telephonist.domain.extensions import ExtensionStatus
from telephonist.domain.phone_numbers import PhoneNumberError, format_national, to_e164
from telephonist.domain.text import N_
from telephonist.errors import FieldProblem, InvalidInput, ServiceError
from telephonist.identity import links
from telephonist.identity.credentials import (
    password_problems,
    pin_problems,
    question_problems,
)
from telephonist.identity.hashing import hash_secret
from telephonist.mail.templates import render
from telephonist.media.convert import AudioConversionError, convert_upload
from telephonist.runtime import Runtime
from telephonist.store.database import after_commit
from telephonist.store.devices import Device
from telephonist.store.extensions import Extension, ForwardingNumber
from telephonist.store.identity import OneTimeLink

STEPS = ("security", "user_info", "regional", "emergency", "call_handling", "greeting", "confirm")
"""ACC-2's order: security first, the confirmation page with the user's number last."""

FORWARDING_TYPES = ("Home", "Mobile", "Work", "Other")
MAX_FORWARDING_NUMBERS = 10
GREETING_MAX_BYTES = 10 * 1024 * 1024
GREETING_FORMATS = (".wav", ".mp3")


class WizardOrderError(ServiceError):
    """A step was posted before the steps that come first."""


def issue_activation(
    session: Session, runtime: Runtime, extension: Extension, invited_by: str, now: datetime
) -> None:
    """Create the one-time link and e-mail it once the user's creation has committed."""
    token = links.issue(session, extension.account_id, extension.id, links.ACTIVATION, now)
    account = company.get_account(session, extension.account_id)
    main = company.main_number(session, account.id)
    numbers = direct_numbers(session, account.id, extension.id)
    user = extension.user
    assert user is not None and extension.email
    language = regional.ui_language(extension.user_language or account.language)
    body = render(
        "welcome.txt",
        language,
        user_name=user.full_name,
        invited_by=invited_by,
        company_name=account.company_name,
        company_number=format_national(main) if main else "",
        extension_number=extension.number,
        direct_number=format_national(numbers[0].e164) if numbers else "",
        login_email=extension.email,
        google_sign_in=account.google_sign_in,
        activation_url=f"{runtime.settings.base_url}/activate/{token}",
    )
    subject = render("welcome_subject.txt", language, company_name=account.company_name).strip()
    recipient = extension.email
    after_commit(session, lambda: runtime.mailer.send(recipient, subject, body))


@dataclass(frozen=True)
class Wizard:
    """Where a user is in the wizard: the link, its user, and what is done so far."""

    link: OneTimeLink
    extension: Extension

    @property
    def draft(self) -> dict[str, Any]:
        return self.link.draft

    @property
    def done(self) -> list[str]:
        done: list[str] = self.draft.get("done", [])
        return done

    @property
    def current_step(self) -> str:
        for step in STEPS:
            if step not in self.done:
                return step
        return STEPS[-1]

    def allows(self, step: str) -> bool:
        """A step is reachable once every step before it is done."""
        return all(earlier in self.done for earlier in STEPS[: STEPS.index(step)])


def open_wizard(session: Session, token: str, now: datetime) -> Wizard:
    link = links.open_link(session, token, links.ACTIVATION, now)
    return Wizard(link, get_extension(session, link.account_id, link.extension_id))


def _record(wizard: Wizard, step: str, values: dict[str, Any]) -> None:
    if not wizard.allows(step):
        raise WizardOrderError(f"Complete the step '{wizard.current_step}' first")
    done = [name for name in wizard.done if name != step] + [step]
    wizard.link.draft = {**wizard.draft, **values, "done": done}


def save_security(
    session: Session,
    wizard: Wizard,
    *,
    password: str,
    password_again: str,
    pin: str,
    pin_again: str,
    question: str,
    answer: str,
) -> None:
    """Step 1: password (ACC-3), PIN (ACC-4), security question (ACC-5)."""
    facts = users.account_facts(session, wizard.extension)
    problems = (
        password_problems(password, password_again, facts)
        + pin_problems(pin, pin_again, facts)
        + question_problems(question, answer)
    )
    if problems:
        raise InvalidInput(problems, unprocessable=True)
    _record(
        wizard,
        "security",
        {
            "password_hash": hash_secret(password),
            "pin_hash": hash_secret(pin),
            "security_question": question,
            "security_answer_hash": hash_secret(normalize_security_answer(answer)),
        },
    )


def save_user_info(
    session: Session, wizard: Wizard, *, first_name: str, last_name: str, email: str
) -> None:
    """Step 2: names and an e-mail unique across accounts."""
    problems = [
        FieldProblem(field, message)
        for field, message, value in (
            ("firstName", N_("First name is required"), first_name),
            ("lastName", N_("Last name is required"), last_name),
        )
        if not value.strip()
    ]
    email = users.normalize_email(email)
    if not users.EMAIL_PATTERN.match(email):
        problems.append(FieldProblem("email", f"'{email}' is not a valid e-mail address"))
    if problems:
        raise InvalidInput(problems)
    users.check_email_free(session, email, except_extension_id=wizard.extension.id)
    _record(
        wizard,
        "user_info",
        {"first_name": first_name.strip(), "last_name": last_name.strip(), "email": email},
    )


def save_regional(wizard: Wizard, *, home_country: str, time_format: str, time_zone: str) -> None:
    """Step 3: country, 12h/24h, time zone."""
    problems = []
    try:
        regional.country(home_country)
    except regional.RegionalSettingsError as error:
        problems.append(FieldProblem("homeCountry", str(error)))
    try:
        regional.time_zone(time_zone)
    except regional.RegionalSettingsError as error:
        problems.append(FieldProblem("timezone", str(error)))
    if time_format not in regional.TimeFormat.__members__.values():
        problems.append(FieldProblem("timeFormat", N_("Time format must be 12h or 24h")))
    if problems:
        raise InvalidInput(problems)
    _record(
        wizard,
        "regional",
        {"home_country": home_country.upper(), "time_format": time_format, "time_zone": time_zone},
    )


def save_emergency(
    wizard: Wizard, address: devices.EmergencyAddressInput, *, terms_accepted: bool, now: datetime
) -> None:
    """Step 4: the registered location; accepting the emergency terms is required."""
    problems = devices.emergency_address_problems(address)
    if not terms_accepted:
        problems.append(
            FieldProblem(
                "termsAccepted", N_("You must accept the emergency service terms to continue")
            )
        )
    if problems:
        raise InvalidInput(problems)
    _record(
        wizard,
        "emergency",
        {
            "emergency": {
                "customer_name": address.customer_name,
                "street": address.street,
                "street2": address.street2,
                "city": address.city,
                "state": address.state,
                "postal_code": address.postal_code,
                "country": address.country.upper(),
            },
            "terms_accepted_at": now.isoformat(),
        },
    )


@dataclass(frozen=True)
class ForwardingPhone:
    """A phone to forward calls to, as entered in the call-handling step."""

    phone_number: str
    type: str
    label: str = ""


def save_call_handling(wizard: Wizard, phones: list[ForwardingPhone], region: str) -> None:
    """Step 5: forwarding phones (may be skipped with an empty list)."""
    problems = []
    if len(phones) > MAX_FORWARDING_NUMBERS:
        problems.append(
            FieldProblem("forwardingNumbers", N_("At most 10 forwarding numbers per extension"))
        )
    checked = []
    for index, phone in enumerate(phones):
        if phone.type not in FORWARDING_TYPES:
            problems.append(
                FieldProblem(f"forwardingNumbers[{index}].type", N_("Unknown phone type"))
            )
        try:
            e164 = to_e164(phone.phone_number, region)
        except PhoneNumberError as error:
            problems.append(FieldProblem(f"forwardingNumbers[{index}].phoneNumber", str(error)))
            continue
        checked.append(
            {"phone_number": e164, "type": phone.type, "label": phone.label or phone.type}
        )
    if problems:
        raise InvalidInput(problems)
    _record(wizard, "call_handling", {"forwarding": checked})


def greeting_problems(file_name: str, data: bytes) -> list[FieldProblem]:
    """ACC-2 accepts .mp3 or .wav files; check the name, the size and the content."""
    suffix = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix not in GREETING_FORMATS:
        return [FieldProblem("greeting", N_("Upload a .mp3 or .wav file"))]
    if not data:
        return [FieldProblem("greeting", N_("The file is empty"))]
    if len(data) > GREETING_MAX_BYTES:
        return [FieldProblem("greeting", N_("The file is larger than 10 MB"))]
    is_wav = data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    is_mp3 = data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)
    if (suffix == ".wav" and not is_wav) or (suffix == ".mp3" and not is_mp3):
        return [FieldProblem("greeting", f"The file is not a valid {suffix[1:].upper()} recording")]
    return []


def save_greeting(
    runtime: Runtime, wizard: Wizard, *, keep_default: bool, file_name: str = "", data: bytes = b""
) -> None:
    """Step 6: keep the default voicemail greeting, or upload a custom one, converted now
    to what the media engine plays (blocks while ffmpeg runs: a worker thread calls it)."""
    if keep_default:
        _record(wizard, "greeting", {"greeting": {"mode": "default"}})
        return
    problems = greeting_problems(file_name, data)
    if problems:
        raise InvalidInput(problems)
    try:
        converted = convert_upload(data)
    except AudioConversionError as error:
        raise InvalidInput([FieldProblem("greeting", error.message)]) from error
    key = runtime.blobs.put(greetings.FOLDER, converted.wav, ".wav")
    _record(
        wizard,
        "greeting",
        {"greeting": {"mode": "custom", "blob_key": key, "file_name": file_name}},
    )


def finish(session: Session, wizard: Wizard, now: datetime) -> Extension:
    """Step 7: write everything at once, enable the extension and spend the link."""
    if not all(step in wizard.done for step in STEPS[:-1]):
        raise WizardOrderError(f"Complete the step '{wizard.current_step}' first")
    draft = wizard.draft
    extension = wizard.extension
    user = extension.user
    assert user is not None
    user.password_hash = draft["password_hash"]
    user.pin_hash = draft["pin_hash"]
    user.security_question = draft["security_question"]
    user.security_answer_hash = draft["security_answer_hash"]
    user.first_name = draft["first_name"]
    user.last_name = draft["last_name"]
    users.check_email_free(session, draft["email"], except_extension_id=extension.id)
    extension.email = draft["email"]
    extension.name = user.full_name
    extension.home_country = draft["home_country"]
    extension.time_format = draft["time_format"]
    extension.time_zone = draft["time_zone"]
    address = devices.save_emergency_address(
        session,
        extension.account_id,
        devices.EmergencyAddressInput(**draft["emergency"]),
        existing=None,
        terms_accepted_at=datetime.fromisoformat(draft["terms_accepted_at"]),
    )
    for device in session.query(Device).filter(
        Device.account_id == extension.account_id, Device.extension_id == extension.id
    ):
        device.emergency_address_id = address.id
    for position, phone in enumerate(draft["forwarding"]):
        session.add(
            ForwardingNumber(
                account_id=extension.account_id,
                extension_id=extension.id,
                phone_number=phone["phone_number"],
                label=phone["label"],
                type=phone["type"],
                position=position,
            )
        )
    greeting = draft["greeting"]
    if greeting["mode"] == "custom":
        greetings.keep_custom_greeting(
            session,
            extension.account_id,
            extension.id,
            GreetingType.VOICEMAIL,
            greeting["blob_key"],
            greeting["file_name"],
        )
    user.activated_at = now
    user.password_changed_at = now
    extension.status = ExtensionStatus.ENABLED.value
    wizard.link.used_at = now
    return extension
