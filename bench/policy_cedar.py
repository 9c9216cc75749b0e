"""The register as a Cedar policy set (schema-free), answering the same questions as lawful.

Principal `Actor::"role@entity"` (parent: its role; attribute: its entity), action the purpose,
resource `Subject::"id"` whose attributes are the subject's state. The context names one category,
an entity whose parents are the category above it and, when declared, the `Declared::"purpose"` and
`Kept::"hold"` groups — so `CATEGORY_IN Declared::"p"` holds exactly when purpose p declares
the category or one above it. One `permit` per purpose carries the static rules; one `forbid` per
state rule carries the subject. Cedar, like casbin, answers one category at a time; a question is
allowed when all its categories are. (State in the context instead of the entity store was tried:
cedarpy then spends most of its time parsing contexts.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import cedarpy

from lawful.core.policy import Request, SubjectState
from lawful.core.register.models import LegalBasis, ObjectionMode, Register, RelationshipScope


def _q(value: str) -> str:
    return json.dumps(value)


def _set(values: Iterable[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def policy_text(register: Register) -> str:
    holds = {h.id for h in register.legal_holds}
    out: list[str] = []
    for purpose in register.purposes:
        action = f"action == Action::{_q(purpose.id)}"
        roles = [r.id for r in register.roles if purpose.id in r.purposes]
        if roles:
            in_role = " || ".join(f"principal in Role::{_q(r)}" for r in roles)
            recipients = _set(purpose.recipients)
            out.append(
                f"permit(principal, {action}, resource) when {{\n"
                f"  ({in_role}) && {_set(purpose.controllers)}.contains(principal.entity)\n"
                f"  && context.category in Declared::{_q(purpose.id)}\n"
                f'  && (context.recipient == "" || {recipients}.contains(context.recipient))\n}};'
            )
        forbid = f"forbid(principal, {action}, resource)"
        if purpose.direct_marketing:
            out.append(f"{forbid} when {{ resource.dm_objection }};")
        if purpose.objection.mode is ObjectionMode.BALANCING:
            out.append(f"{forbid} when {{ resource.restricted.contains({_q(purpose.id)}) }};")
        elif purpose.objection.mode is ObjectionMode.ABSOLUTE:
            out.append(f"{forbid} when {{ resource.objected.contains({_q(purpose.id)}) }};")
        if purpose.requires_consent or purpose.legal_basis is LegalBasis.CONSENT:
            out.append(f"{forbid} unless {{ resource.consents.contains({_q(purpose.id)}) }};")
        if purpose.preference:
            out.append(
                f"{forbid} when {{ resource.preferences_off.contains({_q(purpose.preference)}) }};"
            )
        if purpose.relationship:
            if purpose.relationship_scope is RelationshipScope.GROUP:
                held = [
                    f"resource.relationship_states.contains({_q(s)})" for s in purpose.relationship
                ]
            else:
                held = [
                    f"resource.relationships.contains({{entity: principal.entity, state: {_q(s)}}})"
                    for s in purpose.relationship
                ]
            out.append(f"{forbid} unless {{ {' || '.join(held)} }};")
        kept = [
            f"(resource.holds.contains({_q(h)}) && context.category in Kept::{_q(h)})"
            for h in purpose.legal_holds
            if h in holds
        ]
        unless = f" unless {{ {' || '.join(kept)} }}" if kept else ""
        if not purpose.survives_erasure:
            out.append(f"{forbid} when {{ resource.erased }}{unless};")
    return "\n".join(out)


def _uid(kind: str, id_: str) -> dict[str, str]:
    return {"type": kind, "id": id_}


def subject_attrs(state: SubjectState) -> dict[str, Any]:
    return {
        "erased": state.erased,
        "dm_objection": state.dm_objection,
        "restricted": sorted(state.restricted),
        "objected": sorted(state.objected),
        "consents": sorted(state.consents),
        "preferences_off": sorted(state.preferences_off),
        "relationship_states": sorted(s.value for s in state.relationship_states),
        "relationships": [
            {"entity": entity, "state": s.value}
            for entity, states in sorted(state.relationships_by_entity.items())
            for s in sorted(states)
        ],
        "holds": sorted(state.holds),
    }


def entities(
    register: Register,
    actors: Iterable[tuple[str, str]],
    categories_asked: Iterable[str],
    subjects: Mapping[str, SubjectState],
) -> list[dict[str, Any]]:
    parents: dict[str, list[dict[str, str]]] = {}
    every = set(categories_asked)
    every |= {c for p in register.purposes for c in p.data_categories}
    every |= {c for h in register.legal_holds for c in h.data_categories}
    for category in sorted(every):
        parts = category.split(".")
        for i in range(len(parts), 0, -1):
            above = [_uid("Category", ".".join(parts[: i - 1]))] if i > 1 else []
            parents.setdefault(".".join(parts[:i]), []).extend(above)
    for purpose in register.purposes:
        for c in purpose.data_categories:
            parents[c].append(_uid("Declared", purpose.id))
    for hold in register.legal_holds:
        for c in hold.data_categories:
            parents[c].append(_uid("Kept", hold.id))
    out: list[dict[str, Any]] = [
        {"uid": _uid("Category", c), "attrs": {}, "parents": _dedupe(ps)}
        for c, ps in parents.items()
    ]
    out += [
        {
            "uid": _uid("Actor", f"{role}@{entity}"),
            "attrs": {"entity": entity},
            "parents": [_uid("Role", role)],
        }
        for role, entity in sorted(set(actors))
    ]
    out += [
        {"uid": _uid("Subject", sid), "attrs": subject_attrs(state), "parents": []}
        for sid, state in subjects.items()
    ]
    return out


def _dedupe(uids: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for uid in uids:
        seen.setdefault((uid["type"], uid["id"]), uid)
    return list(seen.values())


def cedar_requests(request: Request) -> list[dict[str, Any]]:
    """One Cedar request per category, in cedarpy's structured form (its fastest to parse)."""
    actor = request.actor
    principal = _uid("Actor", actor.role + "@" + actor.entity)
    action = _uid("Action", request.purpose)
    resource = _uid("Subject", request.subject)
    recipient = request.recipient or ""
    return [
        {
            "principal": principal,
            "action": action,
            "resource": resource,
            # a JSON string: cedarpy would otherwise json.dumps a dict context for every request
            "context": json.dumps(
                {"category": {"__entity": _uid("Category", c)}, "recipient": recipient}
            ),
        }
        for c in request.categories
    ]


class Cedar:
    """The parsed policy set and entity store, reused across calls as cedarpy recommends."""

    def __init__(
        self,
        register: Register,
        actors: Iterable[tuple[str, str]],
        categories: Iterable[str],
        subjects: Mapping[str, SubjectState],
    ) -> None:
        self.text = policy_text(register)
        self.policies = cedarpy.PolicySet.from_str(self.text)
        self.entities = cedarpy.Entities.from_json_str(
            json.dumps(entities(register, actors, categories, subjects))
        )

    def decide_batch(self, batch: Sequence[list[dict[str, Any]]]) -> list[bool]:
        """Each element holds one question's per-category requests."""
        flat = [r for requests in batch for r in requests]
        results = cedarpy.is_authorized_batch(flat, self.policies, self.entities)
        out, i = [], 0
        for requests in batch:
            n = len(requests)
            out.append(all(r.allowed for r in results[i : i + n]))
            i += n
        return out
