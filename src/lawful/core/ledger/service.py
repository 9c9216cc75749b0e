"""The ledger's operations: append, read, sequence, prove, verify. Never commits: the caller does.

An event is appended in the caller's transaction, next to the access it records, so there is no
access without a record and no record of an access that was rolled back. Appending inserts the
entry and nothing else: no lock, no read of the log. The sequencer (`sequence`, run by the server
in the background and by `lawful ledger sequence`) later gives it its place in the Merkle tree
under a signed tree head.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy.orm import Session

from lawful.core.db import utc_text, utcnow
from lawful.core.errors import InvalidInput
from lawful.core.ledger import batch as batches
from lawful.core.ledger import entry as encoding
from lawful.core.ledger import proofs, repository, sequencer
from lawful.core.ledger import verify as verification
from lawful.core.ledger.records import (
    Counts,
    Decision,
    LedgerRecord,
    Problem,
    Proven,
    SubjectLedger,
    TreeHead,
    VerifyResult,
)
from lawful.core.ledger.sequencer import BATCH, Batch
from lawful.core.vault import service as vault
from lawful.core.vault.keys import Keyring, key_id

__all__ = [
    "BATCH",
    "Batch",
    "Counts",
    "Decision",
    "LedgerRecord",
    "NewEvent",
    "Problem",
    "Proven",
    "SubjectLedger",
    "TreeHead",
    "VerifyResult",
    "append",
    "append_batch",
    "append_entries",
    "consistency",
    "counts",
    "details",
    "for_subject",
    "latest_head",
    "public_keys",
    "recent",
    "record",
    "sequence",
    "signer",
    "staff_pseudonyms",
    "subject_ledger",
    "tree_head",
    "verify",
]


# --- the installation's keys ------------------------------------------------------------------


def signer(keys: Keyring) -> sequencer.Signer:
    """Signs tree heads with the installation's current key: (key id, signature) of a message."""
    private = keys.signing_key
    signing_id = key_id(private.public_key())
    return lambda message: (signing_id, private.sign(message))


def staff_pseudonyms(keys: Keyring, staff_ids: Sequence[str]) -> dict[str, str]:
    """The pseudonym under which the ledger records each staff member as `actor_ref`: how the
    DPO finds who acted (and finds every event someone took part in)."""
    return {staff_id: keys.staff_pseudonym(staff_id) for staff_id in staff_ids}


def public_keys(keys: Keyring) -> dict[str, bytes]:
    """Every key whose tree heads this installation accepts: key id -> raw Ed25519 public key."""
    return {
        kid: key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        for kid, key in keys.verify_keys().items()
    }


# --- appending ---------------------------------------------------------------------------------


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
    actor_ref: str | None = None  # who acted: a staff member's id, recorded as a pseudonym


def append(session: Session, *, keys: Keyring, events: Sequence[NewEvent]) -> list[LedgerRecord]:
    """Append a batch: one vault round trip, one INSERT, nothing locked, nothing read.

    The records come back pending: their place in the log is the sequencer's to give."""
    if not events:
        return []
    now = utcnow()
    subject_of, staff_of = keys.pseudonymiser(), keys.staff_pseudonym
    pseudonyms: dict[str, str] = {}
    texts: dict[dt.datetime, str] = {}
    prepared: list[tuple[NewEvent, dt.datetime, str, str | None, str | None]] = []
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
                pseudonym = pseudonyms[new.subject_id] = subject_of(new.subject_id)
        if new.details is not None:
            if pseudonym is None:
                raise InvalidInput("details need a subject: they are encrypted with its key")
            to_encrypt.append((pseudonym, new.details))
        actor_ref = None if new.actor_ref is None else staff_of(new.actor_ref)
        prepared.append((new, occurred_at, text, pseudonym, actor_ref))

    ciphertexts = iter(vault.encrypt_for_pseudonyms(session, keys=keys, items=to_encrypt))
    json_list = encoding.json_list
    records = []
    for new, occurred_at, text, pseudonym, actor_ref in prepared:
        decision = _DECISIONS[new.decision]
        details = None if new.details is None else next(ciphertexts)
        data = encoding.encode(
            encoding.Entry(
                occurred_at=text,
                subject_pseudonym=pseudonym,
                event=new.event,
                decision=decision.value,
                entity=new.entity,
                actor=new.actor,
                actor_kind=new.actor_kind,
                actor_ref=actor_ref,
                purpose=new.purpose,
                legal_basis=new.legal_basis,
                data_categories=json_list(new.data_categories),
                recipient=new.recipient,
                reasons=json_list(new.reasons),
                obligations=json_list(new.obligations),
                details=details,
            )
        )
        record = LedgerRecord(
            None, occurred_at, new.event, new.actor, new.actor_kind, actor_ref, new.entity,
            new.purpose, new.legal_basis, pseudonym, tuple(new.data_categories), new.recipient,
            decision, tuple(new.reasons), tuple(new.obligations), details, data,
        )  # fmt: skip
        records.append(record)
    repository.insert_pending(session, [{"entry": r.entry} for r in records])
    return records


def gather_appends(session: Session) -> None:
    """The session's appends from now on are written in one INSERT at `flush_appends` (or when
    the session next reads the pending entries): a unit of work that records several accesses
    pays one round trip for them. Still in its transaction: they commit or roll back with it."""
    repository.gather(session)


def flush_appends(session: Session) -> None:
    """Write what `gather_appends` gathered; before the session commits."""
    repository.flush(session)


def append_entries(session: Session, *, entries: Sequence[bytes]) -> None:
    """Append entries a bulk recorder encoded itself (with `entry.Template`), having made the
    checks `append` makes and encrypted details with each subject's key: one COPY or prepared
    INSERT for the batch, nothing locked, nothing read. They come to the log as `append`'s do."""
    repository.insert_pending_entries(session, entries)


