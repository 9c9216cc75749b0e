"""The access report: purposes, timeline, objections, rights, authority, in the right language."""

from __future__ import annotations

import base64
import datetime as dt
import json
from types import ModuleType

import pytest
from sqlalchemy.orm import Session

from lawful.core.errors import ProcessingDenied
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.core.register.models import Register
from lawful.core.register.placeholders import resolve
from lawful.core.register.statement import LEFTOVER, STYLE
from lawful.customers import service as customers
from lawful.customers.schemas import ApplicationCreate, PersonRead
from lawful.rights import service
from lawful.rights.labels import label, labels
from lawful.rights.schemas import AccessReport, PurposeInfo, RequestStatus, RequestType

from . import factories
from .conftest import ADVISOR, DPO, SELF, TODAY, access_report, new_person

INSURER = Actor("onboarding-service", "kbc-insurance")


def _reused(session: Session, gate: Gate, person: PersonRead) -> None:
    """The bank identified the person; the insurer then reuses that identification."""
    customers.add_kyc_record(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        data=factories.kyc(TODAY - dt.timedelta(days=30)),
    )
    customers.file_application(
        session,
        gate=gate,
        actor=SELF,
        person_id=person.id,
        data=ApplicationCreate(entity="kbc-insurance"),
    )
    outcome = customers.reuse_identity(
        session, gate=gate, actor=INSURER, person_id=person.id, today=TODAY
    )
    assert outcome.reused


def _report(session: Session, gate: Gate, person: PersonRead) -> AccessReport:
    return access_report(session, gate, actor=SELF, person_id=person.id, today=TODAY)


