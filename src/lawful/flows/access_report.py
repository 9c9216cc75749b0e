"""The access report (Art. 15) as one use case: the request, the whole file, what was done with
it, the objections and holds that stand. It computes data (`rights.ReportData`); the adapter words
it in the person's language (`rights.report_view`) and renders it (JSON, HTML, PDF)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.correspondence import service as correspondence
from lawful.customers import service as customers
from lawful.engagement import service as engagement
from lawful.flood import service as flood
from lawful.interactions import service as conversations
from lawful.offers import service as offers
from lawful.rights import service as rights
from lawful.rights.service import ReportData, RequestType, RightsEvent
from lawful.simulations import service as simulations


def access_report(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date,
    request_id: int | None = None,
    registered_by: str | None = None,
) -> ReportData:
    """Answer an access request: `request_id` names one registered earlier; without it, the call
    is the request (the customer asking in the app), received and answered at once."""
    request_id = rights.answered_request(
        session,
        gate=gate,
        actor=actor,
        person_id=person_id,
        kind=RequestType.ACCESS,
        today=today,
        request_id=request_id,
        registered_by=registered_by,
    )
    file = customers.export_person(session, gate=gate, actor=actor, person_id=person_id)
    file |= engagement.export_person(
        session, gate=gate, actor=actor, person_id=person_id, purpose=rights.PURPOSE, today=today
    )
    # Flood underwriting: each proposal or decision and its logic in the person's case
    # (Art. 15(1)(h)).
    file["flood_assessments"] = flood.export_person(
        session, gate=gate, person_id=person_id, lang=_language(file)
    )
    file |= simulations.export_person(
        session, gate=gate, actor=actor, person_id=person_id, purpose=rights.PURPOSE, today=today
    )
    file |= conversations.export_person(
        session, gate=gate, actor=actor, person_id=person_id, purpose=rights.PURPOSE, today=today
    )
    file |= correspondence.export_person(
        session, gate=gate, actor=actor, person_id=person_id, purpose=rights.PURPOSE, today=today
    )
    file |= offers.export_person(
        session, gate=gate, actor=actor, person_id=person_id, purpose=rights.PURPOSE, today=today
    )
    rights.record(
        session,
        gate,
        actor,
        person_id,
        event=RightsEvent.ACCESS_REPORT,
        today=today,
        categories=gate.register.purpose(rights.PURPOSE).data_categories,
        details={"request_id": request_id},
    )
    # Newest first: the ledger gives them in log order, those still pending last.
    recorded = ledger.subject_ledger(session, keys=gate.keys, subject_id=person_id)
    proven = [p for p in reversed(recorded.events) if p.record.decision == "allow"]
    events = [p.record for p in proven]
    objections, holds = rights.restrictions(session, gate=gate, person_id=person_id)
    data = ReportData(
        person_id, request_id, today, file, events, objections, holds, recorded.head, proven
    )
    outcome = {
        "answered": "access_report",
        "purposes": len(rights.concerned(gate.register, data)),
        "events": len(events),
    }
    # An access report downloaded again the day it was answered keeps its first outcome.
    rights.finish_request(
        session, gate=gate, actor=actor, request_id=request_id, today=today, outcome=outcome
    )
    return data


def _language(file: dict[str, object]) -> str:
    contact = file.get("contact")
    language = contact.get("language") if isinstance(contact, dict) else None
    return language if language in ("fr", "nl", "en") else "en"
