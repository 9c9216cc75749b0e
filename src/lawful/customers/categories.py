"""The fideslang data categories that each part of the customer file holds.

Each datum lists its candidate categories, most precise first; the gate is asked for the first one
the purpose declares. A second candidate is the declared category that contains the datum, used
while the register lacks the precise one for a purpose (customer-file does not declare the national
number, cards, card statements or the insured property yet): when the register declares it, the
precise category wins with no code change. A datum none of whose candidates is declared is asked
under its precise category, so the gate refuses and the refusal is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from lawful.core.policy.compile import covered
from lawful.core.register.models import Register
from lawful.customers.schemas import Section

Candidates = tuple[str, ...]

NAME = "user.name"
DATE_OF_BIRTH = "user.demographic.date_of_birth"
NATIONAL_NUMBER = "user.government_id.national_identification_number"
KYC_RECORD = "user.government_id.kyc_record"
EMAIL = "user.contact.email"
PHONE = "user.contact.phone_number"
ADDRESS = "user.contact.address"
LANGUAGE = "user.demographic.language"
BANK_ACCOUNT = "user.financial.bank_account"
CREDIT_CARD = "user.financial.credit_card"
CARD_STATEMENT = "user.financial.card_statement"
LOAN = "user.financial.loan"
INSURANCE_POLICY = "user.financial.insurance_policy"
PROPERTY = "user.location.property"
NOTIFICATION_SETTINGS = "user.privacy_preferences.notification_settings"
PRIVACY_PREFERENCES = "user.privacy_preferences"

PERSON_FIELDS: Mapping[str, Candidates] = {
    "first_name": (NAME,),
    "last_name": (NAME,),
    "birth_date": (DATE_OF_BIRTH,),
    # The identity-card copy (kyc_record) carries the number.
    "national_number": (NATIONAL_NUMBER, KYC_RECORD),
    "email": (EMAIL,),
    "phone": (PHONE,),
    "street": (ADDRESS,),
    "postcode": (ADDRESS,),
    "city": (ADDRESS,),
    "region": (ADDRESS,),
    "language": (LANGUAGE,),
}
# region and brand follow the postcode: a rectification of the address rewrites them too.
DERIVED_FIELDS: Mapping[str, Candidates] = {"region": (ADDRESS,), "brand": (ADDRESS,)}

ACCOUNTS: Candidates = (BANK_ACCOUNT,)
# A card draws on an account; its statements are statements of that account's card.
CARDS: Candidates = (CREDIT_CARD, BANK_ACCOUNT)
STATEMENTS: Candidates = (CARD_STATEMENT, CREDIT_CARD, BANK_ACCOUNT)
LOANS: Candidates = (LOAN,)
HOME_POLICIES: Candidates = (INSURANCE_POLICY,)
# The insured address and building features are written in the policy.
PROPERTY_DATA: Candidates = (PROPERTY, INSURANCE_POLICY)
KYC: Candidates = (KYC_RECORD,)
PREFERENCES: Candidates = (NOTIFICATION_SETTINGS,)
CONSENTS: Candidates = (PRIVACY_PREFERENCES,)

# The address is identification data (AML law, art. 26: name, birth date, address): it belongs
# with the identity, which an AML hold keeps, not with the e-mail and phone, which it does not.
IDENTITY_FIELDS = (
    *("first_name", "last_name", "birth_date", "national_number"),
    *("street", "postcode", "city", "region"),
)
CONTACT_FIELDS = ("email", "phone", "language")
# What an identity document proves: changed only against one, checked by staff (the address is
# identification data too, but moving house is the customer's to tell, with no document).
PROOF_FIELDS = ("first_name", "last_name", "birth_date", "national_number")

# What each section of the file holds. Relationships (who is a client of which entity since when)
# are the frame of the file, not its content: they carry no content category.
SECTION_DATA: Mapping[Section, tuple[Candidates, ...]] = {
    Section.IDENTITY: tuple(PERSON_FIELDS[f] for f in IDENTITY_FIELDS),
    Section.CONTACT: tuple(PERSON_FIELDS[f] for f in CONTACT_FIELDS),
    Section.RELATIONSHIPS: (),
    Section.KYC: (KYC,),
    Section.ACCOUNTS: (ACCOUNTS,),
    Section.CARDS: (CARDS, STATEMENTS),
    Section.LOANS: (LOANS,),
    Section.HOME_POLICIES: (HOME_POLICIES, PROPERTY_DATA),
    # Rectifications keep former values of identity and contact fields.
    Section.RECTIFICATIONS: tuple(PERSON_FIELDS.values()),
    Section.PREFERENCES: (PREFERENCES,),
    Section.CONSENTS: (CONSENTS,),
}


def declared(register: Register, purpose: str) -> frozenset[str]:
    """The purpose's declared categories; none for a purpose the register does not know."""
    try:
        return frozenset(register.purpose(purpose).data_categories)
    except KeyError:
        return frozenset()


@lru_cache(maxsize=4096)
def pick(declared: frozenset[str], candidates: Candidates) -> str | None:
    # Cached: the same few purposes and fields come back on every request.
    return next((c for c in candidates if covered(c, declared)), None)


def ask(declared: frozenset[str], data: Iterable[Candidates]) -> list[str]:
    """The categories to ask the gate for these data under a purpose declaring `declared`."""
    return sorted({pick(declared, candidates) or candidates[0] for candidates in data})
