"""Cross-reference checks on a structurally valid register.

Each check yields `(location, message)`; the location is the path of the offending value inside
the YAML document, so a privacy officer can go straight to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from lawful.core.register import placeholders
from lawful.core.register.models import (
    CHANNEL_OF_PURPOSE,
    LegalBasis,
    NotificationChannel,
    NotificationKind,
    ObjectionMode,
    ProductScope,
    Register,
    TaxonomyExtension,
)
from lawful.core.register.taxonomy import KINDS, Kind, Taxonomy

Loc = tuple[str | int, ...]
Found = Iterator[tuple[Loc, str]]

# EEA member states plus the EEA-EFTA states; a transfer elsewhere needs a safeguard (Art. 44-49).
EEA = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
        "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
    }
)  # fmt: skip
_EXTENSION_FIELD: dict[Kind, str] = {
    "data_category": "data_categories",
    "data_use": "data_uses",
    "data_subject": "data_subjects",
}


def taxonomies(register: Register) -> dict[Kind, Taxonomy]:
    return {
        kind: Taxonomy.build(kind, getattr(register.taxonomy, _EXTENSION_FIELD[kind]))
        for kind in KINDS
    }


def semantic_problems(register: Register) -> list[tuple[Loc, str]]:
    checks = (
        _duplicates,
        _taxonomy,
        _references,
        _legal_bases,
        _translations,
        _placeholders,
        _transfers,
        _topics,
    )
    return [problem for check in checks for problem in check(register)]


def _dupes(items: Iterable[Any], attr: str, loc: Loc, what: str) -> Found:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        ident = getattr(item, attr)
        if ident in seen:
            yield (
                (*loc, index, attr),
                f"duplicate {what} '{ident}' (first at {loc[-1]}[{seen[ident]}])",
            )
        else:
            seen[ident] = index


def _duplicates(register: Register) -> Found:
    yield from _dupes(register.entities, "id", ("entities",), "entity id")
    yield from _dupes(register.brands, "id", ("brands",), "brand id")
    yield from _dupes(register.recipients, "id", ("recipients",), "recipient id")
    yield from _dupes(register.legal_holds, "id", ("legal_holds",), "legal hold id")
    yield from _dupes(register.purposes, "id", ("purposes",), "purpose id")
    yield from _dupes(register.roles, "id", ("roles",), "role id")
    yield from _dupes(
        register.notification_topics, "id", ("notification_topics",), "notification topic id"
    )
    for kind, field in _EXTENSION_FIELD.items():
        exts: list[TaxonomyExtension] = getattr(register.taxonomy, field)
        loc: Loc = ("taxonomy", field)
        yield from _dupes(exts, "key", loc, "taxonomy key")
        defaults = Taxonomy.build(kind, [])
        for index, ext in enumerate(exts):
            if defaults.is_default(ext.key):
                yield (*loc, index, "key"), f"'{ext.key}' is already a default fideslang key"


def _taxonomy(register: Register) -> Found:
    tax = taxonomies(register)
    for kind, field in _EXTENSION_FIELD.items():
        exts: list[TaxonomyExtension] = getattr(register.taxonomy, field)
        for index, ext in enumerate(exts):
            loc: Loc = ("taxonomy", field, index)
            if ext.parent is None:
                if "." in ext.key:
                    yield (*loc, "parent"), f"'{ext.key}' has dots but declares no parent"
            elif ext.parent not in tax[kind]:
                yield (*loc, "parent"), f"parent: {tax[kind].unknown(ext.parent)}"
            elif not ext.key.startswith(ext.parent + "."):
                yield (*loc, "key"), f"'{ext.key}' must start with its parent '{ext.parent}.'"
    categories, uses, subjects = tax["data_category"], tax["data_use"], tax["data_subject"]
    for p, purpose in enumerate(register.purposes):
        if purpose.data_use not in uses:
            yield ("purposes", p, "data_use"), uses.unknown(purpose.data_use)
        for c, key in enumerate(purpose.data_categories):
            if key not in categories:
                yield ("purposes", p, "data_categories", c), categories.unknown(key)
        for s, key in enumerate(purpose.data_subjects):
            if key not in subjects:
                yield ("purposes", p, "data_subjects", s), subjects.unknown(key)
    for h, hold in enumerate(register.legal_holds):
        for c, key in enumerate(hold.data_categories):
            if key not in categories:
                yield ("legal_holds", h, "data_categories", c), categories.unknown(key)


def _missing(kind: str, ident: str, declared: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(ident, list(declared), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{kind} '{ident}' is referenced but not declared{hint}"


def _references(register: Register) -> Found:
    entities = {e.id for e in register.entities}
    recipients = {r.id for r in register.recipients}
    holds = {h.id for h in register.legal_holds}
    purposes = {p.id for p in register.purposes}
    for b, brand in enumerate(register.brands):
        for i, ident in enumerate(brand.entities):
            if ident not in entities:
                yield ("brands", b, "entities", i), _missing("entity", ident, entities)
        for ident in brand.trade_names:
            if ident not in brand.entities:
                yield (
                    ("brands", b, "trade_names", ident),
                    f"a trade name for '{ident}', which is not one of this brand's entities",
                )
    for r, recipient in enumerate(register.recipients):
        if recipient.entity is not None and recipient.entity not in entities:
            yield ("recipients", r, "entity"), _missing("entity", recipient.entity, entities)
        if recipient.kind == "group_entity" and recipient.entity is None:
            yield ("recipients", r), "a group_entity recipient must name its 'entity'"
        if recipient.name is None and recipient.entity is None:
            yield ("recipients", r, "name"), "a recipient that is no group entity needs a 'name'"
    for p, purpose in enumerate(register.purposes):
        for i, ident in enumerate(purpose.controllers):
            if ident not in entities:
                yield ("purposes", p, "controllers", i), _missing("entity", ident, entities)
        for i, ident in enumerate(purpose.recipients):
            if ident not in recipients:
                yield ("purposes", p, "recipients", i), _missing("recipient", ident, recipients)
        for i, ident in enumerate(purpose.legal_holds):
            if ident not in holds:
                yield ("purposes", p, "legal_holds", i), _missing("legal hold", ident, holds)
        source = purpose.source
        if (
            source is not None
            and source.recipient is not None
            and source.recipient not in recipients
        ):
            where: Loc = ("purposes", p, "source", "recipient")
            yield where, _missing("recipient", source.recipient, recipients)
    for r, role in enumerate(register.roles):
        for i, ident in enumerate(role.purposes):
            if ident not in purposes:
                yield ("roles", r, "purposes", i), _missing("purpose", ident, purposes)


# Art. 21 gives a right to object to processing on legitimate interest or public task only:
# the other bases take objection mode 'none', with the reason the person reads.
_NOT_OBJECTABLE = {
    LegalBasis.CONTRACT: (
        "objection mode must be 'none' on a contract purpose (Art. 6(1)(b)): Art. 21 does not "
        "apply, the person ends the contract instead; not '{mode}'"
    ),
    LegalBasis.LEGAL_OBLIGATION: (
        "objection mode must be 'none' on a legal-obligation purpose (Art. 6(1)(c)): Art. 21 "
        "does not apply; not '{mode}'"
    ),
    LegalBasis.CONSENT: (
        "objection mode must be 'none' on a consent purpose (Art. 6(1)(a)): consent is "
        "withdrawn (Art. 7(3)), not objected to; not '{mode}'"
    ),
    LegalBasis.VITAL_INTERESTS: (
        "objection mode must be 'none' on a vital-interests purpose (Art. 6(1)(d)): Art. 21 "
        "does not apply; not '{mode}'"
    ),
}


def _legal_bases(register: Register) -> Found:
    for p, purpose in enumerate(register.purposes):
        loc: Loc = ("purposes", p)
        is_li = purpose.legal_basis == LegalBasis.LEGITIMATE_INTERESTS
        lia = purpose.legitimate_interest
        if is_li and lia is None:
            yield (
                (*loc, "legitimate_interest"),
                (
                    "a legitimate-interest purpose needs its assessment (interest, necessity, "
                    "balancing, safeguards, reviewer, dates)"
                ),
            )
        if not is_li and lia is not None:
            yield (
                (*loc, "legitimate_interest"),
                (f"an assessment is given but the legal basis is '{purpose.legal_basis}'"),
            )
        if lia is not None and lia.review_on <= lia.assessed_on:
            yield (*loc, "legitimate_interest", "review_on"), "review date must follow assessed_on"
        mode = purpose.objection.mode
        consent = purpose.legal_basis == LegalBasis.CONSENT
        if purpose.direct_marketing and not consent and mode != ObjectionMode.ABSOLUTE:
            yield (
                (*loc, "objection", "mode"),
                (
                    f"a direct-marketing purpose must have objection mode 'absolute' "
                    f"(Art. 21(2)-(3)), not '{mode}'"
                ),
            )
        if mode == ObjectionMode.NONE and purpose.objection.reason is None:
            yield (*loc, "objection", "reason"), "objection mode 'none' needs the reason why"
        if mode != ObjectionMode.NONE and purpose.legal_basis in _NOT_OBJECTABLE:
            yield (
                (*loc, "objection", "mode"),
                _NOT_OBJECTABLE[purpose.legal_basis].format(mode=mode),
            )
        elif mode == ObjectionMode.BALANCING and purpose.legal_basis not in (
            LegalBasis.LEGITIMATE_INTERESTS,
            LegalBasis.PUBLIC_TASK,
        ):
            yield (
                (*loc, "objection", "mode"),
                (
                    "Art. 21(1) objection applies to legitimate interest or public task only, "
                    f"not '{purpose.legal_basis}'"
                ),
            )
        if purpose.legal_basis == LegalBasis.CONSENT and not purpose.requires_consent:
            yield (*loc, "requires_consent"), "a consent-based purpose must set requires_consent"
        if purpose.automated_decision is not None and not purpose.dpia:
            yield (*loc, "dpia"), "an Art. 22 automated decision requires a DPIA (Art. 35(3)(a))"


def _texts(value: Any, loc: Loc) -> Iterator[tuple[Loc, dict[str, str]]]:
    """Every `Text` (language → string) inside a model, with its location."""
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            item = getattr(value, name)
            if info.default_factory is dict and not item:
                continue  # an empty mapping by default (no trade names), not an empty text
            yield from _texts(item, (*loc, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*loc, index))
    elif isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        yield loc, value
    elif isinstance(value, dict):  # keyed by id, e.g. a brand's trade names per entity
        for key, item in value.items():
            yield from _texts(item, (*loc, key))


def _translations(register: Register) -> Found:
    declared = register.languages
    for loc, text in _texts(register, ()):
        for lang in declared:
            if not text.get(lang, "").strip():
                yield (*loc, lang), f"missing translation: no '{lang}' text"
        for lang in text:
            if lang not in declared:
                yield (*loc, lang), f"language '{lang}' is not declared in 'languages'"


def _placeholders(register: Register) -> Found:
    for loc, text in _texts(register, ()):
        for lang, value in text.items():
            for problem in placeholders.check(value, register=register):
                yield (*loc, lang), str(problem)


def _transfers(register: Register) -> Found:
    for r, recipient in enumerate(register.recipients):
        if recipient.country not in EEA and not recipient.transfer_safeguard:
            yield (
                ("recipients", r, "transfer_safeguard"),
                (f"recipient in {recipient.country} (outside the EEA) lacks a transfer safeguard"),
            )


# E-mail and SMS marketing needs prior consent (Code of Economic Law XII.13), except the soft
# opt-in to own customers for the group's own analogous products.
_ELECTRONIC = frozenset({NotificationChannel.EMAIL, NotificationChannel.SMS})


def _topics(register: Register) -> Found:
    purposes = {p.id: p for p in register.purposes}
    for t, topic in enumerate(register.notification_topics):
        loc: Loc = ("notification_topics", t)
        purpose = purposes.get(topic.purpose)
        if purpose is None:
            yield (*loc, "purpose"), _missing("purpose", topic.purpose, purposes)
            continue
        marketing = topic.kind is NotificationKind.MARKETING
        if marketing != purpose.direct_marketing:
            yield (
                (*loc, "kind"),
                f"a {topic.kind} topic cannot be sent for purpose '{purpose.id}', which is "
                + ("" if purpose.direct_marketing else "not ")
                + "direct marketing",
            )
        if topic.mandatory and marketing:
            yield (*loc, "mandatory"), "a marketing topic can always be switched off"
        if topic.mandatory and not topic.default_channels:
            yield (*loc, "default_channels"), "a mandatory notice needs a default channel"
        if marketing and topic.products is None:
            yield (*loc, "products"), "a marketing topic says whose products: own or third_party"
        if not marketing and topic.products is not None:
            yield (*loc, "products"), "only a marketing topic promotes products"
        for c, channel in enumerate(topic.channels):
            if CHANNEL_OF_PURPOSE[channel] not in purpose.channels:
                yield (
                    (*loc, "channels", c),
                    f"channel '{channel}' is not among the channels of purpose '{purpose.id}' "
                    f"({', '.join(purpose.channels) or 'none'})",
                )
        for c, channel in enumerate(topic.default_channels):
            if channel not in topic.channels:
                yield (
                    (*loc, "default_channels", c),
                    f"'{channel}' is not one of the topic's channels",
                )
            elif marketing and topic.products is not ProductScope.OWN and channel in _ELECTRONIC:
                yield (
                    (*loc, "default_channels", c),
                    f"'{channel}' marketing of third-party products needs the person's opt-in: "
                    "it cannot be on by default",
                )
