"""`lawful register diff` names a reworded text of a purpose, by field and language."""

from __future__ import annotations

from lawful.core.register.diff import diff
from lawful.core.register.load import load_register


def test_a_reworded_description_is_a_change_of_text() -> None:
    old = load_register()
    purposes = [
        p.model_copy(update={"description": {**p.description, "fr": p.description["fr"] + " !"}})
        if p.id == "privacy-statement"
        else p
        for p in old.purposes
    ]
    new = old.model_copy(update={"purposes": purposes})
    (change,) = diff(old, new)
    assert (change.purpose, change.kind, change.after) == (
        "privacy-statement",
        "text",
        ["description.fr"],
    )
    assert change.describe() == "~ purpose 'privacy-statement': text changed (description.fr)"
    assert diff(old, old) == []
