"""0021: flood assessments of policies stay as they were; an assessment is of a policy or of a
quote, never both nor neither; a quote's goes with its simulation; the downgrade drops quotes'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from lawful.core.db import UTCDateTime, alembic_config, create_engine, upgrade

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def _assessment(**keys: Any) -> dict[str, Any]:
    return {
        "person_id": "P-mig-1",
        "entity": "kbc-insurance",
        "construction_year": 2021,
        "proposed": "refuse",
        "proposed_loading_bp": 0,
        "refusable": True,
        "status": "pending_review",
        "assessed_on": NOW.date(),
    } | keys


def test_policies_assessments_survive_and_a_quotes_goes_with_it(
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
) -> None:
    with database_of_its_own("migration-flood-quotes") as url:
        upgrade(url, "0017")
        engine = create_engine(url)
        meta = sa.MetaData()
        try:
            person = sa.Table("person", meta, autoload_with=engine)
            person.c.created_at.type = UTCDateTime()
            before = sa.Table("flood_assessment", meta, autoload_with=engine)
            with engine.begin() as c:
                c.execute(
                    sa.insert(person),
                    {"id": "P-mig-1", "brand": "kbc", "language": "nl", "created_at": NOW},
                )
                c.execute(sa.insert(before), _assessment(policy_id=7))
            upgrade(url)
            meta = sa.MetaData()
            assessment = sa.Table("flood_assessment", meta, autoload_with=engine)
            simulation = sa.Table("simulation", meta, autoload_with=engine)
            simulation.c.started_at.type = UTCDateTime()
            simulation.c.last_activity_at.type = UTCDateTime()
            with engine.begin() as c:
                assert c.execute(sa.select(assessment.c.policy_id)).scalars().all() == [7]
                made = c.execute(
                    sa.insert(simulation).returning(simulation.c.id),
                    {
                        "person_id": "P-mig-1",
                        "entity": "kbc-insurance",
                        "product": "home-insurance",
                        "channel": "app",
                        "language": "nl",
                        "status": "in_progress",
                        "contact_me": False,
                        "started_at": NOW,
                        "last_activity_at": NOW,
                    },
                ).scalar_one()
                c.execute(sa.insert(assessment), _assessment(simulation_id=made))
            for keys in ({}, {"policy_id": 8, "simulation_id": made}):
                with pytest.raises(sa.exc.IntegrityError), engine.begin() as c:
                    c.execute(sa.insert(assessment), _assessment(**keys))
            with engine.begin() as c:
                command.downgrade(alembic_config(c), "0017")
            with engine.connect() as c:
                left = c.execute(sa.text("SELECT policy_id FROM flood_assessment")).scalars()
                assert left.all() == [7]
            upgrade(url)
            with engine.begin() as c:
                again = c.execute(
                    sa.insert(assessment).returning(assessment.c.id),
                    _assessment(simulation_id=made),
                ).scalar_one()
                # PRAGMA foreign_keys is on in every connection the engine makes (SQLite).
                c.execute(sa.delete(simulation).where(simulation.c.id == made))
                gone = sa.select(sa.func.count()).where(assessment.c.id == again)
                assert c.execute(gone).scalar_one() == 0
        finally:
            engine.dispose()
