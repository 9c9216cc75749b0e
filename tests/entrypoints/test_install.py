"""An installation from the outside: `lawful init`, the exit codes when it is missing, `serve`."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from lawful.config import Settings
from lawful.core.db import create_engine, session_scope
from lawful.core.errors import ConfigurationError
from lawful.core.ledger import service as ledger
from lawful.core.vault import keys
from lawful.entrypoints import bootstrap

LAWFUL = str(Path(sys.executable).with_name("lawful"))


def lawful(
    home: Path, url: str, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LAWFUL_HOME": str(home), "LAWFUL_DATABASE_URL": url}
    return subprocess.run(
        [LAWFUL, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_init_makes_private_keys_and_database_once(tmp_path: Path) -> None:
    home, db = tmp_path / "home", tmp_path / "data" / "lawful.db"
    first = lawful(home, f"sqlite:///{db}", "init")
    assert first.returncode == 0, first.stderr
    assert "keys created in" in first.stdout and "database created" in first.stdout
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "keys").stat().st_mode) == 0o700
    made = {p.name: p.read_bytes() for p in (home / "keys").iterdir() if p.suffix == ".key"}
    again = lawful(home, f"sqlite:///{db}", "init")
    assert again.returncode == 0 and "keys already in" in again.stdout
    assert {p.name: p.read_bytes() for p in (home / "keys").iterdir() if p.suffix == ".key"} == made


@pytest.mark.parametrize(
    "command",
    [
        ["ledger", "verify"],
        ["ledger", "checkpoint"],
        ["rights", "retention"],
        ["rights", "replay-erasures"],
        ["keys", "status"],
        ["keys", "rotate"],
        ["serve", "--port", "9"],
    ],
)
def test_without_init_every_command_stops_with_one_line_and_exit_2(
    tmp_path: Path, command: list[str]
) -> None:
    home, db = tmp_path / "home", tmp_path / "lawful.db"
    result = lawful(home, f"sqlite:///{db}", *command)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "lawful init" in result.stderr
    assert not db.exists() and not home.exists()  # nothing was created on the way


def test_init_refuses_new_keys_for_a_ledger_made_with_other_keys(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'l.db'}", home=tmp_path / "home")
    bootstrap.init(settings)
    engine = create_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            ledger.record(
                session,
                keys=keys.open_keyring(settings.keys_dir),
                event=ledger.NewEvent(
                    event="customers.person.read",
                    actor="advisor",
                    actor_kind="staff",
                    entity="kbc-bank",
                    purpose="customer-file",
                    legal_basis="legitimate_interests",
                    decision="allow",
                    subject_id="p-1",
                ),
            )
    finally:
        engine.dispose()
    for path in settings.keys_dir.iterdir():
        path.unlink()  # the keys folder lost: new keys would split every pseudonym
    with pytest.raises(ConfigurationError, match="restore the keys from their backup"):
        bootstrap.init(settings)
    assert not keys.keyring_exists(settings.keys_dir)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_answers_with_docs_that_need_no_internet(tmp_path: Path) -> None:
    home, url = tmp_path / "home", f"sqlite:///{tmp_path / 'l.db'}"
    assert lawful(home, url, "init").returncode == 0
    port = _free_port()
    env = {**os.environ, "LAWFUL_HOME": str(home), "LAWFUL_DATABASE_URL": url}
    server = subprocess.Popen(
        [LAWFUL, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Two workers start on a shared machine: a minute has not always been enough.
        deadline = time.monotonic() + 180
        while True:
            try:
                docs = httpx.get(f"{base}/docs", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert docs.status_code == 200
        assert "https://" not in docs.text  # no script or style from a CDN
        scripts = [part.split('"')[1] for part in docs.text.split("src=")[1:]]
        assert scripts and all(s.startswith("/") for s in scripts)
        for script in scripts:
            assert httpx.get(f"{base}{script}", timeout=5).status_code == 200
        me = httpx.get(f"{base}/api/v1/me", timeout=5)
        assert me.status_code == 401
        assert me.headers["content-type"] == "application/problem+json"
        assert "server" not in me.headers
    finally:
        server.terminate()
        server.wait(timeout=30)
