"""The production subject-state source: what the policy must know of each person, from the database.

Set-based and in one statement: the customer file's facts (persons, relationships, notifications
switched off, consents) and what restricts processing (objections, legal holds) come back from one
UNION ALL per chunk of ids, so that one access costs one round trip and a bulk job one per 2,000
subjects. Entrypoints wire it as
`Gate.build(register, DbSubjectStates())`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.db import Prepared, data_version
from lawful.core.policy.types import Hold, Objection, ObjectionStatus, SubjectState
from lawful.customers import service as customers
from lawful.rights import repository
from lawful.rights.schemas import ObjectionKind


def _statement() -> sa.CompoundSelect[Any]:
    return sa.union_all(*customers.policy_fact_selects(), *repository.restriction_selects())


# Built once: every access asks it, in one round trip.
_STATE = _statement()
# The same for one subject, asked on every access: run on the driver's cursor.
_STATE_OF_ONE = Prepared(_STATE, one_of=["ids"])
# The same for many, their ids bound as one JSON array: nothing compiled per chunk (an `IN` list
# of 2 000 values cost more to compile than to run), and chunks as large as memory allows.
_STATES_OF_MANY = Prepared(_STATE, json_of=["ids"])
BULK_CHUNK = 20_000
# One subject's state, kept in the session for as long as its transaction has written nothing: a
# request asks it to authenticate a customer, to choose the purpose and to decide, and the
# database answers once.
_MEMO = "lawful.subject_state"


class DbSubjectStates:
    def load(
        self, session: Session, subject_ids: Collection[str], *, as_of: dt.date
    ) -> Mapping[str, SubjectState]:
        ids = list(dict.fromkeys(subject_ids))
        if len(ids) != 1:
            return self._load(session, ids, as_of=as_of) if ids else {}
        key = (ids[0], as_of, data_version(session))
        memo = session.info.get(_MEMO)
        if memo is not None and memo[0] == key:
            return memo[1]  # type: ignore[no-any-return]
        states = self._load(session, ids, as_of=as_of)
        session.info[_MEMO] = (key, states)
        return states

    def _load(
        self, session: Session, ids: list[str], *, as_of: dt.date
    ) -> Mapping[str, SubjectState]:
        params = customers.policy_fact_parameters(as_of)
        fact_rows: list[customers.FactRow] = []
        objections: dict[str, set[Objection]] = {}
        dm_objection: set[str] = set()
        holds: dict[str, set[Hold]] = {}
        restricted: set[str] = set()
        for start in range(0, len(ids), BULK_CHUNK):
            chunk = ids[start : start + BULK_CHUNK]
            one = len(chunk) == 1
            found = (_STATE_OF_ONE if one else _STATES_OF_MANY).rows(
                session, {**params, "ids": chunk}
            )
            for row in found:
                got = customers.FactRow(*row)
                person = got.person_id
                if got.kind in customers.FACT_KINDS:
                    fact_rows.append(got)
                elif got.kind == repository.RESTRICTION:
                    restricted.add(person)
                elif got.kind == repository.HOLD and got.key and got.until:
                    holds.setdefault(person, set()).add(Hold(got.key, got.until))
                elif got.key == ObjectionKind.DIRECT_MARKETING:
                    # Art. 21(3): absolute; a direct-marketing objection is never balanced.
                    dm_objection.add(person)
                elif got.value is not None and got.status is not None:
                    objections.setdefault(person, set()).add(
                        Objection(got.value, ObjectionStatus(got.status))
                    )
        facts = customers.policy_facts_from(fact_rows)
        states: dict[str, SubjectState] = {}
        for person in ids:
            fact = facts.get(person)
            if fact is None:
                # Not on file: the gate treats the subject as having no relationship at all.
                continue
            states[person] = SubjectState(
                as_of=as_of,
                relationships=fact.relationships,
                objections=frozenset(objections.get(person, ())),
                dm_objection=person in dm_objection,
                preferences_off=fact.preferences_off,
                consents=fact.consents,
                legal_holds=frozenset(holds.get(person, ())),
                erased=fact.erased,
                restricted_processing=person in restricted,
            )
        return states
