"""The register as a pycasbin model, answering the same questions as lawful's engine.

RBAC does the static part: `g` role -> purpose, `g2` entity -> purpose (controllers), `g3` the
category tree with each declared category linked to its purpose (so `g3(cat, purpose)` holds
exactly when the purpose declares the category or one above it), `g4` recipient -> purpose, `g5`
the category tree with hold categories linked to their hold. ABAC does the subject: the request
carries the state's attributes and one policy line per (purpose, required relationship state,
legal hold) pairs the purpose's flags with them. Casbin answers one category at a time; a question
is allowed when all its categories are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product

import casbin

from lawful.core.policy import Request, SubjectState
from lawful.core.register.models import (
    LegalBasis,
    ObjectionMode,
    Register,
    RelationshipScope,
)

MODEL = """
[request_definition]
r = role, entity, purpose, cat, rcpt, st

[policy_definition]
p = purpose, dm, objection, consent, pref, rel, scope, hold

[role_definition]
g = _, _
g2 = _, _
g3 = _, _
g4 = _, _
g5 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.purpose == p.purpose && g(r.role, r.purpose) && g2(r.entity, r.purpose) \
 && g3(r.cat, r.purpose) && (r.rcpt == "-" || g4(r.rcpt, r.purpose)) \
 && !(p.dm == "1" && r.st.dm) \
 && !(p.objection == "balancing" && r.purpose in r.st.restricted) \
 && !(p.objection == "absolute" && r.purpose in r.st.objected) \
 && (p.consent == "0" || r.purpose in r.st.consents) \
 && (p.pref == "-" || !(p.pref in r.st.preferences_off)) \
 && (p.rel == "-" || (p.scope == "group" && p.rel in r.st.relationship_states) \
     || (p.scope == "entity" && r.entity + "|" + p.rel in r.st.relationships)) \
 && ((p.hold == "-" && !r.st.erased) || p.hold == "*" \
     || (r.st.erased && p.hold in r.st.holds && g5(r.cat, p.hold)))
"""


@dataclass(frozen=True, slots=True)
class CasbinState:
    """A subject state in the namespaced strings the casbin model compares."""

    dm: bool
    erased: bool
    restricted: frozenset[str]
    objected: frozenset[str]
    consents: frozenset[str]
    preferences_off: frozenset[str]
    relationship_states: frozenset[str]
    relationships: frozenset[str]
    holds: frozenset[str]


def casbin_state(state: SubjectState) -> CasbinState:
    return CasbinState(
        dm=state.dm_objection,
        erased=state.erased,
        restricted=frozenset("p:" + p for p in state.restricted),
        objected=frozenset("p:" + p for p in state.objected),
        consents=frozenset("p:" + p for p in state.consents),
        preferences_off=state.preferences_off,
        relationship_states=frozenset(s.value for s in state.relationship_states),
        relationships=frozenset(
            f"e:{entity}|{s.value}"
            for entity, states in state.relationships_by_entity.items()
            for s in states
        ),
        holds=frozenset("h:" + h for h in state.holds),
    )


def _category_tree(categories: Iterable[str]) -> set[tuple[str, str]]:
    links = set()
    for category in categories:
        parts = category.split(".")
        for i in range(len(parts) - 1, 0, -1):
            links.add(("c:" + ".".join(parts[: i + 1]), "c:" + ".".join(parts[:i])))
    return links


def build_enforcer(register: Register, categories_asked: Iterable[str]) -> casbin.Enforcer:
    model = casbin.Enforcer.new_model(text=MODEL)
    enforcer = casbin.Enforcer(model, enable_log=False)
    holds = {h.id: h for h in register.legal_holds}
    tree = _category_tree(
        {*categories_asked}
        | {c for p in register.purposes for c in p.data_categories}
        | {c for h in register.legal_holds for c in h.data_categories}
    )
    rules = []
    for purpose in register.purposes:
        pid = "p:" + purpose.id
        consent = purpose.requires_consent or purpose.legal_basis is LegalBasis.CONSENT
        flags = [
            "1" if purpose.direct_marketing else "0",
            purpose.objection.mode.value
            if purpose.objection.mode is not ObjectionMode.NONE
            else "-",
            "1" if consent else "0",
            purpose.preference or "-",
        ]
        scope = "group" if purpose.relationship_scope is RelationshipScope.GROUP else "entity"
        rels = [s.value for s in purpose.relationship] or ["-"]
        # "*": a purpose that survives erasure judges an erased subject as any other.
        kept = ["*" if purpose.survives_erasure else "-"]
        kept += ["h:" + h for h in purpose.legal_holds if h in holds]
        for rel, hold in product(rels, kept):
            rules.append([pid, *flags, rel, scope, hold])
        enforcer.add_named_grouping_policies("g2", [["e:" + e, pid] for e in purpose.controllers])
        enforcer.add_named_grouping_policies(
            "g3", [["c:" + c, pid] for c in purpose.data_categories]
        )
        if purpose.recipients:
            enforcer.add_named_grouping_policies(
                "g4", [["x:" + r, pid] for r in purpose.recipients]
            )
    enforcer.add_policies(rules)
    grants = [["r:" + role.id, "p:" + p] for role in register.roles for p in role.purposes]
    enforcer.add_named_grouping_policies("g", grants)
    enforcer.add_named_grouping_policies("g3", [list(link) for link in sorted(tree)])
    enforcer.add_named_grouping_policies("g5", [list(link) for link in sorted(tree)])
    enforcer.add_named_grouping_policies(
        "g5",
        [["c:" + c, "h:" + h.id] for h in register.legal_holds for c in h.data_categories],
    )
    return enforcer


def casbin_decide(enforcer: casbin.Enforcer, request: Request, state: CasbinState) -> bool:
    actor = request.actor
    role, entity, purpose = "r:" + actor.role, "e:" + actor.entity, "p:" + request.purpose
    recipient = "-" if request.recipient is None else "x:" + request.recipient
    return all(
        enforcer.enforce(role, entity, purpose, "c:" + category, recipient, state)
        for category in request.categories
    )
