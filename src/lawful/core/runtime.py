"""What a running installation holds for its whole life: built once by the composition root
(`lawful.entrypoints.bootstrap`) and handed to the app, the command line, the demo and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from lawful.core.gate import Gate
from lawful.core.ledger.group import GroupCommit
from lawful.core.register.models import Register
from lawful.core.vault.keys import Keyring


@dataclass(frozen=True)
class Runtime:
    engine: Engine
    register: Register
    gate: Gate
    # The installation's home: where what it makes for itself is kept (its trained models). None
    # for a runtime built in memory.
    home: Path | None = None
    # Shared by the process's requests that only read: their ledger entries, one fsync per batch.
    commits: GroupCommit = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "commits", GroupCommit(self.engine))

    @property
    def reads_on_loop(self) -> bool:
        """Whether the API answers reads on its event loop rather than in worker threads: on
        SQLite, whose reads cost microseconds of CPU and no network round trip (in threads, they
        mostly wait for Python's interpreter lock); not on PostgreSQL, whose round trips would
        stall the loop."""
        return self.engine.dialect.name == "sqlite"

    @property
    def keys(self) -> Keyring:
        return self.gate.keys
