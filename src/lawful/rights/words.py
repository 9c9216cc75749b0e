"""The words a person reads about their rights, rendered at the edge from the codes and dates the
use cases compute: why a section is kept, and until when, in the person's language and brand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from babel.dates import format_date

from lawful.core.register.models import Register
from lawful.core.register.statement import label_tree as statement_labels
from lawful.rights.holds import CONTRACT, Keep
from lawful.rights.labels import label
from lawful.rights.language import TextBuilder, builder
from lawful.rights.schemas import ErasureOutcome, KeptItem


def hold_reason(texts: TextBuilder, hold: str) -> str:
    """Why a hold keeps data: the contract, or the register's title of the hold and its law."""
    if hold == CONTRACT:
        return label(texts.lang, "kept.contract")
    try:
        declared = texts.register.legal_hold(hold)
    except KeyError:
        return hold  # a hold the register no longer declares: its id is all there is to say
    title = texts.text(declared.title, f"legal_holds.{hold}.title")
    law = texts.text(declared.law, f"legal_holds.{hold}.law")
    return label(texts.lang, "kept.hold", title=title, law=law)


def hold_ends(texts: TextBuilder, hold: str, until: dt.date | None) -> str:
    """Until when: the date, or, while the end it counts from has not come, what it counts from."""
    if until is not None:
        return (
            f"{label(texts.lang, 'kept.until')} {format_date(until, 'long', locale=texts.locale)}"
        )
    if hold == CONTRACT:
        return label(texts.lang, "kept.while_contract")
    declared = texts.register.legal_hold(hold)
    labels = texts.labels(statement_labels())
    return texts.period(declared.duration, declared.starts, labels)


def kept_items(texts: TextBuilder, kept: Sequence[Keep]) -> list[KeptItem]:
    return [
        KeptItem(
            section=k.section.value,
            hold=k.hold,
            reason=hold_reason(texts, k.hold),
            until=k.until,
            ends=hold_ends(texts, k.hold, k.until),
        )
        for k in kept
    ]


def erasure_outcome(
    register: Register,
    *,
    request_id: int,
    erased: Sequence[str],
    kept: Sequence[Keep],
    language: str | None,
    brand: str,
) -> ErasureOutcome:
    texts = builder(register, language=language, brand=brand)
    return ErasureOutcome(request_id=request_id, erased=list(erased), kept=kept_items(texts, kept))
