"""`lawful insurance treaty | place | bordereau` on a database file of its own."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.rights import factories
from typer.testing import CliRunner

from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli import app

runner = CliRunner()
UNDERWRITER = Actor("advisor", "kbc-insurance")


@pytest.fixture
def insured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A database of the test's own with three policyholders of KBC Insurance, and a treaty."""
    monkeypatch.setenv("LAWFUL_DATABASE_URL", f"sqlite:///{tmp_path / 'insurance.db'}")
    bootstrap.init()
    runtime = bootstrap.open_runtime()
    ids = []
    try:
        with unit_of_work(runtime.engine) as session:
            for _ in range(3):
                person = customers.create_person(
                    session,
                    gate=runtime.gate,
                    actor=UNDERWRITER,
                    data=factories.person(),
                    today=dt.date(2025, 1, 1),
                )
                customers.add_home_policy(
                    session,
                    gate=runtime.gate,
                    actor=UNDERWRITER,
                    person_id=person.id,
                    data=factories.home_policy(sum_insured_cents=40_000_000, premium_cents=70_000),
                )
                ids.append(person.id)
    finally:
        runtime.engine.dispose()
    result = runner.invoke(
        app,
        [
            "insurance", "treaty", "--code", "QS-2026-HOME", "--kind", "quota_share",
            "--entity", "kbc-insurance", "--reinsurer", "reinsurers-treaty",
            "--share-bp", "4000", "--starts-on", "2026-01-01", "--ends-on", "2026-12-31",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return ids


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_bordereau_is_written_and_holds_no_direct_identifier(
    insured: list[str], tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"qs.{fmt}"
    result = runner.invoke(
        app,
        [
            *("insurance", "bordereau", "--treaty", "QS-2026-HOME", "--period", "2026-Q4"),
            *("--format", fmt, "--out", str(out)),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 polic(ies) of 3 policyholder(s) to reinsurers-treaty for 2026-Q4" in result.output
    if fmt == "csv":
        with out.open(newline="") as f:
            rows = list(csv.DictReader(f))
    else:
        rows = pq.read_table(out).to_pylist()
    assert len(rows) == 3 and {len(str(r["policyholder"])) for r in rows} == {64}
    text = out.read_bytes()
    for forbidden in (b"Lotte", b"Maes", b"Veldstraat", b"Kouter", b"@example.be", b"HP-"):
        assert forbidden not in text
    for person_id in insured:
        assert person_id.encode() not in text


@pytest.mark.parametrize(
    ("treaty", "period", "line"),
    [
        ("XL-NONE", "2026-Q4", "error: treaty: XL-NONE is not a treaty on record"),
        ("QS-2026-HOME", "2026-13", "error: period: '2026-13' is not a quarter like 2026-Q4"),
        ("QS-2026-HOME", "2025-Q4", "error: period: treaty QS-2026-HOME runs from 2026-01-01 to "
         "2026-12-31: it does not cover 2025-Q4"),
    ],
)  # fmt: skip
def test_a_bad_treaty_or_period_is_one_line_and_exit_1(
    insured: list[str], tmp_path: Path, treaty: str, period: str, line: str
) -> None:
    out = tmp_path / "b.csv"
    result = runner.invoke(
        app,
        ["insurance", "bordereau", "--treaty", treaty, "--period", period, "--out", str(out)],
    )
    assert result.exit_code == 1
    assert result.output.strip() == line
    assert not out.exists()
