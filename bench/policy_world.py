"""Deterministic questions and subject states for the policy benchmark, drawn from a register."""

from __future__ import annotations

import datetime as dt
import random
from itertools import product

from fideslang.default_taxonomy import DEFAULT_TAXONOMY

from lawful.core.policy import (
    Actor,
    Hold,
    Objection,
    ObjectionStatus,
    Relationship,
    Request,
    SubjectState,
)
from lawful.core.register import load
from lawful.core.register.models import LegalBasis, Register, RelationshipState

TODAY = dt.date(2025, 6, 1)
SEED = 20250601
SUBJECTS = 20_000
SHAPES = 300  # distinct subject states, as the engine sees them
GHOST = "ghost"  # an id no register declares
Parts = tuple[Actor, str, tuple[str, ...], str | None]


def load_register() -> tuple[Register, str]:
    """The reference register, checked: the benchmark measures what production decides."""
    return load.load_register(), "reference"


class World:
    def __init__(self, register: Register) -> None:
        self.register = register
        self.rng = random.Random(SEED)
        self.purposes = {p.id: p for p in register.purposes}
        self.roles = [r.id for r in register.roles]
        self.entities = [e.id for e in register.entities]
        self.recipients = [r.id for r in register.recipients]
        pairs = [(r, e) for r in self.roles for e in self.entities]
        pairs += [(GHOST, self.entities[0]), (self.roles[0], GHOST)]
        self.actors = {pair: Actor(*pair) for pair in pairs}
        self.actor_pairs = pairs
        taxonomy = [c.fides_key for c in DEFAULT_TAXONOMY.data_category]
        taxonomy += [c.key for c in register.taxonomy.data_categories]
        declared = sorted({c for p in register.purposes for c in p.data_categories})
        self.category_sets = {
            pid: self._category_sets(p.data_categories, taxonomy)
            for pid, p in self.purposes.items()
        }
        undeclared = [c for c in taxonomy if c.startswith("user.") and c not in declared]
        self.stray_sets = [(c,) for c in self.rng.sample(undeclared, min(20, len(undeclared)))]
        self.stray_sets += [(c,) for c in sorted({d.rsplit(".", 1)[0] for d in declared})]
        self.categories_asked = sorted(
            {c for sets in self.category_sets.values() for s in sets for c in s}
            | {c for s in self.stray_sets for c in s}
        )
        self.templates = self._templates()
        shapes = self._shapes()
        self.distinct_states = len({s.signature for s in shapes})
        self.subjects = {
            f"subject-{i:05d}": self._copy(shapes[i % len(shapes)], i) for i in range(SUBJECTS)
        }
        self.subject_states = list(self.subjects.values())

    def _category_sets(self, declared: list[str], taxonomy: list[str]) -> list[tuple[str, ...]]:
        """A declared category, one below a declared one, a pair, and up to four at once."""
        sets: list[tuple[str, ...]] = [(declared[0],)]
        sets += [(c,) for d in declared for c in taxonomy if c.startswith(d + ".")][:1]
        sets.append(tuple(self.rng.sample(declared, min(2, len(declared)))))
        sets.append(tuple(declared[:4]))
        return sets

    def _templates(self) -> list[Parts]:
        """roles x entities x purposes x category sets x recipients, each with unknown ids too."""
        out: list[Parts] = []
        for pid in [*self.purposes, GHOST]:
            purpose = self.purposes.get(pid)
            sets = [*self.category_sets.get(pid, []), self.rng.choice(self.stray_sets)]
            recipients: list[str | None] = [None]
            if purpose is not None and purpose.recipients:
                recipients.append(purpose.recipients[0])
            others = [r for r in self.recipients if purpose is None or r not in purpose.recipients]
            recipients.append(others[0] if others else GHOST)
            for actor, categories, recipient in product(self.actors.values(), sets, recipients):
                out.append((actor, pid, categories, recipient))
        self.rng.shuffle(out)
        return out

    def _shapes(self) -> list[SubjectState]:
        rng = self.rng
        purposes = list(self.purposes)
        consent_purposes = [
            p.id
            for p in self.register.purposes
            if p.requires_consent or p.legal_basis is LegalBasis.CONSENT
        ]
        preferences = sorted({p.preference for p in self.register.purposes if p.preference})
        holds = [h.id for h in self.register.legal_holds]
        seen: dict[str, SubjectState] = {}
        for _ in range(SHAPES * 50):
            relationships = []
            for entity in self.entities:
                kind = rng.choices(["none", "now", "ended"], weights=[3, 6, 1])[0]
                if kind == "none":
                    continue
                rel = rng.choices(list(RelationshipState), weights=[1, 6, 2])[0]
                until = TODAY - dt.timedelta(days=30) if kind == "ended" else None
                relationships.append(Relationship(entity, rel, dt.date(2015, 1, 1), until))
            objections = frozenset(
                Objection(rng.choice(purposes), rng.choice(list(ObjectionStatus)))
                for _ in range(rng.choices([0, 1], weights=[85, 15])[0])
            )
            erased = rng.random() < 0.05
            kept = frozenset(
                Hold(h, TODAY + dt.timedelta(days=rng.choice([-10, 3000])))
                for h in holds
                if erased and rng.random() < 0.6
            )
            state = SubjectState(
                as_of=TODAY,
                relationships=tuple(relationships),
                objections=objections,
                dm_objection=rng.random() < 0.1,
                preferences_off=frozenset(p for p in preferences if rng.random() < 0.2),
                consents=frozenset(p for p in consent_purposes if rng.random() < 0.4),
                legal_holds=kept,
                erased=erased,
            )
            seen.setdefault(state.signature, state)
            if len(seen) == SHAPES:
                break
        return list(seen.values())

    def _copy(self, shape: SubjectState, i: int) -> SubjectState:
        """A separate state object with its own dates that the engine reads as `shape`."""
        since = dt.date(2015, 1, 1) + dt.timedelta(days=i % 3000)
        relationships = tuple(
            Relationship(r.entity, r.state, since, r.until) for r in shape.relationships
        )
        return SubjectState(
            as_of=TODAY,
            relationships=relationships,
            objections=shape.objections,
            dm_objection=shape.dm_objection,
            preferences_off=shape.preferences_off,
            consents=shape.consents,
            legal_holds=shape.legal_holds,
            erased=shape.erased,
        )

    def _sensible(self, template: Parts) -> bool:
        actor, pid, _, _ = template
        role = next((r for r in self.register.roles if r.id == actor.role), None)
        purpose = self.purposes.get(pid)
        return (
            role is not None
            and purpose is not None
            and pid in role.purposes
            and actor.entity in purpose.controllers
        )

    def questions(self, n: int) -> list[tuple[Request, SubjectState]]:
        """Every template in turn, each time about a subject drawn at random.

        Every other question comes from the sensible templates (the role may pursue the purpose,
        the entity controls it): the full product is mostly nonsense, and code asks sensible
        questions far more often than not.
        """
        rng = self.rng
        ids = list(self.subjects)
        every = self.templates
        sensible = [t for t in every if self._sensible(t)]
        out = []
        for i in range(n):
            pool = sensible if i % 2 else every
            actor, purpose, categories, recipient = pool[(i // 2) % len(pool)]
            sid = ids[rng.randrange(len(ids))]
            out.append((Request(actor, purpose, sid, categories, recipient), self.subjects[sid]))
        return out

    def column_questions(self, n: int) -> list[Request]:
        """Sensible questions, as a bulk job would ask them."""
        sensible = [t for t in self.templates if self._sensible(t)]
        return [Request(a, p, "", c, r) for a, p, c, r in sensible[:n]]
