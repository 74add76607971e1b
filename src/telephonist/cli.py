"""The ``telephonist`` command: ``serve`` runs the system; ``admin`` does what an operator
needs without the portal. Every serve flag is also a TELEPHONIST_* variable and a key of
the optional TOML file given by --config (or TELEPHONIST_CONFIG)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from sqlalchemy import select

from telephonist.config import CONFIG_FILE_ENV, Settings, load_settings
from telephonist.errors import ServiceError


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    config = ctx.obj.get("config") if ctx.obj else None
    if config:
        os.environ[CONFIG_FILE_ENV] = str(config)
    try:
        return load_settings(**overrides)
    except ValidationError as error:
        raise click.UsageError(str(error)) from error


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML settings file.",
)
@click.pass_context
def main(ctx: click.Context, config: Path | None) -> None:
    """Telephonist: a self-hosted business phone system."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


@main.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where data lives (default ./var).",
)
@click.option("--http-port", type=int, help="Portal and REST API port (default 8080).")
@click.option("--http-host", help="Address to listen on for HTTP (default 127.0.0.1).")
@click.option("--sip-port", type=int, help="SIP port (default 5060).")
@click.option("--database-url", help="SQLAlchemy URL; default SQLite in the data dir.")
@click.option(
    "--demo/--no-demo", default=None, help="Load the demo company when the database is empty."
)
@click.pass_context
def serve(ctx: click.Context, /, **options: Any) -> None:
    """Run the portal, the REST API and the phone system."""
    from telephonist.server import run

    run(_settings(ctx, **options))


@main.group()
@click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), help="Data dir (default ./var)."
)
@click.option("--database-url", help="SQLAlchemy URL; default SQLite in the data dir.")
@click.pass_context
def admin(ctx: click.Context, data_dir: Path | None, database_url: str | None) -> None:
    """Operator commands that work without the portal."""
    ctx.obj["settings"] = _settings(ctx, data_dir=data_dir, database_url=database_url)


def _with_runtime(ctx: click.Context, work: Callable[..., Any]) -> Any:
    """Run ``work(runtime, session)`` in one transaction; service refusals become errors."""
    from telephonist.server import prepare

    runtime = prepare(ctx.obj["settings"])
    try:
        with runtime.db.transaction() as session:
            return work(runtime, session)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    finally:
        runtime.db.dispose()


