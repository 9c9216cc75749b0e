"""The demo world holds former clients whose file has outlived its period: the retention job finds
and erases every one of them, in batches, and finds nothing the second time."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from lawful.core.db import create_engine, upgrade
from lawful.core.gate import Gate, unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.register.load import load_register
from lawful.core.vault.keys import Keyring
from lawful.customers import service as customers
from lawful.demo import world
from lawful.flows import retention as job
from lawful.rights.state import DbSubjectStates


def test_the_retention_job_erases_the_worlds_expired_former_clients(
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
    keyring: Keyring,
) -> None:
    register = load_register()
    with database_of_its_own("retention-world") as url:
        engine = create_engine(url)
        upgrade(engine)
        gate = Gate.build(register, DbSubjectStates(), keyring)
        world.build(engine, register, gate, customers_count=300, seed=11, progress=lambda *_: None)
        day = world.TODAY
        ended_before = job.file_retention_end(register, day)
        with unit_of_work(engine) as session:
            expired = customers.former_clients(
                session, ended_before=ended_before, today=day, after="", limit=10_000
            )
        assert len(expired) >= 3, "the world has former clients past their file's period"
        run = job.RetentionRun()
        while not run.done:  # one transaction per batch, as the command runs it
            with unit_of_work(engine) as session:
                job.retention_batch(session, gate=gate, today=day, run=run, batch=2)
        assert run.former_clients_erased == len(expired) and run.refused == 0
        assert run.batches >= len(expired) // 2
        with unit_of_work(engine) as session:
            left = customers.former_clients(
                session, ended_before=ended_before, today=day, after="", limit=10_000
            )
            again = job.run_retention(session, gate=gate, today=day)
            assert ledger.verify(session, keys=keyring).ok
        assert left == [] and again.former_clients_erased == 0 and again.batches == 0
        engine.dispose()
