"""The statement's view model: the register turned into finished strings for one brand and language.

Every register text is resolved (placeholders, language, grammar at the seams) here, so templates
only ever see finished strings. Fixed interface texts come from `templates/labels.yaml`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.units import format_unit

from lawful.core.errors import RenderError
from lawful.core.register import grammar, names
from lawful.core.register.models import (
    Address,
    Brand,
    Contact,
    Duration,
    Entity,
    LegalBasis,
    LegalHold,
    Localised,
    ObjectionMode,
    Purpose,
    Recipient,
    Register,
    Text,
)
from lawful.core.register.placeholders import UnresolvedPlaceholder, resolve
from lawful.core.register.validate import EEA

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "statement.html.j2"
LABELS = "labels.yaml"
# The order in which the summary presents the families of purposes, one per legal basis.
FAMILIES = (
    LegalBasis.CONTRACT,
    LegalBasis.LEGAL_OBLIGATION,
    LegalBasis.LEGITIMATE_INTERESTS,
    LegalBasis.PUBLIC_TASK,
    LegalBasis.VITAL_INTERESTS,
    LegalBasis.CONSENT,
)


@dataclass(frozen=True)
class ContactView:
    email: str
    address: str | None
    phone: str | None
    url: str | None


@dataclass(frozen=True)
class EntityView:
    name: str  # as the brand's customers know it
    legal_name: str | None  # only when the name above is a trade name
    enterprise_number: str
    address: str
    dpo: ContactView


@dataclass(frozen=True)
class RecipientView:
    name: str
    description: str
    country: str | None  # shown only outside Belgium
    safeguard: str | None  # shown only outside the EEA


@dataclass(frozen=True)
class HoldView:
    title: str
    period: str
    law: str
    categories: list[str]


@dataclass(frozen=True)
class PurposeView:
    anchor: str
    number: int
    title: str
    description: str
    controllers: list[str]
    basis_code: str  # a LegalBasis value
    basis: str
    interest: str | None
    categories: list[str]
    recipients: list[RecipientView]
    retention: str
    retention_note: str | None
    holds: list[HoldView]
    source: str | None
    source_from: str | None
    automated_logic: str | None
    automated_safeguards: str | None
    objection: str  # an ObjectionMode value
    objection_reason: str | None
    preference: bool

    @property
    def consent(self) -> bool:
        return self.basis_code == LegalBasis.CONSENT.value

    @property
    def joint(self) -> bool:
        return len(self.controllers) > 1


@dataclass(frozen=True)
class FamilyView:
    basis: str  # a LegalBasis value
    purposes: list[PurposeView]


@dataclass(frozen=True)
class TransferView:
    recipient: str
    country: str
    safeguard: str
    purposes: list[PurposeView]


@dataclass(frozen=True)
class NoticeView:
    """Why the reader gets another language than the one they read: each (lang, title, text)."""

    paragraphs: list[tuple[str, str, str]]


@dataclass(frozen=True)
class StatementView:
    lang: str
    brand: str
    updated: str
    updated_iso: str
    entities: list[EntityView]
    purposes: list[PurposeView]
    transfers: list[TransferView]
    authority: str
    authority_contact: ContactView
    contact: ContactView
    notice: NoticeView | None = None

    def objectable(self, mode: str) -> list[PurposeView]:
        """Purposes under an Art. 21 right; consent is withdrawn, not objected to (Art. 7(3))."""
        return [p for p in self.purposes if p.objection == mode and not p.consent]

    @property
    def consented(self) -> list[PurposeView]:
        return [p for p in self.purposes if p.consent]

    @property
    def joint(self) -> list[PurposeView]:
        return [p for p in self.purposes if p.joint]

    @property
    def families(self) -> list[FamilyView]:
        grouped = [
            FamilyView(basis.value, [p for p in self.purposes if p.basis_code == basis.value])
            for basis in FAMILIES
        ]
        return [family for family in grouped if family.purposes]

    @property
    def has_automated(self) -> bool:
        return any(p.automated_logic for p in self.purposes)

    @property
    def has_direct_marketing(self) -> bool:
        return bool(self.objectable(ObjectionMode.ABSOLUTE.value))


class Labels:
    """One language's labels; a missing key is a RenderError naming it, not a blank."""

    def __init__(self, data: dict[str, Any], path: str = "") -> None:
        self._data = data
        self._path = path

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> Any:
        if name not in self._data:
            raise RenderError(f"{TEMPLATE}: label '{self._path}{name}' is not in {LABELS}")
        return self._data[name]


