"""The demo company, from the user guide's own example: "Demo Company" with Hank Hillos,
Joe Hall and Dulcinea Dunn, a call queue, a message-only extension, the auto-receptionist,
a desk phone and a softphone per user, and an OAuth app for the SDK. Each user's hours are
Monday to Friday, 09:00-17:00 in their time zone; their calls ring the desk phone, then
the softphone, then go to voicemail, in and out of hours."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.accounts import company, devices, users
from telephonist.accounts.extensions import add_extension
from telephonist.answering import hours, rules
from telephonist.domain.answering.schedule import WORKDAYS, TimeInterval, WeeklySchedule
from telephonist.domain.credentials import SecurityQuestion
from telephonist.domain.extensions import ExtensionType
from telephonist.identity import apps, credentials
from telephonist.store.accounts import Account
from telephonist.store.base import utcnow
from telephonist.store.extensions import Extension

COMPANY_NAME = "Demo Company"
COMPANY_NUMBER = "+14092402583"
PASSWORD = "Welcome#2026"  # noqa: S105 - the demo credentials are public (README)
PIN = "591738"
SECURITY_ANSWER = "Sparky"
LANGUAGE = "fr-FR"
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-secret"  # noqa: S105 - public demo app secret (README)


@dataclass(frozen=True)
class DemoUser:
    first_name: str
    last_name: str
    extension: str
    direct_number: str
    role: str

    @property
    def email(self) -> str:
        return f"{self.first_name.lower()}.{self.last_name.lower()}@demo.example"


USERS = (
    DemoUser("Hank", "Hillos", "11101", "+13039688766", "Super Admin"),
    DemoUser("Joe", "Hall", "11102", "+14092090429", "Standard"),
    DemoUser("Dulcinea", "Dunn", "11103", "+14092402117", "Standard"),
)

USER_HOURS = WeeklySchedule.every_day(TimeInterval.parse("09:00", "17:00"), days=WORKDAYS)

OFFICE_ADDRESS = devices.EmergencyAddressInput(
    customer_name=COMPANY_NAME,
    street="20 Davis Dr",
    city="Belmont",
    state="CA",
    postal_code="94002",
    country="US",
)


def database_is_empty(session: Session) -> bool:
    return session.scalar(select(Account.id).limit(1)) is None


def load_demo(session: Session) -> Account:
    """Create the demo company in ``session`` (the caller commits)."""
    now = utcnow()
    account = company.create_account(
        session,
        company_name=COMPANY_NAME,
        main_number=COMPANY_NUMBER,
        home_country="US",
        time_zone="America/Chicago",
        language=LANGUAGE,
    )
    address = devices.save_emergency_address(
        session, account.id, OFFICE_ADDRESS, existing=None, terms_accepted_at=now
    )
    extensions: list[Extension] = []
    for person in USERS:
        extension = users.add_user(
            session,
            account.id,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            extension_number=person.extension,
            role_name=person.role,
            direct_number=person.direct_number,
            language=LANGUAGE,
        )
        _activate(session, extension)
        _replace_devices(session, extension, address.id)
        _answering_rules(session, extension)
        extensions.append(extension)
    account.operator_extension_id = extensions[0].id
    main_site = company.main_site(session, account.id).id
    for extension_type, number, name in (
        (ExtensionType.CALL_QUEUE, "11001", "Call Queue Test"),
        (ExtensionType.MESSAGE_ONLY, "11011", "Message-only Ext"),
        (ExtensionType.AUTO_RECEPTIONIST, "12000", "Office"),
    ):
        add_extension(
            session,
            account.id,
            extension_type=extension_type,
            number=number,
            name=name,
            site_id=main_site,
        )
    apps.create_app(
        session,
        account.id,
        name="Demo integration",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        publisher=COMPANY_NAME,
    )
    session.flush()
    return account


def _activate(session: Session, extension: Extension) -> None:
    """The demo users are ready to sign in: credentials set, extension enabled."""
    user = extension.user
    assert user is not None
    facts = users.account_facts(session, extension)
    moment = utcnow()
    credentials.set_password(user, PASSWORD, facts, moment)
    credentials.set_pin(user, PIN, facts)
    credentials.set_security_question(
        user, SecurityQuestion.CHILDHOOD_NICKNAME.value, SECURITY_ANSWER
    )
    user.activated_at = moment
    extension.status = "Enabled"


def _replace_devices(session: Session, extension: Extension, address_id: int) -> None:
    """Each demo user gets a desk phone (SIP user = extension) and a softphone (extension + s)."""
    for device in devices.list_devices(session, extension.account_id, extension.id):
        session.delete(device)
    session.flush()
    for kind, name, model, username in (
        ("HardPhone", "Desk Phone", "Polycom VVX 450", extension.number),
        ("SoftPhone", "Softphone", "", f"{extension.number}s"),
    ):
        devices.add_device(
            session,
            extension.account_id,
            extension.id,
            kind=kind,
            name=name,
            model=model,
            sip_username=username,
            sip_password=f"sip{username}demo",
            emergency_address_id=address_id,
        )


def _answering_rules(session: Session, extension: Extension) -> None:
    """User hours Monday to Friday 09:00-17:00; both rules ring the desk phone, then the
    softphone, then take a message (the rules' defaults, saved as the user's own)."""
    hours.set_user_hours(session, extension.account_id, extension.id, USER_HOURS)
    for rule_id in (rules.BUSINESS_HOURS_RULE_ID, rules.AFTER_HOURS_RULE_ID):
        rule = rules.get_rule(session, extension.account_id, extension.id, rule_id)
        rules.update_rule(session, extension.account_id, extension.id, rule_id, rule)
