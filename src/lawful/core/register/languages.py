"""Which language a reader gets when the register does not speak theirs.

The reference group publishes in French, Dutch and English. A reader asking for another language
(German, one of Belgium's official languages) gets the language of the region their brand serves,
and a notice, in their own language too, saying which language that is and why.
"""

from __future__ import annotations

from lawful.core.register.models import Brand, Region, Register

REGION_LANGUAGE = {Region.FLANDERS: "nl", Region.WALLONIA: "fr", Region.BRUSSELS: "fr"}


def reading_language(register: Register, *, brand: Brand, wanted: str | None) -> str:
    if wanted is not None and wanted in register.languages:
        return wanted
    fallback = REGION_LANGUAGE[brand.region]
    return fallback if fallback in register.languages else register.languages[0]
