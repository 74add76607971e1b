"""The service layer on a migrated SQLite database holding the demo company: rules,
hours, forwarding numbers and blocking saved through the services come back from
``load_extension_settings`` as the pure model, and ``route()`` makes the plan the guide
describes; devices are forwarding numbers by themselves; every change lands in a table
that invalidates cached settings; devices already there when the migration runs become
forwarding numbers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from telephonist.accounts import devices
from telephonist.accounts.extensions import find_by_number
from telephonist.answering import blocking, forwarding, greetings, hours, presence, rules, settings
from telephonist.answering.codec import GreetingType
from telephonist.demo import load_demo
from telephonist.domain.answering.model import (
    AnsweringRule,
    CallerCondition,
    CallHandlingAction,
    DndStatus,
    Forwarding,
    ForwardingEntry,
    ForwardingNumberType,
    IncomingCall,
    RingingMode,
    RuleType,
)
from telephonist.domain.answering.plan import (
    Disconnect,
    ForwardTo,
    PlanReason,
    Ring,
    TakeMessage,
)
from telephonist.domain.answering.preview import describe
from telephonist.domain.answering.route import route
from telephonist.domain.answering.schedule import RuleSchedule, TimeInterval, WeeklySchedule
from telephonist.domain.answering.targets import RingTargetKind
from telephonist.errors import InvalidInput
from telephonist.i18n import gettext_for
from telephonist.media.convert import wav_bytes
from telephonist.store.blobs import BlobStore
from telephonist.store.database import Database, alembic_config

MONDAY_10 = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
"""10:00 in Chicago (the demo company's time zone), inside user hours."""
SATURDAY_10 = datetime(2026, 6, 6, 15, 0, tzinfo=UTC)
STRANGER = "+12125550100"
DULCINEA_NUMBER = "+14092402117"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("answering-demo") / "telephonist.db"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    with database.transaction() as session:
        load_demo(session)
    database.dispose()
    return path


@pytest.fixture
def database(tmp_path: Path, demo_template: Path) -> Iterator[Database]:
    shutil.copyfile(demo_template, tmp_path / "telephonist.db")
    database = Database(f"sqlite:///{tmp_path / 'telephonist.db'}")
    yield database
    database.dispose()


def dulcinea(session: Session) -> tuple[int, int]:
    account_id = session.scalar(text("SELECT id FROM accounts"))
    assert isinstance(account_id, int)
    extension = find_by_number(session, account_id, "11103")
    assert extension is not None
    return account_id, extension.id


def labels(step: object) -> list[str]:
    assert isinstance(step, Ring)
    return [target.label for target in step.targets]


def test_the_demo_user_rings_desk_phone_then_softphone_then_voicemail(database: Database) -> None:
    with database.transaction() as session:
        account_id, extension_id = dulcinea(session)
        loaded = settings.load_extension_settings(session, account_id, extension_id)
    assert (loaded.extension_number, loaded.name, loaded.time_zone) == (
        "11103",
        "Dulcinea Dunn",
        "America/Chicago",
    )
    assert [device.name for device in loaded.devices] == ["Desk Phone", "Softphone"]
    assert loaded.max_message_seconds == 180
    assert not loaded.is_admin
    assert "11101" in loaded.contact_numbers and DULCINEA_NUMBER in loaded.contact_numbers
    plan = route(IncomingCall(STRANGER, DULCINEA_NUMBER), loaded, MONDAY_10)
    assert plan.reason is PlanReason.USER_HOURS
    ring_desk, ring_softphone, message = plan.steps
    assert (labels(ring_desk), labels(ring_softphone)) == (["Desk Phone"], ["Softphone"])
    assert isinstance(ring_desk, Ring) and ring_desk.seconds == 20
    assert isinstance(message, TakeMessage)
    assert (message.recipient_extension_id, message.max_seconds) == (str(extension_id), 180)
    assert message.greeting.custom_greeting_id is None
    evening = route(IncomingCall(STRANGER, DULCINEA_NUMBER), loaded, SATURDAY_10)
    assert evening.reason is PlanReason.AFTER_HOURS
    assert [type(step) for step in evening.steps] == [Ring, Ring, TakeMessage]
    french = describe(evening, gettext_for("fr").gettext)
    assert french[0].startswith("Samedi 10:00")


def test_saved_rules_come_back_as_the_router_reads_them(database: Database) -> None:
    with database.transaction() as session:
        account_id, extension_id = dulcinea(session)
        mobile = forwarding.add_forwarding_number(
            session,
            account_id,
            extension_id,
            forwarding.ForwardingNumberInput(ForwardingNumberType.MOBILE, "(650) 555-5078"),
        )
        phones = forwarding.list_forwarding_numbers(session, account_id, extension_id)
        desk, softphone = phones[0], phones[1]
        mornings = WeeklySchedule.every_day(TimeInterval.parse("08:00", "12:00"))
        rule = AnsweringRule(
            "new",
            RuleType.CUSTOM,
            "Boss in the morning",
            callers=(CallerCondition("+1 312", "Chicago"),),
            schedule=RuleSchedule(weekly=mornings),
            forwarding=Forwarding(
                RingingMode.SEQUENTIALLY,
                (
                    ForwardingEntry(1, (desk, softphone), ring_count=2),
                    ForwardingEntry(2, (mobile,), ring_count=3),
                ),
            ),
        )
        created = rules.create_custom_rule(session, account_id, extension_id, rule)
        assert created.id.isdigit()
        away = rules.get_rule(session, account_id, extension_id, rules.AFTER_HOURS_RULE_ID)
        rules.update_rule(
            session,
            account_id,
            extension_id,
            away.id,
            replace(
                away,
                action=CallHandlingAction.UNCONDITIONAL_FORWARDING,
                unconditional_forwarding_number="(650) 555-1234",
            ),
        )
        loaded = settings.load_extension_settings(session, account_id, extension_id)
    assert [r.name for r in loaded.custom_rules] == ["Boss in the morning"]
    assert loaded.custom_rules[0].callers == rule.callers
    assert mobile in loaded.forwarding_numbers
    boss = route(IncomingCall("+13125550100", DULCINEA_NUMBER), loaded, MONDAY_10)
    assert (boss.reason, boss.rule and boss.rule.id) == (PlanReason.CUSTOM_RULE, created.id)
    group, outside, message = boss.steps
    assert labels(group) == ["Desk Phone", "Softphone"]
    assert isinstance(group, Ring) and group.seconds == 10
    assert isinstance(outside, Ring) and outside.targets[0].kind is RingTargetKind.OUTSIDE_NUMBER
    assert outside.targets[0].value == "+16505555078"
    assert isinstance(message, TakeMessage)
    stranger = route(IncomingCall(STRANGER, DULCINEA_NUMBER), loaded, MONDAY_10)
    assert stranger.reason is PlanReason.USER_HOURS
    weekend = route(IncomingCall(STRANGER, DULCINEA_NUMBER), loaded, SATURDAY_10)
    assert weekend.steps == (ForwardTo("+16505551234"),)


def test_blocking_dnd_and_message_length_reach_the_plan(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        account_id, extension_id = dulcinea(session)
        blocking.block_number(session, account_id, extension_id, STRANGER, "Spam")
        again = blocking.block_number(session, account_id, extension_id, STRANGER)
        assert again.label == "Spam"
        settings.set_max_message_seconds(session, account_id, 60)
        loaded = settings.load_extension_settings(session, account_id, extension_id)
        blocked = route(IncomingCall(STRANGER, DULCINEA_NUMBER), loaded, MONDAY_10)
        assert blocked.reason is PlanReason.BLOCKED_NUMBER
        assert isinstance(blocked.final_step, Disconnect)
        presence.set_dnd(session, account_id, extension_id, DndStatus.DO_NOT_ACCEPT_ANY_CALLS)
        greeting_id = greetings.save_custom_greeting(
            session,
            BlobStore(tmp_path / "blobs"),
            account_id,
            extension_id,
            GreetingType.VOICEMAIL,
            wav_bytes(b"\x00\x10" * 8000),
            "recorded by phone",
        )
        loaded = settings.load_extension_settings(session, account_id, extension_id)
    plan = route(IncomingCall("+13125550100", DULCINEA_NUMBER), loaded, MONDAY_10)
    assert plan.reason is PlanReason.DND_NO_CALLS
    (message,) = plan.steps
    assert isinstance(message, TakeMessage) and message.max_seconds == 60
    assert message.greeting.custom_greeting_id == greeting_id


def test_bad_references_are_refused_naming_the_field(database: Database) -> None:
    with database.transaction() as session:
        account_id, extension_id = dulcinea(session)
        hank = find_by_number(session, account_id, "11101")
        assert hank is not None
        hanks_phone = forwarding.list_forwarding_numbers(session, account_id, hank.id)[0]
        rule = AnsweringRule(
            "new",
            RuleType.CUSTOM,
            "Wrong phone",
            forwarding=Forwarding(entries=(ForwardingEntry(1, (hanks_phone,)),)),
            called_numbers=("+13039688766",),
        )
        with pytest.raises(InvalidInput) as raised:
            rules.create_custom_rule(session, account_id, extension_id, rule)
    fields = [problem.field for problem in raised.value.problems]
    assert fields == ["forwarding.rules.forwardingNumbers.id", "calledNumbers.phoneNumber"]


def test_devices_are_forwarding_numbers_wherever_they_go(database: Database) -> None:
    with database.transaction() as session:
        account_id, extension_id = dulcinea(session)
        joe = find_by_number(session, account_id, "11102")
        assert joe is not None
        web = devices.add_device(session, account_id, extension_id, kind="WebPhone", name="Browser")
        mobile = devices.add_device(
            session,
            account_id,
            extension_id,
            kind="OtherPhone",
            name="Existing phone",
            external_number="+16505550142",
        )
        mine = {
            n.label: n
            for n in forwarding.list_forwarding_numbers(session, account_id, extension_id)
        }
        assert mine["Browser"].type is ForwardingNumberType.EXTENSION_APPS
        assert mine["Browser"].extension_id == str(extension_id)
        assert (mine["Existing phone"].type, mine["Existing phone"].phone_number) == (
            ForwardingNumberType.OTHER,
            "+16505550142",
        )
        web.extension_id = joe.id
        session.flush()
        assert "Browser" not in {
            n.label for n in forwarding.list_forwarding_numbers(session, account_id, extension_id)
        }
        assert "Browser" in {
            n.label for n in forwarding.list_forwarding_numbers(session, account_id, joe.id)
        }
        session.delete(mobile)
        session.flush()
        assert "Existing phone" not in {
            n.label for n in forwarding.list_forwarding_numbers(session, account_id, extension_id)
        }


def test_every_change_invalidates_cached_settings(database: Database, tmp_path: Path) -> None:
    touched: list[frozenset[str]] = []
    database.on_commit(touched.append)
    blobs = BlobStore(tmp_path / "blobs")
    changes = [
        lambda s, a, e: hours.set_user_hours(s, a, e, WeeklySchedule()),
        lambda s, a, e: rules.update_rule(
            s, a, e, rules.AFTER_HOURS_RULE_ID, rules.get_rule(s, a, e, rules.AFTER_HOURS_RULE_ID)
        ),
        lambda s, a, e: forwarding.add_forwarding_number(
            s, a, e, forwarding.ForwardingNumberInput(ForwardingNumberType.HOME, "+16505551111")
        ),
        lambda s, a, e: blocking.add_number(s, a, e, "+18005550000"),
        lambda s, a, e: blocking.update_blocking(
            s, a, e, blocking.BlockingChange(pay_phones_blocked=True)
        ),
        lambda s, a, e: presence.set_dnd(s, a, e, DndStatus.DO_NOT_ACCEPT_DEPARTMENT_CALLS),
        lambda s, a, e: settings.set_max_message_seconds(s, a, 120),
        lambda s, a, e: greetings.save_custom_greeting(
            s, blobs, a, e, GreetingType.INTRODUCTORY, wav_bytes(b"\x00\x10" * 800), "hi"
        ),
        lambda s, a, e: blocking.add_robocall_number(s, a, "+1900"),
    ]
    for change in changes:
        with database.transaction() as session:
            change(session, *dulcinea(session))
    assert len(touched) == len(changes)
    for tables in touched:
        assert tables and tables <= settings.SETTINGS_TABLES, tables


def test_the_migration_makes_existing_devices_forwarding_numbers(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(database.engine)
    command.upgrade(config, "0004")
    with database.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO accounts (id, company_name, status, email_sign_in, google_sign_in,"
                 " home_country, time_zone, language, time_format, created_at)"
                 " VALUES (1, 'Old', 'Confirmed', 1, 0, 'US', 'UTC', 'en-US', '12h', '2026-01-01')")
        )  # fmt: skip
        connection.execute(
            text("INSERT INTO extensions (id, account_id, number, type, name, status, created_at)"
                 " VALUES (7, 1, '101', 'User', 'Old User', 'Enabled', '2026-01-01')")
        )  # fmt: skip
        for device_id, kind, number in ((3, "HardPhone", None), (4, "OtherPhone", "+16505550100")):
            connection.execute(
                text("INSERT INTO devices (id, account_id, extension_id, kind, name, model, serial,"
                     " external_number, default_area_code, bandwidth, hd_voice, expansion_modules,"
                     " created_at) VALUES (:id, 1, 7, :kind, :kind, '', '', :number, '', 'High', 0,"
                     " 0, '2026-01-01')"),
                {"id": device_id, "kind": kind, "number": number},
            )  # fmt: skip
    command.upgrade(config, "head")
    with database.transaction() as session:
        numbers = forwarding.list_forwarding_numbers(session, 1, 7)
        rows = session.execute(
            select(text("device_id, type, phone_number")).select_from(text("forwarding_numbers"))
        ).all()
    database.dispose()
    assert sorted(tuple(row) for row in rows) == [
        (3, "PhoneLine", ""),
        (4, "Other", "+16505550100"),
    ]
    assert [(n.label, n.device_id) for n in numbers] == [("HardPhone", "3"), ("OtherPhone", "4")]


def test_custom_rules_are_tried_in_the_users_order(database: Database) -> None:
    with database.transaction() as session:
        account_id, extension_id = dulcinea(session)
        created = [
            rules.create_custom_rule(
                session,
                account_id,
                extension_id,
                AnsweringRule(
                    "new",
                    RuleType.CUSTOM,
                    name,
                    callers=(CallerCondition("+1312"),),
                    action=CallHandlingAction.TAKE_MESSAGES_ONLY,
                ),
            )
            for name in ("First", "Second")
        ]
        assert [
            r.name for r in rules.read_rules(session, account_id, extension_id).custom_rules
        ] == [
            "First",
            "Second",
        ]
        reordered = rules.reorder_custom_rules(
            session, account_id, extension_id, [created[1].id, created[0].id]
        )
        assert [r.name for r in reordered] == ["Second", "First"]
        loaded = settings.load_extension_settings(session, account_id, extension_id)
        plan = route(IncomingCall("+13125550100", DULCINEA_NUMBER), loaded, MONDAY_10)
        assert plan.rule is not None and plan.rule.name == "Second"
        with pytest.raises(InvalidInput):
            rules.reorder_custom_rules(session, account_id, extension_id, [created[0].id])
