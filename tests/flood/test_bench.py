"""`python -m bench flood` at a small size: the measured paths and their anchors agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench import flood as bench
from bench.home import scratch_home
from rich.console import Console


def test_the_flood_bench_runs_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("geopandas")
    monkeypatch.setattr(bench, "ADDRESSES", 20_000)
    monkeypatch.setattr(bench, "POLICIES", 2_000)
    monkeypatch.setattr(bench, "DB_POLICIES", 300)
    console = Console(file=None, quiet=True)
    placed = bench.assignment(console)  # asserts geopandas places the same points
    assert placed["in_a_zone"] > 0
    with scratch_home(tmp_path / "home") as home:
        assert bench.export_stage(console, tmp_path)["policies"] == 2_000
        assert bench.whole(console, tmp_path, home)["policies"] == 300
