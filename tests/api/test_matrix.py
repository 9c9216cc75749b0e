"""Every route × every principal: the status (and for refusals, the problem type and reasons).

The expectations are written from the register, not read off the code: a route runs under one
purpose (customer-file for the file, intra-group-identity-reuse for reuse, data-subject-rights for
the rights); a staff role may use the purposes its register entry lists, for its own entity, and
customer-file needs a relationship with that entity. Customers act through self-service and reach
their own data only; staff-only routes refuse them.

A cell the code answers differently, where we believe the register is right, is a finding: it keeps
its expectation and is marked `xfail(strict=True)` with the finding, so that fixing the code turns
it into an unexpected pass that asks for the mark to go.

Routes that change what other cells would see (erasure, objections and their decisions, identity
reuse) each get a person of their own per cell, so that the cells do not depend on their order.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import httpx
import pytest
from sqlalchemy.orm import Session

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.entrypoints.cli_offers import offers_job

from .conftest import (
    ANONYMOUS,
    BANK,
    INSURER,
    OTHER,
    OWN,
    PRINCIPALS,
    Api,
    Subject,
    person_data,
    signed_size,
)


class Expect(NamedTuple):
    status: int
    problem: str | None = None  # the problem type's slug
    reasons: tuple[str, ...] = ()


NP = Expect(403, "not-permitted")
ROLE = Expect(403, "processing-denied", ("role_not_permitted",))
NF = Expect(404, "not-found")  # another entity's customer answers as an unknown id
NOAPP = Expect(422, "invalid-input")  # staff record an application with the document checked
_401 = Expect(401, "unauthenticated")
_200 = Expect(200)
_201 = Expect(201)

_serials = itertools.count(1)


# --- the routes -------------------------------------------------------------------------------

Arrange = Callable[[Api, Subject], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # under /api/v1; {person} and what `arrange` returns are filled in
    # alice, or per cell a new bank client (with a card: card-client) or insurance client
    subject: str = "alice"
    body: Callable[[], Any] | None = None
    arrange: Arrange | None = None
    # A body made from what `arrange` returned (the person's own card, say), instead of `body`.
    shaped: Callable[[dict[str, Any]], Any] | None = None


def body_of(route: Route, values: dict[str, Any]) -> Any:
    if route.shaped is not None:
        return route.shaped(values)
    return route.body() if route.body else None


def _give_consent(api: Api, subject: Subject) -> dict[str, Any]:
    path = f"/persons/{subject.id}/consents/third-party-offers"
    assert api.call("PUT", path, token=subject.token).status_code == 200
    return {}


def _pending_objection(api: Api, subject: Subject) -> dict[str, Any]:
    response = api.call(
        "POST", f"/persons/{subject.id}/objections", token=subject.token, json=OBJECTION
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
    return {"objection": response.json()["id"]}


def _request(kind: str, **body: Any) -> Arrange:
    """The person files a request of this kind in the app: what staff then answer."""

    def arrange(api: Api, subject: Subject) -> dict[str, Any]:
        response = api.call(
            "POST",
            f"/persons/{subject.id}/requests",
            token=subject.token,
            json={"type": kind, **body},
        )
        assert response.status_code == 201, response.text
        return {"request": response.json()["id"]}

    return arrange


_open_request = _request("access")
_restriction = _request("restriction", statement="The address you hold is wrong; I contest it.")


def _approved_restriction(api: Api, subject: Subject) -> dict[str, Any]:
    values = _restriction(api, subject)
    decided = api.call(
        "POST",
        f"/requests/{values['request']}/decision",
        token=api.staff_tokens["dpo"],
        json={"approved": True, "grounds": "Restricted while we check the address."},
    )
    assert decided.status_code == 200, decided.text
    return values


def _applied_to_the_bank(api: Api, subject: Subject) -> dict[str, Any]:
    """The insurer's client applies to the bank in the app: the bank may then reuse."""
    response = api.call(
        "POST",
        f"/persons/{subject.id}/applications",
        token=subject.token,
        json={"entity": BANK},
    )
    assert response.status_code == 201, response.text
    return {"application": response.json()["id"]}


def _simulation(api: Api, subject: Subject) -> dict[str, Any]:
    """The person starts a loan simulation with the bank in the app."""
    response = api.call(
        "POST", f"/persons/{subject.id}/simulations", token=subject.token, json=SIMULATION
    )
    assert response.status_code == 201, response.text
    return {"simulation": response.json()["id"]}


SIMULATION = {"product": "loan", "language": "nl"}


def _home_quote(api: Api, subject: Subject) -> dict[str, Any]:
    """The insurer's client simulates a home-insurance quote for a house in Ghent."""
    building = {
        "street": "Kouter",
        "number": "12",
        "postcode": "9000",
        "municipality": "Gent",
        "latitude": 51.05,
        "longitude": 3.72,
        "construction_year": 1978,
    }
    body = {"product": "home-insurance", "entity": INSURER, "building": building}
    response = api.call(
        "POST", f"/persons/{subject.id}/simulations", token=subject.token, json=body
    )
    assert response.status_code == 201, response.text
    return {"simulation": response.json()["id"]}