# Label groups that are not rendered in the statement's own language alone.
OWN_GROUPS = frozenset({"categories", "reading_notice"})


@cache
def label_tree() -> dict[str, Any]:
    """The fixed interface texts; shared with the access report, so both read alike."""
    data: dict[str, Any] = yaml.safe_load((TEMPLATES / LABELS).read_text(encoding="utf-8"))
    return data


def locale_of(lang: str) -> Locale:
    for tag in (f"{lang}_BE", lang):
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError):
            continue
    raise RenderError(f"{TEMPLATE}: no locale data (dates, durations) for language '{lang}'")


def duration_words(duration: Duration, locale: Locale | str) -> str:
    """'10 years', '1 an et 6 mois', '30 dagen' — never rounded, unlike format_timedelta."""
    amounts = ((duration.years, "year"), (duration.months, "month"), (duration.days, "day"))
    parts = [_unit(amount, unit, locale) for amount, unit in amounts if amount]
    return format_list(parts, locale=locale) if parts else _unit(0, "day", locale)


def _unit(amount: int, unit: str, locale: Locale | str) -> str:
    # CLDR lacks some long forms (Dutch days): Babel then prints the unit id, so use the short.
    for length in ("long", "short"):
        words = format_unit(amount, f"duration-{unit}", length=length, locale=locale)
        if "duration-" not in words:
            return words
    raise RenderError(f"{TEMPLATE}: no '{locale}' words for a duration in {unit}s")


def enterprise_number(number: str) -> str:
    digits = number.removeprefix("BE").zfill(10)
    return f"BE {digits[:4]}.{digits[4:7]}.{digits[7:]}"