@admin.command("migrate")
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Create or upgrade the database schema."""
    _with_runtime(ctx, lambda runtime, session: None)
    click.echo("database is up to date")


@admin.command("create-account")
@click.option("--company", "company_name", required=True, help="Company name.")
@click.option("--main-number", required=True, help="Company number, e.g. +1 409 240 2583.")
@click.option("--country", default="US", show_default=True, help="Home country (ISO code).")
@click.option("--time-zone", default="America/New_York", show_default=True)
@click.option("--language", default="en-US", show_default=True)
@click.pass_context
def create_account(
    ctx: click.Context,
    company_name: str,
    main_number: str,
    country: str,
    time_zone: str,
    language: str,
) -> None:
    """Create a company account with its main site, roles and company number."""
    from telephonist.accounts import company

    def work(_runtime: Any, session: Any) -> int:
        account = company.create_account(
            session,
            company_name=company_name,
            main_number=main_number,
            home_country=country,
            time_zone=time_zone,
            language=language,
        )
        return account.id

    click.echo(f"account {_with_runtime(ctx, work)} created")


@admin.command("list-accounts")
@click.pass_context
def list_accounts(ctx: click.Context) -> None:
    """List accounts with their company number."""
    from telephonist.accounts import company

    def work(_runtime: Any, session: Any) -> list[str]:
        return [
            f"{account.id}\t{account.company_name}\t{company.main_number(session, account.id)}"
            for account in company.list_accounts(session)
        ]

    for line in _with_runtime(ctx, work):
        click.echo(line)


@admin.command("create-user")
@click.option("--account", "account_id", type=int, required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--email", required=True)
@click.option("--extension", required=True, help="3 to 5 digits.")
@click.option("--direct-number", help="Direct number (DID) for the user.")
@click.option("--role", default="Standard", show_default=True)
@click.option("--language", help="User and greeting language, e.g. fr-FR.")
@click.pass_context
def create_user(
    ctx: click.Context,
    account_id: int,
    first_name: str,
    last_name: str,
    email: str,
    extension: str,
    direct_number: str | None,
    role: str,
    language: str | None,
) -> None:
    """Add a user and send the welcome e-mail with the activation link (ACC-1)."""
    from telephonist.accounts import users
    from telephonist.identity.activation import issue_activation
    from telephonist.store.base import utcnow

    def work(runtime: Any, session: Any) -> str:
        created = users.add_user(
            session,
            account_id,
            first_name=first_name,
            last_name=last_name,
            email=email,
            extension_number=extension,
            role_name=role,
            direct_number=direct_number,
            language=language,
        )
        issue_activation(session, runtime, created, "Your administrator", utcnow())
        outbox = runtime.settings.outbox_dir
        return (
            f"user {created.name} (extension {created.number}) created; welcome e-mail in {outbox}"
        )

    click.echo(_with_runtime(ctx, work))


@admin.command("list-users")
@click.option("--account", "account_id", type=int, help="Only this account.")
@click.pass_context
def list_users(ctx: click.Context, account_id: int | None) -> None:
    """List users: account, extension, name, e-mail, status."""
    from telephonist.store.extensions import Extension

    def work(_runtime: Any, session: Any) -> list[str]:
        query = (
            select(Extension)
            .where(Extension.type == "User")
            .order_by(Extension.account_id, Extension.number)
        )
        if account_id is not None:
            query = query.where(Extension.account_id == account_id)
        return [
            "\t".join(
                (
                    str(extension.account_id),
                    extension.number,
                    extension.name,
                    extension.email or "",
                    extension.status,
                )
            )
            for extension in session.scalars(query).unique()
        ]

    for line in _with_runtime(ctx, work):
        click.echo(line)


@admin.command("reset-password")
@click.option("--account", "account_id", type=int, required=True)
@click.option("--extension", required=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="New password (ACC-3 rules).",
)
@click.pass_context
def reset_password(ctx: click.Context, account_id: int, extension: str, password: str) -> None:
    """Set a user's password (it must meet the password rules)."""
    from telephonist.accounts.extensions import find_by_number
    from telephonist.accounts.users import account_facts
    from telephonist.identity.credentials import set_password
    from telephonist.store.base import utcnow

    def work(_runtime: Any, session: Any) -> str:
        found = find_by_number(session, account_id, extension)
        if found is None or found.user is None:
            raise click.ClickException(
                f"no user with extension {extension} in account {account_id}"
            )
        set_password(found.user, password, account_facts(session, found), utcnow())
        return f"password of extension {extension} changed"

    click.echo(_with_runtime(ctx, work))


@admin.group("app")
def app_group() -> None:
    """OAuth applications for the REST API."""


@app_group.command("create")
@click.option("--account", "account_id", type=int, required=True)
@click.option("--name", required=True)
@click.option("--scopes", help="Space-separated scopes; default all.")
@click.option("--client-id", help="Default: random.")
@click.option("--client-secret", help="Default: random (printed once).")
@click.pass_context
def app_create(
    ctx: click.Context,
    account_id: int,
    name: str,
    scopes: str | None,
    client_id: str | None,
    client_secret: str | None,
) -> None:
    """Register an application; prints its client id and secret."""
    from telephonist.identity import apps

    def work(_runtime: Any, session: Any) -> str:
        app, secret = apps.create_app(
            session,
            account_id,
            name=name,
            scopes=scopes or apps.DEFAULT_SCOPES,
            client_id=client_id,
            client_secret=client_secret,
        )
        return f"client_id={app.client_id}\nclient_secret={secret}\nscopes={' '.join(app.scopes)}"

    click.echo(_with_runtime(ctx, work))


@app_group.command("list")
@click.option("--account", "account_id", type=int, required=True)
@click.pass_context
def app_list(ctx: click.Context, account_id: int) -> None:
    """List an account's applications."""
    from telephonist.identity import apps

    def work(_runtime: Any, session: Any) -> list[str]:
        return [
            f"{app.client_id}\t{app.name}\t{' '.join(app.scopes)}"
            for app in apps.list_apps(session, account_id)
        ]

    for line in _with_runtime(ctx, work):
        click.echo(line)


if __name__ == "__main__":
    sys.exit(main())
