"""The processing register (GDPR Art. 30) as Pydantic models.

Structural validation lives here (types, required fields, enums). Cross-references — taxonomy
keys, declared ids, translations, placeholders — are checked by `validate.py`, which sees the whole
register and reports every problem with its YAML path.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from stdnum.be import vat

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
# A text in every declared language; completeness is checked against `Register.languages`.
Text = dict[Lang, str]
# A name or an address line: one string when every language writes it alike (a street in a
# monolingual region, a company whose name is not translated), else one per declared language
# ("KBC Bank SA" / "KBC Bank NV", "avenue du Port 2" / "Havenlaan 2").
Localised = str | Text


def in_language(value: Localised, lang: str) -> str:
    """The value as `lang` writes it; a per-language value lacking `lang` raises KeyError (the
    register check reports it with its path before anything is rendered)."""
    return value if isinstance(value, str) else value[lang]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegalBasis(StrEnum):
    """GDPR Art. 6(1)."""

    CONSENT = "consent"  # (a)
    CONTRACT = "contract"  # (b)
    LEGAL_OBLIGATION = "legal_obligation"  # (c)
    VITAL_INTERESTS = "vital_interests"  # (d)
    PUBLIC_TASK = "public_task"  # (e)
    LEGITIMATE_INTERESTS = "legitimate_interests"  # (f)


class ObjectionMode(StrEnum):
    NONE = "none"  # no Art. 21 right applies; `reason` says why
    BALANCING = "balancing"  # Art. 21(1): restricted at once, the DPO decides
    ABSOLUTE = "absolute"  # Art. 21(2)-(3): direct marketing and profiling for it


class RecipientKind(StrEnum):
    GROUP_ENTITY = "group_entity"
    PROCESSOR = "processor"
    THIRD_PARTY = "third_party"
    AUTHORITY = "authority"


class RetentionStart(StrEnum):
    COLLECTION = "collection"
    RELATIONSHIP_END = "relationship_end"
    CONTRACT_END = "contract_end"
    EVENT = "event"  # the recorded event itself (a call, a message, a transaction)
    CASE_CLOSED = "case_closed"
    SIMULATION_START = "simulation_start"


class Region(StrEnum):
    FLANDERS = "flanders"
    WALLONIA = "wallonia"
    BRUSSELS = "brussels"


class ActorKind(StrEnum):
    STAFF = "staff"
    SYSTEM = "system"


class RelationshipState(StrEnum):
    PROSPECT = "prospect"
    CLIENT = "client"
    FORMER_CLIENT = "former_client"


class RelationshipScope(StrEnum):
    ENTITY = "entity"  # with the entity the actor acts for
    GROUP = "group"  # with any entity of the group


class Address(Model):
    street: Localised
    postcode: str
    city: Localised
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "BE"


class Contact(Model):
    email: str
    address: Address | None = None
    url: Localised | None = None
    phone: str | None = None


class TaxonomyExtension(Model):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")]
    parent: str | None = None
    name: Text
    description: Text | None = None


class Taxonomy(Model):
    data_categories: list[TaxonomyExtension] = Field(default_factory=list)
    data_uses: list[TaxonomyExtension] = Field(default_factory=list)
    data_subjects: list[TaxonomyExtension] = Field(default_factory=list)


class Entity(Model):
    id: Id
    legal_name: Localised
    enterprise_number: str
    address: Address
    dpo: Contact

    @field_validator("enterprise_number")
    @classmethod
    def _enterprise_number(cls, value: str) -> str:
        if not vat.is_valid(value):
            raise ValueError(f"'{value}' is not a valid Belgian enterprise number")
        return vat.compact(value)


class Brand(Model):
    id: Id
    name: Text
    entities: list[Id]
    region: Region
    app: str  # the mobile app's name under this brand
    assistant: str  # the virtual assistant's name
    website: str
    contact: Contact
    # The name an entity trades under in this brand ("CBC Banque SA" for the bank in Wallonia):
    # customers read it wherever the entity is named; the legal name stays beside it.
    trade_names: dict[Id, Localised] = Field(default_factory=dict)


class Authority(Model):
    id: Id
    name: Text
    address: Address
    contact: Contact


class Recipient(Model):
    id: Id
    kind: RecipientKind
    # A group entity needs no name of its own: it is named as its entity is (trade name included).
    name: Text | None = None
    description: Text
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "BE"
    entity: Id | None = None  # for a group entity: which declared entity it is
    # Required outside the EEA: the Art. 46 safeguard or Art. 45 decision, and where to get a copy.
    transfer_safeguard: Localised | None = None


class Duration(Model):
    years: int = Field(default=0, ge=0)
    months: int = Field(default=0, ge=0)
    days: int = Field(default=0, ge=0)

    def total_days(self) -> int:
        return self.years * 365 + self.months * 30 + self.days


class Retention(Model):
    duration: Duration
    starts: RetentionStart
    note: Text | None = None


class LegalHold(Model):
    id: Id
    title: Text
    law: Text  # the legal reference, in each language
    duration: Duration
    starts: RetentionStart
    data_categories: list[str]


class LegitimateInterestAssessment(Model):
    """The three-step test, documented before processing (EDPB Guidelines 1/2024, ICO template)."""

    interest: Text  # shown to the customer
    necessity: str
    alternatives: str
    reasonable_expectations: str
    balancing: str
    safeguards: list[str] = Field(min_length=1)
    reviewer: str
    assessed_on: dt.date
    review_on: dt.date


class Objection(Model):
    mode: ObjectionMode
    reason: Text | None = None  # required when mode is `none`


class Source(Model):
    recipient: Id | None = None  # the declared party the data comes from
    description: Text


class AutomatedDecision(Model):
    """Art. 22: what is decided, its logic, and the safeguards offered."""

    logic: Text
    safeguards: Text


class Purpose(Model):
    id: Id
    activity: int | None = None
    title: Text
    description: Text
    legal_basis: LegalBasis
    data_use: str  # fideslang data use
    controllers: list[Id] = Field(min_length=1)
    legitimate_interest: LegitimateInterestAssessment | None = None
    data_categories: list[str] = Field(min_length=1)
    data_subjects: list[str] = Field(min_length=1)
    recipients: list[Id] = Field(default_factory=list)
    source: Source | None = None
    retention: Retention
    legal_holds: list[Id] = Field(default_factory=list)
    objection: Objection
    direct_marketing: bool = False
    automated_decision: AutomatedDecision | None = None
    dpia: bool = False
    channels: list[str] = Field(default_factory=list)
    relationship: list[RelationshipState] = Field(default_factory=list)
    relationship_scope: RelationshipScope = RelationshipScope.ENTITY
    requires_consent: bool = False
    preference: str | None = None  # a notification preference the subject can switch off
    statement: bool = True  # shown in the customer-facing statement
    # A purpose that carries out or answers data-subject rights must still act on an erased
    # subject: erase what a legal hold kept once the hold ends, tell the person what is kept.
    survives_erasure: bool = False
    # Art. 18(2): goes on under a restriction because it serves the establishment, exercise or
    # defence of legal claims (a complaint, a dispute); the policy lets it act on restricted data.
    legal_claims: bool = False


class NotificationKind(StrEnum):
    SERVICE = "service"  # informs about the person's own products or account: not marketing
    MARKETING = "marketing"  # promotes a product: direct marketing (Code of Economic Law XII.13)


class NotificationChannel(StrEnum):
    PUSH = "push"
    IN_APP = "in_app"
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"


# The channel vocabulary of purposes (`Purpose.channels`) each notification channel falls under.
CHANNEL_OF_PURPOSE: dict[NotificationChannel, str] = {
    NotificationChannel.PUSH: "app",
    NotificationChannel.IN_APP: "app",
    NotificationChannel.EMAIL: "email",
    NotificationChannel.SMS: "sms",
    NotificationChannel.LETTER: "mail",
}


class ProductScope(StrEnum):
    """Whose products a marketing topic promotes: the soft opt-in covers the group's own only."""

    OWN = "own"
    THIRD_PARTY = "third_party"