def _signed(api: Api, subject: Subject) -> dict[str, Any]:
    """Once the server's sequencer has signed a tree head: its size."""
    return {"size": signed_size(api)}


def _card(api: Api, subject: Subject) -> dict[str, Any]:
    """The person's card, as they see it in the app: what they complain about."""
    response = api.call("GET", f"/persons/{subject.id}/products", token=subject.token)
    assert response.status_code == 200, response.text
    return {"card": response.json()["cards"][0]["id"]}


def _complaint_body(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "product_kind": "card",
        "product_id": values["card"],
        "root_cause": "disputed-transaction",
        "summary": "A payment in Lisbon I never made.",
    }


def _complaint(*moves: str) -> Arrange:
    """The person files a complaint about their card in the app; the handler moves it on."""

    def arrange(api: Api, subject: Subject) -> dict[str, Any]:
        path = f"/persons/{subject.id}/complaints"
        response = api.call(
            "POST", path, token=subject.token, json=_complaint_body(_card(api, subject))
        )
        assert response.status_code == 201, response.text
        number = response.json()["id"]
        for to in moves:
            moved = api.call(
                "POST",
                f"/complaints/{number}/transitions",
                token=api.staff_tokens["complaint-handler"],
                json={"to": to},
            )
            assert moved.status_code == 200, moved.text
        return {"complaint": number}

    return arrange


def _conversation(*, investment: bool = False, audio: bool = False) -> Arrange:
    """The bank's advisor records a call with the person, the notice given."""

    def arrange(api: Api, subject: Subject) -> dict[str, Any]:
        recording = (
            {"kind": "audio", "content": "UklGRiQAAABXQVZF"}
            if audio
            else {"kind": "transcript", "content": "Adviseur: Ik stuur u binnen 3 dagen de brief."}
        )
        response = api.call(
            "POST",
            f"/persons/{subject.id}/conversations",
            token=api.staff_tokens["advisor"],
            json={
                "channel": "phone",
                "started_at": "2026-12-01T09:30:00Z",
                "language": "nl",
                "investment": investment,
                "notice_given": True,
                "recording": recording,
            },
        )
        assert response.status_code == 201, response.text
        return {"conversation": response.json()["id"]}

    return arrange


def _task(api: Api, subject: Subject) -> dict[str, Any]:
    values = _conversation()(api, subject)
    response = api.call(
        "POST",
        f"/conversations/{values['conversation']}/notes",
        token=api.staff_tokens["advisor"],
        json={"kind": "task", "text": "Send the letter", "due_on": "2026-12-04"},
    )
    assert response.status_code == 201, response.text
    return {"note": response.json()["id"]}


LETTER = {
    "channel": "letter",
    "body": "Je déménage le 1er mars. Ma nouvelle adresse est rue Neuve 3, Namur.",
}
EXAMINATION = {"ground": "assignment", "justification": "Answering the customer's letter."}


def _message(api: Api, subject: Subject) -> dict[str, Any]:
    """A letter from the person, registered by the bank's adviser: what staff then examine."""
    path = f"/persons/{subject.id}/correspondence"
    response = api.call("POST", path, token=api.staff_tokens["advisor"], json=LETTER)
    assert response.status_code == 201, response.text
    return {"message": response.json()["id"]}


def _draft(api: Api, subject: Subject) -> dict[str, Any]:
    """An answer drafted to the person's letter, waiting for approval."""
    number = _message(api, subject)["message"]
    path = f"/correspondence/{number}/drafts"
    response = api.call("POST", path, token=api.staff_tokens["advisor"])
    assert response.status_code == 201, response.text
    return {"draft": response.json()["id"]}


def _open_offer(api: Api, subject: Subject) -> dict[str, Any]:
    """The offers job ran for the person (a current account and a card): the bank offers a
    savings account."""
    now = dt.datetime.now(dt.UTC)
    offers_job(api.runtime, today=now.date(), now=now, only=[subject.id])
    response = api.call("GET", f"/persons/{subject.id}/offers", token=subject.token)
    assert response.status_code == 200, response.text
    return {"offer": next(o["id"] for o in response.json() if o["product"] == "savings-account")}


OBJECTION = {"purpose": "call-recording", "grounds": "I was threatened on a recorded line."}
_EVENT = {
    "key": "matrix-1",
    "event": "cards.statement.sent",
    "purpose": "customer-notifications",
    "categories": ["user.financial.card_statement"],
    "subject": "P-matrix-1",
    "occurred_at": "2026-11-30T09:15:00Z",
}

