"""Issuing and checking bearer tokens. A token is shown once; only its SHA-256 is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy.orm import Session

from lawful.auth import repository
from lawful.auth.schemas import IssuedToken, Principal, PrincipalKind
from lawful.core.db import utcnow
from lawful.core.errors import InvalidInput, NotFound, Unauthenticated
from lawful.core.register.models import Register, RelationshipState
from lawful.customers import service as customers

SELF_SERVICE_ROLE = "self-service"
TOKEN_PREFIX = "lwf_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


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
    """Create the staff member on first use, then a token for them."""
    if role not in {r.id for r in register.roles}:
        raise InvalidInput(f"'{role}' is not a role of the register", field="role")
    if entity not in {e.id for e in register.entities}:
        raise InvalidInput(f"'{entity}' is not an entity of the register", field="entity")
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
    return _issue(session, principal, valid_for)


def issue_customer_token(
    session: Session, *, register: Register, person_id: str, valid_for: dt.timedelta | None = None
) -> IssuedToken:
    return _issue(session, _customer(session, register, person_id), valid_for)


def _issue(session: Session, principal: Principal, valid_for: dt.timedelta | None) -> IssuedToken:
    """A new token for the principal; only its hash is stored."""
    token = _new_token()
    now = utcnow()
    repository.add_token(
        session,
        token_hash=_hash(token),
        kind=principal.kind.value,
        staff_id=principal.staff_id,
        person_id=principal.person_id,
        now=now,
        expires_at=now + valid_for if valid_for else None,
    )
    return IssuedToken(token=token, principal=principal)


def _customer(session: Session, register: Register, person_id: str) -> Principal:
    """A customer acts through self-service, for the entity they are (or were) closest to."""
    rels = customers.relationships(session, person_id=person_id)
    if not rels:
        # Every person in the file has at least one relationship; none means unknown or erased.
        raise NotFound(f"no person {person_id} in the customer file")
    rank = {
        RelationshipState.CLIENT: 0,
        RelationshipState.PROSPECT: 1,
        RelationshipState.FORMER_CLIENT: 2,
    }
    open_first = sorted(rels, key=lambda r: (r.until is not None, rank.get(r.state, 3), r.since))
    entity = open_first[0].entity
    return Principal(
        kind=PrincipalKind.CUSTOMER, role=SELF_SERVICE_ROLE, entity=entity, person_id=person_id
    )


def authenticate(session: Session, *, register: Register, token: str) -> Principal:
    row = repository.find_token(session, _hash(token))
    now = utcnow()
    if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
        raise Unauthenticated("invalid, expired or revoked token")
    if row.kind == PrincipalKind.STAFF.value and row.staff_id:
        if row.staff_found is None:
            raise Unauthenticated("the token's staff member no longer exists")
        return Principal(
            kind=PrincipalKind.STAFF, role=row.role, entity=row.entity, staff_id=row.staff_id
        )
    if row.person_id is None:
        raise Unauthenticated("token without a subject")
    return _customer(session, register, row.person_id)


def revoke(session: Session, *, token: str) -> bool:
    return repository.revoke(session, _hash(token), now=utcnow())
