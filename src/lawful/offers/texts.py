"""An offer as the customer reads it: what it is, and why it was made to them, in their language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from lawful.offers.catalogue import FACT_TEXTS, RULE_LABEL, Product

LANGUAGES = ("fr", "nl", "en")
FALLBACK = "en"
_WHY = {"fr": "Pourquoi cette offre", "nl": "Waarom dit aanbod", "en": "Why this offer"}
_YES_NO = {"fr": ("oui", "non"), "nl": ("ja", "nee"), "en": ("yes", "no")}
_FOOTER = {
    "fr": "Vous ne souhaitez plus d'offres\u00a0? Dites-le-nous dans l'app, sous Profil > "
    "Notifications, ou opposez-vous au marketing direct\u00a0: nous arrêtons aussitôt.",
    "nl": "Wilt u geen aanbiedingen meer? Zeg het ons in de app, onder Profiel > Meldingen, of "
    "maak bezwaar tegen direct marketing: we stoppen meteen.",
    "en": "No more offers? Tell us in the app, under Profile > Notifications, or object to direct "
    "marketing: we stop at once.",
}


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body: str


def language(chosen: str | None, on_file: str | None) -> str:
    """The language chosen for messages, else the file's, else English."""
    for candidate in (chosen, on_file):
        if candidate in LANGUAGES:
            return candidate
    return FALLBACK


def fact_lines(product: Product, facts: dict[str, Any], lang: str) -> list[tuple[str, str, str]]:
    """(fact, label, value) for each fact the rule read, in `lang`."""
    out = []
    for name in product.facts:
        value = facts.get(name)
        shown = _value(value, lang)
        out.append((name, FACT_TEXTS[name][lang], shown))
    return out


def _value(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _YES_NO[lang][0 if value else 1]
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def rule_text(product: Product, lang: str) -> str:
    return f"{RULE_LABEL[lang]} {product.rule}{colon(lang)}{product.why[lang]}"


def message(product: Product, facts: dict[str, Any], lang: str) -> Message:
    """The outbox message of a new offer: the offer, why, and how to stop offers."""
    lines = [product.description[lang], "", f"{_WHY[lang]}{colon(lang)}{product.why[lang]}"]
    lines += [
        f"- {label}{colon(lang)}{value}" for _, label, value in fact_lines(product, facts, lang)
    ]
    lines += ["", _FOOTER[lang]]
    return Message(product.title[lang], "\n".join(lines))


def colon(lang: str) -> str:
    """French sets a colon off with a no-break space."""
    return "\u00a0: " if lang == "fr" else ": "
