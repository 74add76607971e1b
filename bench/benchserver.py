"""Shared by the SIP benchmarks: a Telephonist server of its own on loopback, with the
company data a benchmark needs written straight into its database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
        """User + system CPU time of the server process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
