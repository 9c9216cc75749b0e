"""Export the register as fideslang manifests, for a group that already runs Fides."""

from __future__ import annotations

from typing import Any

from fideslang.models import (
    DataCategory,
    DataSubject,
    DataUse,
    LegalBasisForProcessingEnum,
    Organization,
    PrivacyDeclaration,
    System,
)
from fideslang.models import Taxonomy as FidesTaxonomy

from lawful.core.register import grammar, names
from lawful.core.register.models import (
    LegalBasis,
    Purpose,
    Register,
    TaxonomyExtension,
    in_language,
)
from lawful.core.register.validate import EEA

ORGANIZATION = "lawful_group"
_BASIS = {
    LegalBasis.CONSENT: LegalBasisForProcessingEnum.CONSENT,
    LegalBasis.CONTRACT: LegalBasisForProcessingEnum.CONTRACT,
    LegalBasis.LEGAL_OBLIGATION: LegalBasisForProcessingEnum.LEGAL_OBLIGATION,
    LegalBasis.VITAL_INTERESTS: LegalBasisForProcessingEnum.VITAL_INTEREST,
    LegalBasis.PUBLIC_TASK: LegalBasisForProcessingEnum.PUBLIC_INTEREST,
    LegalBasis.LEGITIMATE_INTERESTS: LegalBasisForProcessingEnum.LEGITIMATE_INTEREST,
}


def _key(ident: str) -> str:
    return ident.replace("-", "_")


def _extension(cls: Any, ext: TaxonomyExtension) -> Any:
    return cls(
        fides_key=ext.key,
        organization_fides_key=ORGANIZATION,
        name=ext.name.get("en"),
        description=(ext.description or ext.name).get("en"),
        parent_key=ext.parent,
        is_default=False,
    )


def _retention(purpose: Purpose) -> str:
    d = purpose.retention.duration
    parts = [
        f"{n} {unit}"
        for n, unit in ((d.years, "years"), (d.months, "months"), (d.days, "days"))
        if n
    ]
    return f"{' '.join(parts) or '0 days'} after {purpose.retention.starts.value.replace('_', ' ')}"


def _language(register: Register) -> str:
    """Fides manifests are read by engineers: English when the register has it."""
    return "en" if "en" in register.languages else register.languages[0]


def _declaration(register: Register, purpose: Purpose) -> PrivacyDeclaration:
    lang = _language(register)
    third = [
        grammar.bare(names.recipient_name(register, r, lang, None), lang)
        for r in register.recipients
        if r.id in purpose.recipients and r.kind != "group_entity"
    ]
    return PrivacyDeclaration(
        name=purpose.title.get("en", purpose.id),
        data_categories=purpose.data_categories,
        data_use=purpose.data_use,
        data_subjects=purpose.data_subjects,
        legal_basis_for_processing=_BASIS[purpose.legal_basis],
        retention_period=_retention(purpose),
        data_shared_with_third_parties=bool(third),
        third_parties=", ".join(third) or None,
        impact_assessment_location="DPIA on file" if purpose.dpia else None,
    )


def _transfers_abroad(register: Register, purposes: list[Purpose]) -> bool:
    """Whether any recipient of these purposes sits outside the EEA."""
    used = {r for p in purposes for r in p.recipients}
    return any(r.country not in EEA for r in register.recipients if r.id in used)


def to_fides(register: Register) -> FidesTaxonomy:
    """One Fides system per controller entity, one privacy declaration per purpose it runs."""
    systems = []
    lang = _language(register)
    for entity in register.entities:
        purposes = [p for p in register.purposes if entity.id in p.controllers]
        if not purposes:
            continue
        legal_name = in_language(entity.legal_name, lang)
        address = entity.address
        systems.append(
            System(
                fides_key=f"lawful_{_key(entity.id)}",
                organization_fides_key=ORGANIZATION,
                name=f"lawful — {legal_name}",
                description=f"Processing register of {legal_name}, exported from lawful",
                system_type="Service",
                legal_name=legal_name,
                legal_address=f"{in_language(address.street, lang)}, {address.postcode} "
                f"{in_language(address.city, lang)}, {address.country}",
                dpo=entity.dpo.email,
                uses_profiling=any(p.direct_marketing for p in purposes),
                requires_data_protection_assessments=any(p.dpia for p in purposes),
                does_international_transfers=_transfers_abroad(register, purposes),
                privacy_declarations=[_declaration(register, p) for p in purposes],
            )
        )
    tax = register.taxonomy
    return FidesTaxonomy(
        organization=[Organization(fides_key=ORGANIZATION, name="lawful reference group")],
        data_category=[_extension(DataCategory, e) for e in tax.data_categories],
        data_use=[_extension(DataUse, e) for e in tax.data_uses],
        data_subject=[_extension(DataSubject, e) for e in tax.data_subjects],
        system=systems,
    )


def fides_manifest(register: Register) -> dict[str, Any]:
    taxonomy = to_fides(register)
    dumped = taxonomy.model_dump(mode="json", exclude_none=True)
    return {kind: items for kind, items in dumped.items() if items}
