"""device status comes from registrations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 19:50:10.255434
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("status")


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.VARCHAR(length=20), nullable=False, server_default="Offline")
        )