ROUTES = {
    "GET /me": Route("GET", "/me"),
    "POST /persons": Route("POST", "/persons", body=person_data),
    "GET /persons/{id}": Route("GET", "/persons/{person}"),
    "PATCH /persons/{id}": Route(
        "PATCH",
        "/persons/{person}",
        body=lambda: {
            "changes": {"email": f"alice.{next(_serials)}@example.be"},
            "reason": "new mailbox, told at the branch",
        },
    ),
    "GET /persons/{id}/history": Route("GET", "/persons/{person}/history"),
    "GET /persons/{id}/products": Route("GET", "/persons/{person}/products"),
    "GET /persons/{id}/kyc": Route("GET", "/persons/{person}/kyc"),
    # A client of the insurer, identified there: the bank's staff can reuse that identification.
    "POST /persons/{id}/identity-reuse": Route(
        "POST",
        "/persons/{person}/identity-reuse",
        subject="insurance-client",
        arrange=_applied_to_the_bank,
    ),
    # A client of the insurer applies to the bank; bank staff record it with the eID checked.
    "POST /persons/{id}/applications": Route(
        "POST",
        "/persons/{person}/applications",
        subject="insurance-client",
        body=lambda: {"entity": BANK},
    ),
    "GET /persons/{id}/applications": Route("GET", "/persons/{person}/applications"),
    "POST /persons/{id}/applications/{id}/withdrawal": Route(
        "POST",
        "/persons/{person}/applications/{application}/withdrawal",
        subject="insurance-client",
        arrange=_applied_to_the_bank,
    ),
    "PUT /persons/{id}/preferences/{key}": Route(
        "PUT", "/persons/{person}/preferences/card_reminders", body=lambda: {"enabled": True}
    ),
    "PUT /persons/{id}/consents/{purpose}": Route(
        "PUT", "/persons/{person}/consents/third-party-offers"
    ),
    "GET /persons/{id}/notification-preferences": Route(
        "GET", "/persons/{person}/notification-preferences"
    ),
    "PUT /persons/{id}/notification-preferences": Route(
        "PUT",
        "/persons/{person}/notification-preferences",
        body=lambda: {"quiet_hours": {"start": "22:00", "end": "07:00"}},
    ),
    "GET /persons/{id}/notifications": Route("GET", "/persons/{person}/notifications"),
    "DELETE /persons/{id}/consents/{purpose}": Route(
        "DELETE", "/persons/{person}/consents/third-party-offers", arrange=_give_consent
    ),
    "GET /persons/{id}/access-report": Route(
        "GET", "/persons/{person}/access-report?request_id={request}", arrange=_open_request
    ),
    "POST /persons/{id}/objections": Route(
        "POST", "/persons/{person}/objections", subject="bank-client", body=lambda: OBJECTION
    ),
    "GET /persons/{id}/objections": Route("GET", "/persons/{person}/objections"),
    "DELETE /persons/{id}/objections/{id}": Route(
        "DELETE",
        "/persons/{person}/objections/{objection}",
        subject="bank-client",
        arrange=_pending_objection,
    ),
    "POST /objections/{id}/decision": Route(
        "POST",
        "/objections/{objection}/decision",
        subject="bank-client",
        body=lambda: {"upheld": True},
        arrange=_pending_objection,
    ),
    "POST /persons/{id}/erasure": Route(
        "POST",
        "/persons/{person}/erasure?request_id={request}",
        subject="bank-client",
        arrange=_request("erasure"),
    ),
    "GET /persons/{id}/portability": Route(
        "GET", "/persons/{person}/portability?request_id={request}", arrange=_request("portability")
    ),
    "POST /persons/{id}/requests": Route(
        "POST",
        "/persons/{person}/requests",
        body=lambda: {"type": "rectification", "changes": {"last_name": "Maes-Peeters"}},
    ),
    "GET /persons/{id}/requests": Route("GET", "/persons/{person}/requests"),
    "GET /requests": Route("GET", "/requests"),
    "POST /requests/{id}/extension": Route(
        "POST",
        "/requests/{request}/extension",
        body=lambda: {"reason": "the file spans three entities"},
        arrange=_open_request,
    ),
    "POST /requests/{id}/decision": Route(
        "POST",
        "/requests/{request}/decision",
        body=lambda: {"approved": False, "grounds": "The address we hold is the one on your eID."},
        arrange=_restriction,
    ),
    "POST /requests/{id}/closure": Route(
        "POST",
        "/requests/{request}/closure",
        body=lambda: {"grounds": "The address is confirmed; the restriction is lifted."},
        arrange=_approved_restriction,
    ),
    "POST /persons/{id}/complaints": Route(
        "POST",
        "/persons/{person}/complaints",
        subject="card-client",
        arrange=_card,
        shaped=_complaint_body,
    ),
    "GET /persons/{id}/complaints": Route(
        "GET", "/persons/{person}/complaints", subject="card-client", arrange=_complaint()
    ),
    "GET /complaints": Route("GET", "/complaints?overdue=true"),
    "GET /complaints/statistics": Route("GET", "/complaints/statistics"),
    "GET /complaints/{id}": Route(
        "GET", "/complaints/{complaint}", subject="card-client", arrange=_complaint()
    ),
    "POST /complaints/{id}/transitions": Route(
        "POST",
        "/complaints/{complaint}/transitions",
        subject="card-client",
        body=lambda: {"to": "acknowledged"},
        arrange=_complaint(),
    ),
    "POST /complaints/{id}/holding-reply": Route(
        "POST",
        "/complaints/{complaint}/holding-reply",
        subject="card-client",
        body=lambda: {"reason": "Worldline needs three more weeks."},
        arrange=_complaint("acknowledged"),
    ),
    "POST /complaints/{id}/escalation": Route(
        "POST",
        "/complaints/{complaint}/escalation",
        subject="card-client",
        body=lambda: {"to": "complaints-function", "reason": "The customer asks for a review."},
        arrange=_complaint(),
    ),
    "POST /complaints/{id}/data-requests": Route(
        "POST",
        "/complaints/{complaint}/data-requests",
        subject="card-client",
        body=lambda: {"to": "worldline", "reason": "The authorisation log of the payment."},
        arrange=_complaint(),
    ),
    # The insurer's client, with no assessment yet; the numbers below are nobody's.
    "GET /persons/{id}/flood-assessments": Route(
        "GET", "/persons/{person}/flood-assessments?lang=nl", subject="insurance-client"
    ),
    "POST /persons/{id}/flood-assessments/{id}/contest": Route(
        "POST",
        "/persons/{person}/flood-assessments/2147483647/contest",
        subject="insurance-client",
        body=lambda: {"text": "My house stands on a hill, two metres above the river."},
    ),
    "GET /persons/{id}/simulations/{id}/flood-assessment": Route(
        "GET",
        "/persons/{person}/simulations/{simulation}/flood-assessment?lang=fr",
        subject="insurance-client",
        arrange=_home_quote,
    ),
    "GET /flood/assessments": Route("GET", "/flood/assessments"),
    "POST /flood/assessments/{id}/review": Route(
        "POST",
        "/flood/assessments/2147483647/review",
        body=lambda: {"outcome": "cover", "reasons": "The building was raised in 2019."},
    ),
    "POST /persons/{id}/simulations": Route(
        "POST", "/persons/{person}/simulations", subject="bank-client", body=lambda: SIMULATION
    ),
    "GET /persons/{id}/simulations": Route(
        "GET", "/persons/{person}/simulations", subject="bank-client", arrange=_simulation
    ),
    "GET /persons/{id}/simulations/{id}": Route(
        "GET",
        "/persons/{person}/simulations/{simulation}",
        subject="bank-client",
        arrange=_simulation,
    ),
    "POST /persons/{id}/simulations/{id}/steps": Route(
        "POST",
        "/persons/{person}/simulations/{simulation}/steps",
        subject="bank-client",
        body=lambda: {"name": "amount", "answers": {"amount": 20_000}},
        arrange=_simulation,
    ),
    "POST /persons/{id}/simulations/{id}/closure": Route(
        "POST",
        "/persons/{person}/simulations/{simulation}/closure",
        subject="bank-client",
        body=lambda: {"outcome": "abandoned"},
        arrange=_simulation,
    ),
    "GET /simulation-follow-up-tasks": Route("GET", "/simulation-follow-up-tasks"),
    "POST /persons/{id}/application-forms": Route(
        "POST",
        "/persons/{person}/application-forms",
        subject="bank-client",
        body=lambda: {"form": "loan-application"},
    ),
    # A bank client of their own per cell: alice may be restricted by an earlier cell.
    "POST /persons/{id}/correspondence": Route(
        "POST", "/persons/{person}/correspondence", subject="bank-client", body=lambda: LETTER
    ),
    "GET /persons/{id}/correspondence": Route(
        "GET", "/persons/{person}/correspondence", subject="bank-client"
    ),
    "POST /correspondence/{id}/examinations": Route(
        "POST",
        "/correspondence/{message}/examinations",
        subject="bank-client",
        body=lambda: EXAMINATION,
        arrange=_message,
    ),
    "POST /correspondence/{id}/drafts": Route(
        "POST", "/correspondence/{message}/drafts", subject="bank-client", arrange=_message
    ),
    "POST /correspondence/drafts/{id}/decision": Route(
        "POST",
        "/correspondence/drafts/{draft}/decision",
        subject="bank-client",
        body=lambda: {"approve": True},
        arrange=_draft,
    ),
    "GET /persons/{id}/offers": Route("GET", "/persons/{person}/offers"),
    "POST /persons/{id}/offers/{offer_id}/accept": Route(
        "POST",
        "/persons/{person}/offers/{offer}/accept",
        subject="card-client",
        arrange=_open_offer,
    ),
    "POST /persons/{id}/offers/{offer_id}/decline": Route(
        "POST",
        "/persons/{person}/offers/{offer}/decline",
        subject="card-client",
        arrange=_open_offer,
    ),
    "GET /offers/report": Route("GET", "/offers/report"),
    "GET /ledger/tree-heads/latest": Route("GET", "/ledger/tree-heads/latest", arrange=_signed),
    "GET /ledger/tree-heads/{tree_size}": Route(
        "GET", "/ledger/tree-heads/{size}", arrange=_signed
    ),
    "GET /ledger/consistency": Route(
        "GET", "/ledger/consistency?first=1&second={size}", arrange=_signed
    ),
    "GET /ledger/public-keys": Route("GET", "/ledger/public-keys"),
    "POST /persons/{id}/conversations": Route(
        "POST",
        "/persons/{person}/conversations",
        subject="bank-client",
        body=lambda: {
            "channel": "chat",
            "started_at": "2026-12-01T09:30:00Z",
            "language": "nl",
            "notice_given": True,
            "recording": {"kind": "transcript", "content": "Klant: Mijn adres is veranderd."},
        },
    ),
    "GET /persons/{id}/conversations": Route(
        "GET", "/persons/{person}/conversations", subject="bank-client"
    ),
    "GET /conversations/quality-sample": Route("GET", "/conversations/quality-sample"),
    "GET /conversations/{id}": Route(
        "GET", "/conversations/{conversation}", subject="bank-client", arrange=_conversation()
    ),
    "GET /conversations/{id}/copies/{use}": Route(
        "GET",
        "/conversations/{conversation}/copies/evidence",
        subject="bank-client",
        arrange=_conversation(),
    ),
    "POST /conversations/{id}/notes": Route(
        "POST",
        "/conversations/{conversation}/notes",
        body=lambda: {"kind": "minutes", "text": "Address change agreed."},
        subject="bank-client",
        arrange=_conversation(),
    ),
    "POST /conversations/{id}/proposals": Route(
        "POST",
        "/conversations/{conversation}/proposals",
        subject="bank-client",
        arrange=_conversation(),
    ),
    "POST /conversation-notes/{id}/status": Route(
        "POST",
        "/conversation-notes/{note}/status",
        body=lambda: {"to": "done"},
        subject="bank-client",
        arrange=_task,
    ),
    "GET /reminders": Route("GET", "/reminders"),
    "POST /conversations/{id}/extension": Route(
        "POST",
        "/conversations/{conversation}/extension",
        body=lambda: {"reference": "FSMA 2026/117"},
        subject="bank-client",
        arrange=_conversation(investment=True),
    ),
    "POST /conversations/{id}/transcription": Route(
        "POST",
        "/conversations/{conversation}/transcription",
        subject="bank-client",
        arrange=_conversation(audio=True),
    ),
    "POST /assistant/messages": Route(
        "POST", "/assistant/messages", subject="bank-client", body=lambda: {"text": "Hallo"}
    ),
    # Only a system's token records events (tests/api/test_ingest.py has it recording them).
    "POST /events": Route("POST", "/events", body=lambda: {"events": [_EVENT]}),
    "POST /decisions": Route(
        "POST",
        "/decisions",
        body=lambda: {
            "purpose": "customer-file",
            "categories": ["user.contact"],
            "subjects": ["P-matrix-1", "P-matrix-2"],
        },
    ),
}

