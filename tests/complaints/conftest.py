"""Complaints run on the real gate over the database (the rights domain's fixtures), and over
the API (the API suite's)."""

from __future__ import annotations

from tests.api.conftest import api, api_database_url
from tests.rights.conftest import (
    ADVISOR,
    DPO,
    READING,
    TODAY,
    access_report,
    gate,
    new_person,
    register,
    registered,
)

__all__ = [
    "ADVISOR",
    "DPO",
    "READING",
    "TODAY",
    "access_report",
    "api",
    "api_database_url",
    "gate",
    "new_person",
    "register",
    "registered",
]