class NotificationTopic(Model):
    """A kind of message the person receives (Profile > Notifications), and its defaults."""

    id: Id
    title: Text
    purpose: Id  # the purpose messages on this topic are sent for
    kind: NotificationKind
    # A notice the person cannot switch off (security, a change of the statement): they choose
    # its channels only.
    mandatory: bool = False
    channels: list[NotificationChannel] = Field(min_length=1)  # those the person may choose
    default_channels: list[NotificationChannel] = Field(default_factory=list)  # by preference
    products: ProductScope | None = None  # marketing topics only


class Role(Model):
    """Who may act: a staff role or a system component, and for which purposes."""

    id: Id
    kind: ActorKind
    title: Text
    purposes: list[Id]
    # Acts only at the person's own request, on their own data (their online space): what the
    # person does themselves goes on under an Art. 18 restriction (18(2): their consent).
    for_the_subject: bool = False


class Register(Model):
    version: int = 1
    languages: list[Lang] = Field(min_length=1)
    updated_on: dt.date
    taxonomy: Taxonomy = Field(default_factory=Taxonomy)
    authority: Authority
    entities: list[Entity] = Field(min_length=1)
    brands: list[Brand] = Field(min_length=1)
    recipients: list[Recipient] = Field(default_factory=list)
    legal_holds: list[LegalHold] = Field(default_factory=list)
    purposes: list[Purpose] = Field(min_length=1)
    roles: list[Role] = Field(default_factory=list)
    notification_topics: list[NotificationTopic] = Field(default_factory=list)

    def topic(self, topic_id: str) -> NotificationTopic:
        for topic in self.notification_topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    def purpose(self, purpose_id: str) -> Purpose:
        for purpose in self.purposes:
            if purpose.id == purpose_id:
                return purpose
        raise KeyError(purpose_id)

    def brand(self, brand_id: str) -> Brand:
        for brand in self.brands:
            if brand.id == brand_id:
                return brand
        raise KeyError(brand_id)

    def entity(self, entity_id: str) -> Entity:
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        raise KeyError(entity_id)

    def recipient(self, recipient_id: str) -> Recipient:
        for recipient in self.recipients:
            if recipient.id == recipient_id:
                return recipient
        raise KeyError(recipient_id)

    def legal_hold(self, hold_id: str) -> LegalHold:
        for hold in self.legal_holds:
            if hold.id == hold_id:
                return hold
        raise KeyError(hold_id)
