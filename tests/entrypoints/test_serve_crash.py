"""`lawful serve` killed with SIGKILL while staff read a file over HTTP from many connections:
every read that was answered has its ledger event in the database afterwards.

Each read carries its own reason (`X-Lawful-Reason`), which the ledger keeps in the event's
encrypted details; after the kill, every reason answered with 200 must be found there. Reads run
concurrently so that the server writes their events by group commit, many per transaction."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

from lawful.core.db import create_engine, session_scope, upgrade
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.register.load import load_register
from lawful.core.vault.keys import Keyring
from lawful.demo import tokens, world
from lawful.rights.state import DbSubjectStates

LAWFUL = [sys.executable, "-c", "from lawful.entrypoints.cli import main; main()"]
CONNECTIONS = 8
LOAD_SECONDS = 2.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _world(url: str, keyring: Keyring) -> tuple[list[str], str]:
    """A small demo world; (its showcase customers, an advisor's token)."""
    register = load_register()
    engine = create_engine(url)
    try:
        gate = Gate.build(register, DbSubjectStates(), keyring)
        summary = world.build(
            engine, register, gate, customers_count=40, seed=3, progress=lambda *_: None
        )
        issued = tokens.issue(engine, gate, summary.showcase)
    finally:
        engine.dispose()
    return sorted(summary.showcase.values()), next(t.token for t in issued if t.role == "advisor")


def _reasons_on_record(url: str, keyring: Keyring, person: str) -> set[str]:
    engine = create_engine(url)
    try:
        with session_scope(engine, read_only=True) as session:
            records = ledger.for_subject(session, keys=keyring, subject_id=person)
            found = set()
            for record in records:
                if record.event != "customers.person.read" or record.decision.value != "allow":
                    continue
                details = ledger.details(session, keys=keyring, record=record)
                if isinstance(details, dict) and "reason" in details:
                    found.add(details["reason"])
    finally:
        engine.dispose()
    return found


def test_every_answered_read_is_on_record_after_the_server_is_killed(
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
    lawful_home: Path,
    keyring: Keyring,
) -> None:
    with database_of_its_own("crash") as url:
        upgrade(url)
        customers, advisor = _world(url, keyring)
        port = _port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "LAWFUL_DATABASE_URL": url, "LAWFUL_HOME": str(lawful_home)}
        server = subprocess.Popen(
            [*LAWFUL, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                try:
                    httpx.get(base + "/api/v1/openapi.json", timeout=1)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.2)
            auth = {"Authorization": f"Bearer {advisor}"}
            person = next(
                p
                for p in customers
                if httpx.get(
                    f"{base}/api/v1/persons/{p}", headers={**auth, "X-Lawful-Reason": "warm-up"}
                ).status_code
                == 200
            )
            answered: list[str] = []
            stop = threading.Event()

            def read(worker: int) -> None:
                with httpx.Client(base_url=base, timeout=10) as client:
                    n = 0
                    while not stop.is_set():
                        reason = f"crash test {worker}-{n}"
                        n += 1
                        try:
                            response = client.get(
                                f"/api/v1/persons/{person}",
                                headers={**auth, "X-Lawful-Reason": reason},
                            )
                        except httpx.TransportError:
                            return  # the server is gone: this read was never answered
                        assert response.status_code == 200, response.text
                        answered.append(reason)

            workers = [threading.Thread(target=read, args=(i,)) for i in range(CONNECTIONS)]
            for worker in workers:
                worker.start()
            time.sleep(LOAD_SECONDS)
            server.send_signal(signal.SIGKILL)  # mid-flight: reads are being answered
            server.wait(timeout=30)
            stop.set()
            for worker in workers:
                worker.join(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        assert len(answered) > CONNECTIONS, "too few reads answered to show anything"
        on_record = _reasons_on_record(url, keyring, person)
        lost = [reason for reason in answered if reason not in on_record]
        assert lost == [], f"{len(lost)} of {len(answered)} answered reads lost: {lost[:5]}"
