"""Erasure (Art. 17) of one person, across the rights, customer-file and vault domains.

Every recorded step comes before the file is erased: from then on the person is erased and the
gate refuses everything but what a legal hold keeps (readable for that hold's purposes, e.g. the
contract's) and data-subject rights; once the key is shredded no detail can be encrypted. The
result is data — sections and holds with their end dates — which the adapter puts in words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lawful.complaints import service as complaints
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.customers.service import Section
from lawful.engagement import service as engagement
from lawful.interactions import copies as conversations
from lawful.offers import service as offers
from lawful.rights import service as rights
from lawful.rights.service import Keep, RequestType, RightsEvent
from lawful.simulations import service as simulations


@dataclass(frozen=True)
class Erasure:
    request_id: int
    erased: list[str]  # the sections erased (only those that held something), in `Section` order
    kept: list[Keep]
    language: str | None  # the person's, kept on the erased row, to answer in
    brand: str


def erase(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date,
    request_id: int | None = None,
    registered_by: str | None = None,
) -> Erasure:
    """Erase what has no basis left; keep under a hold what a contract or the law still needs."""
    customers.present(session, person_id)  # an erased person has nothing left to erase
    request_id = rights.answered_request(
        session,
        gate=gate,
        actor=actor,
        person_id=person_id,
        kind=RequestType.ERASURE,
        today=today,
        request_id=request_id,
        registered_by=registered_by,
    )
    # Reading the whole file is recorded as such; its frame (periods, product ends) decides.
    customers.export_person(session, gate=gate, actor=actor, person_id=person_id)
    facts = customers.file_facts(session, person_ids=[person_id])[person_id]
    held = complaints.holds_for(
        session, register=gate.register, person_ids=[person_id], today=today
    )
    plans = rights.plan_holds(session, gate.register, {person_id: facts}, today, also=held)
    kept = plans[person_id]
    keep = {k.section for k in kept}
    # Only what there was to erase: an empty section is neither erased nor kept.
    erasing = [s.value for s in Section if s not in keep and s in facts.present]
    rights.record(
        session,
        gate,
        actor,
        person_id,
        event=RightsEvent.ERASURE_EXECUTE,
        today=today,
        categories=gate.register.purpose(rights.PURPOSE).data_categories,
        details={"request_id": request_id, "erased": erasing},
    )
    outcome = {
        "erased": erasing,
        "kept": [{"section": k.section.value, "hold": k.hold, "until": k.until} for k in kept],
    }
    rights.complete_request(
        session, gate=gate, actor=actor, request_id=request_id, outcome=outcome, today=today
    )
    customers.erase_person(session, gate=gate, actor=actor, person_id=person_id, keep=keep)
    engagement.erase(session, person_ids=[person_id])
    simulations.erase(session, person_ids=[person_id])
    conversations.erase(
        session, register=gate.register, person_ids=[person_id], complaint_held=held
    )
    offers.erase(session, person_ids=[person_id])
    rights.store_holds(session, kept={person_id: kept}, today=today)
    vault.shred(session, keys=gate.keys, subject_id=person_id)
    return Erasure(request_id, erasing, kept, facts.language, facts.brand)
