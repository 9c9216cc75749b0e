"""Tokens expire and can be revoked; an erased customer's token stops working. All alike: 401."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lawful.auth import service as auth
from lawful.auth.models import ApiToken
from lawful.core.db import utcnow
from lawful.core.gate import unit_of_work
from lawful.core.text import SHORT

from .conftest import Api, problem


def _refused(api: Api, token: str, person_id: str) -> None:
    response = api.call("GET", f"/persons/{person_id}", token=token)
    assert response.status_code == 401, response.text
    body = problem(response)
    assert body["type"] == "/problems/unauthenticated"
    # The same words for every reason: the caller learns nothing about the person.
    assert body["detail"] == "invalid, expired or revoked token"


def test_a_customer_token_expires_after_an_hour_by_default(api: Api) -> None:
    subject = api.person()
    with unit_of_work(api.runtime.engine) as session:
        row = session.scalars(sa.select(ApiToken).where(ApiToken.person_id == subject.id)).one()
    assert row.expires_at is not None
    assert row.expires_at - row.created_at == auth.CUSTOMER_VALIDITY


def test_an_expired_token_is_401(api: Api) -> None:
    subject = api.person()
    assert api.call("GET", f"/persons/{subject.id}", token=subject.token).status_code == 200
    with unit_of_work(api.runtime.engine) as session:
        session.execute(
            sa.update(ApiToken)
            .where(ApiToken.person_id == subject.id)
            .values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
    _refused(api, subject.token, subject.id)


def test_a_revoked_token_is_401_at_once(api: Api) -> None:
    subject = api.person()
    assert api.call("GET", f"/persons/{subject.id}", token=subject.token).status_code == 200
    with unit_of_work(api.runtime.engine) as session:
        auth.revoke(session, token_or_id=subject.token)
    _refused(api, subject.token, subject.id)


def test_a_token_is_revoked_by_its_id_too(api: Api) -> None:
    rt = api.runtime
    with unit_of_work(rt.engine) as session:
        issued = auth.issue_staff_token(
            session,
            register=rt.register,
            staff_id="advisor-rev",
            display_name="A",
            role="advisor",
            entity="kbc-bank",
            valid_for=dt.timedelta(minutes=5),
        )
    assert api.call("GET", "/me", token=issued.token).status_code == 200
    with unit_of_work(rt.engine) as session:
        info = auth.revoke(session, token_or_id=issued.id[:8])
        listed = {t.id: t for t in auth.list_tokens(session)}
    assert info.revoked_at is not None
    assert listed[issued.id].revoked_at == info.revoked_at
    assert api.call("GET", "/me", token=issued.token).status_code == 401


def test_an_erased_customers_token_is_401_not_404(api: Api) -> None:
    subject = api.person()
    erased = api.call("POST", f"/persons/{subject.id}/erasure", token=subject.token)
    assert erased.status_code == 200, erased.text
    _refused(api, subject.token, subject.id)


def test_a_legacy_token_without_expiry_ends_after_the_default_validity(api: Api) -> None:
    subject = api.person()
    with unit_of_work(api.runtime.engine) as session:
        session.execute(
            sa.update(ApiToken)
            .where(ApiToken.person_id == subject.id)
            .values(expires_at=None, created_at=utcnow() - 2 * auth.CUSTOMER_VALIDITY)
        )
    _refused(api, subject.token, subject.id)


@pytest.mark.parametrize("valid_for", [dt.timedelta(0), dt.timedelta(days=91)])
def test_a_validity_out_of_bounds_is_refused(api: Api, valid_for: dt.timedelta) -> None:
    from lawful.core.errors import InvalidInput

    with unit_of_work(api.runtime.engine) as session, pytest.raises(InvalidInput):
        auth.issue_customer_token(
            session, states=api.runtime.gate.states, person_id=api.alice.id, valid_for=valid_for
        )


def test_a_token_longer_than_any_text_is_just_unknown(api: Api) -> None:
    response = api.call("GET", "/me", token="lwf_" + "x" * (SHORT * 50))
    assert response.status_code == 401