# --- the expectations -------------------------------------------------------------------------
# Columns follow PRINCIPALS. Purposes of the staff roles (register.yaml, roles):
#   advisor, back-office: customer-contract (a client of their entity), customer-identification
#     (AML), customer-file and intra-group-identity-reuse, not data-subject-rights
#   dpo: data-subject-rights (the file is read to answer the person's rights; no file is opened)
#   complaint-handler: none of them
#   underwriter (kbc-insurance): customer-contract and customer-file, but alice and bob are
#     clients of the bank only, so their files answer as unknown ids (404); no AML identification,
#     data-subject-rights or identity reuse: refused before the person is looked up (403), as
#     every role outside a route's purpose
# A staff-only route (opening a file, reuse, deciding, the request queue) refuses customers;
# deciding an objection is the DPO's alone (a rule of the service, not of the policy).

FILE = (_401, _200, NP, _200, _200, _200, ROLE, NF)
RIGHTS_NEW = (_401, _201, NP, ROLE, ROLE, _201, ROLE, ROLE)
# Answering a request or reading the person's rights records: a role without data-subject-rights
# (the underwriter's too) is refused before anyone is looked up, the same for any id.
ANSWER = (_401, _200, NP, ROLE, ROLE, _200, ROLE, ROLE)
PUBLIC = (_200,) * 8  # the ledger's heads, proofs and keys: no personal data, anyone may look
# complaint-handling: the complaint handler's (for the bank, alice's), and the person's own
# through self-service; every other staff role is refused before anyone is looked up.
COMPLAINT_OWN = (_401, _200, NP, ROLE, ROLE, ROLE, _200, ROLE)
COMPLAINT_STAFF = (_401, NP, NP, ROLE, ROLE, ROLE, _200, ROLE)
SIMULATION_READ = (_401, _200, NP, _200, ROLE, ROLE, ROLE, ROLE)
# A home-insurance quote's flood outcome: the person's own, and the insurer's underwriters'.
FLOOD_QUOTE = (_401, _200, NP, ROLE, ROLE, ROLE, ROLE, _200)
# recorded-conversations: the advisor's and the complaint handler's (for the bank); the person
# reads their own under their right of access; no other role records or reads conversations.
# Each cell is about a new bank client: alice's file is restricted by other cells (Art. 18), and a
# restriction stops these legitimate-interest purposes.
CONVERSATION_STAFF = (_401, NP, NP, _200, ROLE, ROLE, _200, ROLE)
CONVERSATION_NEW = (_401, NP, NP, _201, ROLE, ROLE, _201, ROLE)
NOSPEECH = Expect(409, "conflict")  # no speech model is installed: said, not a 5xx
# business-correspondence: the bank's adviser and back office; customers never (it is staff's
# mail), other roles refused before anyone is looked up.
MAIL = (_401, NP, NP, _200, _200, ROLE, ROLE, ROLE)
MAIL_NEW = (_401, NP, NP, _201, _201, ROLE, ROLE, ROLE)
# personalised-offers: the person's own through self-service, and the advisor's (for the bank,
# whose offers they are); every other staff role is refused before anyone is looked up.
OFFERS_OWN = (_401, _200, NP, _200, ROLE, ROLE, ROLE, ROLE)

