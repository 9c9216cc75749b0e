"""How declared parties are named to a reader of one language, under one brand.

An entity is named by the trade name its brand gives it, if any ("CBC Banque SA" for the bank in
Wallonia), else by its legal name in the reader's language ("KBC Bank SA", "KBC Bank NV"). A group
entity as a recipient is named as its entity is, so the two never drift apart.
"""

from __future__ import annotations

from lawful.core.register.models import Brand, Recipient, Register, in_language


def legal_name(register: Register, entity_id: str, lang: str) -> str:
    return in_language(register.entity(entity_id).legal_name, lang)


def entity_name(register: Register, entity_id: str, lang: str, brand: Brand | None) -> str:
    """The name customers of `brand` know the entity by."""
    if brand is not None and entity_id in brand.trade_names:
        return in_language(brand.trade_names[entity_id], lang)
    return legal_name(register, entity_id, lang)


def recipient_name(register: Register, recipient: Recipient, lang: str, brand: Brand | None) -> str:
    """The recipient's name as running text uses it (with its article, see `grammar`)."""
    if recipient.name is not None:
        return in_language(recipient.name, lang)
    if recipient.entity is None:
        raise KeyError(f"recipient '{recipient.id}' has neither a name nor an entity")
    return entity_name(register, recipient.entity, lang, brand)
