"""`lawful correspondence ...`: the intent classifier, trained and measured."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from lawful.config import get_settings
from lawful.correspondence import intent

app = typer.Typer(name="correspondence", help="Correspondence: the intent classifier.")
out = Console()


def _models() -> Path:
    return get_settings().home / "models"


@app.command()
def train() -> None:
    """Train the intent and complaint classifier on the synthetic corpus (fixed seed) and store
    it under the installation's home, replacing the one there."""
    began = time.perf_counter()
    with out.status("training the classifier on the synthetic corpus…"):
        intent.load(_models(), retrain=True)
    took = time.perf_counter() - began
    out.print(f"[green]✓[/green] trained in {took:.1f} s: {intent.model_path(_models())}")


@app.command()
def evaluate() -> None:
    """Precision and recall per intent on the held-out split (one message in five, never
    trained on); then the accuracy on wording never seen (the templates set aside)."""
    with out.status("loading the classifier (trained on first use)…"):
        classifier = intent.load(_models())
        scores = classifier.evaluate()
    table = Table(
        title=f"held-out split: {scores.held_out} messages (trained on {scores.trained_on})"
    )
    for column in ("intent", "precision", "recall", "messages"):
        table.add_column(column, justify="left" if column == "intent" else "right")
    for c in scores.classes:
        table.add_row(c.intent, f"{c.precision:.3f}", f"{c.recall:.3f}", str(c.support))
    out.print(table)
    out.print(f"accuracy {scores.accuracy:.3f}")
    with out.status("training without the templates set aside…"):
        unseen = intent.train(unseen_wording=True).evaluate(unseen_wording=True)
    worst = min(unseen.classes, key=lambda c: c.recall)
    out.print(
        f"unseen wording (one template in six per intent and language set aside): accuracy "
        f"{unseen.accuracy:.3f}, lowest recall {worst.recall:.3f} ({worst.intent})"
    )