TABLE: dict[str, tuple[Expect, ...]] = {
    #                                         anon  own   other advisor back  dpo   compl underw
    "GET /me":                                 (_401, _200, _200, _200, _200, _200, _200, _200),
    "POST /persons":                           (_401, NP,   NP,   _201, _201, ROLE, ROLE, _201),
    "GET /persons/{id}":                       FILE,
    "PATCH /persons/{id}":                     FILE,
    "GET /persons/{id}/history":               FILE,
    "GET /persons/{id}/products":              FILE,
    "GET /persons/{id}/kyc":                   (_401, _200, NP,   _200, _200, _200, ROLE, ROLE),
    "POST /persons/{id}/identity-reuse":       (_401, NP,   NP,   _200, _200, ROLE, ROLE, ROLE),
    "POST /persons/{id}/applications":         (_401, _201, NP,   NOAPP, NOAPP, ROLE, ROLE, ROLE),
    "GET /persons/{id}/applications":          (_401, _200, NP,   _200, _200, ROLE, ROLE, ROLE),
    "POST /persons/{id}/applications/{id}/withdrawal": (_401, _200, NP, NF, NF, NF, NF, NF),
    "PUT /persons/{id}/preferences/{key}":     FILE,
    "PUT /persons/{id}/consents/{purpose}":    FILE,
    "GET /persons/{id}/notification-preferences": FILE,
    "PUT /persons/{id}/notification-preferences": FILE,
    "GET /persons/{id}/notifications":         FILE,
    "DELETE /persons/{id}/consents/{purpose}": FILE,
    "GET /persons/{id}/access-report":         ANSWER,
    "POST /persons/{id}/objections":           RIGHTS_NEW,
    "GET /persons/{id}/objections":            ANSWER,
    "DELETE /persons/{id}/objections/{id}":    ANSWER,
    "POST /objections/{id}/decision":          (_401, NP,   NP,   NP,   NP,   _200, NP,   NP),
    "POST /persons/{id}/erasure":              ANSWER,
    "GET /persons/{id}/portability":           ANSWER,
    "POST /persons/{id}/requests":             RIGHTS_NEW,
    "GET /persons/{id}/requests":              ANSWER,
    "GET /requests":                           (_401, NP,   NP,   ROLE, ROLE, _200, ROLE, ROLE),
    "POST /requests/{id}/extension":           (_401, NP,   NP,   ROLE, ROLE, _200, ROLE, ROLE),
    "POST /requests/{id}/decision":            (_401, NP,   NP,   NP,   NP,   _200, NP,   NP),
    "POST /requests/{id}/closure":             (_401, NP,   NP,   NP,   NP,   _200, NP,   NP),
    "POST /persons/{id}/complaints":           (_401, _201, NP,   ROLE, ROLE, ROLE, _201, ROLE),
    "GET /persons/{id}/complaints":            COMPLAINT_OWN,
    "GET /complaints":                         COMPLAINT_STAFF,
    "GET /complaints/statistics":              COMPLAINT_STAFF,
    "GET /complaints/{id}":                    COMPLAINT_STAFF,
    "POST /complaints/{id}/transitions":       COMPLAINT_STAFF,
    "POST /complaints/{id}/holding-reply":     COMPLAINT_STAFF,
    "POST /complaints/{id}/escalation":        COMPLAINT_STAFF,
    "POST /complaints/{id}/data-requests":     (_401, NP, NP, ROLE, ROLE, ROLE, _201, ROLE),
    # flood-data-underwriting: the underwriter's, and the person's own through self-service; a
    # customer contests, staff review; numbers nobody holds answer 404.
    "GET /persons/{id}/flood-assessments":     (_401, _200, NP,   ROLE, ROLE, ROLE, ROLE, _200),
    "POST /persons/{id}/flood-assessments/{id}/contest": (_401, NF, NP, ROLE, ROLE, ROLE, ROLE, NP),
    "GET /persons/{id}/simulations/{id}/flood-assessment": FLOOD_QUOTE,
    "GET /flood/assessments":                  (_401, NP,   NP,   ROLE, ROLE, ROLE, ROLE, _200),
    "POST /flood/assessments/{id}/review":     (_401, NP,   NP,   ROLE, ROLE, ROLE, ROLE, NF),
    # interrupted-simulation-support: the person makes their own simulations; the bank's adviser
    # reads them (a bank client's are with the bank); roles outside the purpose are refused.
    "POST /persons/{id}/simulations":          (_401, _201, NP,   NP,   NP,   NP,   NP,   NP),
    "GET /persons/{id}/simulations":           SIMULATION_READ,
    "GET /persons/{id}/simulations/{id}":      SIMULATION_READ,
    "POST /persons/{id}/simulations/{id}/steps": (_401, _200, NP, NP,   NP,   NP,   NP,   NP),
    "POST /persons/{id}/simulations/{id}/closure": (_401, _200, NP, NP, NP,   NP,   NP,   NP),
    "GET /simulation-follow-up-tasks":         (_401, NP,   NP,   _200, ROLE, ROLE, ROLE, ROLE),
    # process-optimisation: advisers and back office of the bank, for the bank's client.
    "POST /persons/{id}/application-forms":    (_401, _200, NP,   _200, _200, ROLE, ROLE, ROLE),
    "POST /persons/{id}/conversations":        CONVERSATION_NEW,
    "GET /persons/{id}/conversations":         (_401, _200, NP,   _200, ROLE, ROLE, _200, ROLE),
    # Advisors keep quality copies; only a quality reviewer draws the sample.
    "GET /conversations/quality-sample":       (_401, NP,   NP,   NP,   ROLE, ROLE, ROLE, ROLE),
    "GET /conversations/{id}":                 (_401, _200, NF,   _200, ROLE, ROLE, _200, ROLE),
    "GET /conversations/{id}/copies/{use}":    CONVERSATION_STAFF,
    "POST /conversations/{id}/notes":          CONVERSATION_NEW,
    "POST /conversations/{id}/proposals":      CONVERSATION_NEW,
    "POST /conversation-notes/{id}/status":    CONVERSATION_STAFF,
    "GET /reminders":                          CONVERSATION_STAFF,
    # mifid-call-recording: the bank's advisors and back office.
    "POST /conversations/{id}/extension":      (_401, NP,   NP,   _200, _200, ROLE, ROLE, ROLE),
    "POST /conversations/{id}/transcription":  (_401, NP, NP, NOSPEECH, ROLE, ROLE, NOSPEECH, ROLE),
    # The assistant answers a customer or prospect about themselves, never staff.
    "POST /assistant/messages":                (_401, _200, _200, NP,   NP,   NP,   NP,   NP),
    "POST /persons/{id}/correspondence":       MAIL_NEW,
    "GET /persons/{id}/correspondence":        MAIL,
    "POST /correspondence/{id}/examinations":  MAIL,
    "POST /correspondence/{id}/drafts":        MAIL_NEW,
    "POST /correspondence/drafts/{id}/decision": MAIL,
    "GET /persons/{id}/offers":                OFFERS_OWN,
    "POST /persons/{id}/offers/{offer_id}/accept": OFFERS_OWN,
    "POST /persons/{id}/offers/{offer_id}/decline": OFFERS_OWN,
    "GET /offers/report":                      (_401, NP, NP, _200, ROLE, ROLE, ROLE, ROLE),
    "GET /ledger/tree-heads/latest":           PUBLIC,
    "GET /ledger/tree-heads/{tree_size}":      PUBLIC,
    "GET /ledger/consistency":                 PUBLIC,
    "GET /ledger/public-keys":                 PUBLIC,
    "POST /events":                            (_401, NP,   NP,   NP,   NP,   NP,   NP,   NP),
    # Staff get an answer per subject (allowed or, with reasons, denied): never a refusal.
    "POST /decisions":                         (_401, NP,   NP,   _200, _200, _200, _200, _200),
}  # fmt: skip

