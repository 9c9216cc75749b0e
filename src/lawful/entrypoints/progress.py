"""The progress bar every long command draws on standard error while it works."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class Advance(Protocol):
    def __call__(self, done: int, total: int | None = None, step: str | None = None) -> None: ...


@contextmanager
def progress_bar(label: str) -> Iterator[Advance]:
    """A bar headed `label` (cleared once done); yields `advance(done, total=None, step=None)`:
    `total` when the work learns its size, `step` to name the stage it is at."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int | None = None, step: str | None = None) -> None:
            # None leaves the total or the description as they were.
            progress.update(task, completed=done, total=total, description=step)

        yield advance
