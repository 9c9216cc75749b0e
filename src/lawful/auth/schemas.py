"""Who is calling: a staff member acting in a role for one entity, a customer, or one of the
group's other systems (a register role of kind system) acting for one entity."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class PrincipalKind(StrEnum):
    STAFF = "staff"
    CUSTOMER = "customer"
    SYSTEM = "system"


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: PrincipalKind
    role: str  # a register role id; customers act through the "self-service" role
    entity: str  # the group entity the principal acts for
    staff_id: str | None = None
    person_id: str | None = None

    @property
    def label(self) -> str:
        """How the principal is named in histories: role and staff id, or 'customer'."""
        if self.kind is PrincipalKind.CUSTOMER:
            return "customer"
        if self.kind is PrincipalKind.SYSTEM:
            return self.role
        return f"{self.role}:{self.staff_id}"


class IssuedToken(BaseModel):
    token: str  # shown once; only its hash is stored
    id: str  # the first characters of the hash: how the token is listed and revoked
    principal: Principal
    expires_at: dt.datetime


class TokenInfo(BaseModel):
    """A token as listed: whose, since and until when; never the token itself."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: PrincipalKind
    staff_id: str | None
    person_id: str | None
    system: str | None = None
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
