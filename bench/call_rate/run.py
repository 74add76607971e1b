"""Calls per second through the B2BUA (issue 3 benchmark; target >= 1,000 calls/s with
< 0.1 % failed calls).

SIPp plays the carrier (``-sn uac`` from 127.0.0.2, an IP-authenticated trunk) calling
Dulcinea's direct number; Telephonist answers as a B2BUA with media anchored (two RTP
endpoints per call) and rings her desk phone, which is a SIPp ``-sn uas`` registered with
digest. Steps up the rate until more than 0.1 % of calls fail or the time budget ends.
Prints one line, ``calls_per_second=R``: the highest rate that passed (achieved rate);
details per step go to stderr as JSON."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchserver import BenchServer, free_port, start  # noqa: E402

from telephonist.store.accounts import Account  # noqa: E402
from telephonist.store.telephony import Trunk  # noqa: E402

CARRIER_ADDRESS = "127.0.0.2"
DIRECT_NUMBER = "+14092402117"
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


def statistics(report: str, label: str) -> int:
    """The cumulative column of one line of SIPp's final statistics screen."""
    for line in report.splitlines():
        if line.strip().startswith(label):
            return int(line.split("|")[2].split()[0])
    return 0


def step(server: BenchServer, rate: int, seconds: float) -> dict[str, float]:
    calls = int(rate * seconds)
    cpu_before = server.cpu_seconds()
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
            f"127.0.0.1:{server.sip_port}",
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
        "server_cpu_share": round((server.cpu_seconds() - cpu_before) / elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--start", type=int, default=100, help="first rate (calls/s)")
    parser.add_argument("--factor", type=float, default=1.5, help="rate growth per step")
    parser.add_argument("--seconds", type=float, default=8, help="length of each step")
    parser.add_argument("--max-seconds", type=float, default=240, help="time budget")
    arguments = parser.parse_args()
    server = start({"TELEPHONIST_RING_TIMEOUT": "20"})
    uas_port = free_port()
    workdir = Path(tempfile.mkdtemp())
    uas = subprocess.Popen(
        [
            "sipp",
            "-sn",
            "uas",
            "-i",
            "127.0.0.1",
            "-p",
            str(uas_port),
            "-nostdin",
            "-max_socket",
            "1000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=workdir,
    )
    best = 0.0
    try:
        add_carrier_trunk(server.database_url)
        scenario = workdir / "register.xml"
        scenario.write_text(REGISTER.replace("{uas_port}", str(uas_port)))
        subprocess.run(
            [
                "sipp",
                "-sf",
                str(scenario),
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
        deadline = time.monotonic() + arguments.max_seconds
        rate = float(arguments.start)
        while time.monotonic() + arguments.seconds * 2 < deadline:
            result = step(server, int(rate), arguments.seconds)
            print(json.dumps(result), file=sys.stderr)
            if result["failed_percent"] >= 0.1:
                break
            best = max(best, result["achieved"])
            rate *= arguments.factor
    finally:
        uas.terminate()
        uas.wait(timeout=10)
        server.stop()
    print(f"calls_per_second={round(best)}")


if __name__ == "__main__":
    main()