FINDINGS: dict[tuple[str, str], str] = {}


def _cells() -> list[Any]:
    assert TABLE.keys() == ROUTES.keys()
    cells = []
    for name, row in TABLE.items():
        assert len(row) == len(PRINCIPALS), name
        for principal, expect in zip(PRINCIPALS, row, strict=True):
            finding = FINDINGS.get((name, principal))
            marks = [pytest.mark.xfail(strict=True, reason=finding)] if finding else []
            cells.append(
                pytest.param(name, principal, expect, id=f"{name} as {principal}", marks=marks)
            )
    return cells


def observed(response: httpx.Response) -> Expect:
    if response.is_success:
        return Expect(response.status_code)
    body = response.json()
    slug = str(body.get("type", "")).removeprefix("/problems/")
    return Expect(response.status_code, slug, tuple(body.get("reasons", ())))


def _subject(api: Api, kind: str) -> Subject:
    if kind == "alice":
        return api.alice
    if kind == "bank-client":
        return api.person()
    if kind == "card-client":
        return api.person(products=True)
    assert kind == "insurance-client"
    return api.person(entity=INSURER, identified=True)


@pytest.mark.parametrize(("route_name", "principal", "expect"), _cells())
def test_cell(api: Api, route_name: str, principal: str, expect: Expect) -> None:
    route = ROUTES[route_name]
    subject = _subject(api, route.subject)
    values = {"person": subject.id, **(route.arrange(api, subject) if route.arrange else {})}
    response = api.call(
        route.method,
        route.path.format(**values),
        token=api.token(principal, subject),
        json=body_of(route, values),
    )
    assert observed(response) == expect, response.text[:500]


