"""The verifications run on the ledger, kept: each run's result, who ran it, when, how long.

A verification only reads the log; its result is written afterwards in a transaction of its own,
so that a long check holds no write lock and a tampered log is recorded as such."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.ledger.models import LedgerVerification
from lawful.core.ledger.records import Problem, VerifyResult

CLI = "cli"  # who ran a verification from the command line (or a scheduler calling it)
MESSAGE_MAX = 500


@dataclass(frozen=True, slots=True)
class Verification:
    """One verification run, as kept."""

    started_at: dt.datetime
    finished_at: dt.datetime
    tree_size: int
    events: int
    heads: int
    intact: bool
    first_bad: int | None
    problem: Problem | None
    message: str
    run_by: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Timed:
    """A verification's result with when it started and ended."""

    result: VerifyResult
    started_at: dt.datetime
    finished_at: dt.datetime
    seconds: float


def timed(check: Callable[[], VerifyResult]) -> Timed:
    started_at = utcnow()
    started = time.monotonic()
    result = check()
    return Timed(result, started_at, utcnow(), time.monotonic() - started)


def keep(session: Session, run: Timed, *, run_by: str) -> Verification:
    """Record the run in the caller's transaction."""
    result = run.result
    row = Verification(
        started_at=run.started_at,
        finished_at=run.finished_at,
        tree_size=result.tree_size,
        events=result.events,
        heads=result.heads,
        intact=result.ok,
        first_bad=result.first_bad,
        problem=result.problem,
        message=result.message[:MESSAGE_MAX],
        run_by=run_by[:120],
        seconds=round(run.seconds, 3),
    )
    values = {f: getattr(row, f) for f in Verification.__slots__}
    values["problem"] = row.problem.value if row.problem is not None else None
    session.execute(sa.insert(LedgerVerification).values(**values))
    return row


def _of(row: LedgerVerification) -> Verification:
    return Verification(
        started_at=row.started_at,
        finished_at=row.finished_at,
        tree_size=row.tree_size,
        events=row.events,
        heads=row.heads,
        intact=row.intact,
        first_bad=row.first_bad,
        problem=Problem(row.problem) if row.problem else None,
        message=row.message,
        run_by=row.run_by,
        seconds=row.seconds,
    )


def recent(session: Session, *, limit: int = 10) -> list[Verification]:
    """The latest runs, newest first."""
    rows = session.scalars(
        sa.select(LedgerVerification)
        .order_by(LedgerVerification.finished_at.desc(), LedgerVerification.id.desc())
        .limit(limit)
    )
    return [_of(r) for r in rows]


def last_intact(session: Session) -> Verification | None:
    """The latest run that found the ledger intact."""
    row = session.scalars(
        sa.select(LedgerVerification)
        .where(LedgerVerification.intact.is_(True))
        .order_by(LedgerVerification.finished_at.desc(), LedgerVerification.id.desc())
        .limit(1)
    ).first()
    return _of(row) if row is not None else None
