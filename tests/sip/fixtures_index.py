"""Loads the RFC 4475 / RFC 5118 fixture files and their expected outcomes."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def expectations() -> list[tuple[str, Path, dict[str, Any]]]:
    """(test id, file, expectation) for every fixture, in a stable order."""
    table = tomllib.loads((FIXTURES / "expected.toml").read_text(encoding="utf-8"))
    cases = []
    for rfc in ("rfc4475", "rfc5118"):
        for name, expected in sorted(table[rfc].items()):
            cases.append((f"{rfc}/{name}", FIXTURES / rfc / f"{name}.dat", expected))
    return cases


def valid_fixture_bytes() -> list[bytes]:
    """The raw bytes of every fixture expected to parse."""
    return [
        path.read_bytes()
        for _, path, expected in expectations()
        if expected["outcome"] != "invalid"
    ]


def all_fixture_bytes() -> list[bytes]:
    """The raw bytes of every fixture."""
    return [path.read_bytes() for _, path, _ in expectations()]
