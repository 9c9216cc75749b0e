"""The pure policy engine: register in, decisions out; no database, no clock, no I/O."""

from lawful.core.policy.engine import Policy, compile_policy
from lawful.core.policy.types import (
    Actor,
    Decision,
    Hold,
    Objection,
    ObjectionStatus,
    Obligation,
    Reason,
    Relationship,
    Request,
    SubjectState,
)

__all__ = [
    "Actor",
    "Decision",
    "Hold",
    "Objection",
    "ObjectionStatus",
    "Obligation",
    "Policy",
    "Reason",
    "Relationship",
    "Request",
    "SubjectState",
    "compile_policy",
]
