"""The fideslang default taxonomy, extended by the register for banking and insurance."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from fideslang.default_taxonomy import DEFAULT_TAXONOMY

from lawful.core.register.models import TaxonomyExtension

Kind = Literal["data_category", "data_use", "data_subject"]
KINDS: tuple[Kind, ...] = ("data_category", "data_use", "data_subject")
LABELS: dict[Kind, str] = {
    "data_category": "data category",
    "data_use": "data use",
    "data_subject": "data subject",
}


@dataclass(frozen=True)
class Term:
    key: str
    parent: str | None
    name: str  # English name from fideslang, or the extension's English name
    extension: TaxonomyExtension | None = None


@cache
def _defaults(kind: Kind) -> dict[str, Term]:
    items = getattr(DEFAULT_TAXONOMY, kind)
    return {
        item.fides_key: Term(item.fides_key, getattr(item, "parent_key", None), item.name or "")
        for item in items
    }


@dataclass
class Taxonomy:
    """One kind of taxonomy (categories, uses or subjects): defaults plus extensions."""

    kind: Kind
    terms: dict[str, Term] = field(default_factory=dict)

    @classmethod
    def build(cls, kind: Kind, extensions: list[TaxonomyExtension]) -> Taxonomy:
        terms = dict(_defaults(kind))
        for ext in extensions:
            terms[ext.key] = Term(ext.key, ext.parent, ext.name.get("en", ext.key), ext)
        return cls(kind, terms)

    def __contains__(self, key: object) -> bool:
        return key in self.terms

    def is_default(self, key: str) -> bool:
        return key in _defaults(self.kind)

    def suggest(self, key: str) -> str | None:
        matches = difflib.get_close_matches(key, list(self.terms), n=1, cutoff=0.75)
        return matches[0] if matches else None

    def unknown(self, key: str) -> str:
        hint = self.suggest(key)
        suffix = f" (did you mean '{hint}'?)" if hint else ""
        return f"unknown {LABELS[self.kind]} '{key}'{suffix}"
