"""The access report (Art. 15): all the person may know, in their language, under their brand.

The use case (`lawful.flows.access_report`) gathers the data; this module words it (`report_view`).
Confirmation, a copy of the data, what each purpose that concerns them is and rests on, what was
actually done (the ledger's allowed events for them, newest first, without decrypting anything,
each with its proof of inclusion in the ledger's signed Merkle tree), the
objections and holds that stand, their rights and the authority to complain to. Purpose texts come
from the same builder as the privacy statement, so both say the same thing the same way.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from babel.dates import format_datetime
from babel.lists import format_list
from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from lawful.core.errors import RenderError
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.compile import ancestry
from lawful.core.register.grammar import long_date
from lawful.core.register.models import ObjectionMode, Purpose, Register
from lawful.core.register.statement import Labels
from lawful.core.register.statement import label_tree as statement_labels
from lawful.customers.schemas import Section
from lawful.rights import repository
from lawful.rights.labels import label
from lawful.rights.language import TextBuilder, builder_for_file
from lawful.rights.objections import read_many as read_objections
from lawful.rights.render import to_html, to_json, to_pdf
from lawful.rights.schemas import (
    AccessReport,
    AuthorityInfo,
    EventProof,
    HoldInfo,
    LedgerProofs,
    MemberProof,
    ObjectionInfo,
    ObjectionRead,
    PurposeInfo,
    RightInfo,
    TimelineEntry,
    TreeHeadInfo,
)
from lawful.rights.words import hold_ends, hold_reason

RIGHTS = ("access", "rectification", "erasure", "restriction", "portability", "objection")

__all__ = [
    "ReportData",
    "concerned",
    "grouped",
    "report_view",
    "restrictions",
    "to_html",
    "to_json",
    "to_pdf",
]


@dataclass(frozen=True)
class ReportData:
    """What an access report says, as data: the use case computes it, `report_view` words it."""

    person_id: str
    request_id: int
    generated_on: dt.date
    file: dict[str, Any]  # the whole file, JSON-ready (`customers.export_person`)
    events: list[ledger.LedgerRecord]  # allowed processing of the person, newest first
    objections: list[ObjectionRead]
    holds: list[tuple[str, dt.date | None]]  # standing holds: (hold, real end or None)
    # The latest signed tree head and, for each event above, its inclusion proof against it.
    head: ledger.TreeHead | None = None
    proven: list[ledger.Proven] = field(default_factory=list)


def restrictions(
    session: Session, *, gate: Gate, person_id: str
) -> tuple[list[ObjectionRead], list[tuple[str, dt.date | None]]]:
    """The person's objections and standing holds, for a report whose reading is recorded."""
    objections = read_objections(session, gate, repository.objections_of_person(session, person_id))
    holds = [
        (h.hold, h.ends_on)
        for h in repository.holds_of_person(session, person_id, active_only=True)
    ]
    return objections, holds


def concerned(register: Register, data: ReportData) -> list[int]:
    """Indexes of the register's purposes that concern the person: shown in the statement, and
    used for them or run by an entity they deal with."""
    entities = {r["entity"] for r in data.file[Section.RELATIONSHIPS.value]}
    used = {r.purpose for r in data.events}
    return [
        i
        for i, p in enumerate(register.purposes)
        if p.statement and (p.id in used or not entities.isdisjoint(p.controllers))
    ]


def report_view(register: Register, data: ReportData) -> AccessReport:
    """The report in the person's language and brand (kept on the file even once erased)."""
    texts = builder_for_file(register, data.file)
    entities = {r["entity"] for r in data.file[Section.RELATIONSHIPS.value]}
    words = _words(texts)
    purposes = [words.purpose(i, entities) for i in concerned(register, data)]
    names = _names(texts, {c for r in data.events for c in r.data_categories})
    return AccessReport(
        person_id=data.person_id,
        request_id=data.request_id,
        generated_on=data.generated_on,
        lang=texts.lang,
        brand=texts.brand.id,
        brand_name=texts.text(texts.brand.name, "brand.name"),
        confirmation=label(texts.lang, "report.confirmation_yes"),
        data=data.file,
        entities=names.entities,
        purposes=purposes,
        timeline=[_line(texts, names, group) for group in grouped(data.events)],
        objections=[_objection(texts, o) for o in data.objections],
        holds=[
            HoldInfo(
                hold=hold,
                reason=hold_reason(texts, hold),
                until=ends_on,
                ends=hold_ends(texts, hold, ends_on),
            )
            for hold, ends_on in data.holds
        ],
        rights=[
            RightInfo(
                id=r,
                title=label(texts.lang, f"rights.{r}.title"),
                text=label(texts.lang, f"rights.{r}.text"),
            )
            for r in RIGHTS
        ],
        how_to_exercise=_resolved(texts, "rights.how"),
        authority=_authority(texts),
        ledger=_proofs(texts, data.head, data.proven),
    )


