"""The production subject-state source: what the policy must know of each person, from the database.

Set-based: one call for the customer file's facts, one query per chunk of ids for objections and
one for legal holds, whatever the number of subjects, so that a bulk job's decisions cost three
round trips per 900 subjects rather than three per subject. Entrypoints wire it as
`Gate.build(register, DbSubjectStates())`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from sqlalchemy.orm import Session

from lawful.core.policy.types import Hold, Objection, ObjectionStatus, SubjectState
from lawful.customers import service as customers
from lawful.rights import repository
from lawful.rights.schemas import ObjectionKind, ObjectionState


class DbSubjectStates:
    def load(
        self, session: Session, subject_ids: Collection[str], *, as_of: dt.date
    ) -> Mapping[str, SubjectState]:
        ids = list(dict.fromkeys(subject_ids))
        if not ids:
            return {}
        facts = customers.policy_facts(session, person_ids=ids, as_of=as_of)
        objections: dict[str, set[Objection]] = {}
        dm_objection: set[str] = set()
        withdrawn = [ObjectionState.WITHDRAWN.value]
        for person, kind, purpose, status in repository.objections_of(
            session, ids, excluded=withdrawn
        ):
            if kind == ObjectionKind.DIRECT_MARKETING:
                # Art. 21(3): absolute; a direct-marketing objection is never balanced or rejected.
                dm_objection.add(person)
            elif purpose is not None:
                objections.setdefault(person, set()).add(
                    Objection(purpose, ObjectionStatus(status))
                )
        holds: dict[str, set[Hold]] = {}
        for person, hold, until in repository.active_holds_of(session, ids):
            holds.setdefault(person, set()).add(Hold(hold, until))
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
            )
        return states