def test_every_route_of_the_app_is_in_the_matrix(api: Api) -> None:
    """A route added to the API without a row here fails this test."""
    schema = api.call("GET", "/openapi.json").json()
    served = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, operations in schema["paths"].items()
        for method in operations
    }
    placeholders = {
        "{person_id}": "{id}",
        "{objection_id}": "{id}",
        "{request_id}": "{id}",
        "{application_id}": "{id}",
        "{complaint_id}": "{id}",
        "{assessment_id}": "{id}",
        "{simulation_id}": "{id}",
        "{conversation_id}": "{id}",
        "{note_id}": "{id}",
        "{message_id}": "{id}",
        "{draft_id}": "{id}",
    }
    for raw, plain in placeholders.items():
        served = {s.replace(raw, plain) for s in served}
    assert served == set(ROUTES)


def test_identity_reuse_by_an_advisor_reuses_the_insurers_identification(api: Api) -> None:
    """The 200 of the advisor's cell is a real reuse, not a refusal in disguise."""
    subject = api.person(entity=INSURER, identified=True)
    _applied_to_the_bank(api, subject)
    response = api.call(
        "POST",
        f"/persons/{subject.id}/identity-reuse",
        token=api.token("advisor", subject),
    )
    assert response.status_code == 200
    assert response.json()["reused"] is True
    assert response.json()["from_entity"] == INSURER


