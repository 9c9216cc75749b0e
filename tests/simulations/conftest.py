"""Simulations on the real gate over the database (the engagement and rights fixtures), and over
the API (the API suite's)."""

from __future__ import annotations

from tests.api.conftest import api, api_database_url
from tests.engagement.conftest import SELF, TODAY, gate, new_person, register

__all__ = ["SELF", "TODAY", "api", "api_database_url", "gate", "new_person", "register"]
