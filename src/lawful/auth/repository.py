"""All SQL of the auth domain."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.auth.models import ApiToken, StaffMember
from lawful.core.db import Prepared


def get_staff(session: Session, staff_id: str) -> StaffMember | None:
    return session.get(StaffMember, staff_id)


def add_staff(
    session: Session, *, staff_id: str, display_name: str, role: str, entity: str
) -> None:
    session.add(StaffMember(id=staff_id, display_name=display_name, role=role, entity=entity))
    session.flush()


def add_token(
    session: Session,
    *,
    token_hash: str,
    kind: str,
    staff_id: str | None,
    person_id: str | None,
    now: dt.datetime,
    expires_at: dt.datetime | None,
    system: str | None = None,
    entity: str | None = None,
) -> None:
    session.execute(
        sa.insert(ApiToken).values(
            token_hash=token_hash,
            kind=kind,
            staff_id=staff_id,
            person_id=person_id,
            system=system,
            entity=entity,
            created_at=now,
            expires_at=expires_at,
        )
    )


def _token_statement() -> sa.Select[Any]:
    t, staff = ApiToken.__table__.c, StaffMember.__table__.c
    return (
        sa.select(
            t.kind,
            t.staff_id,
            t.person_id,
            t.created_at,
            t.expires_at,
            t.revoked_at,
            t.system,
            t.entity.label("system_entity"),
            staff.id.label("staff_found"),
            staff.role,
            staff.entity,
        )
        .select_from(ApiToken.__table__.outerjoin(StaffMember.__table__, t.staff_id == staff.id))
        .where(t.token_hash == sa.bindparam("token_hash"))
    )


# Asked on every request: built once, one round trip for the token and its staff member.
_TOKEN = Prepared(_token_statement())


def find_token(session: Session, token_hash: str) -> sa.Row[Any] | None:
    """The token with, for a staff token, its staff member's role and entity (None if gone)."""
    return _TOKEN.first(session, {"token_hash": token_hash})  # type: ignore[no-any-return]


TokenRow = ApiToken


def all_tokens(session: Session) -> list[ApiToken]:
    statement = sa.select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.token_hash)
    return list(session.scalars(statement))


def tokens_by_hash_prefix(session: Session, prefix: str) -> list[ApiToken]:
    """The tokens whose hash starts with `prefix` (hex): a range on the primary key."""
    upper = prefix + "g"  # 'g' sorts after every hex digit
    statement = sa.select(ApiToken).where(
        ApiToken.token_hash >= prefix, ApiToken.token_hash < upper
    )
    return list(session.scalars(statement.order_by(ApiToken.token_hash).limit(10)))


def revoke(session: Session, token_hash: str, *, now: dt.datetime) -> bool:
    result = session.execute(
        sa.update(ApiToken)
        .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(result, "rowcount", 0))
