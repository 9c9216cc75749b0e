"""Placeholders that register texts may use, and their resolution.

A text may name declared things instead of spelling them out, so that one text serves every brand:
  {brand}  {app}  {assistant}  {website}       the brand the statement is rendered for
  {authority}                                  the supervisory authority's name
  {entity:ID}                                  a declared entity's name (its trade name under the
                                               brand, else its legal name), in the text's language
  {recipient:ID}                               a declared recipient's name
Anything else in braces is an error, both when the register is checked and when it is rendered:
a customer never sees an unresolved placeholder. Names are inserted as running text uses them, and
the seam is made grammatical (« de » + « Aquarisk » gives « d'Aquarisk »; see `grammar`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from lawful.core.register import grammar, names
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


def _in(text: Mapping[str, str], lang: str) -> str:
    """The text in `lang`, else in the first language it has."""
    return text.get(lang) or next(iter(text.values()))


def _lookup(register: Register, brand: Brand | None, lang: str, token: str) -> str:
    inner = token[1:-1] if token.startswith("{") else token
    if token.startswith("%"):
        raise UnresolvedPlaceholder(token, "uses a foreign template syntax")
    if inner in BRAND_FIELDS:
        if brand is None:
            return inner  # checked without a brand: the name is declared by every brand
        if inner == "brand":
            return _in(brand.name, lang)
        return str(getattr(brand, inner))
    if inner == "authority":
        return _in(register.authority.name, lang)
    kind, _, ident = inner.partition(":")
    try:
        if kind == "entity":
            register.entity(ident)
            # Checked without a brand: that it is declared is all there is to know.
            return ident if brand is None else names.entity_name(register, ident, lang, brand)
        if kind == "recipient":
            recipient = register.recipient(ident)
            if brand is None:
                return ident
            return names.recipient_name(register, recipient, lang, brand)
    except KeyError:
        raise UnresolvedPlaceholder(
            token, f"names {kind} '{ident}', which is not declared"
        ) from None
    raise UnresolvedPlaceholder(token, "is not a known placeholder")


def resolve(text: str, *, register: Register, brand: Brand | None, lang: str) -> str:
    """Replace every placeholder; raise `UnresolvedPlaceholder` on the first that names nothing."""
    return grammar.substitute(
        text, PLACEHOLDER, lambda m: _lookup(register, brand, lang, m.group(0)), lang
    )


def check(text: str, *, register: Register) -> list[UnresolvedPlaceholder]:
    problems: list[UnresolvedPlaceholder] = []
    for token in placeholders(text):
        try:
            _lookup(register, None, "en", token)
        except UnresolvedPlaceholder as exc:
            problems.append(exc)
    return problems