def _resolved(texts: TextBuilder, path: str) -> str:
    return texts.resolve(label(texts.lang, path), path, "labels.yaml")


def category_name(texts: TextBuilder, key: str) -> str:
    """The category's name, or its nearest named parent's: the ledger may hold finer keys."""
    for candidate in ancestry(key):
        try:
            return texts.category(candidate)
        except RenderError:
            continue
    return key


def _purpose(
    texts: TextBuilder, statement: Labels, index: int, purpose: Purpose, entities: set[str]
) -> PurposeInfo:
    view = texts.purpose(index, index + 1, purpose, statement)
    mode = purpose.objection.mode
    if mode is ObjectionMode.NONE:
        objection = view.objection_reason or ""
    else:
        how = _resolved(texts, "objection.how")
        objection = f"{label(texts.lang, f'objection.{mode.value}')} {how}"
    source = " — ".join(s for s in (view.source_from, view.source) if s) or None
    return PurposeInfo(
        id=purpose.id,
        title=view.title,
        description=view.description,
        controllers=[texts.entity_name(c) for c in purpose.controllers if c in entities],
        basis=view.basis,
        interest=view.interest,
        categories=view.categories,
        recipients=[r.name for r in view.recipients],
        retention=view.retention,
        retention_note=view.retention_note,
        source=source,
        automated_logic=view.automated_logic,
        automated_safeguards=view.automated_safeguards,
        objection_mode=mode.value,
        objection=objection,
    )


@dataclass(frozen=True)
class Names:
    """Names looked up once per report rather than once per line."""

    # Shared by every report of the brand and language (see `_Words`): read, never changed.
    entities: Mapping[str, str]
    recipients: Mapping[str, str]
    categories: Mapping[str, str]


def _names(texts: TextBuilder, categories: set[str]) -> Names:
    words = _words(texts)
    known = words.categories
    for c in categories.difference(known):
        known[c] = category_name(texts, c)
    return Names(
        entities=words.entities,
        recipients=words.recipients,
        categories={c: known[c] for c in categories},
    )


class _Words:
    """What every report of one register, brand and language says alike, worded once: the
    purposes (by the entities the person deals with among their controllers), the names of
    entities, recipients and categories. Worded on first use; read-only once made."""

    def __init__(self, texts: TextBuilder) -> None:
        register = self.register = texts.register
        self.texts = texts
        self.statement = texts.labels(statement_labels())
        self.entities = {e.id: texts.entity_name(e.id) for e in register.entities}
        self.recipients = {r.id: texts.recipient_name(r) for r in register.recipients}
        self.categories: dict[str, str] = {}
        self.purposes: dict[tuple[int, frozenset[str]], PurposeInfo] = {}

    def purpose(self, index: int, entities: set[str]) -> PurposeInfo:
        declared = self.register.purposes[index]
        key = (index, frozenset(entities.intersection(declared.controllers)))
        info = self.purposes.get(key)
        if info is None:
            info = self.purposes[key] = _purpose(
                self.texts, self.statement, index, declared, set(key[1])
            )
        return info


# By (register, brand, language): a few per installation; a register reloaded is a new one.
_WORDS: dict[tuple[int, str, str], _Words] = {}
_WORDS_KEPT = 32


def _words(texts: TextBuilder) -> _Words:
    key = (id(texts.register), texts.brand.id, texts.lang)
    words = _WORDS.get(key)
    if words is None or words.register is not texts.register:
        if len(_WORDS) >= _WORDS_KEPT:
            _WORDS.clear()
        words = _WORDS[key] = _Words(texts)
    return words


def grouped(events: Sequence[ledger.LedgerRecord]) -> list[list[ledger.LedgerRecord]]:
    """Events in a row on the same day, by the same entity, for the same purpose and recipient
    make one line: answering one request takes several recorded steps, the person reads one."""
    groups: list[list[ledger.LedgerRecord]] = []
    last: tuple[object, ...] | None = None
    for event in events:
        key = (event.occurred_at.date(), event.entity, event.purpose, event.recipient)
        if key == last:
            groups[-1].append(event)
        else:
            groups.append([event])
            last = key
    return groups


