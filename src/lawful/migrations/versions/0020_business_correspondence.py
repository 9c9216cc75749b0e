"""Business correspondence: messages (sealed) with their analysis, and drafted answers.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lawful.core.db import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "correspondence_message",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("mailbox", sa.String(length=64), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("subject", sa.LargeBinary(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("topic", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("found", sa.JSON(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_correspondence_message_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correspondence_message")),
    )
    with op.batch_alter_table("correspondence_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_correspondence_message_entity_received", ["entity", "received_at", "id"]
        )
        batch_op.create_index("ix_correspondence_message_person", ["person_id", "id"])

    op.create_table(
        "correspondence_draft",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("template", sa.String(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("drafted_by", sa.String(length=64), nullable=False),
        sa.Column("drafted_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["correspondence_message.id"],
            name=op.f("fk_correspondence_draft_message_id_correspondence_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correspondence_draft")),
    )
    with op.batch_alter_table("correspondence_draft", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_correspondence_draft_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("correspondence_draft")
    op.drop_table("correspondence_message")