class TextBuilder:
    """Turns the register into finished strings for one brand and one language.

    Public because the access report builds its purpose texts with it: a purpose must read the
    same in the statement and in the answer to an access request.
    """

    def __init__(self, register: Register, brand: Brand, lang: str) -> None:
        self.register = register
        self.brand = brand
        self.lang = lang
        self.locale = locale_of(lang)

    def resolve(self, text: str, path: str, where: str = TEMPLATE) -> str:
        try:
            resolved = resolve(text, register=self.register, brand=self.brand, lang=self.lang)
            return grammar.typography(resolved, self.lang)
        except UnresolvedPlaceholder as exc:
            raise RenderError(
                f"{where}: placeholder '{exc.placeholder}' in {path} {exc.why}"
            ) from None

    def text(self, value: Text, path: str) -> str:
        if not value.get(self.lang, "").strip():
            raise RenderError(f"{TEMPLATE}: {path} has no '{self.lang}' text")
        return self.resolve(value[self.lang], path)

    def local(self, value: Localised, path: str) -> str:
        """A name or an address line as this language writes it."""
        if isinstance(value, str):
            return value
        if not value.get(self.lang, "").strip():
            raise RenderError(f"{TEMPLATE}: {path} has no '{self.lang}' text")
        return value[self.lang]

    def labels(self, node: dict[str, Any], path: str = "") -> Labels:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in OWN_GROUPS and not path:
                continue
            if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
                if not str(value.get(self.lang, "")).strip():
                    raise RenderError(f"{LABELS}: '{path}{key}' has no '{self.lang}' text")
                out[key] = self.resolve(value[self.lang], f"'{path}{key}'", LABELS)
            elif isinstance(value, dict):
                out[key] = self.labels(value, f"{path}{key}.")
            else:
                raise RenderError(f"{LABELS}: '{path}{key}' is not a text per language")
        return Labels(out, path)

    def category(self, key: str) -> str:
        for index, ext in enumerate(self.register.taxonomy.data_categories):
            if ext.key == key:
                return self.text(ext.name, f"taxonomy.data_categories[{index}].name")
        label = label_tree()["categories"].get(key) or {}
        if not str(label.get(self.lang, "")).strip():
            raise RenderError(
                f"{TEMPLATE}: no '{self.lang}' name for data category '{key}': add it to "
                f"{LABELS} (categories) or to the register's taxonomy extension"
            )
        return str(label[self.lang])

    def country(self, code: str) -> str:
        return str(self.locale.territories.get(code, code))

    def address(self, address: Address, path: str = "address") -> str:
        street = self.local(address.street, f"{path}.street")
        city = self.local(address.city, f"{path}.city")
        line = f"{street}, {address.postcode} {city}"
        if address.country != "BE":
            line += f", {self.country(address.country)}"
        return line

    def contact(self, contact: Contact, path: str, address: Address | None = None) -> ContactView:
        own = contact.address
        return ContactView(
            email=self.resolve(contact.email, f"{path}.email"),
            address=self.address(own, f"{path}.address")
            if own
            else (self.address(address, path) if address else None),
            phone=contact.phone,
            url=self.local(contact.url, f"{path}.url") if contact.url else None,
        )

    def entity_name(self, entity_id: str) -> str:
        """The entity as this brand's customers know it (its trade name, if it has one)."""
        return names.entity_name(self.register, entity_id, self.lang, self.brand)

    def legal_name(self, entity_id: str) -> str:
        return names.legal_name(self.register, entity_id, self.lang)

    def recipient_name(self, recipient: Recipient) -> str:
        """As running text uses it, article included (« l'Ombudsman des assurances »)."""
        return names.recipient_name(self.register, recipient, self.lang, self.brand)

    def bare(self, name: str) -> str:
        """A name standing alone, in a heading or a list: without its running-text article."""
        return grammar.bare(name, self.lang)

    def period(self, duration: Duration, starts: str, labels: Labels) -> str:
        return f"{duration_words(duration, self.locale)} {labels.retention_start[starts]}"

    def optional(self, value: Text | None, path: str) -> str | None:
        return None if value is None else self.text(value, path)

    def recipient(self, ident: str, path: str) -> RecipientView:
        r = _find(self.register.recipients, ident, "recipient", path)
        recipient = self.register.recipients[r]
        country, safeguard = recipient.country, recipient.transfer_safeguard
        return RecipientView(
            name=self.bare(self.resolve(self.recipient_name(recipient), f"recipients[{r}].name")),
            description=self.text(recipient.description, f"recipients[{r}].description"),
            country=self.country(country) if country != "BE" else None,
            safeguard=None
            if country in EEA or safeguard is None
            else self.local(safeguard, f"recipients[{r}].transfer_safeguard"),
        )

    def holds(self, purpose: Purpose, path: str, labels: Labels) -> list[HoldView]:
        views = []
        for i, ident in enumerate(purpose.legal_holds):
            h = _find(self.register.legal_holds, ident, "legal hold", f"{path}.legal_holds[{i}]")
            hold = self.register.legal_holds[h]
            if _outlasts(hold.duration, hold.starts, purpose):
                views.append(
                    HoldView(
                        title=self.text(hold.title, f"legal_holds[{h}].title"),
                        period=self.period(hold.duration, hold.starts, labels),
                        law=self.text(hold.law, f"legal_holds[{h}].law"),
                        categories=[self.category(c) for c in hold.data_categories],
                    )
                )
        return views

    def purpose(self, index: int, number: int, purpose: Purpose, labels: Labels) -> PurposeView:
        path = f"purposes[{index}]"
        lia, source, auto = purpose.legitimate_interest, purpose.source, purpose.automated_decision
        if purpose.legal_basis != LegalBasis.LEGITIMATE_INTERESTS:
            lia = None
        retention = purpose.retention
        return PurposeView(
            anchor=f"purpose-{purpose.id}",
            number=number,
            title=self.text(purpose.title, f"{path}.title"),
            description=self.text(purpose.description, f"{path}.description"),
            controllers=[
                self.entity_name(c) for c in purpose.controllers if c in self.brand.entities
            ],
            basis_code=purpose.legal_basis.value,
            basis=labels.legal_basis[purpose.legal_basis.value],
            interest=self.optional(
                lia.interest if lia else None, f"{path}.legitimate_interest.interest"
            ),
            categories=[self.category(c) for c in purpose.data_categories],
            recipients=[
                self.recipient(r, f"{path}.recipients[{i}]")
                for i, r in enumerate(purpose.recipients)
            ],
            retention=self.period(retention.duration, retention.starts, labels),
            retention_note=self.optional(retention.note, f"{path}.retention.note"),
            holds=self.holds(purpose, path, labels),
            source=self.optional(
                source.description if source else None, f"{path}.source.description"
            ),
            source_from=self.recipient(source.recipient, f"{path}.source.recipient").name
            if source and source.recipient
            else None,
            automated_logic=self.optional(
                auto.logic if auto else None, f"{path}.automated_decision.logic"
            ),
            automated_safeguards=self.optional(
                auto.safeguards if auto else None, f"{path}.automated_decision.safeguards"
            ),
            objection=purpose.objection.mode.value,
            objection_reason=self.optional(purpose.objection.reason, f"{path}.objection.reason"),
            preference=purpose.preference is not None,
        )

    def entity(self, index: int, entity: Entity) -> EntityView:
        path = f"entities[{index}]"
        name, legal = self.entity_name(entity.id), self.legal_name(entity.id)
        return EntityView(
            name=name,
            legal_name=legal if legal != name else None,
            enterprise_number=enterprise_number(entity.enterprise_number),
            address=self.address(entity.address, f"{path}.address"),
            dpo=self.contact(entity.dpo, f"{path}.dpo"),
        )

    def transfers(self, purposes: Sequence[tuple[Purpose, PurposeView]]) -> list[TransferView]:
        """Recipients outside the EEA (Art. 13(1)(f)), each with the purposes that reach it."""
        views: dict[str, TransferView] = {}
        for purpose, view in purposes:
            for ident in purpose.recipients:
                recipient = self.register.recipient(ident)
                if recipient.country in EEA:
                    continue
                if ident not in views:
                    shown = self.recipient(ident, f"recipients.{ident}")
                    views[ident] = TransferView(
                        recipient=shown.name,
                        country=self.country(recipient.country),
                        safeguard=shown.safeguard or "",
                        purposes=[],
                    )
                views[ident].purposes.append(view)
        return list(views.values())

    def view(self, labels: Labels) -> StatementView:
        reg, brand = self.register, self.brand
        b = reg.brands.index(brand)
        entities = []
        for i, eid in enumerate(brand.entities):
            e = _find(reg.entities, eid, "entity", f"brands[{b}].entities[{i}]")
            entities.append(self.entity(e, reg.entities[e]))
        shown = [
            (i, p)
            for i, p in enumerate(reg.purposes)
            if p.statement and any(c in brand.entities for c in p.controllers)
        ]
        purposes = [self.purpose(i, n, p, labels) for n, (i, p) in enumerate(shown, start=1)]
        return StatementView(
            lang=self.lang,
            brand=self.text(brand.name, f"brands[{b}].name"),
            updated=grammar.long_date(reg.updated_on, self.locale),
            updated_iso=reg.updated_on.isoformat(),
            entities=entities,
            purposes=purposes,
            transfers=self.transfers([(p, v) for (_, p), v in zip(shown, purposes, strict=True)]),
            authority=self.bare(self.text(reg.authority.name, "authority.name")),
            authority_contact=self.contact(
                reg.authority.contact, "authority.contact", reg.authority.address
            ),
            contact=self.contact(brand.contact, f"brands[{b}].contact"),
        )


def _find(items: Sequence[Entity | Recipient | LegalHold], ident: str, what: str, path: str) -> int:
    for index, item in enumerate(items):
        if item.id == ident:
            return index
    raise RenderError(f"{TEMPLATE}: {path} names {what} '{ident}', which is not declared")


def _outlasts(duration: Duration, starts: str, purpose: Purpose) -> bool:
    """A hold is worth telling when it may keep data beyond the purpose's own retention."""
    own = purpose.retention
    return starts != own.starts or duration.total_days() > own.duration.total_days()
