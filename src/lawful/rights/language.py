"""Which language to answer a person in, and the statement's text builder for that language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lawful.core.register.languages import REGION_LANGUAGE, reading_language
from lawful.core.register.models import Register

# Statement helpers are reused rather than copied, so that a purpose reads the same in the access
# report as in the privacy statement; the builder is the statement module's own.
from lawful.core.register.statement import TextBuilder
from lawful.customers.schemas import Section

__all__ = ["REGION_LANGUAGE", "TextBuilder", "builder", "builder_for_file", "language_of"]


def language_of(register: Register, *, language: str | None, brand: str) -> str:
    """A person whose language the register does not speak (German, in the reference register)
    is answered in the language of the region their brand serves."""
    return reading_language(register, brand=register.brand(brand), wanted=language)


def builder(register: Register, *, language: str | None, brand: str) -> TextBuilder:
    lang = language_of(register, language=language, brand=brand)
    return TextBuilder(register, register.brand(brand), lang)


def builder_for_file(register: Register, file: Mapping[str, Any]) -> TextBuilder:
    """The builder for the person whose exported file this is (its contact section)."""
    contact = file[Section.CONTACT.value]
    return builder(register, language=contact.get("language"), brand=contact["brand"])
