"""Complaints as handed out: the register's facts, the sealed texts opened, whether overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from lawful.complaints import repository
from lawful.complaints.models import Complaint
from lawful.complaints.schemas import ComplaintRead, Status, StepRead
from lawful.core.gate import Gate
from lawful.core.vault import service as vault


def read(
    session: Session, gate: Gate, row: Complaint, today: dt.date, *, steps: bool
) -> ComplaintRead:
    return read_many(session, gate, [row], today, steps=steps)[0]


def read_many(
    session: Session,
    gate: Gate,
    rows: Sequence[Complaint],
    today: dt.date,
    *,
    steps: bool,
    summaries: bool = True,
) -> list[ComplaintRead]:
    by_complaint = repository.steps_of(session, [r.id for r in rows]) if steps else {}
    sealed: list[tuple[str, bytes]] = []
    if summaries:
        sealed += [(r.person_id, r.summary) for r in rows if r.summary is not None]
    sealed += [
        (r.person_id, s.reason)
        for r in rows
        for s in by_complaint.get(r.id, ())
        if s.reason is not None
    ]
    opened = iter(vault.decrypt_items(session, keys=gate.keys, items=sealed))

    def text() -> str | None:
        value = next(opened)
        return value.decode() if isinstance(value, bytes) else None

    out = []
    for r in rows:
        summary = text() if summaries and r.summary is not None else None
        out.append((r, summary))
    reads = []
    for r, summary in out:
        step_reads = [
            StepRead(
                step=s.step,
                status=Status(s.status),
                recipient=s.recipient,
                by=s.by,
                at=s.at,
                reason=text() if s.reason is not None else None,
            )
            for s in by_complaint.get(r.id, ())
        ]
        overdue = r.status in (Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING) and (
            r.answer_due < today or (r.status == Status.RECEIVED and r.acknowledge_due < today)
        )
        reads.append(
            ComplaintRead.model_validate(
                {
                    **{c: getattr(r, c) for c in _COLUMNS},
                    "summary": summary,
                    "overdue": overdue,
                    "steps": step_reads,
                }
            )
        )
    return reads


_COLUMNS = (
    "id",
    "person_id",
    "entity",
    "source",
    "source_ref",
    "product_kind",
    "product_id",
    "root_cause",
    "regime",
    "status",
    "escalated_to",
    "received_on",
    "acknowledge_due",
    "answer_due",
    "extended",
    "closed_on",
)
