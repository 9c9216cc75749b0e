"""The offer of help after an unfinished simulation, as the person reads it, in their language.

A service message, not marketing: it names the simulation the person started and offers help to
finish it, with no other product, offer or promotion (Code of Economic Law XII.13).
"""

from __future__ import annotations

from dataclasses import dataclass

FALLBACK = "en"

# The simulation as each language names it (French elides: « d'assurance »).
_PRODUCT = {
    "fr": {
        "loan": "votre simulation de crédit",
        "home-insurance": "votre simulation d'assurance habitation",
        "savings-plan": "votre simulation de plan d'épargne",
    },
    "nl": {
        "loan": "uw kredietsimulatie",
        "home-insurance": "uw simulatie voor een woningverzekering",
        "savings-plan": "uw spaarplansimulatie",
    },
    "en": {
        "loan": "your loan simulation",
        "home-insurance": "your home-insurance simulation",
        "savings-plan": "your savings-plan simulation",
    },
    "de": {
        "loan": "Ihre Kreditsimulation",
        "home-insurance": "Ihre Simulation einer Wohngebäudeversicherung",
        "savings-plan": "Ihre Sparplansimulation",
    },
}
_TITLE = {
    "fr": "Besoin d'aide pour votre simulation\u00a0?",
    "nl": "Hulp nodig bij uw simulatie?",
    "en": "Need help with your simulation?",
    "de": "Brauchen Sie Hilfe bei Ihrer Simulation?",
}
_BODY = {
    "fr": (
        "Vous n'avez pas terminé {product}. Vous pouvez la reprendre là où "
        "vous vous êtes arrêté. Si une question ou un problème technique vous a bloqué, "
        "répondez à ce message ou contactez votre agence\u00a0: nous vous aidons volontiers. "
        "Sans suite de votre part, la simulation est effacée {days} jours après son début."
    ),
    "nl": (
        "U hebt {product} niet afgerond. U kunt verdergaan waar u gebleven "
        "was. Hield een vraag of een technisch probleem u tegen, antwoord dan op dit bericht of "
        "neem contact op met uw kantoor: we helpen u graag. Doet u niets meer, dan wissen we de "
        "simulatie {days} dagen nadat u ze begon."
    ),
    "en": (
        "You did not finish {product}. You can pick up where you left off. If a "
        "question or a technical problem held you back, reply to this message or contact your "
        "branch: we are glad to help. If you take no further step, the simulation is erased "
        "{days} days after you started it."
    ),
    "de": (
        "Sie haben {product} nicht abgeschlossen. Sie können dort "
        "weitermachen, wo Sie aufgehört haben. Hat Sie eine Frage oder ein technisches Problem "
        "aufgehalten, antworten Sie auf diese Nachricht oder wenden Sie sich an Ihre Filiale: "
        "Wir helfen Ihnen gern. Ohne weiteren Schritt wird die Simulation {days} Tage nach "
        "ihrem Beginn gelöscht."
    ),
}


@dataclass(frozen=True, slots=True)
class Message:
    language: str
    title: str
    body: str


def language_of(*candidates: str | None) -> str:
    for candidate in candidates:
        if candidate in _BODY:
            return candidate
    return FALLBACK


def follow_up(language: str, *, product: str, days: int) -> Message:
    lang = language if language in _BODY else FALLBACK
    name = _PRODUCT[lang][product]
    return Message(lang, _TITLE[lang], _BODY[lang].format(product=name, days=days))
