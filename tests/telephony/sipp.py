"""SIPp (Debian's sip-tester 3.6) for the telephony tests: runs the scenarios of scenarios/
against a SIP server, in the foreground or in the background (a UAS, a registered phone, a
trunk peer), and parses what it traced into a SippResult that explains failures."""

from __future__ import annotations

import csv
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .peers import (
    LOOPBACK,
    Address,
    port_taken,
    reserve_ports,
    start_peer,
    stop_peer,
    wait_peer,
    wait_until,
)

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
EXIT_CODES = {
    0: "every call succeeded",
    1: "at least one call failed",
    97: "stopped early (global -timeout, or an internal stop command)",
    99: "ended without processing any call",
    254: "could not bind a socket",
    255: "fatal error (see stderr)",
}

_ENTITY = re.compile(r'<!ENTITY\s+(\w+)\s+SYSTEM\s+"([^"]+)"\s*>')
_DOCTYPE = re.compile(r"<!DOCTYPE\s+scenario\s*\[(.*?)\]>\s*", re.S)
_PARAMETERS = re.compile(r"^\s*(Keys|Variables):\s*(.+)$", re.M)
_TRACE_SEPARATOR = re.compile(r"^-{40,}.*$", re.M)
_AUTH_PARAM = re.compile(r'([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)')
_COMPACT_HEADERS = {
    "i": "call-id",
    "m": "contact",
    "e": "content-encoding",
    "l": "content-length",
    "c": "content-type",
    "f": "from",
    "s": "subject",
    "k": "supported",
    "t": "to",
    "v": "via",
}


def expand_scenario(path: Path) -> str:
    """The scenario with its external entities (``&invite;`` from ``<!ENTITY invite SYSTEM
    "fragments/invite.xml">``) replaced by the files' text: SIPp 3.6 cannot include files,
    so scenarios share their SIP messages this standard XML way and we expand them."""
    text = path.read_text(encoding="iso-8859-1")
    doctype = _DOCTYPE.search(text)
    if doctype is None:
        return text
    fragments = {
        name: (path.parent / href).read_text(encoding="iso-8859-1")
        for name, href in _ENTITY.findall(doctype.group(1))
    }
    body = text[: doctype.start()] + text[doctype.end() :]
    for name, fragment in fragments.items():
        body = body.replace(f"&{name};", fragment)
    return body


