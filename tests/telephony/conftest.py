"""Fixtures of the telephony tests: SIPp and baresip peers that are always stopped, and a
check that no peer process outlives its test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .baresip import BaresipPhones
from .peers import leftover_peers, stop_all_peers
from .sipp import Sipp


@pytest.fixture(autouse=True)
def no_leaked_peers() -> Iterator[None]:
    """Every telephony test ends with no SIPp or baresip process left behind."""
    yield
    leaked = leftover_peers()
    stop_all_peers()
    assert not leaked, f"peer processes outlived the test: {leaked}"


@pytest.fixture
def sipp(tmp_path: Path) -> Iterator[Sipp]:
    """SIPp runs whose traces land in the test's tmp_path."""
    runner = Sipp(tmp_path / "sipp")
    yield runner
    runner.stop_all()


@pytest.fixture
def phones(tmp_path: Path) -> Iterator[BaresipPhones]:
    """baresip phones configured under the test's tmp_path."""
    started = BaresipPhones(tmp_path / "baresip")
    yield started
    started.stop_all()
