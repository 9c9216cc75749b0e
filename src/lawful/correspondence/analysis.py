"""Automated analysis of a message: language, topic, intent, urgency, personal data found.

It classifies and flags, to route a message and draft an answer; it scores no one, and decides
nothing about a person: staff read the message and approve any answer.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from enum import StrEnum

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from lawful.correspondence import pii
from lawful.correspondence.corpus import Intent
from lawful.correspondence.intent import Classifier


class Topic(StrEnum):
    CARD = "card"
    ACCOUNT = "account"
    LOAN = "loan"
    HOME_POLICY = "home_policy"
    OTHER = "other"


class Urgency(StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


# lingua restricted to the languages the group writes in, and German, which Belgium speaks too:
# a German message is recognised as such (and answered in English) rather than taken for Dutch.
_LANGUAGES = {
    Language.FRENCH: "fr",
    Language.DUTCH: "nl",
    Language.ENGLISH: "en",
    Language.GERMAN: "de",
}
_detector: LanguageDetector | None = None
_lock = threading.Lock()


def _languages() -> LanguageDetector:
    global _detector
    with _lock:
        if _detector is None:
            # Preloaded: loading each language's models lazily, per message, is ten times slower.
            _detector = (
                LanguageDetectorBuilder.from_languages(*_LANGUAGES)
                .with_preloaded_language_models()
                .build()
            )
        return _detector


def language_of(text: str) -> str | None:
    found = _languages().detect_language_of(text)
    return _LANGUAGES.get(found) if found is not None else None


_TOPICS = (
    (Topic.CARD, r"cart[ae]|kaart|card|visa|mastercard|maestro|bancontact"),
    (Topic.HOME_POLICY, r"assurance|verzekering|insurance|sinistre|schade|claim|dégât|toiture"),
    (Topic.LOAN, r"prêt|crédit hypo|lening|krediet|loan|mortgage|hypoth"),
    (Topic.ACCOUNT, r"compte|rekening|account|virement|overschrijving|transfer|iban"),
)
_TOPIC_PATTERNS = [(t, re.compile(p, re.IGNORECASE)) for t, p in _TOPICS]
_URGENT = re.compile(
    r"urgent|dringend|immédiat|onmiddellijk|immediately|tout de suite|meteen|right away|fraude"
    r"|fraud|vol[ée]|gestolen|stolen|avocat|advocaat|lawyer|mise en demeure|ingebrekestelling"
    r"|ombudsman|ombudsfin|test-achats|test-aankoop",
    re.IGNORECASE,
)
_HIGH = frozenset({Intent.CARD_BLOCK})
_LOW = frozenset({Intent.INFORMATION, Intent.APPOINTMENT, Intent.ADDRESS_CHANGE})


def topic_of(text: str) -> Topic:
    """The product the message is about: the first kind named, in order of specificity."""
    for topic, pattern in _TOPIC_PATTERNS:
        if pattern.search(text):
            return topic
    return Topic.OTHER


def urgency_of(text: str, intent: Intent) -> Urgency:
    if intent in _HIGH or _URGENT.search(text):
        return Urgency.HIGH
    return Urgency.LOW if intent in _LOW else Urgency.NORMAL


@dataclass(frozen=True)
class Analysis:
    language: str | None
    topic: Topic
    intent: Intent
    confidence: float
    urgency: Urgency
    found: tuple[pii.Found, ...]

    @property
    def complaint(self) -> bool:
        return self.intent is Intent.COMPLAINT

    def found_counts(self) -> dict[str, int]:
        return pii.counts(list(self.found))


def analyse(texts: list[str], classifier: Classifier, *, validate: bool = True) -> list[Analysis]:
    """Each text's analysis; the classifier runs once over all of them. With `validate=False`,
    personal data are the regular expressions' candidates, unconfirmed (the benchmark's anchor)."""
    predictions = classifier.predict(texts)
    if len(texts) > 1:
        found = _languages().detect_languages_in_parallel_of(texts)
        languages = [_LANGUAGES.get(f) if f is not None else None for f in found]
    else:
        languages = [language_of(t) for t in texts]
    out = []
    for text, guess, language in zip(texts, predictions, languages, strict=True):
        out.append(
            Analysis(
                language=language,
                topic=topic_of(text),
                intent=guess.intent,
                confidence=round(guess.confidence, 3),
                urgency=urgency_of(text, guess.intent),
                found=tuple(pii.find(text, validate=validate)),
            )
        )
    return out
