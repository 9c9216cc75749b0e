"""`lawful insurance flood import | assign` on a database file of its own: a bad file is one
line and a non-zero exit with nothing imported; assign proposes and sums up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.flood.conftest import INSIDE, OUTSIDE, partner_file
from tests.rights import factories
from typer.testing import CliRunner

from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli import app

runner = CliRunner()
ADVISOR = Actor("advisor", "kbc-insurance")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two clients of KBC Insurance: a house built in 2021 in the zone, one outside any."""
    monkeypatch.setenv("LAWFUL_DATABASE_URL", f"sqlite:///{tmp_path / 'flood.db'}")
    bootstrap.init()
    runtime = bootstrap.open_runtime()
    try:
        with unit_of_work(runtime.engine) as session:
            for at, year in ((INSIDE, 2021), (OUTSIDE, 1970)):
                person = customers.create_person(
                    session,
                    gate=runtime.gate,
                    actor=ADVISOR,
                    data=factories.person(),
                    entity_state="client",
                    today=dt.date(2025, 1, 1),
                )
                customers.add_home_policy(
                    session,
                    gate=runtime.gate,
                    actor=ADVISOR,
                    person_id=person.id,
                    data=factories.home_policy(
                        latitude=at[0], longitude=at[1], construction_year=year
                    ),
                )
    finally:
        runtime.engine.dispose()
    return tmp_path


def test_import_then_assign(database: Path) -> None:
    early = runner.invoke(app, ["insurance", "flood", "assign"])
    assert early.exit_code == 1 and "no flood data imported yet" in early.output
    path = partner_file(database)
    imported = runner.invoke(app, ["insurance", "flood", "import", str(path)])
    assert imported.exit_code == 0, imported.output
    assert "2 risk zone(s), 3 building(s)" in imported.output
    assigned = runner.invoke(app, ["insurance", "flood", "assign"])
    assert assigned.exit_code == 0, assigned.output
    for line in ("home policies in force", "proposed: refusal", "waiting for an underwriter"):
        assert line in assigned.output
    assert "Traceback" not in assigned.output


def test_a_bad_file_is_one_line_and_imports_nothing(database: Path) -> None:
    good = partner_file(database)
    assert runner.invoke(app, ["insurance", "flood", "import", str(good)]).exit_code == 0
    bad = database / "broken.gpkg"
    bad.write_bytes(b"SQLite format 3\x00 but not really")
    result = runner.invoke(app, ["insurance", "flood", "import", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip().startswith("error: broken.gpkg: not a readable GeoPackage")
    assert "Traceback" not in result.output
    # The data imported before are still whole: assign still finds the zone.
    assigned = runner.invoke(app, ["insurance", "flood", "assign"])
    assert assigned.exit_code == 0 and "in a risk zone" in assigned.output
