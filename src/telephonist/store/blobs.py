"""Blob storage on the local file system (recordings, greetings, faxes). Files are written
to a temporary name, fsynced, then renamed, so a crash never leaves a torn blob."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class BlobStore:
    """Content addressed by opaque keys like ``greetings/3f2a....wav``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, folder: str, data: bytes, suffix: str) -> str:
        """Store ``data`` durably and return its key."""
        key = f"{folder}/{secrets.token_hex(16)}{suffix}"
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".part")
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
        return key

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        """Where a key lives; keys never escape the root."""
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"Blob key {key!r} escapes the blob store")
        return path
