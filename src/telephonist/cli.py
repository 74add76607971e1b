"""The ``telephonist`` command: ``serve`` runs the system; ``admin`` does what an operator
needs without the portal. Every serve flag is also a TELEPHONIST_* variable and a key of
the optional TOML file given by --config (or TELEPHONIST_CONFIG)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError
from sqlalchemy import select

from telephonist.config import CONFIG_FILE_ENV, Settings, load_settings
from telephonist.errors import ServiceError

if TYPE_CHECKING:
    from telephonist.store.telephony import Trunk
    from telephonist.trunks.services import TrunkChange


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


@admin.command("render-prompts")
@click.pass_context
def render_prompts(ctx: click.Context) -> None:
    """Render the fixed voice prompts (English and French) and the hold music into the
    data dir, so no call waits for speech synthesis (WEB-6, GS-5)."""
    import asyncio

    from telephonist.prompts.catalogue import LANGUAGES
    from telephonist.prompts.library import PromptLibrary
    from telephonist.prompts.speech import SpeechError, engine_summary

    library = PromptLibrary.in_data_dir(ctx.obj["settings"].data_dir)
    voices = ", ".join(
        f"{language}: {engine}"
        for language, engine in engine_summary(library.engines, LANGUAGES).items()
    )
    try:
        count = asyncio.run(library.render_fixed_prompts())
    except SpeechError as error:
        raise click.ClickException(f"cannot render prompts: {error}") from error
    click.echo(f"{count} prompts and the hold music are ready in {library.cache_dir} ({voices})")


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


@admin.group("trunk")
def trunk_group() -> None:
    """SIP trunks to carriers (the Admin Portal's Trunks page does the same)."""


def _trunk_options(adding: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The settings of ``trunk add`` and ``trunk update``; update changes only those given."""
    unchanged = "" if adding else " Default: unchanged."

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.option("--name", required=adding, help="Unique in the account." + unchanged),
            click.option(
                "--host",
                required=adding,
                help="Carrier host name or IP address." + unchanged,
            ),
            click.option("--port", type=int, help="1-65535." + (unchanged or " Default: 5060.")),
            click.option("--transport", help="udp, tcp or tls." + (unchanged or " Default: udp.")),
            click.option(
                "--auth-mode",
                help="ip (accept calls by source address) or registration (register with "
                "the user name and password)." + (unchanged or " Default: ip."),
            ),
            click.option("--username", help="Carrier user name." + unchanged),
            click.option("--password", help="Carrier password." + unchanged),
            click.option(
                "--allowed-address",
                "allowed_addresses",
                multiple=True,
                help="IP address or network calls may come from (repeat for several; "
                "none: the host's addresses)." + unchanged,
            ),
            click.option(
                "--clear-allowed-addresses",
                is_flag=True,
                hidden=adding,
                help="Remove every allowed address.",
            ),
            click.option(
                "--number-format",
                help="How numbers are sent: e164 (+14155550100), national (4155550100) "
                "or 1+10 (14155550100)." + (unchanged or " Default: e164."),
            ),
            click.option(
                "--enabled/--disabled",
                default=None,
                help="Default: enabled." if adding else "Default: unchanged.",
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _trunk_change(options: dict[str, Any]) -> TrunkChange:
    from telephonist.trunks.services import TrunkChange

    addresses = options.pop("allowed_addresses")
    if options.pop("clear_allowed_addresses", False):
        addresses = []
    return TrunkChange(**options, allowed_addresses=list(addresses) if addresses else None)


def _trunk_line(trunk: Trunk) -> str:
    from telephonist.trunks.services import address_of

    return "\t".join(
        (
            str(trunk.id),
            trunk.name,
            address_of(trunk),
            trunk.transport,
            trunk.auth_mode,
            trunk.number_format,
            "enabled" if trunk.enabled else "disabled",
        )
    )


@trunk_group.command("add")
@click.option("--account", "account_id", type=int, required=True)
@_trunk_options(adding=True)
@click.pass_context
def trunk_add(ctx: click.Context, /, account_id: int, **options: Any) -> None:
    """Add a trunk; prints its id, name, address, transport, authentication, format."""
    from telephonist.trunks import services

    change = _trunk_change(options)

    def work(_runtime: Any, session: Any) -> str:
        return _trunk_line(services.add_trunk(session, account_id, change))

    click.echo(_with_runtime(ctx, work))


@trunk_group.command("list")
@click.option("--account", "account_id", type=int, required=True)
@click.pass_context
def trunk_list(ctx: click.Context, account_id: int) -> None:
    """List an account's trunks: id, name, host:port, transport, authentication, format."""
    from telephonist.accounts import company
    from telephonist.trunks import services

    def work(_runtime: Any, session: Any) -> list[str]:
        company.get_account(session, account_id)
        return [_trunk_line(trunk) for trunk in services.list_trunks(session, account_id)]

    for line in _with_runtime(ctx, work):
        click.echo(line)


@trunk_group.command("update")
@click.option("--account", "account_id", type=int, required=True)
@click.argument("trunk")
@_trunk_options(adding=False)
@click.pass_context
def trunk_update(ctx: click.Context, /, account_id: int, trunk: str, **options: Any) -> None:
    """Change the settings given of TRUNK (its id or name)."""
    from telephonist.trunks import services

    change = _trunk_change(options)

    def work(_runtime: Any, session: Any) -> str:
        found = services.find_trunk(session, account_id, trunk)
        return _trunk_line(services.update_trunk(session, account_id, found.id, change))

    click.echo(_with_runtime(ctx, work))


@trunk_group.command("remove")
@click.option("--account", "account_id", type=int, required=True)
@click.argument("trunk")
@click.pass_context
def trunk_remove(ctx: click.Context, account_id: int, trunk: str) -> None:
    """Delete TRUNK (its id or name)."""
    from telephonist.trunks import services

    def work(_runtime: Any, session: Any) -> str:
        found = services.find_trunk(session, account_id, trunk)
        services.remove_trunk(session, account_id, found.id)
        return f"trunk {found.name} removed"

    click.echo(_with_runtime(ctx, work))


if __name__ == "__main__":
    sys.exit(main())
