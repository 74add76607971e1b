"""telephony: registrations, trunks, call log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 19:40:42.997657
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import telephonist.store.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "active_calls",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("legs", sa.JSON(), nullable=False),
        sa.Column("started_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_active_calls_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_active_calls")),
    )
    with op.batch_alter_table("active_calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_active_calls_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "trunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("transport", sa.String(length=8), nullable=False),
        sa.Column("auth_mode", sa.String(length=20), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password", sa.String(length=128), nullable=False),
        sa.Column("allowed_addresses", sa.JSON(), nullable=False),
        sa.Column("number_format", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_trunks_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trunks")),
        sa.UniqueConstraint("account_id", "name", name=op.f("uq_trunks_account_id")),
    )
    with op.batch_alter_table("trunks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trunks_account_id"), ["account_id"], unique=False)

    op.create_table(
        "call_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("result", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("transport", sa.String(length=10), nullable=False),
        sa.Column("from_number", sa.String(length=40), nullable=False),
        sa.Column("from_name", sa.String(length=200), nullable=False),
        sa.Column("from_extension", sa.String(length=5), nullable=False),
        sa.Column("to_number", sa.String(length=40), nullable=False),
        sa.Column("to_name", sa.String(length=200), nullable=False),
        sa.Column("to_extension", sa.String(length=5), nullable=False),
        sa.Column("start_time", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("answer_time", telephonist.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_time", telephonist.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("in_progress", sa.Boolean(), nullable=False),
        sa.Column(
            "last_modified", telephonist.store.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_call_records_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_call_records_extension_id_extensions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_records")),
    )
    with op.batch_alter_table("call_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_records_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            "ix_call_records_extension_start", ["extension_id", "start_time"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_call_records_in_progress"), ["in_progress"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_call_records_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("contact", sa.String(length=500), nullable=False),
        sa.Column("received_host", sa.String(length=64), nullable=False),
        sa.Column("received_port", sa.Integer(), nullable=False),
        sa.Column("transport", sa.String(length=8), nullable=False),
        sa.Column("expires_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("call_id", sa.String(length=200), nullable=False),
        sa.Column("cseq", sa.Integer(), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("updated_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_registrations_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_registrations_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
        sa.UniqueConstraint("device_id", "contact", name=op.f("uq_registrations_device_id")),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registrations_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_registrations_device_id"), ["device_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registrations_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_expires_at"))
        batch_op.drop_index(batch_op.f("ix_registrations_device_id"))
        batch_op.drop_index(batch_op.f("ix_registrations_account_id"))

    op.drop_table("registrations")
    with op.batch_alter_table("call_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_records_session_id"))
        batch_op.drop_index(batch_op.f("ix_call_records_in_progress"))
        batch_op.drop_index("ix_call_records_extension_start")
        batch_op.drop_index(batch_op.f("ix_call_records_account_id"))

    op.drop_table("call_records")
    with op.batch_alter_table("trunks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trunks_account_id"))

    op.drop_table("trunks")
    with op.batch_alter_table("active_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_active_calls_account_id"))

    op.drop_table("active_calls")
