"""The intent classifier: deterministic, stored under the home, and good enough on held-out
messages; and the other parts of the analysis (language, topic, urgency)."""

from __future__ import annotations

import os
from pathlib import Path

from lawful.correspondence import analysis, corpus, intent
from lawful.correspondence.corpus import Intent
from lawful.correspondence.intent import Classifier

FLOOR = 0.9  # precision and recall of every intent on the held-out split


def test_every_intent_is_above_the_floor_on_the_held_out_split(classifier: Classifier) -> None:
    scores = classifier.evaluate()
    assert scores.held_out > 500
    for c in scores.classes:
        assert c.support > 50, c
        assert c.precision >= FLOOR, c
        assert c.recall >= FLOOR, c


def test_the_held_out_messages_were_never_trained_on() -> None:
    train, test = intent._split()
    assert not {e.text for e in train} & {e.text for e in test}
    assert {e.language for e in test} == set(corpus.LANGUAGES)


def test_the_corpus_and_the_model_are_the_same_every_time(classifier: Classifier) -> None:
    assert corpus.generate(per_class=20) == corpus.generate(per_class=20)
    again = intent.train()
    texts = [e.text for e in corpus.generate(per_class=10, seed=7)]
    assert again.predict(texts) == classifier.predict(texts)


def test_the_model_is_stored_once_under_the_home_and_read_back(tmp_path: Path) -> None:
    models = tmp_path / "models"
    first = intent.load(models)
    path = intent.model_path(models)
    assert path.exists()
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert intent.load(models) is first  # once per process
    stored = intent._read_or_train(models, retrain=False)
    texts = ["Je veux porter plainte pour les frais sur ma carte."]
    assert stored.predict(texts) == first.predict(texts)


def test_messages_in_each_language_are_understood(classifier: Classifier) -> None:
    texts = [
        "Bonjour, je suis scandalisé par les frais de 35 EUR prélevés sur mon compte. "
        "Je dépose plainte.",
        "Goedendag, mijn kredietkaart is gestolen in Antwerpen, blokkeer ze onmiddellijk.",
        "Hello, we had water damage in the kitchen after a pipe burst, I want to file a claim.",
        "Sehr geehrte Damen und Herren, ich möchte einen Termin vereinbaren.",
    ]
    found = analysis.analyse(texts, classifier)
    assert [a.language for a in found] == ["fr", "nl", "en", "de"]
    assert [a.intent for a in found[:3]] == [
        Intent.COMPLAINT,
        Intent.CARD_BLOCK,
        Intent.INSURANCE_CLAIM,
    ]
    assert [a.topic for a in found[:3]] == ["account", "card", "home_policy"]
    assert found[1].urgency == "high"
    assert found[0].complaint
