"""The person's simulations and notification preferences in their access report (Art. 15) and
their portability archive (Art. 20), and gone with their erasure (Art. 17)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.engagement import service as engagement
from lawful.engagement.schemas import PreferencesUpdate
from lawful.flows import access_report, erasure, portability
from lawful.rights import service as rights
from lawful.simulations import service as simulations
from lawful.simulations.schemas import SimulationCreate, StepCreate

from .conftest import SELF, TODAY, new_person


def _person_with_a_simulation(session: Session, gate: Gate) -> tuple[str, int]:
    person = new_person(session, gate, language="fr", region="wallonia").id
    engagement.set_preferences(
        session,
        gate=gate,
        actor=SELF,
        person_id=person,
        changes=PreferencesUpdate.model_validate(
            {
                "quiet_hours": {"start": "21:00", "end": "08:00"},
                "topics": {"simulation-follow-up": ["push", "in_app"]},
            }
        ),
        today=TODAY,
    )
    made = simulations.start(
        session,
        gate=gate,
        actor=SELF,
        person_id=person,
        data=SimulationCreate(product="savings-plan", language="fr", contact_me=True),
    )
    simulations.record_step(
        session,
        gate=gate,
        actor=SELF,
        person_id=person,
        simulation_id=made.id,
        step=StepCreate(name="goal", answers={"monthly_amount": 150, "goal": "études"}),
    )
    return person, made.id


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_portability_archive_carries_preferences_and_simulations(
    session: Session, gate: Gate
) -> None:
    person, _ = _person_with_a_simulation(session, gate)
    data = portability.portability(session, gate=gate, actor=SELF, person_id=person, today=TODAY)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = json.loads(archive.read("data.json"))
        provided = document["provided"]
        assert provided["notification_settings"][0]["quiet_start"] == "21:00"
        assert provided["notification_choices"] == [
            {"message_topic": "simulation-follow-up", "message_channels": ["push", "in_app"]}
        ]
        [simulation] = provided["simulations"]
        assert simulation["product"] == "savings-plan" and simulation["contact_me"] is True
        assert "follow_up" not in simulation  # what we decided is not what they provided
        steps = _rows(archive, "provided/simulations_steps.csv")
        assert steps[0]["step"] == "goal"
        assert steps[0]["answers"] == "monthly_amount: 150; goal: études"
        assert _rows(archive, "provided/notification_settings.csv")[0]["quiet_end"] == "08:00"


def test_the_access_report_shows_the_simulations_in_the_readers_words(
    session: Session, gate: Gate
) -> None:
    person, _ = _person_with_a_simulation(session, gate)
    data = access_report.access_report(
        session, gate=gate, actor=SELF, person_id=person, today=TODAY
    )
    assert data.file["simulations"][0]["simulation_status"] == "in_progress"
    assert data.file["notification_settings"][0]["quiet_start"] == "21:00"
    html = rights.to_html(rights.report_view(gate.register, data))
    assert "Vos simulations" in html and "plan d&#39;épargne" in html and "en cours" in html
    assert "savings-plan" not in html and "in_progress" not in html


def test_erasure_takes_the_simulations_with_the_file(session: Session, gate: Gate) -> None:
    person, _ = _person_with_a_simulation(session, gate)
    erasure.erase(session, gate=gate, actor=SELF, person_id=person, today=TODAY)
    gone = simulations.export_person(
        session,
        gate=gate,
        actor=SELF,
        person_id=person,
        purpose=rights.PURPOSE,
        today=TODAY + dt.timedelta(days=1),
    )
    assert gone == {"simulations": []}
