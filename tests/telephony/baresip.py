"""Headless baresip 1.0 softphones for the telephony tests: each plays a WAV file into its
calls, records what it hears (sndfile), and is driven and watched through ctrl_tcp
(netstring-framed JSON commands, responses and events)."""

from __future__ import annotations

import itertools
import json
import re
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .peers import LOOPBACK, Address, reserve_ports, start_peer, stop_peer, wait_until

MODULES = "/usr/lib/baresip/modules"
_RTP_PORTS = 10
_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class BaresipEvent:
    """One ctrl_tcp event: ``kind`` is its type (REGISTER_OK, CALL_ESTABLISHED...), ``param``
    its detail (the digit of CALL_DTMF_START, the reason of CALL_CLOSED...)."""

    kind: str
    param: str
    data: dict[str, Any]
    at: float


class ControlConnection:
    """The ctrl_tcp socket: sends commands and reads, on a thread, the responses (matched by
    token) and the events."""

    def __init__(self, port: int, process: subprocess.Popen[bytes], timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._socket = socket.create_connection((LOOPBACK, port), timeout=1)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._socket.settimeout(0.2)
        self._tokens = itertools.count(1)
        self._changed = threading.Condition()
        self._responses: dict[str, dict[str, Any]] = {}
        self.events: list[BaresipEvent] = []
        self._open = True
        self._reader = threading.Thread(target=self._read, name=f"baresip-ctrl-{port}")
        self._reader.start()

    def command(self, command: str, params: str = "", timeout: float = 5) -> dict[str, Any]:
        """Run a menu command (``dial``, ``hangup``, ``sndcode``, ``reginfo``, ``accept``...)
        and return its response: ``{"ok": bool, "data": str, ...}``."""
        token = str(next(self._tokens))
        body = json.dumps({"command": command, "params": params, "token": token}).encode()
        self._socket.sendall(b"%d:%s," % (len(body), body))
        with self._changed:
            if not self._changed.wait_for(lambda: token in self._responses, timeout):
                raise AssertionError(f"baresip gave no response to {command} {params}")
            return self._responses.pop(token)

    def wait_for(self, kind: str, count: int, timeout: float) -> BaresipEvent:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.of_kind(kind)) >= count, timeout):
                seen = [f"{e.kind} {e.param}".strip() for e in self.events]
                raise AssertionError(f"no {kind} (#{count}) within {timeout} s; events: {seen}")
            return self.of_kind(kind)[count - 1]

    def of_kind(self, kind: str) -> list[BaresipEvent]:
        return [event for event in self.events if event.kind == kind]

    def close(self) -> None:
        self._open = False
        self._reader.join()
        self._socket.close()

    def _read(self) -> None:
        buffer = b""
        while self._open:
            try:
                chunk = self._socket.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b":" in buffer:
                length, _, rest = buffer.partition(b":")
                if len(rest) < int(length) + 1:
                    break
                self._dispatch(json.loads(rest[: int(length)]))
                buffer = rest[int(length) + 1 :]

    def _dispatch(self, message: dict[str, Any]) -> None:
        with self._changed:
            if message.get("event"):
                self.events.append(
                    BaresipEvent(
                        str(message.get("type")),
                        str(message.get("param", "")),
                        message,
                        time.monotonic(),
                    )
                )
            elif message.get("response"):
                self._responses[str(message.get("token"))] = message
            self._changed.notify_all()


class Baresip:
    """One running baresip: a softphone with one account."""

    def __init__(
        self,
        name: str,
        process: subprocess.Popen[bytes],
        sip_port: int,
        work_dir: Path,
        control: ControlConnection,
    ) -> None:
        self.name = name
        self.process = process
        self.sip_port = sip_port
        self.work_dir = work_dir
        self.control = control
        self.stopped = False

    @property
    def uri(self) -> str:
        """A SIP URI that reaches this phone directly, without a registrar."""
        return f"sip:{self.name}@{LOOPBACK}:{self.sip_port}"

    def wait_for_event(self, kind: str, timeout: float = 10, count: int = 1) -> BaresipEvent:
        """The ``count``-th event of ``kind`` since the phone started, once it has come."""
        return self.control.wait_for(kind, count, timeout)

    def registered(self, timeout: float = 10) -> None:
        """Wait until the account is registered. baresip registers as it starts, before
        ctrl_tcp is connected, so this polls reginfo rather than waiting for REGISTER_OK."""
        try:
            wait_until(lambda: " OK " in self.reginfo(), timeout, f"{self.name} to register", 0.1)
        except AssertionError as error:
            raise AssertionError(f"{error}: {self.reginfo().strip()}\n{self.log()}") from None

    def dial(self, uri: str) -> None:
        """Call ``uri`` (a full SIP URI, or a number the registrar's domain completes)."""
        response = self.control.command("dial", uri)
        assert response.get("ok"), f"{self.name} cannot dial {uri}: {response}"

    def accept(self) -> None:
        """Answer the ringing call (for phones started with answermode="manual")."""
        self.control.command("accept")

    def hangup(self) -> None:
        self.control.command("hangup")

    def send_dtmf(self, digits: str, gap: float = 0.3) -> None:
        """Key ``digits`` in the current call as RFC 4733 events, ``gap`` seconds apart
        (each tone lasts about 0.2 s)."""
        for digit in digits:
            self.control.command("sndcode", digit)
            time.sleep(gap)

    def dtmf_received(self) -> str:
        """The digits received so far (CALL_DTMF_START events), in order."""
        return "".join(event.param for event in self.control.of_kind("CALL_DTMF_START"))

    def reginfo(self) -> str:
        """The registration status line(s), without colours: "OK" once registered."""
        return _COLOURS.sub("", str(self.control.command("reginfo").get("data", "")))

    def recordings(self) -> list[Path]:
        """What the phone heard, one WAV per call in call order (sndfile's ``*-dec.wav``;
        the ``*-enc.wav`` files hold what it sent). Complete once the call has closed."""
        return sorted((self.work_dir / "recordings").glob("*-dec.wav"))

    def log(self, lines: int = 40) -> str:
        """The end of baresip's verbose log, without the echo of ctrl_tcp commands."""
        text = (self.work_dir / "baresip.log").read_text(errors="replace")
        kept = [line for line in text.splitlines() if not line.startswith("ctrl_tcp:")]
        return "\n".join(kept[-lines:])

    def stop(self) -> int:
        """Stop it: SIGTERM lets it unregister, SIGKILL follows after 3 s."""
        if not self.stopped:
            self.stopped = True
            stop_peer(self.process)
            self.control.close()
        return self.process.returncode


