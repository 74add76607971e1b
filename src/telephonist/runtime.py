"""Everything a running Telephonist shares: settings, database, mail, blobs, and the
in-memory guards against guessing. Built once at start, handed to both faces."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telephonist.config import Settings
from telephonist.domain.failure_limits import FailureLimiter
from telephonist.mail.outbox import Mailer
from telephonist.store.blobs import BlobStore
from telephonist.store.database import Database

MonotonicClock = Callable[[], float]


@dataclass
class SignInGuard:
    """ACC-6: failed sign-ins are limited per user and per IP address."""

    per_user: FailureLimiter
    per_ip: FailureLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInGuard:
        window = settings.sign_in_window_seconds
        return cls(
            per_user=FailureLimiter(settings.sign_in_failures_per_user, window, window),
            per_ip=FailureLimiter(settings.sign_in_failures_per_ip, window, window),
        )


@dataclass
class Runtime:
    """The shared state of one Telephonist process."""

    settings: Settings
    db: Database
    mailer: Mailer
    blobs: BlobStore
    secret_key: str
    sign_in_guard: SignInGuard
    monotonic: MonotonicClock = field(default_factory=lambda: time.monotonic)

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return cls(
            settings=settings,
            db=Database(settings.resolved_database_url),
            mailer=Mailer(settings.outbox_dir, settings.mail_from, settings.smtp_url),
            blobs=BlobStore(settings.blob_dir),
            secret_key=settings.resolved_secret_key(),
            sign_in_guard=SignInGuard.from_settings(settings),
        )
