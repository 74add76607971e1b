"""hold music choice of an extension (GS-5)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 23:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answering_settings") as table:
        table.add_column(sa.Column("hold_music", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("answering_settings") as table:
        table.drop_column("hold_music")
