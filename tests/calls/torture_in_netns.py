"""Runs inside a network namespace with loopback only (so nothing the hostile messages
name can be reached): start Telephonist, send every RFC 4475 / RFC 5118 fixture over UDP
and over TCP, then check the server still answers OPTIONS on both. Prints one JSON line."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "sip" / "fixtures"
SIP_PORT = 5060
HTTP_PORT = 8080

OPTIONS = (
    "OPTIONS sip:127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/{transport} 127.0.0.1:{port};branch=z9hG4bK-{tag};rport\r\n"
    "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag={tag}\r\nTo: <sip:127.0.0.1>\r\n"
    "Call-ID: {tag}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
)


def wait_for_sip(deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", SIP_PORT), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("SIP port never opened")


def options_over_udp(tag: str) -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        udp.settimeout(3)
        port = udp.getsockname()[1]
        udp.sendto(
            OPTIONS.format(transport="UDP", port=port, tag=tag).encode(), ("127.0.0.1", SIP_PORT)
        )
        return udp.recv(65535).decode(errors="replace").split("\r\n", 1)[0]


def options_over_tcp(tag: str) -> str:
    with socket.create_connection(("127.0.0.1", SIP_PORT), timeout=3) as tcp:
        port = tcp.getsockname()[1]
        tcp.sendall(OPTIONS.format(transport="TCP", port=port, tag=tag).encode())
        return tcp.recv(65535).decode(errors="replace").split("\r\n", 1)[0]


def main(data_dir: str) -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "telephonist",
            "serve",
            "--data-dir",
            data_dir,
            "--http-port",
            str(HTTP_PORT),
            "--sip-port",
            str(SIP_PORT),
            "--demo",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(Path(data_dir) / "server.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    result: dict[str, object] = {}
    try:
        wait_for_sip(time.monotonic() + 60)
        fixtures = sorted(path for path in FIXTURES.glob("rfc*/*.dat"))
        answers_udp = 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            udp.settimeout(0.05)
            for path in fixtures:
                udp.sendto(path.read_bytes(), ("127.0.0.1", SIP_PORT))
                try:
                    while udp.recv(65535):
                        answers_udp += 1
                except TimeoutError:
                    pass
        for path in fixtures:
            try:
                with socket.create_connection(("127.0.0.1", SIP_PORT), timeout=1) as tcp:
                    tcp.sendall(path.read_bytes())
                    tcp.settimeout(0.2)
                    with contextlib.suppress(TimeoutError):
                        tcp.recv(65535)
            except OSError:
                pass
        time.sleep(0.5)
        result = {
            "fixtures": len(fixtures),
            "udp_answers": answers_udp,
            "alive": server.poll() is None,
            "options_udp": options_over_udp("after-udp"),
            "options_tcp": options_over_tcp("after-tcp"),
        }
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
