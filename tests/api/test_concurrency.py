"""Many requests at once through a real server: every one answered, none locked out."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter

import httpx
import uvicorn

from lawful.entrypoints.app import create_app

from .conftest import READING, Api

CONCURRENT = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _burst(base: str, token: str, paths: list[str]) -> Counter[int]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        responses = await asyncio.gather(
            *(
                client.get(
                    p, headers={"Authorization": f"Bearer {token}", "X-Lawful-Reason": READING}
                )
                for p in paths
            )
        )
    return Counter(r.status_code for r in responses)


def test_concurrent_checked_reads_are_all_answered(api: Api) -> None:
    """Each request holds the database's write lock (its ledger event) only for its own step:
    requests queue for the lock, not for threads while holding it."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(api.runtime), port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        token = api.token("advisor", api.alice)
        assert token is not None
        paths = [f"/api/v1/persons/{api.alice.id}"] * CONCURRENT
        statuses = asyncio.run(_burst(f"http://127.0.0.1:{port}", token, paths))
        assert statuses == Counter({200: CONCURRENT})
    finally:
        server.should_exit = True
        thread.join(timeout=20)
