"""Calls per second through the B2BUA (issue 3 benchmark; target >= 1,000 calls/s with
< 0.1 % failed calls).

SIPp plays the carrier (``-sn uac`` from 127.0.0.2, an IP-authenticated trunk) calling
Dulcinea's direct number; Telephonist answers as a B2BUA with media anchored (two RTP
endpoints per call) and rings her desk phone, which is a SIPp UAS registered with digest.
Steps up the rate until more than 0.1 % of calls fail or the time budget ends.
Prints ``calls_per_second=R``: the highest rate that passed (achieved rate).

With ``--compare-sippy`` the same load then goes through the Sippy B2BUA from PyPI
(SIPp uac -> sippy ``b2bua`` -> the same SIPp UAS), stepped the same way, and two more
lines follow: ``sippy_calls_per_second=S`` and ``ratio=R/S``. Sippy lives in a venv of its
own (``bench/.venv-sippy``, made on first use), never in the project's dependencies.
Details per step go to stderr as JSON."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchserver import (
    cpu_seconds,
    free_port,
    machine_busy_seconds,
    running,
    start,
    wait_until_quiet,
)

from telephonist.store.accounts import Account
from telephonist.store.telephony import Trunk

CARRIER_ADDRESS = "127.0.0.2"
DIRECT_NUMBER = "+14092402117"
SIPPY_VENV = Path(__file__).resolve().parent.parent / ".venv-sippy"
SIPPY_VERSION = "2.5.0"
# Sippy's b2bua with one UDP worker thread (no command-line switch exists): with its default
# three, sender threads reorder datagrams and 0.5-3.5 % of calls fail on a 180 relayed after
# the 200 at any rate (research sip-media.md §1.2), so one worker is its best configuration.
SIPPY_ONE_WORKER = (
    "import sys; import sippy.Udp_server as udp; udp.Udp_server_opts.nworkers = 1; "
    "from sippy.b2bua import main_func; sys.argv[0] = 'b2bua'; main_func()"
)
REGISTER = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register the desk phone at the UAS address">
  <send retrans="500"><![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      From: <sip:11103@[remote_ip]:[remote_port]>;tag=[call_number]
      To: <sip:11103@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:11103@127.0.0.1:{uas_port}>
      Max-Forwards: 70
      Expires: 3600
      Content-Length: 0

    ]]></send>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      From: <sip:11103@[remote_ip]:[remote_port]>;tag=[call_number]
      To: <sip:11103@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 2 REGISTER
      Contact: <sip:11103@127.0.0.1:{uas_port}>
      [authentication username=11103 password=sip11103demo]
      Max-Forwards: 70
      Expires: 3600
      Content-Length: 0

    ]]></send>
  <recv response="200"/>
</scenario>
"""