@dataclass(frozen=True)
class ScenarioParameters:
    """The -key keywords and -set variables a scenario declares in its header comment
    (``Keys: user, expires=3600``; ``Variables: expected_code=403``), with defaults."""

    keys: dict[str, str | None]
    variables: dict[str, str | None]

    @classmethod
    def of(cls, path: Path) -> ScenarioParameters:
        header = path.read_text(encoding="iso-8859-1").split("-->", 1)[0]
        declared: dict[str, dict[str, str | None]] = {"Keys": {}, "Variables": {}}
        for kind, names in _PARAMETERS.findall(header):
            for item in names.split(","):
                name, has_default, default = item.strip().partition("=")
                declared[kind][name] = default if has_default else None
        return cls(declared["Keys"], declared["Variables"])

    def merged(self, other: ScenarioParameters) -> ScenarioParameters:
        return ScenarioParameters(
            {**other.keys, **self.keys}, {**other.variables, **self.variables}
        )

    def resolve(
        self, keys: Mapping[str, str], variables: Mapping[str, str]
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Given values over defaults; ValueError for a missing or an undeclared one."""
        return _resolve("key", self.keys, keys), _resolve("variable", self.variables, variables)


def _resolve(
    kind: str, declared: Mapping[str, str | None], given: Mapping[str, str]
) -> dict[str, str]:
    unknown = set(given) - set(declared)
    if unknown:
        raise ValueError(f"undeclared {kind}(s) {sorted(unknown)}; declared: {sorted(declared)}")
    values = {name: given.get(name, default) for name, default in declared.items()}
    missing = [name for name, value in values.items() if value is None]
    if missing:
        raise ValueError(f"missing {kind}(s) {missing}")
    return {name: str(value) for name, value in values.items()}


@dataclass(frozen=True)
class SipMessage:
    """One message of SIPp's message trace, as SIPp sent or received it."""

    sent: bool
    start_line: str
    headers: tuple[tuple[str, str], ...]
    body: str

    @classmethod
    def parse(cls, text: str, *, sent: bool) -> SipMessage:
        head, _, body = text.replace("\r\n", "\n").strip("\n").partition("\n\n")
        start_line, *lines = head.split("\n")
        headers = []
        for line in lines:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        return cls(sent, start_line.strip(), tuple(headers), body.strip("\n"))

    @property
    def status(self) -> int | None:
        """The status code of a response, None for a request."""
        if not self.start_line.startswith("SIP/2.0 "):
            return None
        return int(self.start_line.split()[1])

    @property
    def method(self) -> str:
        """A request's method, or the method a response answers (from its CSeq)."""
        if self.status is None:
            return self.start_line.split()[0]
        return (self.header("CSeq") or " ").split()[-1]

    @property
    def request_uri(self) -> str | None:
        return None if self.status is not None else self.start_line.split()[1]

    @property
    def kind(self) -> str:
        """``"INVITE"`` for a request, ``"200"`` for a response: what received() takes."""
        return self.method if self.status is None else str(self.status)

    def header_values(self, name: str) -> list[str]:
        """Every value of a header, compact forms (``f`` for From...) included."""
        wanted = name.lower()
        return [
            value
            for header, value in self.headers
            if _COMPACT_HEADERS.get(header.lower(), header.lower()) == wanted
        ]

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    def summary(self) -> str:
        arrow = "->" if self.sent else "<-"
        if self.status is None:
            return f"{arrow} {self.start_line}"
        return f"{arrow} {self.start_line} ({self.method})"


def parse_message_trace(text: str) -> list[SipMessage]:
    """The messages of a -trace_msg file: blocks headed "UDP message sent (N bytes):" or
    "UDP message received [N] bytes :"; the repeats of unexpected messages are skipped."""
    messages = []
    for block in _TRACE_SEPARATOR.split(text):
        head, _, message = block.strip("\r\n").partition("\n")
        if " message sent " in head or " message received " in head:
            messages.append(SipMessage.parse(message, sent=" message sent " in head))
    return messages


def digest_challenge(value: str) -> dict[str, str]:
    """The parameters of a WWW-Authenticate/Proxy-Authenticate value, unquoted, with the
    scheme under ``"scheme"``."""
    scheme, _, params = value.strip().partition(" ")
    parsed = {"scheme": scheme}
    for name, raw in _AUTH_PARAM.findall(params):
        parsed[name.lower()] = raw[1:-1] if raw.startswith('"') else raw
    return parsed


@dataclass
class SippResult:
    """What one SIPp process did: exit code, call counts from its statistics, and its traces."""

    scenario: str
    returncode: int
    successful: int
    failed: int
    messages: list[SipMessage]
    logs: list[str]
    errors: str
    stderr: str
    work_dir: Path
    timed_out: bool = False

    @property
    def outcome(self) -> str:
        return EXIT_CODES.get(self.returncode, f"exit code {self.returncode}")

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.failed == 0 and not self.timed_out

    def received(self, kind: str) -> list[SipMessage]:
        """Messages received of a kind: a method (``"INVITE"``) or a status (``"401"``)."""
        return [m for m in self.messages if not m.sent and m.kind == kind]

    def sent(self, kind: str) -> list[SipMessage]:
        return [m for m in self.messages if m.sent and m.kind == kind]

    def logged(self, name: str) -> list[str]:
        """Values of the ``name=value`` lines that the scenario's <log> actions wrote."""
        prefix = f"{name}="
        return [line[len(prefix) :] for line in self.logs if line.startswith(prefix)]

    def challenges(self) -> list[dict[str, str]]:
        """Every digest challenge received, parsed (see digest_challenge)."""
        return [
            digest_challenge(value)
            for message in self.messages
            if not message.sent
            for name in ("WWW-Authenticate", "Proxy-Authenticate")
            for value in message.header_values(name)
        ]

    def flow(self) -> list[str]:
        """One line per message, in order: the call flow as SIPp saw it."""
        return [message.summary() for message in self.messages]

    def report(self) -> str:
        """Everything needed to understand a failed run, for assertion messages."""
        killed = "; killed at the harness's time limit" if self.timed_out else ""
        parts = [
            f"SIPp {self.scenario}: {self.outcome}; {self.successful} successful, "
            f"{self.failed} failed call(s){killed}",
            "flow:\n  " + "\n  ".join(self.flow() or ["(no message)"]),
        ]
        if self.errors.strip():
            parts.append(f"errors:\n{self.errors.strip()[-3000:]}")
        if self.stderr.strip():
            parts.append(f"stderr:\n{self.stderr.strip()[-2000:]}")
        parts.append(f"traces in {self.work_dir}")
        return "\n".join(parts)

    def assert_success(self, calls: int = 1) -> None:
        """SIPp exited 0 after exactly ``calls`` successful calls and no failed one."""
        assert self.ok and self.successful == calls, self.report()


class SippPeer:
    """One SIPp process started by the harness, until it ends or is stopped."""

    def __init__(
        self,
        scenario: str,
        process: subprocess.Popen[bytes],
        port: int,
        work_dir: Path,
        time_limit: float,
        local_ip: str = LOOPBACK,
    ) -> None:
        self.scenario = scenario
        self.process = process
        self.port = port
        self.work_dir = work_dir
        self.time_limit = time_limit
        self.local_ip = local_ip
        self._result: SippResult | None = None

    @property
    def address(self) -> Address:
        return (self.local_ip, self.port)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def logs(self) -> list[str]:
        path = self.work_dir / "logs.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def messages(self) -> list[SipMessage]:
        """The messages traced so far (SIPp writes its trace as it goes)."""
        path = self.work_dir / "messages.log"
        return parse_message_trace(path.read_text(errors="replace")) if path.exists() else []

    def wait_for_log(self, line: str, timeout: float = 10) -> None:
        """Wait until the scenario has logged ``line`` (registered_phone.xml logs
        "registered"); fails early with the SIPp report if the process ends first."""

        def logged_or_ended() -> bool:
            return line in self.logs() or not self.running

        wait_until(logged_or_ended, timeout, f"SIPp {self.scenario} to log {line!r}")
        if line not in self.logs():
            raise AssertionError(f"{line!r} never logged\n{self.wait(0).report()}")

    def wait(self, timeout: float | None = None) -> SippResult:
        """The result once SIPp ends by itself; killed (and marked timed out) if it is still
        running after ``timeout`` seconds (default: its -timeout plus 10 s)."""
        if self._result is None:
            limit = self.time_limit + 10 if timeout is None else timeout
            code = wait_peer(self.process, limit)
            timed_out = code is None
            if code is None:
                code = stop_peer(self.process)
            self._result = self._collect(code, timed_out)
        return self._result

    def stop(self) -> SippResult:
        """End it now (SIGTERM, SIPp's clean exit) and collect its result."""
        if self._result is None:
            self._result = self._collect(stop_peer(self.process), timed_out=False)
        return self._result

    def _collect(self, returncode: int, timed_out: bool) -> SippResult:
        successful = failed = 0
        stat = self.work_dir / "stat.csv"
        if stat.exists():
            rows = list(csv.reader(stat.read_text().splitlines(), delimiter=";"))
            if len(rows) > 1:
                last = dict(zip(rows[0], rows[-1], strict=False))
                successful = int(last.get("SuccessfulCall(C)", "0") or 0)
                failed = int(last.get("FailedCall(C)", "0") or 0)
        errors = self.work_dir / "errors.log"
        return SippResult(
            scenario=self.scenario,
            returncode=returncode,
            successful=successful,
            failed=failed,
            messages=self.messages(),
            logs=self.logs(),
            errors=errors.read_text(errors="replace") if errors.exists() else "",
            stderr=(self.work_dir / "stderr.log").read_text(errors="replace"),
            work_dir=self.work_dir,
            timed_out=timed_out,
        )


@dataclass
class Sipp:
    """The SIPp runs of one test, each in its own directory under ``root`` (the test's
    tmp_path), all stopped at the end of the test (stop_all)."""

    root: Path
    peers: list[SippPeer] = field(default_factory=list)

    def start(
        self,
        scenario: str,
        remote: Address | None = None,
        *,
        keys: Mapping[str, str] | None = None,
        variables: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        calls: int = 1,
        rate: int = 10,
        pause_ms: int = 0,
        timeout: float = 30,
        injection: Sequence[Sequence[str]] | None = None,
        out_of_call: str | None = None,
        service: str | None = None,
        extra_args: Sequence[str] = (),
        local_ip: str = LOOPBACK,
    ) -> SippPeer:
        """Start SIPp on ``scenario``: a file (``"uac_call.xml"`` in scenarios/, or a path)
        or a built-in scenario (``"uac"``, ``"uas"``: -sn), sending to ``remote`` (None for
        a UAS). ``keys``/``variables`` fill the file's declared -key/-set parameters
        (``{self}`` in a key stands for SIPp's own ip:port),
        ``auth`` is the (user, password) for digest challenges (-au/-ap), ``calls`` the
        number of calls (-m) after which SIPp exits, ``rate`` calls per second (-r),
        ``pause_ms`` the length of the scenario's <pause/> (-d), ``timeout`` SIPp's own
        time limit in seconds (-timeout), ``injection`` the rows of a -inf CSV file
        ([field0]...), ``out_of_call`` the scenario file for requests outside any call
        (-oocsf), ``service`` the [service] of built-in scenarios (-s), ``extra_args`` any
        other SIPp options (-t t1 for TCP, -l, -rp...), ``local_ip`` the loopback address
        to use (another 127.x address plays a different host, such as a carrier)."""
        name = Path(scenario).name
        work_dir = self.root / f"{len(self.peers):02d}-{Path(scenario).stem}"
        work_dir.mkdir(parents=True)
        port = reserve_ports(5)  # SIP, control, media; SIPp also binds media + 2
        command = ["sipp", "-i", local_ip, "-mi", local_ip, "-p", str(port)]
        command += ["-cp", str(port + 1), "-mp", str(port + 2), "-nostdin"]
        command += ["-m", str(calls), "-r", str(rate), "-d", str(pause_ms)]
        command += ["-timeout", f"{timeout:g}s", "-trace_stat", "-stf", "stat.csv", "-fd", "1"]
        command += ["-trace_err", "-error_file", "errors.log"]
        command += ["-trace_logs", "-log_file", "logs.log"]
        command += ["-trace_msg", "-message_file", "messages.log"]

        parameters = ScenarioParameters({}, {})
        if scenario.endswith(".xml"):
            main = _scenario_path(scenario)
            parameters = ScenarioParameters.of(main)
            command += ["-sf", str(_write_expanded(main, work_dir / name))]
        else:
            command += ["-sn", scenario]
        if out_of_call:
            ooc = _scenario_path(out_of_call)
            parameters = parameters.merged(ScenarioParameters.of(ooc))
            command += ["-oocsf", str(_write_expanded(ooc, work_dir / f"ooc-{ooc.name}"))]
        key_values, variable_values = parameters.resolve(keys or {}, variables or {})
        for key, value in key_values.items():
            command += ["-key", key, value.replace("{self}", f"{local_ip}:{port}")]
        for variable, value in variable_values.items():
            command += ["-set", variable, value]
        if auth:
            command += ["-au", auth[0], "-ap", auth[1]]
        if service:
            command += ["-s", service]
        if injection is not None:
            rows = "".join(";".join(row) + "\n" for row in injection)
            (work_dir / "injection.csv").write_text("SEQUENTIAL\n" + rows)
            command += ["-inf", "injection.csv"]
        command += extra_args
        if remote:
            command.append(f"{remote[0]}:{remote[1]}")
        (work_dir / "command").write_text(" ".join(command) + "\n")

        process = start_peer(
            command, stdout=work_dir / "screen.log", stderr=work_dir / "stderr.log", cwd=work_dir
        )
        peer = SippPeer(name, process, port, work_dir, timeout, local_ip)
        self.peers.append(peer)
        wait_until(
            lambda: port_taken(port, local_ip) or not peer.running, 10, f"SIPp {name} to listen"
        )
        return peer

    def run(self, scenario: str, remote: Address, **options: Any) -> SippResult:
        """Run a client scenario to its end (same options as start)."""
        return self.start(scenario, remote, **options).wait()

    def phone(
        self,
        registrar: Address,
        user: str,
        password: str,
        *,
        answer: str = "uas_answer.xml",
        calls: int = 1,
        wait_ms: int = 30000,
        expires: int = 3600,
        pause_ms: int = 0,
        claimed_address: str = "{self}",
        keys: Mapping[str, str] | None = None,
    ) -> SippPeer:
        """A phone registered as ``user`` that handles ``calls`` incoming calls with the
        ``answer`` scenario within ``wait_ms`` (calls=0: stays registered ``wait_ms``), then
        unregisters and exits (registered_phone.xml). Returns once it is registered.
        ``claimed_address`` is the ip:port it puts in Via and Contact: another one plays a
        phone behind NAT, which only its real source address reaches. ``keys`` fill the
        ``answer`` scenario's own keys."""
        peer = self.start(
            "registered_phone.xml",
            registrar,
            keys={
                "user": user,
                "expires": str(expires),
                "contact_address": claimed_address,
                **(keys or {}),
            },
            variables={"calls_left": str(calls), "wait_ms": str(wait_ms)},
            auth=(user, password),
            pause_ms=pause_ms,
            timeout=wait_ms / 1000 + 30,
            out_of_call=answer,
        )
        peer.wait_for_log("registered")
        return peer

    def stop_all(self) -> None:
        for peer in self.peers:
            if peer.running:
                peer.stop()


def _scenario_path(scenario: str) -> Path:
    path = Path(scenario)
    return path if path.is_absolute() else SCENARIOS / scenario


def _write_expanded(scenario: Path, target: Path) -> Path:
    target.write_text(expand_scenario(scenario), encoding="iso-8859-1")
    return target
