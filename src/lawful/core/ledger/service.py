"""The ledger's operations: append, read, verify, checkpoint. Never commits: the caller does.

An event is appended in the caller's transaction, next to the access it records, so there is no
access without a record and no record of an access that was rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.db import utc_text, utcnow
from lawful.core.errors import Conflict, InvalidInput, LedgerTampered
from lawful.core.ledger import chain, integrity, repository
from lawful.core.ledger.chain import Cursor, Decision, Problem, StoredEvent
from lawful.core.ledger.records import Checkpoint, LedgerRecord, VerifyResult
from lawful.core.vault import service as vault
from lawful.core.vault.keys import Keyring, key_id

__all__ = [
    "Checkpoint",
    "Decision",
    "LedgerRecord",
    "NewEvent",
    "Problem",
    "VerifyResult",
    "append",
    "checkpoint",
    "details",
    "for_subject",
    "head",
    "last_checkpoint",
    "recent",
    "record",
    "verify",
]


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event as the gate describes it; the ledger pseudonymises and encrypts it."""

    event: str  # domain.entity.verb
    actor: str  # role id
    actor_kind: str
    entity: str  # acting group entity
    purpose: str
    legal_basis: str
    decision: Decision | str
    subject_id: str | None = None
    data_categories: Sequence[str] = ()
    recipient: str | None = None
    reasons: Sequence[str] = ()
    obligations: Sequence[str] = ()
    details: bytes | Mapping[str, Any] | None = None  # encrypted with the subject's vault key
    occurred_at: dt.datetime | None = None  # default: now


def append(session: Session, *, keys: Keyring, events: Sequence[NewEvent]) -> list[LedgerRecord]:
    """Append a batch: one vault round trip, one head lock, one INSERT for all rows.

    Everything that can be refused is checked before the head is locked, and the expensive work
    (pseudonyms, encryption) is done before it too, so that appenders queue only for chaining.
    """
    if not events:
        return []
    now = utcnow()
    pseudonymise = keys.pseudonymiser()
    pseudonyms: dict[str, str] = {}
    texts: dict[dt.datetime, str] = {}
    prepared: list[tuple[NewEvent, dt.datetime, str, str | None]] = []
    to_encrypt: list[tuple[str, bytes | Mapping[str, Any]]] = []
    for new in events:
        _check(new)
        occurred_at = _instant(new.occurred_at, now)
        text = texts.get(occurred_at)
        if text is None:
            text = texts[occurred_at] = utc_text(occurred_at)
        pseudonym = None
        if new.subject_id is not None:
            pseudonym = pseudonyms.get(new.subject_id)
            if pseudonym is None:
                pseudonym = pseudonyms[new.subject_id] = pseudonymise(new.subject_id)
        if new.details is not None:
            if pseudonym is None:
                raise InvalidInput("details need a subject: they are encrypted with its key")
            to_encrypt.append((pseudonym, new.details))
        prepared.append((new, occurred_at, text, pseudonym))

    ciphertexts = iter(vault.encrypt_for_pseudonyms(session, keys=keys, items=to_encrypt))
    json_list = chain.json_list
    stored = [
        StoredEvent(
            text,
            new.event,
            new.actor,
            new.actor_kind,
            new.entity,
            new.purpose,
            new.legal_basis,
            pseudonym,
            json_list(new.data_categories),
            new.recipient,
            _DECISIONS[new.decision].value,
            json_list(new.reasons),
            json_list(new.obligations),
            None if new.details is None else next(ciphertexts),
        )
        for new, _, text, pseudonym in prepared
    ]

    head_sequence, head_hash = repository.lock_head(session)
    links = chain.chain(stored, head_sequence=head_sequence, head_hash=head_hash)
    rows = []
    records = []
    for (new, occurred_at, _, _), event, link in zip(prepared, stored, links, strict=True):
        rows.append(_row(event, occurred_at, link))
        records.append(_record(new, event, occurred_at, link))
    repository.insert_events(session, rows)
    return records


def record(session: Session, *, keys: Keyring, event: NewEvent) -> LedgerRecord:
    return append(session, keys=keys, events=[event])[0]


_DECISIONS = {d.value: d for d in Decision}


def _check(new: NewEvent) -> None:
    chain.check_event_name(new.event)
    chain.check_text("actor", new.actor)
    chain.check_text("actor_kind", new.actor_kind)
    chain.check_text("entity", new.entity)
    chain.check_text("purpose", new.purpose)
    chain.check_text("legal_basis", new.legal_basis)
    if new.recipient is not None:
        chain.check_text("recipient", new.recipient)
    if new.decision not in _DECISIONS:
        raise InvalidInput(f"decision must be allow or deny, not {new.decision!r}")


