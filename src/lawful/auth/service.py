"""Issuing, checking, listing and revoking bearer tokens. A token is shown once; only its SHA-256
is kept, and its first characters serve as the token's id.

Every token expires (staff after a working day, customers after an hour, systems after thirty
days, unless told otherwise) and can be revoked. A customer's token stops working once the customer
is no longer on file (erased): it answers 401 like an expired one, which says nothing more about
the person.

auth is a leaf: it depends on the core only. What it must know of a customer (is the person on
file, and which group entity serves them) comes from the gate's subject states, the same source the
policy decides on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from lawful.auth import repository
from lawful.auth.schemas import IssuedToken, Principal, PrincipalKind, TokenInfo
from lawful.core.db import utcnow
from lawful.core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from lawful.core.gate import SubjectStates
from lawful.core.policy.types import Relationship
from lawful.core.register.models import ActorKind, Register, RelationshipState

SELF_SERVICE_ROLE = "self-service"
TOKEN_PREFIX = "lwf_"
STAFF_VALIDITY = dt.timedelta(hours=8)
CUSTOMER_VALIDITY = dt.timedelta(hours=1)
# A system runs unattended: its token is renewed by an operator, not at every log-in.
SYSTEM_VALIDITY = dt.timedelta(days=30)
LONGEST_VALIDITY = dt.timedelta(days=90)
ID_LENGTH = 12  # hex characters of the hash shown as a token's id
_SHORTEST_ID = 8


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _validity(valid_for: dt.timedelta | None, default: dt.timedelta) -> dt.timedelta:
    validity = default if valid_for is None else valid_for
    if not dt.timedelta(0) < validity <= LONGEST_VALIDITY:
        raise InvalidInput(
            f"a token is valid for more than 0 and at most {LONGEST_VALIDITY.days} days",
            field="valid_for",
        )
    return validity


def issue_staff_token(
    session: Session,
    *,
    register: Register,
    staff_id: str,
    display_name: str,
    role: str,
    entity: str,
    valid_for: dt.timedelta | None = None,
) -> IssuedToken:
    """Create the staff member on first use, then a token for them (default: 8 hours)."""
    if role not in {r.id for r in register.roles}:
        raise InvalidInput(f"'{role}' is not a role of the register", field="role")
    if entity not in {e.id for e in register.entities}:
        raise InvalidInput(f"'{entity}' is not an entity of the register", field="entity")
    validity = _validity(valid_for, STAFF_VALIDITY)
    staff = repository.get_staff(session, staff_id)
    if staff is None:
        repository.add_staff(
            session, staff_id=staff_id, display_name=display_name, role=role, entity=entity
        )
    elif (staff.role, staff.entity) != (role, entity):
        raise InvalidInput(
            f"staff member {staff_id} acts as {staff.role} for {staff.entity}", field="staff_id"
        )
    principal = Principal(kind=PrincipalKind.STAFF, role=role, entity=entity, staff_id=staff_id)
    return _issue(session, principal, validity)


def issue_customer_token(
    session: Session,
    *,
    states: SubjectStates,
    person_id: str,
    valid_for: dt.timedelta | None = None,
) -> IssuedToken:
    """A token for a customer on file (default: 1 hour)."""
    validity = _validity(valid_for, CUSTOMER_VALIDITY)
    principal = _customer(session, states, person_id)
    if principal is None:
        raise NotFound(f"no person {person_id} in the customer file")
    return _issue(session, principal, validity)


def issue_system_token(
    session: Session,
    *,
    register: Register,
    system: str,
    entity: str,
    valid_for: dt.timedelta | None = None,
) -> IssuedToken:
    """A token for one of the group's other systems, declared in the register as a role of kind
    system, acting for `entity` (default: 30 days). It records events and asks for decisions for
    the purposes its role lists, and reads no one's file."""
    role = next((r for r in register.roles if r.id == system), None)
    if role is None or role.kind is not ActorKind.SYSTEM:
        declared = ", ".join(r.id for r in register.roles if r.kind is ActorKind.SYSTEM)
        raise InvalidInput(
            f"'{system}' is not a system of the register (declared: {declared})", field="system"
        )
    if entity not in {e.id for e in register.entities}:
        raise InvalidInput(f"'{entity}' is not an entity of the register", field="entity")
    validity = _validity(valid_for, SYSTEM_VALIDITY)
    principal = Principal(kind=PrincipalKind.SYSTEM, role=system, entity=entity)
    return _issue(session, principal, validity)


def _issue(session: Session, principal: Principal, validity: dt.timedelta) -> IssuedToken:
    token = _new_token()
    now = utcnow()
    token_hash = _hash(token)
    repository.add_token(
        session,
        token_hash=token_hash,
        kind=principal.kind.value,
        staff_id=principal.staff_id,
        person_id=principal.person_id,
        now=now,
        expires_at=now + validity,
        system=principal.role if principal.kind is PrincipalKind.SYSTEM else None,
        entity=principal.entity if principal.kind is PrincipalKind.SYSTEM else None,
    )
    return IssuedToken(
        token=token, id=token_hash[:ID_LENGTH], principal=principal, expires_at=now + validity
    )


_SESSION_VALIDITY = {
    PrincipalKind.CUSTOMER: CUSTOMER_VALIDITY,
    PrincipalKind.STAFF: STAFF_VALIDITY,
}


