"""The outbox: e-mails are files first (so the demo works with no mail server and nothing
is lost when the SMTP server is down), then SMTP deliveries."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

log = logging.getLogger(__name__)


class Mailer:
    """Writes each message to ``outbox_dir`` and relays it to ``smtp_url`` when set."""

    def __init__(self, outbox_dir: Path, sender: str, smtp_url: str | None = None) -> None:
        self.outbox_dir = outbox_dir
        self.sender = sender
        self.smtp_url = smtp_url

    def send(self, to: str, subject: str, text: str, html: str | None = None) -> Path:
        """Queue one message; returns the outbox file. SMTP failures are logged, not raised:
        the message stays in the outbox for the operator."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="telephonist.localhost")
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        path = self._write(message)
        if self.smtp_url:
            try:
                self._relay(message)
            except (OSError, smtplib.SMTPException) as error:
                log.error("SMTP delivery of %s to %s failed: %s", path.name, to, error)
        return path

    def _write(self, message: EmailMessage) -> Path:
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.outbox_dir / f"{stamp}-{os.getpid()}.eml"
        temporary = path.with_suffix(".part")
        with temporary.open("wb") as handle:
            handle.write(bytes(message))
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
        return path

    def _relay(self, message: EmailMessage) -> None:
        assert self.smtp_url is not None
        url = urlparse(self.smtp_url)
        options = parse_qs(url.query)
        host = url.hostname or "127.0.0.1"
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, url.port or 465, timeout=10, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, url.port or 25, timeout=10)
        with client:
            if options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
                client.starttls(context=ssl.create_default_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(message)
