"""Free texts about a person in rights requests and objections, sealed with the person's key.

An objection's grounds, the DPO's grounds, an extension's reason and the grounds for lifting a
restriction were stored in plain text in rows that outlive erasure. They become ciphertext under
the person's vault key (`rights.sealed`), so that destroying the key on erasure leaves nothing
readable. What earlier versions wrote into a request's `outcome` as free text moves out of it: the
grounds for lifting a restriction to `closing_grounds`, an objection's decision grounds to the
request's `decision_grounds`.

Encrypting needs the installation's keys: `lawful init` and `lawful serve` pass them. A database
holding such texts upgraded without them is refused, with nothing changed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.orm import Session

from lawful.core.errors import ConfigurationError

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEALED = {
    "rights_request": ("extension_reason", "decision_grounds"),
    "objection": ("grounds", "decision_grounds"),
}


def _plain(connection: sa.Connection) -> dict[str, list[dict[str, Any]]]:
    """Every row with a free text to seal (or to move out of its outcome), before any change."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table, columns in SEALED.items():
        outcome = ", outcome" if table == "rights_request" else ""
        query = f"SELECT id, person_id, {', '.join(columns)}{outcome} FROM {table}"
        found[table] = [
            dict(row)
            for row in connection.execute(sa.text(query)).mappings()
            if any(row[c] is not None for c in columns) or _free_text_in(row.get("outcome"))
        ]
    return found


def _free_text_in(outcome: str | None) -> bool:
    if not outcome:
        return False
    value = json.loads(outcome)
    return isinstance(value, dict) and ("lift_grounds" in value or "decision_grounds" in value)


def upgrade() -> None:
    connection = op.get_bind()
    rows = _plain(connection)
    keys = context.config.attributes.get("keys")
    if any(rows.values()) and keys is None:
        raise ConfigurationError(
            "this upgrade encrypts objection and request texts with each person's key: "
            "run it through `lawful init` or `lawful serve`, which hold the installation's keys"
        )
    # Plain ALTER TABLE (SQLite ≥ 3.35 drops a column in place): rebuilding the tables, as a
    # batch migration would, trips the foreign keys between requests and objections.
    for table, columns in SEALED.items():
        for column in columns:
            op.drop_column(table, column)
            op.add_column(table, sa.Column(column, sa.LargeBinary(), nullable=True))
    op.add_column("rights_request", sa.Column("closing_grounds", sa.LargeBinary(), nullable=True))
    if any(rows.values()):
        _seal(connection, keys, rows)


def _seal(connection: sa.Connection, keys: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
    from lawful.core.vault import service as vault

    session = Session(bind=connection)
    for table, columns in SEALED.items():
        updates = []
        for row in rows[table]:
            texts = {c: row[c] for c in columns}
            if table == "rights_request":
                outcome = json.loads(row["outcome"]) if row["outcome"] else None
                if isinstance(outcome, dict):
                    texts["closing_grounds"] = outcome.pop("lift_grounds", None)
                    moved = outcome.pop("decision_grounds", None)
                    texts["decision_grounds"] = texts["decision_grounds"] or moved
                    row["outcome"] = json.dumps(outcome, ensure_ascii=False, sort_keys=True)
            present = [(c, t) for c, t in texts.items() if t is not None]
            sealed = vault.encrypt_many(
                session, keys=keys, items=[(row["person_id"], t.encode()) for _, t in present]
            )
            update = {c: None for c in texts} | dict(
                zip([c for c, _ in present], sealed, strict=True)
            )
            update["id"] = row["id"]
            if table == "rights_request":
                update["outcome"] = row["outcome"]
            updates.append(update)
        if updates:
            names = [k for k in updates[0] if k != "id"]
            assignments = ", ".join(f"{n} = :{n}" for n in names)
            connection.execute(
                sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"),
                updates,
            )
    session.flush()


def downgrade() -> None:
    raise RuntimeError("revision 0009 (sealed free texts) cannot be downgraded to plain text")
