"""`lawful demo`: the abandoned loan simulation is followed up exactly once, the loan
application pre-filled from it shows where every field comes from, and a home-insurance quote's
house is assessed for flood cover."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lawful.entrypoints import cli


def test_the_demo_follows_an_abandoned_simulation_up_once_and_prefills_with_sources(
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
    lawful_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with database_of_its_own("demo-simulation") as url:
        monkeypatch.setenv("LAWFUL_DATABASE_URL", url)
        monkeypatch.setenv("LAWFUL_HOME", str(lawful_home))
        result = CliRunner().invoke(
            cli.app,
            ["demo", "--customers", "30", "--no-serve", "--no-statements", "--out", str(tmp_path)],
        )
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert (
        "abandoned the day before: 1 offer of help in the app, 0 adviser task; run again: 0 more"
        in text
    )
    # The quoted house in the showcase zone is assessed with the insured ones.
    assert "1 quoted" in text and "refusal proposed, waiting for an underwriter" in text
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "loan-application pre-filled" in line)
    fields = {line.split()[0]: line for line in lines[start + 1 : start + 12]}
    assert fields["last_name"].endswith("← your file at kbc-bank")
    assert "← current account " in fields["iban"]
    assert fields["amount"].split("←")[1].strip().endswith("step amount")
    assert fields["monthly_income"].endswith("← to fill in")
