"""Fixtures of the media tests: every engine scenario ends with a leak check."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from telephonist.media.engine import MediaConfig
from telephonist.media.local import LocalMediaEngine

from .loopback import port_slice

Scenario = Callable[[LocalMediaEngine], Awaitable[None]]


async def assert_no_leaks(engine: LocalMediaEngine) -> None:
    """No endpoint, bound port or task is left once a call's endpoints are released."""
    assert engine.active_endpoints() == 0, "endpoints were not released"
    assert await engine.allocated_ports() == 0, "RTP/RTCP ports are still bound"
    await asyncio.sleep(0)
    leftover = asyncio.all_tasks() - {asyncio.current_task()}
    assert not leftover, f"tasks left running: {leftover}"


@pytest.fixture
def media_config() -> MediaConfig:
    low, high = port_slice()
    return MediaConfig(port_min=low, port_max=high)


@pytest.fixture
def run_engine(media_config: MediaConfig) -> Callable[..., None]:
    """Run ``scenario(engine)`` on a fresh local engine in a new event loop, then check
    that it released everything; ``config`` overrides the engine's settings."""

    def run(scenario: Scenario, config: MediaConfig | None = None) -> None:
        async def main() -> None:
            engine = LocalMediaEngine(config or media_config)
            try:
                await asyncio.wait_for(scenario(engine), 20)
                await assert_no_leaks(engine)
            finally:
                await engine.close()

        asyncio.run(main())

    return run
