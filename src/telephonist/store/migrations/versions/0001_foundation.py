"""foundation: accounts, extensions, devices, numbers, identity

Revision ID: 0001
Revises:
Create Date: 2026-11-27 19:13:15.419574
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import telephonist.store.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("operator_extension_id", sa.Integer(), nullable=True),
        sa.Column("email_sign_in", sa.Boolean(), nullable=False),
        sa.Column("google_sign_in", sa.Boolean(), nullable=False),
        sa.Column("home_country", sa.String(length=2), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("time_format", sa.String(length=3), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "emergency_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_name", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("street2", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column(
            "terms_accepted_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_emergency_addresses_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_addresses")),
    )
    with op.batch_alter_table("emergency_addresses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_emergency_addresses_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "oauth_apps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("publisher", sa.String(length=100), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("client_secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_oauth_apps_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_apps")),
        sa.UniqueConstraint("client_id", name=op.f("uq_oauth_apps_client_id")),
    )
    with op.batch_alter_table("oauth_apps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_apps_account_id"), ["account_id"], unique=False)

    op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_roles_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
        sa.UniqueConstraint("account_id", "name", name=op.f("uq_roles_account_id")),
    )
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roles_account_id"), ["account_id"], unique=False)

    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_main", sa.Boolean(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_sites_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("account_id", "name", name=op.f("uq_sites_account_id")),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sites_account_id"), ["account_id"], unique=False)

    op.create_table(
        "extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=5), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("home_country", sa.String(length=2), nullable=True),
        sa.Column("greeting_language", sa.String(length=8), nullable=True),
        sa.Column("user_language", sa.String(length=8), nullable=True),
        sa.Column("regional_format", sa.String(length=8), nullable=True),
        sa.Column("time_format", sa.String(length=3), nullable=True),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_extensions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_extensions_site_id_sites"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extensions")),
        sa.UniqueConstraint("account_id", "number", name=op.f("uq_extensions_account_id")),
    )
    with op.batch_alter_table("extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extensions_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            "uq_extensions_user_email",
            ["email"],
            unique=True,
            sqlite_where=sa.text("type = 'User' AND email IS NOT NULL"),
            postgresql_where=sa.text("type = 'User' AND email IS NOT NULL"),
        )

    # accounts and extensions point at each other: the operator link is added once both exist.
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_accounts_operator_extension_id_extensions"),
            "extensions",
            ["operator_extension_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "api_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=1000), nullable=False),
        sa.Column("access_token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "access_expires_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("refresh_token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "refresh_expires_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_api_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["oauth_apps.id"],
            name=op.f("fk_api_sessions_app_id_oauth_apps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_api_sessions_extension_id_extensions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_sessions")),
        sa.UniqueConstraint("access_token_hash", name=op.f("uq_api_sessions_access_token_hash")),
        sa.UniqueConstraint("refresh_token_hash", name=op.f("uq_api_sessions_refresh_token_hash")),
    )
    with op.batch_alter_table("api_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_sessions_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("serial", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sip_username", sa.String(length=64), nullable=True),
        sa.Column("sip_password", sa.String(length=128), nullable=True),
        sa.Column("external_number", sa.String(length=20), nullable=True),
        sa.Column("emergency_address_id", sa.Integer(), nullable=True),
        sa.Column("default_area_code", sa.String(length=5), nullable=False),
        sa.Column("bandwidth", sa.String(length=10), nullable=False),
        sa.Column("hd_voice", sa.Boolean(), nullable=False),
        sa.Column("expansion_modules", sa.Integer(), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_devices_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["emergency_address_id"],
            ["emergency_addresses.id"],
            name=op.f("fk_devices_emergency_address_id_emergency_addresses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_devices_extension_id_extensions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("sip_username", name=op.f("uq_devices_sip_username")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_extension_id"), ["extension_id"], unique=False)

    op.create_table(
        "forwarding_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("phone_number", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_forwarding_numbers_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_forwarding_numbers_extension_id_extensions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forwarding_numbers")),
    )
    with op.batch_alter_table("forwarding_numbers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forwarding_numbers_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_forwarding_numbers_extension_id"), ["extension_id"], unique=False
        )

    op.create_table(
        "greetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("blob_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_greetings_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_greetings_extension_id_extensions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_greetings")),
    )
    with op.batch_alter_table("greetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_greetings_account_id"), ["account_id"], unique=False)

    op.create_table(
        "jwt_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_jwt_credentials_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_jwt_credentials_extension_id_extensions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jwt_credentials")),
        sa.UniqueConstraint("jti", name=op.f("uq_jwt_credentials_jti")),
    )
    with op.batch_alter_table("jwt_credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jwt_credentials_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "one_time_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_one_time_links_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_one_time_links_extension_id_extensions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_one_time_links_token_hash")),
    )
    with op.batch_alter_table("one_time_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_one_time_links_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "phone_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("e164", sa.String(length=20), nullable=False),
        sa.Column("usage", sa.String(length=30), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("caller_id", sa.Boolean(), nullable=False),
        sa.Column("sms", sa.Boolean(), nullable=False),
        sa.Column("fax", sa.Boolean(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_phone_numbers_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_phone_numbers_extension_id_extensions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_numbers")),
        sa.UniqueConstraint("e164", name=op.f("uq_phone_numbers_e164")),
    )
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_phone_numbers_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_phone_numbers_extension_id"), ["extension_id"], unique=False
        )

    op.create_table(
        "portal_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("created_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_portal_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_portal_sessions_extension_id_extensions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_portal_sessions")),
    )
    with op.batch_alter_table("portal_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_sessions_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "user_profiles",
        sa.Column("extension_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("job_title", sa.String(length=100), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("mobile_phone", sa.String(length=20), nullable=False),
        sa.Column("pronounced_name", sa.String(length=200), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("pin_hash", sa.String(length=200), nullable=True),
        sa.Column("security_question", sa.String(length=40), nullable=True),
        sa.Column("security_answer_hash", sa.String(length=200), nullable=True),
        sa.Column("marketing_opt_in", sa.Boolean(), nullable=False),
        sa.Column("notify_on_phone_added", sa.Boolean(), nullable=False),
        sa.Column("confirmation_message_seconds", sa.Integer(), nullable=False),
        sa.Column("video_service", sa.String(length=20), nullable=False),
        sa.Column("user_hours", sa.JSON(), nullable=True),
        sa.Column("activated_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "password_changed_at", telephonist.store.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_user_profiles_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["extension_id"],
            ["extensions.id"],
            name=op.f("fk_user_profiles_extension_id_extensions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("fk_user_profiles_role_id_roles")
        ),
        sa.PrimaryKeyConstraint("extension_id", name=op.f("pk_user_profiles")),
    )
    with op.batch_alter_table("user_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_profiles_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("user_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_profiles_account_id"))

    op.drop_table("user_profiles")
    with op.batch_alter_table("portal_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_sessions_account_id"))

    op.drop_table("portal_sessions")
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_numbers_extension_id"))
        batch_op.drop_index(batch_op.f("ix_phone_numbers_account_id"))

    op.drop_table("phone_numbers")
    with op.batch_alter_table("one_time_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_time_links_account_id"))

    op.drop_table("one_time_links")
    with op.batch_alter_table("jwt_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jwt_credentials_account_id"))

    op.drop_table("jwt_credentials")
    with op.batch_alter_table("greetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_greetings_account_id"))

    op.drop_table("greetings")
    with op.batch_alter_table("forwarding_numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forwarding_numbers_extension_id"))
        batch_op.drop_index(batch_op.f("ix_forwarding_numbers_account_id"))

    op.drop_table("forwarding_numbers")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_extension_id"))
        batch_op.drop_index(batch_op.f("ix_devices_account_id"))

    op.drop_table("devices")
    with op.batch_alter_table("api_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_sessions_account_id"))

    op.drop_table("api_sessions")
    with op.batch_alter_table("extensions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_extensions_user_email",
            sqlite_where=sa.text("type = 'User' AND email IS NOT NULL"),
            postgresql_where=sa.text("type = 'User' AND email IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_extensions_account_id"))

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_accounts_operator_extension_id_extensions"), type_="foreignkey"
        )
    op.drop_table("extensions")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_account_id"))

    op.drop_table("sites")
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roles_account_id"))

    op.drop_table("roles")
    with op.batch_alter_table("oauth_apps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_apps_account_id"))

    op.drop_table("oauth_apps")
    with op.batch_alter_table("emergency_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_addresses_account_id"))

    op.drop_table("emergency_addresses")
    op.drop_table("accounts")
