"""The SIP edge keeps working whatever it is sent (issue 3 item 1 and 7): every RFC 4475
and RFC 5118 torture message over UDP and TCP, with the server in a network namespace of
its own (loopback only) so that nothing those messages name can be reached."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO

pytestmark = pytest.mark.sip


def test_server_survives_every_torture_message_and_still_answers_options(tmp_path: Path) -> None:
    script = Path(__file__).with_name("torture_in_netns.py")
    completed = subprocess.run(
        ["unshare", "--net", "--", sys.executable, str(script), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=REPO,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr + (tmp_path / "server.log").read_text()
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["fixtures"] >= 59
    assert result["alive"] is True
    assert result["udp_answers"] > 0, "answerable malformed requests get a 400 or more"
    assert result["options_udp"] == "SIP/2.0 200 OK"
    assert result["options_tcp"] == "SIP/2.0 200 OK"