def test_customer_other_is_a_different_customer(api: Api) -> None:
    assert api.token(OWN, api.alice) != api.token(OTHER, api.alice)
    assert api.token(ANONYMOUS, api.alice) is None


def test_the_ledger_verifies_after_the_matrix(api: Api) -> None:
    """Refusals re-recorded after rollbacks, erasures shredding keys: the chain still holds."""
    with Session(api.runtime.engine) as session:
        assert ledger.verify(session, keys=api.runtime.keys).ok


# The auditor (register.yaml, roles) pursues no purpose: the ledger's public routes answer them
# as anyone, every route about a person refuses them, and the policy denies them everything.
AUDITOR_ANSWERED = {"GET /me", "POST /decisions"} | {n for n, r in TABLE.items() if r == PUBLIC}


def test_the_auditor_reaches_no_personal_data(api: Api) -> None:
    with unit_of_work(api.runtime.engine) as session:
        token = auth.issue_staff_token(
            session,
            register=api.runtime.register,
            staff_id="auditor-1",
            display_name="Internal Auditor",
            role="auditor",
            entity=BANK,
        ).token
    for name, route in ROUTES.items():
        subject = _subject(api, route.subject)
        values = {"person": subject.id, **(route.arrange(api, subject) if route.arrange else {})}
        response = api.call(
            route.method, route.path.format(**values), token=token, json=body_of(route, values)
        )
        if name not in AUDITOR_ANSWERED:
            assert response.status_code in (403, 404), (name, response.text[:300])
            continue
        assert response.status_code == 200, (name, response.text[:300])
        if name == "POST /decisions":
            answered = response.json()
            assert answered["allowed"] == 0 and answered["decisions"], answered
            for decision in answered["decisions"]:
                assert "role_not_permitted" in decision["reasons"], decision