def _instant(value: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if value is None:
        return now
    if value.tzinfo is None:
        raise InvalidInput("occurred_at must carry a time zone")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError as exc:
        raise InvalidInput(f"occurred_at {value} is outside the representable range") from exc


def _row(event: StoredEvent, occurred_at: dt.datetime, link: chain.Link) -> dict[str, Any]:
    return {
        "sequence": link.sequence,
        "occurred_at": occurred_at,
        "event": event.event,
        "actor": event.actor,
        "actor_kind": event.actor_kind,
        "entity": event.entity,
        "purpose": event.purpose,
        "legal_basis": event.legal_basis,
        "subject_pseudonym": event.subject_pseudonym,
        "data_categories": event.data_categories,
        "recipient": event.recipient,
        "decision": event.decision,
        "reasons": event.reasons,
        "obligations": event.obligations,
        "details": event.details,
        "prev_hash": link.prev_hash,
        "hash": link.hash,
    }


def _record(
    new: NewEvent, event: StoredEvent, occurred_at: dt.datetime, link: chain.Link
) -> LedgerRecord:
    return LedgerRecord(
        link.sequence,
        occurred_at,
        event.event,
        event.actor,
        event.actor_kind,
        event.entity,
        event.purpose,
        event.legal_basis,
        event.subject_pseudonym,
        tuple(new.data_categories),
        event.recipient,
        _DECISIONS[event.decision],
        tuple(new.reasons),
        tuple(new.obligations),
        event.details,
        link.prev_hash,
        link.hash,
    )


def head(session: Session) -> tuple[int, bytes]:
    return repository.head(session)


def recent(session: Session, *, limit: int = 20) -> list[LedgerRecord]:
    return repository.recent(session, limit)


def for_subject(
    session: Session, *, keys: Keyring, subject_id: str, after: int = 0, limit: int | None = None
) -> list[LedgerRecord]:
    """The subject's events, for the "what did you do with my data" view."""
    return repository.for_pseudonym(
        session, keys.pseudonymise(subject_id), after=after, limit=limit
    )


def details(
    session: Session, *, keys: Keyring, record: LedgerRecord
) -> bytes | dict[str, Any] | None:
    """The decrypted details; raises KeyDestroyed once the subject was erased."""
    if record.details is None or record.subject_pseudonym is None:
        return None
    return vault.decrypt_for_pseudonym(
        session, keys=keys, pseudonym=record.subject_pseudonym, ciphertexts=[record.details]
    )[0]


def last_checkpoint(session: Session) -> Checkpoint | None:
    return repository.last_checkpoint(session)


def checkpoint(session: Session, *, keys: Keyring) -> Checkpoint:
    """Sign the head (sequence, hash) with the installation's Ed25519 key.

    The events appended since the previous checkpoint are checked first, so that a tampered tail
    is never blessed; a full `verify` covers the rest.
    """
    sequence, head_hash = repository.head(session)
    if sequence == 0:
        raise Conflict("the ledger is empty: nothing to checkpoint")
    refused = integrity.before_signing(session, keys, sequence)
    if refused is not None:
        raise LedgerTampered(f"not signing: seq {refused.sequence}: {refused.message}")
    signed_at = utcnow()
    private = keys.signing_key
    signature = private.sign(chain.checkpoint_message(sequence, head_hash, utc_text(signed_at)))
    return repository.insert_checkpoint(
        session,
        sequence=sequence,
        head_hash=head_hash,
        signed_at=signed_at,
        key_id=key_id(private.public_key()),
        signature=signature,
    )


def verify(
    session: Session,
    *,
    keys: Keyring,
    chunk_size: int = 50_000,
    copies: Sequence[Checkpoint] = (),
) -> VerifyResult:
    """Recompute the whole chain and hold it against every signed checkpoint: those in the
    database and `copies` kept outside it (see `copies`), each of which must also still be in
    the database."""
    stored = repository.checkpoints(session)
    held = set(stored)
    # A copy stands for its database checkpoint only if it matches it in every field.
    outside = [cp for cp in dict.fromkeys(copies) if cp not in held]
    checkpoints = [*stored, *outside]
    breaks = integrity.bad_signatures(keys, checkpoints)
    cursor = Cursor()
    broken = integrity.stream(session, cursor, chunk_size=chunk_size)
    if broken is not None:
        breaks.append(broken)
    last_sequence = repository.head(session)[0] if broken is not None else cursor.verified
    breaks.extend(integrity.checkpoint_mismatches(session, checkpoints, cursor, broken))
    breaks.extend(integrity.missing_checkpoints(outside, stored))
    last_cp = max((cp.sequence for cp in checkpoints), default=None)
    if not breaks:
        return VerifyResult(
            True, cursor.verified, last_sequence, len(stored), last_cp, copies=len(set(copies))
        )
    first = min(breaks, key=lambda b: b.sequence)
    return VerifyResult(
        ok=False,
        events=cursor.verified,
        last_sequence=last_sequence,
        checkpoints=len(stored),
        last_checkpoint=last_cp,
        copies=len(set(copies)),
        first_bad_sequence=first.sequence,
        problem=first.problem,
        message=first.message,
    )
