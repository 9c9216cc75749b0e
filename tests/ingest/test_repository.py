"""Event keys are unique per system in the database itself, whatever two batches do at once."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import Conflict
from lawful.ingest import repository


def test_a_key_recorded_twice_is_a_conflict_not_a_second_row(session: Session) -> None:
    keys = ["k-1", "k\\2", "clé 3"]
    repository.insert_keys(session, "card-processor", keys, utcnow())
    assert repository.existing_keys(session, "card-processor", [*keys, "k-4"]) == set(keys)
    assert repository.existing_keys(session, "telephony", keys) == set()
    with pytest.raises(Conflict):
        repository.insert_keys(session, "card-processor", ["k-4", "k-1"], utcnow())
