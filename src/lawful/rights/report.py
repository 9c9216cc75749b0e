"""The access report (Art. 15): all the person may know, in their language, under their brand.

Confirmation, a copy of the data, what each purpose that concerns them is and rests on, what was
actually done (the ledger's allowed events for them, newest first, without decrypting anything,
each with its proof of inclusion in the ledger's signed Merkle tree), the
objections and holds that stand, their rights and the authority to complain to. Purpose texts come
from the same builder as the privacy statement, so both say the same thing the same way.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from lawful.core.errors import RenderError
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.compile import ancestry
from lawful.core.policy.types import Actor
from lawful.core.register.models import ObjectionMode, Purpose
from lawful.core.register.statement import Labels
from lawful.core.register.statement import label_tree as statement_labels
from lawful.customers import service as customers
from lawful.customers.schemas import Section
from lawful.rights import repository
from lawful.rights.labels import label
from lawful.rights.language import TextBuilder, builder_for_file
from lawful.rights.models import Objection
from lawful.rights.render import to_html, to_json, to_pdf
from lawful.rights.requests import (
    PURPOSE,
    RightsEvent,
    answered_request,
    complete_request,
    record,
)
from lawful.rights.schemas import (
    AccessReport,
    AuthorityInfo,
    EventProof,
    HoldInfo,
    LedgerProofs,
    ObjectionInfo,
    ObjectionState,
    PurposeInfo,
    RequestType,
    RightInfo,
    TimelineEntry,
    TreeHeadInfo,
)

RIGHTS = ("access", "rectification", "erasure", "restriction", "portability", "objection")

__all__ = ["access_report", "to_html", "to_json", "to_pdf"]


def access_report(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date,
    request_id: int | None = None,
    registered_by: str | None = None,
) -> AccessReport:
    """Answer an access request: `request_id` names one registered earlier; without it, the call
    is the request (the customer asking in the app), received and answered at once."""
    register = gate.register
    request_id = answered_request(
        session,
        gate=gate,
        actor=actor,
        person_id=person_id,
        kind=RequestType.ACCESS,
        today=today,
        request_id=request_id,
        registered_by=registered_by,
    )
    data = customers.export_person(session, gate=gate, actor=actor, person_id=person_id)
    texts = builder_for_file(register, data)
    record(
        session,
        gate,
        actor,
        person_id,
        event=RightsEvent.ACCESS_REPORT,
        today=today,
        categories=register.purpose(PURPOSE).data_categories,
        details={"request_id": request_id},
    )
    entities = {r["entity"] for r in data[Section.RELATIONSHIPS.value]}
    # Newest first: the ledger gives them in log order, those still pending last.
    recorded = ledger.subject_ledger(session, subject_id=person_id)
    proven = [p for p in reversed(recorded.events) if p.record.decision == "allow"]
    events = [p.record for p in proven]
    used = {r.purpose for r in events}
    statement = texts.labels(statement_labels())
    purposes = [
        _purpose(texts, statement, i, p, entities)
        for i, p in enumerate(register.purposes)
        if p.statement and (p.id in used or not entities.isdisjoint(p.controllers))
    ]
    names = _names(texts, {c for r in events for c in r.data_categories})
    report = AccessReport(
        person_id=person_id,
        request_id=request_id,
        generated_on=today,
        lang=texts.lang,
        brand=texts.brand.id,
        brand_name=texts.text(texts.brand.name, "brand.name"),
        confirmation=label(texts.lang, "report.confirmation_yes"),
        data=data,
        entities=names.entities,
        purposes=purposes,
        timeline=[_line(texts, names, group) for group in _grouped(events)],
        objections=[
            _objection(texts, o) for o in repository.objections_of_person(session, person_id)
        ],
        holds=[
            HoldInfo(hold=h.hold, reason=h.reason, until=h.until)
            for h in repository.holds_of_person(session, person_id, active_only=True)
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
        ledger=_proofs(texts, recorded.head, proven),
    )
    complete_request(
        session,
        gate=gate,
        actor=actor,
        request_id=request_id,
        today=today,
        outcome={"answered": "access_report", "purposes": len(purposes), "events": len(events)},
    )
    return report


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
        controllers=[
            texts.register.entity(c).legal_name for c in purpose.controllers if c in entities
        ],
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

    entities: dict[str, str]
    recipients: dict[str, str]
    categories: dict[str, str]


def _names(texts: TextBuilder, categories: set[str]) -> Names:
    register = texts.register
    return Names(
        entities={e.id: e.legal_name for e in register.entities},
        recipients={r.id: texts.text(r.name, f"recipients.{r.id}") for r in register.recipients},
        categories={c: category_name(texts, c) for c in categories},
    )


def _grouped(events: Sequence[ledger.LedgerRecord]) -> list[list[ledger.LedgerRecord]]:
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
        date=format_date(newest.occurred_at.date(), "long", locale=texts.locale),
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
        recipient=recipient,
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
            )
            for p in proven
        ],
    )


def _objection(texts: TextBuilder, row: Objection) -> ObjectionInfo:
    lang, locale = texts.lang, texts.locale
    status = ObjectionState(row.status)
    received = row.received_at.date()
    decided = row.decided_at.date() if row.decided_at else None
    text = label(
        lang,
        f"objection.status.{status.value}",
        received=format_date(received, "long", locale=locale),
        decided=format_date(decided, "long", locale=locale) if decided else "",
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
        name=texts.text(authority.name, "authority.name"),
        text=_resolved(texts, "authority.text"),
        address=texts.address(contact.address or authority.address),
        email=contact.email,
        url=contact.url,
        phone=contact.phone,
    )