def open_session(session: Session, *, token: str, principal: Principal) -> IssuedToken:
    """A token of its own for a browser session opened with `token` (already authenticated as
    `principal`): the same principal, expiring no later than the token shown nor than a token of
    its kind would, so that logging out can revoke it without ending the token itself, and a
    session never outlives what opened it."""
    default = _SESSION_VALIDITY.get(principal.kind)
    if default is None:
        raise Unauthenticated("only customers and staff open a session")
    rows = repository.tokens_by_hash_prefix(session, _hash(token))
    now = utcnow()
    ends = [now + default] + [r.expires_at for r in rows[:1] if r.expires_at is not None]
    validity = min(ends) - now
    if validity <= dt.timedelta(0):
        raise Unauthenticated("the token has expired")
    return _issue(session, principal, validity)


def end_session(session: Session, *, token: str) -> None:
    """Revoke a session's token at logout; one already gone or unknown is left as it is."""
    rows = repository.tokens_by_hash_prefix(session, _hash(token))
    if rows:
        repository.revoke(session, rows[0].token_hash, now=utcnow())


_RANK = {
    RelationshipState.CLIENT: 0,
    RelationshipState.PROSPECT: 1,
    RelationshipState.FORMER_CLIENT: 2,
}


def closest_entity(relationships: Sequence[Relationship]) -> str | None:
    """The entity a customer acts for: an open relationship first, client before prospect before
    former client, the oldest first."""
    ranked = sorted(
        relationships,
        key=lambda r: (r.until is not None, _RANK.get(r.state, 3), r.since or dt.date.min),
    )
    return ranked[0].entity if ranked else None


def _customer(session: Session, states: SubjectStates, person_id: str) -> Principal | None:
    """The customer as a principal, or None when not on file or erased."""
    state = states.load(session, [person_id], as_of=dt.date.today()).get(person_id)
    if state is None or state.erased:
        return None
    entity = closest_entity(state.relationships)
    if entity is None:
        return None
    return Principal(
        kind=PrincipalKind.CUSTOMER, role=SELF_SERVICE_ROLE, entity=entity, person_id=person_id
    )


def authenticate(session: Session, *, states: SubjectStates, token: str) -> Principal:
    """The token's principal; 401 for a token unknown, expired, revoked, of a staff member gone or
    of a customer no longer on file, all alike."""
    row = repository.find_token(session, _hash(token))
    now = utcnow()
    refused = Unauthenticated("invalid, expired or revoked token")
    if row is None or row.revoked_at is not None or _expires(row) <= now:
        raise refused
    if row.kind == PrincipalKind.STAFF.value and row.staff_id:
        if row.staff_found is None:
            raise refused
        return Principal(
            kind=PrincipalKind.STAFF, role=row.role, entity=row.entity, staff_id=row.staff_id
        )
    if row.kind == PrincipalKind.SYSTEM.value:
        if not row.system or not row.system_entity:
            raise refused
        return Principal(kind=PrincipalKind.SYSTEM, role=row.system, entity=row.system_entity)
    customer = _customer(session, states, row.person_id) if row.person_id else None
    if customer is None:
        raise refused
    return customer


def _expires(row: Any) -> dt.datetime:
    """Tokens issued before every token had an expiry end after the default validity."""
    if row.expires_at is not None:
        return row.expires_at  # type: ignore[no-any-return]
    default = {
        PrincipalKind.STAFF.value: STAFF_VALIDITY,
        PrincipalKind.SYSTEM.value: SYSTEM_VALIDITY,
    }.get(row.kind, CUSTOMER_VALIDITY)
    return row.created_at + default  # type: ignore[no-any-return]


def list_tokens(session: Session) -> list[TokenInfo]:
    """Every token, newest first, by id: never the token itself, which is not kept."""
    return [_info(row) for row in repository.all_tokens(session)]


def revoke(session: Session, *, token_or_id: str) -> TokenInfo:
    """Revoke a token given itself or its id (at least 8 characters of it); idempotent."""
    wanted = token_or_id.strip()
    if wanted.startswith(TOKEN_PREFIX):
        rows = repository.tokens_by_hash_prefix(session, _hash(wanted))
    elif len(wanted) >= _SHORTEST_ID and all(c in "0123456789abcdef" for c in wanted.lower()):
        rows = repository.tokens_by_hash_prefix(session, wanted.lower())
    else:
        raise InvalidInput("give the token itself or its id (8 or more hex characters)")
    if not rows:
        raise NotFound("no such token")
    if len(rows) > 1:
        raise Conflict(f"{len(rows)} tokens have an id starting with {wanted}: give more of it")
    row = rows[0]
    repository.revoke(session, row.token_hash, now=utcnow())
    return _info(repository.tokens_by_hash_prefix(session, row.token_hash)[0])


def _info(row: repository.TokenRow) -> TokenInfo:
    return TokenInfo(
        id=row.token_hash[:ID_LENGTH],
        kind=PrincipalKind(row.kind),
        staff_id=row.staff_id,
        person_id=row.person_id,
        system=row.system,
        created_at=row.created_at,
        expires_at=_expires(row),
        revoked_at=row.revoked_at,
    )
