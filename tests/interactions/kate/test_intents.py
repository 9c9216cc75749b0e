"""The assistant's grammar, question by question, in each language it speaks."""

from __future__ import annotations

import pytest

from lawful.interactions.kate.intents import Intent, recognise

CASES = {
    "fr": [
        ("À qui avez-vous communiqué mes données ?", Intent.SHARED),
        ("Avec qui partagez-vous mes informations", Intent.SHARED),
        ("Que savez-vous de moi ?", Intent.MY_DATA),
        ("Quelles données avez-vous sur moi ?", Intent.MY_DATA),
        ("Arrêtez d'utiliser mes données pour le marketing", Intent.STOP_MARKETING),
        ("Je ne veux plus de publicité", Intent.STOP_MARKETING),
        ("Quels produits ai-je chez vous ?", Intent.PRODUCTS),
        ("Pourquoi ai-je reçu cette offre ?", Intent.OFFER),
        ("Où en est ma simulation de crédit ?", Intent.SIMULATION),
        ("Je voudrais parler à un conseiller", Intent.HUMAN),
        ("Bonjour", Intent.GREETING),
        ("Oui", Intent.YES),
        ("Non merci", Intent.NO),
        ("Quel temps fera-t-il demain ?", Intent.UNKNOWN),
    ],
    "nl": [
        ("Met wie hebben jullie mijn gegevens gedeeld?", Intent.SHARED),
        ("Aan wie hebt u mijn gegevens doorgegeven?", Intent.SHARED),
        ("Wat weten jullie over mij?", Intent.MY_DATA),
        ("Welke gegevens hebt u over mij?", Intent.MY_DATA),
        ("Stop met mijn gegevens voor marketing te gebruiken", Intent.STOP_MARKETING),
        ("Ik wil geen reclame meer", Intent.STOP_MARKETING),
        ("Welke producten heb ik bij jullie?", Intent.PRODUCTS),
        ("Waarom kreeg ik dit aanbod?", Intent.OFFER),
        ("Hoe staat mijn simulatie ervoor?", Intent.SIMULATION),
        ("Ik wil een medewerker spreken", Intent.HUMAN),
        ("Goedemorgen", Intent.GREETING),
        ("Ja", Intent.YES),
        ("Nee", Intent.NO),
        ("Hoe laat is het?", Intent.UNKNOWN),
    ],
    "en": [
        ("Who did you share my data with?", Intent.SHARED),
        ("Whom have you disclosed my information to", Intent.SHARED),
        ("What do you know about me?", Intent.MY_DATA),
        ("What data do you hold on me?", Intent.MY_DATA),
        ("Stop using my data for marketing", Intent.STOP_MARKETING),
        ("Please do not send me advertising", Intent.STOP_MARKETING),
        ("Which accounts do I have?", Intent.PRODUCTS),
        ("Why did I get this offer?", Intent.OFFER),
        ("What about my mortgage simulation?", Intent.SIMULATION),
        ("Can I talk to a person?", Intent.HUMAN),
        ("Hello", Intent.GREETING),
        ("Yes", Intent.YES),
        ("No", Intent.NO),
        ("What is the weather like?", Intent.UNKNOWN),
    ],
}


@pytest.mark.parametrize(
    ("language", "question", "intent"),
    [(lang, q, i) for lang, cases in CASES.items() for q, i in cases],
)
def test_each_question_is_recognised_in_its_language(
    language: str, question: str, intent: Intent
) -> None:
    recognised = recognise(question, prefer=language)
    assert recognised.intent is intent


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("À qui avez-vous communiqué mes données ?", "fr"),
        ("Met wie hebben jullie mijn gegevens gedeeld?", "nl"),
        ("Who did you share my data with?", "en"),
    ],
)
def test_the_language_is_told_without_a_preference(question: str, language: str) -> None:
    assert recognise(question).language == language


def test_an_objection_to_offers_is_not_a_question_about_an_offer() -> None:
    assert recognise("Stop sending me promotions and offers").intent is Intent.STOP_MARKETING