def append_batch(
    session: Session,
    *,
    keys: Keyring,
    event: NewEvent,
    subject_ids: Sequence[str],
    about: Mapping[str, str],
) -> LedgerRecord:
    """One disclosure of many subjects' data, as ONE entry naming the root of its members' Merkle
    tree (see `batch`), its members written set-based beside it: what each member can prove is
    what a single event of theirs would prove, for a fraction of the cost.

    `event` is the disclosure as the gate describes it, without subject or details (what it was,
    in `about`, is in clear: it must say nothing personal). Each subject id counts once."""
    if event.subject_id is not None or event.details is not None:
        raise InvalidInput("a batch disclosure names its subjects as members, and has no details")
    _check(event)
    batches.check_about(about)
    subjects = keys.pseudonym_digests(dict.fromkeys(subject_ids))
    if not subjects:
        raise InvalidInput("a batch disclosure has at least one member")
    batch = batches.new_batch()
    tree = batches.tree(batch, subjects)
    header = batches.Header(batch, len(subjects), tree.root, dict(about))
    occurred_at = _instant(event.occurred_at, utcnow())
    data = encoding.encode(
        encoding.Entry(
            occurred_at=utc_text(occurred_at),
            subject_pseudonym=None,
            event=event.event,
            decision=_DECISIONS[event.decision].value,
            entity=event.entity,
            actor=event.actor,
            actor_kind=event.actor_kind,
            actor_ref=None if event.actor_ref is None else keys.staff_pseudonym(event.actor_ref),
            purpose=event.purpose,
            legal_basis=event.legal_basis,
            data_categories=encoding.json_list(event.data_categories),
            recipient=event.recipient,
            reasons=encoding.json_list(event.reasons),
            obligations=encoding.json_list(event.obligations),
            details=None,
            batch=header.encode(),
        )
    )
    entry_id = repository.insert_batch_entry(session, data)
    repository.insert_members(session, entry_id, batches.blocks(tree.subjects))
    repository.insert_member_nodes(session, entry_id, tree.nodes)
    return LedgerRecord.of(data, None)


def record(session: Session, *, keys: Keyring, event: NewEvent) -> LedgerRecord:
    return append(session, keys=keys, events=[event])[0]


_DECISIONS = {d.value: d for d in Decision}


def _check(new: NewEvent) -> None:
    encoding.check_event_name(new.event)
    encoding.check_text("actor", new.actor)
    encoding.check_text("actor_kind", new.actor_kind)
    encoding.check_text("entity", new.entity)
    encoding.check_text("purpose", new.purpose)
    encoding.check_text("legal_basis", new.legal_basis)
    if new.recipient is not None:
        encoding.check_text("recipient", new.recipient)
    if new.actor_ref is not None:
        encoding.check_text("actor_ref", new.actor_ref)
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


# --- reading -----------------------------------------------------------------------------------


def for_subject(session: Session, *, keys: Keyring, subject_id: str) -> list[LedgerRecord]:
    """The subject's records, sequenced ones in log order, then those still pending."""
    return repository.for_pseudonym(session, keys.pseudonymise(subject_id))


def subject_ledger(session: Session, *, keys: Keyring, subject_id: str) -> SubjectLedger:
    """As `for_subject`, each record with its inclusion proof against the latest signed head."""
    return proofs.subject_ledger(session, keys.pseudonymise(subject_id))


def prove(session: Session, records: Sequence[LedgerRecord]) -> SubjectLedger:
    """Records read with `for_subject` (a page of them), each with its inclusion proof against
    the latest signed head."""
    return proofs.prove(session, records)


def details(
    session: Session, *, keys: Keyring, record: LedgerRecord
) -> bytes | dict[str, Any] | None:
    """The decrypted details; raises KeyDestroyed once the subject was erased."""
    if record.details is None or record.subject_pseudonym is None:
        return None
    return vault.decrypt_for_pseudonym(
        session, keys=keys, pseudonym=record.subject_pseudonym, ciphertexts=[record.details]
    )[0]


def recent(session: Session, *, limit: int = 20) -> list[LedgerRecord]:
    return repository.recent(session, limit)


def counts(session: Session) -> Counts:
    return repository.counts(session)


# --- the log -----------------------------------------------------------------------------------


def sequence(session: Session, *, keys: Keyring, limit: int = BATCH) -> Batch:
    """Sequence one batch of pending entries and sign the new tree head (see `sequencer`)."""
    return sequencer.sequence(session, signer=signer(keys), limit=limit)


def latest_head(session: Session) -> TreeHead | None:
    return repository.latest_head(session)


def tree_head(session: Session, *, tree_size: int) -> TreeHead:
    return proofs.head_of_size(session, tree_size)


def consistency(session: Session, *, first: int, second: int) -> list[bytes]:
    return proofs.consistency(session, first, second)


def verify(
    session: Session,
    *,
    keys: Keyring,
    copies: Sequence[TreeHead] = (),
    workers: int | None = None,
    segment_level: int = verification.SEGMENT_LEVEL,
    parallel_from: int = verification.PARALLEL_MIN,
) -> VerifyResult:
    """Recompute the whole tree and hold it against every signed tree head: those in the
    database and the `copies` kept outside it, each of which must still be in the database.

    The log is checked in segments of 2^`segment_level` leaves, by `workers` processes from
    `parallel_from` leaves on."""
    return verification.verify(
        session,
        keys=keys.verify_keys(),
        copies=copies,
        workers=workers,
        segment_level=segment_level,
        parallel_from=parallel_from,
    )
