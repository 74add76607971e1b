"""Fixtures shared by every test: real servers on loopback (SQLite and, when
TELEPHONIST_TEST_POSTGRES_URL is set, PostgreSQL), a real SMTP server, and an SDK client."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

import pytest
from ringcentral import SDK
from ringcentral.platform.platform import Platform

from tests.demo_data import DEMO_CLIENT, DULCINEA, PASSWORD, Login
from tests.support import (
    POSTGRES_URL_ENV,
    MailCatcher,
    RunningServer,
    drop_postgres_database,
    fresh_postgres_database,
    start_server,
)

warnings.filterwarnings("ignore", message="username-password login will soon be deprecated")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a PostgreSQL URL the PostgreSQL variants are deselected (make test sets it)."""
    if os.environ.get(POSTGRES_URL_ENV):
        return
    kept, dropped = [], []
    for item in items:
        (dropped if "postgres" in item.keywords else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def postgres_url() -> str:
    return os.environ[POSTGRES_URL_ENV]


@pytest.fixture(scope="session")
def mail() -> Iterator[MailCatcher]:
    """A real SMTP server every test server sends its e-mail to."""
    catcher = MailCatcher()
    catcher.controller.start()
    yield catcher
    catcher.controller.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def demo_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, mail: MailCatcher
) -> Iterator[RunningServer]:
    """The demo company on a server, once per backend for the whole run."""
    backend = request.param
    database_url = None
    if backend == "postgres":
        name = f"telephonist_demo_{os.getpid()}"
        database_url = fresh_postgres_database(postgres_url(), name)
        request.addfinalizer(lambda: drop_postgres_database(postgres_url(), name))
    server = start_server(
        tmp_path_factory.mktemp(f"demo-{backend}"),
        database_url=database_url,
        extra_env={"TELEPHONIST_SMTP_URL": mail.url},
    )
    yield server
    server.stop()


@pytest.fixture
def sdk_login(demo_server: RunningServer) -> Iterator[Login]:
    """Log in with the official SDK's password grant; every platform logs out at the end."""
    platforms: list[Platform] = []

    def login(
        username: str = DULCINEA[0],
        extension: str | None = DULCINEA[1],
        password: str = PASSWORD,
        client: tuple[str, str] = DEMO_CLIENT,
        server: str | None = None,
    ) -> Platform:
        platform = SDK(client[0], client[1], server or demo_server.url).platform()
        platform.login(username=username, extension=extension, password=password)
        platforms.append(platform)
        return platform

    yield login
    for platform in platforms:
        if platform.logged_in():
            platform.logout()
