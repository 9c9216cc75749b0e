"""Conversations run on the real gate over the database (the rights domain's fixtures), and over
the API (the API suite's)."""

from __future__ import annotations

from tests.api.conftest import api, api_database_url
from tests.rights.conftest import ADVISOR, DPO, TODAY, gate, new_person, register

__all__ = ["ADVISOR", "DPO", "TODAY", "api", "api_database_url", "gate", "new_person", "register"]
