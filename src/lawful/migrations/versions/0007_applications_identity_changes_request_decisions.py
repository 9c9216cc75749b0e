"""Applications to become a client, identity changes awaiting verification, request decisions.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lawful.core.db import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("document_type", sa.String(length=16), nullable=True),
        sa.Column("document_number", sa.String(length=32), nullable=True),
        sa.Column("checked_by", sa.String(length=64), nullable=True),
        sa.Column("filed_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_application_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_person_entity", ["person_id", "entity", "status"], unique=False
        )

    op.create_table(
        "identity_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_identity_change_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_change")),
    )
    with op.batch_alter_table("identity_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_change_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_identity_change_request_id"), ["request_id"], unique=False
        )

    with op.batch_alter_table("rights_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entity", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("decision_grounds", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_rights_request_entity_deadline", ["entity", "deadline", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rights_request", schema=None) as batch_op:
        batch_op.drop_index("ix_rights_request_entity_deadline")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("decision_grounds")
        batch_op.drop_column("entity")
    with op.batch_alter_table("identity_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_change_request_id"))
        batch_op.drop_index(batch_op.f("ix_identity_change_person_id"))
    op.drop_table("identity_change")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_person_entity")
    op.drop_table("application")
