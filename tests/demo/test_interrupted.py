"""`lawful demo` killed while it builds: nothing half-built is ever taken for a world."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

LAWFUL = str(Path(sys.executable).with_name("lawful"))


def test_a_demo_killed_mid_build_leaves_no_half_world(tmp_path: Path) -> None:
    db = tmp_path / "lawful.db"
    env = {
        **os.environ,
        "LAWFUL_HOME": str(tmp_path / "home"),
        "LAWFUL_DATABASE_URL": f"sqlite:///{db}",
    }
    demo = [LAWFUL, "demo", "--no-serve", "--no-statements", "--out", str(tmp_path / "out")]
    building = tmp_path / "lawful.db.building"
    victim = subprocess.Popen(
        [*demo, "--customers", "20000"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    # Killed once the world is being written: its customers are in the file, half done.
    while not (building.exists() and building.stat().st_size > 2_000_000):
        assert victim.poll() is None, "the demo ended before it could be interrupted"
        assert time.monotonic() < deadline, "the build never started"
        time.sleep(0.1)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)

    # The configured database is the empty one `init` made, not a half world.
    verify = subprocess.run(
        [LAWFUL, "ledger", "verify"], env=env, capture_output=True, text=True, check=False
    )
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.strip() == "ledger intact: 0 events, no signed head yet"

    again = subprocess.run(
        [*demo, "--customers", "30"], env=env, capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    assert "demo world: 30 customers" in again.stdout
    assert "ledger intact" in again.stdout
    assert not building.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("lawful.db.building")]