def test_report_lists_the_persons_purposes_with_basis_recipients_and_retention(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    report = _report(session, gate, client)
    assert report.lang == "nl" and report.brand == "kbc"
    file = next(p for p in report.purposes if p.id == "customer-file")
    assert file.title == "Uw klantendossier actueel houden"
    assert file.basis.startswith("Ons gerechtvaardigd belang")
    assert file.interest and "juiste en actuele gegevens" in file.interest
    assert "Scaldis Hosting NV" in file.recipients
    assert file.retention.startswith("5 jaar")
    assert file.controllers == ["KBC Bank NV"]
    assert file.objection_mode == "balancing" and "KBC Mobile" in file.objection
    offers = next(p for p in report.purposes if p.id == "personalised-offers")
    assert offers.objection_mode == "absolute"
    # A purpose none of whose controllers knows the person is left out.
    assert "reinsurance-transfer" not in {p.id for p in report.purposes}
    assert report.data["identity"]["first_name"] == client.first_name
    assert [r.id for r in report.rights] == [
        "access",
        "rectification",
        "erasure",
        "restriction",
        "portability",
        "objection",
    ]
    assert report.authority.name == "Gegevensbeschermingsautoriteit (GBA)"
    assert "Gegevensbeschermingsautoriteit" in report.authority.text


def test_purposes_worded_once_still_name_each_persons_own_controllers_and_language(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    # Purpose texts are worded once per brand and language and kept: a report made after
    # another person's still names only the controllers this person deals with, in their words.
    both = new_person(session, gate)
    _reused(session, gate, both)
    group = {"KBC Bank NV", "KBC Verzekeringen NV"}
    assert set(_purpose(_report(session, gate, both), "customer-file").controllers) == group
    assert _purpose(_report(session, gate, client), "customer-file").controllers == ["KBC Bank NV"]
    french = new_person(session, gate, region="wallonia", language="fr")
    report = _report(session, gate, french)
    assert report.lang == "fr"
    assert _purpose(report, "customer-file").title != "Uw klantendossier actueel houden"


def _purpose(report: AccessReport, purpose: str) -> PurposeInfo:
    return next(p for p in report.purposes if p.id == purpose)


def test_timeline_shows_the_identity_reuse_with_its_recipient_newest_first(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    _reused(session, gate, client)
    report = _report(session, gate, client)
    reuse = next(e for e in report.timeline if e.purpose == "intra-group-identity-reuse")
    assert reuse.recipient == "KBC Verzekeringen NV"
    assert reuse.entity == "KBC Verzekeringen NV"
    assert "Naam" in reuse.categories
    assert reuse.text.startswith("Op ") and "Doorgegeven aan KBC Verzekeringen NV." in reuse.text
    assert "De aankoop, het gebruik en de beëindiging van onze producten" in reuse.text
    stamps = [e.occurred_at for e in report.timeline]
    assert stamps == sorted(stamps, reverse=True)
    # The identity-reuse purpose now concerns the person, through the insurer too.
    reuse_purpose = next(p for p in report.purposes if p.id == "intra-group-identity-reuse")
    assert set(reuse_purpose.controllers) == {"KBC Bank NV", "KBC Verzekeringen NV"}
    assert reuse_purpose.source


def test_refused_uses_are_not_in_the_timeline(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    with pytest.raises(ProcessingDenied):
        ctx = gate.open(session, actor=ADVISOR, purpose="reinsurance-transfer")
        ctx.access(client.id, categories=["user.name"], event="insurance.cession.prepare")
    report = _report(session, gate, client)
    assert all(e.purpose != "reinsurance-transfer" for e in report.timeline)


def test_the_report_is_a_request_answered_at_once_and_recorded(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    report = _report(session, gate, client)
    request = service.get_request(session, gate=gate, request_id=report.request_id)
    assert (request.type, request.status, request.channel) == (
        RequestType.ACCESS,
        RequestStatus.COMPLETED,
        "api",
    )
    events = [e.purpose for e in _report(session, gate, client).timeline]
    assert "data-subject-rights" in events


def test_objections_and_their_outcome_are_told(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    objection = service.object(
        session,
        gate=gate,
        actor=SELF,
        person_id=client.id,
        purpose="recorded-conversations",
        grounds="I work for a competitor",
        channel="api",
        registered_by="self-service",
        today=TODAY,
    )
    service.decide_objection(
        session,
        gate=gate,
        actor=DPO,
        objection_id=objection.id,
        upheld=False,
        grounds="Needed as evidence of the advice given",
        today=TODAY,
    )
    told = _report(session, gate, client).objections
    assert len(told) == 1 and told[0].purpose_title == "Onze gesprekken bijhouden"
    assert "Needed as evidence of the advice given" in told[0].text
    assert told[0].text.startswith("Ontvangen op")


@pytest.mark.parametrize(
    ("language", "region", "lang", "heading"),
    [
        ("fr", "wallonia", "fr", "Les données que nous avons sur vous"),
        ("nl", "flanders", "nl", "De gegevens die we over u hebben"),
        ("en", "brussels", "en", "The data we hold about you"),
        ("de", "flanders", "nl", "De gegevens die we over u hebben"),
        ("de", "brussels", "fr", "Les données que nous avons sur vous"),
    ],
)
def test_html_in_the_persons_language_with_nothing_left_unresolved(
    session: Session, gate: Gate, language: str, region: str, lang: str, heading: str
) -> None:
    person = new_person(session, gate, language=language, region=region)
    _reused(session, gate, person)
    report = _report(session, gate, person)
    assert report.lang == lang
    html = service.to_html(report)
    assert f'<html lang="{lang}">' in html
    assert heading in html
    assert LEFTOVER.search(STYLE.sub("", html)) is None
    assert "{" not in STYLE.sub("", html)
    decoded = json.loads(service.to_json(report))
    assert decoded["request_id"] == report.request_id and decoded["lang"] == lang


def test_pdf(session: Session, gate: Gate, client: PersonRead) -> None:
    pdf = service.to_pdf(_report(session, gate, client))
    assert pdf.startswith(b"%PDF")


def test_every_label_exists_in_every_language_and_resolves_for_every_brand(
    register: Register,
) -> None:
    for lang in register.languages:
        texts = labels(lang)  # a label missing in `lang` raises
        assert texts["headings"]["data"]
        for brand in register.brands:
            for path in ("rights.how", "objection.how", "authority.text"):
                resolved = resolve(label(lang, path), register=register, brand=brand, lang=lang)
                assert LEFTOVER.search(resolved) is None


def test_the_steps_of_one_answer_make_one_timeline_line(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    _reused(session, gate, client)
    first = _report(session, gate, client)
    second = _report(session, gate, client)
    rights = [e for e in second.timeline if e.purpose == "data-subject-rights"]
    # Both reports were answered today by the same entity: one line, every step named once,
    # and the categories of every step in it.
    assert len(rights) == 1
    assert {"rights.request.receive", "customers.person.export", "rights.access.report"} <= set(
        rights[0].events
    )
    assert len(rights[0].events) == len(set(rights[0].events))
    assert "Naam" in rights[0].categories
    # A line of another purpose in between starts a new line: the order stays true.
    purposes = [e.purpose for e in second.timeline]
    assert purposes.index("intra-group-identity-reuse") > purposes.index("data-subject-rights")
    assert len(second.timeline) == len(first.timeline)


def test_each_event_comes_with_a_proof_anyone_can_check(
    session: Session, gate: Gate, client: PersonRead, rfc9162: ModuleType
) -> None:
    _reused(session, gate, client)
    while ledger.sequence(session, keys=gate.keys).sequenced:
        pass
    report = _report(session, gate, client)
    proofs = report.ledger
    head = proofs.tree_head
    assert head is not None and "Ondertekende stand van het register" in proofs.summary
    public = ledger.public_keys(gate.keys)[head.key_id]
    root = bytes.fromhex(head.root_hash)
    assert rfc9162.signature_holds(
        public, head.timestamp, head.tree_size, root, bytes.fromhex(head.signature)
    )
    included = [e for e in proofs.events if e.status == "included"]
    pending = [e for e in proofs.events if e.status == "pending"]
    assert included and len(proofs.events) == sum(len(line.events) for line in report.timeline)
    for event in included:
        assert event.leaf_index is not None
        path = [bytes.fromhex(h) for h in event.inclusion_path]
        entry = base64.b64decode(event.entry)
        assert rfc9162.inclusion_holds(event.leaf_index, head.tree_size, entry, path, root)
    # What this very answer recorded is not sequenced yet: it says so, and carries no proof.
    assert pending and all(e.leaf_index is None and not e.inclusion_path for e in pending)
    assert "rights.access.report" in {e.event for e in pending}
    html = service.to_html(report)
    assert proofs.summary.split(":")[0] in html and "/api/v1/ledger/public-keys" in html
