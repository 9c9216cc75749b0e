"""Products and identifications in the customer file, for the actor's own entity.

Staff see and write only the products of the entity they work for (a safeguard of
customer-file), and only for that entity's customers (`scope`); the group-wide view is the access
report (`dossier.export_person`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from lawful.core.errors import InvalidInput
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.customers import categories as c
from lawful.customers import identity, repository, scope
from lawful.customers.access import Event, ask_file, identification_purpose
from lawful.customers.dossier import cards_with_statements
from lawful.customers.models import Account, Card, CardStatement, HomePolicy, KycRecord, Loan
from lawful.customers.schemas import (
    AccountCreate,
    AccountRead,
    CardCreate,
    CardRead,
    CardStatementCreate,
    CardStatementRead,
    HomePolicyCreate,
    HomePolicyRead,
    KycRecordCreate,
    KycRecordRead,
    LoanCreate,
    LoanRead,
    ProductsRead,
)
from lawful.customers.scope import unseen_unless_related

# The role through which a person acts on their own file.
SELF_SERVICE = "self-service"
PRODUCT_DATA = (c.ACCOUNTS, c.CARDS, c.STATEMENTS, c.LOANS, c.HOME_POLICIES, c.PROPERTY_DATA)


@unseen_unless_related
def add_account(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, data: AccountCreate
) -> AccountRead:
    ask_file(session, gate, actor, person_id, (c.ACCOUNTS,), Event.ACCOUNT_CREATE)
    row = Account(person_id=person_id, entity=actor.entity, **data.model_dump())
    repository.add(session, row, conflict="this IBAN is already on file")
    return AccountRead.model_validate(row)


@unseen_unless_related
def add_card(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, data: CardCreate
) -> CardRead:
    ask_file(session, gate, actor, person_id, (c.CARDS,), Event.CARD_CREATE)
    account = data.account_id
    if account is not None and not repository.holds(
        session, Account, person_id, account, entity=actor.entity
    ):
        raise InvalidInput("not an account of this person with this entity", field="account_id")
    row = Card(person_id=person_id, entity=actor.entity, **data.model_dump())
    repository.add(session, row, conflict="the card could not be recorded")
    return CardRead.model_validate(row)


@unseen_unless_related
def add_card_statement(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, data: CardStatementCreate
) -> CardStatementRead:
    ask_file(session, gate, actor, person_id, (c.STATEMENTS,), Event.CARD_STATEMENT_CREATE)
    if not repository.holds(session, Card, person_id, data.card_id, entity=actor.entity):
        raise InvalidInput("not a card of this person with this entity", field="card_id")
    row = CardStatement(person_id=person_id, **data.model_dump())
    repository.add(session, row, conflict="the statement could not be recorded")
    return CardStatementRead.model_validate(row)


@unseen_unless_related
def add_loan(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, data: LoanCreate
) -> LoanRead:
    ask_file(session, gate, actor, person_id, (c.LOANS,), Event.LOAN_CREATE)
    row = Loan(person_id=person_id, entity=actor.entity, **data.model_dump())
    repository.add(session, row, conflict="the loan could not be recorded")
    return LoanRead.model_validate(row)


@unseen_unless_related
def add_home_policy(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, data: HomePolicyCreate
) -> HomePolicyRead:
    data_asked = (c.HOME_POLICIES, c.PROPERTY_DATA)
    ask_file(session, gate, actor, person_id, data_asked, Event.HOME_POLICY_CREATE)
    region = identity.region_of(data.postcode).value
    row = HomePolicy(person_id=person_id, entity=actor.entity, region=region, **data.model_dump())
    repository.add(session, row, conflict="this policy number is already on file")
    return HomePolicyRead.model_validate(row)


@unseen_unless_related
def add_kyc_record(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, data: KycRecordCreate
) -> KycRecordRead:
    """An identification the actor's entity performed itself."""
    purpose = identification_purpose(gate, actor)
    ask_file(session, gate, actor, person_id, (c.KYC,), Event.KYC_RECORD_CREATE, purpose=purpose)
    row = KycRecord(person_id=person_id, entity=actor.entity, **data.model_dump())
    repository.add(session, row, conflict="the identification could not be recorded")
    return KycRecordRead.model_validate(row)


@unseen_unless_related
def products(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, reason: str | None = None
) -> ProductsRead:
    """The person's products with the actor's entity; the person sees every product of theirs,
    with every entity of the group (bank and insurance alike)."""
    why = scope.reason(gate, actor, reason) or None
    ask_file(session, gate, actor, person_id, PRODUCT_DATA, Event.PRODUCT_LIST, details=why)
    entity, rows = _scope(actor), repository.rows_of
    return ProductsRead(
        accounts=[
            AccountRead.model_validate(r) for r in rows(session, Account, person_id, entity=entity)
        ],
        cards=cards_with_statements(session, person_id, entity=entity),
        loans=[LoanRead.model_validate(r) for r in rows(session, Loan, person_id, entity=entity)],
        home_policies=[
            HomePolicyRead.model_validate(r)
            for r in rows(session, HomePolicy, person_id, entity=entity)
        ],
    )


@unseen_unless_related
def kyc_records(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, reason: str | None = None
) -> list[KycRecordRead]:
    """The identifications the actor's entity holds (performed or reused); the person sees all
    of theirs."""
    why = scope.reason(gate, actor, reason) or None
    purpose = identification_purpose(gate, actor)
    event = Event.KYC_RECORD_LIST
    ask_file(session, gate, actor, person_id, (c.KYC,), event, details=why, purpose=purpose)
    rows = repository.rows_of(session, KycRecord, person_id, entity=_scope(actor))
    return [KycRecordRead.model_validate(r) for r in rows]


def _scope(actor: Actor) -> str | None:
    """The entity whose products the actor sees: staff their own entity's (a safeguard of the
    file), the person acting for themselves all of theirs."""
    return None if actor.role == SELF_SERVICE else actor.entity
