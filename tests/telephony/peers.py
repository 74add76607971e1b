"""The harness's child processes (SIPp, baresip): loopback ports for them, starting them,
stopping them by PID, and the leak check that every telephony test ends with."""

from __future__ import annotations

import itertools
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from tests.support import RunningServer

LOOPBACK = "127.0.0.1"
Address = tuple[str, int]
PEER_PROGRAMS = ("sipp", "baresip")

# Below Telephonist's default RTP range (16384+) and Linux's ephemeral ports (32768+), apart
# from the media tests' slices (20000+). Blocks of 50; the random start keeps two runs apart.
_FIRST_PORT = 10000
_BLOCK = 50
_BLOCKS = (16000 - _FIRST_PORT) // _BLOCK
_next_block = itertools.count(random.randrange(_BLOCKS))
_running: list[subprocess.Popen[bytes]] = []


def _port_is_free(port: int, address: str = LOOPBACK) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind((address, port))
            except OSError:
                return False
    return True


def reserve_ports(count: int) -> int:
    """The first of ``count`` (at most 50) consecutive ports free on loopback for UDP and TCP.
    Peers need runs of ports: baresip binds TLS on its SIP port + 1, SIPp binds RTP echo on
    its media port and media port + 2."""
    if count > _BLOCK:
        raise ValueError(f"at most {_BLOCK} ports at a time")
    for _ in range(_BLOCKS):
        start = _FIRST_PORT + (next(_next_block) % _BLOCKS) * _BLOCK
        if all(_port_is_free(port) for port in range(start, start + count)):
            return start
    raise RuntimeError(f"no {count} consecutive free ports on {LOOPBACK}")


def port_taken(port: int, address: str = LOOPBACK) -> bool:
    """Whether something is bound to this port (UDP or TCP): how we see that a peer is up."""
    return not _port_is_free(port, address)


def sip_address(server: RunningServer) -> Address:
    """Where a RunningServer (tests/support.py) takes SIP: its --sip-port on loopback."""
    arguments = cast("list[str]", server.process.args)  # start_server passes a list
    return (LOOPBACK, int(arguments[arguments.index("--sip-port") + 1]))


def start_peer(
    command: Sequence[str], *, stdout: Path, stderr: Path, cwd: Path
) -> subprocess.Popen[bytes]:
    """Start a peer program without stdin, its output in files; it is tracked until stopped."""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            list(command), stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd
        )
    _running.append(process)
    return process


def stop_peer(process: subprocess.Popen[bytes], *, grace: float = 3.0) -> int:
    """SIGTERM, then SIGKILL after ``grace`` seconds; the process is reaped either way."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process in _running:
        _running.remove(process)
    return process.returncode


def wait_peer(process: subprocess.Popen[bytes], timeout: float) -> int | None:
    """The exit code once the peer ends by itself within ``timeout`` seconds, else None."""
    try:
        code = process.wait(timeout)
    except subprocess.TimeoutExpired:
        return None
    if process in _running:
        _running.remove(process)
    return code


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.02
) -> None:
    """Poll ``condition`` every ``interval`` seconds; AssertionError naming ``what`` when
    time runs out."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def stop_all_peers() -> None:
    """Stop every peer still tracked (a test's teardown, whatever happened in the test)."""
    for process in list(_running):
        stop_peer(process, grace=1.0)


def leftover_peers() -> list[str]:
    """SIPp or baresip processes this test process started and did not reap, read from
    /proc so that untracked ones are found too."""
    found = []
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state, parent = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(parent) == me and name in PEER_PROGRAMS:
            found.append(f"{name} (pid {entry.name}, state {state})")
    return found