def add_carrier_trunk(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        account_id = connection.execute(select(Account.id).limit(1)).scalar_one()
        connection.execute(
            insert(Trunk).values(
                account_id=account_id,
                name="bench carrier",
                host=CARRIER_ADDRESS,
                port=5060,
                transport="udp",
                auth_mode="ip",
                username="",
                password="",
                allowed_addresses=[CARRIER_ADDRESS],
                number_format="e164",
                enabled=True,
            )
        )
    engine.dispose()


def uas_scenario(workdir: Path) -> Path:
    """SIPp's built-in UAS, but with ``transport=udp`` in its Contact: Sippy 2.5 compares the
    transport case-sensitively, fails on SIPp's ``UDP`` and never forwards the BYE. Both
    B2BUAs get this same UAS so that they carry the same load."""
    dumped = subprocess.run(  # sipp -sd exits 99 after dumping
        ["sipp", "-sd", "uas"], capture_output=True, text=True, check=False, timeout=30
    ).stdout
    if ";transport=[transport]" not in dumped:
        raise RuntimeError(f"unexpected `sipp -sd uas` output: {dumped[:200]!r}")
    scenario = workdir / "uas.xml"
    scenario.write_text(dumped.replace(";transport=[transport]", ";transport=udp"))
    return scenario


def statistics(report: str, label: str) -> int:
    """The cumulative column of one line of SIPp's final statistics screen."""
    for line in report.splitlines():
        if line.strip().startswith(label):
            return int(line.split("|")[2].split()[0])
    return 0


def step(target: str, cpu: Callable[[], float], rate: int, seconds: float) -> dict[str, float]:
    """One rate for ``seconds``: a bounded SIPp uac run (``-m``, ``-timeout``) at ``target``."""
    calls = int(rate * seconds)
    busy_before = wait_until_quiet()
    cpu_before, machine_before = cpu(), machine_busy_seconds()
    started = time.monotonic()
    completed = subprocess.run(
        [
            "sipp",
            "-sn",
            "uac",
            "-s",
            DIRECT_NUMBER,
            "-i",
            CARRIER_ADDRESS,
            "-p",
            str(free_port()),
            "-m",
            str(calls),
            "-r",
            str(rate),
            "-l",
            str(rate * 3),
            "-nostdin",
            "-timeout",
            f"{seconds * 4 + 30:.0f}s",
            "-recv_timeout",
            "8000",
            "-max_socket",
            "1000",
            target,
        ],
        capture_output=True,
        text=True,
        timeout=seconds * 6 + 60,
        check=False,
    )
    elapsed = time.monotonic() - started
    succeeded = statistics(completed.stdout, "Successful call")
    failed = statistics(completed.stdout, "Failed call")
    return {
        "offered": rate,
        "calls": calls,
        "succeeded": succeeded,
        "failed": failed,
        "failed_percent": round(100 * failed / max(calls, 1), 3),
        "achieved": round(succeeded / elapsed, 1),
        "seconds": round(elapsed, 1),
        "b2bua_cpu_cores": round((cpu() - cpu_before) / elapsed, 2),
        "machine_cpu_cores": round((machine_busy_seconds() - machine_before) / elapsed, 2),
        "busy_cores_before": busy_before,
    }


def search(
    name: str, target: str, cpu: Callable[[], float], arguments: argparse.Namespace
) -> float:
    """Step the rate up by ``--factor`` until a step fails >= 0.1 % of its calls or the
    time budget would be passed; the best achieved rate of the steps that passed."""
    best = 0.0
    deadline = time.monotonic() + arguments.max_seconds
    rate = float(arguments.start)
    while time.monotonic() + arguments.seconds * 2 < deadline:
        result = step(target, cpu, int(rate), arguments.seconds)
        print(json.dumps({"b2bua": name, **result}), file=sys.stderr, flush=True)
        if result["failed_percent"] >= 0.1:
            break
        best = max(best, result["achieved"])
        rate *= arguments.factor
    return best


def measure_ours(arguments: argparse.Namespace, uas_port: int, workdir: Path) -> float:
    server = start({"TELEPHONIST_RING_TIMEOUT": "20"})
    try:
        add_carrier_trunk(server.database_url)
        register = workdir / "register.xml"
        register.write_text(REGISTER.replace("{uas_port}", str(uas_port)))
        subprocess.run(
            [
                "sipp",
                "-sf",
                str(register),
                "-i",
                "127.0.0.1",
                "-p",
                str(free_port()),
                "-m",
                "1",
                "-nostdin",
                f"127.0.0.1:{server.sip_port}",
            ],
            check=True,
            capture_output=True,
            timeout=30,
            cwd=workdir,
        )
        time.sleep(6)  # the SIP directory picks up the trunk written by this process
        return search("telephonist", f"127.0.0.1:{server.sip_port}", server.cpu_seconds, arguments)
    finally:
        server.stop()


def sippy_python() -> Path:
    """The bench-only venv's interpreter, with Sippy installed on first use."""
    python = SIPPY_VENV / "bin" / "python"
    if not (SIPPY_VENV / "bin" / "b2bua").exists():
        venv.create(SIPPY_VENV, with_pip=True, clear=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"sippy=={SIPPY_VERSION}"],
            check=True,
            timeout=600,
        )
    return python


def measure_sippy(arguments: argparse.Namespace, uas_port: int, workdir: Path) -> float:
    port = free_port()
    command = [
        str(sippy_python()),
        "-c",
        SIPPY_ONE_WORKER,
        "-f",  # foreground
        "-u",  # no RADIUS authentication
        "-A",
        "0",  # no accounting
        "-l",
        "127.0.0.1",
        "-p",
        str(port),
        "-s",
        f"127.0.0.1:{uas_port}",  # every call to the SIPp UAS
        "-P",
        str(workdir / "b2bua.pid"),
        "-c",
        str(workdir / "b2bua.sock"),
    ]
    # No per-message log: it barely changes Sippy's rate (research §1.2) and keeps disk
    # writes of ~6 kB per call out of the figure.
    environment = {**os.environ, "SIPLOG_LVL": "ERR"}
    with (
        (workdir / "sippy.log").open("wb") as log,
        running(command, stdout=log, stderr=subprocess.STDOUT, env=environment) as b2bua,
    ):
        time.sleep(2)
        if b2bua.poll() is not None:
            raise RuntimeError((workdir / "sippy.log").read_text())
        return search("sippy", f"127.0.0.1:{port}", lambda: cpu_seconds(b2bua.pid), arguments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--start", type=int, default=100, help="first rate (calls/s)")
    parser.add_argument("--factor", type=float, default=1.5, help="rate growth per step")
    parser.add_argument("--seconds", type=float, default=8, help="length of each step")
    parser.add_argument(
        "--max-seconds", type=float, default=240, help="time budget of each B2BUA's search"
    )
    parser.add_argument(
        "--compare-sippy",
        action="store_true",
        help="also step the same load through Sippy's b2bua and print the ratio",
    )
    arguments = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="telephonist-call-rate-"))
    uas_port = free_port()
    uas_command = ["sipp", "-sf", str(uas_scenario(workdir)), "-i", "127.0.0.1"]
    uas_command += ["-p", str(uas_port), "-nostdin", "-max_socket", "1000"]
    with running(uas_command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir):
        ours = measure_ours(arguments, uas_port, workdir)
        print(f"calls_per_second={round(ours)}", flush=True)
        if arguments.compare_sippy:
            sippy = measure_sippy(arguments, uas_port, workdir)
            print(f"sippy_calls_per_second={round(sippy)}")
            print(f"ratio={ours / sippy:.2f}" if sippy else "ratio=inf")


if __name__ == "__main__":
    main()
