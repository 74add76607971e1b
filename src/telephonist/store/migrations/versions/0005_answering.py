"""answering rules, hours, presence, blocking; devices as forwarding numbers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import telephonist.store.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_DEVICE_TYPES = {
    "HardPhone": "PhoneLine",
    "SoftPhone": "PhoneLine",
    "WebPhone": "ExtensionApps",
    "OtherPhone": "Other",
}


def upgrade() -> None:
    op.create_table(
        "account_answering_settings",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("company_hours", sa.JSON(), nullable=False),
        sa.Column("max_message_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_answering_settings_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_answering_settings")),
    )
    op.create_table(
        "robocall_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone_number", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_robocall_numbers_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_robocall_numbers")),
        sa.UniqueConstraint(
            "account_id", "phone_number", name=op.f("uq_robocall_numbers_account_id")
        ),
    )
    with op.batch_alter_table("robocall_numbers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_robocall_numbers_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "answering_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_answering_rules_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_answering_rules_extension_id_extensions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answering_rules")),
    )
    with op.batch_alter_table("answering_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answering_rules_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_answering_rules_extension_id"), ["extension_id"], unique=False
        )
        batch_op.create_index(
            "uq_answering_rules_default",
            ["extension_id", "type"],
            unique=True,
            sqlite_where=sa.text("type != 'Custom'"),
            postgresql_where=sa.text("type != 'Custom'"),
        )

    op.create_table(
        "caller_blocking_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("phone_number", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_caller_blocking_numbers_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_caller_blocking_numbers_extension_id_extensions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caller_blocking_numbers")),
        sa.UniqueConstraint(
            "extension_id", "phone_number", name=op.f("uq_caller_blocking_numbers_extension_id")
        ),
    )
    with op.batch_alter_table("caller_blocking_numbers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_caller_blocking_numbers_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_caller_blocking_numbers_extension_id"), ["extension_id"], unique=False
        )

    op.create_table(
        "answering_settings",
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("user_hours", sa.JSON(), nullable=False),
        sa.Column("dnd_status", sa.String(length=30), nullable=False),
        sa.Column("user_status", sa.String(length=10), nullable=False),
        sa.Column("status_message", sa.String(length=200), nullable=False),
        sa.Column("allow_see_my_presence", sa.Boolean(), nullable=False),
        sa.Column("ring_on_monitored_call", sa.Boolean(), nullable=False),
        sa.Column("pick_up_calls_on_hold", sa.Boolean(), nullable=False),
        sa.Column("incoming_call_info", sa.JSON(), nullable=False),
        sa.Column("block_mode", sa.String(length=10), nullable=False),
        sa.Column("no_caller_id", sa.String(length=20), nullable=False),
        sa.Column("pay_phones_blocked", sa.Boolean(), nullable=False),
        sa.Column("robocalls", sa.String(length=30), nullable=False),
        sa.Column("blocked_greeting_id", sa.Integer(), nullable=True),
        sa.Column("pay_phone_greeting_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_answering_settings_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocked_greeting_id"],
            ["greetings.id"],
            name=op.f("fk_answering_settings_blocked_greeting_id_greetings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_answering_settings_extension_id_extensions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pay_phone_greeting_id"],
            ["greetings.id"],
            name=op.f("fk_answering_settings_pay_phone_greeting_id_greetings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("extension_id", name=op.f("pk_answering_settings")),
    )
    with op.batch_alter_table("answering_settings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answering_settings_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("forwarding_numbers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("target_extension_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_forwarding_numbers_device_id"), ["device_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_forwarding_numbers_device_id_devices"),
            "devices",
            ["device_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_forwarding_numbers_target_extension_id_extensions"),
            "extensions",
            ["target_extension_id"],
            ["id"],
            ondelete="CASCADE",
        )
    _devices_become_forwarding_numbers()


def _devices_become_forwarding_numbers() -> None:
    """Every device of an extension is one of its forwarding numbers from now on."""
    devices = sa.table(
        "devices",
        sa.column("id", sa.Integer),
        sa.column("account_id", sa.Integer),
        sa.column("extension_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("name", sa.String),
        sa.column("external_number", sa.String),
    )
    numbers = sa.table(
        "forwarding_numbers",
        sa.column("account_id", sa.Integer),
        sa.column("extension_id", sa.Integer),
        sa.column("phone_number", sa.String),
        sa.column("label", sa.String),
        sa.column("type", sa.String),
        sa.column("position", sa.Integer),
        sa.column("device_id", sa.Integer),
        sa.column("target_extension_id", sa.Integer),
        sa.column("created_at", telephonist.store.base.UtcDateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(devices).where(devices.c.extension_id.is_not(None)).order_by(devices.c.id)
    ).all()
    now = telephonist.store.base.utcnow()
    for device in rows:
        kind = _DEVICE_TYPES.get(device.kind, "PhoneLine")
        bind.execute(
            numbers.insert().values(
                account_id=device.account_id,
                extension_id=device.extension_id,
                phone_number=(device.external_number or "") if kind == "Other" else "",
                label=device.name[:100],
                type=kind,
                position=0,
                device_id=device.id,
                target_extension_id=device.extension_id if kind == "ExtensionApps" else None,
                created_at=now,
            )
        )


def downgrade() -> None:
    op.execute("DELETE FROM forwarding_numbers WHERE device_id IS NOT NULL")
    with op.batch_alter_table("forwarding_numbers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_forwarding_numbers_target_extension_id_extensions"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_forwarding_numbers_device_id_devices"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_forwarding_numbers_device_id"))
        batch_op.drop_column("target_extension_id")
        batch_op.drop_column("device_id")

    with op.batch_alter_table("answering_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answering_settings_account_id"))

    op.drop_table("answering_settings")
    with op.batch_alter_table("caller_blocking_numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_caller_blocking_numbers_extension_id"))
        batch_op.drop_index(batch_op.f("ix_caller_blocking_numbers_account_id"))

    op.drop_table("caller_blocking_numbers")
    with op.batch_alter_table("answering_rules", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_answering_rules_default",
            sqlite_where=sa.text("type != 'Custom'"),
            postgresql_where=sa.text("type != 'Custom'"),
        )
        batch_op.drop_index(batch_op.f("ix_answering_rules_extension_id"))
        batch_op.drop_index(batch_op.f("ix_answering_rules_account_id"))

    op.drop_table("answering_rules")
    with op.batch_alter_table("robocall_numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_robocall_numbers_account_id"))

    op.drop_table("robocall_numbers")
    op.drop_table("account_answering_settings")
