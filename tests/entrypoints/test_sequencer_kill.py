"""`lawful ledger sequence --follow` killed with SIGKILL again and again, at random moments, while
entries keep arriving: every entry ends up in the log exactly once and the tree verifies."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import sqlalchemy as sa

from lawful.core.db import create_engine, session_scope, upgrade
from lawful.core.ledger import service as ledger
from lawful.core.ledger.service import NewEvent
from lawful.core.vault.keys import Keyring

KILLS = 6
BATCH = 150
ROUND = 3_000  # entries appended before each start
LAWFUL = [sys.executable, "-c", "from lawful.entrypoints.cli import main; main()"]


def _events(round_: int, n: int) -> list[NewEvent]:
    return [
        NewEvent(
            event="customers.person.read",
            actor="branch-advisor",
            actor_kind="staff",
            entity="kbc-bank",
            purpose="customer-file",
            legal_basis="legitimate_interests",
            decision="allow",
            subject_id=f"customer-{round_}-{i % 50}",
            details={"round": round_, "i": i},
            actor_ref=f"staff-{i % 7}",
        )
        for i in range(n)
    ]


def _state(engine: sa.Engine) -> tuple[int, int]:
    with session_scope(engine, read_only=True) as session:
        counts = ledger.counts(session)
    return counts.sequenced, counts.pending


def test_a_sequencer_killed_at_random_moments_loses_and_repeats_nothing(
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
    lawful_home: Path,
    keyring: Keyring,
) -> None:
    rng = random.Random(20261207)
    with database_of_its_own("kill") as url:
        upgrade(url)
        engine = create_engine(url)
        env = {**os.environ, "LAWFUL_DATABASE_URL": url, "LAWFUL_HOME": str(lawful_home)}
        follow = [*LAWFUL, "ledger", "sequence", "--follow", "--batch", str(BATCH)]
        appended = 0
        killed_mid_work = 0
        try:
            for round_ in range(KILLS):
                with session_scope(engine) as session:
                    ledger.append(session, keys=keyring, events=_events(round_, ROUND))
                appended += ROUND
                before, _ = _state(engine)
                worker = subprocess.Popen(
                    [*follow, "--interval", "0.02"], env=env, stderr=subprocess.PIPE
                )
                # Let it get a random part of the way through, then kill it at a random instant
                # (most likely inside a batch's transaction).
                target = before + int(ROUND * rng.uniform(0.1, 0.6))
                deadline = time.monotonic() + 60
                while _state(engine)[0] < target and time.monotonic() < deadline:
                    assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
                    time.sleep(0.002)
                time.sleep(rng.uniform(0.0, 0.01))
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                assert worker.returncode == -signal.SIGKILL
                killed_mid_work += _state(engine)[1] > 0
            assert killed_mid_work >= KILLS // 2, "the kills all came after the work was done"
            done = subprocess.run(
                [*LAWFUL, "ledger", "sequence", "--once"], env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
            with session_scope(engine, read_only=True) as session:
                result = ledger.verify(session, keys=keyring)
                entry_ids = session.execute(sa.text("SELECT entry_id FROM ledger_leaf"))
                ids = entry_ids.scalars().all()
            assert result.ok, result.summary()
            assert (result.events, result.pending) == (appended, 0)
            assert len(ids) == len(set(ids)) == appended  # each entry once, none lost
        finally:
            engine.dispose()