@dataclass
class BaresipPhones:
    """The baresip phones of one test, each configured under ``root`` (the test's tmp_path),
    all stopped at the end of the test (stop_all)."""

    root: Path
    phones: list[Baresip] = field(default_factory=list)

    def start(
        self,
        name: str,
        source: Path,
        *,
        registrar: Address | None = None,
        password: str = "",
        regint: int = 60,
        answermode: str = "auto",
        codecs: str = "PCMU",
        tls_ca: Path | None = None,
    ) -> Baresip:
        """Start a phone playing ``source`` (an 8 kHz mono 16-bit WAV, padded with silence:
        the call ends when the file does). With a ``registrar`` it registers there as
        ``name`` with ``password`` every ``regint`` seconds (0: never), and the numbers it
        dials go there; without one it takes calls sent straight to its ``uri``.
        ``answermode`` is auto, early or manual; ``codecs`` its audio_codecs list. With
        ``tls_ca`` (the registrar's certificate) it talks SIP over TLS to the registrar's
        port, trusting that certificate."""
        work_dir = self.root / name
        (work_dir / "recordings").mkdir(parents=True)
        # SIP (UDP and TCP) and TLS on the next port, ctrl_tcp, then the RTP range.
        sip_port = reserve_ports(3 + _RTP_PORTS)
        control_port = sip_port + 2
        rtp_first = sip_port + 3
        options = f"answermode={answermode};audio_codecs={codecs}"
        if registrar:
            domain = f"{registrar[0]}:{registrar[1]}"
            if tls_ca:
                domain += ";transport=tls"
            options = f"auth_pass={password};regint={regint};{options}"
        else:
            domain = f"{LOOPBACK}:{sip_port}"
            options = f"regint=0;{options}"
        (work_dir / "accounts").write_text(f"<sip:{name}@{domain}>;{options}\n")
        (work_dir / "config").write_text(
            "\n".join(
                [
                    "poll_method epoll",
                    f"sip_listen {LOOPBACK}:{sip_port}",
                    f"net_interface {LOOPBACK}",
                    f"rtp_ports {rtp_first}-{rtp_first + _RTP_PORTS - 1}",
                    f"audio_source aufile,{source.resolve()}",
                    "audio_player alsa,null",
                    "audio_alert alsa,null",
                    "ausrc_srate 8000",
                    "auplay_srate 8000",
                    "ausrc_channels 1",
                    "auplay_channels 1",
                    f"module_path {MODULES}",
                    "module g711.so",
                    "module aufile.so",
                    "module alsa.so",
                    "module sndfile.so",
                    "module_app account.so",
                    "module_app menu.so",
                    "module_app ctrl_tcp.so",
                    f"ctrl_tcp_listen {LOOPBACK}:{control_port}",
                    f"snd_path {work_dir / 'recordings'}",
                    *([f"sip_cafile {tls_ca.resolve()}"] if tls_ca else []),
                    "",
                ]
            )
        )
        process = start_peer(
            ["baresip", "-f", str(work_dir), "-v"],
            stdout=work_dir / "baresip.log",
            stderr=work_dir / "baresip.stderr",
            cwd=work_dir,
        )
        try:
            control = ControlConnection(control_port, process)
        except OSError:
            stop_peer(process)
            log = (work_dir / "baresip.log").read_text(errors="replace")
            raise AssertionError(f"baresip {name} did not start:\n{log}") from None
        phone = Baresip(name, process, sip_port, work_dir, control)
        self.phones.append(phone)
        return phone

    def stop_all(self) -> None:
        for phone in self.phones:
            phone.stop()
