"""The use cases run on the rights domain's real gate over the database: its fixtures, reused."""

from __future__ import annotations

from tests.rights.conftest import (
    ADVISOR,
    DPO,
    OFFERS,
    READING,
    TODAY,
    access_report,
    client,
    gate,
    new_person,
    register,
    registered,
)

__all__ = [
    "ADVISOR",
    "DPO",
    "OFFERS",
    "READING",
    "TODAY",
    "access_report",
    "client",
    "gate",
    "new_person",
    "register",
    "registered",
]
