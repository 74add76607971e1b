"""Starting a real Telephonist server for integration tests, and small shared helpers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.cookies import SimpleCookie
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, create_engine, text

from telephonist.accounts import company, users
from telephonist.store.database import Database

REPO = Path(__file__).resolve().parent.parent
POSTGRES_URL_ENV = "TELEPHONIST_TEST_POSTGRES_URL"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _free_for_udp_and_tcp(port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_sip_port() -> int:
    """A port free for SIP over UDP and TCP whose next port is free for TLS."""
    for _ in range(200):
        port = free_port()
        if port < 65535 and _free_for_udp_and_tcp(port) and _free_for_udp_and_tcp(port + 1):
            return port
    raise RuntimeError("no free pair of ports for SIP")


def _admin_engine(server_url: str) -> Engine:
    url = server_url.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(url, isolation_level="AUTOCOMMIT")


def fresh_postgres_database(server_url: str, name: str) -> str:
    """A new, empty database ``name`` on the server of ``server_url`` (dropped first if a
    previous run left it), so concurrent runs never share data; returns its URL."""
    admin = _admin_engine(server_url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(server_url: str, name: str) -> None:
    admin = _admin_engine(server_url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class RunningServer:
    """A ``telephonist serve`` subprocess on loopback."""

    data_dir: Path
    http_port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/restapi/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def restart(self, *, crash: bool = False) -> None:
        """Stop (or kill -9 when ``crash``) and start again on the same ports and data."""
        if crash:
            self.process.kill()
            self.process.wait(timeout=10)
        else:
            self.stop()
        self.process = _launch(self.command, self.env, self.log_path)
        self.wait_until_up()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(
    data_dir: Path,
    *,
    database_url: str | None = None,
    extra_env: dict[str, str] | None = None,
    demo: bool = True,
) -> RunningServer:
    """Start the server and wait until its HTTP port answers."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "server.log"
    env = {
        **os.environ,
        "TELEPHONIST_SIGN_IN_FAILURES_PER_IP": "1000",
        "TELEPHONIST_SIGN_IN_FAILURES_PER_USER": "1000",
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "telephonist",
        "serve",
        "--data-dir",
        str(data_dir),
        "--http-port",
        str(port),
        "--sip-port",
        str(free_sip_port()),
    ]
    command.append("--demo" if demo else "--no-demo")
    if database_url:
        command += ["--database-url", database_url]
    process = _launch(command, env, log_path)
    server = RunningServer(
        data_dir, port, process, log_path, database_url, extra_env or {}, command, env
    )
    server.wait_until_up()
    return server


def _launch(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=REPO
        )


class PortalBrowser:
    """A minimal cookie-keeping HTTP client for portal forms, for tests that do not need a
    real browser. It keeps Secure cookies over http://127.0.0.1 as browsers do."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        self.client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)

    def _remember(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[call-overload]
        if self.cookies:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        self._remember(response)
        if response.status_code in (301, 302, 303, 307, 308):
            return self.request("GET", response.headers["location"])
        return response

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def csrf(self, html: str) -> str:
        found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
        assert found, "page has no CSRF field"
        return found.group(1)

    def post_form(self, path: str, data: dict[str, str], page: str | None = None) -> httpx.Response:
        """Post a form with the CSRF token taken from ``page`` (default: GET ``path`` first)."""
        source = page if page is not None else self.get(path).text
        return self.request("POST", path, data={"csrf_token": self.csrf(source), **data})

    def sign_in(self, identifier: str, password: str, extension: str = "") -> httpx.Response:
        page = self.get("/sign-in").text
        step2 = self.post_form("/sign-in", {"identifier": identifier, "step": "identifier"}, page)
        return self.post_form(
            "/sign-in",
            {
                "identifier": identifier,
                "step": "password",
                "extension": extension,
                "password": password,
                "country": "US",
            },
            step2.text,
        )


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage


class MailCatcher:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:  # noqa: N802
        content = envelope.content  # type: ignore[attr-defined]
        message = BytesParser(policy=policy.default).parsebytes(content)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[attr-defined, arg-type]
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def wait_for(self, recipient: str, timeout: float = 10, after: int = 0) -> ReceivedMail:
        """The first message to ``recipient`` among those received after the first ``after``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for mail in self.received[after:]:
                if recipient in mail.recipients:
                    return mail
            time.sleep(0.05)
        raise AssertionError(
            f"no e-mail reached {recipient}; got {[m.recipients for m in self.received]}"
        )


def mail_text(mail: ReceivedMail) -> str:
    body = mail.message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def database_of(server: RunningServer) -> Database:
    """The server's database, opened from the test process (to arrange data)."""
    return Database(server.database_url or f"sqlite:///{server.data_dir / 'telephonist.db'}")


def company_of_dulcinea(database: Database, company_name: str) -> tuple[int, int]:
    """A company on a bare database whose one user is Dulcinea Dunn, 11103: (account id,
    extension id). Her e-mail's domain is the company name's first word."""
    domain = company_name.split()[0].lower()
    with database.transaction() as session:
        account = company.create_account(
            session, company_name=company_name, main_number="+14092402583"
        )
        user = users.add_user(
            session,
            account.id,
            first_name="Dulcinea",
            last_name="Dunn",
            email=f"dulcinea@{domain}.example",
            extension_number="11103",
        )
        return account.id, user.id
