"""Shared by the benchmarks: a Telephonist server of its own on loopback, with the company
data a benchmark needs written straight into its database, and helper processes (SIPp,
reference servers) that are stopped by PID however a run ends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads) so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and all its descendants: the server's media workers count too."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # the process ended while we looked
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = {pid}
    while grown := {child for child, parent in parents.items() if parent in tree} - tree:
        tree |= grown
    total = 0.0
    for member in tree:
        try:
            total += cpu_seconds(member)
        except OSError:
            continue
    return total


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy: shows load from other programs during a step."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(limit_cores: float = 0.3, patience: float = 60) -> float:
    """Before a step, wait (at most ``patience`` s) until the machine is nearly idle, so
    that a test suite running beside the benchmark does not decide the step; returns the
    cores that were busy in the last second, for the step's record."""
    deadline = time.monotonic() + patience
    while True:
        before = machine_busy_seconds()
        time.sleep(1)
        busy = machine_busy_seconds() - before
        if busy <= limit_cores or time.monotonic() >= deadline:
            return round(busy, 2)


def stop(process: subprocess.Popen[Any], grace: float = 10) -> None:
    """SIGTERM to this one PID, SIGKILL if it is still there after ``grace`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running(command: list[str], **popen: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A helper process for the length of a ``with`` block: stopped even when the
    benchmark fails, so no load generator or reference server outlives a run."""
    process = subprocess.Popen(command, **popen)
    try:
        yield process
    finally:
        stop(process)


@dataclass
class BenchServer:
    data_dir: Path
    http_port: int
    sip_port: int
    process: subprocess.Popen[bytes]

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'telephonist.db'}"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server and its worker processes so far."""
        return tree_cpu_seconds(self.process.pid)


def start(extra_env: dict[str, str] | None = None) -> BenchServer:
    """Start ``telephonist serve`` (demo company loaded) and wait for HTTP and SIP."""
    data_dir = Path(tempfile.mkdtemp(prefix="telephonist-bench-"))
    http_port, sip_port = free_port(), free_port()
    env = {**os.environ, "TELEPHONIST_SIGN_IN_FAILURES_PER_IP": "100000", **(extra_env or {})}
    command = [
        sys.executable,
        "-m",
        "telephonist",
        "serve",
        "--demo",
        "--data-dir",
        str(data_dir),
        "--http-port",
        str(http_port),
        "--sip-port",
        str(sip_port),
    ]
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    server = BenchServer(data_dir, http_port, sip_port, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{http_port}/restapi/", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError((data_dir / "server.log").read_text())
