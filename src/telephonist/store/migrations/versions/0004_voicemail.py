"""voicemail messages

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import telephonist.store.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voicemail_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("from_number", sa.String(length=40), nullable=False),
        sa.Column("from_name", sa.String(length=200), nullable=False),
        sa.Column("from_extension", sa.String(length=5), nullable=False),
        sa.Column("to_number", sa.String(length=40), nullable=False),
        sa.Column("to_name", sa.String(length=200), nullable=False),
        sa.Column("to_extension", sa.String(length=5), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "last_modified", telephonist.store.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("read_status", sa.String(length=10), nullable=False),
        sa.Column("availability", sa.String(length=10), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("blob_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("transcription_status", sa.String(length=20), nullable=False),
        sa.Column("recording", sa.String(length=12), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_voicemail_messages_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_voicemail_messages_extension_id_extensions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voicemail_messages")),
    )
    with op.batch_alter_table("voicemail_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voicemail_messages_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            "ix_voicemail_messages_extension_created",
            ["extension_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_voicemail_messages_recording"), ["recording"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("voicemail_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voicemail_messages_recording"))
        batch_op.drop_index("ix_voicemail_messages_extension_created")
        batch_op.drop_index(batch_op.f("ix_voicemail_messages_account_id"))

    op.drop_table("voicemail_messages")
