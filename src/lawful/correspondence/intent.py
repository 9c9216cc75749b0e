"""The intent and complaint classifier: TF-IDF over character n-grams and a logistic regression.

Character n-grams read French, Dutch and English alike, inflections and typos included, with no
tokeniser or word list per language. The model is trained on the synthetic corpus (`corpus`),
deterministically (fixed seeds throughout), at first use or by `lawful correspondence train`, and
kept under the installation's home, never in the source tree: its file name carries a digest of
the corpus and of the training settings, so a changed corpus is trained again rather than read
stale. The file is written by the installation itself, 0600, as its keys are.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lawful.correspondence import corpus
from lawful.correspondence.corpus import Intent

# scikit-learn (and joblib) are imported where a model is trained, read or scored, not with this
# module: every command line and the API import it, and scikit-learn alone took seconds to load.
if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

SEED = 20261207
PER_CLASS = 480
HELD_OUT = 0.2
SETTINGS = "char_wb(2,4) min_df=2 sublinear max_features=60000 C=10"


@dataclass(frozen=True)
class ClassScore:
    intent: str
    precision: float
    recall: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    trained_on: int
    held_out: int
    accuracy: float
    classes: tuple[ClassScore, ...]


@dataclass(frozen=True)
class Prediction:
    intent: Intent
    confidence: float


class Classifier:
    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        self._labels = [Intent(c) for c in pipeline.classes_]

    def predict(self, texts: list[str]) -> list[Prediction]:
        if not texts:
            return []
        probabilities = self._pipeline.predict_proba(texts)
        out = []
        for row in probabilities:
            best = int(row.argmax())
            out.append(Prediction(self._labels[best], float(row[best])))
        return out

    def evaluate(self, *, unseen_wording: bool = False) -> Evaluation:
        """Precision and recall per intent on the held-out split; with `unseen_wording`, on the
        messages of the templates set aside (for a model trained without them)."""
        _, test = _split(unseen_wording)
        truth = [e.intent.value for e in test]
        guessed = [p.intent.value for p in self.predict([e.text for e in test])]
        labels = [i.value for i in Intent]
        from sklearn.metrics import precision_recall_fscore_support

        precision, recall, _, support = precision_recall_fscore_support(
            truth, guessed, labels=labels, zero_division=0
        )
        accuracy = sum(t == g for t, g in zip(truth, guessed, strict=True)) / len(truth)
        return Evaluation(
            trained_on=len(corpus.generate(per_class=PER_CLASS, seed=SEED)) - len(test),
            held_out=len(test),
            accuracy=accuracy,
            classes=tuple(
                ClassScore(label, float(p), float(r), int(s))
                for label, p, r, s in zip(labels, precision, recall, support, strict=True)
            ),
        )


def _split(unseen_wording: bool = False) -> tuple[list[corpus.Example], list[corpus.Example]]:
    """One message in five held out, drawn with a fixed seed per intent and language; or, with
    `unseen_wording`, the messages made from the templates set aside."""
    examples = corpus.generate(per_class=PER_CLASS, seed=SEED)
    if unseen_wording:
        return [e for e in examples if not e.held_out], [e for e in examples if e.held_out]
    rng = random.Random(SEED)
    test = {i for i in range(len(examples)) if rng.random() < HELD_OUT}
    return (
        [e for i, e in enumerate(examples) if i not in test],
        [e for i, e in enumerate(examples) if i in test],
    )


def train(*, unseen_wording: bool = False) -> Classifier:
    """A model fitted on the corpus's training split: the same every time."""
    train_set, _ = _split(unseen_wording)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    pipeline = Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 4),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=60_000,
                ),
            ),
            ("model", LogisticRegression(C=10, max_iter=2000, random_state=SEED)),
        ]
    )
    pipeline.fit([e.text for e in train_set], [e.intent.value for e in train_set])
    return Classifier(pipeline)


def digest() -> str:
    """What the stored model was made from: the corpus, the settings, the library's version."""
    h = hashlib.sha256()
    for e in corpus.generate(per_class=PER_CLASS, seed=SEED):
        h.update(f"{e.intent}\x1f{e.held_out}\x1f{e.text}\x1e".encode())
    h.update(f"{SETTINGS}\x1e{version('scikit-learn')}".encode())
    return h.hexdigest()[:16]


def model_path(models: Path) -> Path:
    return models / f"correspondence-intent-{digest()}.joblib"


_lock = threading.Lock()
_loaded: dict[Path | None, Classifier] = {}


def warm(models: Path | None) -> None:
    """Read the installation's stored model ahead of its first use, if there is one; training one
    is left to its first use (or `lawful correspondence train`), not done at a server's start."""
    if models is not None and model_path(models).exists():
        load(models)


def load(models: Path | None, *, retrain: bool = False) -> Classifier:
    """The installation's model from `models` (a folder of its home), trained and stored there on
    first use; with no folder, trained in memory once per process."""
    with _lock:
        if not retrain and models in _loaded:
            return _loaded[models]
        classifier = _read_or_train(models, retrain=retrain)
        _loaded[models] = classifier
        return classifier


def _read_or_train(models: Path | None, *, retrain: bool) -> Classifier:
    if models is None:
        return train()
    path = model_path(models)
    if path.exists() and not retrain:
        import joblib

        pipeline: Any = joblib.load(path)
        return Classifier(pipeline)
    classifier = train()
    models.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_suffix(".partial")
    import joblib

    joblib.dump(classifier._pipeline, partial)
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    return classifier
