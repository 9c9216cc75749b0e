"""Placeholders that register texts may use, and their resolution.

A text may name declared things instead of spelling them out, so that one text serves every brand:
  {brand}  {app}  {assistant}  {website}       the brand the statement is rendered for
  {authority}                                  the supervisory authority's name
  {entity:ID}                                  a declared entity's legal name
  {recipient:ID}                               a declared recipient's name
Anything else in braces is an error, both when the register is checked and when it is rendered:
a customer never sees an unresolved placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lawful.core.register.models import Brand, Register

PLACEHOLDER = re.compile(r"\{([^{}]*)\}|%%?[A-Za-z_.]+%%?")
BRAND_FIELDS = ("brand", "app", "assistant", "website")


class UnresolvedPlaceholder(Exception):
    def __init__(self, placeholder: str, why: str) -> None:
        self.placeholder = placeholder
        self.why = why
        super().__init__(f"placeholder '{placeholder}' {why}")


def placeholders(text: str) -> Iterator[str]:
    for match in PLACEHOLDER.finditer(text):
        yield match.group(0)


def _lookup(register: Register, brand: Brand | None, lang: str, token: str) -> str:
    inner = token[1:-1] if token.startswith("{") else token
    if token.startswith("%"):
        raise UnresolvedPlaceholder(token, "uses a foreign template syntax")
    if inner in BRAND_FIELDS:
        if brand is None:
            return inner  # checked without a brand: the name is declared by every brand
        if inner == "brand":
            return brand.name.get(lang) or next(iter(brand.name.values()))
        return str(getattr(brand, inner))
    if inner == "authority":
        return register.authority.name.get(lang) or next(iter(register.authority.name.values()))
    kind, _, ident = inner.partition(":")
    if kind == "entity":
        for entity in register.entities:
            if entity.id == ident:
                return entity.legal_name
        raise UnresolvedPlaceholder(token, f"names entity '{ident}', which is not declared")
    if kind == "recipient":
        for recipient in register.recipients:
            if recipient.id == ident:
                return recipient.name.get(lang) or next(iter(recipient.name.values()))
        raise UnresolvedPlaceholder(token, f"names recipient '{ident}', which is not declared")
    raise UnresolvedPlaceholder(token, "is not a known placeholder")


def resolve(text: str, *, register: Register, brand: Brand | None, lang: str) -> str:
    """Replace every placeholder; raise `UnresolvedPlaceholder` on the first that names nothing."""
    return PLACEHOLDER.sub(lambda m: _lookup(register, brand, lang, m.group(0)), text)


def check(text: str, *, register: Register) -> list[UnresolvedPlaceholder]:
    problems: list[UnresolvedPlaceholder] = []
    for token in placeholders(text):
        try:
            _lookup(register, None, "en", token)
        except UnresolvedPlaceholder as exc:
            problems.append(exc)
    return problems
