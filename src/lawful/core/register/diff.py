"""What changed between two registers, as a customer would need to be told."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from lawful.core.register.models import Duration, Purpose, Register


@dataclass(frozen=True)
class Change:
    purpose: str
    kind: str  # purpose_added, purpose_removed, categories, recipients, retention, legal_basis, ...
    before: Any = None
    after: Any = None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.kind == "text":
            return f"~ purpose '{self.purpose}': text changed ({', '.join(self.after)})"
        if self.kind == "purpose_added":
            return f"+ purpose '{self.purpose}' added: {self.after}"
        if self.kind == "purpose_removed":
            return f"- purpose '{self.purpose}' removed: {self.before}"
        if self.added or self.removed:
            parts = [f"+{item}" for item in self.added] + [f"-{item}" for item in self.removed]
            return f"~ purpose '{self.purpose}': {self.kind.replace('_', ' ')} {' '.join(parts)}"
        return (
            f"~ purpose '{self.purpose}': {self.kind.replace('_', ' ')} "
            f"changed from {self.before} to {self.after}"
        )

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}


def _duration(d: Duration) -> str:
    parts = [f"{n}{unit}" for n, unit in ((d.years, "y"), (d.months, "m"), (d.days, "d")) if n]
    return "".join(parts) or "0d"


def _retention(p: Purpose) -> str:
    return f"{_duration(p.retention.duration)} after {p.retention.starts.value}"


def _sets(pid: str, kind: str, old: list[str], new: list[str]) -> list[Change]:
    added, removed = sorted(set(new) - set(old)), sorted(set(old) - set(new))
    return [Change(pid, kind, added=added, removed=removed)] if added or removed else []


def _scalar(pid: str, kind: str, old: Any, new: Any) -> list[Change]:
    return [Change(pid, kind, before=old, after=new)] if old != new else []


def _texts(p: Purpose) -> dict[str, str]:
    """What the customer reads of a purpose, by "field.language"."""
    fields: dict[str, Any] = {
        "title": p.title,
        "description": p.description,
        "retention_note": p.retention.note,
        "objection_reason": p.objection.reason,
        "interest": p.legitimate_interest.interest if p.legitimate_interest else None,
        "source": p.source.description if p.source else None,
        "automated_logic": p.automated_decision.logic if p.automated_decision else None,
        "automated_safeguards": p.automated_decision.safeguards if p.automated_decision else None,
    }
    return {
        f"{name}.{lang}": text
        for name, texts in fields.items()
        for lang, text in (texts or {}).items()
    }


def _text(pid: str, old: Purpose, new: Purpose) -> list[Change]:
    a, b = _texts(old), _texts(new)
    changed = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    return [Change(pid, "text", after=changed)] if changed else []


def diff(old: Register, new: Register) -> list[Change]:
    before = {p.id: p for p in old.purposes}
    after = {p.id: p for p in new.purposes}
    changes: list[Change] = []
    for pid in sorted(after.keys() - before.keys()):
        changes.append(Change(pid, "purpose_added", after=after[pid].title.get("en", pid)))
    for pid in sorted(before.keys() - after.keys()):
        changes.append(Change(pid, "purpose_removed", before=before[pid].title.get("en", pid)))
    for pid in sorted(before.keys() & after.keys()):
        a, b = before[pid], after[pid]
        changes += _scalar(pid, "legal_basis", a.legal_basis.value, b.legal_basis.value)
        changes += _sets(pid, "data_categories", a.data_categories, b.data_categories)
        changes += _sets(pid, "data_subjects", a.data_subjects, b.data_subjects)
        changes += _sets(pid, "recipients", a.recipients, b.recipients)
        changes += _scalar(pid, "retention", _retention(a), _retention(b))
        changes += _sets(pid, "legal_holds", a.legal_holds, b.legal_holds)
        changes += _scalar(pid, "objection_mode", a.objection.mode.value, b.objection.mode.value)
        changes += _scalar(pid, "direct_marketing", a.direct_marketing, b.direct_marketing)
        changes += _scalar(
            pid,
            "automated_decision",
            a.automated_decision is not None,
            b.automated_decision is not None,
        )
        changes += _sets(pid, "controllers", a.controllers, b.controllers)
        changes += _text(pid, a, b)
    return changes
