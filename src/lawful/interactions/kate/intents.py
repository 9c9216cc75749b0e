"""What a question asks, in French, Dutch or English: a pattern grammar, offline and auditable.

Rule-based on purpose, as the register's assessment says: every intent is a list of patterns a
reviewer can read, and a question no pattern matches is handed over to a person rather than
guessed at. Matching ignores case and accents ("à qui" and "a qui" alike).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

LANGUAGES = ("fr", "nl", "en")


class Intent(StrEnum):
    SHARED = "shared"  # whom did you share my data with
    MY_DATA = "my_data"  # what do you know about me
    STOP_MARKETING = "stop_marketing"  # object to direct marketing
    PRODUCTS = "products"
    SIMULATION = "simulation"
    OFFER = "offer"  # why did I get this offer
    HUMAN = "human"  # let me talk to a person
    GREETING = "greeting"
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


# In order: the first intent one of whose patterns matches wins ("stop sending me offers" is an
# objection, not a question about an offer).
GRAMMAR: dict[str, list[tuple[Intent, list[str]]]] = {
    "fr": [
        (Intent.YES, [r"^(oui|ok|d'accord|je confirme|confirme[rz]?)\b"]),
        (Intent.NO, [r"^(non|annule[rz]?|pas maintenant|laissez tomber)\b"]),
        (
            Intent.SHARED,
            [
                r"\b(a|avec) qui\b.*\b(partage|communique|transmis|donne|envoye)",
                r"\b(partage|communique|transmis)\w*\b.*\bmes (donnees|informations)",
            ],
        ),
        (
            Intent.STOP_MARKETING,
            [
                r"\b(arrete[rz]?|cesse[rz]?|stop|ne plus|n'utilisez plus|plus de)\b.*"
                r"\b(marketing|publicite|prospection|offres? commerciales?|pub)\b",
                r"\bje m'oppose\b.*\b(marketing|publicite|prospection)",
            ],
        ),
        (
            Intent.MY_DATA,
            [
                r"\bque (savez|connaissez)[- ]vous (de|sur) moi\b",
                r"\b(quelles|quelles sont les) (donnees|informations)\b.*\b(avez|detenez|gardez)",
                r"\bmes donnees personnelles\b",
            ],
        ),
        (Intent.SIMULATION, [r"\bsimulations?\b"]),
        (Intent.OFFER, [r"\b(offre|proposition)s?\b"]),
        (
            Intent.PRODUCTS,
            [
                r"\b(mes|quels|quelles)\b.*\b(produits|comptes|cartes|credits|contrats)\b",
                r"\bqu'est-ce que j'ai chez vous\b",
            ],
        ),
        (
            Intent.HUMAN,
            [
                r"\b(parler|joindre)\b.*\b(conseiller|humain|personne|quelqu'un)",
                r"\bun conseiller\b",
            ],
        ),
        (Intent.GREETING, [r"^(bonjour|salut|bonsoir|coucou)\b"]),
    ],
    "nl": [
        (Intent.YES, [r"^(ja|ok|oke|akkoord|ik bevestig|bevestig)\b"]),
        (Intent.NO, [r"^(nee|neen|annuleer|liever niet|laat maar)\b"]),
        (
            Intent.SHARED,
            [
                r"\b(met|aan) wie\b.*\b(gedeeld|doorgegeven|gegeven|verstrekt|bezorgd)\b",
                r"\b(gedeeld|doorgegeven)\b.*\bmijn gegevens\b",
            ],
        ),
        (
            Intent.STOP_MARKETING,
            [
                r"\b(stop|niet meer|geen)\b.*\b(marketing|reclame|publiciteit|commerciele)\b",
                r"\bik maak bezwaar\b.*\b(marketing|reclame)",
            ],
        ),
        (
            Intent.MY_DATA,
            [
                r"\bwat (weet|weten) (u|je|jullie) (over|van) mij\b",
                r"\bwelke (gegevens|informatie)\b.*\b(hebt|heeft|hebben|bewaart|bewaren)\b",
                r"\bmijn persoonsgegevens\b",
            ],
        ),
        (Intent.SIMULATION, [r"\bsimulaties?\b"]),
        (Intent.OFFER, [r"\b(aanbod|aanbieding|voorstel)\w*\b"]),
        (
            Intent.PRODUCTS,
            [r"\b(mijn|welke)\b.*\b(producten|rekeningen|kaarten|kredieten|contracten)\b"],
        ),
        (
            Intent.HUMAN,
            [r"\b(medewerker|adviseur|een mens|iemand spreken)\b"],
        ),
        (Intent.GREETING, [r"^(hallo|dag|goedendag|goedemorgen|goeiemorgen|hoi)\b"]),
    ],
    "en": [
        (Intent.YES, [r"^(yes|ok|okay|i confirm|confirm|sure)\b"]),
        (Intent.NO, [r"^(no|cancel|not now|never mind)\b"]),
        (
            Intent.SHARED,
            [
                r"\b(who|whom)\b.*\b(share|shared|disclose|disclosed|gave|give|pass|passed)\b",
                r"\b(shared|disclosed)\b.*\bmy (data|information)\b",
            ],
        ),
        (
            Intent.STOP_MARKETING,
            [
                (
                    r"\b(stop|no more|don't|do "
                    r"not|quit)\b.*\b(marketing|advertising|advertisements?|promotions?)\b"
                ),
                r"\bi object\b.*\b(marketing|advertising)\b",
            ],
        ),
        (
            Intent.MY_DATA,
            [
                r"\bwhat do you know about me\b",
                r"\bwhat (data|information)\b.*\b(have|hold|keep)\b",
                r"\bmy personal data\b",
            ],
        ),
        (Intent.SIMULATION, [r"\bsimulations?\b"]),
        (Intent.OFFER, [r"\boffers?\b"]),
        (Intent.PRODUCTS, [r"\b(my|which)\b.*\b(products|accounts|cards|loans|contracts)\b"]),
        (
            Intent.HUMAN,
            [
                r"\b(talk|speak)\b.*\b(person|human|someone|adviser|advisor)\b",
                r"\ban? (adviser|advisor|human)\b",
            ],
        ),
        (Intent.GREETING, [r"^(hello|hi|hey|good (morning|afternoon|evening))\b"]),
    ],
}
COMPILED = {
    lang: [(intent, [re.compile(p) for p in patterns]) for intent, patterns in rules]
    for lang, rules in GRAMMAR.items()
}
# Words frequent in one language only: they pick the language of a message no pattern matched.
MARKERS = {
    "fr": {"je", "vous", "mes", "est", "les", "des", "pour", "quoi", "pourquoi", "avec"},
    "nl": {"ik", "u", "mijn", "het", "een", "de", "waarom", "wat", "niet", "met"},
    "en": {"i", "you", "my", "the", "is", "why", "what", "with", "for", "me"},
}


@dataclass(frozen=True)
class Recognised:
    intent: Intent
    language: str | None  # the language whose grammar matched, or whose words the message has


def normalise(text: str) -> str:
    """Lower case, accents off, one kind of apostrophe, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def recognise(text: str, *, prefer: str | None = None) -> Recognised:
    """The intent, trying the preferred language's grammar first."""
    plain = normalise(text)
    guessed = language_of(plain)
    order = [lang for lang in (prefer, guessed) if lang in LANGUAGES]
    order += [lang for lang in LANGUAGES if lang not in order]
    order = list(dict.fromkeys(order))
    for lang in order:
        for intent, patterns in COMPILED[lang]:
            if any(p.search(plain) for p in patterns):
                return Recognised(intent, lang)
    return Recognised(Intent.UNKNOWN, guessed)


def language_of(plain: str) -> str | None:
    words = set(re.findall(r"[a-z']+", plain))
    scores = {lang: len(words & markers) for lang, markers in MARKERS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > 0 else None