def _line(texts: TextBuilder, names: Names, group: Sequence[ledger.LedgerRecord]) -> TimelineEntry:
    entities, recipients = names.entities, names.recipients
    newest = group[0]  # events come newest first
    title = _title(texts, newest.purpose)
    categories = _unique(names.categories[c] for r in group for c in r.data_categories)
    entity = entities.get(newest.entity, newest.entity)
    recipient = recipients.get(newest.recipient, newest.recipient) if newest.recipient else None
    text = label(
        texts.lang,
        "timeline.line",
        date=long_date(newest.occurred_at.date(), texts.locale),
        entity=entity,
        categories=format_list(categories, locale=texts.locale) if categories else "—",
        purpose=title,
    )
    if recipient:
        text += " " + label(texts.lang, "timeline.disclosed", recipient=recipient)
    return TimelineEntry(
        occurred_at=newest.occurred_at,
        events=_unique(r.event for r in group),
        entity=entity,
        purpose=newest.purpose,
        purpose_title=title,
        categories=categories,
        recipient=texts.bare(recipient) if recipient else None,
        text=text,
    )


def _title(texts: TextBuilder, purpose: str | None) -> str:
    """The purpose's title as the statement shows it: placeholders resolved for the brand."""
    if purpose is None:
        return label(texts.lang, "objection.every_dm")
    try:
        declared = texts.register.purpose(purpose)
    except KeyError:
        return purpose
    return texts.text(declared.title, f"purposes[{purpose}].title")


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


PUBLIC_KEYS = "/api/v1/ledger/public-keys"


def _proofs(
    texts: TextBuilder, head: ledger.TreeHead | None, proven: Sequence[ledger.Proven]
) -> LedgerProofs:
    """Each event of the timeline with its inclusion proof, against the latest signed head."""
    lang = texts.lang
    included = sum(p.inclusion is not None for p in proven)
    if head is None:
        summary = label(lang, "ledger.none")
    else:
        signed = format_datetime(head.signed_at, "long", tzinfo=dt.UTC, locale=texts.locale)
        summary = label(
            lang,
            "ledger.head",
            size=format_decimal(head.tree_size, locale=texts.locale),
            root=head.root_hash.hex()[:16] + "…",
            date=signed,
            key=head.key_id,
        )
        summary += " " + label(
            lang, "ledger.counts", included=str(included), pending=str(len(proven) - included)
        )
    return LedgerProofs(
        text=label(lang, "ledger.text", keys=PUBLIC_KEYS),
        summary=summary,
        tree_head=None
        if head is None
        else TreeHeadInfo(
            tree_size=head.tree_size,
            root_hash=head.root_hash.hex(),
            timestamp=head.timestamp,
            signed_at=head.signed_at,
            key_id=head.key_id,
            signature=head.signature.hex(),
        ),
        public_keys=PUBLIC_KEYS,
        events=[
            EventProof(
                status="pending" if p.inclusion is None else "included",
                leaf_index=None if p.inclusion is None else p.record.leaf_index,
                occurred_at=p.record.occurred_at,
                event=p.record.event,
                entry=base64.b64encode(p.record.entry).decode(),
                inclusion_path=[h.hex() for h in p.inclusion or ()],
                member=_member(p),
            )
            for p in proven
        ],
    )


def _member(proven: ledger.Proven) -> MemberProof | None:
    header, member = proven.record.batch, proven.record.member
    if header is None or member is None or proven.member_path is None:
        return None
    return MemberProof(
        member_index=member.index,
        members=header.members,
        member=base64.b64encode(member.entry(header)).decode(),
        inclusion_path=[h.hex() for h in proven.member_path],
    )


def _objection(texts: TextBuilder, row: ObjectionRead) -> ObjectionInfo:
    lang, locale = texts.lang, texts.locale
    status = row.status
    received = row.received_at.date()
    decided = row.decided_at.date() if row.decided_at else None
    text = label(
        lang,
        f"objection.status.{status.value}",
        received=long_date(received, locale),
        decided=long_date(decided, locale) if decided else "",
        grounds=row.decision_grounds or "",
    )
    return ObjectionInfo(
        id=row.id,
        purpose=row.purpose,
        purpose_title=_title(texts, row.purpose),
        status=status,
        received_on=received,
        decided_on=decided,
        decision_grounds=row.decision_grounds,
        text=text,
    )


def _authority(texts: TextBuilder) -> AuthorityInfo:
    authority = texts.register.authority
    contact = authority.contact
    return AuthorityInfo(
        name=texts.bare(texts.text(authority.name, "authority.name")),
        text=_resolved(texts, "authority.text"),
        address=texts.address(contact.address or authority.address),
        email=contact.email,
        url=texts.local(contact.url, "authority.contact.url") if contact.url else None,
        phone=contact.phone,
    )
