"""Correspondence runs on the real gate over the database (the rights domain's fixtures), and over
the API (the API suite's); the classifier is trained once per run into the run's home."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.api.conftest import api, api_database_url
from tests.rights.conftest import ADVISOR, DPO, TODAY, gate, new_person, register, registered

from lawful.correspondence import intent
from lawful.correspondence.intent import Classifier

__all__ = [
    "ADVISOR",
    "DPO",
    "TODAY",
    "api",
    "api_database_url",
    "gate",
    "new_person",
    "register",
    "registered",
]


@pytest.fixture(scope="session")
def classifier(lawful_home: Path) -> Classifier:
    return intent.load(lawful_home / "models")
