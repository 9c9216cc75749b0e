"""`lawful correspondence ...`: the intent classifier, trained and measured."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lawful.config import get_settings
from lawful.core.gate import unit_of_work
from lawful.correspondence import intent, service
from lawful.entrypoints.bootstrap import open_runtime

app = typer.Typer(
    name="correspondence",
    help="Correspondence: the intent classifier, and the retention of messages.",
)
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


def _table(title: str, scores: intent.Evaluation) -> Table:
    table = Table(title=title)
    for column in ("intent", "precision", "recall", "messages"):
        table.add_column(column, justify="left" if column == "intent" else "right")
    for c in scores.classes:
        table.add_row(c.intent, f"{c.precision:.3f}", f"{c.recall:.3f}", str(c.support))
    return table


@app.command()
def evaluate() -> None:
    """Precision and recall per intent on the held-out split (one message in five, never
    trained on); then on wording never seen (a model trained without one template in six per
    intent and language, tested on the messages made from those)."""
    with out.status("loading the classifier (trained on first use)…"):
        scores = intent.load(_models()).evaluate()
    title = f"held-out split: {scores.held_out} messages (trained on {scores.trained_on})"
    out.print(_table(title, scores))
    out.print(f"accuracy {scores.accuracy:.3f}")
    with out.status("training without the templates set aside…"):
        unseen = intent.train(unseen_wording=True).evaluate(unseen_wording=True)
    title = f"unseen wording: {unseen.held_out} messages of the templates set aside"
    out.print(_table(title, unseen))
    out.print(f"accuracy {unseen.accuracy:.3f}")


@app.command()
def expire(
    today: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="The day to count from (default: today)."),
    ] = None,
) -> None:
    """Delete the messages past the register's retention for business correspondence (five
    years from receipt), except those of a complaint still under its hold."""
    day = today.date() if today else dt.date.today()
    runtime = open_runtime()
    try:
        with unit_of_work(runtime.engine) as session:
            done = service.expire(session, register=runtime.register, today=day)
    finally:
        runtime.engine.dispose()
    out.print(
        f"{done.deleted} message(s) received before {done.received_before} deleted; "
        f"{done.kept} kept under a complaint's hold"
    )
