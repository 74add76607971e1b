"""Held registrations and REGISTER/s (issue 3 benchmark; targets: >= 20,000 held and
>= 2,000 REGISTER/s).

Writes N devices into a fresh server's database, registers all of them with digest
authentication at a given rate from a load generator in another process (each
registration is a REGISTER, its 401, an authenticated REGISTER and its 200; see
loadgen.py), then checks the server holds all N bindings.
Prints one line, ``register_per_second=R``: the completed registrations per second;
details (held count, failures, server CPU) go to stderr."""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen
from benchserver import start

from telephonist.store.accounts import Account
from telephonist.store.devices import Device


def add_devices(database_url: str, count: int) -> list[tuple[str, str]]:
    """N softphones without an extension (enough to register); returns their credentials."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        account_id = connection.execute(select(Account.id).limit(1)).scalar_one()
        connection.execute(
            insert(Device),
            [
                {
                    "account_id": account_id,
                    "kind": "SoftPhone",
                    "name": f"bench {index}",
                    "model": "",
                    "serial": "",
                    "sip_username": f"bench{index:06d}",
                    "sip_password": f"pw{index:06d}",
                    "default_area_code": "",
                    "bandwidth": "High",
                    "hd_voice": False,
                    "expansion_modules": 0,
                }
                for index in range(count)
            ],
        )
    engine.dispose()
    return [(f"bench{index:06d}", f"pw{index:06d}") for index in range(count)]


def _generate(
    target: tuple[str, int], users: list[tuple[str, str]], rate: int, queue: object
) -> None:
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    result = runner(loadgen.run(target, users, rate))
    queue.put(result)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=20000)
    parser.add_argument("--rate", type=int, default=2500, help="registrations started per second")
    arguments = parser.parse_args()
    server = start()
    try:
        users = add_devices(server.database_url, arguments.devices)
        time.sleep(6)  # the SIP directory picks up devices written by another process
        cpu_before = server.cpu_seconds()
        queue: multiprocessing.Queue[loadgen.Result] = multiprocessing.Queue()
        generator = multiprocessing.Process(
            target=_generate, args=(("127.0.0.1", server.sip_port), users, arguments.rate, queue)
        )
        generator.start()
        result = queue.get(timeout=900)
        generator.join()
        cpu = server.cpu_seconds() - cpu_before
        elapsed = max(result.last_done - result.first_start, 1e-9)
        succeeded, failed = result.completed, result.failed
        time.sleep(1.5)
        token = _admin_token(server.http_port)
        counters = httpx.get(
            f"http://127.0.0.1:{server.http_port}/restapi/v1.0/telephonist/diagnostics",
            headers={"Authorization": f"Bearer {token}"},
        ).json()["sip"]
        details = {
            "devices": arguments.devices,
            "offered_rate": arguments.rate,
            "succeeded": succeeded,
            "failed": failed,
            "seconds": round(elapsed, 2),
            "held": counters["registrations"],
            "server_cpu_seconds": round(cpu, 2),
            "unanswered": result.unanswered,
            "failure_statuses": result.statuses,
            "p99_ms": round(statistics.quantiles(result.latencies, n=100)[98] * 1000, 1)
            if len(result.latencies) > 100
            else None,
        }
        print(json.dumps(details), file=sys.stderr)
        print(f"register_per_second={round(succeeded / elapsed) if elapsed else 0}")
    finally:
        server.stop()


def _admin_token(http_port: int) -> str:
    response = httpx.post(
        f"http://127.0.0.1:{http_port}/restapi/oauth/token",
        auth=("demo-client", "demo-secret"),
        data={
            "grant_type": "password",
            "username": "hank.hillos@demo.example",
            "password": "Welcome#2026",
        },
    )
    return str(response.json()["access_token"])


if __name__ == "__main__":
    main()
