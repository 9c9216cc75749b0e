"""A small register built in code, with one purpose for each rule the engine applies.

It is independent of the reference register on purpose: the examples below must not change meaning
when the reference register is edited. The property tests also run on the reference register.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lawful.core.policy import Policy, compile_policy
from lawful.core.register.load import reference_register_path
from lawful.core.register.models import (
    Address,
    Authority,
    AutomatedDecision,
    Brand,
    Contact,
    Duration,
    Entity,
    LegalBasis,
    LegalHold,
    Objection,
    ObjectionMode,
    Purpose,
    Recipient,
    RecipientKind,
    Region,
    Register,
    RelationshipScope,
    RelationshipState,
    Retention,
    RetentionStart,
    Role,
)

BANK, INSURER, CBC = "bank", "insurer", "cbc-insurer"
TODAY = dt.date(2025, 6, 1)

ADDRESS = Address(street="Havenlaan 2", postcode="1080", city="Brussel")


def _text(value: str) -> dict[str, str]:
    return {"en": value}


def _entity(entity_id: str, number: str) -> Entity:
    return Entity(
        id=entity_id,
        legal_name=entity_id.title(),
        enterprise_number=number,
        address=ADDRESS,
        dpo=Contact(email=f"dpo@{entity_id}.example"),
    )


def _purpose(purpose_id: str, categories: list[str], **extra: Any) -> Purpose:
    fields: dict[str, Any] = {
        "id": purpose_id,
        "title": _text(purpose_id),
        "description": _text(purpose_id),
        "legal_basis": LegalBasis.LEGITIMATE_INTERESTS,
        "data_use": "essential.service",
        "controllers": [BANK, INSURER],
        "data_categories": categories,
        "data_subjects": ["customer"],
        "retention": Retention(duration=Duration(years=1), starts=RetentionStart.COLLECTION),
        "objection": Objection(mode=ObjectionMode.BALANCING),
    }
    fields.update(extra)
    return Purpose(**fields)


def _hold(hold_id: str, categories: list[str]) -> LegalHold:
    return LegalHold(
        id=hold_id,
        title=_text(hold_id),
        law=_text("a law"),
        duration=Duration(years=10),
        starts=RetentionStart.RELATIONSHIP_END,
        data_categories=categories,
    )


def _recipient(recipient_id: str, kind: RecipientKind) -> Recipient:
    return Recipient(id=recipient_id, kind=kind, name=_text(recipient_id), description=_text("x"))


def _role(role_id: str, purposes: list[str]) -> Role:
    return Role(id=role_id, kind="staff", title=_text(role_id), purposes=purposes)


NONE = Objection(mode=ObjectionMode.NONE, reason=_text("legal obligation"))
ABSOLUTE = Objection(mode=ObjectionMode.ABSOLUTE)
CLIENT, PROSPECT, FORMER = (
    RelationshipState.CLIENT,
    RelationshipState.PROSPECT,
    RelationshipState.FORMER_CLIENT,
)


def build_register() -> Register:
    purposes = [
        _purpose(
            "customer-file",
            ["user.name", "user.contact", "user.financial"],
            relationship=[CLIENT, PROSPECT],
            legal_holds=["aml"],
        ),
        _purpose(
            "offers",
            ["user.contact", "user.behavior"],
            direct_marketing=True,
            objection=ABSOLUTE,
            relationship=[CLIENT],
            relationship_scope=RelationshipScope.GROUP,
        ),
        _purpose(
            "partner-offers",
            ["user.contact"],
            legal_basis=LegalBasis.CONSENT,
            requires_consent=True,
            direct_marketing=True,
            objection=NONE,  # consent is withdrawn, not objected to
        ),
        _purpose("profiling", ["user.behavior", "user.financial"]),
        _purpose(
            "card-reminder",
            ["user.contact.mobile", "user.financial"],
            controllers=[BANK],
            preference="card-balance-reminders",
            objection=NONE,
        ),
        _purpose(
            "flood-underwriting",
            ["user.location", "user.financial"],
            legal_basis=LegalBasis.CONTRACT,
            controllers=[INSURER, CBC],
            objection=NONE,
            automated_decision=AutomatedDecision(logic=_text("score"), safeguards=_text("human")),
        ),
        _purpose(
            "reinsurance",
            ["user.financial", "user.location", "user.name", "user.unique_id.pseudonymous"],
            controllers=[INSURER, CBC],
            recipients=["reinsurer", "broker-processor"],
        ),
        _purpose(
            "complaints",
            ["user.name", "user.contact", "user.financial", "user.content"],
            legal_basis=LegalBasis.LEGAL_OBLIGATION,
            controllers=[BANK, INSURER, CBC],
            objection=NONE,
            recipients=["card-processor", "ombudsman", "insurer-entity", "regulator"],
            legal_holds=["claims"],
        ),
        _purpose(
            "disputes",
            ["user.name", "user.content"],
            controllers=[BANK],
            relationship=[CLIENT, PROSPECT, FORMER],
            legal_claims=True,
        ),
        _purpose(
            "aml",
            ["user.government_id", "user.name", "user.financial"],
            legal_basis=LegalBasis.LEGAL_OBLIGATION,
            controllers=[BANK],
            objection=NONE,
            legal_holds=["aml"],
        ),
        _purpose(
            "rights",
            ["user.name", "user.contact", "user.financial", "user.government_id"],
            legal_basis=LegalBasis.LEGAL_OBLIGATION,
            controllers=[BANK, INSURER, CBC],
            objection=NONE,
            legal_holds=["aml"],
            survives_erasure=True,
        ),
    ]
    return Register(
        languages=["en"],
        updated_on=TODAY,
        authority=Authority(
            id="apd",
            name=_text("APD"),
            address=ADDRESS,
            contact=Contact(email="contact@apd.example"),
        ),
        entities=[
            _entity(BANK, "0462920226"),
            _entity(INSURER, "0403552563"),
            _entity(CBC, "0403211479"),
        ],
        brands=[
            Brand(
                id="brand",
                name=_text("Brand"),
                entities=[BANK, INSURER],
                region=Region.FLANDERS,
                app="App",
                assistant="Kate",
                website="https://brand.example",
                contact=Contact(email="info@brand.example"),
            )
        ],
        recipients=[
            _recipient("reinsurer", RecipientKind.THIRD_PARTY),
            _recipient("broker-processor", RecipientKind.PROCESSOR),
            _recipient("card-processor", RecipientKind.PROCESSOR),
            _recipient("ombudsman", RecipientKind.THIRD_PARTY),
            _recipient("insurer-entity", RecipientKind.GROUP_ENTITY),
            _recipient("regulator", RecipientKind.AUTHORITY),
            _recipient("stranger", RecipientKind.THIRD_PARTY),
        ],
        legal_holds=[
            _hold("aml", ["user.government_id", "user.name", "user.financial"]),
            _hold("claims", ["user.name", "user.contact", "user.content"]),
        ],
        purposes=purposes,
        roles=[
            _role("advisor", ["customer-file", "offers", "complaints", "card-reminder"]),
            _role("marketing", ["offers", "partner-offers", "profiling"]),
            _role("underwriter", ["flood-underwriting", "reinsurance", "customer-file"]),
            _role("complaints-handler", ["complaints", "disputes"]),
            _role("compliance", ["aml", "customer-file"]),
            _role("dpo", ["rights"]),
            Role(
                id="own-space",
                kind="system",
                title=_text("own-space"),
                purposes=["customer-file", "rights"],
                for_the_subject=True,
            ),
        ],
    )


@pytest.fixture(scope="session")
def register() -> Register:
    return build_register()


@pytest.fixture(scope="session")
def policy(register: Register) -> Policy:
    return compile_policy(register)


def _registers() -> list[Any]:
    params: list[Any] = [pytest.param("sample", id="sample")]
    if reference_register_path().exists():
        params.append(pytest.param("reference", id="reference"))
    return params


@pytest.fixture(scope="session", params=_registers())
def any_register(request: pytest.FixtureRequest) -> Register:
    """The sample register and, once it exists, the reference register."""
    if request.param == "reference":
        from lawful.core.register.load import load_register

        return load_register()
    return build_register()
